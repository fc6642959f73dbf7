"""Deadlines per kind and stage from the bureau's calendar, reminders, the overdue list and
escalation (督办) to the next level until the case moves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from jingwu.cases import deadlines
from jingwu.cases.models import CalendarDay, CaseDeadline, Escalation
from jingwu.cases.review import do_review_case
from jingwu.cases.services import do_close_case, do_open_case, do_suspend_case, do_update_case
from jingwu.core.models import AuditEvent
from jingwu.engine.deadlines import Limit, due_date

D = dt.date
FRI = D(2018, 6, 1)


@pytest.mark.parametrize(
    ("limit", "holidays", "workdays", "due"),
    [
        (Limit(3, True), (), (), D(2018, 6, 6)),  # Mon, Tue, Wed
        (Limit(3, True), (D(2018, 6, 4),), (), D(2018, 6, 7)),  # a Monday off
        (Limit(3, True), (), (D(2018, 6, 2),), D(2018, 6, 5)),  # a Saturday worked
        (Limit(1, False), (), (), D(2018, 6, 4)),  # Saturday: the next working day
        (Limit(60, False), (), (), D(2018, 7, 31)),
        (Limit(7, True), (), (), D(2018, 6, 12)),
    ],
)
def test_due_dates(limit, holidays, workdays, due):
    assert due_date(FRI, limit, holidays, workdays) == due


def _at(monkeypatch, when: dt.datetime):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: when)


def _stages(case):
    return {d.stage: (d.due, d.met_at is not None) for d in CaseDeadline.objects.filter(case=case)}


def test_deadlines_follow_the_steps(county, monkeypatch):
    _at(monkeypatch, dt.datetime(2018, 6, 1, 2, tzinfo=dt.UTC))  # Friday 10:00 in the bureau
    CalendarDay.objects.create(bureau=county.bureau, day=D(2018, 6, 5), kind="holiday", name="测试假日")
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    assert _stages(case) == {
        "filing": (D(2018, 6, 7), False),  # Mon, (Tue off), Wed, Thu
        "first_action": (D(2018, 6, 4), False),
        "investigation": (D(2018, 7, 31), False),
    }
    assert case.deadline == D(2018, 7, 31)
    case = do_update_case(case, actor=county.chief, status="investigating")
    assert {s: met for s, (_, met) in _stages(case).items()} == {
        "filing": True,
        "first_action": True,
        "investigation": False,
    }
    case = do_update_case(case, actor=county.chief, status="solved")
    assert _stages(case)["investigation"][1] and _stages(case)["review"] == (D(2018, 6, 13), False)
    items = dict.fromkeys(("evidence", "statements", "procedure", "property", "deadlines"), True)
    do_review_case(case, actor=county.command, items=items, outcome="passed")
    assert _stages(case)["review"][1]
    case = do_close_case(case, actor=county.chief)
    assert all(met for _, met in _stages(case).values())


def _late_case(county, monkeypatch):
    """A case opened on Tuesday 2018-05-01: its filing (due 05-04) and first action (due 05-02)
    are overdue on the county's data date, 2018-06-03."""
    _at(monkeypatch, dt.datetime(2018, 5, 1, 2, tzinfo=dt.UTC))
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    monkeypatch.undo()
    return case


def test_the_overdue_list_and_reminders(county, monkeypatch):
    case = _late_case(county, monkeypatch)
    mine = deadlines.overdue([case], county.bureau)
    assert [(d.stage, d.due) for d in mine] == [("first_action", D(2018, 5, 2)), ("filing", D(2018, 5, 4))]
    assert list(deadlines.reminders([case], county.bureau)) == []
    # the investigation falls due on Monday 07-02 (60 days end on a Saturday)
    assert [d.stage for d in deadlines.reminders([case], county.bureau, as_of=D(2018, 6, 30))] == [
        "investigation"
    ]
    assert list(deadlines.reminders([case], county.bureau, as_of=D(2018, 6, 29))) == []
    do_suspend_case(case, actor=county.chief, reason="嫌疑人在逃")
    assert list(deadlines.overdue([case], county.bureau)) == []  # a suspended case waits


def test_escalation_goes_up_a_level_until_the_case_moves(county, monkeypatch):
    case = _late_case(county, monkeypatch)
    n = deadlines.do_escalate_overdue(actor=county.command, bureau=county.bureau)
    assert n == 2
    rows = list(Escalation.objects.filter(case=case).values_list("level", "to_unit", "as_of"))
    assert rows == [(1, county.hq.pk, D(2018, 6, 3)), (1, county.hq.pk, D(2018, 6, 3))]
    events = AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), after__step="escalate"
    )
    assert events.count() == 2 and all(e.actor == county.command for e in events)
    assert deadlines.do_escalate_overdue(actor=county.command, bureau=county.bureau) == 0  # not again today
    # three days on: no level above headquarters
    assert deadlines.do_escalate_overdue(actor=county.command, bureau=county.bureau, as_of=D(2018, 6, 6)) == 0
    # the case moves: nothing is overdue any more
    do_update_case(case, actor=county.chief, status="investigating")
    assert list(deadlines.overdue([case], county.bureau)) == []


def test_a_squad_case_escalates_to_the_station_then_headquarters(county, monkeypatch):
    from jingwu.org.services import do_create_unit

    squad = do_create_unit(
        actor=None, bureau=county.bureau, parent=county.west, kind="squad", code="S01-Q", name_zh="打击中队"
    )
    _at(monkeypatch, dt.datetime(2018, 5, 1, 2, tzinfo=dt.UTC))
    case = do_open_case(
        actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft], owning_unit=squad
    )
    monkeypatch.undo()
    deadlines.do_escalate_overdue(actor=county.command, bureau=county.bureau, as_of=D(2018, 6, 3))
    deadlines.do_escalate_overdue(actor=county.command, bureau=county.bureau, as_of=D(2018, 6, 6))
    got = sorted(Escalation.objects.filter(case=case).values_list("level", "to_unit"))
    assert got == [(1, county.west.pk), (1, county.west.pk), (2, county.hq.pk), (2, county.hq.pk)]


@pytest.mark.parametrize("persona", ["chief", "center", "zone_lead", "auditor", "community"])
def test_only_command_escalates(county, monkeypatch, persona):
    _late_case(county, monkeypatch)
    with pytest.raises(PermissionDenied):
        deadlines.do_escalate_overdue(actor=getattr(county, persona), bureau=county.bureau)
    assert not Escalation.objects.exists()


def test_the_outsider_escalates_nothing_here(county, monkeypatch, outsider):
    _late_case(county, monkeypatch)
    with pytest.raises(PermissionDenied):
        deadlines.do_escalate_overdue(actor=outsider, bureau=county.bureau)


def test_the_deadline_pages(client, county, monkeypatch, outsider):
    case = _late_case(county, monkeypatch)
    client.force_login(county.chief)
    r = client.get(reverse("cases:deadline_list"))
    assert [d.case_id for d in r.context["overdue"]] == [case.pk, case.pk] and not r.context["can_escalate"]
    assert client.post(reverse("cases:deadline_escalate")).status_code == 403
    client.force_login(county.command)
    r = client.post(reverse("cases:deadline_escalate"))
    assert r.status_code == 302 and Escalation.objects.filter(case=case).count() == 2
    client.force_login(county.center)
    body = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "督办" in body and 'id="escalations"' in body
    client.force_login(outsider)
    assert client.get(reverse("cases:deadline_list")).context["overdue"] == []
    assert client.post(reverse("cases:deadline_escalate")).status_code == 403
    client.force_login(county.planner)
    assert client.get(reverse("cases:deadline_list")).status_code == 404


def test_a_live_bureau_is_checked_on_its_own_today(county, monkeypatch):
    """Deadlines run from the case's own days and are checked on the bureau's latest day: a
    live bureau (its records reach yesterday) is checked on its today, not on yesterday."""
    from jingwu.core.clock import data_date, latest_day
    from jingwu.incidents.services import do_record_incident

    tz = county.inc_west_theft.received_at.tzinfo
    _at(monkeypatch, dt.datetime(2030, 6, 3, 2, tzinfo=dt.UTC))  # Monday 10:00 in the bureau
    past = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    _at(monkeypatch, dt.datetime(2030, 6, 5, 2, tzinfo=dt.UTC))  # Wednesday 10:00
    yesterday = do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0401",
        received_at=dt.datetime(2030, 6, 4, 12, tzinfo=tz),
        lon=county.inc_west_theft.lon,
        lat=county.inc_west_theft.lat,
    )
    assert (data_date(county.bureau), latest_day(county.bureau)) == (D(2030, 6, 4), D(2030, 6, 5))
    now = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[yesterday])
    assert _stages(past)["first_action"] == (D(2030, 6, 4), False)
    assert _stages(now)["first_action"] == (D(2030, 6, 6), False)
    cases = [past, now]
    late = {(d.case_id, d.stage) for d in deadlines.overdue(cases, county.bureau)}
    assert late == {(past.pk, "first_action")}  # its day (Tuesday) has passed; the new case's has not
    soon = {(d.case_id, d.stage) for d in deadlines.reminders(cases, county.bureau)}
    assert (now.pk, "first_action") in soon and (past.pk, "first_action") not in soon
    assert deadlines.do_escalate_overdue(actor=None, bureau=county.bureau) == 1
    assert Escalation.objects.filter(case=past).count() == 1 and not Escalation.objects.filter(case=now)
