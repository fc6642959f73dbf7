"""From the bureau's records to the engine's inputs: parameters, the state on a date, arrays.

``ScenarioParams`` is every setting of a scenario (stored as JSON on the scenario).
``load_state`` reads the bureau as it was on ``as_of`` (who was posted where, from the
postings history) and the area structure in force from the reform date (grids and
zones), plus the incidents of the chosen period and the key premises, through the
selectors (so a user's scope applies). The ``*_arrays``/``*_problem`` helpers turn that
into the frozen dataclasses of ``jingwu.engine``.

Planning units: officers are planned at the level of stations, centers, departments
and headquarters. A posting in a zone or grid counts for its station, one in a squad
for the center, department or station above it. A unit that no longer exists on the
reform date (merged away) is a planning unit of its own that must be emptied.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q

from jingwu.core.clock import day_bounds, zone
from jingwu.core.scope import restrict
from jingwu.engine import vocab
from jingwu.engine.staffing import DEFAULT_PROACTIVE_SHARES

#: Unit kinds officers are planned at (a posting below one of these counts for it).
PLAN_KINDS = ("headquarters", "department", "investigation_center", "prevention_center", "station")
#: Leader roles kept in place at a unit that continues (``ScenarioParams.pin_leaders``).
LEADER_ROLES = ("chief", "political_instructor")
#: Inspection specialisms the prevention center must hold ("one specialist, many skills").
PC_SKILLS = ("hazardous_chemicals", "fire_safety", "floating_population", "public_order")
# Mean age the stations of a type are steered to (the reform's urban station: 47.6 -> 34.7).
DEFAULT_TYPE_TARGET_AGES = {"full_spectrum": 35.0}
WEIGHT_NAMES = ("target", "age", "gender", "female_operational", "moves", "commute")
DEFAULT_WEIGHTS = {
    "target": 100.0,
    "age": 2.0,
    "gender": 10.0,
    "female_operational": 20.0,
    "moves": 5.0,
    "commute": 0.5,
}


# --- parameters --------------------------------------------------------------------------


@dataclass
class ScenarioParams:
    """Every setting of a planning scenario, with the defaults that reproduce the reform.

    * ``proactive_shares`` - share of station time kept for proactive work, by station type;
      ``admin_share`` - administrative time (staffing, Wilson & Weiss).
    * ``category_minutes`` - optional minutes per call by incident category code
      (overrides ``vocab.INCIDENT_CATEGORIES``; backup officers are kept).
    * ``centralised_share`` - share of criminal cases the investigation center takes over
      (the reform: about 80 %); ``case_hours`` - investigation hours per criminal case
      after the first response (a planning assumption to calibrate); ``ic_proactive_share``
      - the center's own proactive time (series, strikes); ``ic_efficiency`` - the
      center's hours per hour of cases it takes over (0.85: centralised handling saves
      15 %). The centralisation is computed by ``engine.scenario`` (what-if, with a
      ledger that reconciles every hour).
    * ``ic_target_mean_age`` / ``ic_age_weight`` - the young center (average age 32);
      ``ic_investigators`` - share of its police target who must have investigation at
      level 3 or more; ``pc_specialists`` - officers per inspection specialism (level 2+)
      the prevention center needs.
    * ``unit_targets`` - police targets by unit code, for any unit (by default departments
      and headquarters keep their staff, the investigation center follows its cases, the
      prevention center takes the staff of the merged units the investigation center does
      not, the stations share the rest); ``unit_target_ages`` - a mean age to steer a unit
      to (e.g. a young urban station); ``type_target_ages`` - a mean age to steer every
      station of a type to (``unit_target_ages`` wins). By default the full-spectrum
      (urban) stations, which keep a strike squad, are steered to 35: the reform took its
      old urban station from 47.6 to 34.7. The other stations follow the county.
    * ``ic_from_stations`` - share of the investigation center drawn from the stations;
      ``workload_tilt`` - how far each station moves from today's staffing (less what it
      gives the center) towards its share by workload; ``inspections_by_center`` - the
      consolidated inspections are the prevention center's, not the stations' workload;
      ``office_age_weight`` - weight of the departments' and headquarters' mean ages.
    * ``station_overrides`` - ``{station code: {"type": ..., "reason": ...}}``.
    * ``zone_station`` / ``zone_k`` - redesign this station's zones into ``zone_k`` zones.
    * ``weights`` - the reassignment objective (``engine.reassign.ObjectiveWeights``);
      ``time_limit`` CP-SAT deterministic seconds (and as many for the LNS that gives it
      its start), ``workers``, ``seed``;
      ``local_search_passes`` of the engine's start heuristic (each pass costs seconds on
      a thousand staff); ``bootstrap`` runs of the station-type stability.
    * ``retire_lock_age`` - officers this old stay where they are (unless their unit
      closes); ``pin_leaders`` - chiefs and political instructors (and the bureau's
      deputy chiefs at headquarters) stay.
    * ``band`` - +/- share of a unit's target it may deviate (hard); ``min_on_duty`` -
      police on duty per shift at every station.
    * ``workload_weight`` - weight of the even workload per officer across the stations
      (``engine.reassign.ObjectiveWeights.workload``: per station, how far its officers
      are from its share by workload, relative to its size). The station targets keep
      today's proportions (``workload_tilt``); this lets the plan use the band to even
      out hours per officer where it costs little. 3,000: one station 10 % off the common
      rate weighs as much as three officers off target in a mid-sized unit.
    """

    proactive_shares: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_PROACTIVE_SHARES))
    admin_share: float = 0.05
    category_minutes: dict[str, float] = field(default_factory=dict)
    centralised_share: float = 0.8
    case_hours: float = 24.0
    ic_proactive_share: float = 0.2
    ic_efficiency: float = 1.0
    ic_target_mean_age: float = 32.0
    ic_age_weight: float = 4.0
    office_age_weight: float = 0.0
    ic_investigators: float = 0.4
    ic_from_stations: float = 0.6
    pc_specialists: int = 2
    unit_targets: dict[str, float] = field(default_factory=dict)
    unit_target_ages: dict[str, float] = field(default_factory=dict)
    type_target_ages: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_TYPE_TARGET_AGES))
    workload_tilt: float = 0.1
    inspections_by_center: bool = True
    station_overrides: dict[str, dict[str, str]] = field(default_factory=dict)
    zone_station: str = ""
    zone_k: int = 3
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    time_limit: float = 8.0
    workers: int = 1
    seed: int = 0
    local_search_passes: int = 2
    retire_lock_age: int = 57
    pin_leaders: bool = True
    band: float = 0.25
    min_on_duty: int = 1
    bootstrap: int = 200
    workload_weight: float = 3000.0

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Raise ``ValueError`` with a plain message for a bad setting."""
        types = vocab.codes(vocab.STATION_TYPES)
        shares = {str(k): float(v) for k, v in dict(self.proactive_shares).items()}
        for code in types:
            shares.setdefault(code, DEFAULT_PROACTIVE_SHARES[code])
        for code, share in shares.items():
            if code not in types:
                raise ValueError(f"unknown station type {code!r}")
            _share(f"proactive share of {code}", share)
            if share + self.admin_share >= 1:
                raise ValueError(f"proactive share of {code} plus the admin share must be below 1")
        self.proactive_shares = shares
        _share("admin share", self.admin_share)
        minutes = {}
        for code, value in dict(self.category_minutes).items():
            if str(code) not in vocab.CATEGORY_BY_CODE:
                raise ValueError(f"unknown incident category {code!r}")
            v = float(value)
            if not (math.isfinite(v) and 0 < v <= 24 * 60):
                raise ValueError(f"minutes per call of {code} must be in (0, 1440], got {value!r}")
            minutes[str(code)] = v
        self.category_minutes = minutes
        _share("centralised share", self.centralised_share)
        _positive("hours per criminal case", self.case_hours, allow_zero=True)
        _share("investigation center's proactive share", self.ic_proactive_share)
        _positive("the investigation center's hours per hour of cases moved", self.ic_efficiency)
        if self.ic_efficiency > 3:
            raise ValueError("the investigation center's hours per hour of cases moved must be at most 3")
        if self.ic_proactive_share + self.admin_share >= 1:
            raise ValueError(
                "the investigation center's proactive share plus the admin share must be below 1"
            )
        if not 18 <= float(self.ic_target_mean_age) <= 60:
            raise ValueError("the investigation center's target mean age must be between 18 and 60")
        _positive("weight of the center's mean age", self.ic_age_weight, allow_zero=True)
        _positive("weight of the offices' mean age", self.office_age_weight, allow_zero=True)
        _share("share of investigators", self.ic_investigators)
        if not 0 <= float(self.ic_from_stations) <= 1:
            raise ValueError("the share of the center drawn from the stations must be in [0, 1]")
        if not 0 <= float(self.workload_tilt) <= 1:
            raise ValueError("the workload tilt must be in [0, 1]")
        if int(self.pc_specialists) < 0:
            raise ValueError("specialists per inspection element must be >= 0")
        self.unit_targets = {str(k): float(v) for k, v in dict(self.unit_targets).items()}
        for code, value in self.unit_targets.items():
            _positive(f"target of {code}", value, allow_zero=True)
        self.unit_target_ages = {str(k): float(v) for k, v in dict(self.unit_target_ages).items()}
        for code, value in self.unit_target_ages.items():
            if not 18 <= value <= 60:
                raise ValueError(f"target mean age of {code} must be between 18 and 60")
        self.type_target_ages = {str(k): float(v) for k, v in dict(self.type_target_ages).items()}
        for code, value in self.type_target_ages.items():
            if code not in types:
                raise ValueError(f"target mean age by station type: unknown station type {code!r}")
            if not 18 <= value <= 60:
                raise ValueError(f"target mean age of {code} stations must be between 18 and 60")
        overrides = {}
        for code, value in dict(self.station_overrides).items():
            value = {"type": value} if isinstance(value, str) else dict(value)
            if value.get("type") not in types:
                raise ValueError(f"override of {code}: unknown station type {value.get('type')!r}")
            overrides[str(code)] = {"type": value["type"], "reason": str(value.get("reason") or "").strip()}
        self.station_overrides = overrides
        if not 2 <= int(self.zone_k) <= 12:
            raise ValueError("the number of zones must be between 2 and 12")
        weights = dict(DEFAULT_WEIGHTS)
        for name, value in dict(self.weights).items():
            if name not in WEIGHT_NAMES:
                raise ValueError(f"unknown weight {name!r}; known: {', '.join(WEIGHT_NAMES)}")
            _positive(f"weight {name}", value, allow_zero=True)
            weights[name] = float(value)
        self.weights = weights
        if not 0.5 <= float(self.time_limit) <= 3600:
            raise ValueError("the time limit must be between 0.5 and 3,600 seconds")
        if not 1 <= int(self.workers) <= 16:
            raise ValueError("workers must be between 1 and 16")
        if not 0 <= int(self.local_search_passes) <= 50:
            raise ValueError("local search passes must be between 0 and 50")
        if int(self.seed) < 0:
            raise ValueError("the seed must be >= 0")
        if not 30 <= int(self.retire_lock_age) <= 71:
            raise ValueError("the retirement lock age must be between 30 and 71")
        if not 0 <= float(self.band) < 1:
            raise ValueError("the band must be in [0, 1)")
        if not 0 <= int(self.min_on_duty) <= 20:
            raise ValueError("police on duty per shift must be between 0 and 20")
        if not 0 <= int(self.bootstrap) <= 2000:
            raise ValueError("bootstrap runs must be between 0 and 2,000")
        _positive("workload weight", self.workload_weight, allow_zero=True)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ScenarioParams:
        """Build from stored JSON; unknown keys are an error (a typo must not pass silently)."""
        data = dict(data or {})
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown parameters: {', '.join(unknown)}")
        return cls(**data)


def _share(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not (0 <= value < 1):
        raise ValueError(f"{name} must be a share in [0, 1), got {value!r}")


def _positive(name: str, value: Any, *, allow_zero: bool = False) -> None:
    ok = not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a number {'>= 0' if allow_zero else '> 0'}, got {value!r}")


# --- the state of the bureau ---------------------------------------------------------------


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


def _qs(model, user):
    """The model's rows a user may see (the scoping layer), or all of them for the system."""
    if user is None:
        return model._default_manager.all()
    return restrict(model._default_manager.all(), user)


def _centroid(boundary: dict | None) -> tuple[float, float] | None:
    if not boundary:
        return None
    try:
        from jingwu.engine.geo import polygon_from_geojson

        c = polygon_from_geojson(boundary).representative_point()
        return (float(c.x), float(c.y))
    except Exception:
        return None


def load_state(
    bureau,
    *,
    as_of: dt.date,
    reform_date: dt.date,
    incidents_from: dt.date,
    incidents_to: dt.date,
    user=None,
) -> BureauState:
    """Read the bureau's units, the postings current on ``as_of``, incidents and premises."""
    from jingwu.incidents.models import Incident
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Officer, OfficerSkill, Posting
    from jingwu.places.models import Premises

    if reform_date <= as_of:
        raise ValueError("the reform date must come after the day of the state")
    if incidents_to < incidents_from:
        raise ValueError("the incident period ends before it starts")
    rows = list(
        _qs(Unit, user)
        .filter(bureau_id=bureau.pk)
        .values(
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
    )
    if not rows:
        raise ValueError("the bureau has no units")
    by_id = {r["id"]: r for r in rows}
    hq = next((r for r in rows if r["kind"] == "headquarters"), None)
    hq_point = None
    if hq is not None:
        hq_point = (
            (hq["base_lon"], hq["base_lat"]) if hq["base_lon"] is not None else _centroid(hq["boundary"])
        )

    def point(r, depth=0) -> tuple[float, float]:
        if r["base_lon"] is not None and r["base_lat"] is not None:
            return (r["base_lon"], r["base_lat"])
        c = _centroid(r["boundary"])
        if c is not None:
            return c
        if r["parent_id"] in by_id and depth < 20:
            return point(by_id[r["parent_id"]], depth + 1)
        return hq_point or (120.0, 30.0)

    units: dict[int, UnitInfo] = {}
    for r in rows:
        lon, lat = point(r)
        units[r["id"]] = UnitInfo(
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
            boundary=r["boundary"] if r["kind"] in ("grid", "zone", "station") else None,
        )

    def alive(u: UnitInfo) -> bool:
        return u.current_on(reform_date)

    def existed(u: UnitInfo) -> bool:
        return u.current_on(as_of)

    plan_of: dict[int, int] = {}

    def plan_unit(pk: int) -> int:
        if pk in plan_of:
            return plan_of[pk]
        u = units[pk]
        parent = units.get(u.parent_id) if u.parent_id else None
        if u.kind in PLAN_KINDS or parent is None:
            out = pk
        elif not alive(u) and existed(u) and alive(parent):
            out = pk  # a squad merged away under a unit that continues: emptied on its own
        else:
            out = plan_unit(parent.id)
        plan_of[pk] = out
        return out

    # people on the day of the state (one posting each: the latest started, then the highest id)
    post_rows = (
        _qs(Posting, user)
        .filter(bureau_id=bureau.pk, start__lte=as_of)
        .filter(Q(end__isnull=True) | Q(end__gte=as_of))
        .order_by("officer_id", "-start", "-id")
        .values_list("id", "officer_id", "unit_id", "role", "end")
    )
    primary: dict[int, tuple[int, int, str]] = {}
    open_ended: set[int] = set()
    for pid, oid, uid, role, end in post_rows:
        if oid not in primary and uid in units:
            primary[oid] = (pid, uid, role)
            if end is None:
                open_ended.add(oid)
    skills: dict[int, dict[str, int]] = {}
    for oid, code, level in (
        _qs(OfficerSkill, user)
        .filter(bureau_id=bureau.pk, officer_id__in=list(primary))
        .values_list("officer_id", "skill", "level")
    ):
        skills.setdefault(oid, {})[code] = int(level)
    officers: list[OfficerInfo] = []
    for o in (
        _qs(Officer, user)
        .filter(bureau_id=bureau.pk, pk__in=list(primary))
        # serving on the day of the state: a posting that covers it. The status is today's, so
        # it only rules out whom the records still post although they have retired or left;
        # an officer who retired after the state date served on it.
        .exclude(Q(status__in=("retired", "left")) & Q(pk__in=open_ended))
        .order_by("police_number")
        .values(
            "id",
            "police_number",
            "name",
            "kind",
            "gender",
            "birth_date",
            "rank",
            "status",
            "home_lon",
            "home_lat",
        )
    ):
        pid, uid, role = primary[o["id"]]
        pu = plan_unit(uid)
        b = o["birth_date"]
        age = as_of.year - b.year - ((as_of.month, as_of.day) < (b.month, b.day))
        home = (
            (o["home_lon"], o["home_lat"])
            if o["home_lon"] is not None and o["home_lat"] is not None
            else (units[pu].lon, units[pu].lat)
        )
        officers.append(
            OfficerInfo(
                id=o["id"],
                number=o["police_number"],
                name=o["name"],
                kind=o["kind"],
                gender=o["gender"],
                age=max(16, min(70, age)),
                rank=o["rank"] if o["kind"] == "police" else "none",
                # retired or left since the state date: serving on it
                status="active" if o["status"] in ("retired", "left") else o["status"],
                lon=float(home[0]),
                lat=float(home[1]),
                skills=skills.get(o["id"], {}),
                posting_id=pid,
                posting_unit=uid,
                role=role,
                unit=pu,
            )
        )

    # planning units: every unit of a planning kind alive on the reform date, and every unit
    # someone is planned at (a unit that closes keeps its people until the plan moves them)
    continuing = sorted(
        (u.id for u in units.values() if u.kind in PLAN_KINDS and alive(u)),
        key=lambda pk: (PLAN_KINDS.index(units[pk].kind), units[pk].code),
    )
    occupied = {o.unit for o in officers}
    closing = {pk for pk in occupied if not alive(units[pk])}
    plan_units = continuing + sorted(closing, key=lambda pk: units[pk].code)
    plan_units += sorted((occupied - set(plan_units)), key=lambda pk: units[pk].code)

    # the areas in force from the reform date (including those that start later)
    def in_force(u: UnitInfo) -> bool:
        return u.valid_to is None or u.valid_to >= reform_date

    stations = [pk for pk in continuing if units[pk].kind == "station"]
    station_index = {pk: i for i, pk in enumerate(stations)}
    grid_units = sorted((u for u in units.values() if u.kind == "grid" and in_force(u)), key=lambda u: u.code)
    zones: list[int] = []
    zone_index: dict[int, int] = {}
    zone_station: list[int] = []
    grids: list[int] = []
    grid_zone: list[int] = []
    for g in grid_units:
        parent = units.get(g.parent_id) if g.parent_id else None
        if parent is None:
            continue
        if parent.kind == "zone":
            station = units.get(parent.parent_id) if parent.parent_id else None
            zone_key = parent.id
        else:
            station, zone_key = parent, parent.id
        if station is None or station.id not in station_index:
            continue
        if zone_key not in zone_index:
            zone_index[zone_key] = len(zones)
            zones.append(zone_key)
            zone_station.append(station_index[station.id])
        grids.append(g.id)
        grid_zone.append(zone_index[zone_key])
    grid_index = {pk: i for i, pk in enumerate(grids)}

    # incidents of the period (the bureau's local days), located in a grid; their times in
    # the bureau's local time (hour-of-week demand peaks at its own hours)
    tz = zone(bureau)
    start, end = day_bounds(incidents_from, incidents_to, tz)
    inc = (
        _qs(Incident, user)
        .filter(bureau_id=bureau.pk, received_at__gte=start, received_at__lt=end)
        .values_list("grid_id", "category__code", "category__criminal", "received_at", "lon", "lat")
    )
    g_idx, cats, crim, when, lons, lats = [], [], [], [], [], []
    dropped = 0
    for grid_id, code, criminal, received, lon, lat in inc.iterator(chunk_size=5000):
        gi = grid_index.get(grid_id)
        if gi is None:
            dropped += 1
            continue
        g_idx.append(gi)
        cats.append(code)
        crim.append(bool(criminal))
        when.append(received.astimezone(tz).replace(tzinfo=None))
        lons.append(np.nan if lon is None else lon)
        lats.append(np.nan if lat is None else lat)
    prem = (
        _qs(Premises, user)
        .filter(bureau_id=bureau.pk)
        .exclude(status="closed")
        .values_list("grid_id", "category")
    )
    p_idx, p_cat = [], []
    for grid_id, category in prem:
        gi = grid_index.get(grid_id)
        if gi is not None:
            p_idx.append(gi)
            p_cat.append(category)
    days = (incidents_to - incidents_from).days + 1
    return BureauState(
        bureau_id=bureau.pk,
        as_of=as_of,
        reform_date=reform_date,
        incidents_from=incidents_from,
        incidents_to=incidents_to,
        units=units,
        plan_units=plan_units,
        closing=closing,
        officers=officers,
        stations=stations,
        zones=zones,
        grids=grids,
        grid_zone=grid_zone,
        zone_station=zone_station,
        inc_grid=np.asarray(g_idx, dtype=np.int64),
        inc_category=np.asarray(cats, dtype=str) if cats else np.zeros(0, dtype="<U4"),
        inc_received=np.asarray(when, dtype="datetime64[s]"),
        inc_lon=np.asarray(lons, dtype=float),
        inc_lat=np.asarray(lats, dtype=float),
        inc_criminal=np.asarray(crim, dtype=bool),
        inc_dropped=dropped,
        prem_grid=np.asarray(p_idx, dtype=np.int64),
        prem_category=np.asarray(p_cat, dtype=str) if p_cat else np.zeros(0, dtype="<U16"),
        years=days / 365.25,
    )


# --- engine inputs -------------------------------------------------------------------------


def station_profile(state: BureauState):
    """``classify.StationProfile`` of the stations (residents, floating, area, premises, incidents)."""
    from jingwu.engine.classify import StationProfile, urban_share_by_density

    n = len(state.stations)
    g_station = np.array([state.zone_station[z] for z in state.grid_zone], dtype=np.int64)
    res = np.array([state.units[g].residents for g in state.grids], dtype=float)
    area = np.array([max(state.units[g].area_km2, 1e-6) for g in state.grids], dtype=float)
    # 0: no resident data (the classification then says so instead of dividing by one resident)
    st_res = np.array([max(state.units[s].residents, 0) for s in state.stations], dtype=float)
    st_float = np.array([state.units[s].floating for s in state.stations], dtype=float)
    st_area = np.array([state.units[s].area_km2 or 0.0 for s in state.stations], dtype=float)
    grid_res = np.bincount(g_station, weights=res, minlength=n)
    grid_area = np.bincount(g_station, weights=area, minlength=n)
    grid_float = np.bincount(
        g_station, weights=np.array([state.units[g].floating for g in state.grids], dtype=float), minlength=n
    )
    # prefer the grids' sums (the areas in force); fall back to the station's own figures
    residents = np.where(grid_res > 0, grid_res, st_res)
    floating = np.where(grid_res > 0, grid_float, st_float)
    area_km2 = np.where(grid_area > 0, grid_area, np.maximum(st_area, 1e-3))
    premises = (
        np.bincount(g_station[state.prem_grid], minlength=n).astype(float)
        if len(state.prem_grid)
        else np.zeros(n)
    )
    urban = urban_share_by_density(res, area, g_station, n) if len(state.grids) else np.zeros(n, dtype=float)
    months = (
        state.inc_received.astype("datetime64[M]").astype(int) % 12 + 1
        if len(state.inc_grid)
        else np.zeros(0, dtype=int)
    )
    return StationProfile.from_incidents(
        tuple(state.station_codes),
        g_station[state.inc_grid] if len(state.inc_grid) else np.zeros(0, dtype=np.int64),
        months,
        state.inc_criminal,
        residents=residents,
        floating=floating,
        area_km2=area_km2,
        premises=premises,
        urban_share=np.clip(urban, 0.0, 1.0),
        years=state.years,
    )


def grid_arrays(state: BureauState, station_types: Mapping[str, str]):
    """``demand.GridArrays``: each grid's zone (travel starts at the zone's post) and station type."""
    from jingwu.engine.demand import GridArrays

    units = state.units
    base = [units[state.zones[z]] for z in state.grid_zone]
    cent = []
    for g in state.grids:
        c = _centroid(units[g].boundary)
        cent.append(c if c is not None else (units[g].lon, units[g].lat))
    return GridArrays(
        zone=state.grid_zone,
        zone_station=state.zone_station,
        station_type=tuple(station_types[units[s].code] for s in state.stations),
        households=[units[g].households for g in state.grids],
        residents=[units[g].residents for g in state.grids],
        area_km2=[units[g].area_km2 for g in state.grids],
        base_lon=[u.lon for u in base],
        base_lat=[u.lat for u in base],
        centroid_lon=[c[0] for c in cent],
        centroid_lat=[c[1] for c in cent],
        codes=tuple(units[g].code for g in state.grids),
        zone_codes=tuple(units[z].code for z in state.zones),
        station_codes=tuple(state.station_codes),
    )


def incident_arrays(state: BureauState):
    from jingwu.engine.demand import IncidentArrays

    return IncidentArrays.from_timestamps(
        state.inc_grid,
        state.inc_category,
        state.inc_received,
        lon=state.inc_lon,
        lat=state.inc_lat,
        years=state.years,
    )


def premises_arrays(state: BureauState):
    from jingwu.engine.demand import PremisesArrays

    return PremisesArrays(state.prem_grid, state.prem_category)


def demand_policy(params: ScenarioParams):
    from jingwu.engine.demand import CategoryTime, DemandPolicy, default_category_times

    times = dict(default_category_times())
    for code, minutes in params.category_minutes.items():
        times[code] = CategoryTime(float(minutes), times[code].backup if code in times else 0.0)
    return DemandPolicy(category_times=times)
