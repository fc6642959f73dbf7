"""Teams respect the duty app: leave, re-tasking and the zone's own duty shifts (read only)."""

from __future__ import annotations

import datetime as dt

import pytest

from jingwu.core.clock import zone
from jingwu.duty.models import LeaveRequest, Retasking, Roster, RosterEntry
from jingwu.inspections.availability import unavailable
from jingwu.inspections.models import Visit

from .test_planning import MONDAY, _plan, inspectors  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

WEEK = [MONDAY + dt.timedelta(days=k) for k in range(5)]
MON, TUE, WED, THU, FRI = WEEK


def _roster(county, status, created_at=None):
    r = Roster.objects.create(
        bureau=county.bureau,
        station=county.west,
        start=MONDAY,
        days=7,
        status=status,
        pattern={"code": "hand", "min_rest_hours": 8},
    )
    if created_at is not None:
        Roster.objects.filter(pk=r.pk).update(created_at=created_at)
    return r


def _shift(county, roster, officer, day, start, hours):
    """``officer`` on ``roster`` on ``day`` from ``start`` (HH:MM, local) for ``hours``."""
    tz = zone(county.bureau)
    h, m = map(int, start.split(":"))
    begin = dt.datetime.combine(day, dt.time(h, m), tzinfo=tz)
    RosterEntry.objects.create(
        bureau=county.bureau,
        roster=roster,
        officer=officer,
        day=day,
        shift="hand",
        start=begin,
        end=begin + dt.timedelta(hours=hours),
        zone=county.zone_s,
    )


def _week(county, inspectors):  # noqa: F811
    """The hand-written week of the west station's two inspectors (A: public order and fire
    safety; B: floating population), each line one fact of the duty app:

    | day | A | B |
    |---|---|---|
    | Mon | day shift 08:00-20:00 (duty) | free |
    | Tue | free | approved leave Tue-Wed |
    | Wed | night shift 20:00-08:00 (duty: it starts before 21:00) | leave |
    | Thu | free by the roster, but only off the night shift at 08:00 (duty: rest) | re-tasked Thu |
    | Fri | free (a Friday shift on an older, unpublished roster does not count) | free |

    Also: a refused leave of A on Friday and a requested one of B on Monday change nothing;
    a shift that ends at 00:00 on Sunday (before the week) leaves Monday free.
    """
    a, b = inspectors
    published = _roster(county, "published", created_at=dt.datetime(2018, 5, 1, tzinfo=dt.UTC))
    older = _roster(county, "done", created_at=dt.datetime(2018, 5, 20, tzinfo=dt.UTC))
    _shift(county, published, a, MON, "08:00", 12)
    _shift(county, published, a, WED, "20:00", 12)
    _shift(county, published, b, MONDAY - dt.timedelta(days=1), "12:00", 12)
    _shift(county, older, a, FRI, "08:00", 12)
    _shift(county, older, b, FRI, "08:00", 12)
    LeaveRequest.objects.create(
        bureau=county.bureau, station=county.west, officer=b, first=TUE, last=WED, status="approved"
    )
    LeaveRequest.objects.create(
        bureau=county.bureau, station=county.west, officer=a, first=FRI, last=FRI, status="refused"
    )
    LeaveRequest.objects.create(
        bureau=county.bureau, station=county.west, officer=b, first=MON, last=MON, status="requested"
    )
    moved = Retasking.objects.create(
        bureau=county.bureau, station=county.west, name="交通岗", first=THU, last=THU, status="approved"
    )
    moved.officers.add(b)
    return a, b


def test_who_is_away_on_which_day_by_hand(catalogue, inspectors):  # noqa: F811
    county = catalogue
    a, b = _week(county, inspectors)
    got = unavailable(county.bureau.pk, [a.pk, b.pk], WEEK, day_start=8 * 60 + 30, day_end=21 * 60)
    assert got == {
        a.pk: {MON: "duty", WED: "duty", THU: "duty"},
        b.pk: {TUE: "leave", WED: "leave", THU: "retasked"},
    }
    # inspection hours that end at 19:00 no longer meet Wednesday's night shift, and with
    # the rest counted Thursday still does (the shift ends 08:00, the day starts 08:30)
    got = unavailable(county.bureau.pk, [a.pk], WEEK, day_start=8 * 60 + 30, day_end=11 * 60)
    assert got == {a.pk: {MON: "duty", THU: "duty"}}
    # once the published roster is withdrawn (cancelled), the older solved one is the duty
    Roster.objects.filter(status="published").update(status="cancelled")
    got = unavailable(county.bureau.pk, [a.pk, b.pk], WEEK, day_start=8 * 60 + 30, day_end=21 * 60)
    assert got == {
        a.pk: {FRI: "duty"},
        b.pk: {TUE: "leave", WED: "leave", THU: "retasked", FRI: "duty"},
    }


def test_the_team_goes_only_on_the_day_both_are_free(catalogue, inspectors):  # noqa: F811
    county = catalogue
    # without the duty app's facts the hotel (it needs both A and B) is visited on Monday
    plan = _plan(county, unit=county.west, actor=county.chief)
    (visit,) = Visit.objects.filter(plan=plan)
    assert visit.day == MON and plan.results["unavailable"] == {}
    a, b = _week(county, inspectors)
    plan = _plan(county, unit=county.west, actor=county.chief)
    assert plan.status == "done"
    (visit,) = Visit.objects.filter(plan=plan)
    assert visit.day == FRI
    members = set(plan.results["teams"][visit.team]["members"])
    assert members == {a.pk, b.pk}
    # every team of the week leaves out whoever the duty app keeps away that day
    away = {(a.pk, MON), (a.pk, WED), (a.pk, THU), (b.pk, TUE), (b.pk, WED), (b.pk, THU)}
    for t in plan.results["teams"]:
        day = MONDAY + dt.timedelta(days=t["day"])
        assert not {(m, day) for m in t["members"]} & away
    assert plan.results["unavailable"] == {"duty": 3, "leave": 2, "retasked": 1}
    # ...and the plan's page says so (in the default language)
    from django.test import Client
    from django.urls import reverse

    c = Client()
    c.force_login(county.chief)
    r = c.get(reverse("inspections:plan_detail", args=[plan.pk]))
    assert r.status_code == 200
    page = r.content.decode()
    assert "在班执勤: 3" in page and "休假: 2" in page and "勤务调整: 1" in page
