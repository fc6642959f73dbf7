"""Benchmark: VRPTW routes with PyVRP and OR-Tools at equal time, and a month of inspections.

**Solomon.** RC101 and RC208 (tests/engine/data/solomon) solved by both solvers with the
same time limit (``--time``, default 30 s each, one run after another: the machine is
shared); reported: distance (DIMACS convention), routes, gap to the best-known value,
feasibility re-checked by :func:`jingwu.engine.routing.check_routes`.

**County day.** A seeded realistic day: ``--day-stops`` premises (default 80) within
about 20 km of the prevention center, opening hours by kind (offices 09:00-17:00, shops
10:00-21:00, entertainment venues 14:00-23:00, hotels around the clock), visit durations
of a consolidated inspection (40-125 minutes), ``--day-teams`` teams working 08:30-21:00,
30 km/h with a road detour of 1.3. Visits that do not fit are left out at a cost of
200 km each (their prize); no best-known value exists, so each solver's gap is on that
objective (km + 200 x left out) to the better of the two.

**Month.** ``--premises`` premises (default 3,000) of the demo categories, the elements
due this month from :data:`jingwu.engine.vocab.ELEMENT_REQUIREMENTS` (visits a year / 12,
each with a random due window), ``--inspectors`` inspectors with one to three skills over
22 working days; :func:`jingwu.engine.inspection.plan_inspections` consolidates, forms
teams, assigns and routes every team-day (PyVRP, ``--route-time`` s each). Reported: wall
time, visits, specialist visits replaced and visits avoided, team-days, total route
length, visits not placed and why, peak memory.

Usage (prints one JSON object):
    python bench/bench_routing.py
    python bench/bench_routing.py --time 30 --premises 3000 --route-time 0.3
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import time
from collections import Counter
from pathlib import Path

from jingwu.engine.inspection import DueElement, Inspector, PlanParams, Premises, plan_inspections
from jingwu.engine.routing import (
    Stop,
    check_routes,
    gap,
    geo_problem,
    read_solomon,
    read_vrplib,
    solve_ortools,
    solve_pyvrp,
)
from jingwu.engine.vocab import ELEMENT_REQUIREMENTS

DATA = Path(__file__).resolve().parent.parent / "tests" / "engine" / "data" / "solomon"
BKS = {"RC101": 1619.8, "RC208": 776.1}
CENTER = (120.60, 30.00)
KM_LON, KM_LAT = 1 / 96.3, 1 / 111.2


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def solomon(limit: float, seed: int) -> list[dict]:
    out = []
    for name, p in (("RC101", read_solomon(DATA / "RC101.txt")), ("RC208", read_vrplib(DATA / "RC208.vrp"))):
        for solve in (solve_pyvrp, solve_ortools):
            s = solve(p, limit, seed)
            total, bad, _ = check_routes(p, [r.stops for r in s.routes])
            out.append(
                {
                    "instance": name,
                    "solver": s.solver,
                    "time_s": limit,
                    "distance": round(s.length, 1),
                    "routes": len(s.routes),
                    "best_known": BKS[name],
                    "gap_pct": round(100 * gap(s.length, BKS[name]), 2),
                    "feasible_rechecked": not bad and total == s.distance,
                }
            )
            print(json.dumps(out[-1]), flush=True)
    return out


def _point(rng: random.Random, radius_km: float) -> tuple[float, float]:
    r = radius_km * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    return (round(CENTER[0] + r * math.cos(a) * KM_LON, 6), round(CENTER[1] + r * math.sin(a) * KM_LAT, 6))


HOURS = {
    "office": (9 * 60, 17 * 60),
    "shop": (10 * 60, 21 * 60),
    "venue": (14 * 60, 23 * 60),
    "hotel": (0, 1440),
}


def county_day(n: int, teams: int, limit: float, seed: int) -> list[dict]:
    rng = random.Random(seed)
    stops = []
    for i in range(n):
        kind = rng.choices(list(HOURS), weights=(4, 3, 2, 1))[0]
        opens, closes = HOURS[kind]
        minutes = 15 + sum(rng.choice((20, 25, 30, 40)) for _ in range(rng.randint(1, 3)))
        start, end = max(opens, 8 * 60 + 30), min(closes, 21 * 60) - minutes
        stops.append(
            (Stop(f"p{i}", minutes, start, max(start, end), required=False, prize=200_000), _point(rng, 20))
        )
    p = geo_problem("county-day", CENTER, stops, teams, depot_open=8 * 60 + 30, depot_close=21 * 60)
    res = []
    for solve in (solve_pyvrp, solve_ortools):
        s = solve(p, limit, seed)
        res.append(
            {
                "solver": s.solver,
                "time_s": limit,
                "km": round(s.distance / 1000, 1),
                "visits": sum(len(r.stops) for r in s.routes),
                "unserved": len(s.unserved),
                "feasible_rechecked": s.feasible,
            }
        )
    # Both solvers minimise route length plus 200 km for each visit left out (the prize).
    for r in res:
        r["objective_km"] = round(r["km"] + 200 * r["unserved"], 1)
    best = min(r["objective_km"] for r in res)
    for r in res:
        r["gap_to_better_pct"] = round(100 * (r["objective_km"] - best) / best, 2)
        print(json.dumps({"county_day": r}), flush=True)
    return res


def month(n_premises: int, n_inspectors: int, route_time: float, seed: int) -> dict:
    rng = random.Random(seed)
    cats = list(ELEMENT_REQUIREMENTS)
    weights = (2, 1, 2, 6, 4, 1, 1, 3)
    premises, due = [], []
    for i in range(n_premises):
        cat = rng.choices(cats, weights=weights)[0]
        opens, closes = (
            HOURS["venue"]
            if cat == "entertainment"
            else HOURS["hotel"]
            if cat == "hotel"
            else HOURS["office"]
        )
        pid = f"{cat[:3]}{i}"
        premises.append(Premises(pid, *_point(rng, 20), opens=opens, closes=closes))
        for element, per_year in ELEMENT_REQUIREMENTS[cat].items():
            if rng.random() < per_year / 12:
                a = rng.randint(0, 21)
                due.append(DueElement(pid, element, max(0, a - 10), min(21, a + 10)))
    skills = ["hazardous_chemicals", "security", "floating_population", "fire_safety", "public_order"]
    inspectors = []
    for i in range(n_inspectors):
        k = rng.choice((1, 2, 2, 3))
        off = {d for d in range(22) if rng.random() < 0.08}
        inspectors.append(
            Inspector(f"i{i}", frozenset(rng.sample(skills, k)), frozenset(set(range(22)) - off))
        )
    t0 = time.perf_counter()
    plan = plan_inspections(
        premises,
        due,
        inspectors,
        CENTER,
        list(range(22)),
        PlanParams(route_time_s=route_time, seed=seed, day_end=21 * 60),
    )
    wall = time.perf_counter() - t0
    team_days = len({(v.team) for v in plan.planned})
    return {
        "premises": n_premises,
        "premises_with_work_due": len(plan.visits),
        "elements_due": plan.specialist_visits,
        "inspectors": n_inspectors,
        "working_days": 22,
        "wall_s": round(wall, 1),
        "visits_planned": len(plan.planned),
        "specialist_visits": plan.specialist_visits,
        "visits_avoided": plan.visits_avoided,
        "team_days": team_days,
        "teams_formed": len(plan.teams),
        "route_km": round(plan.route_km, 1),
        "km_per_visit": round(plan.route_km / max(1, len(plan.planned)), 2),
        "unplanned": dict(Counter(r for _p, r in plan.unplanned)),
        "peak_rss_mb": round(rss_mb(), 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time", type=float, default=30)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--skip-solomon", action="store_true")
    ap.add_argument("--day-stops", type=int, default=80)
    ap.add_argument("--day-teams", type=int, default=8)
    ap.add_argument("--skip-day", action="store_true")
    ap.add_argument("--premises", type=int, default=3000)
    ap.add_argument("--inspectors", type=int, default=60)
    ap.add_argument("--route-time", type=float, default=0.3)
    a = ap.parse_args()
    out: dict = {"cpus_shared": 2}
    if not a.skip_solomon:
        out["solomon"] = solomon(a.time, a.seed)
    if not a.skip_day:
        out["county_day"] = county_day(a.day_stops, a.day_teams, a.time, a.seed)
    if a.premises:
        out["month"] = month(a.premises, a.inspectors, a.route_time, a.seed)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
