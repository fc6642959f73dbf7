"""The reassignment problem: the bureau's officers and planning units in ``engine.reassign`` terms.

Officers near retirement (``retire_lock_age``) and leaders (``pin_leaders``) are pinned
and those on leave stay, unless their unit closes; a unit's headcount may not fall
below the staff pinned there. Each unit's target comes with the hard band (``band``),
its skill rules (the investigation center's investigators, the prevention center's
specialisms), the mean age it is steered to and the weight of that age.
"""

from __future__ import annotations

from jingwu.engine import vocab
from jingwu.engine.reassign import (
    Headcount,
    ObjectiveWeights,
    Officer,
    ReassignParams,
    ReassignProblem,
    SkillRequirement,
    Unit,
)

from ..inputs import LEADER_ROLES, PC_SKILLS, BureauState, OfficerInfo, ScenarioParams, UnitInfo
from .targets import OFFICER_KINDS

_SKILLS = set(vocab.codes(vocab.SKILLS))
_RANKS = set(vocab.codes(vocab.RANKS))
_ROLES = set(vocab.codes(vocab.POSTING_ROLES))

#: Skill levels run from 1 (basic) to 5 (expert) (``engine.reassign.SkillRequirement``).
MIN_SKILL_LEVEL, MAX_SKILL_LEVEL = 1, 5
#: Investigation level the investigation center's investigators need (docs/planning.md: 3+).
INVESTIGATOR_LEVEL = 3
#: Level of each inspection specialism the prevention center needs (docs/planning.md: 2+).
SPECIALIST_LEVEL = 2
#: The engine's own lock age, above every age: the pipeline pins near-retirement officers
#: itself (``retire_lock_age``), and not in units that close.
ENGINE_LOCK_AGE = 71


def reassign_problem(
    state: BureauState,
    params: ScenarioParams,
    types: dict[str, str],
    targets: dict[tuple[int, str], float],
    workload_hours: dict[int, float],
) -> ReassignProblem:
    locked = locked_counts(state, params)
    officers = tuple(engine_officer(state, params, o) for o in state.officers)
    units = tuple(
        engine_unit(state, params, types, targets, workload_hours, locked, pk) for pk in state.plan_units
    )
    return ReassignProblem(units, officers, reassign_params(state, params))


def stays_put(state: BureauState, params: ScenarioParams, o: OfficerInfo) -> tuple[bool, bool]:
    """(pinned, on leave): near retirement, a leader, or on leave, in a unit that continues."""
    continuing = o.unit not in state.closing
    leader = o.role in LEADER_ROLES or (
        state.units[o.unit].kind == "headquarters" and o.role == "deputy_chief"
    )
    pinned = continuing and (o.age >= params.retire_lock_age or (params.pin_leaders and leader))
    on_leave = continuing and o.status == "leave"
    return pinned, on_leave


def locked_counts(state: BureauState, params: ScenarioParams) -> dict[tuple[int, str], int]:
    """Staff who stay where they are (pinned or on leave), per (planning unit, officer kind)."""
    locked: dict[tuple[int, str], int] = {}
    for o in state.officers:
        if any(stays_put(state, params, o)):
            locked[(o.unit, o.kind)] = locked.get((o.unit, o.kind), 0) + 1
    return locked


def engine_officer(state: BureauState, params: ScenarioParams, o: OfficerInfo) -> Officer:
    """The officer as the engine sees them."""
    pinned, on_leave = stays_put(state, params, o)
    return Officer(
        id=str(o.id),
        kind=o.kind,
        age=o.age,
        gender=o.gender if o.gender in ("M", "F") else "M",
        unit=str(o.unit),
        lon=o.lon,
        lat=o.lat,
        skills={
            c: min(MAX_SKILL_LEVEL, max(MIN_SKILL_LEVEL, lvl)) for c, lvl in o.skills.items() if c in _SKILLS
        },
        rank=(o.rank if o.rank in _RANKS else "none") if o.kind == "police" else "none",
        role=o.role if o.role in _ROLES else "staff",
        on_leave=on_leave,
        pinned=pinned,
    )


def headcount(target: float, band: float, locked: int, closing: bool) -> Headcount:
    """The target within +/- ``band``, its cap raised to the staff locked there; 0 when closing."""
    if closing:
        return Headcount(0.0, 0, 0)
    h = Headcount.around(target, band)
    if h.maximum is not None and h.maximum < locked:
        h = Headcount(max(h.target, float(locked)), h.minimum, locked)
    return h


def unit_rules(
    params: ScenarioParams, types: dict[str, str], u: UnitInfo, closing: bool, police_target: float
) -> tuple[tuple[SkillRequirement, ...], float | None, float]:
    """The unit's skill rules, the mean age it is steered to (or None) and that age's weight."""
    skills: tuple[SkillRequirement, ...] = ()
    target_age = None
    weight = 1.0
    if not closing and u.kind == "investigation_center":
        n = max(1, round(params.ic_investigators * police_target))
        skills = (
            (SkillRequirement("investigation", n, INVESTIGATOR_LEVEL, "police"),)
            if params.ic_investigators > 0
            else ()
        )
        target_age = float(params.ic_target_mean_age)
        weight = float(params.ic_age_weight)
    elif not closing and u.kind == "prevention_center" and params.pc_specialists > 0:
        skills = tuple(SkillRequirement(s, int(params.pc_specialists), SPECIALIST_LEVEL) for s in PC_SKILLS)
    elif u.kind in ("department", "headquarters"):
        weight = float(params.office_age_weight)
    elif u.kind == "station" and types.get(u.code) in params.type_target_ages:
        target_age = float(params.type_target_ages[types[u.code]])
    if not closing and u.code in params.unit_target_ages:
        target_age = float(params.unit_target_ages[u.code])
        weight = max(weight, 1.0)
    return skills, target_age, weight


def engine_unit(
    state: BureauState,
    params: ScenarioParams,
    types: dict[str, str],
    targets: dict[tuple[int, str], float],
    workload_hours: dict[int, float],
    locked: dict[tuple[int, str], int],
    pk: int,
) -> Unit:
    """A planning unit as the engine sees it: headcounts, rules, age steering, workload."""
    u = state.units[pk]
    closing = pk in state.closing
    heads = {
        kind: headcount(targets.get((pk, kind), 0.0), float(params.band), locked.get((pk, kind), 0), closing)
        for kind in OFFICER_KINDS
    }
    skills, target_age, weight = unit_rules(params, types, u, closing, targets.get((pk, "police"), 0.0))
    return Unit(
        id=str(pk),
        kind=u.kind,
        lon=u.lon,
        lat=u.lat,
        police=heads["police"],
        auxiliary=heads["auxiliary"],
        station_type=types.get(u.code) if u.kind == "station" else None,
        skills=skills,
        leads=0,
        min_on_duty=int(params.min_on_duty) if u.kind == "station" and not closing else 0,
        workload_hours=workload_hours.get(pk),
        target_mean_age=target_age,
        balance_weight=weight,
        label=vocab.Term(u.code, u.name_en, u.name_zh),
    )


def reassign_params(state: BureauState, params: ScenarioParams) -> ReassignParams:
    return ReassignParams(
        weights=ObjectiveWeights(**params.weights, workload=float(params.workload_weight)),
        # workload per officer is compared across the stations: their hours are on one
        # basis (calls, travel and the cases they keep, grossed up by their type's
        # proactive share). The investigation center's target *is* its hours, so it sits
        # at one officer's net hours whatever the plan (see docs/planning.md).
        workload_units=tuple(str(pk) for pk in state.stations if pk not in state.closing),
        lock_age=ENGINE_LOCK_AGE,
        max_deterministic_time=float(params.time_limit),
        lns_budget=float(params.time_limit),
        num_workers=int(params.workers),
        seed=int(params.seed),
        local_search_passes=int(params.local_search_passes),
    )
