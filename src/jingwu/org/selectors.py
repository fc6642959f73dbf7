"""Reads of the unit tree, always through the scoping layer, and the location index."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from django.db.models import Count, Max

from jingwu.core.scope import restrict
from jingwu.engine.geo import AreaIndex, polygon_from_geojson

from .choices import UnitKind
from .models import Unit


def units_for(user, action: str = "view"):
    return restrict(Unit.objects.select_related("parent"), user, action)


@dataclass(frozen=True)
class Located:
    grid_id: int | None
    zone_id: int | None
    station_id: int | None


@dataclass(frozen=True)
class BureauAreas:
    """What a point-in-area lookup needs for one bureau, built once and cached."""

    version: tuple
    county: object | None
    grids: AreaIndex
    parents: dict[int, tuple[int | None, int | None]]  # grid id -> (zone id, station id)
    stations: AreaIndex

    def locate_many(self, lon, lat) -> list[Located | None]:
        grid_ids = self.grids.locate_many(lon, lat)
        missing = [i for i, g in enumerate(grid_ids) if g is None]
        station_ids = (
            self.stations.locate_many([lon[i] for i in missing], [lat[i] for i in missing]) if missing else []
        )
        out: list[Located | None] = []
        it = iter(station_ids)
        for g in grid_ids:
            if g is not None:
                zone_id, station_id = self.parents[g]
                out.append(Located(g, zone_id, station_id))
            else:
                s = next(it)
                out.append(Located(None, None, s) if s is not None else None)
        return out


_cache: dict[int, BureauAreas] = {}
_lock = threading.Lock()


def _version(bureau_id: int) -> tuple:
    agg = Unit.objects.filter(bureau_id=bureau_id).aggregate(n=Count("id"), t=Max("updated_at"))
    return (agg["n"], agg["t"], dt.date.today())


def bureau_areas(bureau_id: int) -> BureauAreas:
    """Current grids and stations of a bureau as point-lookup indexes (cached per version)."""
    version = _version(bureau_id)
    cached = _cache.get(bureau_id)
    if cached is not None and cached.version == version:
        return cached
    units = list(
        Unit.objects.current()
        .filter(
            bureau_id=bureau_id,
            kind__in=[UnitKind.HEADQUARTERS, UnitKind.STATION, UnitKind.ZONE, UnitKind.GRID],
        )
        .exclude(boundary__isnull=True)
        .only("id", "kind", "parent_id", "boundary")
        .order_by("id")
    )
    by_id = {u.id: u for u in units}
    county = None
    grid_keys, grid_polys, st_keys, st_polys = [], [], [], []
    parents: dict[int, tuple[int | None, int | None]] = {}
    for u in units:
        geom = polygon_from_geojson(u.boundary)
        if u.kind == UnitKind.HEADQUARTERS:
            county = geom
        elif u.kind == UnitKind.STATION:
            st_keys.append(u.id)
            st_polys.append(geom)
        elif u.kind == UnitKind.GRID:
            grid_keys.append(u.id)
            grid_polys.append(geom)
            parent = by_id.get(u.parent_id)
            if parent is not None and parent.kind == UnitKind.ZONE:
                parents[u.id] = (parent.id, parent.parent_id)
            else:
                parents[u.id] = (None, u.parent_id)
    areas = BureauAreas(
        version=version,
        county=county,
        grids=AreaIndex(tuple(grid_keys), tuple(grid_polys)),
        parents=parents,
        stations=AreaIndex(tuple(st_keys), tuple(st_polys)),
    )
    with _lock:
        _cache[bureau_id] = areas
    return areas


def locate(bureau_id: int, lon: float, lat: float) -> Located | None:
    """The grid, zone and station containing a point, or None when outside every station."""
    return bureau_areas(bureau_id).locate_many([lon], [lat])[0]
