"""Seeding, the local map frame and shared constants."""

from __future__ import annotations

import datetime as dt
import math
import zlib
from dataclasses import dataclass

import numpy as np
import shapely

REFORM_DATE = dt.date(2017, 5, 1)
START = dt.date(2016, 1, 1)
END = dt.date(2018, 12, 31)
LEGACY_FROM = dt.date(1978, 1, 1)  # units that existed before any record here

# Where county ``index`` sits: a grid of cells far enough apart that counties never overlap.
ORIGIN = (119.9, 31.0)
CELL_LON = 0.85  # about 81 km at 31 N
CELL_LAT = 0.6  # about 66 km
COLUMNS = 10


def rng_for(seed: int, index: int, stream: str) -> np.random.Generator:
    """An independent generator per (seed, county, stream), so streams do not disturb each other."""
    return np.random.default_rng(np.random.SeedSequence([seed, index, zlib.crc32(stream.encode())]))


def int_seed(seed: int, index: int, stream: str) -> int:
    return int(np.random.SeedSequence([seed, index, zlib.crc32(stream.encode())]).generate_state(1)[0])


@dataclass(frozen=True)
class Frame:
    """A local planar frame in km around (lon0, lat0); equirectangular is exact enough for a county."""

    lon0: float
    lat0: float

    @classmethod
    def for_index(cls, index: int) -> Frame:
        row, col = divmod(index, COLUMNS)
        return cls(ORIGIN[0] - col * CELL_LON, ORIGIN[1] - row * CELL_LAT)

    @property
    def kx(self) -> float:
        return 1.0 / (111.320 * math.cos(math.radians(self.lat0)))

    @property
    def ky(self) -> float:
        return 1.0 / 110.574

    def lonlat(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        return xy * np.array([self.kx, self.ky]) + np.array([self.lon0, self.lat0])

    def point(self, xy: tuple[float, float] | np.ndarray) -> tuple[float, float]:
        ll = self.lonlat(np.asarray(xy, dtype=float).reshape(1, 2))[0]
        return (float(ll[0]), float(ll[1]))

    def geoms(self, geoms: np.ndarray | list) -> np.ndarray:
        arr = np.asarray(geoms, dtype=object)
        return shapely.transform(arr, self.lonlat)


def years_between(a: dt.date, b: dt.date) -> float:
    return (b - a).days / 365.25


def add_years(d: dt.date, years: float) -> dt.date:
    return d + dt.timedelta(days=round(years * 365.25))
