"""Slice 6: early support flags (rising complaints, overload, missed training) to the chief,
with the reasons; reviewed and closed with a note."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.evaluation import services as sv
from jingwu.evaluation.models import SupportFlag
from jingwu.evaluation.support import complaint_reason, overload_reasons

from .helpers import TODAY


@pytest.mark.parametrize(
    "recent, before, flagged",
    [(0, 0, False), (1, 0, False), (2, 0, True), (2, 2, False), (3, 2, True), (2, 3, False)],
)
def test_rising_complaints(recent, before, flagged):
    assert (complaint_reason(recent, before) is not None) == flagged


def test_overload_against_the_bureaus_median():
    # median of (1, 2, 2, 3, 12) is 2: flagged above 4 and at least 5 -> 12 only
    got = overload_reasons({1: 1, 2: 2, 3: 2, 4: 3, 5: 12})
    assert set(got) == {5} and got[5]["median"] == 2
    assert overload_reasons({1: 4, 2: 0, 3: 0}) == {}  # below the minimum of 5
    assert overload_reasons({}) == {}


def complaint(county, officer, days_ago):
    sv.do_record_conduct(
        actor=county.political,
        officer=officer,
        kind="complaint",
        day=TODAY - dt.timedelta(days=days_ago),
        title="群众投诉执法态度",
    )


def test_flags_go_to_the_chief_with_the_reasons(county):
    complaint(county, county.off_comm, 10)
    complaint(county, county.off_comm, 40)
    complaint(county, county.off_lead, 10)  # one complaint: no flag
    sv.do_record_training(
        actor=county.political, officer=county.off_lead, day=TODAY - dt.timedelta(days=20), topic="执法培训"
    )
    assert sv.do_check_support(county.bureau, actor=county.political) > 0
    flags = {f.officer.police_number: f for f in SupportFlag.objects.filter(bureau=county.bureau)}
    comm = flags["100003"]
    assert comm.unit == county.west and comm.is_open and comm.raised_on == TODAY
    assert {r["code"] for r in comm.reasons} == {"complaints", "training"}
    assert [r for r in comm.reasons if r["code"] == "complaints"][0] | {} == {
        "code": "complaints",
        "recent": 2,
        "before": 0,
    }
    assert "100002" not in flags  # trained, one complaint
    assert "F00006" not in flags  # auxiliaries: no training expected
    # the east chief and the investigator have no training: flagged to their units
    assert flags["100004"].unit == county.east and flags["100005"].unit == county.ic
    # a second check raises no second flag for an open one
    assert sv.do_check_support(county.bureau, actor=county.political) == 0


def test_no_training_records_no_training_flags(county):
    sv.do_check_support(county.bureau, actor=county.political)
    assert not SupportFlag.objects.filter(bureau=county.bureau).exists()


def test_the_chief_closes_a_flag_with_a_note(county):
    complaint(county, county.off_comm, 10)
    complaint(county, county.off_comm, 20)
    sv.do_check_support(county.bureau, actor=county.political)
    flag = SupportFlag.objects.get(officer=county.off_comm)
    for persona in ("zone_lead", "community", "command", "auditor"):
        with pytest.raises(PermissionDenied):
            sv.do_close_flag(flag, actor=getattr(county, persona), note="已谈心谈话并调整岗位")
    with translation.override("en"), pytest.raises(ValidationError, match="what support"):
        sv.do_close_flag(flag, actor=county.chief, note="已处理")
    flag = sv.do_close_flag(flag, actor=county.chief, note="所长谈心谈话，安排带班民警指导")
    assert not flag.is_open and flag.closed_on == TODAY and flag.closed_by == county.chief
    with pytest.raises(ValidationError):
        sv.do_close_flag(flag, actor=county.chief, note="再次关闭，应当被拒绝")
    # closed: the next check may flag the officer again
    assert sv.do_check_support(county.bureau, actor=county.political) == 1


# persona -> (support page, sees the west flag, may run the check)
SUPPORT_PAGE = {
    "political": (200, True, True),
    "command": (200, True, False),
    "auditor": (200, True, False),
    "chief": (200, True, False),
    "center": (200, False, False),
    "prevention": (200, False, False),
    "zone_lead": (404, False, False),
    "community": (404, False, False),
    "planner": (404, False, False),
    "sysadmin": (404, False, False),
}


@pytest.mark.parametrize("persona", sorted(SUPPORT_PAGE))
def test_the_support_page_by_persona(client, county, persona):
    complaint(county, county.off_comm, 10)
    complaint(county, county.off_comm, 20)
    sv.do_check_support(county.bureau, actor=county.political)
    client.force_login(getattr(county, persona))
    status, sees, check = SUPPORT_PAGE[persona]
    r = client.get(reverse("evaluation:support"))
    assert r.status_code == status
    if status == 200:
        assert (county.off_comm.pk in {f.officer_id for f in r.context["flags"]}) == sees
        assert r.context["may_check"] == check


def test_the_outsider_sees_and_closes_no_flag(client, county, other_county):
    complaint(county, county.off_comm, 10)
    complaint(county, county.off_comm, 20)
    sv.do_check_support(county.bureau, actor=county.political)
    flag = SupportFlag.objects.get(officer=county.off_comm)
    client.force_login(other_county.chief)
    r = client.get(reverse("evaluation:support"))
    assert r.status_code == 200 and r.context["flags"] == []
    r = client.post(
        reverse("evaluation:support"), {"action": "close", "flag": flag.pk, "note": "外局关闭，应当被拒绝"}
    )
    assert r.status_code == 404
    with pytest.raises(PermissionDenied):
        sv.do_close_flag(flag, actor=other_county.chief, note="外局关闭，应当被拒绝")
    assert SupportFlag.objects.get(pk=flag.pk).is_open


def test_closing_on_the_page(client, county):
    complaint(county, county.off_comm, 10)
    complaint(county, county.off_comm, 20)
    client.force_login(county.political)
    assert client.post(reverse("evaluation:support"), {"action": "check"}).status_code == 302
    from jingwu.jobs.models import Job
    from jingwu.jobs.services import run_now

    run_now(Job.objects.get(kind="evaluation.support", bureau=county.bureau))  # the check's job
    flag = SupportFlag.objects.get(officer=county.off_comm)
    client.force_login(county.chief)
    client.cookies["django_language"] = "en"
    r = client.get(reverse("evaluation:support"))
    assert "2 substantiated complaints in the last 90 days (0 in the 90 days before)" in r.content.decode()
    r = client.post(reverse("evaluation:support"), {"action": "close", "flag": flag.pk, "note": "短"})
    assert r.status_code == 200 and r.context["errors"]
    r = client.post(
        reverse("evaluation:support"),
        {"action": "close", "flag": flag.pk, "note": "所长谈心谈话，安排带班民警指导"},
    )
    assert r.status_code == 302 and not SupportFlag.objects.get(pk=flag.pk).is_open
