"""The objective, defined once.

The plan minimises, in integer points (``tuning.POINTS`` per weighted unit, see
:class:`ObjectiveWeights` for the terms):

* for every unit ``u`` and every *unit term* ``t`` of it (target deviation per officer
  kind, workload deviation, age and gender balance)::

      cost(t) x | offset(t) + sum over the officers o in u who count for t of (value(o) - ref(t)) |

* plus, for every officer, the points of the unit they are in (``per[o][u]``: commute,
  a move, minus the reward for a female back-office officer moved into operational work).

:func:`define` computes this definition from a prepared problem: :class:`Objective`. The
three places that need the objective derive it from here and nowhere else: the local
search's ``unit_cost`` (``search.py``), the LNS sub-models (``search.py``) and the full
CP-SAT model (``model.py``). :meth:`Objective.evaluate` evaluates the definition plainly
on an assignment; ``tests/engine/test_reassign_objective.py`` checks that all four agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from . import tuning
from .metrics import compared_units
from .prepare import Prepared
from .problem import OFFICER_KIND_CODES, OPERATIONAL_KINDS, Headcount


@dataclass(frozen=True)
class Family:
    """One kind of unit term.

    ``term`` is its name in ``ReassignmentPlan.terms`` (whose value is the sum over units
    of ``|...|`` times ``scale``); ``var`` names its CP-SAT variables (``{u}``: the unit
    index). ``step`` is set when the term counts officers (each one who counts adds
    ``step``); ``optional`` terms exist only in units where their cost is above 0 (and the
    full model keeps them even where nobody may count, as it always has).
    """

    term: str
    scale: float
    var: str
    step: int | None = None
    optional: bool = False


_PERSON = 1 / tuning.PERSON_STEPS
TARGET_POLICE = Family("target_deviation", _PERSON, "dev_{u}_police", tuning.PERSON_STEPS)
TARGET_AUXILIARY = Family("target_deviation", _PERSON, "dev_{u}_auxiliary", tuning.PERSON_STEPS)
WORKLOAD = Family("workload_deviation", _PERSON, "wl_{u}", tuning.PERSON_STEPS, optional=True)
AGE = Family("age_imbalance", 1 / tuning.AGE_STEPS, "age_{u}")
GENDER = Family("gender_imbalance", 1 / tuning.FEMALE_STEPS, "fem_{u}")
#: The unit terms, in the order every unit lists them.
FAMILIES: tuple[Family, ...] = (TARGET_POLICE, TARGET_AUXILIARY, WORKLOAD, AGE, GENDER)
#: Names of the officer-level terms in ``ReassignmentPlan.terms``.
MOVES, COMMUTE, FEMALE_OPERATIONAL = "moves", "commute_km", "female_to_operational"


@dataclass(frozen=True)
class UnitTerm:
    """``cost x |offset + sum of (value(o) - ref)|`` over the unit's officers who count.

    ``family`` is an index into :data:`FAMILIES`; ``low`` a known lower bound of the
    absolute value (a whole headcount misses a fractional target by at least its
    fraction).
    """

    family: int
    unit: int
    cost: int
    offset: int
    ref: int
    low: int = 0


@dataclass(frozen=True, eq=False)
class Objective:
    """The objective of one prepared problem (built by :func:`define`).

    ``counts[f][o]``: whether officer ``o`` counts in family ``f``; ``value[f][o]`` what
    they add (before the unit's ``ref``); ``terms[u]``: unit ``u``'s terms in family
    order; ``per[o][u]``: officer ``o``'s points in candidate unit ``u`` (0 for a locked
    officer); ``km10[o][u]`` the commute in tenths of a km and ``fo[o]`` the units where
    ``o`` earns the female-to-operational reward (for the reported terms).
    """

    prep: Prepared
    counts: tuple[tuple[bool, ...], ...]
    value: tuple[tuple[int, ...], ...]
    terms: tuple[tuple[UnitTerm, ...], ...]
    per: tuple[dict[int, int], ...]
    km10: tuple[dict[int, int], ...]
    fo: tuple[frozenset[int], ...]

    def weight(self, term: UnitTerm, oi: int) -> int:
        """What officer ``oi`` adds inside the absolute value of ``term`` (0: does not count)."""
        if not self.counts[term.family][oi]:
            return 0
        return self.value[term.family][oi] - term.ref

    def term_value(self, term: UnitTerm, members: Sequence[int]) -> int:
        """The signed value inside ``|...|`` with the officers ``members`` in the unit."""
        return term.offset + sum(self.weight(term, oi) for oi in members)

    def evaluate(self, where: Sequence[int]) -> int:
        """The objective, in points, of the assignment ``where`` (unit index per officer).

        ``where[o]`` must be one of officer ``o``'s candidates.
        """
        members = self.prep.members(where)
        total = 0
        for ui, unit_terms in enumerate(self.terms):
            for term in unit_terms:
                total += term.cost * abs(self.term_value(term, members[ui]))
        return total + sum(self.per[oi][ui] for oi, ui in enumerate(where))

    def report(self, where: Sequence[int]) -> dict[str, float]:
        """Each term's unweighted value under ``where`` (as ``ReassignmentPlan.terms``, unrounded)."""
        prep = self.prep
        members = prep.members(where)
        raw: dict[str, int] = {"target_deviation": 0, "age_imbalance": 0, "gender_imbalance": 0}
        scale: dict[str, float] = {}
        for ui, unit_terms in enumerate(self.terms):
            for term in unit_terms:
                fam = FAMILIES[term.family]
                raw[fam.term] = raw.get(fam.term, 0) + abs(self.term_value(term, members[ui]))
                scale[fam.term] = fam.scale
        movable = [oi for oi in range(len(where)) if not prep.locked[oi]]
        out = {name: value * scale.get(name, 1.0) for name, value in raw.items() if name != WORKLOAD.term}
        out[MOVES] = float(sum(1 for oi in movable if where[oi] != prep.cur[oi]))
        out[COMMUTE] = sum(self.km10[oi][where[oi]] for oi in movable) * (1 / tuning.KM_STEPS)
        out[FEMALE_OPERATIONAL] = float(sum(1 for oi in movable if where[oi] in self.fo[oi]))
        if WORKLOAD.term in raw:
            out[WORKLOAD.term] = raw[WORKLOAD.term] * WORKLOAD.scale
        return out


def _size_factor(mean: float, size: float) -> float:
    """``mean / size`` clamped to [``SIZE_FACTOR_MIN``, ``SIZE_FACTOR_MAX``] (size at least 1)."""
    return min(tuning.SIZE_FACTOR_MAX, max(tuning.SIZE_FACTOR_MIN, mean / max(size, 1.0)))


def min_deviation(t10: int, band: Headcount) -> int:
    """Smallest ``|10 n - t10|`` over whole headcounts ``n`` in the band.

    A headcount is a whole number, so a target of 7.3 is missed by at least 0.3 however
    the officers are placed; giving the deviation variable this lower bound lifts the LP
    bound by the unavoidable rounding (the LP alone would place 7.3 officers).
    """
    step = tuning.PERSON_STEPS
    lo, hi = band.minimum, band.maximum if band.maximum is not None else max(band.minimum, t10 // step + 1)
    return min(
        abs(step * n - t10) for n in {min(max(t10 // step, lo), hi), min(max(-(-t10 // step), lo), hi)}
    )


def _workload(prep: Prepared) -> tuple[list[int], list[int]]:
    """Each unit's share by workload (tenths of a person) and points per tenth off it.

    Over the compared units (``workload_units`` with ``workload_hours > 0``): share
    ``e = hours x T / H`` with ``T`` the sum of their (fair-share) targets of the
    ``workload_kinds`` and ``H`` the sum of their hours; a tenth of a person off it costs
    ``weight / (10 x max(t, 1))`` (relative to the unit's own target ``t``). All zero when
    the weight is 0 or fewer than two units have workload.
    """
    problem = prep.problem
    params = problem.params
    units = problem.units
    nu = len(units)
    w = params.weights.workload
    kinds = params.workload_kinds
    loaded = [ui for ui, use in enumerate(compared_units(problem)) if use]
    if w <= 0 or len(loaded) < 2 or not kinds:
        return [0] * nu, [0] * nu
    size = [math.fsum(prep.fair[(ui, k)] for k in kinds) for ui in range(nu)]
    hours = math.fsum(float(units[ui].workload_hours or 0.0) for ui in loaded)
    staff = math.fsum(size[ui] for ui in loaded)
    e10, cost = [0] * nu, [0] * nu
    for ui in loaded:
        e10[ui] = round(tuning.PERSON_STEPS * float(units[ui].workload_hours or 0.0) * staff / hours)
        cost[ui] = max(1, round(tuning.POINTS * w / (tuning.PERSON_STEPS * max(size[ui], 1.0))))
    return e10, cost


def define(prep: Prepared) -> Objective:
    """The objective of ``prep``'s problem (see the module docstring and :class:`ObjectiveWeights`)."""
    problem = prep.problem
    params = problem.params
    w = params.weights
    units, officers = problem.units, problem.officers
    points = tuning.POINTS

    # target deviation: with relative targets a person counts (mean unit size / unit size)
    # times, both kinds together
    unit_size = [math.fsum(prep.fair[(ui, k)] for k in OFFICER_KIND_CODES) for ui in range(len(units))]
    pos = [x for x in unit_size if x > 0]
    mean_unit = math.fsum(pos) / len(pos) if pos else 1.0
    # age and gender: each unit's mean counts alike, |sum of (age - ref)| scaled by mean size / size
    bal = set(params.balance_kinds)
    bal_size = [math.fsum(prep.fair[(ui, k)] for k in bal) for ui in range(len(units))]
    pos = [x for x in bal_size if x > 0]
    mean_bal = math.fsum(pos) / len(pos) if pos else 1.0
    wl_e10, wl_cost = _workload(prep)

    terms: list[tuple[UnitTerm, ...]] = []
    for ui, unit in enumerate(units):
        factor = _size_factor(mean_unit, unit_size[ui]) if params.relative_targets else 1.0
        balance = _size_factor(mean_bal, bal_size[ui]) * unit.balance_weight
        row: list[UnitTerm] = []
        for fi, fam in enumerate(FAMILIES):
            if fam in (TARGET_POLICE, TARGET_AUXILIARY):
                kind = OFFICER_KIND_CODES[0 if fam is TARGET_POLICE else 1]
                t10 = round(tuning.PERSON_STEPS * prep.fair[(ui, kind)])
                cost = round(points * w.target * factor / tuning.PERSON_STEPS)
                term = UnitTerm(fi, ui, cost, -t10, 0, min_deviation(t10, unit.headcount(kind)))
            elif fam is WORKLOAD:
                term = UnitTerm(fi, ui, wl_cost[ui], -wl_e10[ui], 0)
            elif fam is AGE:
                cost = round(points * w.age * balance / tuning.AGE_STEPS)
                term = UnitTerm(fi, ui, cost, 0, round(tuning.AGE_STEPS * prep.ref_age[ui]))
            else:
                cost = round(points * w.gender * balance / tuning.FEMALE_STEPS)
                term = UnitTerm(fi, ui, cost, 0, round(tuning.FEMALE_STEPS * prep.ref_female[ui]))
            if fam.optional and term.cost <= 0:
                continue
            row.append(term)
        terms.append(tuple(row))

    wl_kinds = set(params.workload_kinds)
    counts = (
        tuple(o.kind == OFFICER_KIND_CODES[0] for o in officers),
        tuple(o.kind == OFFICER_KIND_CODES[1] for o in officers),
        tuple(o.kind in wl_kinds for o in officers),
        tuple(o.kind in bal for o in officers),
        tuple(o.kind in bal for o in officers),
    )
    person = tuple(tuning.PERSON_STEPS for _ in officers)
    value = (
        person,
        person,
        person,
        tuple(tuning.AGE_STEPS * o.age for o in officers),
        tuple(tuning.FEMALE_STEPS if o.gender == "F" else 0 for o in officers),
    )

    c_km = points * w.commute / tuning.KM_STEPS
    c_move = round(points * w.moves)
    c_fo = round(points * w.female_operational)
    km10: list[dict[int, int]] = []
    per: list[dict[int, int]] = []
    fo: list[frozenset[int]] = []
    for oi, o in enumerate(officers):
        c = prep.cur[oi]
        kms = {ui: round(tuning.KM_STEPS * prep.dist_km[oi][ui]) for ui in prep.cand[oi]}
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
    return Objective(
        prep=prep,
        counts=counts,
        value=value,
        terms=tuple(terms),
        per=tuple(per),
        km10=tuple(km10),
        fo=tuple(fo),
    )
