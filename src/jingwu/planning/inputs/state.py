"""The bureau's state as the plan reads it: units, officers, areas and records on a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np


@dataclass
class UnitInfo:
    id: int
    code: str
    kind: str
    name_zh: str
    name_en: str
    parent_id: int | None
    station_type: str
    lon: float
    lat: float
    households: int
    residents: int
    floating: int
    area_km2: float
    valid_from: dt.date | None
    valid_to: dt.date | None
    boundary: dict | None = None

    def current_on(self, day: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or self.valid_to >= day
        )


@dataclass
class OfficerInfo:
    id: int
    number: str
    name: str
    kind: str
    gender: str
    age: int
    rank: str
    status: str
    lon: float
    lat: float
    skills: dict[str, int]
    posting_id: int
    posting_unit: int
    role: str
    unit: int  # planning unit


@dataclass
class BureauState:
    """The bureau on ``as_of`` (people) with the areas in force from ``reform_date``."""

    bureau_id: int
    as_of: dt.date
    reform_date: dt.date
    incidents_from: dt.date
    incidents_to: dt.date
    units: dict[int, UnitInfo]
    plan_units: list[int]  # planning units: continuing ones, then closing ones
    closing: set[int]
    officers: list[OfficerInfo]
    stations: list[int]
    zones: list[int]  # zone units, plus a station's own id for its grids without a zone
    grids: list[int]
    grid_zone: list[int]  # index into zones
    zone_station: list[int]  # index into stations
    inc_grid: np.ndarray
    inc_category: np.ndarray
    inc_received: np.ndarray  # datetime64[s], local time
    inc_lon: np.ndarray
    inc_lat: np.ndarray
    inc_criminal: np.ndarray
    inc_dropped: int
    prem_grid: np.ndarray
    prem_category: np.ndarray
    years: float

    def unit(self, pk: int) -> UnitInfo:
        return self.units[pk]

    @property
    def station_codes(self) -> list[str]:
        return [self.units[s].code for s in self.stations]
