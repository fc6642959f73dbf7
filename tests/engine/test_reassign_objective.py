"""The objective is defined once: the local search, the LNS sub-models and the full CP-SAT
model all give the same cost as the definition, on random plans of random counties."""

from __future__ import annotations

import random

import pytest
from ortools.sat.python import cp_model

from jingwu.engine.reassign import (
    Headcount,
    ObjectiveWeights,
    Officer,
    ReassignParams,
    ReassignProblem,
    SkillRequirement,
    Unit,
    prepare,
)
from jingwu.engine.reassign.model import build
from jingwu.engine.reassign.objective import define
from jingwu.engine.reassign.search import Search
from jingwu.engine.reassign.tuning import VIOLATION

KINDS = ("station", "station", "zone", "department", "investigation_center", "prevention_center")


def random_county(seed: int, *, rules: bool = False) -> ReassignProblem:
    """A small county with every objective term switched on in some units; no hard rule
    unless ``rules`` (then any assignment is a plan the full model accepts)."""
    rng = random.Random(seed)
    units = []
    for i in range(rng.randint(4, 7)):
        kind = KINDS[i % len(KINDS)]
        police, aux = rng.uniform(0, 8), rng.uniform(0, 4)
        units.append(
            Unit(
                id=f"U{i}",
                kind=kind,
                lon=120.0 + rng.uniform(0, 0.2),
                lat=30.0 + rng.uniform(0, 0.2),
                police=Headcount(police, 1, None) if rules and i == 0 else Headcount(police, 0, None),
                auxiliary=Headcount(aux, 0, None),
                leads=0,
                skills=(SkillRequirement("investigation", 2, 3),) if rules and i == 1 else (),
                workload_hours=rng.choice((None, rng.uniform(500, 9000))),
                target_mean_age=rng.choice((None, 32.0, 45.5)),
                target_share_female=rng.choice((None, 0.3)),
                balance_weight=rng.choice((1.0, 2.5)),
            )
        )
    officers = []
    for j in range(rng.randint(15, 35)):
        kind = "police" if rng.random() < 0.7 else "auxiliary"
        officers.append(
            Officer(
                id=f"o{j}",
                kind=kind,
                age=rng.randint(22, 60),
                gender=rng.choice("MMF"),
                unit=rng.choice(units).id,
                lon=120.0 + rng.uniform(0, 0.3),
                lat=30.0 + rng.uniform(0, 0.3),
                skills={"investigation": rng.randint(1, 5)} if rng.random() < 0.4 else {},
                rank="sergeant_1" if kind == "police" else "none",
                role=rng.choice(("staff", "back_office", "community")),
                on_leave=rng.random() < 0.1,
            )
        )
    params = ReassignParams(
        weights=ObjectiveWeights(
            target=rng.choice((100.0, 37.5)),
            age=rng.choice((1.0, 0.3)),
            gender=rng.choice((10.0, 4.0)),
            female_operational=rng.choice((20.0, 0.0)),
            moves=rng.choice((10.0, 3.0)),
            commute=rng.choice((0.5, 1.7)),
            workload=rng.choice((0.0, 3000.0)),
        ),
        lock_age=rng.choice((57, 50)),
        radius_km=rng.choice((8.0, 30.0)),
        relative_targets=rng.random() < 0.5,
        balance_kinds=rng.choice((("police",), ("police", "auxiliary"))),
        workload_kinds=rng.choice((("police", "auxiliary"), ("police",))),
    )
    return ReassignProblem(tuple(units), tuple(officers), params)


def _solve_fixed(model: cp_model.CpModel, fix: dict) -> float:
    for var, value in fix.items():
        model.add(var == value)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return solver.objective_value


@pytest.mark.parametrize("seed", range(8))
def test_search_lns_and_full_model_agree_with_the_definition(seed: int) -> None:
    prep = prepare(random_county(seed))
    objective = define(prep)
    rng = random.Random(1000 + seed)
    nu = len(prep.problem.units)
    for _ in range(3):
        where = [rng.choice(c) for c in prep.cand]
        direct = objective.evaluate(where)
        assert direct != 0
        # the local search's unit costs
        search = Search(objective, where)
        assert search.where == where
        assert search.total() == direct
        # the full CP-SAT model, every officer fixed where the plan puts them
        built = build(prep, objective)
        fixed = {var: int(where[oi] == ui) for (oi, ui), var in built.x.items()}
        assert _solve_fixed(built.model, fixed) == direct
        # an LNS sub-model over every unit, its free officers fixed likewise
        model, y, free, current = search.submodel(range(nu))
        assert free
        stay = {oi for oi in range(len(where))} - {oi for oi, _ in free}
        assert current == direct - sum(objective.per[oi][where[oi]] for oi in stay)
        assert _solve_fixed(model, {var: int(where[oi] == ui) for (oi, ui), var in y.items()}) == current


def test_reported_terms_are_the_definition_counted_by_hand() -> None:
    prep = prepare(random_county(3))
    objective = define(prep)
    problem = prep.problem
    where = [c[-1] for c in prep.cand]
    terms = objective.report(where)
    target = 0.0
    for ui in range(len(problem.units)):
        for kind in ("police", "auxiliary"):
            n = sum(1 for oi, o in enumerate(problem.officers) if where[oi] == ui and o.kind == kind)
            target += abs(10 * n - round(10 * prep.fair[(ui, kind)])) / 10
    assert terms["target_deviation"] == pytest.approx(target)
    movable = [oi for oi in range(len(where)) if not prep.locked[oi]]
    assert terms["moves"] == sum(1 for oi in movable if where[oi] != prep.cur[oi])
    assert terms["commute_km"] == pytest.approx(
        sum(round(10 * prep.dist_km[oi][where[oi]]) for oi in movable) / 10
    )


def test_the_search_adds_a_penalty_per_officer_missing_from_a_rule() -> None:
    prep = prepare(random_county(5, rules=True))
    objective = define(prep)
    skill = next(r for r in prep.rules if r.rule == "skill")
    minimum = next(r for r in prep.rules if r.rule == "headcount_min")
    where = list(prep.cur)
    members = prep.members(where)
    missing = sum(
        max(0, r.required - sum(1 for oi in members[r.unit] if prep.counts(r, oi))) for r in (skill, minimum)
    )
    assert missing >= 1
    assert Search(objective, where).total() == objective.evaluate(where) + VIOLATION * missing
