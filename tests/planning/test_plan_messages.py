"""A plan's messages name units by code and name, in the reader's language; the engine prepares once."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from jingwu.planning.reports import build, feature_reason
from jingwu.planning.services import do_run_scenario

from ..engine.test_reassign import count_preparations

pytestmark = pytest.mark.django_db


def test_conflicts_name_the_station_not_its_database_id(client, county, make_scenario):
    s = make_scenario(min_on_duty=2)  # more police on duty than the county has
    s = do_run_scenario(s, actor=county.planner, sync=True)
    conflicts = s.results["reassign"]["conflicts"]
    duty = next(c for c in conflicts if c["rule"] == "on_duty" and c["unit"] == str(county.west.pk))
    assert duty["message"].startswith("West Station (S01) needs ")
    assert duty["message_zh"].startswith("城西派出所（S01）每天3班、每班2名民警在岗")
    for c in conflicts:  # no message starts with a bare database id
        assert not c["message"].split(" ")[0].isdigit(), c["message"]
    with translation.override("zh-hans"):
        assert duty["message_zh"] in [c["message"] for c in build(s, moves=False).reassign["conflicts"]]
    with translation.override("en"):
        assert duty["message"] in [c["message"] for c in build(s, moves=False).reassign["conflicts"]]
    client.force_login(county.command)
    html = client.get(reverse("planning:scenario_detail", args=[s.pk]))
    assert "城西派出所（S01）每天3班" in html.content.decode()


def test_a_plan_prepares_its_problem_once(county, make_scenario, monkeypatch):
    made = count_preparations(monkeypatch)
    s = do_run_scenario(make_scenario(), actor=county.planner, sync=True)
    assert s.results["reassign"]["feasible"] and s.results["reassign"]["baselines"]["greedy"]
    assert len(made) == 1  # the plan, its start and the three baselines' figures share it


def test_a_station_reason_without_residents_says_no_resident_data():
    reason = {"code": "unknown_incidents_per_1000", "z": 0.0, "value": None}
    with translation.override("en"):
        assert feature_reason(reason) == "incidents per 1,000 residents: no resident data"
    with translation.override("zh-hans"):
        text = feature_reason(reason)
        assert "no resident data" not in text and "无常住人口数据" in text
