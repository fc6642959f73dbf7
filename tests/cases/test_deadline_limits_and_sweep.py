"""The bureau's own time limits per kind and stage, the periodic escalation sweep, and the
reminders on the owner's home page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jingwu.cases import deadlines
from jingwu.cases.models import CalendarDay, CaseDeadline, DeadlineLimit, Escalation
from jingwu.cases.services import do_open_case
from jingwu.core.clock import data_date
from jingwu.core.models import AuditEvent

D = dt.date


def _open_at(county, monkeypatch, when):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: when)
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    monkeypatch.undo()
    return case


def test_a_hand_written_table_and_the_calendar_give_the_deadlines(county, monkeypatch):
    # the bureau's table: filing in 2 working days, first action in 2 natural days,
    # investigation in 45 natural days (criminal); review left at the default (7 working days)
    for stage, days, working in (
        ("filing", 2, True),
        ("first_action", 2, False),
        ("investigation", 45, False),
    ):
        deadlines.do_set_limit(
            actor=county.command,
            bureau=county.bureau,
            kind="criminal",
            stage=stage,
            days=days,
            working=working,
        )
    CalendarDay.objects.create(bureau=county.bureau, day=D(2018, 6, 4), kind="holiday", name="测试假日")
    CalendarDay.objects.create(bureau=county.bureau, day=D(2018, 7, 16), kind="holiday", name="测试假日")
    # opened Friday 2018-06-01 10:00 in the bureau
    case = _open_at(county, monkeypatch, dt.datetime(2018, 6, 1, 2, tzinfo=dt.UTC))
    got = {d.stage: d.due for d in CaseDeadline.objects.filter(case=case)}
    assert got == {
        "filing": D(2018, 6, 6),  # (Sat, Sun, Mon off) Tue, Wed
        "first_action": D(2018, 6, 5),  # Sunday 06-03, then Monday off: Tuesday
        "investigation": D(2018, 7, 17),  # 45 days end on Monday 07-16, a holiday: Tuesday
    }
    table = deadlines.limits(county.bureau)
    assert (table["criminal"]["review"].days, table["criminal"]["review"].working) == (7, True)
    assert (table["administrative"]["investigation"].days) == 30


def test_setting_a_limit_is_validated_audited_and_reserved_to_command(county):
    with pytest.raises(ValidationError) as err:
        deadlines.do_set_limit(
            actor=county.command, bureau=county.bureau, kind="criminal", stage="filing", days=0, working=True
        )
    assert "days" in err.value.error_dict
    with pytest.raises(ValidationError):
        deadlines.do_set_limit(
            actor=county.command, bureau=county.bureau, kind="criminal", stage="trial", days=3, working=True
        )
    for persona in ("chief", "center", "zone_lead", "planner"):
        with pytest.raises(PermissionDenied):
            deadlines.do_set_limit(
                actor=getattr(county, persona),
                bureau=county.bureau,
                kind="criminal",
                stage="filing",
                days=5,
                working=True,
            )
    assert not DeadlineLimit.objects.exists()
    deadlines.do_set_limit(
        actor=county.command,
        bureau=county.bureau,
        kind="criminal",
        stage="filing",
        days=5,
        working=False,
        reason="试行",
    )
    deadlines.do_set_limit(
        actor=county.command, bureau=county.bureau, kind="criminal", stage="filing", days=4, working=True
    )
    events = list(AuditEvent.objects.filter(object_type="cases.deadlinelimit").order_by("pk"))
    assert [(e.before["days"], e.before["working"], e.after["days"], e.after["working"]) for e in events] == [
        (3, True, 5, False),
        (5, False, 4, True),
    ]
    assert events[0].actor == county.command and events[0].reason == "试行"


def test_the_outsider_sets_no_limit_here(county, outsider):
    with pytest.raises(PermissionDenied):
        deadlines.do_set_limit(
            actor=outsider, bureau=county.bureau, kind="criminal", stage="filing", days=5, working=True
        )


def test_the_sweep_escalates_as_of_the_data_date_once_per_level(county, monkeypatch):
    from jingwu.cases.tasks import escalate_overdue

    # opened Tuesday 2018-05-01: filing and first action overdue on the data date, 2018-06-03
    case = _open_at(county, monkeypatch, dt.datetime(2018, 5, 1, 2, tzinfo=dt.UTC))
    assert data_date(county.bureau) == D(2018, 6, 3)
    done = escalate_overdue()
    assert done[county.bureau.code] == 2
    rows = list(Escalation.objects.filter(case=case).values_list("level", "to_unit", "as_of", "actor"))
    assert rows == [(1, county.hq.pk, D(2018, 6, 3), None)] * 2
    assert escalate_overdue()[county.bureau.code] == 0  # the same data date: nothing more
    assert AuditEvent.objects.filter(object_id=str(case.pk), after__step="escalate").count() == 2


def test_the_sweep_is_scheduled(db):
    from django_q.models import Schedule

    s = Schedule.objects.get(name="jingwu-cases-escalation")
    assert s.func == "jingwu.cases.tasks.escalate_overdue" and s.repeats == -1


def test_the_owner_sees_the_reminders_on_the_home_page(client, county, monkeypatch, outsider):
    # opened 2018-06-01: the first action falls due on Monday 06-04, within two days of 06-03
    case = _open_at(county, monkeypatch, dt.datetime(2018, 6, 1, 2, tzinfo=dt.UTC))
    client.force_login(county.chief)
    r = client.get(reverse("home"))
    assert [d.case_id for d in r.context["soon"]] == [case.pk]
    assert case.number in r.content.decode()
    client.force_login(outsider)
    r = client.get(reverse("home"))
    assert case.number not in r.content.decode()


@pytest.mark.parametrize(
    ("persona", "get", "post"),
    [
        ("command", 200, 302),
        ("center", 200, 403),
        ("chief", 200, 403),
        ("zone_lead", 404, 404),
        ("community", 404, 404),
        ("outsider", 200, 403),
    ],
)
def test_the_limits_page(client, county, outsider, persona, get, post):
    user = outsider if persona == "outsider" else getattr(county, persona)
    client.force_login(user)
    url = reverse("cases:deadline_limits")
    assert client.get(url).status_code == get
    r = client.post(url, {"kind": "criminal", "stage": "filing", "days": "4", "working": "on"})
    assert r.status_code == post
    mine = DeadlineLimit.objects.filter(bureau=county.bureau)
    assert mine.count() == (1 if persona == "command" else 0)
