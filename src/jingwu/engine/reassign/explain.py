"""Which rule groups cannot hold together, and why, in words a planner can act on.

First by counting alone (no solver): a minimum that fewer officers could ever meet, a
maximum below the officers locked in the unit. Otherwise CP-SAT on the model with one
assumption literal per rule group: ``sufficient_assumptions_for_infeasibility`` gives
a core, shrunk to a minimal set by deletion; a last solve with every unit open to every
officer tells whether the candidate limits are part of the conflict.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from .messages import (
    Text,
    kind_name,
    rank_name,
    roles_name,
    say,
    skill_name,
    unit_name,
)
from .model import Built, Group, build, solver
from .prepare import Prepared
from .results import RuleConflict
from .rules import CANDIDATES, HEADCOUNT_MAX, HEADCOUNT_MIN, LEAD, LOCKED, ON_DUTY, SKILL


def _may_be_at(prep: Prepared, oi: int, ui: int) -> bool:
    """Whether officer ``oi`` is in unit ``ui`` or may be sent there."""
    if prep.cur[oi] == ui:
        return True
    return (not prep.locked[oi]) and ui in prep.cand[oi]


def _locked_at(prep: Prepared, ui: int) -> list[int]:
    return [oi for oi in range(len(prep.problem.officers)) if prep.locked[oi] and prep.cur[oi] == ui]


def available(prep: Prepared, group: Group) -> int:
    """Officers who could at best satisfy a rule group: for a minimum, those who count
    and are in the unit or may be sent there; for a maximum, those who count and are
    locked there; for ``locked:<unit>`` (``group`` the unit index), the locked officers."""
    if isinstance(group, int):
        return len(_locked_at(prep, group))
    rule = group
    if rule.is_max:
        return sum(1 for oi in _locked_at(prep, rule.unit) if prep.counts(rule, oi))
    n = len(prep.problem.officers)
    return sum(1 for oi in range(n) if prep.counts(rule, oi) and _may_be_at(prep, oi, rule.unit))


def _message(prep: Prepared, group: Group | None, avail: int | None) -> Text:
    params = prep.problem.params
    units = prep.problem.units
    if group is None:
        return say(CANDIDATES, max_candidates=params.max_candidates, radius=f"{params.radius_km:g}")
    if isinstance(group, int):
        return say(LOCKED, available=avail, unit=unit_name(units[group]), lock_age=params.lock_age)
    rule = group
    unit = units[rule.unit]
    common = {"unit": unit_name(unit), "required": rule.required, "available": avail}
    if rule.rule in (HEADCOUNT_MIN, HEADCOUNT_MAX):
        return say(rule.rule, kind=kind_name(rule.kind or ""), **common)
    if rule.rule == ON_DUTY:
        return say(
            ON_DUTY,
            on_duty=unit.min_on_duty,
            shifts=params.shifts_per_day,
            relief=f"{params.relief_factor:.2f}",
            **common,
        )
    if rule.rule == LEAD:
        rank: Text = ("", "")
        if params.lead_min_rank:
            rank = say("lead_rank", rank=rank_name(params.lead_min_rank))
        return say(LEAD, roles=roles_name(params.lead_roles), rank=rank, **common)
    assert rule.rule == SKILL and rule.skill is not None
    req = rule.skill
    kind: Text = (
        (f" {req.officer_kind}", kind_name(req.officer_kind)[1]) if req.officer_kind else ("", "人员")
    )
    return say(SKILL, skill=skill_name(req.skill), level=req.min_level, kind=kind, **common)


def conflict(prep: Prepared, name: str, group: Group | None) -> RuleConflict:
    """The :class:`RuleConflict` of the group ``name`` (``group`` None: the candidate limits)."""
    avail = None if group is None else available(prep, group)
    if group is None:
        rule, ui, required = CANDIDATES, None, None
    elif isinstance(group, int):
        rule, ui, required = LOCKED, group, None
    else:
        rule, ui, required = group.rule, group.unit, group.required
    en, zh = _message(prep, group, avail)
    return RuleConflict(
        group=name,
        rule=rule,
        unit=prep.problem.units[ui].id if ui is not None else None,
        required=required,
        available=avail,
        message=en,
        message_zh=zh,
    )


def counting_conflicts(prep: Prepared) -> list[RuleConflict]:
    """Rule groups that fail by counting alone (no solver needed).

    A minimum that fewer officers could ever meet (those there or with the unit among
    their candidates) - together with the candidate limits when the county as a whole
    has enough; a maximum below the officers locked in the unit - together with the
    lock. Each such group (or pair) is a minimal conflict on its own.
    """
    n = len(prep.problem.officers)
    units = prep.problem.units
    out: list[RuleConflict] = []
    seen: set[str] = set()

    def add(c: RuleConflict) -> None:
        if c.group not in seen:
            seen.add(c.group)
            out.append(c)

    for rule in prep.rules:
        avail = available(prep, rule)
        if rule.is_max:
            if avail > rule.required:
                add(conflict(prep, rule.name, rule))
                add(conflict(prep, f"{LOCKED}:{units[rule.unit].id}", rule.unit))
            continue
        if avail >= rule.required:
            continue
        add(conflict(prep, rule.name, rule))
        anywhere = sum(
            1
            for oi in range(n)
            if prep.counts(rule, oi) and (not prep.locked[oi] or prep.cur[oi] == rule.unit)
        )
        if anywhere >= rule.required:
            add(conflict(prep, CANDIDATES, None))
    return out


def explain(prep: Prepared) -> tuple[tuple[RuleConflict, ...], bool, bool]:
    """Rule groups that cannot hold together: (conflicts, minimal?, proven infeasible?).

    First by counting (:func:`counting_conflicts`). Otherwise CP-SAT on the model with
    one assumption literal per rule group (candidate limits kept):
    ``sufficient_assumptions_for_infeasibility`` gives a core, shrunk by dropping one
    group at a time while the rest stays infeasible. A last solve with every unit open
    to every officer and only the core's groups tells whether the candidate limits are
    part of the conflict.
    """
    counted = counting_conflicts(prep)
    if counted:
        return tuple(counted), True, True
    params = prep.problem.params
    built = build(prep, explain=True)
    names = sorted(built.groups)
    index_to_name = {built.groups[n].index: n for n in names}

    def run(model: Built, active: list[str]) -> tuple[cp_model.CpSolverStatus, list[str]]:
        model.model.clear_assumptions()
        model.model.add_assumptions([model.groups[n] for n in active])
        s = solver(params, params.explain_deterministic_time, workers=1)
        status = s.solve(model.model)
        core: list[str] = []
        if status == cp_model.INFEASIBLE and model is built:
            core = sorted(index_to_name[i] for i in s.sufficient_assumptions_for_infeasibility())
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
    out = [conflict(prep, name, built.group_info[name]) for name in core]
    wide = build(prep, explain=True, all_units=True, only=frozenset(core))
    st, _ = run(wide, [n for n in core if n in wide.groups])
    if st in (cp_model.FEASIBLE, cp_model.OPTIMAL):
        out.append(conflict(prep, CANDIDATES, None))
    elif st != cp_model.INFEASIBLE:
        minimal = False
    return tuple(out), minimal, True
