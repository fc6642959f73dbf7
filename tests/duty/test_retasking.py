"""Seasonal re-tasking: forecast and cost shown before approval; approved, the people leave the roster."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jingwu.core.models import AuditEvent
from jingwu.duty.models import Retasking, RosterEntry
from jingwu.duty.services import do_decide_retasking, do_propose_retasking, do_start_roster, station_setup
from jingwu.incidents.services import do_record_incident
from jingwu.jobs.services import latest_job, run_now

pytestmark = pytest.mark.django_db

NATIONAL_DAY = (dt.date(2018, 10, 1), dt.date(2018, 10, 7))


def _traffic(county, when: dt.datetime, n: int):
    for i in range(n):
        do_record_incident(
            actor=None,
            bureau=county.bureau,
            category="0301",
            received_at=when + dt.timedelta(hours=i),
            lon=county.inc_east_traffic.lon,
            lat=county.inc_east_traffic.lat,
            address="城东路",
        )


def test_the_forecast_and_the_cost_are_worked_out_before_approval(county):
    tz = dt.timezone(dt.timedelta(hours=8))
    _traffic(county, dt.datetime(2017, 10, 3, 9, tzinfo=tz), 14)  # the holiday a year before: 14 in 7 days
    r = do_propose_retasking(
        county.west,
        actor=county.chief,
        name="国庆",
        first=NATIONAL_DAY[0],
        last=NATIONAL_DAY[1],
        officers=[county.off_comm],
    )
    assert r.status == "requested"
    # incidents are located in the east station: the west station has none on those days
    assert r.forecast["years"][0] == {"year": 2017, "incidents": 0, "hours": 0.0}
    east = do_propose_retasking(
        county.east,
        actor=county.planner,
        name="国庆",
        first=NATIONAL_DAY[0],
        last=NATIONAL_DAY[1],
        officers=[county.off_east],
    )
    y2017 = next(y for y in east.forecast["years"] if y["year"] == 2017)
    assert y2017["incidents"] == 14
    assert y2017["hours"] == pytest.approx(14 * 75 / 60 * 1.5, abs=0.1)  # accidents: 75 min, 0.5 backup
    assert east.forecast["per_day"] == pytest.approx(14 / 7 / len(east.forecast["years"]), abs=0.01)
    # cost: west has 4 people on a day-and-night pattern (2 of 4 days work); 2 zones x 2 shifts x 1+ needed
    setup = station_setup(county.west)
    cost = r.cost
    assert cost["staff"] == 4 and cost["moved"] == 1
    assert cost["people_shifts_needed_per_day"] >= 4
    need = cost["people_shifts_needed_per_day"]
    assert cost["short_before_per_day"] == pytest.approx(max(0, need - 4 * 0.5), abs=0.01)
    assert cost["short_after_per_day"] == pytest.approx(max(0, need - 3 * 0.5), abs=0.01)
    assert cost["cost_per_day"] == pytest.approx(0.5, abs=0.01)
    assert setup.pattern.code == "day_night_2"


def test_who_proposes_and_who_approves(county, other_county):
    for user in (county.zone_lead, county.community, county.command, other_county.chief):
        with pytest.raises(PermissionDenied):
            do_propose_retasking(
                county.west,
                actor=user,
                name="x",
                first=NATIONAL_DAY[0],
                last=NATIONAL_DAY[1],
                officers=[county.off_comm],
            )
    r = do_propose_retasking(
        county.west,
        actor=county.chief,
        name="国庆",
        first=NATIONAL_DAY[0],
        last=NATIONAL_DAY[1],
        officers=[county.off_comm],
    )
    with pytest.raises(PermissionDenied):
        do_decide_retasking(r, actor=county.chief, approve=True)
    do_decide_retasking(r, actor=county.command, approve=True)
    assert AuditEvent.objects.filter(
        object_type="duty.retasking", object_id=str(r.pk), reason="approved"
    ).exists()
    with pytest.raises(ValidationError):  # the same person twice in the same days
        do_propose_retasking(
            county.west,
            actor=county.chief,
            name="again",
            first=NATIONAL_DAY[0],
            last=NATIONAL_DAY[0],
            officers=[county.off_comm],
        )
    with pytest.raises(ValidationError) as exc:  # someone of another station
        do_propose_retasking(
            county.west,
            actor=county.chief,
            name="x",
            first=NATIONAL_DAY[0],
            last=NATIONAL_DAY[1],
            officers=[county.off_east],
        )
    assert county.off_east.name in exc.value.message_dict["officers"][0]
    assert Retasking.objects.count() == 1


def test_approved_the_people_are_off_the_stations_roster_for_the_period(county):
    r = do_propose_retasking(
        county.west,
        actor=county.chief,
        name="国庆",
        first=NATIONAL_DAY[0],
        last=NATIONAL_DAY[1],
        officers=[county.off_comm],
    )
    do_decide_retasking(r, actor=county.command, approve=True)
    roster = do_start_roster(
        county.west, actor=county.chief, start=dt.date(2018, 9, 28), days=14, time_limit=5, hand_out=False
    )
    run_now(latest_job(roster))
    days = set(
        RosterEntry.objects.filter(roster=roster, officer=county.off_comm).values_list("day", flat=True)
    )
    assert days, "the community officer works outside the period"
    assert not {d for d in days if NATIONAL_DAY[0] <= d <= NATIONAL_DAY[1]}


def test_the_station_page_shows_the_proposal_to_command(client, county):
    do_propose_retasking(
        county.west,
        actor=county.chief,
        name="国庆假期",
        first=NATIONAL_DAY[0],
        last=NATIONAL_DAY[1],
        officers=[county.off_comm],
    )
    client.force_login(county.command)
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("duty:station", args=[county.west.pk])).content.decode()
    assert "国庆假期" in html and "对在岗的代价" in html and "批准" in html
    client.force_login(county.chief)
    r = client.post(
        reverse("duty:retasking_propose", args=[county.west.pk]),
        {"name": "", "first": "2018-10-01", "last": "2018-10-07", "officers": [county.off_lead.pk]},
    )
    assert r.status_code == 302 and Retasking.objects.count() == 1  # refused: no name
