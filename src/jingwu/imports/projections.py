"""Projected coordinates to WGS84 longitude/latitude, without a projection library.

Foreign files give positions in metres of a Transverse Mercator grid: UTM zones
(Vancouver: UTM 10N) or a US state plane (Chicago: NAD83 / Illinois East,
EPSG:26971). Both are Transverse Mercator on the GRS80 ellipsoid, computed here with
Krüger's series to sixth order in n (Karney 2011), which is accurate to well under a
millimetre within a few thousand kilometres of the central meridian. NAD83 and WGS84
differ by about a metre in North America, far below the precision of these files.

A coordinate system is named by a string:

``wgs84`` (also ``epsg:4326``)
    longitude/latitude in degrees, nothing to do;
``utm:<zone><N|S>`` (``utm:10N``; also ``epsg:326zz``, ``epsg:327zz``, ``epsg:269zz``)
    a UTM zone;
``epsg:26971`` / ``epsg:2790`` (Illinois East), ``epsg:26972`` (Illinois West)
    the state planes listed in ``STATE_PLANES``;
``tm:<lat0>,<lon0>,<k0>,<false easting>,<false northing>``
    any other Transverse Mercator grid in metres.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

A_GRS80 = 6378137.0
F_GRS80 = 1 / 298.257222101


class ProjectionError(ValueError):
    """An unknown or malformed coordinate system name."""


@dataclass(frozen=True)
class TransverseMercator:
    lat0: float
    lon0: float
    k0: float
    false_easting: float
    false_northing: float
    a: float = A_GRS80
    f: float = F_GRS80

    def __post_init__(self) -> None:
        n = self.f / (2 - self.f)
        n2, n3, n4, n5, n6 = n**2, n**3, n**4, n**5, n**6
        big_a = self.a / (1 + n) * (1 + n2 / 4 + n4 / 64 + n6 / 256)
        alpha = (
            n / 2 - 2 * n2 / 3 + 5 * n3 / 16 + 41 * n4 / 180 - 127 * n5 / 288 + 7891 * n6 / 37800,
            13 * n2 / 48 - 3 * n3 / 5 + 557 * n4 / 1440 + 281 * n5 / 630 - 1983433 * n6 / 1935360,
            61 * n3 / 240 - 103 * n4 / 140 + 15061 * n5 / 26880 + 167603 * n6 / 181440,
            49561 * n4 / 161280 - 179 * n5 / 168 + 6601661 * n6 / 7257600,
            34729 * n5 / 80640 - 3418889 * n6 / 1995840,
            212378941 * n6 / 319334400,
        )
        beta = (
            n / 2 - 2 * n2 / 3 + 37 * n3 / 96 - n4 / 360 - 81 * n5 / 512 + 96199 * n6 / 604800,
            n2 / 48 + n3 / 15 - 437 * n4 / 1440 + 46 * n5 / 105 - 1118711 * n6 / 3870720,
            17 * n3 / 480 - 37 * n4 / 840 - 209 * n5 / 4480 + 5569 * n6 / 90720,
            4397 * n4 / 161280 - 11 * n5 / 504 - 830251 * n6 / 7257600,
            4583 * n5 / 161280 - 108847 * n6 / 3991680,
            20648693 * n6 / 638668800,
        )
        delta = (
            2 * n - 2 * n2 / 3 - 2 * n3 + 116 * n4 / 45 + 26 * n5 / 45 - 2854 * n6 / 675,
            7 * n2 / 3 - 8 * n3 / 5 - 227 * n4 / 45 + 2704 * n5 / 315 + 2323 * n6 / 945,
            56 * n3 / 15 - 136 * n4 / 35 - 1262 * n5 / 105 + 73814 * n6 / 2835,
            4279 * n4 / 630 - 332 * n5 / 35 - 399572 * n6 / 14175,
            4174 * n5 / 315 - 144838 * n6 / 6237,
            601676 * n6 / 22275,
        )
        object.__setattr__(self, "_n", n)
        object.__setattr__(self, "_A", big_a)
        object.__setattr__(self, "_alpha", alpha)
        object.__setattr__(self, "_beta", beta)
        object.__setattr__(self, "_delta", delta)
        object.__setattr__(self, "_e", 2 * math.sqrt(n) / (1 + n))
        xi0, _eta0 = self._xi_eta(np.array([math.radians(self.lat0)]), np.array([0.0]))
        object.__setattr__(self, "_xi0", float(xi0[0]))

    def _xi_eta(self, phi: np.ndarray, dlam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = self._e  # type: ignore[attr-defined]
        t = np.sinh(np.arctanh(np.sin(phi)) - e * np.arctanh(e * np.sin(phi)))
        xi_p = np.arctan2(t, np.cos(dlam))
        eta_p = np.arctanh(np.sin(dlam) / np.sqrt(1 + t * t))
        xi, eta = xi_p.copy(), eta_p.copy()
        for j, a in enumerate(self._alpha, start=1):  # type: ignore[attr-defined]
            xi += a * np.sin(2 * j * xi_p) * np.cosh(2 * j * eta_p)
            eta += a * np.cos(2 * j * xi_p) * np.sinh(2 * j * eta_p)
        return xi, eta

    def forward(self, lon, lat) -> tuple[np.ndarray, np.ndarray]:
        """WGS84 degrees to grid metres (easting, northing)."""
        phi = np.radians(np.asarray(lat, dtype=float))
        dlam = np.radians(np.asarray(lon, dtype=float) - self.lon0)
        xi, eta = self._xi_eta(phi, dlam)
        k = self.k0 * self._A  # type: ignore[attr-defined]
        return self.false_easting + k * eta, self.false_northing + k * (xi - self._xi0)  # type: ignore[attr-defined]

    def inverse(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """Grid metres (easting, northing) to WGS84 degrees (lon, lat)."""
        k = self.k0 * self._A  # type: ignore[attr-defined]
        xi = (np.asarray(y, dtype=float) - self.false_northing) / k + self._xi0  # type: ignore[attr-defined]
        eta = (np.asarray(x, dtype=float) - self.false_easting) / k
        xi_p, eta_p = xi.copy(), eta.copy()
        for j, b in enumerate(self._beta, start=1):  # type: ignore[attr-defined]
            xi_p -= b * np.sin(2 * j * xi) * np.cosh(2 * j * eta)
            eta_p -= b * np.cos(2 * j * xi) * np.sinh(2 * j * eta)
        chi = np.arcsin(np.clip(np.sin(xi_p) / np.cosh(eta_p), -1.0, 1.0))
        phi = chi.copy()
        for j, d in enumerate(self._delta, start=1):  # type: ignore[attr-defined]
            phi += d * np.sin(2 * j * chi)
        lam = np.arctan2(np.sinh(eta_p), np.cos(xi_p))
        return self.lon0 + np.degrees(lam), np.degrees(phi)


def utm(zone: int, south: bool = False) -> TransverseMercator:
    if not 1 <= zone <= 60:
        raise ProjectionError(f"UTM zone {zone} is not between 1 and 60")
    return TransverseMercator(0.0, -183.0 + 6 * zone, 0.9996, 500000.0, 10000000.0 if south else 0.0)


_DMS = 1 / 60
STATE_PLANES: dict[str, TransverseMercator] = {
    # NAD83 / Illinois East (metres) and its HARN twin used by open_cp for Chicago.
    "epsg:26971": TransverseMercator(36 + 40 * _DMS, -(88 + 20 * _DMS), 0.999975, 300000.0, 0.0),
    "epsg:2790": TransverseMercator(36 + 40 * _DMS, -(88 + 20 * _DMS), 0.999975, 300000.0, 0.0),
    # NAD83 / Illinois West (metres).
    "epsg:26972": TransverseMercator(36 + 40 * _DMS, -(90 + 10 * _DMS), 0.999941177, 700000.0, 0.0),
}

WGS84_NAMES = {"", "wgs84", "epsg:4326", "crs84", "lonlat"}


def is_wgs84(name: str) -> bool:
    return (name or "").strip().lower() in WGS84_NAMES


def projection(name: str) -> TransverseMercator | None:
    """The projection named ``name``; None for WGS84 lon/lat. Raises ProjectionError."""
    key = (name or "").strip().lower().replace(" ", "")
    if key in WGS84_NAMES:
        return None
    if key in STATE_PLANES:
        return STATE_PLANES[key]
    m = re.fullmatch(r"utm:(\d{1,2})([ns]?)", key)
    if m:
        return utm(int(m.group(1)), south=m.group(2) == "s")
    m = re.fullmatch(r"epsg:(326|327|269)(\d{2})", key)
    if m:
        return utm(int(m.group(2)), south=m.group(1) == "327")
    m = re.fullmatch(r"tm:(.+)", key)
    if m:
        try:
            lat0, lon0, k0, x0, y0 = (float(v) for v in m.group(1).split(","))
        except ValueError as exc:
            raise ProjectionError(f"{name!r}: expected tm:lat0,lon0,k0,false_easting,false_northing") from exc
        return TransverseMercator(lat0, lon0, k0, x0, y0)
    raise ProjectionError(f"unknown coordinate system {name!r}")


def to_lonlat(name: str, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Convert arrays of coordinates in system ``name`` to WGS84 lon/lat."""
    proj = projection(name)
    if proj is None:
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return proj.inverse(x, y)
