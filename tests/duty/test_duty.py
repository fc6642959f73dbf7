"""Duty: patterns refused by rule, coverage needs, rosters solved as a job, today's duty, scope."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.core.clock import data_date
from jingwu.core.models import AuditEvent
from jingwu.duty.coverage import hourly_needs, shift_hours, shift_need
from jingwu.duty.models import DutyPattern, Roster, RosterEntry, StationDuty
from jingwu.duty.roster import build_problem
from jingwu.duty.services import (
    do_publish_roster,
    do_save_pattern,
    do_set_station_duty,
    do_start_roster,
    ensure_patterns,
    station_setup,
)
from jingwu.engine.roster import violations
from jingwu.engine.roster.model import Assignment
from jingwu.jobs.services import latest_job, run_now

pytestmark = pytest.mark.django_db

TWO_SHIFTS = [
    {"code": "day", "start": "08:00", "hours": 12, "night": False, "name_zh": "白班", "name_en": "Day"},
    {"code": "night", "start": "20:00", "hours": 12, "night": True, "name_zh": "夜班", "name_en": "Night"},
]


def _pattern_data(**kw):
    data = {
        "code": "custom",
        "name_zh": "自定义",
        "name_en": "Custom",
        "min_rest_hours": 12,
        "shifts": TWO_SHIFTS,
        "cycle": ["day", "night", None, None],
    }
    data.update(kw)
    return data


# --- patterns ------------------------------------------------------------------------


def test_the_built_in_patterns_are_the_bureaus_to_edit(county):
    codes = [p.code for p in ensure_patterns(county.bureau)]
    assert codes == sorted(
        ["day_office", "day_night_2", "three_shift", "duty_24h_1on2off", "duty_24h_1on3off"]
    )
    ensure_patterns(county.bureau)  # a second time adds nothing
    assert DutyPattern.objects.filter(bureau=county.bureau).count() == 5
    p = do_save_pattern(actor=county.planner, bureau=county.bureau, data=_pattern_data())
    assert p.cycle == ["day", "night", None, None] and p.shifts[1]["night"] is True
    assert AuditEvent.objects.filter(
        object_type="duty.dutypattern", object_id=str(p.pk), action="create"
    ).exists()


@pytest.mark.parametrize(
    ("change", "field", "en", "zh"),
    [
        # night 20:00-08:00 then day 08:00 the next morning: no rest at all
        (
            {"cycle": ["night", "day", None]},
            "cycle",
            "minimum rest between shifts (12 hours)",
            "班次间最短休息时间",
        ),
        # a 14-hour day from 08:00 overlaps the night that starts at 20:00 the same day? no: next day
        (
            {"shifts": [TWO_SHIFTS[0] | {"hours": 26}, TWO_SHIFTS[1]]},
            "shifts",
            "a shift lasts more than 0 and at most 24 hours",
            "每班时长须大于0且不超过24小时",
        ),
        ({"cycle": ["day", "evening", None]}, "cycle", "not a shift of this pattern", "不是本模式的班次"),
        ({"cycle": [None, None]}, "cycle", "no working day", "没有工作日"),
        (
            {
                "shifts": [TWO_SHIFTS[0] | {"hours": 24}, TWO_SHIFTS[1] | {"start": "06:00"}],
                "cycle": ["day", "night", None],
                "min_rest_hours": 0,
            },
            "cycle",
            "shifts may not overlap",
            "班次不得重叠",
        ),
        (
            {"shifts": [TWO_SHIFTS[0] | {"start": "25:00"}, TWO_SHIFTS[1]]},
            "shifts",
            "a time like 08:00",
            "08:00",
        ),
    ],
)
def test_an_impossible_pattern_is_refused_naming_the_rule_and_nothing_is_saved(county, change, field, en, zh):
    before = (DutyPattern.objects.count(), AuditEvent.objects.count())
    for lang, text in (("en", en), ("zh-hans", zh)):
        with translation.override(lang), pytest.raises(ValidationError) as exc:
            do_save_pattern(actor=county.planner, bureau=county.bureau, data=_pattern_data(**change))
        assert field in exc.value.message_dict
        assert text in " ".join(exc.value.message_dict[field]), exc.value.message_dict
    assert (DutyPattern.objects.count(), AuditEvent.objects.count()) == before


def test_only_headquarters_edits_patterns(county, other_county):
    for user in (county.chief, county.zone_lead, county.community, other_county.planner):
        with pytest.raises(PermissionDenied):
            do_save_pattern(actor=user, bureau=county.bureau, data=_pattern_data())


# --- coverage ------------------------------------------------------------------------


def test_hourly_needs_by_hand():
    reactive = np.zeros((1, 168))
    reactive[0, 10] = 365.25 / 7 * 1.3  # 1.3 people busy on calls Monday 10:00, every week
    reactive[0, 30] = 365.25 / 7 * 0.02  # a trickle on Tuesday 06:00
    # proactive 0.35 + admin 0.05: busy is at most 60 % of the people on duty
    needs = hourly_needs(reactive, [0.0], proactive_share=0.35, least=1)
    assert needs[0, 10] == 3  # 1.3 / 0.6 = 2.17 -> 3
    assert needs[0, 30] == 1  # the least per zone
    assert needs[0, 0] == 1
    # scheduled work: 84 daytime slots a week; 84 x 52.18 x 0.6 hours a year = 1 person per day hour
    needs = hourly_needs(np.zeros((1, 168)), [84 * 365.25 / 7 * 0.6], proactive_share=0.35, least=0)
    assert needs[0, 8] == 1 and needs[0, 19] == 1 and needs[0, 20] == 0 and needs[0, 7] == 0


def test_a_shift_covers_its_hours_of_the_week():
    assert shift_hours(8 * 60, 12 * 60, 0) == list(range(8, 20))
    assert shift_hours(20 * 60, 12 * 60, 6) == [164, 165, 166, 167, 0, 1, 2, 3, 4, 5, 6, 7]  # Sunday night
    row = [1] * 168
    row[3] = 4  # Monday 03:00
    assert shift_need(row, 20 * 60, 12 * 60, 6) == 4  # the night from Sunday covers it
    assert shift_need(row, 8 * 60, 12 * 60, 0) == 1


def test_coverage_needs_per_zone_from_the_demand_model(county):
    setup = station_setup(county.west)
    assert setup.pattern.code == "day_night_2"  # a full-spectrum station's default
    setup = do_set_station_duty(
        county.west,
        actor=county.chief,
        pattern=setup.pattern,
        min_on_duty=1,
        lead_per_zone=True,
        max_week_hours=56,
        max_consecutive_days=6,
    )
    assert set(setup.coverage) == {str(county.zone_s.pk), str(county.zone_n.pk)}
    assert all(len(row) == 168 and min(row) >= 1 for row in setup.coverage.values())
    assert setup.coverage_basis["station_type"] == "full_spectrum"
    assert setup.coverage_basis["proactive_share"] == 0.30
    # the county's west incidents (a theft, a dispute) are in June 2018, within the year
    assert setup.coverage_basis["incidents"] == 2
    assert setup.coverage_basis["scheduled_hours"][str(county.zone_s.pk)] > 0


def test_a_station_chief_sets_up_only_their_station(county):
    pattern = station_setup(county.west).pattern
    with pytest.raises(PermissionDenied):
        do_set_station_duty(
            county.east,
            actor=county.chief,
            pattern=pattern,
            min_on_duty=1,
            lead_per_zone=True,
            max_week_hours=56,
            max_consecutive_days=6,
        )
    with pytest.raises(ValidationError) as exc:
        do_set_station_duty(
            county.west,
            actor=county.chief,
            pattern=pattern,
            min_on_duty=1,
            lead_per_zone=True,
            max_week_hours=200,
            max_consecutive_days=6,
        )
    assert "max_week_hours" in exc.value.message_dict


# --- rosters -------------------------------------------------------------------------


def _solve(county, start=None, days=7, actor=None):
    roster = do_start_roster(
        county.west,
        actor=actor or county.chief,
        start=start or data_date(county.bureau),
        days=days,
        time_limit=5,
        hand_out=False,
    )
    job = run_now(latest_job(roster))
    roster.refresh_from_db()
    return roster, job


def test_a_roster_is_solved_as_a_job_keeping_every_hard_rule(county):
    roster, job = _solve(county)
    assert job.state == "done", job.error
    assert roster.status == "done" and roster.results["status"] in ("OPTIMAL", "FEASIBLE")
    entries = list(RosterEntry.objects.filter(roster=roster))
    assert entries
    # west has four people: the chief (any zone), the zone lead, the community and the auxiliary officer
    assert roster.results["staff"] == 4
    setup = StationDuty.objects.get(station=county.west)
    built = build_problem(roster, setup)
    index = {d: i for i, d in enumerate(built.days)}
    assignments = [Assignment(str(e.officer_id), index[e.day], e.shift, str(e.zone_id)) for e in entries]
    assert violations(built.problem, assignments) == []
    # one leader at most per zone's shift, and only people who may lead
    leads = [e for e in entries if e.lead]
    assert {e.officer_id for e in leads} <= {county.off_chief.pk, county.off_lead.pk}
    assert len({(e.day, e.shift, e.zone_id) for e in leads}) == len(leads)
    # the community officer and the auxiliary work only in their own zone
    assert {e.zone_id for e in entries if e.officer_id in (county.off_comm.pk, county.off_aux.pk)} <= {
        county.zone_s.pk
    }
    # 2 zones x 2 shifts x 7 days with 4 people: needs go unmet, each with its reason
    assert roster.results["people_short"] > 0 and roster.results["unmet"]
    reasons = {u["reason"] for u in roster.results["unmet"]}
    assert reasons <= {
        "rest",
        "busy_elsewhere",
        "max_week_minutes",
        "max_consecutive",
        "trade_off",
        "no_lead",
        "leave",
    }
    north = [u for u in roster.results["unmet"] if u["zone"] == county.zone_n.pk]
    assert north and all(u["eligible"] >= 1 for u in north)  # the chief may work the north zone
    assert AuditEvent.objects.filter(
        object_type="duty.roster", object_id=str(roster.pk), reason="roster solved"
    ).exists()


def test_an_officer_on_leave_is_never_on_duty(county):
    county.off_comm.status = "leave"
    county.off_comm.save()
    roster, _ = _solve(county)
    assert not RosterEntry.objects.filter(roster=roster, officer=county.off_comm).exists()


def test_only_the_station_chief_or_planner_starts_a_roster(county, other_county):
    for user in (county.zone_lead, county.community, county.command, county.auditor, other_county.chief):
        with pytest.raises(PermissionDenied):
            do_start_roster(county.west, actor=user, start=dt.date(2018, 7, 1), hand_out=False)
    with pytest.raises(PermissionDenied):
        do_start_roster(county.east, actor=county.chief, start=dt.date(2018, 7, 1), hand_out=False)
    with pytest.raises(ValidationError) as exc:
        do_start_roster(county.west, actor=county.chief, start=dt.date(2018, 7, 1), days=90, hand_out=False)
    assert "days" in exc.value.message_dict
    assert not Roster.objects.filter(station=county.west).exists()


def test_the_station_and_zone_pages_show_todays_duty_and_who_is_on_now(client, county):
    roster, _ = _solve(county)
    do_publish_roster(roster, actor=county.chief)
    today = data_date(county.bureau)
    on_today = RosterEntry.objects.filter(roster=roster, day=today)
    assert on_today.exists()
    client.force_login(county.chief)
    r = client.get(reverse("org:unit_detail", args=[county.west.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert "duty-today" in html
    for e in on_today:
        assert e.officer.name in html
    # the zone lead sees their zone's duty (only it) on the zone's page
    client.force_login(county.zone_lead)
    r = client.get(reverse("org:unit_detail", args=[county.zone_s.pk]))
    html = r.content.decode()
    south = on_today.filter(zone=county.zone_s)
    for e in south:
        assert e.officer.name in html
    shown_now = {e.pk for e in r.context["duty"]["now"]}
    assert all(RosterEntry.objects.get(pk=pk).zone_id == county.zone_s.pk for pk in shown_now)
    at = r.context["duty"]["at"]
    expect_now = {
        e.pk for e in RosterEntry.objects.filter(roster=roster, zone=county.zone_s, start__lte=at, end__gt=at)
    }
    assert shown_now == expect_now


# --- pages and scope -----------------------------------------------------------------

SEES_WEST = ("command", "planner", "chief", "zone_lead", "community", "auditor")
BLIND = ("center", "prevention", "political", "sysadmin")


def test_the_duty_pages_for_every_persona(client, county, other_county):
    roster, _ = _solve(county)
    people = {p: getattr(county, p) for p in SEES_WEST + BLIND} | {"outsider": other_county.chief}
    for persona, user in people.items():
        client.force_login(user)
        sees = persona in SEES_WEST
        for url in (
            reverse("duty:station", args=[county.west.pk]),
            reverse("duty:roster_detail", args=[roster.pk]),
            reverse("duty:roster_progress", args=[roster.pk]),
        ):
            assert client.get(url).status_code == (200 if sees else 404), (persona, url)
        assert client.get(reverse("duty:station", args=[county.east.pk])).status_code == (
            200 if persona in ("command", "planner", "auditor") else 404
        ), persona


def test_the_roster_page_names_the_reasons_in_chinese(client, county):
    roster, _ = _solve(county)
    client.force_login(county.chief)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("duty:roster_detail", args=[roster.pk])).content.decode()
    assert "未满足的需求及原因" in html and "名符合条件人员中有" in html
    client.cookies["django_language"] = "en"
    html = client.get(reverse("duty:roster_detail", args=[roster.pk])).content.decode()
    assert "Needs left unmet, and why" in html and "eligible staff" in html


def test_the_pattern_form_refuses_overlap_with_a_message_and_saves_nothing(client, county):
    ensure_patterns(county.bureau)
    client.force_login(county.planner)
    client.cookies["django_language"] = "en"
    n = DutyPattern.objects.count()
    r = client.post(
        reverse("duty:pattern_new"),
        {
            "code": "bad",
            "name_zh": "坏",
            "shifts": "day,08:00,12,no,白班,Day\nnight,20:00,12,yes,夜班,Night",
            "cycle": "night,day,-",
            "min_rest_hours": "12",
        },
    )
    assert r.status_code == 200
    assert "minimum rest between shifts" in r.content.decode()
    assert DutyPattern.objects.count() == n
    r = client.post(
        reverse("duty:pattern_new"),
        {
            "code": "ok",
            "name_zh": "好",
            "shifts": "day,08:00,12,no,白班,Day",
            "cycle": "day,-",
            "min_rest_hours": "12",
        },
    )
    assert r.status_code == 302 and DutyPattern.objects.filter(code="ok").exists()
    client.force_login(county.chief)
    assert client.get(reverse("duty:pattern_new")).status_code == 403
    assert client.get(reverse("duty:pattern_list")).status_code == 200


@pytest.mark.parametrize("persona", ["chief", "planner", "zone_lead", "community"])
def test_chinese_duty_pages_have_no_english_left(client, county, persona):
    from ..language_scan import english_words

    roster, _ = _solve(county)
    do_publish_roster(roster, actor=county.chief)
    pattern = DutyPattern.objects.filter(bureau=county.bureau).first()
    client.cookies["django_language"] = "zh-hans"
    client.force_login(getattr(county, persona))
    leftovers = {}
    for url in (
        reverse("duty:index"),
        reverse("duty:station", args=[county.west.pk]),
        reverse("duty:roster_detail", args=[roster.pk]),
        reverse("duty:pattern_list"),
        reverse("duty:pattern_new"),
        reverse("duty:pattern_edit", args=[pattern.pk]),
        reverse("org:unit_detail", args=[county.zone_s.pk]),
        reverse("duty:grid", args=[county.grid_s1.pk]),
    ):
        r = client.get(url)
        if r.status_code != 200:
            continue
        words = english_words(r.content.decode())
        if words:
            leftovers[url] = sorted(words)
    assert not leftovers, leftovers


def test_a_roster_cancelled_before_it_runs_says_so_and_writes_nothing(county):
    from jingwu.jobs.services import do_cancel_job

    roster = do_start_roster(
        county.west, actor=county.chief, start=data_date(county.bureau), days=7, time_limit=5, hand_out=False
    )
    do_cancel_job(latest_job(roster), actor=county.chief)
    roster.refresh_from_db()
    assert roster.status == "cancelled"
    assert not RosterEntry.objects.filter(roster=roster).exists()
    # the station may start another one now
    again = do_start_roster(county.west, actor=county.chief, start=data_date(county.bureau), hand_out=False)
    assert again.status == "queued"
    with pytest.raises(ValidationError):  # but not two at once
        do_start_roster(county.west, actor=county.chief, start=data_date(county.bureau), hand_out=False)


@pytest.mark.parametrize("persona", ["chief", "command", "zone_lead", "community"])
def test_looking_at_a_station_not_set_up_writes_nothing(client, county, persona):
    """A GET shows the type's defaults, unsaved, and "not computed yet"; the chief's button
    (a POST) sets the station up and computes its needs, naming the chief."""
    from jingwu.duty.models import GridDuty

    client.force_login(getattr(county, persona))
    client.cookies["django_language"] = "en"
    events, setups, grids = AuditEvent.objects.count(), StationDuty.objects.count(), GridDuty.objects.count()
    r = client.get(reverse("duty:station", args=[county.west.pk]))
    body = r.content.decode()
    assert r.status_code == 200 and "not set up yet" in body and "not computed yet" in body
    r = client.get(reverse("duty:grid", args=[county.grid_s1.pk]))
    assert r.status_code in (200, 404)
    assert (AuditEvent.objects.count(), StationDuty.objects.count(), GridDuty.objects.count()) == (
        events,
        setups,
        grids,
    )
    assert ("Set up and compute" in body) is (persona == "chief")


def test_the_chief_sets_up_and_computes_by_post_named_in_the_audit(client, county, outsider):
    client.force_login(outsider)
    assert client.post(reverse("duty:coverage_compute", args=[county.west.pk])).status_code == 404
    assert not StationDuty.objects.filter(station=county.west).exists()
    client.force_login(county.chief)
    r = client.post(reverse("duty:coverage_compute", args=[county.west.pk]))
    assert r.status_code == 302
    setup = StationDuty.objects.get(station=county.west)
    assert setup.coverage_at is not None
    actors = set(
        AuditEvent.objects.filter(object_type="duty.stationduty", object_id=str(setup.pk)).values_list(
            "actor_id", flat=True
        )
    )
    assert actors == {county.chief.pk}
