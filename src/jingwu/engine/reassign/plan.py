"""The entry point, :func:`plan_reassignment`, and the reasons given for each move."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

from ortools.sat.python import cp_model

from . import tuning
from .baselines import greedy_baseline
from .explain import counting_conflicts, explain
from .metrics import figures, imbalance_of_counts
from .model import STATUS_NAMES, build, solver
from .objective import define
from .prepare import Prepared, as_prepared
from .problem import OPERATIONAL_KINDS, ReassignProblem
from .results import Move, ReassignmentPlan, RuleConflict
from .rules import LEAD, SKILL
from .search import Search


def move_reasons(
    prep: Prepared,
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
    if t_dst - n_dst >= tuning.REASON_GAP:
        reasons.append(("fills_target", units[dst].id, k, round(t_dst - n_dst, 1)))
    n_src = sum(1 for i in before[src] if officers[i].kind == k)
    t_src = prep.fair[(src, k)]
    if units[src].headcount(k).maximum == 0:
        reasons.append(("unit_closing", units[src].id))
    elif n_src - t_src >= tuning.REASON_GAP:
        reasons.append(("relieves_surplus", units[src].id, k, round(n_src - t_src, 1)))
    dst_rules = [prep.rules[ri] for ri in prep.rules_at[dst]]
    for rule in dst_rules:
        if rule.rule == SKILL and rule.skill is not None and prep.counts(rule, oi):
            have = sum(1 for i in before[dst] if prep.counts(rule, i))
            if have < rule.required:
                reasons.append(("skill_needed", rule.skill.skill, rule.skill.min_level, rule.required, have))
    for rule in dst_rules:
        if rule.rule == LEAD and prep.counts(rule, oi):
            have = sum(1 for i in before[dst] if prep.counts(rule, i))
            if have < rule.required:
                reasons.append(("lead_needed", units[dst].id, rule.required, have))
    if k in bal:
        for ui in (dst, src):
            b = [officers[i] for i in before[ui] if officers[i].kind in bal]
            a = [officers[i] for i in after[ui] if officers[i].kind in bal]
            if not (a and b):
                continue
            mb = math.fsum(x.age for x in b) / len(b)
            ma = math.fsum(x.age for x in a) / len(a)
            if abs(ma - prep.ref_age[ui]) + tuning.REASON_AGE_YEARS < abs(mb - prep.ref_age[ui]):
                reasons.append(("age_balance", units[ui].id, round(mb, 1), round(ma, 1)))
            if ui == dst and o.gender == "F":
                fb = sum(1 for x in b if x.gender == "F") / len(b)
                fa = sum(1 for x in a if x.gender == "F") / len(a)
                if abs(fa - prep.ref_female[ui]) + tuning.REASON_FEMALE_SHARE < abs(fb - prep.ref_female[ui]):
                    reasons.append(("gender_balance", units[ui].id, round(fb, 3), round(fa, 3)))
    if o.gender == "F" and prep.back_office[oi] and units[dst].kind in OPERATIONAL_KINDS:
        reasons.append(("female_to_operational", units[src].kind, units[dst].kind))
    reasons.append(("commute_km", round(prep.dist_km[oi][dst], 1), round(prep.dist_km[oi][src], 1)))
    return tuple(reasons)


def _empty_plan(
    prep: Prepared, conflicts: tuple[RuleConflict, ...], start: float, stages: dict[str, float]
) -> ReassignmentPlan:
    """The plan for an instance proved infeasible before any search: nobody moves."""
    before = figures(prep, prep.cur)
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
        imbalance_before=imbalance_of_counts(prep.problem, counts),
        imbalance_after=imbalance_of_counts(prep.problem, counts),
        conflicts=conflicts,
        minimal_conflict=True,
        start_objective=None,
        wall_seconds=time.perf_counter() - start,
        stage_seconds=MappingProxyType(stages),
        deterministic_seconds=0.0,
        variables=0,
    )


def plan_reassignment(problem: ReassignProblem | Prepared) -> ReassignmentPlan:
    """Plan the reassignment (see the package docstring).

    ``problem`` may be prepared already (:func:`prepare`): a caller that also computes
    baselines or figures prepares once and passes the state to each.

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
    start = time.perf_counter()
    stages: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        stages[name] = round(now - since, 3)
        return now

    prep = as_prepared(problem)
    params = prep.problem.params
    units, officers = prep.problem.units, prep.problem.officers
    t = lap("prepare", start)
    if params.explain:
        counted = counting_conflicts(prep)
        if counted:
            lap("explain", t)
            return _empty_plan(prep, tuple(counted), start, stages)
    greedy = greedy_baseline(prep)
    t = lap("greedy", t)
    objective = define(prep)
    search = Search(objective, [prep.uidx[greedy[o.id]] for o in officers])
    search.local_search(params.local_search_passes)
    t = lap("local_search", t)
    lns_det = 0.0
    if search.total() < tuning.VIOLATION:
        budget = (
            tuning.LNS_BUDGET_FACTOR * params.max_deterministic_time
            if params.lns_budget is None
            else params.lns_budget
        )
        lns_det = search.lns(
            params.lns_iterations, params.seed, params.lns_units, params.lns_deterministic_time, budget
        )
    t = lap("lns", t)
    hint_idx, hint_points = list(search.where), search.total()
    built = build(prep, objective)
    for (oi, ui), var in built.x.items():
        built.model.add_hint(var, 1 if hint_idx[oi] == ui else 0)
    t = lap("build", t)
    cp = solver(params, params.max_deterministic_time)
    status = cp.solve(built.model)
    det_time = cp.deterministic_time + lns_det
    t = lap("cp_sat", t)
    status_name = STATUS_NAMES.get(status, str(status))
    before_idx = list(prep.cur)
    feasible = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    after_idx = list(before_idx)
    objective_value = bound = gap = None
    terms: dict[str, float] = {}
    if feasible:
        for oi in range(len(officers)):
            for ui in prep.cand[oi]:
                if cp.boolean_value(built.x[(oi, ui)]):
                    after_idx[oi] = ui
                    break
        objective_value = cp.objective_value / tuning.POINTS
        bound = cp.best_objective_bound / tuning.POINTS
        gap = max(0.0, (objective_value - bound) / max(1.0, abs(objective_value)))
        terms = {name: round(value, 4) for name, value in objective.report(after_idx).items()}
    conflicts: tuple[RuleConflict, ...] = ()
    minimal = False
    if not feasible and params.explain and status in (cp_model.INFEASIBLE, cp_model.UNKNOWN):
        conflicts, minimal, proven = explain(prep)
        if proven:
            status_name = "INFEASIBLE"
        lap("explain", t)
    members_b = prep.members(before_idx)
    members_a = prep.members(after_idx)
    moves = tuple(
        Move(
            officer=officers[oi].id,
            from_unit=units[before_idx[oi]].id,
            to_unit=units[after_idx[oi]].id,
            reasons=move_reasons(prep, oi, before_idx[oi], after_idx[oi], members_b, members_a),
        )
        for oi in range(len(officers))
        if after_idx[oi] != before_idx[oi]
    )
    counts_b = [len(m) for m in members_b]
    counts_a = [len(m) for m in members_a]
    return ReassignmentPlan(
        status=status_name,
        objective=objective_value,
        best_bound=bound,
        gap=gap,
        terms=MappingProxyType(terms),
        moves=moves,
        assignment=MappingProxyType({o.id: units[after_idx[i]].id for i, o in enumerate(officers)}),
        before=figures(prep, before_idx),
        after=figures(prep, after_idx),
        imbalance_before=imbalance_of_counts(prep.problem, counts_b),
        imbalance_after=imbalance_of_counts(prep.problem, counts_a),
        conflicts=conflicts,
        minimal_conflict=minimal,
        start_objective=hint_points / tuning.POINTS,
        wall_seconds=time.perf_counter() - start,
        stage_seconds=MappingProxyType(stages),
        deterministic_seconds=det_time,
        variables=len(built.x),
    )
