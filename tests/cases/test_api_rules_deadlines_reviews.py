"""The API of routing rules, time limits, deadlines and quality reviews: through the same
services as the pages, scoped the same way."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from jingwu.cases.models import CaseReview, DeadlineLimit, Escalation, RoutingRule
from jingwu.cases.services import do_open_case, do_update_case, seed_default_rules
from jingwu.core.models import AuditEvent

CRIMINAL = ["evidence", "statements", "procedure", "property", "deadlines"]


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    api.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return api


def _late_case(county, monkeypatch):
    """Opened 2018-05-01: filing and first action overdue on the data date, 2018-06-03."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2018, 5, 1, 2, tzinfo=dt.UTC))
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    monkeypatch.undo()
    return case


def test_routing_rules_through_the_api(county, outsider):
    seed_default_rules(county.bureau)
    url = "/api/v1/case-routing-rules/"
    r = _api(county.chief).get(url)
    assert r.status_code == 200 and r.json()["count"] == 5
    assert _api(county.chief).post(url, {"priority": 5, "name": "x", "target": "center"}).status_code == 403
    assert _api(outsider).get(url).json()["count"] == 0
    planner = _api(county.planner)
    r = planner.post(
        url,
        {"priority": 5, "name": "抢劫交中心", "kind": "criminal", "category": "0201", "target": "center"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    rule = RoutingRule.objects.get(pk=r.json()["id"])
    assert AuditEvent.objects.filter(object_type="cases.routingrule", object_id=str(rule.pk)).exists()
    # a change that leaves administrative cases without an owner: refused, nothing saved
    last = RoutingRule.objects.get(bureau=county.bureau, priority=50)
    r = planner.patch(f"{url}{last.pk}/", {"kind": "criminal"}, format="json")
    assert r.status_code == 400 and "150" in str(r.json())  # types of case left without an owner
    assert RoutingRule.objects.get(pk=last.pk).kind == "administrative"
    r = planner.post(url, {"priority": 6, "name": "y", "target": "unit"}, format="json")
    assert r.status_code == 400 and "unit" in r.json()
    assert planner.delete(f"{url}{rule.pk}/").status_code == 204
    assert not RoutingRule.objects.filter(pk=rule.pk).exists()


def test_time_limits_through_the_api(county):
    url = "/api/v1/case-deadline-limits/"
    body = {"kind": "criminal", "stage": "investigation", "days": 45, "working": False, "reason": "试行"}
    assert _api(county.chief).post(url, body, format="json").status_code == 403
    r = _api(county.command).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["days"] == 45
    pk = r.json()["id"]
    r = _api(county.command).patch(f"{url}{pk}/", {"days": 400}, format="json")
    assert r.status_code == 400 and "days" in r.json()
    r = _api(county.command).patch(f"{url}{pk}/", {"days": 40}, format="json")
    assert r.status_code == 200 and DeadlineLimit.objects.get(pk=pk).days == 40
    assert _api(county.chief).get(url).json()["count"] == 1
    assert _api(county.zone_lead).get(url).json()["count"] == 0


def test_deadlines_and_escalation_through_the_api(county, monkeypatch, outsider):
    case = _late_case(county, monkeypatch)
    url = "/api/v1/case-deadlines/"
    rows = _api(county.chief).get(url, {"state": "overdue"}).json()["results"]
    assert sorted((d["stage"], d["due"], d["overdue"]) for d in rows) == [
        ("filing", "2018-05-04", True),
        ("first_action", "2018-05-02", True),
    ]
    assert _api(county.chief).get(url, {"state": "due_soon"}).json()["count"] == 0
    assert _api(county.chief).get(url, {"state": "late"}).status_code == 400
    assert _api(outsider).get(url).json()["count"] == 0
    assert _api(county.chief).post(f"{url}escalate/").status_code == 403
    r = _api(county.command).post(f"{url}escalate/")
    assert r.status_code == 200 and r.json() == {"escalated": 2}
    assert Escalation.objects.filter(case=case).count() == 2
    assert _api(county.command).post(f"{url}escalate/").json() == {"escalated": 0}


def test_quality_reviews_through_the_api(county, outsider):
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    case = do_update_case(case, actor=county.chief, status="solved")
    url = "/api/v1/case-reviews/"
    items = dict.fromkeys(CRIMINAL, True)
    body = {"case": case.pk, "items": items, "outcome": "passed"}
    assert _api(county.chief).post(url, body, format="json").status_code == 403
    assert _api(outsider).post(url, body, format="json").status_code == 403
    r = _api(county.command).post(url, body | {"items": items | {"evidence": False}}, format="json")
    assert r.status_code == 400 and "items" in r.json()
    r = _api(county.command).post(
        url, body | {"outcome": "returned", "items": items | {"evidence": False}}, format="json"
    )
    assert r.status_code == 400 and "notes" in r.json()
    assert not CaseReview.objects.exists()
    r = _api(county.command).post(url, body, format="json")
    assert r.status_code == 201 and r.json()["outcome"] == "passed"
    assert _api(county.command).get(url, {"case": case.pk}).json()["count"] == 1
    assert _api(county.auditor).get(url).json()["count"] == 1
    assert _api(county.chief).get(url).json()["count"] == 0  # reviews are read by command and auditors
