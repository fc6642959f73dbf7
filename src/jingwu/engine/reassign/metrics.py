"""Figures of an assignment: per-unit staff, the rules it breaks, the workload imbalance."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .messages import kind_name, lead_name, lock_reason_name, requirement_name, say, unit_name
from .prepare import Prepared, as_prepared
from .problem import OFFICER_KIND_CODES, ReassignProblem, _known
from .results import RuleConflict, UnitFigures
from .rules import LEAD, LOCKED, SKILL


def assignment_index(prep: Prepared, assignment: Mapping[str, str] | None) -> list[int]:
    """Each officer's unit index under ``assignment`` (officer id -> unit id; missing: stays)."""
    if assignment is None:
        return list(prep.cur)
    out = []
    for o in prep.problem.officers:
        uid = assignment.get(o.id, o.unit)
        if uid not in prep.uidx:
            raise ValueError(f"assignment sends officer {o.id!r} to unknown unit {uid!r}")
        out.append(prep.uidx[uid])
    return out


def figures(prep: Prepared, where: Sequence[int]) -> tuple[UnitFigures, ...]:
    """Per-unit figures of the assignment ``where`` (unit index per officer)."""
    problem = prep.problem
    units, officers = problem.units, problem.officers
    members = prep.members(where)
    kinds = problem.params.balance_kinds
    out = []
    for ui, unit in enumerate(units):
        staff = [officers[i] for i in members[ui]]
        police = sum(1 for o in staff if o.kind == "police")
        aux = len(staff) - police
        bal = [o for o in staff if o.kind in kinds]
        rules = [prep.rules[ri] for ri in prep.rules_at[ui]]
        reqs = [
            (r.skill.label, r.required, sum(1 for i in members[ui] if prep.counts(r, i)))
            for r in rules
            if r.rule == SKILL and r.skill is not None
        ]
        reqs += [
            ("lead", r.required, sum(1 for i in members[ui] if prep.counts(r, i)))
            for r in rules
            if r.rule == LEAD
        ]
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
                skills_covered=tuple(sorted({code for o in staff for code, _ in o.skill_levels})),
            )
        )
    return tuple(out)


def unit_figures(
    problem: ReassignProblem | Prepared, assignment: Mapping[str, str] | None = None
) -> tuple[UnitFigures, ...]:
    """Per-unit figures for ``assignment`` (officer id -> unit id; None: the current one)."""
    prep = as_prepared(problem)
    return figures(prep, assignment_index(prep, assignment))


def compared_units(problem: ReassignProblem) -> list[bool]:
    """Units whose workload per officer is compared (``params.workload_units``, with hours)."""
    chosen = problem.params.workload_units
    keep = None if chosen is None else set(chosen)
    return [
        u.workload_hours is not None and u.workload_hours > 0 and (keep is None or u.id in keep)
        for u in problem.units
    ]


def imbalance_of_counts(problem: ReassignProblem, counts: Sequence[int]) -> float | None:
    """:func:`imbalance` from each unit's number of officers."""
    loads = []
    for unit, n, use in zip(problem.units, counts, compared_units(problem), strict=True):
        if use:
            loads.append(float(unit.workload_hours or 0.0) / max(n, 1))
    if len(loads) < 2:
        return None
    mean = math.fsum(loads) / len(loads)
    var = math.fsum((x - mean) ** 2 for x in loads) / len(loads)
    return math.sqrt(var) / mean if mean > 0 else None


def imbalance(
    problem: ReassignProblem | Prepared,
    assignment: Mapping[str, str] | None = None,
    *,
    kind: str | None = None,
) -> float | None:
    """Coefficient of variation (population std / mean) of workload hours per officer.

    Taken over the units with ``workload_hours > 0`` (only those listed in
    ``params.workload_units`` when it is set); a unit left with no officers counts
    as one officer (so the figure stays finite). ``kind`` counts only police or only
    auxiliaries (None: both). 0 means every unit carries the same hours per officer.
    Returns None when fewer than two units have workload.
    """
    if kind is not None:
        _known("kind", kind, OFFICER_KIND_CODES)
    prep = as_prepared(problem)
    officers = prep.problem.officers
    where = assignment_index(prep, assignment)
    counts = [0] * len(prep.problem.units)
    for oi, u in enumerate(where):
        if kind is None or officers[oi].kind == kind:
            counts[u] += 1
    return imbalance_of_counts(prep.problem, counts)


def violations(prep: Prepared, where: Sequence[int]) -> tuple[RuleConflict, ...]:
    """The hard rules the assignment ``where`` breaks, and locked officers it moves."""
    problem = prep.problem
    units = problem.units
    members = prep.members(where)
    out = []
    for rule in prep.rules:
        have = sum(1 for oi in members[rule.unit] if prep.counts(rule, oi))
        if not rule.broken(have):
            continue
        unit = units[rule.unit]
        if rule.skill is not None:
            what = requirement_name(rule.skill)
        elif rule.rule == LEAD:
            what = lead_name()
        else:
            what = kind_name(rule.kind or "")
        en, zh = say(
            "violation_max" if rule.is_max else "violation_min",
            unit=unit_name(unit),
            have=have,
            what=what,
            required=rule.required,
        )
        out.append(RuleConflict(rule.name, rule.rule, unit.id, rule.required, have, en, zh))
    for oi, reason in enumerate(prep.locked):
        if reason and where[oi] != prep.cur[oi]:
            unit = units[prep.cur[oi]]
            en, zh = say("violation_locked", officer=problem.officers[oi].id, reason=lock_reason_name(reason))
            out.append(RuleConflict(f"{LOCKED}:{unit.id}", LOCKED, unit.id, None, None, en, zh))
    return tuple(out)


def rule_violations(
    problem: ReassignProblem | Prepared, assignment: Mapping[str, str]
) -> tuple[RuleConflict, ...]:
    """Hard rules an assignment breaks (empty for a valid plan); used to check baselines."""
    prep = as_prepared(problem)
    return violations(prep, assignment_index(prep, assignment))
