"""Geometry on WGS84 lon/lat for county-sized areas: validation, areas, point lookup.

Areas and distances use a local equirectangular projection around the geometry's
mean latitude. Over a county (about 50 km across) its error in area is far below
0.5%, which is enough for planning, and it needs no projection library.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

EARTH_RADIUS_M = 6_371_008.8
# Relative area tolerance for "inside" and "does not overlap" checks: boundaries drawn
# or imported by hand never align to the last decimal.
AREA_TOLERANCE = 1e-4


class GeometryError(ValueError):
    """A geometry is unusable. ``code`` says why (for translated messages)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def polygon_from_geojson(data: dict | str | BaseGeometry) -> Polygon | MultiPolygon:
    """Parse and check a (Multi)Polygon in lon/lat. Raises GeometryError with a reason code.

    Codes: ``not_geojson``, ``not_polygon``, ``empty``, ``out_of_range``, ``invalid``.
    """
    if isinstance(data, BaseGeometry):
        geom = data
    else:
        try:
            if isinstance(data, str):
                import json

                data = json.loads(data)
            if isinstance(data, dict) and data.get("type") == "Feature":
                data = data.get("geometry") or {}
            geom = shape(data)
        except Exception as exc:
            raise GeometryError("not_geojson", str(exc)) from exc
    if not isinstance(geom, Polygon | MultiPolygon):
        raise GeometryError("not_polygon", geom.geom_type)
    if geom.is_empty:
        raise GeometryError("empty")
    minx, miny, maxx, maxy = geom.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise GeometryError("out_of_range", f"{geom.bounds}")
    if not geom.is_valid:
        from shapely.validation import explain_validity

        raise GeometryError("invalid", explain_validity(geom))
    if geom.area == 0:
        raise GeometryError("empty")
    return geom


def to_geojson(geom: BaseGeometry, precision: int = 6) -> dict:
    """GeoJSON geometry dict with coordinates rounded to ``precision`` decimals (~0.1 m)."""
    import json

    geom = shapely.set_precision(geom, 10**-precision) if precision else geom
    return json.loads(json.dumps(mapping(geom)))  # plain lists, as stored and read back


def _scale(lat0: float) -> tuple[float, float]:
    ky = math.pi * EARTH_RADIUS_M / 180.0
    return ky * math.cos(math.radians(lat0)), ky


def to_metres(geom: BaseGeometry, lat0: float | None = None) -> BaseGeometry:
    """Project lon/lat to a local plane in metres (equirectangular around ``lat0``)."""
    if lat0 is None:
        lat0 = (geom.bounds[1] + geom.bounds[3]) / 2
    kx, ky = _scale(lat0)
    return shapely.transform(geom, lambda c: c * np.array([kx, ky]))


def area_km2(geom: BaseGeometry) -> float:
    return to_metres(geom).area / 1e6


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))


def outside_share(inner: BaseGeometry, outer: BaseGeometry) -> float:
    """Share of ``inner``'s area that lies outside ``outer`` (0 when fully inside)."""
    if inner.area == 0:
        return 0.0
    return float(inner.difference(outer).area / inner.area)


def overlap_share(a: BaseGeometry, b: BaseGeometry) -> float:
    """Overlap area as a share of the smaller geometry."""
    smaller = min(a.area, b.area)
    if smaller == 0 or not a.intersects(b):
        return 0.0
    return float(a.intersection(b).area / smaller)


@dataclass(frozen=True)
class AreaIndex:
    """Point-in-polygon lookup over many areas (grids, say) with an STRtree.

    ``keys[i]`` identifies ``polygons[i]``; a point on a shared border goes to the
    first area in key order that covers it, so every point gets at most one key.
    """

    keys: tuple
    polygons: tuple[BaseGeometry, ...]

    def __post_init__(self) -> None:
        if len(self.keys) != len(self.polygons):
            raise ValueError("keys and polygons must have the same length")
        object.__setattr__(self, "_tree", shapely.STRtree(list(self.polygons)))

    def locate(self, lon: float, lat: float):
        found = self.locate_many(np.array([lon]), np.array([lat]))
        return found[0]

    def locate_many(self, lon: Sequence[float] | np.ndarray, lat: Sequence[float] | np.ndarray) -> list:
        """Keys of the areas covering each point (None where no area does)."""
        lon = np.asarray(lon, dtype=float)
        lat = np.asarray(lat, dtype=float)
        points = shapely.points(lon, lat)
        result: list = [None] * len(points)
        if len(points) == 0:
            return result
        pairs = self._tree.query(points, predicate="covered_by")  # type: ignore[attr-defined]
        # pairs[0]: point index, pairs[1]: polygon index; keep the lowest polygon index.
        order = np.lexsort((pairs[1], pairs[0]))
        pts, polys = pairs[0][order], pairs[1][order]
        first = np.ones(len(pts), dtype=bool)
        first[1:] = pts[1:] != pts[:-1]
        for p, g in zip(pts[first], polys[first], strict=True):
            result[int(p)] = self.keys[int(g)]
        return result
