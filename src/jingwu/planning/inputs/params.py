"""Every setting of a planning scenario (``ScenarioParams``), its defaults and its checks."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

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

# Bounds of the settings (the form and ``validate`` check them; the messages name them).
MAX_MINUTES_PER_CALL = 24 * 60  # a call takes at most a day
MAX_IC_EFFICIENCY = 3.0  # the center's hours per hour of cases it takes over
MIN_TARGET_AGE, MAX_TARGET_AGE = 18.0, 60.0  # a unit's mean age: working ages
MIN_ZONES, MAX_ZONES = 2, 12  # zones of a redesigned station
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 0.5, 3600.0  # CP-SAT deterministic seconds
MAX_WORKERS = 16  # CP-SAT workers
MAX_LOCAL_SEARCH_PASSES = 50  # of the engine's start heuristic
MIN_RETIRE_LOCK_AGE, MAX_RETIRE_LOCK_AGE = 30, 71  # 71: above every serving age
MAX_ON_DUTY = 20  # police on duty per shift at a station
MAX_BOOTSTRAP = 2000  # bootstrap runs of the station-type stability


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
        """Raise ``ValueError`` with a plain message for a bad setting (first bad one wins)."""
        self._check_shares()
        self._check_category_minutes()
        self._check_centers()
        self._check_unit_targets()
        self._check_overrides()
        self._check_weights()
        self._check_solver()
        self._check_rules()

    def _check_shares(self) -> None:
        """Proactive share by station type (defaults filled in) and the admin share."""
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

    def _check_category_minutes(self) -> None:
        minutes = {}
        for code, value in dict(self.category_minutes).items():
            if str(code) not in vocab.CATEGORY_BY_CODE:
                raise ValueError(f"unknown incident category {code!r}")
            v = float(value)
            if not (math.isfinite(v) and 0 < v <= MAX_MINUTES_PER_CALL):
                raise ValueError(f"minutes per call of {code} must be in (0, 1440], got {value!r}")
            minutes[str(code)] = v
        self.category_minutes = minutes

    def _check_centers(self) -> None:
        """The investigation center's cases, hours and age; the draw, the tilt, the specialists."""
        _share("centralised share", self.centralised_share)
        _positive("hours per criminal case", self.case_hours, allow_zero=True)
        _share("investigation center's proactive share", self.ic_proactive_share)
        _positive("the investigation center's hours per hour of cases moved", self.ic_efficiency)
        if self.ic_efficiency > MAX_IC_EFFICIENCY:
            raise ValueError("the investigation center's hours per hour of cases moved must be at most 3")
        if self.ic_proactive_share + self.admin_share >= 1:
            raise ValueError(
                "the investigation center's proactive share plus the admin share must be below 1"
            )
        if not MIN_TARGET_AGE <= float(self.ic_target_mean_age) <= MAX_TARGET_AGE:
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

    def _check_unit_targets(self) -> None:
        """Targets and target ages by unit code, target ages by station type."""
        types = vocab.codes(vocab.STATION_TYPES)
        self.unit_targets = {str(k): float(v) for k, v in dict(self.unit_targets).items()}
        for code, value in self.unit_targets.items():
            _positive(f"target of {code}", value, allow_zero=True)
        self.unit_target_ages = {str(k): float(v) for k, v in dict(self.unit_target_ages).items()}
        for code, value in self.unit_target_ages.items():
            if not MIN_TARGET_AGE <= value <= MAX_TARGET_AGE:
                raise ValueError(f"target mean age of {code} must be between 18 and 60")
        self.type_target_ages = {str(k): float(v) for k, v in dict(self.type_target_ages).items()}
        for code, value in self.type_target_ages.items():
            if code not in types:
                raise ValueError(f"target mean age by station type: unknown station type {code!r}")
            if not MIN_TARGET_AGE <= value <= MAX_TARGET_AGE:
                raise ValueError(f"target mean age of {code} stations must be between 18 and 60")

    def _check_overrides(self) -> None:
        """Station type overrides (a bare type or ``{"type", "reason"}``) and the zone redesign."""
        types = vocab.codes(vocab.STATION_TYPES)
        overrides = {}
        for code, value in dict(self.station_overrides).items():
            value = {"type": value} if isinstance(value, str) else dict(value)
            if value.get("type") not in types:
                raise ValueError(f"override of {code}: unknown station type {value.get('type')!r}")
            overrides[str(code)] = {"type": value["type"], "reason": str(value.get("reason") or "").strip()}
        self.station_overrides = overrides
        if not MIN_ZONES <= int(self.zone_k) <= MAX_ZONES:
            raise ValueError("the number of zones must be between 2 and 12")

    def _check_weights(self) -> None:
        weights = dict(DEFAULT_WEIGHTS)
        for name, value in dict(self.weights).items():
            if name not in WEIGHT_NAMES:
                raise ValueError(f"unknown weight {name!r}; known: {', '.join(WEIGHT_NAMES)}")
            _positive(f"weight {name}", value, allow_zero=True)
            weights[name] = float(value)
        self.weights = weights

    def _check_solver(self) -> None:
        if not MIN_TIME_LIMIT <= float(self.time_limit) <= MAX_TIME_LIMIT:
            raise ValueError("the time limit must be between 0.5 and 3,600 seconds")
        if not 1 <= int(self.workers) <= MAX_WORKERS:
            raise ValueError("workers must be between 1 and 16")
        if not 0 <= int(self.local_search_passes) <= MAX_LOCAL_SEARCH_PASSES:
            raise ValueError("local search passes must be between 0 and 50")
        if int(self.seed) < 0:
            raise ValueError("the seed must be >= 0")

    def _check_rules(self) -> None:
        """The hard rules (lock age, band, on duty), the bootstrap runs, the workload weight."""
        if not MIN_RETIRE_LOCK_AGE <= int(self.retire_lock_age) <= MAX_RETIRE_LOCK_AGE:
            raise ValueError("the retirement lock age must be between 30 and 71")
        if not 0 <= float(self.band) < 1:
            raise ValueError("the band must be in [0, 1)")
        if not 0 <= int(self.min_on_duty) <= MAX_ON_DUTY:
            raise ValueError("police on duty per shift must be between 0 and 20")
        if not 0 <= int(self.bootstrap) <= MAX_BOOTSTRAP:
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
