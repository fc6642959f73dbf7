"""Shared helpers of the evaluation tests (the test county's data date is 2018-06-03)."""

from __future__ import annotations

import datetime as dt

TODAY = dt.date(2018, 6, 3)  # the test county's last incident: its data date


def make_cycle(county, *, actor=None, year=2018, quarter=2, days=(5, 10, 15, 20), **kw):
    from jingwu.evaluation.services import do_create_cycle

    n, s, sc, r = (TODAY + dt.timedelta(days=d) for d in days)
    return do_create_cycle(
        actor=actor or county.political,
        bureau=county.bureau,
        year=year,
        quarter=quarter,
        nomination_deadline=n,
        self_assessment_deadline=s,
        scoring_deadline=sc,
        review_deadline=r,
        **kw,
    )


def advance(county, day: dt.date):
    """Move the county's data date to ``day``: an incident recorded that day (the records reach it)."""
    from jingwu.incidents.services import do_record_incident

    from .. import conftest

    when = dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.timezone(dt.timedelta(hours=8)))
    do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0401",
        received_at=when,
        lon=conftest.X0 + 0.004,
        lat=conftest.Y0 + 0.004,
        address="城西路3号",
    )


def scores_for(cycle, value):
    """Every criterion of the cycle scored ``value`` (criterion id -> value)."""
    from jingwu.evaluation.models import Criterion

    return {c.pk: value for c in Criterion.objects.filter(standard__cycle=cycle)}


def open_cycle(county, **kw):
    from jingwu.evaluation.services import do_open_cycle

    cycle = make_cycle(county, **kw)
    return do_open_cycle(cycle, actor=county.political)
