"""Workload demand per grid, zone and station: calls, travel, inspections, basic work.

The workload (officer-hours per year) an area generates is the sum of four parts:

1. **Calls for service** - incidents x the officer time each category consumes. For a
   category with ``minutes`` per call for the first officer and ``backup`` extra officers
   on average, ``hours = n x minutes / 60 x (1 + backup)``. This is the "obligated
   workload" of the Police Allocation Manual (Northwestern University Traffic Institute,
   1993) as restated by Wilson & Weiss, *A Performance-Based Approach to Police Staffing
   and Allocation* (COPS Office, 2012): calls x units per call x time per unit. The
   defaults are the documented planning values of :data:`jingwu.engine.vocab.INCIDENT_CATEGORIES`;
   :func:`observed_minutes` measures them from dispatch, arrival and clear times.
2. **Travel** - per call, the distance from the grid's base (its zone or station post)
   to the incident, straight-line (haversine) x a circuity factor for the road network,
   out and back, at an urban or rural speed, for every officer sent. Circuity factors
   of road networks are typically 1.2-1.4 (Ballou, Rahardja & Sakai, "Selected country
   circuity factors for road travel distance estimation", *Transportation Research A*
   36(9), 2002); 1.3 is the default.
3. **Inspections of key premises** - each premises category must be inspected for each
   public-order element a number of times a year (:data:`vocab.ELEMENT_REQUIREMENTS`).
   After the reform one zone team covers every element in one visit ("one specialist,
   many skills"), so a premises needs ``max_e(visits_e)`` consolidated visits a year (the
   most frequent element sets the calendar; the others ride along). Before it, each
   specialism visited on its own: ``sum_e(visits_e)`` visits. Both are reported, so the
   saving is visible.
4. **Basic work** of the jurisdiction, by station type: door-to-door visits per
   household, population management per 1,000 residents, liaison per premises and
   preventive patrol per km² (:data:`DEFAULT_BASIC_WORK`; planning assumptions to be
   calibrated locally, see ``docs/engine-plan.md``).

All arrays are numpy; the computation is vectorised (``np.bincount``): about 0.02 s for
80,000 incidents and 800 grids. Incidents may cover several years (``years``): every
output is per year.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from jingwu.engine.geo import EARTH_RADIUS_M
from jingwu.engine.vocab import ELEMENT_REQUIREMENTS, INCIDENT_CATEGORIES, STATION_TYPES, codes

__all__ = [
    "DEFAULT_BASIC_WORK",
    "BasicWorkRates",
    "CategoryTime",
    "DemandPolicy",
    "DemandResult",
    "GridArrays",
    "IncidentArrays",
    "InspectionPolicy",
    "ObservedTimes",
    "PremisesArrays",
    "TravelPolicy",
    "Workload",
    "compute_demand",
    "default_category_times",
    "haversine_m",
    "hour_of_week",
    "month_of",
    "observed_minutes",
]

HOURS_PER_WEEK = 168
MONTHS = 12

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


# --- small checks ---------------------------------------------------------------------------


def _finite(name: str, value: float, *, strict: bool = False) -> None:
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if strict and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def _float_array(name: str, values, n: int | None = None, *, allow_nan: bool = False) -> FloatArray:
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if n is not None and len(arr) != n:
        raise ValueError(f"{name} has {len(arr)} rows, expected {n}")
    bad = ~np.isfinite(arr) if not allow_nan else np.isinf(arr)
    if bad.any():
        raise ValueError(
            f"{name} has {int(bad.sum())} non-finite values (first at row {int(np.argmax(bad))})"
        )
    arr = arr.copy()
    arr.flags.writeable = False
    return arr


def _nonneg(name: str, arr: FloatArray) -> None:
    if len(arr) and np.nanmin(arr) < 0:
        raise ValueError(f"{name} must be >= 0 (row {int(np.nanargmin(arr))} is {np.nanmin(arr)!r})")


def _int_array(name: str, values, n: int | None = None, *, lo: int = 0, hi: int | None = None) -> IntArray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if len(arr) and not np.issubdtype(arr.dtype, np.integer):
        if (
            not np.issubdtype(arr.dtype, np.floating)
            or not np.all(np.isfinite(arr))
            or np.any(arr != np.round(arr))
        ):
            raise ValueError(f"{name} must hold integers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if n is not None and len(arr) != n:
        raise ValueError(f"{name} has {len(arr)} rows, expected {n}")
    if len(arr):
        if arr.min() < lo:
            raise ValueError(f"{name} must be >= {lo} (row {int(np.argmin(arr))} is {int(arr.min())})")
        if hi is not None and arr.max() >= hi:
            raise ValueError(f"{name} must be < {hi} (row {int(np.argmax(arr))} is {int(arr.max())})")
    arr.flags.writeable = False
    return arr


def _str_array(name: str, values, n: int) -> npt.NDArray[np.str_]:
    arr = np.asarray(values)
    if arr.ndim != 1 or len(arr) != n:
        raise ValueError(f"{name} must be one-dimensional with {n} rows, got shape {arr.shape}")
    if len(arr) and arr.dtype.kind not in "UO":
        raise ValueError(f"{name} must hold category codes (strings), got dtype {arr.dtype}")
    arr = arr.astype(str)
    arr.flags.writeable = False
    return arr


def _frozen_mapping(mapping: Mapping) -> Mapping:
    return MappingProxyType(dict(mapping))


# --- time bins ------------------------------------------------------------------------------


def hour_of_week(timestamps) -> IntArray:
    """Hour of the week, 0 = Monday 00:00-00:59 ... 167 = Sunday 23:00-23:59 (ISO weekday order).

    ``timestamps`` are numpy ``datetime64`` values (or anything ``np.asarray(..., "datetime64[s]")``
    accepts) in local time.
    """
    t = np.asarray(timestamps, dtype="datetime64[s]")
    hours = t.astype("datetime64[h]").astype(np.int64)
    days = np.floor_divide(hours, 24)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday (ISO weekday index 3)
    return (weekday * 24 + hours % 24).astype(np.int64)


def month_of(timestamps) -> IntArray:
    """Calendar month 1-12 of numpy ``datetime64`` timestamps."""
    t = np.asarray(timestamps, dtype="datetime64[s]")
    return (t.astype("datetime64[M]").astype(np.int64) % 12 + 1).astype(np.int64)


def haversine_m(lon1, lat1, lon2, lat2) -> FloatArray:
    """Great-circle distance in metres, vectorised (same sphere as :func:`geo.distance_m`)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


# --- policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryTime:
    """Officer time per call of one category: ``minutes`` for the first officer, ``backup`` extra officers."""

    minutes: float
    backup: float = 0.0

    def __post_init__(self) -> None:
        _finite("minutes", self.minutes)
        _finite("backup", self.backup)

    @property
    def officers(self) -> float:
        return 1.0 + self.backup

    @property
    def officer_hours(self) -> float:
        """Officer-hours one call consumes: ``minutes / 60 x (1 + backup)``."""
        return self.minutes / 60.0 * (1.0 + self.backup)


def default_category_times() -> Mapping[str, CategoryTime]:
    """The documented defaults of :data:`vocab.INCIDENT_CATEGORIES` (families and categories)."""
    return MappingProxyType(
        {c.code: CategoryTime(float(c.minutes), float(c.backup)) for c in INCIDENT_CATEGORIES}
    )


@dataclass(frozen=True)
class TravelPolicy:
    """Travel per call: straight-line distance x ``circuity``, out and back (``round_trip``),
    at ``urban_kmh`` or ``rural_kmh``; ``with_backup`` charges it to every officer sent.

    The speeds are planning assumptions (average door-to-door driving speed including
    traffic, parking and walking to the door), not measurements.
    """

    urban_kmh: float = 30.0
    rural_kmh: float = 50.0
    circuity: float = 1.3
    round_trip: bool = True
    with_backup: bool = True

    def __post_init__(self) -> None:
        _finite("urban_kmh", self.urban_kmh, strict=True)
        _finite("rural_kmh", self.rural_kmh, strict=True)
        _finite("circuity", self.circuity)
        if self.circuity < 1.0:
            raise ValueError(
                f"circuity must be >= 1 (roads are never shorter than a straight line), got {self.circuity!r}"
            )


@dataclass(frozen=True)
class InspectionPolicy:
    """Inspection visits of key premises.

    ``requirements``: premises category -> element -> visits per year (default
    :data:`vocab.ELEMENT_REQUIREMENTS`). A consolidated visit (all elements at once) takes
    ``hours_per_visit`` (default 1.0 h); a separate per-element visit, as before the reform,
    ``hours_per_element_visit`` (default 1.0 h). Both take ``officers_per_visit`` officers
    (default 2: inspections are done by at least two officers).
    """

    requirements: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: ELEMENT_REQUIREMENTS)
    hours_per_visit: float = 1.0
    hours_per_element_visit: float = 1.0
    officers_per_visit: float = 2.0

    def __post_init__(self) -> None:
        reqs: dict[str, Mapping[str, float]] = {}
        for category, elements in dict(self.requirements).items():
            row = {}
            for element, visits in dict(elements).items():
                _finite(f"requirements[{category!r}][{element!r}]", visits)
                row[str(element)] = float(visits)
            reqs[str(category)] = MappingProxyType(row)
        object.__setattr__(self, "requirements", MappingProxyType(reqs))
        _finite("hours_per_visit", self.hours_per_visit)
        _finite("hours_per_element_visit", self.hours_per_element_visit)
        _finite("officers_per_visit", self.officers_per_visit)

    def visits(self, category: str) -> tuple[float, float]:
        """(consolidated, separate) visits per year for one premises of ``category``."""
        try:
            row = self.requirements[category]
        except KeyError:
            raise ValueError(
                f"no inspection requirements for premises category {category!r}; known: {sorted(self.requirements)}"
            ) from None
        values = list(row.values())
        return (max(values) if values else 0.0, math.fsum(values))


@dataclass(frozen=True)
class BasicWorkRates:
    """The basic work of a station's own jurisdiction, per year.

    * ``visits_per_household`` door-to-door visits per household, ``hours_per_visit`` each;
    * ``hours_per_1000_residents`` population management (registration, floating
      population, ID work, mediation not raised as incidents);
    * ``hours_per_premises`` liaison with each key premises beyond inspections
      (responsibility checklists, training, drills);
    * ``patrol_hours_per_km2`` preventive patrol per km² of the area.
    """

    visits_per_household: float
    hours_per_visit: float
    hours_per_1000_residents: float
    hours_per_premises: float
    patrol_hours_per_km2: float

    def __post_init__(self) -> None:
        for name in (
            "visits_per_household",
            "hours_per_visit",
            "hours_per_1000_residents",
            "hours_per_premises",
            "patrol_hours_per_km2",
        ):
            _finite(name, getattr(self, name))


#: Planning defaults by station type. Assumptions, to be calibrated against a bureau's
#: own records: one visit per household a year everywhere (rural households twice -
#: preventive stations live on visits), 15 minutes each; 40-60 h per 1,000 residents;
#: 2-4 h per premises; preventive patrol from 300 h/km² (urban core) to 20 h/km² (rural).
DEFAULT_BASIC_WORK: Mapping[str, BasicWorkRates] = MappingProxyType(
    {
        "full_spectrum": BasicWorkRates(1.0, 0.25, 60.0, 4.0, 300.0),
        "proactive": BasicWorkRates(1.0, 0.25, 50.0, 3.0, 80.0),
        "preventive": BasicWorkRates(2.0, 0.25, 40.0, 2.0, 20.0),
    }
)


@dataclass(frozen=True)
class DemandPolicy:
    """Every setting of :func:`compute_demand`.

    ``category_times`` maps incident category codes to :class:`CategoryTime`; a code not in
    the table falls back to its family (the first two digits), else it is an error.
    """

    category_times: Mapping[str, CategoryTime] = field(default_factory=default_category_times)
    travel: TravelPolicy = field(default_factory=TravelPolicy)
    inspection: InspectionPolicy = field(default_factory=InspectionPolicy)
    basic_work: Mapping[str, BasicWorkRates] = field(default_factory=lambda: DEFAULT_BASIC_WORK)

    def __post_init__(self) -> None:
        times = {}
        for code, value in dict(self.category_times).items():
            if not isinstance(value, CategoryTime):
                raise ValueError(f"category_times[{code!r}] must be a CategoryTime, got {value!r}")
            times[str(code)] = value
        object.__setattr__(self, "category_times", MappingProxyType(times))
        known = set(codes(STATION_TYPES))
        rates = dict(self.basic_work)
        for code, value in rates.items():
            if code not in known:
                raise ValueError(f"unknown station type {code!r} in basic_work; known: {sorted(known)}")
            if not isinstance(value, BasicWorkRates):
                raise ValueError(f"basic_work[{code!r}] must be a BasicWorkRates, got {value!r}")
        object.__setattr__(self, "basic_work", MappingProxyType(rates))

    def time_for(self, code: str) -> CategoryTime:
        found = self.category_times.get(code) or self.category_times.get(code[:2])
        if found is None:
            raise ValueError(
                f"no time per call for incident category {code!r} (nor its family {code[:2]!r}); "
                "add it to DemandPolicy.category_times"
            )
        return found


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class GridArrays:
    """The grids with their zone and station, as parallel arrays (one row per grid).

    * ``zone[g]`` - index of grid ``g``'s zone; ``zone_station[z]`` - index of zone ``z``'s
      station; ``station_type[s]`` - a :data:`vocab.STATION_TYPES` code per station.
    * ``households``, ``residents``, ``area_km2`` - per grid.
    * ``base_lon``, ``base_lat`` - where travel to the grid's incidents starts (its zone
      or station post).
    * ``urban`` - urban speed applies (default: grids of full-spectrum stations).
    * ``centroid_lon``, ``centroid_lat`` - optional; used for incidents without coordinates.
    * ``codes``, ``zone_codes``, ``station_codes`` - optional labels (default ``"0"``, ``"1"``, ...).
    """

    zone: npt.ArrayLike
    zone_station: npt.ArrayLike
    station_type: tuple[str, ...]
    households: npt.ArrayLike
    residents: npt.ArrayLike
    area_km2: npt.ArrayLike
    base_lon: npt.ArrayLike
    base_lat: npt.ArrayLike
    urban: npt.ArrayLike | None = None
    centroid_lon: npt.ArrayLike | None = None
    centroid_lat: npt.ArrayLike | None = None
    codes: tuple[str, ...] | None = None
    zone_codes: tuple[str, ...] | None = None
    station_codes: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        types = tuple(str(t) for t in self.station_type)
        known = codes(STATION_TYPES)
        for i, t in enumerate(types):
            if t not in known:
                raise ValueError(f"station_type[{i}] is {t!r}; known: {known}")
        if not types:
            raise ValueError("there must be at least one station")
        object.__setattr__(self, "station_type", types)
        zone_station = _int_array("zone_station", self.zone_station, hi=len(types))
        if len(zone_station) == 0:
            raise ValueError("there must be at least one zone")
        object.__setattr__(self, "zone_station", zone_station)
        zone = _int_array("zone", self.zone, hi=len(zone_station))
        n = len(zone)
        if n == 0:
            raise ValueError("there must be at least one grid")
        object.__setattr__(self, "zone", zone)
        for name in ("households", "residents", "area_km2"):
            arr = _float_array(name, getattr(self, name), n)
            _nonneg(name, arr)
            object.__setattr__(self, name, arr)
        base_lon = _float_array("base_lon", self.base_lon, n)
        base_lat = _float_array("base_lat", self.base_lat, n)
        _check_lonlat("base", base_lon, base_lat)
        object.__setattr__(self, "base_lon", base_lon)
        object.__setattr__(self, "base_lat", base_lat)
        if self.urban is None:
            urban = np.array([types[s] == "full_spectrum" for s in zone_station[zone]], dtype=bool)
        else:
            urban = np.asarray(self.urban)
            if urban.shape != (n,) or urban.dtype != bool:
                raise ValueError(
                    f"urban must be a boolean array with {n} rows, got {urban.dtype} {urban.shape}"
                )
            urban = urban.copy()
        urban.flags.writeable = False
        object.__setattr__(self, "urban", urban)
        if (self.centroid_lon is None) != (self.centroid_lat is None):
            raise ValueError("give both centroid_lon and centroid_lat, or neither")
        if self.centroid_lon is not None:
            clon = _float_array("centroid_lon", self.centroid_lon, n)
            clat = _float_array("centroid_lat", self.centroid_lat, n)
            _check_lonlat("centroid", clon, clat)
            object.__setattr__(self, "centroid_lon", clon)
            object.__setattr__(self, "centroid_lat", clat)
        for name, size in (("codes", n), ("zone_codes", len(zone_station)), ("station_codes", len(types))):
            labels = getattr(self, name)
            labels = tuple(str(i) for i in range(size)) if labels is None else tuple(str(c) for c in labels)
            if len(labels) != size:
                raise ValueError(f"{name} has {len(labels)} labels, expected {size}")
            if len(set(labels)) != size:
                raise ValueError(f"{name} must be unique")
            object.__setattr__(self, name, labels)

    @property
    def n_grids(self) -> int:
        return len(self.zone)  # type: ignore[arg-type]

    @property
    def n_zones(self) -> int:
        return len(self.zone_station)  # type: ignore[arg-type]

    @property
    def n_stations(self) -> int:
        return len(self.station_type)

    @property
    def station(self) -> IntArray:
        """Station index of each grid."""
        return self.zone_station[self.zone]  # type: ignore[index]


def _check_lonlat(name: str, lon: FloatArray, lat: FloatArray) -> None:
    ok = np.isnan(lon) | ((lon >= -180) & (lon <= 180))
    ok &= np.isnan(lat) | ((lat >= -90) & (lat <= 90))
    if not ok.all():
        i = int(np.argmin(ok))
        raise ValueError(f"{name} coordinates out of range at row {i}: ({lon[i]}, {lat[i]})")


@dataclass(frozen=True, eq=False)
class IncidentArrays:
    """Incidents as parallel arrays.

    * ``grid`` - grid index; ``category`` - incident category code (``"0101"``);
    * ``hour_of_week`` - 0-167 (:func:`hour_of_week`); ``month`` - 1-12 (:func:`month_of`);
    * ``lon``, ``lat`` - optional, NaN where unknown;
    * ``dispatch_s``, ``arrive_s``, ``clear_s`` - optional seconds after the report was
      received, negative or NaN where absent (only :func:`observed_minutes` uses them);
    * ``years`` - length of the period the incidents cover, to turn counts into rates per year.
    """

    grid: npt.ArrayLike
    category: npt.ArrayLike
    hour_of_week: npt.ArrayLike
    month: npt.ArrayLike
    lon: npt.ArrayLike | None = None
    lat: npt.ArrayLike | None = None
    dispatch_s: npt.ArrayLike | None = None
    arrive_s: npt.ArrayLike | None = None
    clear_s: npt.ArrayLike | None = None
    years: float = 1.0

    def __post_init__(self) -> None:
        grid = _int_array("incident grid", self.grid)
        n = len(grid)
        object.__setattr__(self, "grid", grid)
        object.__setattr__(self, "category", _str_array("incident category", self.category, n))
        object.__setattr__(
            self, "hour_of_week", _int_array("hour_of_week", self.hour_of_week, n, hi=HOURS_PER_WEEK)
        )
        month = _int_array("month", self.month, n, lo=1, hi=MONTHS + 1)
        object.__setattr__(self, "month", month)
        if (self.lon is None) != (self.lat is None):
            raise ValueError("give both incident lon and lat, or neither")
        if self.lon is not None:
            lon = _float_array("incident lon", self.lon, n, allow_nan=True)
            lat = _float_array("incident lat", self.lat, n, allow_nan=True)
            _check_lonlat("incident", lon, lat)
            object.__setattr__(self, "lon", lon)
            object.__setattr__(self, "lat", lat)
        for name in ("dispatch_s", "arrive_s", "clear_s"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _float_array(name, getattr(self, name), n, allow_nan=True))
        _finite("years", self.years, strict=True)

    def __len__(self) -> int:
        return len(self.grid)  # type: ignore[arg-type]

    @classmethod
    def from_timestamps(cls, grid, category, received, **kwargs) -> IncidentArrays:
        """Build from ``datetime64`` report times (local time): hour of week and month are derived."""
        return cls(grid, category, hour_of_week(received), month_of(received), **kwargs)


@dataclass(frozen=True, eq=False)
class PremisesArrays:
    """Key premises: grid index and premises category code (``vocab.PREMISES_CATEGORIES``)."""

    grid: npt.ArrayLike
    category: npt.ArrayLike

    def __post_init__(self) -> None:
        grid = _int_array("premises grid", self.grid)
        object.__setattr__(self, "grid", grid)
        object.__setattr__(self, "category", _str_array("premises category", self.category, len(grid)))

    def __len__(self) -> int:
        return len(self.grid)  # type: ignore[arg-type]


# --- results --------------------------------------------------------------------------------


_COMPONENTS = (
    "incidents",
    "service_hours",
    "travel_hours",
    "inspection_visits",
    "inspection_visits_separate",
    "inspection_hours",
    "inspection_hours_separate",
    "household_visit_hours",
    "population_hours",
    "premises_hours",
    "patrol_hours",
)


@dataclass(frozen=True, eq=False)
class Workload:
    """Workload per year of a set of areas (grids, zones or stations), one row per area.

    ``incidents`` calls a year; ``service_hours`` officer time on calls; ``travel_hours``
    driving to and from them; ``inspection_visits``/``inspection_hours`` consolidated
    inspections (after the reform) and ``*_separate`` the per-element visits it replaced;
    ``household_visit_hours``, ``population_hours``, ``premises_hours`` and
    ``patrol_hours`` the basic work. Totals use the consolidated inspections.
    """

    codes: tuple[str, ...]
    incidents: FloatArray
    service_hours: FloatArray
    travel_hours: FloatArray
    inspection_visits: FloatArray
    inspection_visits_separate: FloatArray
    inspection_hours: FloatArray
    inspection_hours_separate: FloatArray
    household_visit_hours: FloatArray
    population_hours: FloatArray
    premises_hours: FloatArray
    patrol_hours: FloatArray

    @property
    def reactive_hours(self) -> FloatArray:
        """Calls for service: service plus travel."""
        return self.service_hours + self.travel_hours

    @property
    def basic_hours(self) -> FloatArray:
        return self.household_visit_hours + self.population_hours + self.premises_hours + self.patrol_hours

    @property
    def total_hours(self) -> FloatArray:
        return self.reactive_hours + self.inspection_hours + self.basic_hours

    @property
    def inspection_saving_hours(self) -> FloatArray:
        """Officer-hours a year the consolidated visits save over separate per-element visits."""
        return self.inspection_hours_separate - self.inspection_hours

    def aggregate(self, index: npt.ArrayLike, labels: tuple[str, ...]) -> Workload:
        """Sum rows into groups: ``index[i]`` is row ``i``'s group among ``labels``."""
        idx = np.asarray(index, dtype=np.int64)
        m = len(labels)
        return Workload(
            labels,
            **{name: np.bincount(idx, weights=getattr(self, name), minlength=m) for name in _COMPONENTS},
        )

    def as_dict(self) -> dict[str, dict[str, float]]:
        """``{code: {component: value, ..., "total_hours": ...}}`` with plain floats."""
        out = {}
        for i, code in enumerate(self.codes):
            row = {name: float(getattr(self, name)[i]) for name in _COMPONENTS}
            row["basic_hours"] = float(self.basic_hours[i])
            row["total_hours"] = float(self.total_hours[i])
            out[code] = row
        return out


@dataclass(frozen=True, eq=False)
class DemandResult:
    """Workload per year by grid, zone and station, and its time profiles.

    * ``grids``, ``zones``, ``stations`` - :class:`Workload` tables;
    * ``station_hour_of_week`` - (stations x 168) reactive hours (service + travel) a
      year by hour of the week, 0 = Monday 00:00;
    * ``station_month`` - (stations x 12) reactive hours a year by calendar month; the
      scheduled work (inspections, basic work) is spread evenly in ``station_month_total``;
    * ``travel_located`` - incidents whose travel came from their own coordinates,
      ``travel_from_centroid`` from the grid's centroid, ``travel_unknown`` none (0 h).
    """

    grids: Workload
    zones: Workload
    stations: Workload
    station_hour_of_week: FloatArray
    station_month: FloatArray
    travel_located: int
    travel_from_centroid: int
    travel_unknown: int

    @property
    def station_quarter(self) -> FloatArray:
        """(stations x 4) reactive hours by calendar quarter."""
        return self.station_month.reshape(len(self.stations.codes), 4, 3).sum(axis=2)

    @property
    def station_month_total(self) -> FloatArray:
        """(stations x 12) all workload by month, scheduled work spread evenly over the year."""
        scheduled = self.stations.inspection_hours + self.stations.basic_hours
        return self.station_month + scheduled[:, None] / MONTHS

    @property
    def seasonality(self) -> FloatArray:
        """Peak-month / mean-month ratio of reactive hours, per station (1 = flat, NaN if none)."""
        mean = self.station_month.mean(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(mean > 0, self.station_month.max(axis=1) / mean, np.nan)


# --- the computation ------------------------------------------------------------------------


def compute_demand(
    grids: GridArrays,
    incidents: IncidentArrays,
    premises: PremisesArrays | None = None,
    policy: DemandPolicy | None = None,
) -> DemandResult:
    """Workload per year by grid, zone and station (see the module docstring for the method)."""
    policy = policy or DemandPolicy()
    n = grids.n_grids
    station_of_grid = grids.station
    if len(incidents) and int(incidents.grid.max()) >= n:  # type: ignore[union-attr]
        raise ValueError(f"incident grid index {int(incidents.grid.max())} is out of range for {n} grids")  # type: ignore[union-attr]
    if premises is not None and len(premises) and int(premises.grid.max()) >= n:  # type: ignore[union-attr]
        raise ValueError(f"premises grid index {int(premises.grid.max())} is out of range for {n} grids")  # type: ignore[union-attr]
    per_year = 1.0 / incidents.years
    g = incidents.grid

    # calls: hours per call from the category table (one lookup per distinct code)
    cats, inverse = np.unique(incidents.category, return_inverse=True)
    times = [policy.time_for(str(c)) for c in cats]
    hours_per_call = np.array([t.officer_hours for t in times])[inverse]
    officers_per_call = np.array([t.officers for t in times])[inverse]

    # travel: base -> incident (or grid centroid), circuity, out and back, urban/rural speed
    tp = policy.travel
    dist_m = np.full(len(incidents), np.nan)
    if incidents.lon is not None:
        dist_m = haversine_m(grids.base_lon[g], grids.base_lat[g], incidents.lon, incidents.lat)  # type: ignore[index]
    located = ~np.isnan(dist_m)
    from_centroid = np.zeros(len(incidents), dtype=bool)
    if grids.centroid_lon is not None:
        from_centroid = ~located
        cdist = haversine_m(grids.base_lon, grids.base_lat, grids.centroid_lon, grids.centroid_lat)
        dist_m = np.where(located, dist_m, cdist[g])
    dist_m = np.nan_to_num(dist_m, nan=0.0)
    speed_kmh = np.where(grids.urban[g], tp.urban_kmh, tp.rural_kmh)  # type: ignore[index]
    legs = 2.0 if tp.round_trip else 1.0
    travel = dist_m / 1000.0 * tp.circuity * legs / speed_kmh
    if tp.with_backup:
        travel = travel * officers_per_call

    counts = np.bincount(g, minlength=n) * per_year
    service = np.bincount(g, weights=hours_per_call, minlength=n) * per_year
    travel_g = np.bincount(g, weights=travel, minlength=n) * per_year

    # inspections: consolidated (max over elements) vs separate (sum over elements)
    ip = policy.inspection
    if premises is not None and len(premises):
        pcats, pinv = np.unique(premises.category, return_inverse=True)
        visits = np.array([ip.visits(str(c)) for c in pcats]).reshape(-1, 2)[pinv]
        pg = premises.grid
        visits_c = np.bincount(pg, weights=visits[:, 0], minlength=n)
        visits_s = np.bincount(pg, weights=visits[:, 1], minlength=n)
        premises_count = np.bincount(pg, minlength=n).astype(float)
    else:
        visits_c = visits_s = premises_count = np.zeros(n)
    insp_c = visits_c * ip.hours_per_visit * ip.officers_per_visit
    insp_s = visits_s * ip.hours_per_element_visit * ip.officers_per_visit

    # basic work by the station type of each grid
    rate_rows = []
    for t in grids.station_type:
        if t not in policy.basic_work:
            raise ValueError(
                f"no basic work rates for station type {t!r}; configured: {sorted(policy.basic_work)}"
            )
        r = policy.basic_work[t]
        rate_rows.append(
            (
                r.visits_per_household * r.hours_per_visit,
                r.hours_per_1000_residents,
                r.hours_per_premises,
                r.patrol_hours_per_km2,
            )
        )
    rates = np.array(rate_rows)[station_of_grid]
    grid_work = Workload(
        grids.codes,  # type: ignore[arg-type]
        incidents=counts,
        service_hours=service,
        travel_hours=travel_g,
        inspection_visits=visits_c,
        inspection_visits_separate=visits_s,
        inspection_hours=insp_c,
        inspection_hours_separate=insp_s,
        household_visit_hours=grids.households * rates[:, 0],  # type: ignore[operator]
        population_hours=grids.residents / 1000.0 * rates[:, 1],  # type: ignore[operator]
        premises_hours=premises_count * rates[:, 2],
        patrol_hours=grids.area_km2 * rates[:, 3],  # type: ignore[operator]
    )
    zones = grid_work.aggregate(grids.zone, grids.zone_codes)  # type: ignore[arg-type]
    stations = zones.aggregate(grids.zone_station, grids.station_codes)  # type: ignore[arg-type]

    s_inc = station_of_grid[g]
    reactive = (hours_per_call + travel) * per_year
    n_st = grids.n_stations
    how = np.bincount(
        s_inc * HOURS_PER_WEEK + incidents.hour_of_week, weights=reactive, minlength=n_st * HOURS_PER_WEEK
    )
    month = np.bincount(s_inc * MONTHS + (incidents.month - 1), weights=reactive, minlength=n_st * MONTHS)  # type: ignore[operator]
    return DemandResult(
        grids=grid_work,
        zones=zones,
        stations=stations,
        station_hour_of_week=how.reshape(n_st, HOURS_PER_WEEK),
        station_month=month.reshape(n_st, MONTHS),
        travel_located=int(located.sum()),
        travel_from_centroid=int(from_centroid.sum()),
        travel_unknown=int((~located & ~from_centroid).sum()),
    )


# --- observed time per call -----------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ObservedTimes:
    """Median minutes per category measured from incident times, with the counts behind them.

    ``on_scene`` = clear - arrive, ``travel`` = arrive - dispatch, ``total`` = clear -
    dispatch, ``desk`` = clear - received for incidents with neither dispatch nor arrival
    (walk-in and online reports handled at the station). Medians are NaN where a category
    has no valid measurement; ``invalid`` counts rows with times out of order (e.g. clear
    before arrival), which are left out.
    """

    categories: tuple[str, ...]
    on_scene: FloatArray
    on_scene_n: IntArray
    travel: FloatArray
    travel_n: IntArray
    total: FloatArray
    total_n: IntArray
    desk: FloatArray
    desk_n: IntArray
    invalid: int

    def table(
        self,
        defaults: Mapping[str, CategoryTime] | None = None,
        *,
        measure: str = "on_scene",
        min_count: int = 30,
    ) -> Mapping[str, CategoryTime]:
        """A category time table: ``defaults`` with ``minutes`` replaced by the observed median of
        ``measure`` where at least ``min_count`` calls were measured (``backup`` is kept).

        Use ``on_scene`` when travel is modelled separately (:class:`TravelPolicy`), ``total``
        when it is not.
        """
        if measure not in ("on_scene", "travel", "total", "desk"):
            raise ValueError(f"measure must be on_scene, travel, total or desk, got {measure!r}")
        if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
            raise ValueError(f"min_count must be a positive int, got {min_count!r}")
        table = dict(default_category_times() if defaults is None else defaults)
        medians, ns = getattr(self, measure), getattr(self, f"{measure}_n")
        for code, minutes, n in zip(self.categories, medians, ns, strict=True):
            if n >= min_count and np.isfinite(minutes):
                base = table.get(code) or table.get(code[:2]) or CategoryTime(0.0)
                table[code] = CategoryTime(float(minutes), base.backup)
        return MappingProxyType(table)

    def as_dict(self) -> dict[str, dict[str, float | int]]:
        out: dict[str, dict[str, float | int]] = {}
        for i, code in enumerate(self.categories):
            out[code] = {}
            for m in ("on_scene", "travel", "total", "desk"):
                out[code][m] = float(getattr(self, m)[i])
                out[code][f"{m}_n"] = int(getattr(self, f"{m}_n")[i])
        return out


def _present(arr: FloatArray | None, n: int) -> FloatArray:
    if arr is None:
        return np.full(n, np.nan)
    return np.where(arr >= 0, arr, np.nan)


def observed_minutes(
    category: npt.ArrayLike,
    dispatch_s: npt.ArrayLike | None = None,
    arrive_s: npt.ArrayLike | None = None,
    clear_s: npt.ArrayLike | None = None,
) -> ObservedTimes:
    """Median time consumed per category from dispatch/arrival/clear times (seconds after the
    report was received; negative or NaN = not recorded).

    Medians rather than means: call durations are right-skewed and a few calls left open
    for hours would drag a mean. The result's :meth:`ObservedTimes.table` turns them into a
    table for :class:`DemandPolicy` (the counts show how much each figure rests on).
    """
    cat = np.asarray(category).astype(str)
    if cat.ndim != 1:
        raise ValueError(f"category must be one-dimensional, got shape {cat.shape}")
    n = len(cat)
    cols = {}
    for name, values in (("dispatch_s", dispatch_s), ("arrive_s", arrive_s), ("clear_s", clear_s)):
        cols[name] = _present(None if values is None else _float_array(name, values, n, allow_nan=True), n)
    d, a, c = cols["dispatch_s"], cols["arrive_s"], cols["clear_s"]
    on_scene = (c - a) / 60.0
    travel = (a - d) / 60.0
    total = (c - d) / 60.0
    desk = np.where(np.isnan(d) & np.isnan(a), c / 60.0, np.nan)
    invalid_rows = (on_scene < 0) | (travel < 0) | (total < 0)
    for arr in (on_scene, travel, total, desk):
        arr[invalid_rows | (arr < 0)] = np.nan

    cats, inverse = np.unique(cat, return_inverse=True)
    out: dict[str, tuple[FloatArray, IntArray]] = {}
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(cats) + 1))
    for name, arr in (("on_scene", on_scene), ("travel", travel), ("total", total), ("desk", desk)):
        med = np.full(len(cats), np.nan)
        cnt = np.zeros(len(cats), dtype=np.int64)
        sorted_vals = arr[order]
        for k in range(len(cats)):
            vals = sorted_vals[bounds[k] : bounds[k + 1]]
            vals = vals[~np.isnan(vals)]
            cnt[k] = len(vals)
            if len(vals):
                med[k] = float(np.median(vals))
        out[name] = (med, cnt)
    return ObservedTimes(
        categories=tuple(str(c) for c in cats),
        on_scene=out["on_scene"][0],
        on_scene_n=out["on_scene"][1],
        travel=out["travel"][0],
        travel_n=out["travel"][1],
        total=out["total"][0],
        total_n=out["total"][1],
        desk=out["desk"][0],
        desk_n=out["desk"][1],
        invalid=int(invalid_rows.sum()),
    )
