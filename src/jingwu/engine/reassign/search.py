"""The start heuristics: local search (moves and swaps) and a unit-neighbourhood LNS.

Both work on the objective of ``objective.py`` plus ``tuning.VIOLATION`` points per
officer missing from (or over) a hard rule, so they also repair a start that breaks
rules. Everything is deterministic: fixed orders, a seeded neighbourhood choice, CP-SAT
sub-models with a fixed seed and deterministic time limits.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from ortools.sat.python import cp_model

from . import tuning
from .model import abs_var
from .objective import Objective
from .problem import OFFICER_KIND_CODES


class Search:
    """Assignment state for the primal heuristics.

    ``where[o]`` is officer ``o``'s unit now; ``cost_u[u]`` unit ``u``'s cost
    (:meth:`unit_cost`); ``total()`` the whole cost. ``acc[u][i]`` holds the sum inside
    the absolute value of unit ``u``'s ``i``-th objective term, without its offset.
    """

    def __init__(self, objective: Objective, start: Sequence[int]) -> None:
        prep = objective.prep
        self.prep = prep
        self.objective = objective
        problem = prep.problem
        self.units, self.officers = problem.units, problem.officers
        nu, no = len(self.units), len(self.officers)
        self.kidx = [OFFICER_KIND_CODES.index(o.kind) for o in self.officers]
        self.rules = prep.rules
        self.rule_at = prep.rules_at
        self.is_max = [r.is_max for r in self.rules]
        self.need = [r.required for r in self.rules]
        # per unit: (cost, offset) and reference of each objective term, and the position of
        # each family's term (-1: none); per officer: (family, value) of each family they
        # count in. An officer adds ``value - reference`` (``Objective.weight``).
        nf = len(objective.counts)
        self.terms_at = [[(t.cost, t.offset) for t in objective.terms[ui]] for ui in range(nu)]
        self.ref_at = [[t.ref for t in objective.terms[ui]] for ui in range(nu)]
        self.pos_at = []
        for ui in range(nu):
            pos = [-1] * nf
            for i, t in enumerate(objective.terms[ui]):
                pos[t.family] = i
            self.pos_at.append(pos)
        self.fam_values = [
            [(f, objective.value[f][oi]) for f in range(nf) if objective.counts[f][oi]] for oi in range(no)
        ]
        self.qual = [
            {ui: [ri for ri in self.rule_at[ui] if prep.counts(self.rules[ri], oi)] for ui in prep.cand[oi]}
            for oi in range(no)
        ]
        self.per = objective.per
        self.cand_set = [frozenset(c) for c in prep.cand]
        where = list(start)
        for oi in range(no):  # a start outside the candidates (e.g. a locked officer moved) is reset
            if where[oi] not in self.cand_set[oi]:
                where[oi] = prep.cur[oi] if prep.cur[oi] in self.cand_set[oi] else prep.cand[oi][0]
        self.where = where
        self.acc = [[0] * len(self.terms_at[ui]) for ui in range(nu)]
        self.rc = [0] * len(self.rules)
        self.members: list[set[int]] = [set() for _ in range(nu)]
        for oi in range(no):
            self._add(oi, where[oi], 1)
        self.cost_u = [self.unit_cost(ui) for ui in range(nu)]
        self.movable = [oi for oi in range(no) if not prep.locked[oi] and len(prep.cand[oi]) > 1]
        self.origin: list[list[int]] = [[] for _ in range(nu)]
        for oi in self.movable:
            self.origin[prep.cur[oi]].append(oi)

    def _add(self, oi: int, ui: int, sign: int) -> None:
        acc, pos, ref = self.acc[ui], self.pos_at[ui], self.ref_at[ui]
        for f, value in self.fam_values[oi]:
            i = pos[f]
            if i >= 0:
                acc[i] += sign * (value - ref[i])
        for ri in self.qual[oi][ui]:
            self.rc[ri] += sign
        if sign > 0:
            self.members[ui].add(oi)
        else:
            self.members[ui].discard(oi)

    def unit_cost(self, ui: int) -> int:
        """The unit's objective terms, plus the penalty of its broken rules."""
        acc = self.acc[ui]
        c = 0
        for i, (cost, offset) in enumerate(self.terms_at[ui]):
            c += cost * abs(offset + acc[i])
        for ri in self.rule_at[ui]:
            gap = self.rc[ri] - self.need[ri] if self.is_max[ri] else self.need[ri] - self.rc[ri]
            if gap > 0:
                c += tuning.VIOLATION * gap
        return c

    def relocate(self, oi: int, ui: int) -> None:
        self._add(oi, self.where[oi], -1)
        self._add(oi, ui, 1)
        self.where[oi] = ui

    def total(self) -> int:
        return sum(self.cost_u) + sum(self.per[oi][self.where[oi]] for oi in range(len(self.officers)))

    def local_search(self, max_passes: int) -> None:
        """Best single move, else best same-kind swap, for each movable officer in turn."""
        per, cand, where, cost_u = self.per, self.prep.cand, self.where, self.cost_u
        for _ in range(max_passes):
            improved = False
            for oi in self.movable:
                u = where[oi]
                best_delta, best = 0, None
                for v in cand[oi]:
                    if v == u:
                        continue
                    base = cost_u[u] + cost_u[v] + per[oi][u]
                    self.relocate(oi, v)
                    delta = self.unit_cost(u) + self.unit_cost(v) + per[oi][v] - base
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
                        base = cost_u[u] + cost_u[v] + per[oi][u] + per[oj][v]
                        self.relocate(oi, v)
                        self.relocate(oj, u)
                        delta = self.unit_cost(u) + self.unit_cost(v) + per[oi][v] + per[oj][u] - base
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
        """A seed unit (half the steps weighted by its cost) and ``size - 1`` linked units.

        Units are linked by officers who may move between them, and more strongly by
        officers who have moved between them in the current plan (so a move can be
        undone or passed on).
        """
        nu = len(self.units)
        if rng.random() < tuning.LNS_UNIFORM_SEED_SHARE:
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
                        pool[c] = pool.get(c, 0) + tuning.LNS_MOVED_LINK
                for oi in self.origin[ui]:
                    w = self.where[oi]
                    if w != ui:
                        pool[w] = pool.get(w, 0) + tuning.LNS_MOVED_LINK
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
        ``deterministic_time`` and keeps the result when it is better. Returns the CP-SAT
        deterministic time spent.
        """
        if iterations <= 0 or not self.movable or len(self.units) < 2:
            return 0.0
        rng = random.Random(seed)
        links = self._links()
        spent = 0.0
        size = min(size, max(tuning.LNS_MIN_UNITS, len(self.units) // tuning.LNS_MAX_UNIT_SHARE))
        for _ in range(iterations):
            if spent >= budget:
                break
            chosen = self._neighbourhood(rng, size, links)
            spent += self._resolve(
                chosen, min(deterministic_time, max(budget - spent, tuning.LNS_MIN_STEP_TIME))
            )
        return spent

    def submodel(
        self, chosen: Sequence[int]
    ) -> tuple[cp_model.CpModel, dict[tuple[int, int], cp_model.IntVar], list[tuple[int, list[int]]], int]:
        """The LNS model over the units ``chosen``: (model, y, free officers and their options, current cost).

        Every movable officer now in a chosen unit is free among the chosen units of their
        candidates; the others stay. The objective is that of ``objective.py`` over the
        chosen units and the free officers, with the hard rules as penalties.
        """
        objective, prep = self.objective, self.prep
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
            for term in objective.terms[v]:
                counted = objective.counts[term.family]
                base = sum(objective.weight(term, oi) for oi in fixed_at[v] if counted[oi])
                who = [oi for oi in staff if counted[oi]]
                coef = [objective.weight(term, oi) for oi in who]
                expr = (term.offset + base) + cp_model.LinearExpr.weighted_sum(
                    [y[(oi, v)] for oi in who], coef
                )
                bound = abs(term.offset) + abs(base) + sum(abs(c) for c in coef)
                obj.append(term.cost * abs_var(m, expr, bound, "", term.low))
            for ri in self.rule_at[v]:
                base = sum(1 for oi in fixed_at[v] if ri in self.qual[oi][v])
                terms = [y[(oi, v)] for oi in staff if ri in self.qual[oi][v]]
                count = base + cp_model.LinearExpr.sum(terms)
                slack = m.new_int_var(0, max(self.need[ri], base + len(terms)), "")
                if self.is_max[ri]:
                    m.add(slack >= count - self.need[ri])
                else:
                    m.add(slack >= self.need[ri] - count)
                obj.append(tuning.VIOLATION * slack)
        for oi, opts in free:
            obj.append(
                cp_model.LinearExpr.weighted_sum([y[(oi, v)] for v in opts], [self.per[oi][v] for v in opts])
            )
        m.minimize(cp_model.LinearExpr.sum(obj))
        for oi, opts in free:
            for v in opts:
                m.add_hint(y[(oi, v)], 1 if self.where[oi] == v else 0)
        current = sum(self.cost_u[v] for v in chosen) + sum(self.per[oi][self.where[oi]] for oi, _ in free)
        return m, y, free, current

    def _resolve(self, chosen: Sequence[int], deterministic_time: float) -> float:
        m, y, free, current = self.submodel(chosen)
        if not free:
            return 0.0
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = tuning.LNS_SOLVER_SEED
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
        return spent
