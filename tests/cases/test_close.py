"""Closing a criminal case (结案) on the case page and through the API: only once solved and
its file passed review; a refusal is a message and changes nothing; outsiders see nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jingwu.cases.models import Case
from jingwu.cases.review import do_review_case
from jingwu.core.models import AuditEvent

from .test_review import CRIMINAL, _solved

pytestmark = pytest.mark.django_db


def _steps(case):
    return [
        e.after.get("step")
        for e in AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("seq")
    ]


def test_the_chief_closes_a_reviewed_case_on_its_page(client, county, outsider):
    case = _solved(county)
    url = reverse("cases:case_close", args=[case.pk])
    client.cookies["django_language"] = "en"
    client.force_login(county.chief)
    # not reviewed yet: the page says why, status 400, nothing changes
    r = client.post(url, {"c-outcome": "closed", "c-reason": ""})
    assert r.status_code == 400 and "not passed its quality review" in r.content.decode()
    assert Case.objects.get(pk=case.pk).status == "solved" and "close" not in _steps(case)
    do_review_case(case, actor=county.command, items=dict.fromkeys(CRIMINAL, True), outcome="passed")
    client.force_login(outsider)
    assert client.post(url, {"c-outcome": "closed"}).status_code == 404
    client.force_login(county.chief)
    r = client.post(url, {"c-outcome": "closed", "c-reason": ""})
    assert r.status_code == 302 and r.url == reverse("cases:case_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == "closed" and case.closed_at is not None
    assert _steps(case)[-1] == "close"
    # closed once: a second close is refused with a message
    r = client.post(url, {"c-outcome": "closed", "c-reason": ""})
    # (its form is no longer on the page: the refusal is said above the steps)
    assert r.status_code == 400 and r.context["step_error"] == "The case has already ended (Closed)."
    assert 'id="step-error"' in r.content.decode()


def test_the_api_closes_a_reviewed_case_and_refuses_an_unreviewed_one(county, outsider):
    case = _solved(county)
    url = reverse("api:case-close", args=[case.pk])
    api = APIClient()
    api.force_authenticate(county.chief)
    r = api.post(url, {"outcome": "closed"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and r.json() == {"outcome": ["案卷尚未通过质量审核，暂不能结案。"]}
    assert Case.objects.get(pk=case.pk).status == "solved"
    do_review_case(case, actor=county.command, items=dict.fromkeys(CRIMINAL, True), outcome="passed")
    stranger = APIClient()
    stranger.force_authenticate(outsider)
    assert stranger.post(url, {"outcome": "closed"}, format="json").status_code == 404
    r = api.post(url, {"outcome": "closed"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"
    assert _steps(case)[-1] == "close"
