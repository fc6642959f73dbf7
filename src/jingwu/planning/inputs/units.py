"""The bureau's units: where each one is, the planning unit a posting counts for, the areas.

Planning units: officers are planned at the level of stations, centers, departments and
headquarters. A posting in a zone or grid counts for its station, one in a squad for the
center, department or station above it. A unit that no longer exists on the reform date
(merged away) is a planning unit of its own that must be emptied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .params import PLAN_KINDS
from .state import OfficerInfo, UnitInfo

#: Where a unit is placed when neither it, its parents nor headquarters has a location
#: (the demo county's area; only a bureau with no coordinates at all falls back to it).
DEFAULT_POINT = (120.0, 30.0)
#: Parents climbed to find a unit's location (more than any real hierarchy is deep).
MAX_PARENT_DEPTH = 20
#: Unit kinds whose boundary the plan keeps (the zone redesign and the grids' centroids).
BOUNDARY_KINDS = ("grid", "zone", "station")
#: Unit fields read from the database.
UNIT_FIELDS = (
    "id",
    "code",
    "kind",
    "name_zh",
    "name_en",
    "parent_id",
    "station_type",
    "base_lon",
    "base_lat",
    "households",
    "residents",
    "floating",
    "area_km2",
    "valid_from",
    "valid_to",
    "boundary",
)


def centroid(boundary: dict | None) -> tuple[float, float] | None:
    """A point inside the boundary (GeoJSON), or ``None`` without a usable one."""
    if not boundary:
        return None
    try:
        from jingwu.engine.geo import polygon_from_geojson

        c = polygon_from_geojson(boundary).representative_point()
        return (float(c.x), float(c.y))
    except Exception:
        return None


def unit_points(rows: list[dict[str, Any]]) -> dict[int, tuple[float, float]]:
    """Each unit's location: its base, else inside its boundary, else its parent's, else headquarters'."""
    by_id = {r["id"]: r for r in rows}
    hq = next((r for r in rows if r["kind"] == "headquarters"), None)
    hq_point = None
    if hq is not None:
        hq_point = (
            (hq["base_lon"], hq["base_lat"]) if hq["base_lon"] is not None else centroid(hq["boundary"])
        )

    def point(r, depth=0) -> tuple[float, float]:
        if r["base_lon"] is not None and r["base_lat"] is not None:
            return (r["base_lon"], r["base_lat"])
        c = centroid(r["boundary"])
        if c is not None:
            return c
        if r["parent_id"] in by_id and depth < MAX_PARENT_DEPTH:
            return point(by_id[r["parent_id"]], depth + 1)
        return hq_point or DEFAULT_POINT

    return {r["id"]: point(r) for r in rows}


def unit_info(r: dict[str, Any], point: tuple[float, float]) -> UnitInfo:
    lon, lat = point
    return UnitInfo(
        id=r["id"],
        code=r["code"],
        kind=r["kind"],
        name_zh=r["name_zh"],
        name_en=r["name_en"] or r["name_zh"],
        parent_id=r["parent_id"],
        station_type=r["station_type"] or "",
        lon=float(lon),
        lat=float(lat),
        households=r["households"] or 0,
        residents=r["residents"] or 0,
        floating=r["floating"] or 0,
        area_km2=float(r["area_km2"] or 0.0),
        valid_from=r["valid_from"],
        valid_to=r["valid_to"],
        boundary=r["boundary"] if r["kind"] in BOUNDARY_KINDS else None,
    )


def units_from_rows(rows: list[dict[str, Any]]) -> dict[int, UnitInfo]:
    points = unit_points(rows)
    return {r["id"]: unit_info(r, points[r["id"]]) for r in rows}


def planning_unit_of(
    units: dict[int, UnitInfo], as_of: dt.date, reform_date: dt.date
) -> Callable[[int], int]:
    """A function from a unit to the planning unit its postings count for."""
    plan_of: dict[int, int] = {}

    def plan_unit(pk: int) -> int:
        if pk in plan_of:
            return plan_of[pk]
        u = units[pk]
        parent = units.get(u.parent_id) if u.parent_id else None
        if u.kind in PLAN_KINDS or parent is None:
            out = pk
        elif not u.current_on(reform_date) and u.current_on(as_of) and parent.current_on(reform_date):
            out = pk  # a squad merged away under a unit that continues: emptied on its own
        else:
            out = plan_unit(parent.id)
        plan_of[pk] = out
        return out

    return plan_unit


@dataclass(frozen=True)
class PlanningUnits:
    continuing: list[int]  # of a planning kind, alive on the reform date (kind order, then code)
    closing: set[int]  # someone is planned there, but it is gone on the reform date
    all: list[int]  # continuing ones, then closing ones, then any other unit someone is at


def planning_units(
    units: dict[int, UnitInfo], officers: list[OfficerInfo], reform_date: dt.date
) -> PlanningUnits:
    """Every unit of a planning kind alive on the reform date, and every unit someone is planned at
    (a unit that closes keeps its people until the plan moves them)."""
    continuing = sorted(
        (u.id for u in units.values() if u.kind in PLAN_KINDS and u.current_on(reform_date)),
        key=lambda pk: (PLAN_KINDS.index(units[pk].kind), units[pk].code),
    )
    occupied = {o.unit for o in officers}
    closing = {pk for pk in occupied if not units[pk].current_on(reform_date)}
    plan_units = continuing + sorted(closing, key=lambda pk: units[pk].code)
    plan_units += sorted((occupied - set(plan_units)), key=lambda pk: units[pk].code)
    return PlanningUnits(continuing=continuing, closing=closing, all=plan_units)


@dataclass
class Areas:
    """The stations, zones and grids in force from the reform date (indexes as in ``BureauState``)."""

    stations: list[int]
    zones: list[int]  # zone units, plus a station's own id for its grids without a zone
    zone_station: list[int]  # index into stations
    grids: list[int]
    grid_zone: list[int]  # index into zones

    @property
    def grid_index(self) -> dict[int, int]:
        return {pk: i for i, pk in enumerate(self.grids)}


def areas_in_force(units: dict[int, UnitInfo], continuing: list[int], reform_date: dt.date) -> Areas:
    """The grids in force from the reform date (including those that start later), by zone and station."""

    def in_force(u: UnitInfo) -> bool:
        return u.valid_to is None or u.valid_to >= reform_date

    stations = [pk for pk in continuing if units[pk].kind == "station"]
    station_index = {pk: i for i, pk in enumerate(stations)}
    areas = Areas(stations=stations, zones=[], zone_station=[], grids=[], grid_zone=[])
    zone_index: dict[int, int] = {}
    for g in sorted((u for u in units.values() if u.kind == "grid" and in_force(u)), key=lambda u: u.code):
        station, zone_key = station_and_zone_of(units, g)
        if station is None or station.id not in station_index:
            continue
        if zone_key not in zone_index:
            zone_index[zone_key] = len(areas.zones)
            areas.zones.append(zone_key)
            areas.zone_station.append(station_index[station.id])
        areas.grids.append(g.id)
        areas.grid_zone.append(zone_index[zone_key])
    return areas


def station_and_zone_of(units: dict[int, UnitInfo], g: UnitInfo) -> tuple[UnitInfo | None, int | None]:
    """A grid's station and zone (a grid right under its station is in the station's own zone)."""
    parent = units.get(g.parent_id) if g.parent_id else None
    if parent is None:
        return None, None
    if parent.kind == "zone":
        return (units.get(parent.parent_id) if parent.parent_id else None), parent.id
    return parent, parent.id
