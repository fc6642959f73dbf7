"""Who may inspect on which day: the duty app's leave, re-tasking and rosters (read only).

An officer is not put in an inspection team on a day when

- **leave**: an approved leave request of theirs covers the day;
- **retasked**: an approved re-tasking (moved to traffic posts for a season) names them
  and covers the day;
- **duty**: the station's roster for the day (the published one, else the newest
  solved one covering it, as the duty pages show) has them on a shift that overlaps the
  inspection hours, or that ends less than the pattern's minimum rest before those
  hours begin or starts less than that rest after they end (a night shift ending at
  08:00 leaves the morning after it to rest). That is the zone's own duty: its lead and
  community officers on shift keep the zone, they do not inspect.

The plan's own leave lines (entered on the plan) are applied on top of these.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Case, IntegerField, Value, When

from jingwu.core.clock import zone
from jingwu.core.models import Bureau
from jingwu.duty.choices import SOLVED, RequestStatus
from jingwu.duty.models import LeaveRequest, Retasking, Roster, RosterEntry

#: Reasons an officer-day is not available, in the order they are looked at.
REASONS = ("leave", "retasked", "duty")


def _at(day: dt.date, minute: int, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz) + dt.timedelta(minutes=minute)


def rosters_by_day(bureau_id: int, first: dt.date, last: dt.date) -> dict[tuple[int, dt.date], Roster]:
    """(station id, day) -> the roster that is the station's duty that day, for first..last."""
    rosters = (
        Roster.objects.filter(
            bureau_id=bureau_id,
            status__in=SOLVED,
            start__lte=last,
            start__gt=first - dt.timedelta(days=366),
        )
        .annotate(
            pub=Case(When(status="published", then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("pub", "-created_at", "-id")
    )
    out: dict[tuple[int, dt.date], Roster] = {}
    for r in rosters:
        for k in range(r.days):
            day = r.start + dt.timedelta(days=k)
            if first <= day <= last:
                out.setdefault((r.station_id, day), r)
    return out


def unavailable(
    bureau_id: int,
    officer_ids: Iterable[int],
    days: Iterable[dt.date],
    *,
    day_start: int,
    day_end: int,
) -> dict[int, dict[dt.date, str]]:
    """Officer id -> {day: reason} for the days of ``days`` the officer may not inspect.

    ``day_start`` and ``day_end`` are the inspection hours (minutes after midnight)."""
    ids = set(officer_ids)
    days = sorted(set(days))
    out: dict[int, dict[dt.date, str]] = {}
    if not ids or not days:
        return out
    first, last = days[0], days[-1]
    wanted = set(days)

    def mark(oid: int, day: dt.date, reason: str) -> None:
        if oid in ids and day in wanted:
            out.setdefault(oid, {}).setdefault(day, reason)

    for oid, a, b in LeaveRequest.objects.filter(
        bureau_id=bureau_id,
        officer_id__in=ids,
        status=RequestStatus.APPROVED,
        first__lte=last,
        last__gte=first,
    ).values_list("officer_id", "first", "last"):
        for day in days:
            if a <= day <= b:
                mark(oid, day, "leave")
    for r in Retasking.objects.filter(
        bureau_id=bureau_id, status=RequestStatus.APPROVED, first__lte=last, last__gte=first
    ).prefetch_related("officers"):
        for o in r.officers.all():
            for day in days:
                if r.first <= day <= r.last:
                    mark(o.pk, day, "retasked")
    by_day = rosters_by_day(bureau_id, first - dt.timedelta(days=1), last + dt.timedelta(days=1))
    if not by_day:
        return out
    tz = zone(Bureau.objects.get(pk=bureau_id))
    chosen = {(r.pk, day) for (_, day), r in by_day.items()}
    entries = RosterEntry.objects.filter(
        bureau_id=bureau_id,
        roster_id__in={r.pk for r in by_day.values()},
        officer_id__in=ids,
        day__gte=first - dt.timedelta(days=1),
        day__lte=last + dt.timedelta(days=1),
    ).values_list("roster_id", "officer_id", "day", "start", "end")
    rest_of = {r.pk: int((r.pattern or {}).get("min_rest_hours", 8)) for r in by_day.values()}
    for roster_id, oid, entry_day, start, end in entries:
        if (roster_id, entry_day) not in chosen:
            continue  # a roster that is not the station's duty on that day
        rest = dt.timedelta(hours=rest_of[roster_id])
        for day in (entry_day - dt.timedelta(days=1), entry_day, entry_day + dt.timedelta(days=1)):
            begin, finish = _at(day, day_start, tz), _at(day, day_end, tz)
            if start < finish + rest and end > begin - rest:
                mark(oid, day, "duty")
    return out
