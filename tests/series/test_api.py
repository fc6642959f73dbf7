"""The series API: links (filters, confirm/reject), runs (start), series (list, detail, build), per persona."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from jingwu.cases.models import Series, SeriesIncident
from jingwu.core.models import AuditEvent
from jingwu.series.models import CandidateLink, LinkRun, LinkStatus

pytestmark = pytest.mark.django_db

LINKS = "/api/v1/series-links/"
RUNS = "/api/v1/series-runs/"
SERIES = "/api/v1/series/"


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _link(bureau, a, b, p, status=LinkStatus.OPEN, run=None):
    a, b = sorted([a, b], key=lambda i: i.pk)
    return CandidateLink.objects.create(
        bureau=bureau,
        run=run,
        incident_a=a,
        incident_b=b,
        probability=p,
        features={"distance_km": 0.4, "gap_days": 3.0, "same_premises": 1.0, "mo_cosine": 0.7},
        status=status,
    )


@pytest.fixture
def board(county):
    """Three links of the test county: two of a run (0.9 open, 0.4 rejected), one without (0.7 open)."""
    run = LinkRun.objects.create(
        bureau=county.bureau, first_day="2018-01-01", last_day="2018-12-31", status="done"
    )
    c = county
    c.run = run
    c.l_high = _link(c.bureau, c.inc_west_theft, c.inc_east_theft, 0.9, run=run)
    c.l_low = _link(c.bureau, c.inc_west_theft, c.inc_west_dispute, 0.4, LinkStatus.REJECTED, run=run)
    c.l_mid = _link(c.bureau, c.inc_east_theft, c.inc_east_traffic, 0.7)
    return c


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_links_are_listed_most_probable_first_and_filtered(board):
    api = _api(board.center)
    c = board
    assert _ids(api.get(LINKS)) == [c.l_high.pk, c.l_mid.pk, c.l_low.pk]
    assert _ids(api.get(LINKS, {"run": c.run.pk})) == [c.l_high.pk, c.l_low.pk]
    assert _ids(api.get(LINKS, {"decision": "open"})) == [c.l_high.pk, c.l_mid.pk]
    assert _ids(api.get(LINKS, {"decision": "rejected"})) == [c.l_low.pk]
    assert _ids(api.get(LINKS, {"min_probability": "0.7"})) == [c.l_high.pk, c.l_mid.pk]
    assert _ids(api.get(LINKS, {"decision": "open", "min_probability": "0.8"})) == [c.l_high.pk]
    row = api.get(f"{LINKS}{c.l_high.pk}/").json()
    assert row["decision"] == "open" and row["probability"] == 0.9
    assert {row["incident_a_number"], row["incident_b_number"]} == {
        c.inc_west_theft.number,
        c.inc_east_theft.number,
    }
    assert row["reasons"]  # the words the board shows beside the probability
    bad = api.get(LINKS, {"decision": "maybe"})
    assert bad.status_code == 400 and "decision" in bad.json()
    for raw in ("high", "1.5", "-0.1"):
        bad = api.get(LINKS, {"min_probability": raw})
        assert bad.status_code == 400 and "0" in bad.json()["min_probability"][0]


def test_center_confirms_and_rejects_once_through_the_service(board):
    api = _api(board.center)
    r = api.post(f"{LINKS}{board.l_high.pk}/confirm/", {"note": "同一手法"}, format="json")
    assert r.status_code == 200 and r.json()["decision"] == "confirmed" and r.json()["note"] == "同一手法"
    r = api.post(f"{LINKS}{board.l_mid.pk}/reject/", {}, format="json")
    assert r.status_code == 200 and r.json()["decision"] == "rejected"
    again = api.post(f"{LINKS}{board.l_high.pk}/reject/", {}, format="json")
    assert again.status_code == 400 and "已研判" in str(again.json())
    board.l_high.refresh_from_db()
    assert board.l_high.status == "confirmed" and board.l_high.decided_by == board.center
    assert AuditEvent.objects.filter(object_type="series.candidatelink").count() == 2


@pytest.mark.parametrize(
    ("persona", "count", "decide"),
    [
        ("center", 3, 200),
        ("command", 3, 403),
        ("auditor", 3, 403),
        ("chief", 0, 404),
        ("zone_lead", 0, 404),
        ("community", 0, 404),
        ("planner", 0, 404),
    ],
)
def test_links_and_runs_by_persona(board, persona, count, decide):
    api = _api(getattr(board, persona))
    assert api.get(LINKS).json()["count"] == count
    assert api.get(RUNS).json()["count"] == (1 if count else 0)
    assert api.post(f"{LINKS}{board.l_high.pk}/confirm/", {}, format="json").status_code == decide
    board.l_high.refresh_from_db()
    assert board.l_high.status == ("confirmed" if decide == 200 else "open")


def test_outsider_sees_and_changes_nothing(board, outsider):
    s = Series.objects.create(bureau=board.bureau, code="S1", name="系列", origin="analyst")
    SeriesIncident.objects.create(bureau=board.bureau, series=s, incident=board.inc_west_theft)
    api = _api(outsider)
    for url in (LINKS, RUNS, SERIES):
        assert api.get(url).json()["count"] == 0
    assert api.get(f"{LINKS}{board.l_high.pk}/").status_code == 404
    assert api.get(f"{SERIES}{s.pk}/").status_code == 404
    assert api.get(f"{RUNS}{board.run.pk}/").status_code == 404
    assert api.post(f"{LINKS}{board.l_high.pk}/confirm/", {}, format="json").status_code == 404
    assert api.post(RUNS, {}, format="json").status_code == 403
    assert api.post(SERIES, {"name": "x", "links": [board.l_low.pk]}, format="json").status_code == 403
    board.l_high.refresh_from_db()
    assert board.l_high.status == "open" and LinkRun.objects.count() == 1
    assert Series.objects.count() == 1


def test_build_series_from_confirmed_links(board):
    api = _api(board.center)
    api.post(f"{LINKS}{board.l_high.pk}/confirm/", {}, format="json")
    refused = api.post(SERIES, {"name": "系列", "links": [board.l_high.pk, board.l_mid.pk]}, format="json")
    assert refused.status_code == 400 and "只有已确认的串并关系" in str(refused.json())
    assert api.post(SERIES, {"name": " ", "links": [board.l_high.pk]}, format="json").status_code == 400
    assert api.post(SERIES, {"name": "系列", "links": []}, format="json").status_code == 400
    assert not Series.objects.exists()
    r = api.post(SERIES, {"name": "城区入室盗窃系列", "links": [board.l_high.pk]}, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == "CB00001" and body["origin"] == "analyst" and body["hidden_incidents"] == 0
    members = {board.inc_west_theft.pk, board.inc_east_theft.pk}
    assert {row["id"] for row in body["incidents"]} == members
    assert _ids(api.get(SERIES)) == [body["id"]]
    assert AuditEvent.objects.filter(object_type="cases.series", object_id=str(body["id"])).exists()
    # the chief of the west station may not build one
    chief = _api(board.chief).post(SERIES, {"name": "x", "links": [board.l_high.pk]}, format="json")
    assert chief.status_code == 403 and Series.objects.count() == 1


def test_station_chief_sees_series_touching_the_station_with_its_own_members(board):
    c = board
    both = Series.objects.create(bureau=c.bureau, code="B", name="跨所", origin="analyst")
    for inc in (c.inc_west_theft, c.inc_east_theft):
        SeriesIncident.objects.create(bureau=c.bureau, series=both, incident=inc)
    east = Series.objects.create(bureau=c.bureau, code="E", name="东", origin="analyst")
    SeriesIncident.objects.create(bureau=c.bureau, series=east, incident=c.inc_east_theft)
    api = _api(c.chief)  # the west station's chief
    assert _ids(api.get(SERIES)) == [both.pk]
    assert api.get(f"{SERIES}{east.pk}/").status_code == 404
    detail = api.get(f"{SERIES}{both.pk}/").json()
    assert [row["number"] for row in detail["incidents"]] == [c.inc_west_theft.number]
    assert detail["hidden_incidents"] == 1
    center = _api(c.center).get(f"{SERIES}{both.pk}/").json()
    assert len(center["incidents"]) + center["hidden_incidents"] == 2


def test_start_a_scoring_run(county):
    api = _api(county.center)
    assert api.post(RUNS, {"days": 5}, format="json").status_code == 400
    assert api.post(RUNS, {"method": "magic"}, format="json").status_code == 400
    assert not LinkRun.objects.exists()
    r = api.post(RUNS, {"days": 365, "method": "logistic"}, format="json")
    assert r.status_code == 201, r.content
    run = LinkRun.objects.get()
    assert r.json()["id"] == run.pk and run.method == "logistic" and run.started_by == county.center
    assert (run.last_day - run.first_day).days == 364
    second = api.post(RUNS, {}, format="json")
    assert second.status_code == 400 and "已有评分任务" in str(second.json())
    assert _api(county.chief).post(RUNS, {}, format="json").status_code == 403
    assert _api(county.command).post(RUNS, {}, format="json").status_code == 403
    assert LinkRun.objects.count() == 1
