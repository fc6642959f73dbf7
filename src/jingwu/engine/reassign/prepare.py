"""Preparation: what every stage needs, computed once per problem.

:func:`prepare` turns a :class:`ReassignProblem` into a :class:`Prepared` state: the
officers x units distances, locks, lead eligibility, candidate units, fair-share
targets, age and gender references, on-duty minimums and the hard-rule groups. Every
public function of the engine takes either a problem or a prepared state: a caller
that plans and then compares baselines prepares once and passes the state along::

    prepared = prepare(problem)
    plan = plan_reassignment(prepared)
    greedy = greedy_baseline(prepared)
    imbalance(prepared, greedy)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from jingwu.engine.geo import distance_m
from jingwu.engine.staffing import round_up

from . import tuning
from .problem import (
    BACK_OFFICE_KINDS,
    CENTER_KINDS,
    OFFICER_KIND_CODES,
    RANK_ORDER,
    Officer,
    ReassignParams,
    ReassignProblem,
    Unit,
)
from .rules import Rule, hard_rules


@dataclass(frozen=True, eq=False)
class Prepared:
    """A problem with everything the stages derive from it (read-only; built by :func:`prepare`).

    Officers and units are numbered as in the problem. ``cur[o]`` is officer ``o``'s
    current unit, ``dist_km[o][u]`` the km from their home to unit ``u``'s base,
    ``locked[o]`` why they stay (``pinned``, ``on_leave``, ``near_retirement``, or None),
    ``lead_ok[o]`` whether they may lead a zone, ``cand[o]`` their candidate units
    (``cand_free[o]`` as if they were not locked), ``fair[(u, kind)]`` the fair-share
    target, ``ref_age``/``ref_female`` the balance references per unit, ``on_duty_min``
    the on-duty police minimum per unit, ``back_office[o]`` whether they work in a back
    office, ``rules`` the hard-rule groups and ``rules_at[u]`` the indices of a unit's.
    """

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
    rules: tuple[Rule, ...]
    rules_at: tuple[tuple[int, ...], ...]

    def counts(self, rule: Rule, oi: int) -> bool:
        """Whether officer ``oi`` counts toward ``rule`` (see :meth:`Rule.counts`)."""
        return rule.counts(self.problem.officers[oi], self.lead_ok[oi])

    def members(self, where: Sequence[int]) -> list[list[int]]:
        """The officers of each unit (in officer order) under the assignment ``where``."""
        out: list[list[int]] = [[] for _ in self.problem.units]
        for oi, ui in enumerate(where):
            out[ui].append(oi)
        return out


def as_prepared(problem: ReassignProblem | Prepared) -> Prepared:
    """``problem`` prepared (a :class:`Prepared` is returned as it is)."""
    return problem if isinstance(problem, Prepared) else prepare(problem)


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
    return params.lead_min_rank is not None and RANK_ORDER[o.rank] >= RANK_ORDER[params.lead_min_rank]


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
            hi = maxs[i]
            if v < mins[i]:
                fixed[i], changed = float(mins[i]), True
            elif hi is not None and v > hi:
                fixed[i], changed = float(hi), True
        if not changed:
            break
    return [fixed.get(i, targets[i] * scale if targets[i] > 0 else targets[i]) for i in range(len(targets))]


def _fair_targets(problem: ReassignProblem) -> dict[tuple[str, str], float]:
    units = problem.units
    out: dict[tuple[str, str], float] = {}
    for kind in OFFICER_KIND_CODES:
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


def fair_share_targets(problem: ReassignProblem | Prepared) -> dict[tuple[str, str], float]:
    """Each unit's target per officer kind, scaled so the targets add up to the staff.

    When a county has fewer (or more) officers of a kind than its units' targets add up
    to, every target is scaled by ``staff / sum of targets``; a scaled target outside a
    unit's [minimum, maximum] band is clamped and the rest rescaled (water-filling). With
    ``params.scale_targets=False`` the targets are returned unchanged.
    Keys are ``(unit id, officer kind)``.
    """
    if isinstance(problem, Prepared):
        units = problem.problem.units
        return {(units[ui].id, kind): t for (ui, kind), t in problem.fair.items()}
    return _fair_targets(problem)


def _can_take(unit: Unit, kind: str) -> bool:
    hc = unit.headcount(kind)
    return hc.maximum is None or hc.maximum > 0


def prepare(problem: ReassignProblem) -> Prepared:
    """Everything the stages need from ``problem`` (see :class:`Prepared`)."""
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
    fs = _fair_targets(problem)
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
    rules = hard_rules(units, on_duty)
    rules_at: list[list[int]] = [[] for _ in units]
    for ri, rule in enumerate(rules):
        rules_at[rule.unit].append(ri)
    return Prepared(
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
        rules=rules,
        rules_at=tuple(tuple(r) for r in rules_at),
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
    lead_radius = tuning.LEAD_RADIUS_FACTOR * params.radius_km
    for u in order:
        unit = units[u]
        if u == cur or not _can_take(unit, o.kind):
            continue
        needed = unit.kind in CENTER_KINDS or any(r.met_by(o) for r in unit.skills)
        if needed:
            first.append(u)
        elif dist[u] <= params.radius_km or (lead_ok and bool(unit.leads) and dist[u] <= lead_radius):
            rest.append(u)
    return ([cur] + first + rest)[: params.max_candidates]


def candidate_units(problem: ReassignProblem | Prepared) -> dict[str, tuple[str, ...]]:
    """The units modelled for each officer (the plan can only choose among these).

    For a locked officer: the current unit. Otherwise, in this order and cut at
    ``max_candidates``: the current unit; the centers (``CENTER_KINDS``) and units with a
    skill requirement the officer meets (any distance, nearest first); other units
    within ``radius_km`` of home (lead-eligible officers: units needing a lead within
    twice the radius), nearest first. Units whose band for the officer's kind has
    ``maximum == 0`` are left out.
    """
    prep = as_prepared(problem)
    units = prep.problem.units
    return {o.id: tuple(units[u].id for u in prep.cand[i]) for i, o in enumerate(prep.problem.officers)}
