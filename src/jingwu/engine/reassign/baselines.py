"""Two baselines on the same inputs: the planner's spreadsheet and a greedy repair.

:func:`proportional_baseline` shares each kind of staff out in proportion to the
targets; :func:`greedy_baseline` repairs the hard rules and then balances. The plan is
compared with both (``bench/bench_reassign.py``), and the greedy plan is the start of
its search.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from . import tuning
from .prepare import Prepared, as_prepared
from .problem import OFFICER_KIND_CODES, ReassignProblem
from .rules import HEADCOUNT_MAX, HEADCOUNT_MIN, LEAD, ON_DUTY, SKILL


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


def proportional_baseline(problem: ReassignProblem | Prepared) -> dict[str, str]:
    """Split each officer kind over the units in proportion to their targets.

    Quotas: the staff of each kind shared out in proportion to the units' ``target``,
    rounded by largest remainders. Locked officers stay (and count against their unit's
    quota); the other officers already in a unit keep their place up to its quota
    (shortest commute first); the rest go, in id order, to the nearest unit with quota
    left (or stay when none is left). Skills, leads, bands and the candidate radius are
    ignored - this is the planner's spreadsheet, "feasible-ish".
    """
    prep = as_prepared(problem)
    units, officers = prep.problem.units, prep.problem.officers
    where = list(prep.cur)
    for kind in OFFICER_KIND_CODES:
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


def greedy_baseline(problem: ReassignProblem | Prepared) -> dict[str, str]:
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
    prep = as_prepared(problem)
    units, officers = prep.problem.units, prep.problem.officers
    nu = len(units)
    where = list(prep.cur)
    count = {(u, k): 0 for u in range(nu) for k in OFFICER_KIND_CODES}
    members: list[set[int]] = [set() for _ in range(nu)]
    for oi, o in enumerate(officers):
        count[(where[oi], o.kind)] += 1
        members[where[oi]].add(oi)
    rules = prep.rules
    by_unit = prep.rules_at
    rc = [sum(1 for oi in members[r.unit] if prep.counts(r, oi)) for r in rules]

    def qualifies(oi: int, ri: int) -> bool:
        return prep.counts(rules[ri], oi)

    def can_leave(oi: int) -> bool:
        for ri in by_unit[where[oi]]:
            if not rules[ri].is_max and qualifies(oi, ri) and rc[ri] - 1 < rules[ri].required:
                return False
        return True

    def can_join(oi: int, ui: int) -> bool:
        hc = units[ui].headcount(officers[oi].kind)
        return hc.maximum is None or count[(ui, officers[oi].kind)] < hc.maximum

    def surplus(ui: int, kind: str) -> float:
        return count[(ui, kind)] - prep.fair[(ui, kind)]

    def move(oi: int, ui: int) -> None:
        k, src = officers[oi].kind, where[oi]
        for ri in by_unit[src]:
            if qualifies(oi, ri):
                rc[ri] -= 1
        for ri in by_unit[ui]:
            if qualifies(oi, ri):
                rc[ri] += 1
        count[(src, k)] -= 1
        members[src].discard(oi)
        where[oi] = ui
        count[(ui, k)] += 1
        members[ui].add(oi)

    def pull(ri: int) -> bool:
        ui = rules[ri].unit
        best: tuple[tuple[float, float, str], int] | None = None
        for oi in range(len(officers)):
            if prep.locked[oi] or where[oi] == ui or ui not in prep.cand[oi]:
                continue
            if not qualifies(oi, ri) or not can_join(oi, ui) or not can_leave(oi):
                continue
            key = (-surplus(where[oi], officers[oi].kind), prep.dist_km[oi][ui], officers[oi].id)
            if best is None or key < best[0]:
                best = (key, oi)
        if best is None:
            return False
        move(best[1], ui)
        return True

    phases = ((SKILL,), (LEAD,), (HEADCOUNT_MIN, ON_DUTY))
    for phase in phases:
        for ri, rule in enumerate(rules):
            if rule.rule in phase:
                while rc[ri] < rule.required and pull(ri):
                    pass
    for ri, rule in enumerate(rules):
        if rule.rule != HEADCOUNT_MAX:
            continue
        ui, kind = rule.unit, rule.kind
        while rc[ri] > rule.required:
            push: tuple[tuple[float, float, str, str], int, int] | None = None
            for oi in sorted(members[ui], key=lambda i: officers[i].id):
                if officers[oi].kind != kind or prep.locked[oi] or not can_leave(oi):
                    continue
                for vi in prep.cand[oi]:
                    if vi != ui and can_join(oi, vi):
                        rank = (surplus(vi, kind), prep.dist_km[oi][vi], officers[oi].id, units[vi].id)
                        if push is None or rank < push[0]:
                            push = (rank, oi, vi)
            if push is None:
                break
            move(push[1], push[2])
    # balance: best unit pair first, then the nearest officer who can make that move
    half = tuning.GREEDY_SURPLUS
    eps = tuning.EPSILON
    for _ in range(tuning.GREEDY_MOVES_PER_OFFICER * len(officers)):
        pairs = []
        for k in OFFICER_KIND_CODES:
            over = [(u, surplus(u, k)) for u in range(nu) if surplus(u, k) > half]
            under = [(v, surplus(v, k)) for v in range(nu) if surplus(v, k) < -half + eps]
            for u, s in over:
                for v, d in under:
                    gain = abs(s) + abs(d) - abs(s - 1) - abs(d + 1)
                    if gain > eps:
                        pairs.append(((-gain, -(s - d), units[u].id, units[v].id, k), u, v, k))
        pairs.sort(key=lambda p: p[0])
        moved = False
        for _key, u, v, k in pairs:
            nearest: tuple[tuple[float, str], int] | None = None
            for oi in members[u]:
                if officers[oi].kind != k or prep.locked[oi] or v not in prep.cand[oi]:
                    continue
                if not can_join(oi, v) or not can_leave(oi):
                    continue
                closer = (prep.dist_km[oi][v], officers[oi].id)
                if nearest is None or closer < nearest[0]:
                    nearest = (closer, oi)
            if nearest is not None:
                move(nearest[1], v)
                moved = True
                break
        if not moved:
            break
    return {o.id: units[where[i]].id for i, o in enumerate(officers)}
