"""Seasonal re-tasking: the traffic demand forecast for a period and its cost to a station's coverage.

**Forecast.** Traffic incidents (family 03) of the station on the same calendar days in
each earlier year the bureau's records cover (up to three), per day, against the station's
average traffic incidents per day over the year before the data date: the ratio says how
much busier the period is. Officer-hours use each category's minutes and backup.

**Cost.** The coverage needs of the station's zones over the period's days, as shifts of
the station's duty pattern (the need of each shift is its largest hourly need), against
what the station's people can work under the pattern (each works its share of days of the
rotation): people-shifts short per day before and after the people move.
"""

from __future__ import annotations

import datetime as dt

from jingwu.engine.vocab import INCIDENT_CATEGORIES

from .coverage import shift_need
from .patterns import shift_types

TRAFFIC = "03"
YEARS_BACK = 3


def _hours_per_call() -> dict[str, float]:
    return {c.code: c.minutes / 60 * (1 + c.backup) for c in INCIDENT_CATEGORIES}


def forecast(station, first: dt.date, last: dt.date, *, on: dt.date) -> dict:
    from jingwu.core.clock import day_bounds, zone
    from jingwu.incidents.models import Incident

    tz = zone(station.bureau)
    hours = _hours_per_call()
    days = (last - first).days + 1
    traffic = Incident.objects.filter(
        bureau_id=station.bureau_id, station=station, category__code__startswith=TRAFFIC
    )
    years = []
    for back in range(1, YEARS_BACK + 1):
        try:
            lo_day, hi_day = first.replace(year=first.year - back), last.replace(year=last.year - back)
        except ValueError:  # 29 February
            lo_day, hi_day = first - dt.timedelta(days=365 * back), last - dt.timedelta(days=365 * back)
        if hi_day > on:
            continue
        lo, hi = day_bounds(lo_day, hi_day, tz)
        codes = list(
            traffic.filter(received_at__gte=lo, received_at__lt=hi).values_list("category__code", flat=True)
        )
        years.append(
            {
                "year": lo_day.year,
                "incidents": len(codes),
                "hours": round(sum(hours.get(c, 1.0) for c in codes), 1),
            }
        )
    lo, hi = day_bounds(on - dt.timedelta(days=364), on, tz)
    base = traffic.filter(received_at__gte=lo, received_at__lt=hi).count() / 365
    seen = years
    per_day = sum(y["incidents"] for y in seen) / (len(seen) * days) if seen else None
    hours_day = sum(y["hours"] for y in seen) / (len(seen) * days) if seen else None
    return {
        "years": years,
        "per_day": None if per_day is None else round(per_day, 2),
        "hours_per_day": None if hours_day is None else round(hours_day, 2),
        "baseline_per_day": round(base, 2),
        "ratio": round(per_day / base, 2) if per_day is not None and base > 0 else None,
    }


def coverage_cost(setup, staff_count: int, moved: int, first: dt.date, last: dt.date) -> dict:
    pattern = setup.pattern
    types = shift_types(pattern.shifts)
    cycle = pattern.cycle
    share = sum(1 for c in cycle if c) / len(cycle)
    needed = 0
    days = (last - first).days + 1
    for i in range(days):
        day = first + dt.timedelta(days=i)
        if pattern.weekdays_only and day.weekday() >= 5:
            continue
        for t in types:
            for row in setup.coverage.values():
                needed += shift_need(row, t.start_minute or 0, t.minutes, day.weekday())
    need_day = needed / days
    before = max(0.0, need_day - staff_count * share)
    after = max(0.0, need_day - (staff_count - moved) * share)
    return {
        "people_shifts_needed_per_day": round(need_day, 2),
        "staff": staff_count,
        "moved": moved,
        "short_before_per_day": round(before, 2),
        "short_after_per_day": round(after, 2),
        "cost_per_day": round(after - before, 2),
        "met_after": round(1 - after / need_day, 3) if need_day else 1.0,
    }
