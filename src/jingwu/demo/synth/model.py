"""The generator's output contract: frozen dataclasses, no framework types.

The database loader is written against these fields. Geometry is shapely in WGS84
(lon, lat); dates are ``datetime.date``; the incidents are a struct of numpy arrays so
that a province of counties stays small in memory.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from shapely.geometry import Polygon


@dataclass(frozen=True)
class UnitSpec:
    """One organisational unit. Only area kinds (headquarters, station, zone, grid) have a boundary."""

    code: str
    name_zh: str
    name_en: str
    kind: str
    parent_code: str | None
    station_type: str | None
    boundary: Polygon | None
    base: tuple[float, float] | None
    households: int
    residents: int
    floating: int
    valid_from: dt.date
    valid_to: dt.date | None


@dataclass(frozen=True)
class OfficerSpec:
    police_number: str
    name: str
    kind: str
    gender: str
    birth_date: dt.date
    id_number: str
    rank: str
    phone: str
    hired: dt.date
    status: str
    home: tuple[float, float]
    skills: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PostingSpec:
    police_number: str
    unit_code: str
    role: str
    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class PremisesSpec:
    external_id: str
    category: str
    name: str
    address: str
    lon: float
    lat: float
    grid_code: str
    responsible_person: str
    phone: str
    licence_no: str
    status: str
    employees: int


@dataclass(frozen=True)
class SeriesSpec:
    """Ground truth: incidents whose ``series`` column equals this series' index were done by one offender."""

    code: str
    name_zh: str
    offender: str
    category: str
    first: dt.date
    last: dt.date


_COLUMNS = (
    "received",
    "category",
    "source",
    "lon",
    "lat",
    "grid",
    "dispatch_s",
    "arrive_s",
    "clear_s",
    "status",
    "address_idx",
    "description_idx",
    "reporter_idx",
    "series",
)


@dataclass(frozen=True, eq=False)
class IncidentColumns:
    """Incidents as parallel numpy arrays (all of length n, sorted by ``received``).

    ``received`` is Beijing local time (naive). ``dispatch_s``, ``arrive_s`` and
    ``clear_s`` are seconds after ``received``, -1 where not applicable. The ``*_idx``
    columns index the lookup tables ``addresses``, ``descriptions`` and ``reporters``;
    ``series`` is -1 or an index into ``County.series``.
    """

    received: np.ndarray
    category: np.ndarray
    source: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    grid: np.ndarray
    dispatch_s: np.ndarray
    arrive_s: np.ndarray
    clear_s: np.ndarray
    status: np.ndarray
    address_idx: np.ndarray
    description_idx: np.ndarray
    reporter_idx: np.ndarray
    series: np.ndarray
    addresses: tuple[str, ...]
    descriptions: tuple[str, ...]
    reporters: tuple[tuple[str, str], ...]
    # Modus-operandi text per incident ("" where none; empty tuple: none at all).
    mo: tuple[str, ...] = ()
    # True for the incidents a later layer of the generator added (the robbery series,
    # robbery.py); None: none. The loader numbers them, and their cases, after the others,
    # so that adding a layer changes no number and no case of what was there before.
    extra: np.ndarray | None = None

    def __post_init__(self) -> None:
        n = len(self.received)
        if self.mo and len(self.mo) != n:
            raise ValueError(f"incident column 'mo' has {len(self.mo)} rows, expected {n}")
        if self.extra is not None and len(self.extra) != n:
            raise ValueError(f"incident column 'extra' has {len(self.extra)} rows, expected {n}")
        for name in _COLUMNS:
            if len(getattr(self, name)) != n:
                raise ValueError(
                    f"incident column {name!r} has {len(getattr(self, name))} rows, expected {n}"
                )

    def __len__(self) -> int:
        return len(self.received)

    @property
    def is_extra(self) -> np.ndarray:
        """``extra`` as a boolean array (all False when no layer was added)."""
        return np.zeros(len(self), dtype=bool) if self.extra is None else self.extra

    def description(self, i: int, description_idx: int | None = None) -> str:
        """Incident ``i``'s description: the short text, then its modus operandi if any."""
        d = self.descriptions[int(self.description_idx[i]) if description_idx is None else description_idx]
        mo = self.mo[i] if self.mo else ""
        return f"{d}。{mo}" if mo else d

    def rows(self, i0: int = 0, i1: int | None = None) -> Iterator[dict[str, Any]]:
        """Yield plain dicts (Python scalars, lookups resolved) for rows ``i0:i1``.

        Keys: received (datetime), category, source, lon, lat, grid, dispatch_s,
        arrive_s, clear_s (int or None), status, address, description, reporter_name,
        reporter_phone, series (int or None).
        """
        sl = slice(i0, len(self) if i1 is None else i1)
        received = self.received[sl].astype("datetime64[s]").tolist()
        cols = {name: getattr(self, name)[sl].tolist() for name in _COLUMNS[1:]}
        for k, when in enumerate(received):
            series = cols["series"][k]
            reporter = self.reporters[cols["reporter_idx"][k]]
            yield {
                "received": when,
                "category": cols["category"][k],
                "source": cols["source"][k],
                "lon": cols["lon"][k],
                "lat": cols["lat"][k],
                "grid": cols["grid"][k],
                "dispatch_s": _opt(cols["dispatch_s"][k]),
                "arrive_s": _opt(cols["arrive_s"][k]),
                "clear_s": _opt(cols["clear_s"][k]),
                "status": cols["status"][k],
                "address": self.addresses[cols["address_idx"][k]],
                "description": self.description(i0 + k, cols["description_idx"][k]),
                "reporter_name": reporter[0],
                "reporter_phone": reporter[1],
                "series": None if series < 0 else series,
            }


def _opt(v: int) -> int | None:
    return None if v < 0 else v


@dataclass(frozen=True, eq=False)
class County:
    bureau_code: str
    bureau_name_zh: str
    bureau_name_en: str
    region_code: str
    boundary: Polygon
    units: tuple[UnitSpec, ...]
    officers: tuple[OfficerSpec, ...]
    postings: tuple[PostingSpec, ...]
    premises: tuple[PremisesSpec, ...]
    incidents: IncidentColumns
    series: tuple[SeriesSpec, ...]
    reform_date: dt.date
    start: dt.date
    end: dt.date
    petitions: tuple[Any, ...] = ()  # petitions.PetitionSpec, oldest first
