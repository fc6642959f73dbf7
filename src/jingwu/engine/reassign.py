"""Where do the people go? Reassigning officers to units after the reform (CP-SAT).

The reform regroups a county bureau: an investigation center staffed by young officers
drawn from the stations, a prevention center that needs every public-order specialism,
zones led by deputy chiefs, old stations made younger, female officers moved from back
offices into operational units. This module turns that into an assignment problem:

* **Decision.** Each officer goes to one unit (possibly the one they are in). Only a
  short list of *candidate* units is modelled per officer (:func:`candidate_units`): the
  current unit, the centers, units whose skill requirements the officer meets, and the
  nearest other units within ``radius_km`` of home, at most ``max_candidates`` in all.
  Locked officers (near retirement, on leave, pinned) have one candidate: where they are.
* **Hard rules**, in named groups: headcount min/max per unit and officer kind, the
  police a unit needs to keep ``min_on_duty`` officers on duty every shift (with the
  shift relief factor of :mod:`jingwu.engine.staffing`), zone leads, skill requirements
  (the investigation center's investigators, the prevention center's specialisms),
  locked officers staying put.
* **Objective** (weights in :class:`ObjectiveWeights`; all terms documented there):
  deviation from the (fair-share) targets, age balance, gender balance, a reward for
  moving female back-office officers into operational units, number of moves,
  commuting distance.
* **Output** (:class:`ReassignmentPlan`): moves with reason codes and numbers, per-unit
  figures before and after, solver status, objective, best bound and gap, and - when the
  rules cannot all hold - which rule groups conflict: rules impossible by counting alone
  are reported at once; otherwise CP-SAT assumption literals, one per rule group, and
  ``SufficientAssumptionsForInfeasibility`` give a core, shrunk to a minimal set by
  deletion.

Two baselines take the same inputs: :func:`proportional_baseline` (split each kind of
staff over the units in proportion to their targets, largest remainders) and
:func:`greedy_baseline` (repair the hard rules, then move officers from the most
over-target to the most under-target unit). :func:`imbalance` is the coefficient of
variation of workload hours per officer across units, the figure the benchmark compares.

**Search.** CP-SAT alone finds good plans slowly on this model (the age and gender
terms are absolute values of long sums, and its generic neighbourhoods rarely improve
them), so :func:`plan_reassignment` hands it a start: the greedy baseline, improved by
a local search (moves and swaps on the model's own objective) and a unit-neighbourhood
LNS (small CP-SAT models over a few linked units, solved one after another). The full
model then improves that start, proves a bound and reports the gap.

Every stage is deterministic: fixed orders, a seeded neighbourhood choice, CP-SAT with
fixed parameters (``random_seed``, ``num_workers``, interleaved search when more than
one worker) and *deterministic* time limits, so the same inputs give the same plan
whatever the machine load.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ortools.sat.python import cp_model

from jingwu.engine.geo import distance_m
from jingwu.engine.staffing import Availability, round_up, shift_relief_factor
from jingwu.engine.vocab import (
    GENDERS,
    OFFICER_KINDS,
    POSTING_ROLES,
    RANKS,
    SKILLS,
    STATION_TYPES,
    UNIT_KINDS,
    codes,
)

__all__ = [
    "CENTER_KINDS",
    "DEFAULT_LEAD_ROLES",
    "OPERATIONAL_KINDS",
    "Headcount",
    "Move",
    "ObjectiveWeights",
    "Officer",
    "ReassignParams",
    "ReassignProblem",
    "ReassignmentPlan",
    "RuleConflict",
    "SkillRequirement",
    "Unit",
    "UnitFigures",
    "candidate_units",
    "fair_share_targets",
    "greedy_baseline",
    "imbalance",
    "plan_reassignment",
    "proportional_baseline",
    "rule_violations",
    "unit_figures",
]

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

_RANK_ORDER = {code: i for i, code in enumerate(codes(RANKS))}
_UNIT_KINDS = codes(UNIT_KINDS)
_OFFICER_KINDS = codes(OFFICER_KINDS)
_SKILLS = codes(SKILLS)
_STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}
# Objective points per unit of weighted objective (CP-SAT needs integer coefficients).
_POINTS = 1000


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
    return value


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
    def around(cls, target: float, tolerance: float = 0.15, *, floor: int = 0) -> Headcount:
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
        if self.min_level > 5:
            raise ValueError(f"skill {self.skill!r} min_level must be <= 5, got {self.min_level}")
        if self.officer_kind is not None:
            _known("officer_kind", self.officer_kind, _OFFICER_KINDS)

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

    def __post_init__(self) -> None:
        _ident("unit id", self.id)
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
            if not 16 <= age <= 70:
                raise ValueError(f"unit {self.id!r} target_mean_age must be in [16, 70], got {age:g}")
        object.__setattr__(
            self, "balance_weight", _finite(f"unit {self.id!r} balance_weight", self.balance_weight)
        )
        if self.target_share_female is not None:
            share = _finite(f"unit {self.id!r} target_share_female", self.target_share_female)
            if share > 1:
                raise ValueError(f"unit {self.id!r} target_share_female must be in [0, 1], got {share:g}")

    def headcount(self, kind: str) -> Headcount:
        return self.police if kind == "police" else self.auxiliary


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
        _known(f"{who} kind", self.kind, _OFFICER_KINDS)
        _count(f"{who} age", self.age, minimum=16)
        if self.age > 70:
            raise ValueError(f"{who} age must be <= 70, got {self.age}")
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
            if level > 5:
                raise ValueError(f"{who} skill {code!r} level must be <= 5, got {level}")
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

    def level(self, skill: str) -> int:
        """The officer's level in ``skill`` (0 when they do not have it)."""
        for code, lvl in self.skills:  # type: ignore[misc]
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

    target: float = 100.0
    age: float = 1.0
    gender: float = 10.0
    female_operational: float = 20.0
    moves: float = 10.0
    commute: float = 0.5
    workload: float = 0.0

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
    lock_age: int = 57
    lead_roles: tuple[str, ...] = DEFAULT_LEAD_ROLES
    lead_min_rank: str | None = "inspector_3"
    radius_km: float = 30.0
    max_candidates: int = 15
    shifts_per_day: int = 3
    availability: Availability = field(default_factory=Availability)
    scale_targets: bool = True
    relative_targets: bool = True
    balance_kinds: tuple[str, ...] = ("police",)
    workload_kinds: tuple[str, ...] = ("police", "auxiliary")
    workload_units: tuple[str, ...] | None = None
    max_deterministic_time: float = 8.0
    num_workers: int = 2
    seed: int = 0
    max_wall_seconds: float | None = None
    explain: bool = True
    explain_deterministic_time: float = 10.0
    local_search_passes: int = 8
    lns_iterations: int = 50
    lns_units: int = 8
    lns_deterministic_time: float = 1.0
    lns_budget: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.weights, ObjectiveWeights):
            raise ValueError("weights must be an ObjectiveWeights")
        _count("lock_age", self.lock_age, minimum=16)
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
            _known("balance_kinds", kind, _OFFICER_KINDS)
        object.__setattr__(self, "balance_kinds", kinds)
        kinds = tuple(self.workload_kinds)
        for kind in kinds:
            _known("workload_kinds", kind, _OFFICER_KINDS)
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


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    """One officer moved, with the reasons as ``(code, *numbers)`` tuples.

    Reason codes: ``("fills_target", unit, kind, gap)`` (the destination was ``gap``
    short of its target), ``("relieves_surplus", unit, kind, surplus)``,
    ``("unit_closing", unit)``, ``("skill_needed", skill, min_level, required, before)``,
    ``("lead_needed", unit, required, before)``, ``("age_balance", unit, before, after)``
    (mean age of the destination or origin moving towards its reference),
    ``("gender_balance", unit, before, after)`` (share of women),
    ``("female_to_operational", from_kind, to_kind)``, and always
    ``("commute_km", new_km, old_km)``.
    """

    officer: str
    from_unit: str
    to_unit: str
    reasons: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class RuleConflict:
    """A hard-rule group that fails (in a plan) or cannot hold together with others.

    ``rule`` is one of ``headcount_min``, ``headcount_max``, ``on_duty``, ``lead``,
    ``skill``, ``locked``, ``candidates``; ``group`` its unique name (e.g.
    ``"skill:IC:investigation>=3 police"``). ``required`` is what the rule needs,
    ``available`` how many officers could at best satisfy it (for a conflict) or have
    it (for a violation).
    """

    group: str
    rule: str
    unit: str | None
    required: int | None
    available: int | None
    message: str


@dataclass(frozen=True)
class UnitFigures:
    """A unit's staff under one assignment.

    ``target_police``/``target_auxiliary`` are the (fair-share) targets the plan steers
    to; ``hours_per_officer`` and ``officers_per_1000_hours`` need ``workload_hours``;
    ``requirements`` lists ``(label, required, have)`` for each skill requirement and the
    lead rule (``"lead"``); ``skills_covered`` the skills at least one officer holds.
    """

    unit: str
    kind: str
    police: int
    auxiliary: int
    target_police: float
    target_auxiliary: float
    workload_hours: float | None
    hours_per_officer: float | None
    officers_per_1000_hours: float | None
    mean_age: float | None
    share_female: float | None
    requirements: tuple[tuple[str, int, int], ...]
    requirements_met: bool
    skills_covered: tuple[str, ...]

    @property
    def headcount(self) -> int:
        return self.police + self.auxiliary


@dataclass(frozen=True)
class ReassignmentPlan:
    """The CP-SAT plan.

    ``status`` is CP-SAT's (OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN, MODEL_INVALID);
    ``objective``/``best_bound`` are in weighted objective units (see
    :class:`ObjectiveWeights`); ``gap = (objective - bound) / max(1, |objective|)``.
    ``terms`` holds each term's unweighted value (persons, year x persons, km, moves).
    ``assignment`` maps every officer to a unit (the current one when no plan was
    found). ``conflicts`` names the rule groups that cannot hold together when the
    instance is infeasible (a minimal set when ``minimal_conflict``).
    ``start_objective`` is the cost of the start (greedy, local search, LNS) handed to
    CP-SAT as a hint (it includes a penalty of 10^6 per officer missing from a hard
    rule; None when the instance failed the counting check before any search).
    ``stage_seconds`` splits ``wall_seconds`` by stage; ``deterministic_seconds``
    adds up CP-SAT's deterministic time over the LNS steps and the full solve.
    """

    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    terms: Mapping[str, float]
    moves: tuple[Move, ...]
    assignment: Mapping[str, str]
    before: tuple[UnitFigures, ...]
    after: tuple[UnitFigures, ...]
    imbalance_before: float | None
    imbalance_after: float | None
    conflicts: tuple[RuleConflict, ...]
    minimal_conflict: bool
    start_objective: float | None
    wall_seconds: float
    stage_seconds: Mapping[str, float]
    deterministic_seconds: float
    variables: int

    @property
    def feasible(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    @property
    def conflict_summary(self) -> str:
        if not self.conflicts:
            return ""
        return "These rules cannot all be met together: " + "; ".join(c.message for c in self.conflicts)


# --- preparation -------------------------------------------------------------------------


@dataclass
class _Prep:
    problem: ReassignProblem
    uidx: dict[str, int]
    cur: list[int]
    dist_km: list[list[float]]
    locked: list[str | None]
    lead_ok: list[bool]
    cand_free: list[list[int]]
    cand: list[list[int]]
    fair: dict[tuple[int, str], float]
    ref_age: list[float]
    ref_female: list[float]
    on_duty_min: list[int]
    back_office: list[bool]
    county_age: float
    county_female: float


def _lock_reason(o: Officer, params: ReassignParams) -> str | None:
    if o.pinned:
        return "pinned"
    if o.on_leave:
        return "on_leave"
    if o.age >= params.lock_age:
        return "near_retirement"
    return None


def _lead_eligible(o: Officer, params: ReassignParams) -> bool:
    if o.kind != "police":
        return False
    if o.role in params.lead_roles:
        return True
    return params.lead_min_rank is not None and _RANK_ORDER[o.rank] >= _RANK_ORDER[params.lead_min_rank]


def _fair_share(targets: list[float], mins: list[int], maxs: list[int | None], total: int) -> list[float]:
    """Scale ``targets`` to add up to ``total``, clamping into [min, max] (water-filling)."""
    if math.fsum(targets) <= 0:
        return list(targets)
    fixed: dict[int, float] = {}
    scale = 1.0
    for _ in range(len(targets) + 1):
        free = [i for i in range(len(targets)) if i not in fixed and targets[i] > 0]
        rest = total - math.fsum(fixed.values())
        weight = math.fsum(targets[i] for i in free)
        if weight <= 0:
            break
        scale = max(rest, 0.0) / weight
        changed = False
        for i in free:
            v = targets[i] * scale
            if v < mins[i]:
                fixed[i], changed = float(mins[i]), True
            elif maxs[i] is not None and v > maxs[i]:  # type: ignore[operator]
                fixed[i], changed = float(maxs[i]), True  # type: ignore[arg-type]
        if not changed:
            break
    return [fixed.get(i, targets[i] * scale if targets[i] > 0 else targets[i]) for i in range(len(targets))]


def fair_share_targets(problem: ReassignProblem) -> dict[tuple[str, str], float]:
    """Each unit's target per officer kind, scaled so the targets add up to the staff.

    When a county has fewer (or more) officers of a kind than its units' targets add up
    to, every target is scaled by ``staff / sum of targets``; a scaled target outside a
    unit's [minimum, maximum] band is clamped and the rest rescaled (water-filling). With
    ``params.scale_targets=False`` the targets are returned unchanged.
    Keys are ``(unit id, officer kind)``.
    """
    units = problem.units
    out: dict[tuple[str, str], float] = {}
    for kind in _OFFICER_KINDS:
        targets = [u.headcount(kind).target for u in units]
        if problem.params.scale_targets:
            total = sum(1 for o in problem.officers if o.kind == kind)
            targets = _fair_share(
                targets,
                [u.headcount(kind).minimum for u in units],
                [u.headcount(kind).maximum for u in units],
                total,
            )
        for u, t in zip(units, targets, strict=True):
            out[(u.id, kind)] = t
    return out


def _can_take(unit: Unit, kind: str) -> bool:
    hc = unit.headcount(kind)
    return hc.maximum is None or hc.maximum > 0


def _prepare(problem: ReassignProblem) -> _Prep:
    params = problem.params
    units, officers = problem.units, problem.officers
    uidx = {u.id: i for i, u in enumerate(units)}
    cur = [uidx[o.unit] for o in officers]
    dist = [[distance_m(o.lon, o.lat, u.lon, u.lat) / 1000.0 for u in units] for o in officers]
    locked = [_lock_reason(o, params) for o in officers]
    lead_ok = [_lead_eligible(o, params) for o in officers]
    cand_free: list[list[int]] = []
    for oi, o in enumerate(officers):
        cand_free.append(_candidates(o, cur[oi], units, dist[oi], lead_ok[oi], params))
    cand = [[cur[oi]] if locked[oi] else cand_free[oi] for oi in range(len(officers))]
    fs = fair_share_targets(problem)
    fair = {(uidx[uid], kind): t for (uid, kind), t in fs.items()}
    balanced = [o for o in officers if o.kind in params.balance_kinds] or list(officers)
    county_age = math.fsum(o.age for o in balanced) / len(balanced)
    county_female = sum(1 for o in balanced if o.gender == "F") / len(balanced)
    kinds = params.balance_kinds
    size = [math.fsum(fair[(ui, k)] for k in kinds) for ui in range(len(units))]
    rest_age = _rest_mean(
        math.fsum(o.age for o in balanced),
        len(balanced),
        [(size[ui], u.target_mean_age) for ui, u in enumerate(units) if u.target_mean_age is not None],
        county_age,
    )
    rest_female = _rest_mean(
        float(sum(1 for o in balanced if o.gender == "F")),
        len(balanced),
        [
            (size[ui], u.target_share_female)
            for ui, u in enumerate(units)
            if u.target_share_female is not None
        ],
        county_female,
    )
    ref_age = [rest_age if u.target_mean_age is None else u.target_mean_age for u in units]
    ref_female = [rest_female if u.target_share_female is None else u.target_share_female for u in units]
    relief = params.relief_factor
    on_duty = [round_up(u.min_on_duty * params.shifts_per_day * relief) for u in units]
    back_office = [
        o.role == "back_office" or units[cur[i]].kind in BACK_OFFICE_KINDS for i, o in enumerate(officers)
    ]
    return _Prep(
        problem=problem,
        uidx=uidx,
        cur=cur,
        dist_km=dist,
        locked=locked,
        lead_ok=lead_ok,
        cand_free=cand_free,
        cand=cand,
        fair=fair,
        ref_age=ref_age,
        ref_female=ref_female,
        on_duty_min=on_duty,
        back_office=back_office,
        county_age=county_age,
        county_female=county_female,
    )


def _rest_mean(total: float, count: int, taken: Sequence[tuple[float, float]], default: float) -> float:
    """Mean of what is left once units with their own target take ``size x target`` each.

    A young investigation center (target 32) leaves the other units older than the county
    mean; steering them to the plain county mean would leave an excess of years no unit
    can absorb, so they are steered to the mean of the rest instead.
    """
    rest_n = count - math.fsum(n for n, _ in taken)
    if rest_n <= 0.5:
        return default
    return (total - math.fsum(n * t for n, t in taken)) / rest_n


def _candidates(
    o: Officer,
    cur: int,
    units: Sequence[Unit],
    dist: Sequence[float],
    lead_ok: bool,
    params: ReassignParams,
) -> list[int]:
    """Candidate unit indices for a movable officer (current unit first)."""
    order = sorted(range(len(units)), key=lambda u: (dist[u], units[u].id))
    first: list[int] = []
    rest: list[int] = []
    for u in order:
        unit = units[u]
        if u == cur or not _can_take(unit, o.kind):
            continue
        needed = unit.kind in CENTER_KINDS or any(r.met_by(o) for r in unit.skills)
        if needed:
            first.append(u)
        elif dist[u] <= params.radius_km or (lead_ok and unit.leads > 0 and dist[u] <= 2 * params.radius_km):
            rest.append(u)
    return ([cur] + first + rest)[: params.max_candidates]


def candidate_units(problem: ReassignProblem) -> dict[str, tuple[str, ...]]:
    """The units modelled for each officer (the plan can only choose among these).

    For a locked officer: the current unit. Otherwise, in this order and cut at
    ``max_candidates``: the current unit; the centers (``CENTER_KINDS``) and units with a
    skill requirement the officer meets (any distance, nearest first); other units
    within ``radius_km`` of home (lead-eligible officers: units needing a lead within
    twice the radius), nearest first. Units whose band for the officer's kind has
    ``maximum == 0`` are left out.
    """
    prep = _prepare(problem)
    units = problem.units
    return {o.id: tuple(units[u].id for u in prep.cand[i]) for i, o in enumerate(problem.officers)}


# --- figures, rules and the imbalance metric ---------------------------------------------


def _assignment_index(
    problem: ReassignProblem, prep: _Prep, assignment: Mapping[str, str] | None
) -> list[int]:
    if assignment is None:
        return list(prep.cur)
    out = []
    for o in problem.officers:
        uid = assignment.get(o.id, o.unit)
        if uid not in prep.uidx:
            raise ValueError(f"assignment sends officer {o.id!r} to unknown unit {uid!r}")
        out.append(prep.uidx[uid])
    return out


def _figures(prep: _Prep, where: Sequence[int]) -> tuple[UnitFigures, ...]:
    problem = prep.problem
    units, officers = problem.units, problem.officers
    members: list[list[int]] = [[] for _ in units]
    for oi, u in enumerate(where):
        members[u].append(oi)
    kinds = problem.params.balance_kinds
    out = []
    for ui, unit in enumerate(units):
        staff = [officers[i] for i in members[ui]]
        police = sum(1 for o in staff if o.kind == "police")
        aux = len(staff) - police
        bal = [o for o in staff if o.kind in kinds]
        reqs = [(r.label, r.minimum, sum(1 for o in staff if r.met_by(o))) for r in unit.skills]
        if unit.leads:
            reqs.append(("lead", unit.leads, sum(1 for i in members[ui] if prep.lead_ok[i])))
        w = unit.workload_hours
        n = len(staff)
        out.append(
            UnitFigures(
                unit=unit.id,
                kind=unit.kind,
                police=police,
                auxiliary=aux,
                target_police=round(prep.fair[(ui, "police")], 3),
                target_auxiliary=round(prep.fair[(ui, "auxiliary")], 3),
                workload_hours=w,
                hours_per_officer=(w / n if n else None) if w is not None else None,
                officers_per_1000_hours=(1000.0 * n / w if w else None) if w is not None else None,
                mean_age=math.fsum(o.age for o in bal) / len(bal) if bal else None,
                share_female=sum(1 for o in bal if o.gender == "F") / len(bal) if bal else None,
                requirements=tuple(reqs),
                requirements_met=all(have >= need for _, need, have in reqs),
                skills_covered=tuple(sorted({code for o in staff for code, _ in o.skills})),  # type: ignore[misc]
            )
        )
    return tuple(out)


def unit_figures(
    problem: ReassignProblem, assignment: Mapping[str, str] | None = None
) -> tuple[UnitFigures, ...]:
    """Per-unit figures for ``assignment`` (officer id -> unit id; None: the current one)."""
    prep = _prepare(problem)
    return _figures(prep, _assignment_index(problem, prep, assignment))


def _compared(problem: ReassignProblem) -> list[bool]:
    """Units whose workload per officer is compared (``params.workload_units``, with hours)."""
    chosen = problem.params.workload_units
    keep = None if chosen is None else set(chosen)
    return [
        u.workload_hours is not None and u.workload_hours > 0 and (keep is None or u.id in keep)
        for u in problem.units
    ]


def _imbalance(problem: ReassignProblem, counts: Sequence[int]) -> float | None:
    loads = []
    for unit, n, use in zip(problem.units, counts, _compared(problem), strict=True):
        if use:
            loads.append(float(unit.workload_hours or 0.0) / max(n, 1))
    if len(loads) < 2:
        return None
    mean = math.fsum(loads) / len(loads)
    var = math.fsum((x - mean) ** 2 for x in loads) / len(loads)
    return math.sqrt(var) / mean if mean > 0 else None


def imbalance(
    problem: ReassignProblem, assignment: Mapping[str, str] | None = None, *, kind: str | None = None
) -> float | None:
    """Coefficient of variation (population std / mean) of workload hours per officer.

    Taken over the units with ``workload_hours > 0`` (only those listed in
    ``params.workload_units`` when it is set); a unit left with no officers counts
    as one officer (so the figure stays finite). ``kind`` counts only police or only
    auxiliaries (None: both). 0 means every unit carries the same hours per officer.
    Returns None when fewer than two units have workload.
    """
    if kind is not None:
        _known("kind", kind, _OFFICER_KINDS)
    prep = _prepare(problem)
    where = _assignment_index(problem, prep, assignment)
    counts = [0] * len(problem.units)
    for oi, u in enumerate(where):
        if kind is None or problem.officers[oi].kind == kind:
            counts[u] += 1
    return _imbalance(problem, counts)


def _group_available(prep: _Prep, rule: str, ui: int, arg: Any) -> int:
    """Officers who could at best satisfy a rule group (for messages)."""
    officers = prep.problem.officers

    def can(oi: int) -> bool:
        if prep.cur[oi] == ui:
            return True
        return (not prep.locked[oi]) and ui in prep.cand[oi]

    if rule in ("headcount_min", "on_duty"):
        return sum(1 for oi, o in enumerate(officers) if o.kind == arg and can(oi))
    if rule == "headcount_max":
        return sum(
            1 for oi, o in enumerate(officers) if o.kind == arg and prep.locked[oi] and prep.cur[oi] == ui
        )
    if rule == "lead":
        return sum(1 for oi in range(len(officers)) if prep.lead_ok[oi] and can(oi))
    if rule == "skill":
        return sum(1 for oi, o in enumerate(officers) if arg.met_by(o) and can(oi))
    if rule == "locked":
        return sum(1 for oi in range(len(officers)) if prep.locked[oi] and prep.cur[oi] == ui)
    return 0


def _group_message(
    prep: _Prep, rule: str, ui: int | None, arg: Any, required: int | None, avail: int | None
) -> str:
    params = prep.problem.params
    uid = prep.problem.units[ui].id if ui is not None else ""
    if rule == "headcount_min":
        return f"{uid} needs at least {required} {arg} officers, only {avail} can be placed there"
    if rule == "headcount_max":
        return f"{uid} allows at most {required} {arg} officers, {avail} are locked there"
    if rule == "on_duty":
        unit = prep.problem.units[ui]  # type: ignore[index]
        return (
            f"{uid} needs {required} police to keep {unit.min_on_duty} on duty in each of "
            f"{params.shifts_per_day} shifts (relief factor {params.relief_factor:.2f}), "
            f"only {avail} can be placed there"
        )
    if rule == "lead":
        rank = f" or rank >= {params.lead_min_rank}" if params.lead_min_rank else ""
        return (
            f"{uid} needs {required} zone lead(s) (roles {', '.join(params.lead_roles)}{rank}), "
            f"only {avail} eligible officers can be placed there"
        )
    if rule == "skill":
        return (
            f"{uid} skill mix needs {required} {arg.skill} level>={arg.min_level}"
            f"{' ' + arg.officer_kind if arg.officer_kind else ''}, only {avail} movable or already there"
        )
    if rule == "locked":
        return f"{avail} officers locked at {uid} (age >= {params.lock_age}, on leave or pinned) must stay"
    if rule == "candidates":
        return (
            f"officers may only move to their candidate units (at most {params.max_candidates} each: "
            f"the centers, units needing their skills, then units within {params.radius_km:g} km of home)"
        )
    return rule


def _rules(prep: _Prep) -> list[tuple[str, str, int | None, Any, int | None]]:
    """All hard-rule groups: (name, rule, unit index, argument, required)."""
    out: list[tuple[str, str, int | None, Any, int | None]] = []
    for ui, unit in enumerate(prep.problem.units):
        for kind in _OFFICER_KINDS:
            hc = unit.headcount(kind)
            if hc.minimum > 0:
                out.append((f"headcount_min:{unit.id}:{kind}", "headcount_min", ui, kind, hc.minimum))
            if hc.maximum is not None:
                out.append((f"headcount_max:{unit.id}:{kind}", "headcount_max", ui, kind, hc.maximum))
        if prep.on_duty_min[ui] > 0:
            out.append((f"on_duty:{unit.id}", "on_duty", ui, "police", prep.on_duty_min[ui]))
        if unit.leads:
            out.append((f"lead:{unit.id}", "lead", ui, None, unit.leads))
        for req in unit.skills:
            out.append((f"skill:{unit.id}:{req.label}", "skill", ui, req, req.minimum))
    return out


def _rule_count(prep: _Prep, rule: str, ui: int, arg: Any, members: Sequence[int]) -> int:
    officers = prep.problem.officers
    if rule in ("headcount_min", "headcount_max", "on_duty"):
        return sum(1 for oi in members if officers[oi].kind == arg)
    if rule == "lead":
        return sum(1 for oi in members if prep.lead_ok[oi])
    return sum(1 for oi in members if arg.met_by(officers[oi]))


def _violations(prep: _Prep, where: Sequence[int]) -> tuple[RuleConflict, ...]:
    members: list[list[int]] = [[] for _ in prep.problem.units]
    for oi, u in enumerate(where):
        members[u].append(oi)
    out = []
    for name, rule, ui, arg, required in _rules(prep):
        have = _rule_count(prep, rule, ui, arg, members[ui])  # type: ignore[index]
        bad = have > required if rule == "headcount_max" else have < required  # type: ignore[operator]
        if bad:
            uid = prep.problem.units[ui].id  # type: ignore[index]
            what = "at most" if rule == "headcount_max" else "at least"
            label = arg.label if rule == "skill" else (arg or "lead")
            out.append(
                RuleConflict(
                    name, rule, uid, required, have, f"{uid} has {have} {label}, needs {what} {required}"
                )
            )
    for oi, reason in enumerate(prep.locked):
        if reason and where[oi] != prep.cur[oi]:
            o = prep.problem.officers[oi]
            uid = prep.problem.units[prep.cur[oi]].id
            out.append(
                RuleConflict(
                    f"locked:{uid}", "locked", uid, None, None, f"officer {o.id} is {reason} but moved"
                )
            )
    return tuple(out)


def rule_violations(problem: ReassignProblem, assignment: Mapping[str, str]) -> tuple[RuleConflict, ...]:
    """Hard rules an assignment breaks (empty for a valid plan); used to check baselines."""
    prep = _prepare(problem)
    return _violations(prep, _assignment_index(problem, prep, assignment))


# --- baselines ---------------------------------------------------------------------------


def _largest_remainder(weights: Sequence[float], total: int) -> list[int]:
    s = math.fsum(weights)
    if s <= 0 or total <= 0:
        return [0] * len(weights)
    exact = [w * total / s for w in weights]
    base = [math.floor(e) for e in exact]
    left = total - sum(base)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return base


def proportional_baseline(problem: ReassignProblem) -> dict[str, str]:
    """Split each officer kind over the units in proportion to their targets.

    Quotas: the staff of each kind shared out in proportion to the units' ``target``,
    rounded by largest remainders. Locked officers stay (and count against their unit's
    quota); the other officers already in a unit keep their place up to its quota
    (shortest commute first); the rest go, in id order, to the nearest unit with quota
    left (or stay when none is left). Skills, leads, bands and the candidate radius are
    ignored - this is the planner's spreadsheet, "feasible-ish".
    """
    prep = _prepare(problem)
    units, officers = problem.units, problem.officers
    where = list(prep.cur)
    for kind in _OFFICER_KINDS:
        staff = [oi for oi, o in enumerate(officers) if o.kind == kind]
        quota = _largest_remainder([u.headcount(kind).target for u in units], len(staff))
        left = list(quota)
        pool: list[int] = []
        for oi in staff:
            if prep.locked[oi]:
                left[prep.cur[oi]] -= 1
        by_unit: dict[int, list[int]] = {}
        for oi in staff:
            if not prep.locked[oi]:
                by_unit.setdefault(prep.cur[oi], []).append(oi)
        for ui in sorted(by_unit):
            keep = sorted(by_unit[ui], key=lambda oi: (prep.dist_km[oi][ui], officers[oi].id))
            for oi in keep:
                if left[ui] > 0:
                    left[ui] -= 1
                else:
                    pool.append(oi)
        for oi in sorted(pool, key=lambda oi: officers[oi].id):
            open_units = [ui for ui in range(len(units)) if left[ui] > 0]
            if not open_units:
                continue
            ui = min(open_units, key=lambda u: (prep.dist_km[oi][u], units[u].id))
            where[oi] = ui
            left[ui] -= 1
    return {o.id: units[where[i]].id for i, o in enumerate(officers)}


def greedy_baseline(problem: ReassignProblem) -> dict[str, str]:
    """A greedy repair-and-balance plan over the same candidate units as CP-SAT.

    1. Skill requirements, then zone leads, then headcount and on-duty minimums, unit by
       unit: while one is short, bring the qualifying movable officer from the unit with
       the largest surplus over its (fair-share) target (nearest home first) that can
       spare them (the donor keeps its own minimums and requirements).
    2. Maximums: push officers out to the candidate unit furthest below its target.
    3. Balance: while moving an officer from a unit above its target to one below it
       reduces the total absolute deviation, make the move with the largest gain
       (largest surplus and deficit first; nearest home among the officers who can go).

    Locked officers never move. Deterministic; rules it cannot repair stay broken.
    """
    prep = _prepare(problem)
    units, officers = problem.units, problem.officers
    nu = len(units)
    where = list(prep.cur)
    count = {(u, k): 0 for u in range(nu) for k in _OFFICER_KINDS}
    members: list[set[int]] = [set() for _ in range(nu)]
    for oi, o in enumerate(officers):
        count[(where[oi], o.kind)] += 1
        members[where[oi]].add(oi)
    rules = _rules(prep)
    by_unit: dict[int, list[int]] = {}
    for ri, r in enumerate(rules):
        by_unit.setdefault(r[2], []).append(ri)  # type: ignore[arg-type]
    rc = [_rule_count(prep, rule, ui, arg, list(members[ui])) for _n, rule, ui, arg, _r in rules]  # type: ignore[index]

    def qualifies(oi: int, ri: int) -> bool:
        _n, rule, _u, arg, _r = rules[ri]
        if rule in ("headcount_min", "headcount_max", "on_duty"):
            return officers[oi].kind == arg
        if rule == "lead":
            return prep.lead_ok[oi]
        return arg.met_by(officers[oi])

    def can_leave(oi: int) -> bool:
        for ri in by_unit.get(where[oi], ()):
            if rules[ri][1] != "headcount_max" and qualifies(oi, ri) and rc[ri] - 1 < rules[ri][4]:  # type: ignore[operator]
                return False
        return True

    def can_join(oi: int, ui: int) -> bool:
        hc = units[ui].headcount(officers[oi].kind)
        return hc.maximum is None or count[(ui, officers[oi].kind)] < hc.maximum

    def surplus(ui: int, kind: str) -> float:
        return count[(ui, kind)] - prep.fair[(ui, kind)]

    def move(oi: int, ui: int) -> None:
        k, src = officers[oi].kind, where[oi]
        for ri in by_unit.get(src, ()):
            if qualifies(oi, ri):
                rc[ri] -= 1
        for ri in by_unit.get(ui, ()):
            if qualifies(oi, ri):
                rc[ri] += 1
        count[(src, k)] -= 1
        members[src].discard(oi)
        where[oi] = ui
        count[(ui, k)] += 1
        members[ui].add(oi)

    def pull(ri: int) -> bool:
        ui = rules[ri][2]
        best = None
        for oi in range(len(officers)):
            if prep.locked[oi] or where[oi] == ui or ui not in prep.cand[oi]:
                continue
            if not qualifies(oi, ri) or not can_join(oi, ui) or not can_leave(oi):  # type: ignore[arg-type]
                continue
            key = (-surplus(where[oi], officers[oi].kind), prep.dist_km[oi][ui], officers[oi].id)  # type: ignore[index]
            if best is None or key < best[0]:
                best = (key, oi)
        if best is None:
            return False
        move(best[1], ui)  # type: ignore[arg-type]
        return True

    phases = (("skill",), ("lead",), ("headcount_min", "on_duty"))
    for phase in phases:
        for ri, (_n, rule, _ui, _arg, required) in enumerate(rules):
            if rule in phase:
                while rc[ri] < required and pull(ri):  # type: ignore[operator]
                    pass
    for ri, (_n, rule, ui, kind, required) in enumerate(rules):
        if rule != "headcount_max":
            continue
        while rc[ri] > required:  # type: ignore[operator]
            best = None
            for oi in sorted(members[ui], key=lambda i: officers[i].id):  # type: ignore[index]
                if officers[oi].kind != kind or prep.locked[oi] or not can_leave(oi):
                    continue
                for vi in prep.cand[oi]:
                    if vi != ui and can_join(oi, vi):
                        key = (surplus(vi, kind), prep.dist_km[oi][vi], officers[oi].id, units[vi].id)
                        if best is None or key < best[0]:
                            best = (key, oi, vi)
            if best is None:
                break
            move(best[1], best[2])
    # balance: best unit pair first, then the nearest officer who can make that move
    for _ in range(4 * len(officers)):
        pairs = []
        for k in _OFFICER_KINDS:
            over = [(u, surplus(u, k)) for u in range(nu) if surplus(u, k) > 0.5]
            under = [(v, surplus(v, k)) for v in range(nu) if surplus(v, k) < -0.5 + 1e-9]
            for u, s in over:
                for v, d in under:
                    gain = abs(s) + abs(d) - abs(s - 1) - abs(d + 1)
                    if gain > 1e-9:
                        pairs.append(((-gain, -(s - d), units[u].id, units[v].id, k), u, v, k))
        pairs.sort(key=lambda p: p[0])
        moved = False
        for _key, u, v, k in pairs:
            best = None
            for oi in members[u]:
                if officers[oi].kind != k or prep.locked[oi] or v not in prep.cand[oi]:
                    continue
                if not can_join(oi, v) or not can_leave(oi):
                    continue
                key = (prep.dist_km[oi][v], officers[oi].id)
                if best is None or key < best[0]:
                    best = (key, oi)
            if best is not None:
                move(best[1], v)
                moved = True
                break
        if not moved:
            break
    return {o.id: units[where[i]].id for i, o in enumerate(officers)}


# --- objective coefficients and local search -------------------------------------------


@dataclass
class _Coefficients:
    """Integer objective coefficients shared by the CP-SAT model and the local search.

    Units: target deviation in tenths of a person (``t10`` = round(10 x target)), age in
    tenths of a year (``a10``, ``r_age``), women in hundredths (``f100``, ``s_fem``),
    commute in tenths of a km (``km10``). ``per[o][u]`` is the officer-level cost of
    putting officer ``o`` in unit ``u`` (commute + move - female-to-operational reward).
    Workload balance: ``wl_e10[u]`` the unit's share by workload in tenths of a person,
    ``wl_c[u]`` points per tenth off it (0: no term), ``wl_k[k]`` whether kind ``k`` counts.
    """

    t10: list[list[int]]
    cdev: list[list[int]]
    dev_min: list[list[int]]
    r_age: list[int]
    s_fem: list[int]
    c_age: list[int]
    c_fem: list[int]
    bal: list[bool]
    a10: list[int]
    f100: list[int]
    km10: list[dict[int, int]]
    per: list[dict[int, int]]
    fo: list[frozenset[int]]
    wl_e10: list[int]
    wl_c: list[int]
    wl_k: tuple[bool, bool]


def _min_deviation(t10: int, band: Headcount) -> int:
    """Smallest ``|10 n - t10|`` over whole headcounts ``n`` in the band.

    A headcount is a whole number, so a target of 7.3 is missed by at least 0.3 however
    the officers are placed; giving the deviation variable this lower bound lifts the LP
    bound by the unavoidable rounding (the LP alone would place 7.3 officers).
    """
    lo, hi = band.minimum, band.maximum if band.maximum is not None else max(band.minimum, t10 // 10 + 1)
    return min(abs(10 * n - t10) for n in {min(max(t10 // 10, lo), hi), min(max(-(-t10 // 10), lo), hi)})


def _coefficients(prep: _Prep) -> _Coefficients:
    problem = prep.problem
    params = problem.params
    w = params.weights
    units, officers = problem.units, problem.officers
    # relative targets: a person counts (mean unit size / unit size) times, both kinds together
    unit_size = [math.fsum(prep.fair[(ui, k)] for k in _OFFICER_KINDS) for ui in range(len(units))]
    pos = [x for x in unit_size if x > 0]
    mean_unit = math.fsum(pos) / len(pos) if pos else 1.0
    t10, cdev, dev_min = [], [], []
    for ui in range(len(units)):
        row_t, row_c, row_m = [], [], []
        factor = min(4.0, max(0.25, mean_unit / max(unit_size[ui], 1.0))) if params.relative_targets else 1.0
        for k in _OFFICER_KINDS:
            t = prep.fair[(ui, k)]
            row_t.append(round(10 * t))
            row_c.append(round(_POINTS * w.target * factor / 10))
            row_m.append(_min_deviation(row_t[-1], units[ui].headcount(k)))
        t10.append(row_t)
        cdev.append(row_c)
        dev_min.append(row_m)
    c_km = _POINTS * w.commute / 10
    c_move = round(_POINTS * w.moves)
    c_fo = round(_POINTS * w.female_operational)
    km10: list[dict[int, int]] = []
    per: list[dict[int, int]] = []
    fo: list[frozenset[int]] = []
    for oi, o in enumerate(officers):
        c = prep.cur[oi]
        kms = {ui: round(10 * prep.dist_km[oi][ui]) for ui in prep.cand[oi]}
        eligible = o.gender == "F" and prep.back_office[oi] and not prep.locked[oi]
        f = frozenset(
            ui for ui in prep.cand[oi] if eligible and ui != c and units[ui].kind in OPERATIONAL_KINDS
        )
        km10.append(kms)
        fo.append(f)
        if prep.locked[oi]:
            per.append({ui: 0 for ui in prep.cand[oi]})
        else:
            per.append(
                {
                    ui: round(c_km * kms[ui]) + (c_move if ui != c else 0) - (c_fo if ui in f else 0)
                    for ui in prep.cand[oi]
                }
            )
    bal = set(params.balance_kinds)
    # each unit's mean counts alike: |sum of (age - ref)| is scaled by mean size / size
    size = [math.fsum(prep.fair[(ui, k)] for k in bal) for ui in range(len(units))]
    pos = [x for x in size if x > 0]
    mean_size = math.fsum(pos) / len(pos) if pos else 1.0
    scale = [
        min(4.0, max(0.25, mean_size / max(x, 1.0))) * u.balance_weight
        for x, u in zip(size, units, strict=True)
    ]
    wl_e10, wl_c = _workload_coefficients(prep)
    return _Coefficients(
        t10=t10,
        cdev=cdev,
        dev_min=dev_min,
        r_age=[round(10 * a) for a in prep.ref_age],
        s_fem=[round(100 * s) for s in prep.ref_female],
        c_age=[round(_POINTS * w.age * f / 10) for f in scale],
        c_fem=[round(_POINTS * w.gender * f / 100) for f in scale],
        bal=[o.kind in bal for o in officers],
        a10=[10 * o.age for o in officers],
        f100=[100 if o.gender == "F" else 0 for o in officers],
        km10=km10,
        per=per,
        fo=fo,
        wl_e10=wl_e10,
        wl_c=wl_c,
        wl_k=(_OFFICER_KINDS[0] in params.workload_kinds, _OFFICER_KINDS[1] in params.workload_kinds),
    )


def _workload_coefficients(prep: _Prep) -> tuple[list[int], list[int]]:
    """Each unit's share by workload (tenths of a person) and points per tenth off it.

    Over the compared units (``workload_units`` with ``workload_hours > 0``): share ``e = hours x T / H`` with ``T`` the
    sum of their (fair-share) targets of the ``workload_kinds`` and ``H`` the sum of their
    hours; a tenth of a person off it costs ``weight / (10 x max(t, 1))`` (relative to
    the unit's own target ``t``). All zero when the weight is 0 or fewer than two units
    have workload.
    """
    problem = prep.problem
    params = problem.params
    units = problem.units
    nu = len(units)
    w = params.weights.workload
    kinds = params.workload_kinds
    loaded = [ui for ui, use in enumerate(_compared(problem)) if use]
    if w <= 0 or len(loaded) < 2 or not kinds:
        return [0] * nu, [0] * nu
    size = [math.fsum(prep.fair[(ui, k)] for k in kinds) for ui in range(nu)]
    hours = math.fsum(float(units[ui].workload_hours or 0.0) for ui in loaded)
    staff = math.fsum(size[ui] for ui in loaded)
    e10, cost = [0] * nu, [0] * nu
    for ui in loaded:
        e10[ui] = round(10 * float(units[ui].workload_hours or 0.0) * staff / hours)
        cost[ui] = max(1, round(_POINTS * w / (10 * max(size[ui], 1.0))))
    return e10, cost


_VIOLATION = 10**9  # search penalty per officer missing from (or over) a hard rule


class _Search:
    """Assignment state for the primal heuristics (moves, swaps, unit-neighbourhood LNS).

    The cost is the CP-SAT model's integer objective plus ``_VIOLATION`` points per
    officer missing from (or over) a hard rule, so the search also repairs a start that
    breaks rules. Everything is deterministic (fixed orders, seeded choices).
    """

    def __init__(self, prep: _Prep, start: Sequence[int]) -> None:
        self.prep = prep
        problem = prep.problem
        self.units, self.officers = problem.units, problem.officers
        self.co = _coefficients(prep)
        nu, no = len(self.units), len(self.officers)
        self.kidx = [_OFFICER_KINDS.index(o.kind) for o in self.officers]
        self.rules = _rules(prep)
        self.rule_at: list[list[int]] = [[] for _ in range(nu)]
        for ri, r in enumerate(self.rules):
            self.rule_at[r[2]].append(ri)  # type: ignore[index]
        self.is_max = [r[1] == "headcount_max" for r in self.rules]
        self.need = [int(r[4]) for r in self.rules]  # type: ignore[arg-type]
        self.qual = [
            {ui: [ri for ri in self.rule_at[ui] if self._qualifies(oi, ri)] for ui in prep.cand[oi]}
            for oi in range(no)
        ]
        self.cand_set = [frozenset(c) for c in prep.cand]
        where = list(start)
        for oi in range(no):  # a start outside the candidates (e.g. a locked officer moved) is reset
            if where[oi] not in self.cand_set[oi]:
                where[oi] = prep.cur[oi] if prep.cur[oi] in self.cand_set[oi] else prep.cand[oi][0]
        self.where = where
        self.n = [[0, 0] for _ in range(nu)]
        self.age = [0] * nu
        self.fem = [0] * nu
        self.rc = [0] * len(self.rules)
        self.members: list[set[int]] = [set() for _ in range(nu)]
        for oi in range(no):
            self._add(oi, where[oi], 1)
        self.cost_u = [self.unit_cost(ui) for ui in range(nu)]
        self.movable = [oi for oi in range(no) if not prep.locked[oi] and len(prep.cand[oi]) > 1]
        self.origin: list[list[int]] = [[] for _ in range(nu)]
        for oi in self.movable:
            self.origin[prep.cur[oi]].append(oi)
        self.improvements = 0

    def _qualifies(self, oi: int, ri: int) -> bool:
        _n, rule, _u, arg, _r = self.rules[ri]
        if rule in ("headcount_min", "headcount_max", "on_duty"):
            return self.officers[oi].kind == arg
        if rule == "lead":
            return self.prep.lead_ok[oi]
        return arg.met_by(self.officers[oi])

    def _add(self, oi: int, ui: int, sign: int) -> None:
        co = self.co
        self.n[ui][self.kidx[oi]] += sign
        if co.bal[oi]:
            self.age[ui] += sign * (co.a10[oi] - co.r_age[ui])
            self.fem[ui] += sign * (co.f100[oi] - co.s_fem[ui])
        for ri in self.qual[oi][ui]:
            self.rc[ri] += sign
        if sign > 0:
            self.members[ui].add(oi)
        else:
            self.members[ui].discard(oi)

    def unit_cost(self, ui: int) -> int:
        co = self.co
        c = co.c_age[ui] * abs(self.age[ui]) + co.c_fem[ui] * abs(self.fem[ui])
        for ki in (0, 1):
            c += co.cdev[ui][ki] * abs(10 * self.n[ui][ki] - co.t10[ui][ki])
        if co.wl_c[ui]:
            n = sum(self.n[ui][ki] for ki in (0, 1) if co.wl_k[ki])
            c += co.wl_c[ui] * abs(10 * n - co.wl_e10[ui])
        for ri in self.rule_at[ui]:
            gap = self.rc[ri] - self.need[ri] if self.is_max[ri] else self.need[ri] - self.rc[ri]
            if gap > 0:
                c += _VIOLATION * gap
        return c

    def relocate(self, oi: int, ui: int) -> None:
        self._add(oi, self.where[oi], -1)
        self._add(oi, ui, 1)
        self.where[oi] = ui

    def total(self) -> int:
        return sum(self.cost_u) + sum(self.co.per[oi][self.where[oi]] for oi in range(len(self.officers)))

    def local_search(self, max_passes: int) -> None:
        """Best single move, else best same-kind swap, for each movable officer in turn."""
        co, cand, where, cost_u = self.co, self.prep.cand, self.where, self.cost_u
        for _ in range(max_passes):
            improved = False
            for oi in self.movable:
                u = where[oi]
                best_delta, best = 0, None
                for v in cand[oi]:
                    if v == u:
                        continue
                    base = cost_u[u] + cost_u[v] + co.per[oi][u]
                    self.relocate(oi, v)
                    delta = self.unit_cost(u) + self.unit_cost(v) + co.per[oi][v] - base
                    self.relocate(oi, u)
                    if delta < best_delta:
                        best_delta, best = delta, v
                if best is not None:
                    self.relocate(oi, best)
                    cost_u[u], cost_u[best] = self.unit_cost(u), self.unit_cost(best)
                    improved = True
                    continue
                best_delta, best_pair = 0, None
                for v in cand[oi]:
                    if v == u:
                        continue
                    for oj in sorted(self.members[v]):
                        if (
                            self.kidx[oj] != self.kidx[oi]
                            or self.prep.locked[oj]
                            or u not in self.cand_set[oj]
                        ):
                            continue
                        base = cost_u[u] + cost_u[v] + co.per[oi][u] + co.per[oj][v]
                        self.relocate(oi, v)
                        self.relocate(oj, u)
                        delta = self.unit_cost(u) + self.unit_cost(v) + co.per[oi][v] + co.per[oj][u] - base
                        self.relocate(oj, v)
                        self.relocate(oi, u)
                        if delta < best_delta:
                            best_delta, best_pair = delta, (oj, v)
                if best_pair is not None:
                    oj, v = best_pair
                    self.relocate(oi, v)
                    self.relocate(oj, u)
                    cost_u[u], cost_u[v] = self.unit_cost(u), self.unit_cost(v)
                    improved = True
            if not improved:
                break

    def _neighbourhood(self, rng: random.Random, size: int, links: list[dict[int, int]]) -> list[int]:
        """A seed unit (every other step weighted by its cost) and ``size - 1`` linked units.

        Units are linked by officers who may move between them, and more strongly by
        officers who have moved between them in the current plan (so a move can be
        undone or passed on).
        """
        nu = len(self.units)
        if rng.random() < 0.5:
            seed = rng.randrange(nu)
        else:
            weights = [max(1, c) for c in self.cost_u]
            pick = rng.random() * sum(weights)
            acc, seed = 0.0, nu - 1
            for ui, wgt in enumerate(weights):
                acc += wgt
                if pick < acc:
                    seed = ui
                    break
        chosen = [seed]
        while len(chosen) < size:
            pool: dict[int, int] = {}
            for ui in chosen:
                for vi, c in links[ui].items():
                    pool[vi] = pool.get(vi, 0) + c
                for oi in self.members[ui]:
                    c = self.prep.cur[oi]
                    if c != ui:
                        pool[c] = pool.get(c, 0) + 10
                for oi in self.origin[ui]:
                    w = self.where[oi]
                    if w != ui:
                        pool[w] = pool.get(w, 0) + 10
            for ui in chosen:
                pool.pop(ui, None)
            if not pool:
                break
            keys = sorted(pool)
            pick = rng.random() * sum(pool[k] for k in keys)
            acc = 0.0
            for k in keys:
                acc += pool[k]
                if pick < acc:
                    chosen.append(k)
                    break
            else:
                chosen.append(keys[-1])
        return sorted(chosen)

    def _links(self) -> list[dict[int, int]]:
        """How strongly units are tied: officers who may move between them."""
        links: list[dict[int, int]] = [{} for _ in self.units]
        for oi in self.movable:
            c = self.prep.cur[oi]
            for vi in self.prep.cand[oi]:
                if vi != c:
                    links[c][vi] = links[c].get(vi, 0) + 1
                    links[vi][c] = links[vi].get(c, 0) + 1
        return links

    def lns(
        self, iterations: int, seed: int, size: int, deterministic_time: float, budget: float = math.inf
    ) -> float:
        """Re-solve the officers of a few linked units exactly with CP-SAT, many times.

        Each step picks a unit (more likely the costlier ones) and ``size - 1`` units
        (``size`` at most a quarter of all units) tied to it by officers who may move
        between them, frees every movable officer now in those units (each restricted
        to the chosen units among their candidates), solves that small model within
        ``deterministic_time`` and keeps the result when it is better. Counts improving steps in ``self.improvements``; returns the CP-SAT
        deterministic time spent.
        """
        if iterations <= 0 or not self.movable or len(self.units) < 2:
            return 0.0
        rng = random.Random(seed)
        links = self._links()
        spent = 0.0
        size = min(size, max(2, len(self.units) // 4))
        for _ in range(iterations):
            if spent >= budget:
                break
            chosen = self._neighbourhood(rng, size, links)
            spent += self._resolve(chosen, min(deterministic_time, max(budget - spent, 0.01)))
        return spent

    def _resolve(self, chosen: Sequence[int], deterministic_time: float) -> float:
        co, prep = self.co, self.prep
        inside = set(chosen)
        free: list[tuple[int, list[int]]] = []
        fixed: list[int] = []
        for ui in chosen:
            for oi in sorted(self.members[ui]):
                opts = [v for v in prep.cand[oi] if v in inside] if not prep.locked[oi] else [ui]
                if len(opts) > 1:
                    free.append((oi, opts))
                else:
                    fixed.append(oi)
        if not free:
            return 0.0
        m = cp_model.CpModel()
        y: dict[tuple[int, int], cp_model.IntVar] = {}
        by_unit: dict[int, list[int]] = {ui: [] for ui in chosen}
        for oi, opts in free:
            for v in opts:
                y[(oi, v)] = m.new_bool_var("")
                by_unit[v].append(oi)
            m.add_exactly_one(y[(oi, v)] for v in opts)
        fixed_at: dict[int, list[int]] = {ui: [] for ui in chosen}
        for oi in fixed:
            fixed_at[self.where[oi]].append(oi)
        obj: list[Any] = []
        for v in chosen:
            staff = by_unit[v]
            for ki in (0, 1):
                base = sum(1 for oi in fixed_at[v] if self.kidx[oi] == ki)
                terms = [y[(oi, v)] for oi in staff if self.kidx[oi] == ki]
                expr = 10 * (base + cp_model.LinearExpr.sum(terms)) - co.t10[v][ki]
                hi = 10 * (base + len(terms)) + co.t10[v][ki]
                obj.append(co.cdev[v][ki] * _abs_var(m, expr, hi, "", co.dev_min[v][ki]))
            if co.wl_c[v]:
                base = sum(1 for oi in fixed_at[v] if co.wl_k[self.kidx[oi]])
                terms = [y[(oi, v)] for oi in staff if co.wl_k[self.kidx[oi]]]
                expr = 10 * (base + cp_model.LinearExpr.sum(terms)) - co.wl_e10[v]
                hi = 10 * (base + len(terms)) + co.wl_e10[v]
                obj.append(co.wl_c[v] * _abs_var(m, expr, hi, ""))
            bal = [oi for oi in staff if co.bal[oi]]
            base_a = sum(co.a10[oi] - co.r_age[v] for oi in fixed_at[v] if co.bal[oi])
            coef = [co.a10[oi] - co.r_age[v] for oi in bal]
            expr = base_a + cp_model.LinearExpr.weighted_sum([y[(oi, v)] for oi in bal], coef)
            obj.append(co.c_age[v] * _abs_var(m, expr, abs(base_a) + sum(abs(c) for c in coef), ""))
            base_f = sum(co.f100[oi] - co.s_fem[v] for oi in fixed_at[v] if co.bal[oi])
            coef = [co.f100[oi] - co.s_fem[v] for oi in bal]
            expr = base_f + cp_model.LinearExpr.weighted_sum([y[(oi, v)] for oi in bal], coef)
            obj.append(co.c_fem[v] * _abs_var(m, expr, abs(base_f) + sum(abs(c) for c in coef), ""))
            for ri in self.rule_at[v]:
                base = sum(1 for oi in fixed_at[v] if ri in self.qual[oi][v])
                terms = [y[(oi, v)] for oi in staff if ri in self.qual[oi][v]]
                count = base + cp_model.LinearExpr.sum(terms)
                slack = m.new_int_var(0, max(self.need[ri], base + len(terms)), "")
                if self.is_max[ri]:
                    m.add(slack >= count - self.need[ri])
                else:
                    m.add(slack >= self.need[ri] - count)
                obj.append(_VIOLATION * slack)
        for oi, opts in free:
            obj.append(
                cp_model.LinearExpr.weighted_sum([y[(oi, v)] for v in opts], [co.per[oi][v] for v in opts])
            )
        m.minimize(cp_model.LinearExpr.sum(obj))
        for oi, opts in free:
            for v in opts:
                m.add_hint(y[(oi, v)], 1 if self.where[oi] == v else 0)
        current = sum(self.cost_u[v] for v in chosen) + sum(co.per[oi][self.where[oi]] for oi, _ in free)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = 0
        solver.parameters.max_deterministic_time = deterministic_time
        status = solver.solve(m)
        spent = solver.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.objective_value >= current:
            return spent
        for oi, opts in free:
            for v in opts:
                if solver.boolean_value(y[(oi, v)]) and self.where[oi] != v:
                    self.relocate(oi, v)
        for v in chosen:
            self.cost_u[v] = self.unit_cost(v)
        self.improvements += 1
        return spent


# --- the CP-SAT model --------------------------------------------------------------------


@dataclass
class _Model:
    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    groups: dict[str, cp_model.IntVar]
    group_info: dict[str, tuple[str, int | None, Any, int | None]]
    terms: dict[str, tuple[cp_model.LinearExpr, float]]


def _abs_var(
    model: cp_model.CpModel, expr: cp_model.LinearExpr, bound: int, name: str, low: int = 0
) -> cp_model.IntVar:
    """``d >= |expr|`` (tight when ``d`` is minimised); ``low`` is a known lower bound of ``|expr|``."""
    d = model.new_int_var(low, max(bound, low), name)
    model.add(d >= expr)
    model.add(d >= -expr)
    return d


def _build(
    prep: _Prep, *, explain: bool, all_units: bool = False, only: frozenset[str] | None = None
) -> _Model:
    """The CP-SAT model.

    ``explain`` adds a literal per rule group (and per unit's locked officers) and drops
    the objective; locked officers then get their free candidates so that staying put
    is a rule group too. ``all_units`` makes every unit a candidate of every officer;
    ``only`` keeps just the named rule groups.
    """
    problem = prep.problem
    units, officers = problem.units, problem.officers
    nu = len(units)
    m = cp_model.CpModel()
    zero = m.new_constant(0)
    if all_units:
        cand = [list(range(nu)) for _ in officers]
    else:
        cand = prep.cand_free if explain else prep.cand
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_unit: list[list[int]] = [[] for _ in range(nu)]
    for oi in range(len(officers)):
        for ui in cand[oi]:
            x[(oi, ui)] = m.new_bool_var(f"x_{oi}_{ui}")
            by_unit[ui].append(oi)
        m.add_exactly_one(x[(oi, ui)] for ui in cand[oi])

    groups: dict[str, cp_model.IntVar] = {}
    info: dict[str, tuple[str, int | None, Any, int | None]] = {}

    def enforce(
        ct: cp_model.Constraint, name: str, rule: str, ui: int | None, arg: Any, req: int | None
    ) -> None:
        if not explain:
            return
        if name not in groups:
            groups[name] = m.new_bool_var(f"rule[{name}]")
            info[name] = (rule, ui, arg, req)
        ct.only_enforce_if(groups[name])

    def total(ui: int, pick) -> cp_model.LinearExpr:
        return cp_model.LinearExpr.sum([zero] + [x[(oi, ui)] for oi in by_unit[ui] if pick(oi)])

    for name, rule, ui, arg, required in _rules(prep):
        if only is not None and name not in only:
            continue
        if rule in ("headcount_min", "on_duty"):
            ct = m.add(total(ui, lambda oi, k=arg: officers[oi].kind == k) >= required)  # type: ignore[arg-type]
        elif rule == "headcount_max":
            ct = m.add(total(ui, lambda oi, k=arg: officers[oi].kind == k) <= required)  # type: ignore[arg-type]
        elif rule == "lead":
            ct = m.add(total(ui, lambda oi: prep.lead_ok[oi]) >= required)  # type: ignore[arg-type]
        else:
            ct = m.add(total(ui, lambda oi, r=arg: r.met_by(officers[oi])) >= required)  # type: ignore[arg-type]
        enforce(ct, name, rule, ui, arg, required)

    if explain:
        for oi in range(len(officers)):
            c = prep.cur[oi]
            name = f"locked:{units[c].id}"
            if prep.locked[oi] and (only is None or name in only):
                enforce(m.add(x[(oi, c)] == 1), name, "locked", c, None, None)
        return _Model(m, x, groups, info, {})

    # objective (integer points; _POINTS points = 1 weighted objective unit)
    co = _coefficients(prep)
    terms: dict[str, tuple[cp_model.LinearExpr, float]] = {}
    obj: list[cp_model.LinearExpr] = []
    dev_raw, age_raw, fem_raw, age_cost, fem_cost, wl_raw = [], [], [], [], [], []
    wl_kinds = set(problem.params.workload_kinds)
    for ui in range(nu):
        if co.wl_c[ui]:
            staff = [oi for oi in by_unit[ui] if officers[oi].kind in wl_kinds]
            expr = 10 * total(ui, lambda oi: officers[oi].kind in wl_kinds) - co.wl_e10[ui]
            d = _abs_var(m, expr, 10 * len(staff) + co.wl_e10[ui], f"wl_{ui}")
            obj.append(co.wl_c[ui] * d)
            wl_raw.append(d)
    for ui in range(nu):
        for ki, k in enumerate(_OFFICER_KINDS):
            staff = [oi for oi in by_unit[ui] if officers[oi].kind == k]
            if co.t10[ui][ki] == 0 and not staff:
                continue
            expr = 10 * total(ui, lambda oi, k=k: officers[oi].kind == k) - co.t10[ui][ki]
            d = _abs_var(m, expr, 10 * len(staff) + co.t10[ui][ki], f"dev_{ui}_{k}", co.dev_min[ui][ki])
            obj.append(co.cdev[ui][ki] * d)
            dev_raw.append(d)
        staff = [oi for oi in by_unit[ui] if co.bal[oi]]
        if not staff:
            continue
        coeffs = [co.a10[oi] - co.r_age[ui] for oi in staff]
        expr = cp_model.LinearExpr.weighted_sum([x[(oi, ui)] for oi in staff], coeffs)
        age_raw.append(_abs_var(m, expr, sum(abs(c) for c in coeffs), f"age_{ui}"))
        age_cost.append(co.c_age[ui] * age_raw[-1])
        coeffs = [co.f100[oi] - co.s_fem[ui] for oi in staff]
        expr = cp_model.LinearExpr.weighted_sum([x[(oi, ui)] for oi in staff], coeffs)
        fem_raw.append(_abs_var(m, expr, sum(abs(c) for c in coeffs), f"fem_{ui}"))
        fem_cost.append(co.c_fem[ui] * fem_raw[-1])
    obj.extend(age_cost)
    obj.extend(fem_cost)
    per_vars, per_coefs, move_vars, km_vars, km_coefs, fo_vars = [zero], [0], [zero], [zero], [0], [zero]
    for oi in range(len(officers)):
        if prep.locked[oi]:
            continue
        for ui in cand[oi]:
            var = x[(oi, ui)]
            per_vars.append(var)
            per_coefs.append(co.per[oi][ui])
            km_vars.append(var)
            km_coefs.append(co.km10[oi][ui])
            if ui != prep.cur[oi]:
                move_vars.append(var)
            if ui in co.fo[oi]:
                fo_vars.append(var)
    obj.append(cp_model.LinearExpr.weighted_sum(per_vars, per_coefs))
    terms["target_deviation"] = (cp_model.LinearExpr.sum([zero] + dev_raw), 0.1)
    terms["age_imbalance"] = (cp_model.LinearExpr.sum([zero] + age_raw), 0.1)
    terms["gender_imbalance"] = (cp_model.LinearExpr.sum([zero] + fem_raw), 0.01)
    terms["moves"] = (cp_model.LinearExpr.sum(move_vars), 1.0)
    terms["commute_km"] = (cp_model.LinearExpr.weighted_sum(km_vars, km_coefs), 0.1)
    terms["female_to_operational"] = (cp_model.LinearExpr.sum(fo_vars), 1.0)
    if wl_raw:
        terms["workload_deviation"] = (cp_model.LinearExpr.sum(wl_raw), 0.1)
    m.minimize(cp_model.LinearExpr.sum(obj))
    return _Model(m, x, groups, info, terms)


def _solver(
    params: ReassignParams, deterministic_time: float, *, workers: int | None = None
) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    sp = solver.parameters
    sp.random_seed = params.seed
    sp.num_workers = workers or params.num_workers
    if sp.num_workers > 1:
        # Deterministic parallel search: tasks run in batches and are merged in a fixed
        # order. One LP worker (for the bound) and one without LP, plus CP-SAT's LNS
        # workers; the default portfolio spends its first batch on long LP root solves.
        sp.interleave_search = True
        sp.subsolvers.extend(["default_lp", "no_lp"])
    sp.max_deterministic_time = deterministic_time
    if params.max_wall_seconds is not None:
        sp.max_time_in_seconds = params.max_wall_seconds
    return solver


def _conflict(
    prep: _Prep, name: str, rule: str, ui: int | None, arg: Any, required: int | None
) -> RuleConflict:
    avail = None if rule == "candidates" else _group_available(prep, rule, ui, arg)  # type: ignore[arg-type]
    return RuleConflict(
        group=name,
        rule=rule,
        unit=prep.problem.units[ui].id if ui is not None else None,
        required=required,
        available=avail,
        message=_group_message(prep, rule, ui, arg, required, avail),
    )


def _counting_conflicts(prep: _Prep) -> list[RuleConflict]:
    """Rule groups that fail by counting alone (no solver needed).

    A minimum that fewer officers could ever meet (those there or with the unit among
    their candidates) - together with the candidate limits when the county as a whole
    has enough; a maximum below the officers locked in the unit - together with the
    lock. Each such group (or pair) is a minimal conflict on its own.
    """
    officers = prep.problem.officers
    out: list[RuleConflict] = []
    seen: set[str] = set()

    def add(c: RuleConflict) -> None:
        if c.group not in seen:
            seen.add(c.group)
            out.append(c)

    for name, rule, ui, arg, required in _rules(prep):
        avail = _group_available(prep, rule, ui, arg)  # type: ignore[arg-type]
        if rule == "headcount_max":
            if avail > required:  # type: ignore[operator]
                add(_conflict(prep, name, rule, ui, arg, required))
                add(_conflict(prep, f"locked:{prep.problem.units[ui].id}", "locked", ui, None, None))  # type: ignore[index]
            continue
        if avail >= required:  # type: ignore[operator]
            continue
        add(_conflict(prep, name, rule, ui, arg, required))
        if rule in ("headcount_min", "on_duty"):
            anywhere = sum(
                1
                for oi, o in enumerate(officers)
                if o.kind == arg and (not prep.locked[oi] or prep.cur[oi] == ui)
            )
        elif rule == "lead":
            anywhere = sum(
                1
                for oi in range(len(officers))
                if prep.lead_ok[oi] and (not prep.locked[oi] or prep.cur[oi] == ui)
            )
        else:
            anywhere = sum(
                1
                for oi, o in enumerate(officers)
                if arg.met_by(o) and (not prep.locked[oi] or prep.cur[oi] == ui)
            )
        if anywhere >= required:  # type: ignore[operator]
            add(_conflict(prep, "candidates", "candidates", None, None, None))
    return out


def _explain(prep: _Prep) -> tuple[tuple[RuleConflict, ...], bool, bool]:
    """Rule groups that cannot hold together: (conflicts, minimal?, proven infeasible?).

    First by counting (:func:`_counting_conflicts`). Otherwise CP-SAT on the model with
    one assumption literal per rule group (candidate limits kept):
    ``sufficient_assumptions_for_infeasibility`` gives a core, shrunk by dropping one
    group at a time while the rest stays infeasible. A last solve with every unit open
    to every officer and only the core's groups tells whether the candidate limits are
    part of the conflict.
    """
    counted = _counting_conflicts(prep)
    if counted:
        return tuple(counted), True, True
    params = prep.problem.params
    built = _build(prep, explain=True)
    names = sorted(built.groups)
    index_to_name = {built.groups[n].index: n for n in names}

    def run(model: _Model, active: list[str]) -> tuple[int, list[str]]:
        model.model.clear_assumptions()
        model.model.add_assumptions([model.groups[n] for n in active])
        solver = _solver(params, params.explain_deterministic_time, workers=1)
        status = solver.solve(model.model)
        core: list[str] = []
        if status == cp_model.INFEASIBLE and model is built:
            core = sorted(index_to_name[i] for i in solver.sufficient_assumptions_for_infeasibility())
        return status, core

    status, core = run(built, names)
    if status != cp_model.INFEASIBLE:
        return (), False, False
    if not core:
        core = names
    minimal = True
    for name in list(core):
        if name not in core:
            continue
        trial = [n for n in core if n != name]
        st, smaller = run(built, trial)
        if st == cp_model.INFEASIBLE:
            core = smaller or trial
        elif st not in (cp_model.FEASIBLE, cp_model.OPTIMAL):
            minimal = False
    out = [_conflict(prep, name, *built.group_info[name]) for name in core]
    wide = _build(prep, explain=True, all_units=True, only=frozenset(core))
    st, _ = run(wide, [n for n in core if n in wide.groups])
    if st in (cp_model.FEASIBLE, cp_model.OPTIMAL):
        out.append(_conflict(prep, "candidates", "candidates", None, None, None))
    elif st != cp_model.INFEASIBLE:
        minimal = False
    return tuple(out), minimal, True


# --- reasons -----------------------------------------------------------------------------


def _move_reasons(
    prep: _Prep,
    oi: int,
    src: int,
    dst: int,
    before: Sequence[Sequence[int]],
    after: Sequence[Sequence[int]],
) -> tuple[tuple[Any, ...], ...]:
    """Reason codes for one move; ``before``/``after`` list each unit's officers."""
    problem = prep.problem
    units, officers = problem.units, problem.officers
    bal = problem.params.balance_kinds
    o = officers[oi]
    k = o.kind
    reasons: list[tuple[Any, ...]] = []

    n_dst = sum(1 for i in before[dst] if officers[i].kind == k)
    t_dst = prep.fair[(dst, k)]
    if t_dst - n_dst >= 0.5:
        reasons.append(("fills_target", units[dst].id, k, round(t_dst - n_dst, 1)))
    n_src = sum(1 for i in before[src] if officers[i].kind == k)
    t_src = prep.fair[(src, k)]
    if units[src].headcount(k).maximum == 0:
        reasons.append(("unit_closing", units[src].id))
    elif n_src - t_src >= 0.5:
        reasons.append(("relieves_surplus", units[src].id, k, round(n_src - t_src, 1)))
    for req in units[dst].skills:
        if req.met_by(o):
            have = sum(1 for i in before[dst] if req.met_by(officers[i]))
            if have < req.minimum:
                reasons.append(("skill_needed", req.skill, req.min_level, req.minimum, have))
    if units[dst].leads and prep.lead_ok[oi]:
        have = sum(1 for i in before[dst] if prep.lead_ok[i])
        if have < units[dst].leads:  # type: ignore[operator]
            reasons.append(("lead_needed", units[dst].id, units[dst].leads, have))
    if k in bal:
        for ui in (dst, src):
            b = [officers[i] for i in before[ui] if officers[i].kind in bal]
            a = [officers[i] for i in after[ui] if officers[i].kind in bal]
            if not (a and b):
                continue
            mb = math.fsum(x.age for x in b) / len(b)
            ma = math.fsum(x.age for x in a) / len(a)
            if abs(ma - prep.ref_age[ui]) + 0.05 < abs(mb - prep.ref_age[ui]):
                reasons.append(("age_balance", units[ui].id, round(mb, 1), round(ma, 1)))
            if ui == dst and o.gender == "F":
                fb = sum(1 for x in b if x.gender == "F") / len(b)
                fa = sum(1 for x in a if x.gender == "F") / len(a)
                if abs(fa - prep.ref_female[ui]) + 1e-3 < abs(fb - prep.ref_female[ui]):
                    reasons.append(("gender_balance", units[ui].id, round(fb, 3), round(fa, 3)))
    if o.gender == "F" and prep.back_office[oi] and units[dst].kind in OPERATIONAL_KINDS:
        reasons.append(("female_to_operational", units[src].kind, units[dst].kind))
    reasons.append(("commute_km", round(prep.dist_km[oi][dst], 1), round(prep.dist_km[oi][src], 1)))
    return tuple(reasons)


# --- entry point -------------------------------------------------------------------------


def _empty_plan(
    prep: _Prep, conflicts: tuple[RuleConflict, ...], start: float, stages: dict[str, float]
) -> ReassignmentPlan:
    """The plan for an instance proved infeasible before any search: nobody moves."""
    before = _figures(prep, prep.cur)
    counts = [f.headcount for f in before]
    return ReassignmentPlan(
        status="INFEASIBLE",
        objective=None,
        best_bound=None,
        gap=None,
        terms=MappingProxyType({}),
        moves=(),
        assignment=MappingProxyType({o.id: o.unit for o in prep.problem.officers}),
        before=before,
        after=before,
        imbalance_before=_imbalance(prep.problem, counts),
        imbalance_after=_imbalance(prep.problem, counts),
        conflicts=conflicts,
        minimal_conflict=True,
        start_objective=None,
        wall_seconds=time.perf_counter() - start,
        stage_seconds=MappingProxyType(stages),
        deterministic_seconds=0.0,
        variables=0,
    )


def plan_reassignment(problem: ReassignProblem) -> ReassignmentPlan:
    """Plan the reassignment (see the module docstring).

    Stages, all deterministic: (1) the greedy baseline; (2) local search by moves and
    swaps on the model's own objective (``local_search_passes``); (3) a unit-neighbourhood
    LNS - ``lns_iterations`` small CP-SAT models over ``lns_units`` linked units each,
    skipped while hard rules are still broken; (4) the full CP-SAT model, hinted with
    that start, for ``max_deterministic_time`` - it improves the plan, proves the bound
    and reports the gap. When CP-SAT proves the rules infeasible (or finds no plan in
    time) and ``params.explain`` is set, a feasibility model with one assumption literal
    per rule group finds which groups conflict; the core is then shrunk by deleting
    groups one at a time while it stays infeasible.
    """
    params = problem.params
    start = time.perf_counter()
    stages: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        stages[name] = round(now - since, 3)
        return now

    prep = _prepare(problem)
    units, officers = problem.units, problem.officers
    t = lap("prepare", start)
    if params.explain:
        counted = _counting_conflicts(prep)
        if counted:
            lap("explain", t)
            return _empty_plan(prep, tuple(counted), start, stages)
    greedy = greedy_baseline(problem)
    t = lap("greedy", t)
    search = _Search(prep, [prep.uidx[greedy[o.id]] for o in officers])
    search.local_search(params.local_search_passes)
    t = lap("local_search", t)
    lns_det = 0.0
    if search.total() < _VIOLATION:
        budget = 2.0 * params.max_deterministic_time if params.lns_budget is None else params.lns_budget
        lns_det = search.lns(
            params.lns_iterations, params.seed, params.lns_units, params.lns_deterministic_time, budget
        )
    t = lap("lns", t)
    hint_idx, hint_points = list(search.where), search.total()
    built = _build(prep, explain=False)
    for (oi, ui), var in built.x.items():
        built.model.add_hint(var, 1 if hint_idx[oi] == ui else 0)
    t = lap("build", t)
    solver = _solver(params, params.max_deterministic_time)
    status = solver.solve(built.model)
    det_time = solver.deterministic_time + lns_det
    t = lap("cp_sat", t)
    status_name = _STATUS_NAMES.get(status, str(status))
    before_idx = list(prep.cur)
    feasible = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    after_idx = list(before_idx)
    objective = bound = gap = None
    terms: dict[str, float] = {}
    if feasible:
        for oi in range(len(officers)):
            for ui in prep.cand[oi]:
                if solver.boolean_value(built.x[(oi, ui)]):
                    after_idx[oi] = ui
                    break
        objective = solver.objective_value / _POINTS
        bound = solver.best_objective_bound / _POINTS
        gap = max(0.0, (objective - bound) / max(1.0, abs(objective)))
        terms = {name: round(solver.value(expr) * scale, 4) for name, (expr, scale) in built.terms.items()}
    conflicts: tuple[RuleConflict, ...] = ()
    minimal = False
    if not feasible and params.explain and status in (cp_model.INFEASIBLE, cp_model.UNKNOWN):
        conflicts, minimal, proven = _explain(prep)
        if proven:
            status_name = "INFEASIBLE"
        lap("explain", t)
    members_b: list[list[int]] = [[] for _ in units]
    members_a: list[list[int]] = [[] for _ in units]
    for oi in range(len(officers)):
        members_b[before_idx[oi]].append(oi)
        members_a[after_idx[oi]].append(oi)
    moves = tuple(
        Move(
            officer=officers[oi].id,
            from_unit=units[before_idx[oi]].id,
            to_unit=units[after_idx[oi]].id,
            reasons=_move_reasons(prep, oi, before_idx[oi], after_idx[oi], members_b, members_a),
        )
        for oi in range(len(officers))
        if after_idx[oi] != before_idx[oi]
    )
    counts_b = [len(m) for m in members_b]
    counts_a = [len(m) for m in members_a]
    return ReassignmentPlan(
        status=status_name,
        objective=objective,
        best_bound=bound,
        gap=gap,
        terms=MappingProxyType(terms),
        moves=moves,
        assignment=MappingProxyType({o.id: units[after_idx[i]].id for i, o in enumerate(officers)}),
        before=_figures(prep, before_idx),
        after=_figures(prep, after_idx),
        imbalance_before=_imbalance(problem, counts_b),
        imbalance_after=_imbalance(problem, counts_a),
        conflicts=conflicts,
        minimal_conflict=minimal,
        start_objective=hint_points / _POINTS,
        wall_seconds=time.perf_counter() - start,
        stage_seconds=MappingProxyType(stages),
        deterministic_seconds=det_time,
        variables=len(built.x),
    )
