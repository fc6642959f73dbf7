"""Fixtures of the planning tests: a scenario of the small test county that runs in seconds."""

from __future__ import annotations

import datetime as dt

import pytest

AS_OF = dt.date(2018, 6, 30)
REFORM = dt.date(2018, 7, 1)

# The test county is tiny (5 police, 1 auxiliary, 2 stations): no on-duty minimum, no skill
# rules, and the investigation center asks for two police so that someone has to move.
SMALL = {
    "min_on_duty": 0,
    "ic_investigators": 0.0,
    "pc_specialists": 0,
    "unit_targets": {"ZC": 2},
    "time_limit": 2.0,
    "workers": 1,
    "bootstrap": 0,
    "zone_station": "S01",
    "zone_k": 2,
}


@pytest.fixture
def sync_q(monkeypatch):
    """Run django-q tasks inline (as the worker would), not through the queue."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


@pytest.fixture
def make_scenario(county):
    from jingwu.planning.services import do_create_scenario

    def make(actor=None, **params):
        return do_create_scenario(
            actor=actor or county.planner,
            bureau=county.bureau,
            name="测试方案",
            as_of=AS_OF,
            reform_date=REFORM,
            incidents_from=dt.date(2018, 1, 1),
            incidents_to=AS_OF,
            params=SMALL | params,
        )

    return make


@pytest.fixture
def done_scenario(county, make_scenario):
    from jingwu.planning.services import do_run_scenario

    return do_run_scenario(make_scenario(), actor=county.planner, sync=True)
