"""Coverage needs: how many people each zone of a station needs on duty at each hour of the week.

From the demand model (``jingwu.engine.demand``), run on the station's grids over the
year before the bureau's data date, with each zone as its own area:

* **calls** - the reactive hours (service and travel) a year of the zone by hour of the
  week; divided by the weeks in a year, an hour's figure is the average number of people
  busy on calls at that hour;
* **scheduled work** - consolidated inspections and the basic work of the station type
  (door-to-door visits, population work, premises liaison, patrol), spread over the
  daytime hours 08:00-20:00 of the seven days;
* **proactive time** - busy time is at most ``1 - proactive share - admin share`` of the
  people on duty (the station type's proactive share, ``engine.staffing``), so
  ``on duty = busy / (1 - proactive - admin)``, rounded up, and never fewer than the
  station's least people on duty per zone.

A shift's need is the largest hourly need over the hours it covers.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from jingwu.engine.staffing import DEFAULT_PROACTIVE_SHARES

HOURS = 168
WEEKS_PER_YEAR = 365.25 / 7
DAY_HOURS = range(8, 20)  # when scheduled work is done
ADMIN_SHARE = 0.05
ROUND_SLACK = 0.05  # 1.04 people is one person


def hourly_needs(
    reactive_how, scheduled, *, proactive_share: float, admin_share: float = ADMIN_SHARE, least: int = 1
):
    """(zones x 168) people on duty: see the module docstring. ``reactive_how`` is (zones x 168)
    reactive hours a year, ``scheduled`` (zones,) scheduled hours a year."""
    reactive = np.asarray(reactive_how, dtype=float).reshape(-1, HOURS)
    scheduled = np.asarray(scheduled, dtype=float).reshape(-1)
    busy = reactive / WEEKS_PER_YEAR
    day_mask = np.zeros(HOURS, dtype=bool)
    for d in range(7):
        for h in DAY_HOURS:
            day_mask[d * 24 + h] = True
    busy = busy + np.outer(scheduled / WEEKS_PER_YEAR / day_mask.sum(), day_mask)
    available = 1.0 - proactive_share - admin_share
    if available <= 0:
        raise ValueError("the proactive and admin shares leave no time for calls")
    on_duty = np.ceil(np.maximum(busy / available - ROUND_SLACK, 0.0))
    return np.maximum(on_duty, least).astype(int)


def shift_hours(start_minute: int, minutes: int, weekday: int) -> list[int]:
    """Hours of the week (0 = Monday 00:00) a shift starting on ``weekday`` covers."""
    first = weekday * 24 * 60 + start_minute
    out = []
    m = first - first % 60
    while m < first + minutes:
        out.append((m // 60) % HOURS)
        m += 60
    return out


def shift_need(needs_row, start_minute: int, minutes: int, weekday: int) -> int:
    return max(int(needs_row[h]) for h in shift_hours(start_minute, minutes, weekday))


def compute_station_coverage(station, *, on: dt.date, least: int = 1) -> tuple[dict, dict]:
    """``({zone id: [168 people]}, basis)`` for a station from its year of incidents before ``on``."""
    from jingwu.core.clock import day_bounds, zone
    from jingwu.engine.demand import GridArrays, IncidentArrays, PremisesArrays, compute_demand
    from jingwu.incidents.models import Incident
    from jingwu.org.models import Unit
    from jingwu.places.models import Premises

    zones = list(Unit.objects.filter(parent=station, kind="zone").current(on).order_by("code"))
    if not zones:
        return {}, {"zones": 0}
    grids = list(
        Unit.objects.filter(parent__in=zones, kind="grid")
        .current(on)
        .order_by("code")
        .select_related("parent")
    )
    zone_index = {z.pk: i for i, z in enumerate(zones)}
    # a zone without grids counts as its own grid
    areas = grids + [z for z in zones if not any(g.parent_id == z.pk for g in grids)]
    grid_index = {g.pk: i for i, g in enumerate(areas)}
    zone_of_area = [zone_index[g.parent_id] if g.kind == "grid" else zone_index[g.pk] for g in areas]

    def point(u):
        if u.base_lon is not None and u.base_lat is not None:
            return u.base_lon, u.base_lat
        if u.min_lon is not None:
            return (u.min_lon + u.max_lon) / 2, (u.min_lat + u.max_lat) / 2
        if station.base_lon is not None:
            return station.base_lon, station.base_lat
        return 120.0, 30.0

    base = [point(zones[z]) for z in zone_of_area]
    cent = [point(a) for a in areas]
    stype = station.station_type or "full_spectrum"
    grid_arrays = GridArrays(
        zone=zone_of_area,
        zone_station=list(range(len(zones))),  # each zone its own area: profiles per zone
        station_type=tuple(stype for _ in zones),
        households=[a.households for a in areas],
        residents=[a.residents for a in areas],
        area_km2=[a.area_km2 or 0.0 for a in areas],
        base_lon=[b[0] for b in base],
        base_lat=[b[1] for b in base],
        urban=np.array([stype == "full_spectrum"] * len(areas), dtype=bool),
        centroid_lon=[c[0] for c in cent],
        centroid_lat=[c[1] for c in cent],
    )
    tz = zone(station.bureau)
    first = on - dt.timedelta(days=364)
    lo, hi = day_bounds(first, on, tz)
    rows = list(
        Incident.objects.filter(bureau_id=station.bureau_id, received_at__gte=lo, received_at__lt=hi)
        .filter(grid_id__in=list(grid_index) or [0])
        .values_list("grid_id", "category__code", "received_at", "lon", "lat")
    )
    # incidents known only by their zone (no grid)
    rows += [
        (zid, cat, when, lon, lat)
        for zid, cat, when, lon, lat in Incident.objects.filter(
            bureau_id=station.bureau_id, received_at__gte=lo, received_at__lt=hi, grid__isnull=True
        )
        .filter(zone_id__in=[z.pk for z in zones if z.pk in grid_index])
        .values_list("zone_id", "category__code", "received_at", "lon", "lat")
    ]
    received = np.array(
        [r[2].astimezone(tz).replace(tzinfo=None) for r in rows], dtype="datetime64[s]"
    ).reshape(-1)
    incidents = IncidentArrays.from_timestamps(
        np.array([grid_index[r[0]] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=str),
        received,
        lon=np.array([np.nan if r[3] is None else r[3] for r in rows], dtype=float),
        lat=np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float),
        years=1.0,
    )
    prem = list(
        Premises.objects.filter(bureau_id=station.bureau_id, grid_id__in=list(grid_index) or [0]).values_list(
            "grid_id", "category"
        )
    )
    premises = PremisesArrays(
        np.array([grid_index[g] for g, _ in prem], dtype=np.int64), np.array([c for _, c in prem], dtype=str)
    )
    result = compute_demand(grid_arrays, incidents, premises)
    proactive = DEFAULT_PROACTIVE_SHARES.get(stype, 0.3)
    scheduled = result.zones.inspection_hours + result.zones.basic_hours
    needs = hourly_needs(result.station_hour_of_week, scheduled, proactive_share=proactive, least=least)
    coverage = {str(z.pk): [int(x) for x in needs[i]] for i, z in enumerate(zones)}
    basis = {
        "from": first.isoformat(),
        "to": on.isoformat(),
        "incidents": len(rows),
        "station_type": stype,
        "proactive_share": proactive,
        "admin_share": ADMIN_SHARE,
        "least": least,
        "reactive_hours": {
            str(z.pk): round(float(result.zones.reactive_hours[i]), 1) for i, z in enumerate(zones)
        },
        "scheduled_hours": {str(z.pk): round(float(scheduled[i]), 1) for i, z in enumerate(zones)},
        "peak": {str(z.pk): int(needs[i].max()) for i, z in enumerate(zones)},
        "mean": {str(z.pk): round(float(needs[i].mean()), 2) for i, z in enumerate(zones)},
    }
    return coverage, basis
