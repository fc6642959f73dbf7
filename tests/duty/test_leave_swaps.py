"""Leave and swaps: asked by the station's people, decided by the station chief; refused by rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.core.clock import data_date
from jingwu.core.models import AuditEvent
from jingwu.duty.models import LeaveRequest, Roster, RosterEntry, SwapRequest
from jingwu.duty.services import (
    do_decide_leave,
    do_decide_swap,
    do_publish_roster,
    do_request_leave,
    do_request_swap,
    do_start_roster,
    station_setup,
)
from jingwu.jobs.services import latest_job, run_now

pytestmark = pytest.mark.django_db

D0 = dt.date(2018, 7, 2)  # a Monday


def _hand_roster(county, rows, status="done", start=D0):
    """A roster of the west station written by hand: rows of (officer, day index, shift, zone)."""
    from jingwu.duty.roster import build_problem, entries_for
    from jingwu.duty.services import _pattern_snap
    from jingwu.engine.roster.model import Assignment

    setup = station_setup(county.west)
    roster = Roster.objects.create(
        bureau=county.bureau,
        station=county.west,
        start=start,
        days=3,
        status=status,
        pattern=_pattern_snap(setup.pattern),
    )
    built = build_problem(roster, setup)
    assignments = [Assignment(str(o.pk), d, s, str(z.pk)) for o, d, s, z in rows]
    RosterEntry.objects.bulk_create(entries_for(roster, built, assignments))
    return roster


def _solved(county, days=7, publish=False):
    roster = do_start_roster(
        county.west,
        actor=county.chief,
        start=data_date(county.bureau),
        days=days,
        time_limit=5,
        hand_out=False,
    )
    run_now(latest_job(roster))
    roster.refresh_from_db()
    if publish:
        do_publish_roster(roster, actor=county.chief)
    return roster


def test_people_ask_leave_for_themselves_and_the_chief_for_anyone(county, other_county):
    req = do_request_leave(county.off_comm, actor=county.community, station=county.west, first=D0, last=D0)
    assert req.status == "requested" and req.requested_by == county.community
    do_request_leave(county.off_lead, actor=county.chief, station=county.west, first=D0, last=D0)
    for actor, officer in (
        (county.community, county.off_chief),  # not theirs
        (county.zone_lead, county.off_chief),  # posted at the station, above the zone
        (other_county.chief, county.off_comm),
        (county.command, county.off_comm),  # headquarters reads, the station decides
    ):
        with pytest.raises(PermissionDenied):
            do_request_leave(officer, actor=actor, station=county.west, first=D0, last=D0)


@pytest.mark.parametrize(("lang", "text"), [("en", "no duty on a day of leave"), ("zh-hans", "休假日不排班")])
def test_leave_overlapping_leave_is_refused_naming_the_rule(county, lang, text):
    do_request_leave(
        county.off_comm, actor=county.community, station=county.west, first=D0, last=D0 + dt.timedelta(days=2)
    )
    n = (LeaveRequest.objects.count(), AuditEvent.objects.count())
    with translation.override(lang), pytest.raises(ValidationError) as exc:
        do_request_leave(
            county.off_comm,
            actor=county.community,
            station=county.west,
            first=D0 + dt.timedelta(days=1),
            last=D0 + dt.timedelta(days=5),
        )
    assert text in exc.value.message_dict["first"][0]
    assert (LeaveRequest.objects.count(), AuditEvent.objects.count()) == n


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "no leave on a day of published duty that has begun"), ("zh-hans", "已开始")]
)
def test_leave_on_a_day_of_published_duty_that_has_begun_is_refused(county, lang, text):
    today = data_date(county.bureau)
    roster = _hand_roster(
        county,
        [(county.off_comm, 1, "day", county.zone_s), (county.off_comm, 2, "day", county.zone_s)],
        status="published",
        start=today - dt.timedelta(days=1),
    )
    n = LeaveRequest.objects.count()
    with translation.override(lang), pytest.raises(ValidationError) as exc:
        do_request_leave(
            county.off_comm,
            actor=county.community,
            station=county.west,
            first=today,
            last=today + dt.timedelta(days=1),
        )
    message = exc.value.message_dict["first"][0]
    assert text in message and today.isoformat() in message
    assert LeaveRequest.objects.count() == n
    # a day of duty after today may be asked for: approving it re-plans that day
    req = do_request_leave(
        county.off_comm,
        actor=county.community,
        station=county.west,
        first=today + dt.timedelta(days=1),
        last=today + dt.timedelta(days=1),
    )
    assert req.status == "requested" and roster.status == "published"


def test_approving_leave_replans_only_its_days(county):
    roster = _solved(county)
    before = {(e.officer_id, e.day): (e.shift, e.zone_id) for e in RosterEntry.objects.filter(roster=roster)}
    worked = sorted(d for (o, d) in before if o == county.off_lead.pk)
    assert worked, "the zone lead works in the roster"
    day = worked[len(worked) // 2]
    req = do_request_leave(county.off_lead, actor=county.zone_lead, station=county.west, first=day, last=day)
    with pytest.raises(PermissionDenied):
        do_decide_leave(req, actor=county.zone_lead, approve=True)
    req = do_decide_leave(req, actor=county.chief, approve=True)
    assert req.status == "approved" and req.replanned and req.replanned[0]["roster"] == roster.pk
    after = {(e.officer_id, e.day): (e.shift, e.zone_id) for e in RosterEntry.objects.filter(roster=roster)}
    assert (county.off_lead.pk, day) not in after  # on leave
    outside = {k: v for k, v in before.items() if k[1] != day}
    assert {k: v for k, v in after.items() if k[1] != day} == outside  # nothing else changed
    assert AuditEvent.objects.filter(
        object_type="duty.leaverequest", object_id=str(req.pk), reason="approved"
    ).exists()
    with pytest.raises(ValidationError):
        do_decide_leave(req, actor=county.chief, approve=False)  # decided once


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "minimum rest between shifts"), ("zh-hans", "班次间最短休息时间")]
)
def test_a_swap_that_breaks_the_rest_rule_is_refused_and_nothing_saved(county, lang, text):
    # the community officer works the night of day 0 (20:00-08:00); the zone lead the day of day 1
    roster = _hand_roster(
        county,
        [(county.off_comm, 0, "night", county.zone_s), (county.off_lead, 1, "day", county.zone_s)],
    )
    n = (SwapRequest.objects.count(), AuditEvent.objects.count())
    with translation.override(lang), pytest.raises(ValidationError) as exc:
        do_request_swap(
            roster,
            actor=county.community,
            day=D0 + dt.timedelta(days=1),
            officer_a=county.off_comm,
            officer_b=county.off_lead,
        )
    message = exc.value.message_dict["day"][0]
    assert text in message and county.off_comm.name in message
    assert (SwapRequest.objects.count(), AuditEvent.objects.count()) == n


def test_a_swap_within_the_rules_is_approved_and_changes_hands(county, other_county):
    roster = _hand_roster(
        county,
        [(county.off_comm, 0, "day", county.zone_s), (county.off_aux, 2, "day", county.zone_s)],
    )
    req = do_request_swap(
        roster, actor=county.community, day=D0, officer_a=county.off_comm, officer_b=county.off_aux
    )
    with pytest.raises(PermissionDenied):
        do_decide_swap(req, actor=county.zone_lead, approve=True)
    with pytest.raises(PermissionDenied):
        do_decide_swap(req, actor=other_county.chief, approve=True)
    do_decide_swap(req, actor=county.chief, approve=True)
    on = {(e.officer_id, e.day, e.shift) for e in RosterEntry.objects.filter(roster=roster)}
    assert on == {(county.off_aux.pk, D0, "day"), (county.off_aux.pk, D0 + dt.timedelta(days=2), "day")}
    with pytest.raises(ValidationError):  # nobody works day 1: nothing to swap
        do_request_swap(
            roster,
            actor=county.chief,
            day=D0 + dt.timedelta(days=1),
            officer_a=county.off_comm,
            officer_b=county.off_lead,
        )


def test_the_pages_ask_and_decide(client, county, other_county):
    roster = _hand_roster(county, [(county.off_comm, 0, "day", county.zone_s)])
    client.force_login(county.community)
    client.cookies["django_language"] = "en"
    r = client.get(reverse("duty:station", args=[county.west.pk]))
    assert [o.pk for o in r.context["people"]] == [
        county.off_comm.pk,
        county.off_aux.pk,
    ]  # their grid's people
    r = client.post(
        reverse("duty:leave_request", args=[county.west.pk]),
        {"officer": county.off_comm.pk, "first": "2018-07-05", "last": "2018-07-06", "reason": "家事"},
    )
    assert r.status_code == 302
    req = LeaveRequest.objects.get(officer=county.off_comm)
    r = client.post(reverse("duty:leave_decide", args=[req.pk]), {"approve": "1"})
    assert r.status_code == 403
    client.force_login(county.chief)
    r = client.post(reverse("duty:leave_decide", args=[req.pk]), {"approve": "1"}, follow=True)
    assert "Leave approved" in r.content.decode()
    r = client.post(
        reverse("duty:swap_request", args=[roster.pk]),
        {"day": "2018-07-02", "officer_a": county.off_comm.pk, "officer_b": county.off_lead.pk},
    )
    assert r.status_code == 302 and SwapRequest.objects.filter(roster=roster).count() == 1
    client.force_login(other_county.chief)
    assert client.post(reverse("duty:leave_request", args=[county.west.pk]), {}).status_code == 404
    assert client.post(reverse("duty:swap_request", args=[roster.pk]), {}).status_code == 404
    assert client.post(reverse("duty:leave_decide", args=[req.pk]), {"approve": "0"}).status_code == 404


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "a leader per zone on duty"), ("zh-hans", "每个片区有带班人员")]
)
def test_a_swap_that_leaves_a_zone_without_a_leader_is_refused(county, lang, text):
    # the zone lead leads the south zone's day shift on day 0; the community officer is off
    roster = _hand_roster(county, [(county.off_lead, 0, "day", county.zone_s)])
    assert RosterEntry.objects.get(roster=roster).lead
    n = (SwapRequest.objects.count(), AuditEvent.objects.count())
    with translation.override(lang), pytest.raises(ValidationError) as exc:
        do_request_swap(
            roster, actor=county.chief, day=D0, officer_a=county.off_lead, officer_b=county.off_comm
        )
    message = exc.value.message_dict["day"][0]
    zone = county.zone_s.name_en if lang == "en" else county.zone_s.name_zh
    assert text in message and zone in message and "2018-07-02" in message
    assert (SwapRequest.objects.count(), AuditEvent.objects.count()) == n


def test_a_swap_checked_again_when_decided_refuses_what_became_unsafe(county):
    # asked while a second leader was on; that leader's duty is gone when the chief decides
    roster = _hand_roster(
        county,
        [(county.off_lead, 0, "day", county.zone_s), (county.off_chief, 0, "day", county.zone_s)],
    )
    req = do_request_swap(
        roster, actor=county.chief, day=D0, officer_a=county.off_lead, officer_b=county.off_comm
    )
    RosterEntry.objects.filter(roster=roster, officer=county.off_chief).delete()
    before = set(RosterEntry.objects.filter(roster=roster).values_list("officer_id", "day", "shift", "lead"))
    with pytest.raises(ValidationError) as exc:
        do_decide_swap(req, actor=county.chief, approve=True)
    assert "a leader per zone on duty" in str(exc.value) or "带班" in str(exc.value)
    req.refresh_from_db()
    assert req.status == "requested"
    assert (
        set(RosterEntry.objects.filter(roster=roster).values_list("officer_id", "day", "shift", "lead"))
        == before
    )


def test_a_swap_between_leaders_moves_the_lead_mark(county):
    # the zone lead leads day 0; the chief (posted at the station: any zone, may lead) is off
    roster = _hand_roster(
        county, [(county.off_lead, 0, "day", county.zone_s), (county.off_comm, 0, "day", county.zone_s)]
    )
    req = do_request_swap(
        roster, actor=county.chief, day=D0, officer_a=county.off_lead, officer_b=county.off_chief
    )
    do_decide_swap(req, actor=county.chief, approve=True)
    rows = set(
        RosterEntry.objects.filter(roster=roster).values_list("officer_id", "zone_id", "shift", "lead")
    )
    assert rows == {
        (county.off_chief.pk, county.zone_s.pk, "day", True),
        (county.off_comm.pk, county.zone_s.pk, "day", False),
    }


# Hand-written needs of one day: (staff with skills and lead, assignments before, after) -> rule refused.
SKILL_CASES = [
    # a shift needs a driver; the only driver swaps out for someone without the skill
    ({"a": ("drive",), "b": ()}, [("a", "day")], [("b", "day")], "skill"),
    # the leader swaps out for a non-leader
    ({"a": ("*lead",), "b": ()}, [("a", "day")], [("b", "day")], "lead"),
    # two people swap shifts of the same zone: every need still met
    ({"a": ("drive",), "b": ("drive",)}, [("a", "day")], [("b", "day")], None),
    # the need was already short before the swap: not made worse, not refused
    ({"a": (), "b": ()}, [("a", "day")], [("b", "day")], None),
]


@pytest.mark.parametrize(("people", "before", "after", "refused"), SKILL_CASES)
def test_swap_coverage_rules_by_hand(people, before, after, refused):
    from types import SimpleNamespace

    from jingwu.duty.services import _check_swap_coverage
    from jingwu.engine.roster import Assignment, Need, RosterProblem, ShiftType, Staff

    staff = tuple(
        Staff(pid, ("z",), skills=frozenset(s for s in sk if s != "*lead"), lead="*lead" in sk)
        for pid, sk in people.items()
    )
    problem = RosterProblem(
        horizon=1,
        shifts=(ShiftType("day", minutes=720, start_minute=480),),
        staff=staff,
        needs=(
            Need(0, "day", "z", 1),
            Need(0, "day", "z", 1, skill="drive"),
            Need(0, "day", "z", 1, lead=True),
        ),
    )
    built = SimpleNamespace(
        problem=problem, zones={"z": SimpleNamespace(name="南片")}, days=[D0], officers={}
    )
    roster = SimpleNamespace(pattern={"shifts": [{"code": "day", "name_zh": "白班", "name_en": "Day"}]})
    a0 = [Assignment(p, 0, s, "z") for p, s in before]
    a1 = [Assignment(p, 0, s, "z") for p, s in after]
    if refused is None:
        _check_swap_coverage(roster, built, a0, a1, 0)
        return
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        _check_swap_coverage(roster, built, a0, a1, 0)
    text = exc.value.message_dict["day"][0]
    rule = {"skill": "skills for special posts", "lead": "a leader per zone on duty"}[refused]
    assert rule in text and "南片" in text and "Day" in text


def test_approving_leave_on_a_published_roster_replans_only_its_days_and_zone(client, county):
    roster = _solved(county, publish=True)
    roster.refresh_from_db()
    assert roster.status == "published"
    today = data_date(county.bureau)
    before = {(e.officer_id, e.day): (e.shift, e.zone_id) for e in RosterEntry.objects.filter(roster=roster)}
    worked = sorted(d for (o, d) in before if o == county.off_comm.pk and d > today)
    assert worked, "the community officer works after today"
    day = worked[0]
    req = do_request_leave(county.off_comm, actor=county.community, station=county.west, first=day, last=day)
    req = do_decide_leave(req, actor=county.chief, approve=True)
    req.refresh_from_db()
    assert [r["roster"] for r in req.replan] == [roster.pk]
    plan = req.replan[0]
    assert (plan["first"], plan["last"]) == (day.isoformat(), day.isoformat())
    assert plan["zones"] == [county.zone_s.pk]  # only the zone the officer worked in that day
    after = {(e.officer_id, e.day): (e.shift, e.zone_id) for e in RosterEntry.objects.filter(roster=roster)}
    assert (county.off_comm.pk, day) not in after
    assert {k: v for k, v in after.items() if k[1] != day} == {k: v for k, v in before.items() if k[1] != day}
    # other zones that day are fixed too
    assert {k: v for k, v in after.items() if v[1] != county.zone_s.pk} == {
        k: v for k, v in before.items() if v[1] != county.zone_s.pk
    }
    roster.refresh_from_db()
    assert roster.status == "published"
    window = [
        u for u in roster.results["unmet"] if u["day"] == day.isoformat() and u["zone"] == county.zone_s.pk
    ]
    assert sorted(map(str, window)) == sorted(map(str, plan["unmet"]))
    assert plan["changes"] >= 1
    # the station page shows the re-plan and what is left short
    client.force_login(county.chief)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("duty:station", args=[county.west.pk])).content.decode()
    assert "jw-replan" in html and f"Re-planned {day.isoformat()}" in html
    assert ("people still short" in html) == bool(plan["unmet"])


# who sees why an officer asks for leave (hand-written): the one who asked and those who decide
@pytest.mark.parametrize(
    ("persona", "sees_reason"),
    [("community", True), ("chief", True), ("command", True), ("zone_lead", False), ("auditor", False)],
)
def test_the_reason_for_leave_is_shown_only_to_the_asker_and_deciders(client, county, persona, sees_reason):
    do_request_leave(
        county.off_comm, actor=county.community, station=county.west, first=D0, last=D0, reason="腰伤复查"
    )
    client.force_login(getattr(county, persona))
    r = client.get(reverse("duty:station", args=[county.west.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and county.off_comm.name in body  # the leave itself is shown
    assert ("腰伤复查" in body) is sees_reason


def test_the_outsider_sees_no_leave_of_the_station(client, county, outsider):
    do_request_leave(
        county.off_comm, actor=county.community, station=county.west, first=D0, last=D0, reason="腰伤复查"
    )
    client.force_login(outsider)
    r = client.get(reverse("duty:station", args=[county.west.pk]))
    assert r.status_code == 404 and "腰伤复查" not in r.content.decode()
