"""Slice 5: officer care (family visits, training days, new officers' career plans),
kept by the political department, visible to it and to the officer."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.evaluation import services as sv
from jingwu.evaluation.evidence import gather
from jingwu.evaluation.models import CareerPlan, FamilyVisit, TrainingDay

from .helpers import TODAY, open_cycle


@pytest.fixture
def new_officer(county):
    """陈静 hired ten months before the data date: a new officer."""
    from jingwu.personnel.models import Officer

    Officer.objects.filter(pk=county.off_comm.pk).update(hired=dt.date(2017, 8, 1))
    county.off_comm.refresh_from_db()
    return county.off_comm


def test_the_political_department_records_care(county, new_officer):
    v = sv.do_record_visit(
        actor=county.political,
        officer=new_officer,
        day=dt.date(2018, 5, 1),
        visitor="局长",
        note="看望父母，了解家庭困难",
    )
    t = sv.do_record_training(
        actor=county.political, officer=new_officer, day=dt.date(2018, 5, 8), topic="执法规范化培训", hours=6
    )
    p = sv.do_save_career_plan(
        actor=county.political,
        officer=new_officer,
        goals="一年内熟悉社区警务，两年内独立办案",
        review_on=dt.date(2018, 12, 1),
        mentor=county.off_lead,
    )
    assert (v.visitor, t.hours, p.mentor) == ("局长", 6, county.off_lead)
    p = sv.do_save_career_plan(
        actor=county.political,
        officer=new_officer,
        goals="调整：参加法律职业资格考试",
        review_on=dt.date(2019, 1, 15),
    )
    assert CareerPlan.objects.get(officer=new_officer).mentor is None
    from jingwu.core.models import AuditEvent

    kinds = set(
        AuditEvent.objects.filter(object_type__startswith="evaluation.").values_list("object_type", "action")
    )
    assert {
        ("evaluation.familyvisit", "create"),
        ("evaluation.trainingday", "create"),
        ("evaluation.careerplan", "create"),
        ("evaluation.careerplan", "update"),
    } <= kinds


@pytest.mark.parametrize(
    "call, field",
    [
        (
            lambda c, o: sv.do_record_visit(
                actor=c.political,
                officer=o,
                day=dt.date(2018, 7, 1),
                visitor="局长",
                note="看望家属，送去慰问",
            ),
            "day",
        ),
        (
            lambda c, o: sv.do_record_visit(
                actor=c.political, officer=o, day=TODAY, visitor="", note="看望家属，送去慰问"
            ),
            "visitor",
        ),
        (
            lambda c, o: sv.do_record_training(
                actor=c.political, officer=o, day=TODAY, topic="射击", hours=13
            ),
            "hours",
        ),
        (
            lambda c, o: sv.do_save_career_plan(
                actor=c.political, officer=o, goals="目标很短", review_on=dt.date(2019, 1, 1)
            ),
            "goals",
        ),
        (
            lambda c, o: sv.do_save_career_plan(
                actor=c.political, officer=o, goals="一年内熟悉社区警务工作", review_on=TODAY
            ),
            "review_on",
        ),
        (
            lambda c, o: sv.do_save_career_plan(
                actor=c.political,
                officer=o,
                goals="一年内熟悉社区警务工作",
                review_on=dt.date(2019, 1, 1),
                mentor=o,
            ),
            "mentor",
        ),
        (
            lambda c, o: sv.do_save_career_plan(
                actor=c.political,
                officer=c.off_chief,
                goals="一年内熟悉社区警务工作",
                review_on=dt.date(2019, 1, 1),
            ),
            "officer",
        ),
    ],
)
def test_bad_care_records_are_refused(county, new_officer, call, field):
    with pytest.raises(ValidationError) as exc:
        call(county, new_officer)
    assert field in exc.value.message_dict
    assert (
        not FamilyVisit.objects.exists()
        and not TrainingDay.objects.exists()
        and not CareerPlan.objects.exists()
    )


def test_one_training_day_per_day(county):
    sv.do_record_training(actor=county.political, officer=county.off_comm, day=TODAY, topic="射击训练")
    with translation.override("en"), pytest.raises(ValidationError, match="already has a training day"):
        sv.do_record_training(actor=county.political, officer=county.off_comm, day=TODAY, topic="体能训练")


@pytest.mark.parametrize("persona", ["chief", "command", "community", "auditor", "zone_lead"])
def test_only_the_political_department_records_care(county, persona):
    with pytest.raises(PermissionDenied):
        sv.do_record_visit(
            actor=getattr(county, persona),
            officer=county.off_comm,
            day=TODAY,
            visitor="局长",
            note="看望家属，送去慰问",
        )


def test_training_days_are_evidence(county):
    sv.do_record_training(
        actor=county.political, officer=county.off_comm, day=dt.date(2018, 5, 8), topic="执法培训"
    )
    sv.do_record_training(
        actor=county.political, officer=county.off_comm, day=dt.date(2018, 3, 8), topic="上季度培训"
    )
    cycle = open_cycle(county)
    n = sv.do_nominate(cycle, actor=county.chief, officer=county.off_comm, unit=county.west)
    assert gather(n)["training"].figures == {"days": 1}


# persona -> (care page, 陈静's care record)
CARE_PAGES = {
    "political": (200, 200),
    "command": (200, 200),
    "auditor": (200, 200),
    "community": (404, 200),  # 陈静 herself: her own record only
    "chief": (404, 404),
    "zone_lead": (404, 404),
    "center": (404, 404),
    "planner": (404, 404),
    "sysadmin": (404, 404),
}


@pytest.mark.parametrize("persona", sorted(CARE_PAGES))
def test_care_pages_by_persona(client, county, new_officer, persona):
    sv.do_record_visit(
        actor=county.political,
        officer=new_officer,
        day=dt.date(2018, 5, 1),
        visitor="局长",
        note="看望父母，了解家庭困难",
    )
    client.force_login(getattr(county, persona))
    page, record = CARE_PAGES[persona]
    assert client.get(reverse("evaluation:care")).status_code == page
    r = client.get(reverse("evaluation:officer_care", args=[new_officer.pk]))
    assert r.status_code == record
    if record == 200:
        assert "看望父母" in r.content.decode()


def test_the_community_officer_sees_only_her_own_record(client, county):
    sv.do_record_visit(
        actor=county.political, officer=county.off_lead, day=TODAY, visitor="局长", note="看望家属，送去慰问"
    )
    client.force_login(county.community)
    assert client.get(reverse("evaluation:officer_care", args=[county.off_lead.pk])).status_code == 404


def test_the_outsider_sees_no_care_record(client, county, other_county):
    sv.do_record_visit(
        actor=county.political, officer=county.off_comm, day=TODAY, visitor="局长", note="看望家属，送去慰问"
    )
    client.force_login(other_county.political)
    assert client.get(reverse("evaluation:officer_care", args=[county.off_comm.pk])).status_code == 404
    r = client.get(reverse("evaluation:care"))
    assert r.status_code == 200 and list(r.context["visits"]) == []
    r = client.post(
        reverse("evaluation:care"),
        {
            "action": "visit",
            "police_number": county.off_comm.police_number,
            "day": "2018-05-01",
            "visitor": "局长",
            "note": "外局的记录",
        },
    )
    assert r.status_code == 302  # their own officer of that number, in their own bureau
    assert FamilyVisit.objects.filter(officer=county.off_comm).count() == 1
    assert FamilyVisit.objects.filter(officer=other_county.off_comm).count() == 1


def test_recording_on_the_page(client, county, new_officer):
    client.force_login(county.political)
    url = reverse("evaluation:care")
    r = client.post(
        url,
        {
            "action": "training",
            "police_number": new_officer.police_number,
            "day": "2018-05-09",
            "topic": "警务实战训练",
            "hours": "8",
        },
    )
    assert r.status_code == 302 and TrainingDay.objects.filter(officer=new_officer).count() == 1
    r = client.post(
        url,
        {
            "action": "plan",
            "police_number": new_officer.police_number,
            "mentor": county.off_lead.police_number,
            "goals": "一年内熟悉社区警务，两年内独立办案",
            "review_on": "2018-12-01",
        },
    )
    assert r.status_code == 302 and CareerPlan.objects.get(officer=new_officer).mentor == county.off_lead
    r = client.post(
        url,
        {
            "action": "visit",
            "police_number": "999999",
            "day": "2018-05-01",
            "visitor": "局长",
            "note": "看望家属",
        },
    )
    assert r.status_code == 200 and "police_number" in r.context["errors"]
