"""Inputs of the reassignment (units, officers, weights, settings) and their validation.

Frozen dataclasses checked in ``__post_init__``: bad input raises ``ValueError`` with a
plain message naming the field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from jingwu.engine.staffing import Availability, round_up, shift_relief_factor
from jingwu.engine.vocab import (
    GENDERS,
    OFFICER_KINDS,
    POSTING_ROLES,
    RANKS,
    SKILLS,
    STATION_TYPES,
    UNIT_KINDS,
    Term,
    codes,
)

from . import tuning

#: Unit kinds that do front-line work (a back-office officer moved into one is "operational").
OPERATIONAL_KINDS = frozenset(
    {"station", "zone", "grid", "squad", "investigation_center", "prevention_center"}
)
#: County-wide centers: every movable officer may be sent there (always a candidate).
CENTER_KINDS = frozenset({"investigation_center", "prevention_center"})
#: Posting roles that make a police officer eligible to lead a zone.
DEFAULT_LEAD_ROLES = ("chief", "political_instructor", "deputy_chief", "zone_lead")
#: Unit kinds whose staff count as back office (with the posting role ``back_office``).
BACK_OFFICE_KINDS = frozenset({"department", "headquarters"})

#: Officer kinds in the order the engine indexes them (police 0, auxiliary 1).
OFFICER_KIND_CODES: tuple[str, ...] = codes(OFFICER_KINDS)
#: Rank codes, lowest first, and their order.
RANK_ORDER = {code: i for i, code in enumerate(codes(RANKS))}

# Plausibility bounds of the inputs (validation, not tuning).
MIN_AGE, MAX_AGE = 16, 70
MAX_SKILL_LEVEL = 5

_UNIT_KINDS = codes(UNIT_KINDS)
_SKILLS = codes(SKILLS)


# --- validation helpers ------------------------------------------------------------------


def _ident(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _finite(name: str, value: Any, *, minimum: float | None = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum:g}, got {value!r}")
    return float(value)


def _count(name: str, value: Any, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def _lonlat(name: str, lon: Any, lat: Any) -> None:
    _finite(f"{name} lon", lon, minimum=None)
    _finite(f"{name} lat", lat, minimum=None)
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise ValueError(f"{name} location ({lon}, {lat}) is not a valid lon/lat")


def _known(name: str, value: Any, known: Sequence[str]) -> str:
    if value not in known:
        raise ValueError(f"{name}: unknown code {value!r}; known: {list(known)}")
    return str(value)


# --- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headcount:
    """Target and hard band for one kind of officer in one unit.

    ``target`` may be fractional (an FTE from :func:`jingwu.engine.staffing.plan_units`);
    ``minimum``/``maximum`` are hard (``maximum=None``: no cap). A unit that is being
    dissolved has ``Headcount(0, 0, 0)``.
    """

    target: float = 0.0
    minimum: int = 0
    maximum: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "target", _finite("target", self.target))
        _count("minimum", self.minimum)
        if self.maximum is not None:
            _count("maximum", self.maximum)
            if self.maximum < self.minimum:
                raise ValueError(f"maximum ({self.maximum}) must be >= minimum ({self.minimum})")
        if self.target < self.minimum or (self.maximum is not None and self.target > self.maximum):
            raise ValueError(
                f"target {self.target:g} must lie within [minimum, maximum] = [{self.minimum}, {self.maximum}]"
            )

    @classmethod
    def around(
        cls, target: float, tolerance: float = tuning.HEADCOUNT_TOLERANCE, *, floor: int = 0
    ) -> Headcount:
        """A band of +/- ``tolerance`` around ``target`` (minimum rounded down, maximum up)."""
        _finite("target", target)
        if not (0.0 <= tolerance < 1.0):
            raise ValueError(f"tolerance must be in [0, 1), got {tolerance!r}")
        lo = max(_count("floor", floor), math.floor(target * (1.0 - tolerance) + 1e-9))
        hi = max(lo, round_up(target * (1.0 + tolerance)))
        return cls(target=min(max(float(target), lo), hi), minimum=lo, maximum=hi)


@dataclass(frozen=True)
class SkillRequirement:
    """At least ``minimum`` officers at the unit with ``skill`` at level ``>= min_level``.

    ``officer_kind`` restricts the count to ``"police"`` or ``"auxiliary"`` (None: both).
    Levels run from 1 (basic) to 5 (expert). The investigation center's mix is e.g.
    ``SkillRequirement("investigation", 12, 3, "police")``; each prevention-center
    specialism is a requirement with ``minimum=1`` (or more).
    """

    skill: str
    minimum: int
    min_level: int = 1
    officer_kind: str | None = None

    def __post_init__(self) -> None:
        _known("skill", self.skill, _SKILLS)
        _count(f"skill {self.skill!r} minimum", self.minimum, minimum=1)
        _count(f"skill {self.skill!r} min_level", self.min_level, minimum=1)
        if self.min_level > MAX_SKILL_LEVEL:
            raise ValueError(
                f"skill {self.skill!r} min_level must be <= {MAX_SKILL_LEVEL}, got {self.min_level}"
            )
        if self.officer_kind is not None:
            _known("officer_kind", self.officer_kind, OFFICER_KIND_CODES)

    @property
    def label(self) -> str:
        kind = f" {self.officer_kind}" if self.officer_kind else ""
        return f"{self.skill}>={self.min_level}{kind}"

    def met_by(self, officer: Officer) -> bool:
        if self.officer_kind is not None and officer.kind != self.officer_kind:
            return False
        return officer.level(self.skill) >= self.min_level


@dataclass(frozen=True)
class Unit:
    """A unit officers can be assigned to, with its targets and rules.

    * ``kind`` - a ``vocab.UNIT_KINDS`` code (station, zone, investigation_center,
      prevention_center, department, ...); ``station_type`` a ``vocab.STATION_TYPES`` code.
    * ``lon``/``lat`` - the unit's base (commuting distance is measured to it).
    * ``police``/``auxiliary`` - :class:`Headcount` per officer kind.
    * ``skills`` - :class:`SkillRequirement` rules.
    * ``leads`` - police officers eligible to lead it needed (default 1 for a zone, else 0).
    * ``min_on_duty`` - police on duty in every shift; with ``shifts_per_day`` shifts and
      the relief factor this is a minimum police headcount,
      ``round_up(min_on_duty x shifts_per_day x relief)``.
    * ``workload_hours`` - yearly workload (for officers per hour and :func:`imbalance`).
    * ``target_mean_age`` / ``target_share_female`` - what the balance terms steer this
      unit towards (default: the mean of the officers the units with their own target
      leave to the others). The reform wanted a young investigation center (average age
      32): set ``target_mean_age=32`` there, and a ``balance_weight`` above 1 to make it
      count more than an ordinary unit's mean.
    * ``balance_weight`` - multiplies this unit's age and gender terms (default 1).
    * ``label`` - how messages name the unit: a ``vocab.Term`` of its code and its English
      and Chinese names (e.g. ``Term("P014", "Chengguan Police Station", "城关派出所")``);
      None: messages use ``id``.
    """

    id: str
    kind: str
    lon: float
    lat: float
    police: Headcount = field(default_factory=Headcount)
    auxiliary: Headcount = field(default_factory=Headcount)
    station_type: str | None = None
    parent: str | None = None
    skills: tuple[SkillRequirement, ...] = ()
    leads: int | None = None
    min_on_duty: int = 0
    workload_hours: float | None = None
    target_mean_age: float | None = None
    target_share_female: float | None = None
    balance_weight: float = 1.0
    label: Term | None = None

    def __post_init__(self) -> None:
        _ident("unit id", self.id)
        if self.label is not None and not isinstance(self.label, Term):
            raise ValueError(f"unit {self.id!r} label must be a vocab.Term, got {self.label!r}")
        _known(f"unit {self.id!r} kind", self.kind, _UNIT_KINDS)
        _lonlat(f"unit {self.id!r}", self.lon, self.lat)
        for name in ("police", "auxiliary"):
            if not isinstance(getattr(self, name), Headcount):
                raise ValueError(f"unit {self.id!r} {name} must be a Headcount")
        if self.station_type is not None:
            _known(f"unit {self.id!r} station_type", self.station_type, codes(STATION_TYPES))
        skills = tuple(self.skills)
        for req in skills:
            if not isinstance(req, SkillRequirement):
                raise ValueError(f"unit {self.id!r} skills must be SkillRequirement objects, got {req!r}")
        labels = [r.label for r in skills]
        if len(set(labels)) != len(labels):
            raise ValueError(f"unit {self.id!r} lists a skill requirement twice: {labels}")
        object.__setattr__(self, "skills", skills)
        leads = (1 if self.kind == "zone" else 0) if self.leads is None else self.leads
        object.__setattr__(self, "leads", _count(f"unit {self.id!r} leads", leads))
        _count(f"unit {self.id!r} min_on_duty", self.min_on_duty)
        if self.workload_hours is not None:
            object.__setattr__(
                self, "workload_hours", _finite(f"unit {self.id!r} workload_hours", self.workload_hours)
            )
        if self.target_mean_age is not None:
            age = _finite(f"unit {self.id!r} target_mean_age", self.target_mean_age)
            if not MIN_AGE <= age <= MAX_AGE:
                raise ValueError(
                    f"unit {self.id!r} target_mean_age must be in [{MIN_AGE}, {MAX_AGE}], got {age:g}"
                )
        object.__setattr__(
            self, "balance_weight", _finite(f"unit {self.id!r} balance_weight", self.balance_weight)
        )
        if self.target_share_female is not None:
            share = _finite(f"unit {self.id!r} target_share_female", self.target_share_female)
            if share > 1:
                raise ValueError(f"unit {self.id!r} target_share_female must be in [0, 1], got {share:g}")

    def headcount(self, kind: str) -> Headcount:
        return self.police if kind == "police" else self.auxiliary

    def name(self, language: str = "en") -> str:
        """The unit as messages name it: "name (code)" in ``language`` ("en" or "zh"), else its id."""
        label = self.label
        if label is None:
            return self.id
        text = (label.zh or label.en) if language == "zh" else (label.en or label.zh)
        code = label.code or self.id
        if not text or text == code:
            return code
        return f"{text}（{code}）" if language == "zh" else f"{text} ({code})"


@dataclass(frozen=True)
class Officer:
    """One officer (police or auxiliary) and what the plan may do with them.

    ``skills`` maps ``vocab.SKILLS`` codes to a level 1-5 (a mapping or ``(code, level)``
    pairs; stored as sorted pairs). ``rank`` is a ``vocab.RANKS`` code (auxiliaries have
    ``"none"``), ``role`` a ``vocab.POSTING_ROLES`` code. ``unit`` is the current unit,
    ``lon``/``lat`` the home. ``on_leave`` and ``pinned`` lock the officer in place, and
    so does age ``>= ReassignParams.lock_age`` (near retirement).
    """

    id: str
    kind: str
    age: int
    gender: str
    unit: str
    lon: float
    lat: float
    skills: Mapping[str, int] | tuple[tuple[str, int], ...] = ()
    rank: str = "none"
    role: str = "staff"
    on_leave: bool = False
    pinned: bool = False

    def __post_init__(self) -> None:
        _ident("officer id", self.id)
        who = f"officer {self.id!r}"
        _known(f"{who} kind", self.kind, OFFICER_KIND_CODES)
        _count(f"{who} age", self.age, minimum=MIN_AGE)
        if self.age > MAX_AGE:
            raise ValueError(f"{who} age must be <= {MAX_AGE}, got {self.age}")
        _known(f"{who} gender", self.gender, codes(GENDERS))
        _ident(f"{who} unit", self.unit)
        _lonlat(f"{who} home", self.lon, self.lat)
        pairs = self.skills.items() if isinstance(self.skills, Mapping) else self.skills
        levels: dict[str, int] = {}
        for pair in pairs:
            if not (isinstance(pair, tuple | list) and len(pair) == 2):
                raise ValueError(f"{who} skills must be (code, level) pairs, got {pair!r}")
            code, level = pair
            _known(f"{who} skill", code, _SKILLS)
            _count(f"{who} skill {code!r} level", level, minimum=1)
            if level > MAX_SKILL_LEVEL:
                raise ValueError(f"{who} skill {code!r} level must be <= {MAX_SKILL_LEVEL}, got {level}")
            if code in levels:
                raise ValueError(f"{who} lists skill {code!r} twice")
            levels[code] = level
        object.__setattr__(self, "skills", tuple(sorted(levels.items())))
        _known(f"{who} rank", self.rank, codes(RANKS))
        if self.kind == "auxiliary" and self.rank != "none":
            raise ValueError(f"{who}: auxiliary officers have no police rank, got {self.rank!r}")
        _known(f"{who} role", self.role, codes(POSTING_ROLES))
        for name in ("on_leave", "pinned"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"{who} {name} must be a bool")

    @property
    def skill_levels(self) -> tuple[tuple[str, int], ...]:
        """The skills as sorted ``(code, level)`` pairs (how ``__post_init__`` stores them)."""
        return cast(tuple[tuple[str, int], ...], self.skills)

    def level(self, skill: str) -> int:
        """The officer's level in ``skill`` (0 when they do not have it)."""
        for code, lvl in self.skill_levels:
            if code == skill:
                return lvl
        return 0


@dataclass(frozen=True)
class ObjectiveWeights:
    """Weights of the objective terms (all >= 0; 0 switches a term off).

    The plan minimises ``sum(weight x term)`` over these terms:

    * ``target`` - per person of deviation ``|n - t|`` from each unit's target ``t`` (per
      officer kind; the fair-share target of :func:`fair_share_targets` when
      ``ReassignParams.scale_targets``). With ``ReassignParams.relative_targets`` a person
      counts ``mean unit size / unit size`` times (sizes: police plus auxiliary targets;
      clamped to [0.25, 4]): one officer short hurts a 5-officer zone more than a
      40-officer station, as it does workload per officer.
    * ``age`` - per year x person of ``|sum of (age - reference age)|`` over each unit's
      officers, i.e. ``headcount x |unit mean age - reference|`` (linear in the
      assignment). It is scaled per unit by ``mean unit size / unit size`` (clamped to
      [0.25, 4]) times the unit's ``balance_weight``, so that every unit's *mean* counts
      alike - unscaled, a unit could "improve" by shrinking around its locked old
      officers. The reference is the unit's ``target_mean_age``, else the mean age of
      the officers left once units with their own target have their share.
    * ``gender`` - per person of ``|women - reference share x headcount|`` per unit,
      scaled the same way.
    * ``female_operational`` - *reward* (subtracted) per female back-office officer (role
      ``back_office`` or in a department) moved into an operational unit: the reform's
      spirit, not a rule.
    * ``moves`` - per officer moved.
    * ``commute`` - per km from home to the assigned unit's base, summed over all
      movable officers (staying put counts too, so moving closer home is rewarded).
    * ``workload`` - workload balance, the linear stand-in for :func:`imbalance`: over the
      units with ``workload_hours > 0``, each unit's officers (of the kinds in
      ``ReassignParams.workload_kinds``) against its share by workload of those units'
      targets, ``e = hours x (sum of their targets) / (sum of their hours)``, so
      ``|n - e| / t`` is about how far the unit's hours per officer are from the common
      rate, as a share of it (``t`` the unit's target, at least 1). The term is the sum
      over those units of ``|n - e| / t``. Off by default: with targets set from workload
      (``e = t``) it only breaks ties; with targets set otherwise it trades distance from
      the targets for an even workload per officer, within the bands.

    Age and gender count the officer kinds in ``ReassignParams.balance_kinds``.
    """

    target: float = tuning.WEIGHT_TARGET
    age: float = tuning.WEIGHT_AGE
    gender: float = tuning.WEIGHT_GENDER
    female_operational: float = tuning.WEIGHT_FEMALE_OPERATIONAL
    moves: float = tuning.WEIGHT_MOVES
    commute: float = tuning.WEIGHT_COMMUTE
    workload: float = tuning.WEIGHT_WORKLOAD

    def __post_init__(self) -> None:
        for name in ("target", "age", "gender", "female_operational", "moves", "commute", "workload"):
            object.__setattr__(self, name, _finite(f"weight {name}", getattr(self, name)))


@dataclass(frozen=True)
class ReassignParams:
    """Model and solver settings.

    * ``lock_age`` - officers this old or older stay put (near retirement).
    * ``lead_roles`` / ``lead_min_rank`` - a police officer may lead a zone if their role
      is one of ``lead_roles`` or their rank is at least ``lead_min_rank`` (None: roles only).
    * ``radius_km`` / ``max_candidates`` - candidate units per officer (see
      :func:`candidate_units`).
    * ``shifts_per_day`` and ``availability`` - with ``min_on_duty`` give a unit's minimum
      police headcount; relief factor = (24 / shifts_per_day) x 365 / net hours.
    * ``scale_targets`` - steer towards fair-share targets (targets scaled to the staff
      there are; see :func:`fair_share_targets`); ``relative_targets`` - see
      :class:`ObjectiveWeights`.
    * ``balance_kinds`` - officer kinds whose age and gender are balanced;
      ``workload_kinds`` - officer kinds counted by the workload balance term (both by
      default, as :func:`imbalance` with ``kind=None``); ``workload_units`` - the ids of
      the units whose workload per officer is compared, by that term and by
      :func:`imbalance` (None: every unit with ``workload_hours > 0``). Compare units whose
      hours are on one basis: a unit whose target *is* its hours sits at one officer's
      net hours whatever the plan, and would dominate the figure.
    * solver: ``max_deterministic_time`` (CP-SAT deterministic seconds, roughly seconds on
      one core), ``num_workers`` (more than one worker runs CP-SAT's deterministic
      interleaved search), ``seed``, ``max_wall_seconds`` (optional safety limit - a plan
      cut by it may not reproduce), ``explain`` (find conflicting rule groups when
      infeasible), ``explain_deterministic_time`` (per explanation solve).
    * start heuristics: ``local_search_passes`` (moves and swaps), ``lns_iterations``
      small CP-SAT models of ``lns_units`` linked units each, ``lns_deterministic_time``
      per model, stopping once the models have used ``lns_budget`` deterministic
      seconds in all (None: twice ``max_deterministic_time``, so one knob scales the
      whole effort; see :func:`plan_reassignment`).
    """

    weights: ObjectiveWeights = field(default_factory=ObjectiveWeights)
    lock_age: int = tuning.LOCK_AGE
    lead_roles: tuple[str, ...] = DEFAULT_LEAD_ROLES
    lead_min_rank: str | None = "inspector_3"
    radius_km: float = tuning.RADIUS_KM
    max_candidates: int = tuning.MAX_CANDIDATES
    shifts_per_day: int = tuning.SHIFTS_PER_DAY
    availability: Availability = field(default_factory=Availability)
    scale_targets: bool = True
    relative_targets: bool = True
    balance_kinds: tuple[str, ...] = ("police",)
    workload_kinds: tuple[str, ...] = ("police", "auxiliary")
    workload_units: tuple[str, ...] | None = None
    max_deterministic_time: float = tuning.MAX_DETERMINISTIC_TIME
    num_workers: int = tuning.NUM_WORKERS
    seed: int = 0
    max_wall_seconds: float | None = None
    explain: bool = True
    explain_deterministic_time: float = tuning.EXPLAIN_DETERMINISTIC_TIME
    local_search_passes: int = tuning.LOCAL_SEARCH_PASSES
    lns_iterations: int = tuning.LNS_ITERATIONS
    lns_units: int = tuning.LNS_UNITS
    lns_deterministic_time: float = tuning.LNS_DETERMINISTIC_TIME
    lns_budget: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.weights, ObjectiveWeights):
            raise ValueError("weights must be an ObjectiveWeights")
        _count("lock_age", self.lock_age, minimum=MIN_AGE)
        roles = tuple(self.lead_roles)
        for role in roles:
            _known("lead_roles", role, codes(POSTING_ROLES))
        object.__setattr__(self, "lead_roles", roles)
        if self.lead_min_rank is not None:
            _known("lead_min_rank", self.lead_min_rank, codes(RANKS))
        if _finite("radius_km", self.radius_km) <= 0:
            raise ValueError(f"radius_km must be > 0, got {self.radius_km!r}")
        _count("max_candidates", self.max_candidates, minimum=1)
        _count("shifts_per_day", self.shifts_per_day, minimum=1)
        if not isinstance(self.availability, Availability):
            raise ValueError("availability must be a staffing.Availability")
        kinds = tuple(self.balance_kinds)
        for kind in kinds:
            _known("balance_kinds", kind, OFFICER_KIND_CODES)
        object.__setattr__(self, "balance_kinds", kinds)
        kinds = tuple(self.workload_kinds)
        for kind in kinds:
            _known("workload_kinds", kind, OFFICER_KIND_CODES)
        object.__setattr__(self, "workload_kinds", kinds)
        if self.workload_units is not None:
            ids = tuple(self.workload_units)
            for uid in ids:
                _ident("workload_units", uid)
            object.__setattr__(self, "workload_units", ids)
        if _finite("max_deterministic_time", self.max_deterministic_time) <= 0:
            raise ValueError("max_deterministic_time must be > 0")
        _count("num_workers", self.num_workers, minimum=1)
        _count("seed", self.seed)
        if self.max_wall_seconds is not None and _finite("max_wall_seconds", self.max_wall_seconds) <= 0:
            raise ValueError("max_wall_seconds must be > 0")
        if _finite("explain_deterministic_time", self.explain_deterministic_time) <= 0:
            raise ValueError("explain_deterministic_time must be > 0")
        _count("local_search_passes", self.local_search_passes)
        _count("lns_iterations", self.lns_iterations)
        _count("lns_units", self.lns_units, minimum=2)
        if _finite("lns_deterministic_time", self.lns_deterministic_time) <= 0:
            raise ValueError("lns_deterministic_time must be > 0")
        if self.lns_budget is not None:
            _finite("lns_budget", self.lns_budget)

    @property
    def relief_factor(self) -> float:
        """Officers needed to keep one post filled in one shift every day of the year."""
        return shift_relief_factor(self.availability, shift_hours=24.0 / self.shifts_per_day)


@dataclass(frozen=True)
class ReassignProblem:
    """Units, officers and settings; checks that they fit together."""

    units: tuple[Unit, ...]
    officers: tuple[Officer, ...]
    params: ReassignParams = field(default_factory=ReassignParams)

    def __post_init__(self) -> None:
        units, officers = tuple(self.units), tuple(self.officers)
        if not units:
            raise ValueError("at least one unit is needed")
        if not officers:
            raise ValueError("at least one officer is needed")
        for u in units:
            if not isinstance(u, Unit):
                raise ValueError(f"units must be Unit objects, got {u!r}")
        for o in officers:
            if not isinstance(o, Officer):
                raise ValueError(f"officers must be Officer objects, got {o!r}")
        if not isinstance(self.params, ReassignParams):
            raise ValueError("params must be a ReassignParams")
        ids = [u.id for u in units]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"unit ids must be unique; repeated: {dup}")
        oids = [o.id for o in officers]
        if len(set(oids)) != len(oids):
            seen: set[str] = set()
            dup = sorted({i for i in oids if i in seen or seen.add(i)})  # type: ignore[func-returns-value]
            raise ValueError(f"officer ids must be unique; repeated: {dup}")
        known = set(ids)
        for u in units:
            if u.parent is not None and u.parent not in known:
                raise ValueError(f"unit {u.id!r}: parent {u.parent!r} is not a listed unit")
        for o in officers:
            if o.unit not in known:
                raise ValueError(f"officer {o.id!r}: current unit {o.unit!r} is not a listed unit")
        for uid in self.params.workload_units or ():
            if uid not in known:
                raise ValueError(f"workload_units: {uid!r} is not a listed unit")
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "officers", officers)
