"""The CP-SAT model: one boolean per officer and candidate unit, the hard rules, the objective.

The objective comes from ``objective.py``; the hard rules from ``rules.py`` (counted with
:meth:`Rule.counts`). With ``explain`` the model gets an assumption literal per rule
group instead of an objective (``explain.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from .objective import FAMILIES, WORKLOAD, Objective
from .prepare import Prepared
from .problem import ReassignParams
from .rules import HEADCOUNT_MAX, LOCKED, Rule

STATUS_NAMES = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}

#: What an explanation's rule group stands for: a rule, or (for ``locked:<unit>``) the
#: unit index whose locked officers stay.
Group = Rule | int


@dataclass
class Built:
    """A built model: ``x[(officer, unit)]`` booleans and, when explaining, one literal
    per rule group (``groups``) with what it stands for (``group_info``)."""

    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    groups: dict[str, cp_model.IntVar]
    group_info: dict[str, Group]


def abs_var(
    model: cp_model.CpModel, expr: cp_model.LinearExprT, bound: int, name: str, low: int = 0
) -> cp_model.IntVar:
    """``d >= |expr|`` (tight when ``d`` is minimised); ``low`` is a known lower bound of ``|expr|``."""
    d = model.new_int_var(low, max(bound, low), name)
    model.add(d >= expr)
    model.add(d >= -expr)
    return d


def build(
    prep: Prepared,
    objective: Objective | None = None,
    *,
    explain: bool = False,
    all_units: bool = False,
    only: frozenset[str] | None = None,
) -> Built:
    """The CP-SAT model of ``prep`` with ``objective`` (needed unless ``explain``).

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
    info: dict[str, Group] = {}

    def enforce(ct: cp_model.Constraint, name: str, what: Group) -> None:
        if not explain:
            return
        if name not in groups:
            groups[name] = m.new_bool_var(f"rule[{name}]")
            info[name] = what
        ct.only_enforce_if(groups[name])

    def total(ui: int, pick: Callable[[int], bool]) -> cp_model.LinearExpr:
        return cp_model.LinearExpr.sum([zero] + [x[(oi, ui)] for oi in by_unit[ui] if pick(oi)])

    for rule in prep.rules:
        if only is not None and rule.name not in only:
            continue
        have = total(rule.unit, lambda oi, r=rule: prep.counts(r, oi))  # type: ignore[misc]
        ct = m.add(have <= rule.required) if rule.rule == HEADCOUNT_MAX else m.add(have >= rule.required)
        enforce(ct, rule.name, rule)

    if explain:
        for oi in range(len(officers)):
            c = prep.cur[oi]
            name = f"{LOCKED}:{units[c].id}"
            if prep.locked[oi] and (only is None or name in only):
                enforce(m.add(x[(oi, c)] == 1), name, c)
        return Built(m, x, groups, info)

    if objective is None:
        raise ValueError("the model needs an objective unless it explains")
    obj: list[cp_model.LinearExprT] = []
    # Variables in the order of the model's first version (CP-SAT's search follows it):
    # the workload terms of every unit, then unit by unit the others.
    workload = FAMILIES.index(WORKLOAD)
    ordered = [t for row in objective.terms for t in row if t.family == workload]
    ordered += [t for row in objective.terms for t in row if t.family != workload]
    for term in ordered:
        fam = FAMILIES[term.family]
        counted = objective.counts[term.family]
        who = [oi for oi in by_unit[term.unit] if counted[oi]]
        if not fam.optional and not who and term.offset == 0:
            continue  # always 0: nobody may count here
        coef = [objective.weight(term, oi) for oi in who]
        if fam.step is not None:
            expr = fam.step * total(term.unit, counted.__getitem__) + term.offset
        else:
            expr = cp_model.LinearExpr.weighted_sum([x[(oi, term.unit)] for oi in who], coef)
            if term.offset:
                expr = expr + term.offset
        bound = sum(abs(c) for c in coef) + abs(term.offset)
        obj.append(term.cost * abs_var(m, expr, bound, fam.var.format(u=term.unit), term.low))
    per_vars: list[cp_model.IntVar] = [zero]
    per_coefs = [0]
    for oi in range(len(officers)):
        if prep.locked[oi]:
            continue
        for ui in cand[oi]:
            per_vars.append(x[(oi, ui)])
            per_coefs.append(objective.per[oi][ui])
    obj.append(cp_model.LinearExpr.weighted_sum(per_vars, per_coefs))
    m.minimize(cp_model.LinearExpr.sum(obj))
    return Built(m, x, groups, info)


def solver(
    params: ReassignParams, deterministic_time: float, *, workers: int | None = None
) -> cp_model.CpSolver:
    """A CP-SAT solver with the plan's fixed, deterministic parameters."""
    s = cp_model.CpSolver()
    sp = s.parameters
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
    return s
