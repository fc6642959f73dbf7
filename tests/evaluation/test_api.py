"""The evaluation's REST API: the same scoping as the pages (an officer sees only their own
file), and every write through the services (bad input refused, nothing saved)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jingwu.core.models import AuditEvent
from jingwu.evaluation import services as sv
from jingwu.evaluation.models import Cycle, FamilyVisit, Nomination, Score

from .helpers import TODAY, advance, open_cycle, scores_for


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_login(user)
    return api


@pytest.fixture
def files(county):
    """An open cycle with three files: the west chief, the west grid officer (nominated by the
    west station) and the east station's officer (nominated by the east station)."""
    cycle = open_cycle(county)
    c = county
    return cycle, {
        "chief": sv.do_nominate(cycle, actor=c.political, officer=c.off_chief, unit=c.west),
        "comm": sv.do_nominate(cycle, actor=c.political, officer=c.off_comm, unit=c.west),
        "east": sv.do_nominate(cycle, actor=c.political, officer=c.off_east, unit=c.east),
    }


# persona -> the files they read (hand-written): the political department, command and the
# auditor the bureau's; the west chief the station's; the grid officer their own only.
SEES = {
    "political": {"chief", "comm", "east"},
    "command": {"chief", "comm", "east"},
    "auditor": {"chief", "comm", "east"},
    "chief": {"chief", "comm"},
    "community": {"comm"},
    "zone_lead": set(),
    "center": set(),
    "prevention": set(),
    "planner": set(),
    "sysadmin": set(),
}


@pytest.mark.parametrize("persona", sorted(SEES))
def test_who_reads_which_file(api, county, files, persona):
    _cycle, made = files
    ids = {n.pk: k for k, n in made.items()}
    r = as_user(api, getattr(county, persona)).get(reverse("api:eval-file-list"))
    assert r.status_code == 200
    assert {ids[row["id"]] for row in r.json()["results"]} == SEES[persona]
    for key, n in made.items():
        status = api.get(reverse("api:eval-file-detail", args=[n.pk])).status_code
        assert status == (200 if key in SEES[persona] else 404), (persona, key)


def test_the_outsider_reads_and_changes_nothing(api, county, other_county, files):
    cycle, made = files
    for user in (other_county.chief, other_county.political, other_county.command):
        as_user(api, user)
        for name in ("eval-cycle", "eval-file", "eval-objection", "eval-appeal", "eval-star"):
            assert api.get(reverse(f"api:{name}-list")).json()["count"] == 0, (user, name)
        assert api.get(reverse("api:eval-cycle-detail", args=[cycle.pk])).status_code == 404
        r = api.post(
            reverse("api:eval-file-score", args=[made["comm"].pk]),
            {"scores": {str(k): "9" for k in scores_for(cycle, 9)}},
            format="json",
        )
        assert r.status_code == 404
    assert not Score.objects.filter(nomination__cycle=cycle).exists()


def test_the_officer_sees_only_their_own_file_with_its_scores(api, county, files):
    cycle, made = files
    as_user(api, county.community)
    r = api.post(
        reverse("api:eval-file-self-assess", args=[made["comm"].pk]),
        {
            "text": "本季度走访群众百余户，调解纠纷五起。",
            "scores": {str(k): "8.5" for k in scores_for(cycle, 0)},
        },
        format="json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "self_assessed"
    assert {s["kind"] for s in body["scores"]} == {"self"} and len(body["scores"]) == 9
    # not someone else's, even of the same station
    r = api.post(
        reverse("api:eval-file-self-assess", args=[made["chief"].pk]), {"text": "x" * 20}, format="json"
    )
    assert r.status_code == 404
    assert Nomination.objects.get(pk=made["chief"].pk).self_text == ""


def test_cycles_are_created_and_opened_by_the_political_department(api, county):
    as_user(api, county.political)
    payload = {
        "year": 2018,
        "quarter": 3,
        "nomination_deadline": "2018-06-10",
        "self_assessment_deadline": "2018-06-15",
        "scoring_deadline": "2018-06-20",
        "review_deadline": "2018-06-25",
    }
    r = api.post(reverse("api:eval-cycle-list"), payload, format="json")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "draft"
    assert [s["code"] for s in body["standards"]] == ["loyalty", "service", "law", "discipline"]
    assert [sum(c["weight"] for c in s["criteria"]) for s in body["standards"]] == [100] * 4
    # deadlines out of order: refused with the field's message, nothing changed
    r = api.patch(
        reverse("api:eval-cycle-detail", args=[body["id"]]), {"review_deadline": "2018-06-01"}, format="json"
    )
    assert r.status_code == 400 and "review_deadline" in r.json()
    assert Cycle.objects.get(pk=body["id"]).review_deadline == dt.date(2018, 6, 25)
    service = next(s for s in body["standards"] if s["code"] == "service")
    r = api.patch(reverse("api:eval-standard-detail", args=[service["id"]]), {"pass_mark": 85}, format="json")
    assert r.status_code == 200 and r.json()["pass_mark"] == 85
    r = api.post(reverse("api:eval-cycle-open", args=[body["id"]]))
    assert r.status_code == 200 and r.json()["status"] == "open"
    # opened: the rules are frozen
    r = api.patch(reverse("api:eval-standard-detail", args=[service["id"]]), {"pass_mark": 70}, format="json")
    assert r.status_code == 400 and r.json()["non_field_errors"]
    # the west chief reads the cycle but may not change it
    as_user(api, county.chief)
    assert api.get(reverse("api:eval-cycle-detail", args=[body["id"]])).status_code == 200
    r = api.patch(reverse("api:eval-cycle-detail", args=[body["id"]]), {"notice_days": 5}, format="json")
    assert r.status_code == 403
    assert (
        api.post(reverse("api:eval-cycle-list"), payload | {"quarter": 4}, format="json").status_code == 403
    )


def test_nominating_scoring_and_bad_input(api, county):
    cycle = open_cycle(county)
    as_user(api, county.chief)
    url = reverse("api:eval-file-list")
    r = api.post(
        url, {"cycle": cycle.pk, "officer": county.off_comm.pk, "unit": county.west.pk}, format="json"
    )
    assert r.status_code == 201, r.content
    n = Nomination.objects.get(pk=r.json()["id"])
    assert n.nominated_by == county.chief and AuditEvent.objects.filter(object_id=str(n.pk)).exists()
    # an officer of the other station: outside the chief's scope, refused
    r = api.post(
        url, {"cycle": cycle.pk, "officer": county.off_east.pk, "unit": county.west.pk}, format="json"
    )
    assert r.status_code == 400 and "officer" in r.json()
    # the political department sees the east officer, but they are not the west station's
    as_user(api, county.political)
    r = api.post(
        url, {"cycle": cycle.pk, "officer": county.off_east.pk, "unit": county.west.pk}, format="json"
    )
    assert r.status_code == 400 and "officer" in r.json()
    assert Nomination.objects.filter(cycle=cycle).count() == 1
    # scoring: after the self-assessment deadline; a score off the scale refused, nothing saved
    advance(county, cycle.self_assessment_deadline + dt.timedelta(days=1))
    as_user(api, county.chief)
    values = {str(k): "9" for k in scores_for(cycle, 9)}
    bad = dict(values)
    bad[next(iter(bad))] = "11"
    r = api.post(reverse("api:eval-file-score", args=[n.pk]), {"scores": bad}, format="json")
    assert r.status_code == 400 and any("0" in str(v) and "10" in str(v) for v in r.json().values())
    assert not Score.objects.filter(nomination=n).exists()
    r = api.post(
        reverse("api:eval-file-score", args=[n.pk]), {"scores": values, "note": "表现突出"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "scored"
    assert Score.objects.filter(nomination=n, kind="unit").count() == 9
    # the chief does not review; the political department does
    r = api.post(reverse("api:eval-file-review", args=[n.pk]), {"decision": "endorsed"}, format="json")
    assert r.status_code == 403
    as_user(api, county.political)
    r = api.post(reverse("api:eval-file-review", args=[n.pk]), {"decision": "endorsed"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "reviewed"


def test_notice_objection_publication_stars_and_appeal(api, county):
    cycle = open_cycle(county)
    n = sv.do_nominate(cycle, actor=county.political, officer=county.off_comm, unit=county.west)
    advance(county, cycle.self_assessment_deadline + dt.timedelta(days=1))
    sv.do_score(n, actor=county.political, scores=scores_for(cycle, 9))
    sv.do_review(n, actor=county.political, decision="endorsed")
    as_user(api, county.command)  # command decides as the committee
    r = api.post(reverse("api:eval-file-decide", args=[n.pk]), {"decision": "approved"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "approved"
    as_user(api, county.political)
    assert api.post(reverse("api:eval-cycle-notice", args=[cycle.pk])).json()["status"] == "notice"
    # the zone lead does not read the file, but objects to it while it is on notice
    as_user(api, county.zone_lead)
    r = api.post(
        reverse("api:eval-file-object", args=[n.pk]), {"text": "该同志本季度有一次执勤迟到。"}, format="json"
    )
    assert r.status_code == 201, r.content
    objection = r.json()["id"]
    as_user(api, county.political)
    r = api.post(reverse("api:eval-cycle-publish", args=[cycle.pk]))
    assert r.status_code == 400  # the notice runs, and an objection waits
    r = api.post(
        reverse("api:eval-objection-answer", args=[objection]),
        {"answer": "经核实，已按规定处理。"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["answered_on"]
    cycle.refresh_from_db()
    advance(county, cycle.notice_end + dt.timedelta(days=1))
    r = api.post(reverse("api:eval-cycle-publish", args=[cycle.pk]))
    assert r.status_code == 200 and r.json()["status"] == "published"
    # after publication: no objection, no scoring
    as_user(api, county.zone_lead)
    r = api.post(
        reverse("api:eval-file-object", args=[n.pk]), {"text": "公示期后提出的异议内容"}, format="json"
    )
    assert r.status_code == 404  # the file is no longer on notice: the zone lead no longer reads it
    as_user(api, county.political)
    r = api.post(
        reverse("api:eval-file-object", args=[n.pk]), {"text": "公示期后提出的异议内容"}, format="json"
    )
    assert r.status_code == 400 and r.json()["non_field_errors"]
    as_user(api, county.chief)
    r = api.post(
        reverse("api:eval-file-score", args=[n.pk]),
        {"scores": {str(k): "1" for k in scores_for(cycle, 1)}},
        format="json",
    )
    assert r.status_code == 400 and r.json()["non_field_errors"]
    assert set(Score.objects.filter(nomination=n, kind="unit").values_list("value", flat=True)) == {9}
    # the stars: the officer's own, and the chief's station's
    as_user(api, county.community)
    stars = api.get(reverse("api:eval-star-list")).json()
    assert stars["count"] == 4 and {s["standard_code"] for s in stars["results"]} == {
        "loyalty",
        "service",
        "law",
        "discipline",
    }
    r = api.post(
        reverse("api:eval-file-appeal", args=[n.pk]), {"text": "请求复核本季度的评定结果。"}, format="json"
    )
    assert r.status_code == 201
    appeal = r.json()["id"]
    assert api.get(reverse("api:eval-appeal-list")).json()["count"] == 1
    as_user(api, county.zone_lead)
    assert api.get(reverse("api:eval-star-list")).json()["count"] == 0
    assert api.get(reverse("api:eval-appeal-detail", args=[appeal])).status_code == 404
    as_user(api, county.political)
    r = api.post(
        reverse("api:eval-appeal-decide", args=[appeal]),
        {"decision": "dismissed", "answer": "维持原评定。"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["status"] == "dismissed"


def test_officer_care_records(api, county):
    as_user(api, county.political)
    url = reverse("api:eval-family-visit-list")
    day = (TODAY - dt.timedelta(days=3)).isoformat()
    r = api.post(
        url,
        {"officer": county.off_comm.pk, "day": day, "visitor": "局长", "note": "看望家属，了解困难。"},
        format="json",
    )
    assert r.status_code == 201, r.content
    # a visit in the future (after the data date) is refused, nothing saved
    r = api.post(
        url,
        {
            "officer": county.off_comm.pk,
            "day": "2018-07-01",
            "visitor": "局长",
            "note": "看望家属，了解困难。",
        },
        format="json",
    )
    assert r.status_code == 400 and "day" in r.json()
    assert FamilyVisit.objects.count() == 1
    r = api.post(
        reverse("api:eval-training-day-list"),
        {"officer": county.off_comm.pk, "day": day, "topic": "执法规范化培训", "hours": 8},
        format="json",
    )
    assert r.status_code == 201
    # the officer reads their own; the station chief reads none and records none
    as_user(api, county.community)
    assert api.get(url).json()["count"] == 1
    as_user(api, county.chief)
    assert api.get(url).json()["count"] == 0
    r = api.post(
        url,
        {"officer": county.off_comm.pk, "day": day, "visitor": "所长", "note": "看望家属。"},
        format="json",
    )
    assert r.status_code == 403
    as_user(api, county.zone_lead)
    assert api.get(reverse("api:eval-training-day-list")).json()["count"] == 0
