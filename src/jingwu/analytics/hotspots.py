"""Tomorrow's hot spots of a unit's area: the engine's forecast on the incidents the user sees.

The forecast day is the day after the bureau's data date; the methods are the engine's
(``engine.hotspots``: naive counts, kernel density, prospective hot-spotting, and the grid
ETAS point process fitted by EM) trained on the 365 days before it. Longitude and latitude are turned into metres around the unit's centre
(equirectangular, exact enough over a county); the cells are 250 m squares, and the hot
cells are the best-scoring cells whose centre lies in the unit, covering 5% of its area.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
from shapely.geometry import Point, box, shape
from shapely.prepared import prep

from jingwu.core.clock import data_date, day_start, zone
from jingwu.core.scope import restrict, under_unit_q
from jingwu.engine import hotspots as hs
from jingwu.engine.spacetime import Events, day_number
from jingwu.incidents.models import Incident
from jingwu.org.models import Unit

METHODS = ("kde", "naive", "prospective", "etas")
CELL_M = 250.0
TRAIN_DAYS = 365
COVERAGE = 0.05
M_PER_DEG_LAT = 110_574.0


@dataclass
class HotSpots:
    unit: Unit
    method: str
    day: dt.date
    events: int
    cells: list[dict] = field(default_factory=list)  # lon/lat boxes with their score share
    by_child: list[dict] = field(default_factory=list)
    reason: str = ""


def _children(user, unit: Unit, on: dt.date):
    kinds = {"headquarters": "station", "station": "zone", "zone": "grid"}
    kind = kinds.get(unit.kind)
    if kind is None:
        return []
    qs = Unit.objects.current(on).filter(bureau=unit.bureau, kind=kind, path__startswith=unit.path)
    return list(restrict(qs, user).exclude(boundary__isnull=True).order_by("code"))


def forecast_for(user, unit: Unit, method: str = "kde") -> HotSpots:
    from django.utils.translation import gettext as _

    method = method if method in METHODS else "kde"
    today = data_date(unit.bureau)
    day = today + dt.timedelta(days=1)
    out = HotSpots(unit=unit, method=method, day=day, events=0)
    if unit.boundary is None or unit.kind not in ("headquarters", "station", "zone", "grid"):
        out.reason = _("This unit has no area of its own to forecast.")
        return out
    tz = zone(unit.bureau)
    start = day_start(day - dt.timedelta(days=TRAIN_DAYS), tz)
    rows = list(
        restrict(Incident.objects.filter(under_unit_q(Incident, unit)), user)
        .filter(received_at__gte=start, received_at__lt=day_start(day, tz))
        .exclude(lon__isnull=True)
        .values_list("lon", "lat", "received_at")
    )
    out.events = len(rows)
    if not rows:
        out.reason = _(
            "No incidents in your view in the %(n)d days before %(day)s: there is nothing to forecast from."
        ) % {
            "n": TRAIN_DAYS,
            "day": day.isoformat(),
        }
        return out
    area = shape(unit.boundary)
    lon0, lat0 = area.centroid.x, area.centroid.y
    mx = M_PER_DEG_LAT * math.cos(math.radians(lat0))
    lon = np.array([r[0] for r in rows])
    lat = np.array([r[1] for r in rows])
    t = np.array([day_number(r[2].astimezone(tz)) for r in rows])
    events = Events((lon - lon0) * mx, (lat - lat0) * M_PER_DEG_LAT, t)
    minx, miny, maxx, maxy = area.bounds
    corners_x = (np.array([minx, maxx]) - lon0) * mx
    corners_y = (np.array([miny, maxy]) - lat0) * M_PER_DEG_LAT
    grid = hs.Grid.covering(
        np.concatenate([events.x, corners_x]), np.concatenate([events.y, corners_y]), CELL_M
    )
    scores = hs.forecast(events, grid, day_number(day), TRAIN_DAYS, hs.method_params(method))
    cx, cy = grid.centres()
    clon, clat = lon0 + cx / mx, lat0 + cy / M_PER_DEG_LAT
    inside = prep(area)
    mask = np.array([inside.contains(Point(a, b)) for a, b in zip(clon, clat, strict=True)])
    candidates = np.where(mask, scores, -np.inf)
    unit_km2 = unit.area_km2 or float(mask.sum()) * grid.cell_km2
    k = max(1, math.ceil(COVERAGE * unit_km2 / grid.cell_km2))
    k = min(k, int(mask.sum()))
    best = [int(i) for i in hs.top_cells(candidates, k) if scores[i] > 0]
    total = float(scores[mask].sum()) or 1.0
    top = float(scores[best].max()) if best else 1.0
    half_lon, half_lat = CELL_M / 2 / mx, CELL_M / 2 / M_PER_DEG_LAT
    for rank, i in enumerate(best, start=1):
        out.cells.append(
            {
                "rank": rank,
                "lon": float(clon[i]),
                "lat": float(clat[i]),
                "share": float(scores[i]) / total,
                "relative": float(scores[i]) / top,
                "box": box(clon[i] - half_lon, clat[i] - half_lat, clon[i] + half_lon, clat[i] + half_lat),
            }
        )
    for child in _children(user, unit, today):
        poly = prep(shape(child.boundary))
        mine = [c for c in out.cells if poly.contains(Point(c["lon"], c["lat"]))]
        out.by_child.append(
            {"unit": child, "hot_cells": len(mine), "share": 100.0 * sum(c["share"] for c in mine)}
        )
    out.by_child.sort(key=lambda r: (-r["hot_cells"], -r["share"], r["unit"].code))
    return out


def layers(h: HotSpots) -> dict:
    """GeoJSON layers for the unit map script: the unit's outline and the hot cells (shaded by score)."""
    from django.utils.translation import gettext as _

    from jingwu.engine.geo import to_geojson

    out: dict = {
        "boundary": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": h.unit.boundary,
                    "properties": {"id": h.unit.pk, "name": h.unit.name},
                }
            ],
        }
    }
    out["areas"] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": r["unit"].boundary,
                "properties": {"id": r["unit"].pk, "name": r["unit"].name, "kind": r["unit"].kind},
            }
            for r in h.by_child
        ],
    }
    out["grids"] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": to_geojson(c["box"]),
                "properties": {
                    "id": None,
                    "kind": "grid",
                    "name": _("Hot cell %(rank)d") % {"rank": c["rank"]},
                    "households": f"{100 * c['share']:.2f}%",
                    "workload_share": round(c["relative"], 3),
                },
            }
            for c in h.cells
        ],
    }
    return out
