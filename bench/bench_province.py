"""Benchmark: a month of consolidated inspections for a province (engine only, no database).

A province of 100 bureaus holds about 300,000 key premises (the demo county: 2,980).
Each bureau plans its own inspections (the job plans a county station by station, then
the prevention center's inspectors take what is left), so the province's month is 100
independent county months. This script generates ``--counties`` synthetic counties of the
demo county's size and shape, plans each one's month as the job does, and extrapolates
the province from their mean and spread (time serially on one core; bureaus are
independent, so a province runs them side by side on as many cores as it has).

Each county (seeded): ``--stations`` stations (13 like the demo), each with its office at
a point of a 45 x 45 km county and its ``--premises``/stations premises within 7 km of it,
in the demo categories' shares (``vocab.ELEMENT_REQUIREMENTS``); the elements due this
month are a steady state (each element with probability visits a year / 12, due on a
random day with a window of up to three weeks, as ``bench_routing.month``); ``--inspectors``
per county (201 in the demo) spread over the stations, each with one to three element
skills and 8 % of days off. Each station's month: :func:`plan_inspections` (CP-SAT teams
of two, at most six visits a team a day, PyVRP ``--route-time`` s per team-day, 08:30 to
21:00, from the station's office); then the county's prevention center (its ``--pc``
inspectors, from the county seat) takes what the stations left.

Usage (prints one JSON object per county, then the province's extrapolation):
    nice -n 10 python bench/bench_province.py --counties 3
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import statistics
import time
from collections import Counter

from jingwu.engine import inspection_rules as rules
from jingwu.engine.inspection import DueElement, Inspector, PlanParams, Premises, plan_inspections
from jingwu.engine.vocab import ELEMENT_REQUIREMENTS

KM_LON, KM_LAT = 1 / 96.3, 1 / 111.2
WORKDAYS = 22
SKILLS = ["hazardous_chemicals", "security", "floating_population", "fire_safety", "public_order"]
WEIGHTS = (2, 1, 2, 6, 4, 1, 1, 3)


def _near(rng: random.Random, at: tuple[float, float], radius_km: float) -> tuple[float, float]:
    r = radius_km * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    return (round(at[0] + r * math.cos(a) * KM_LON, 6), round(at[1] + r * math.sin(a) * KM_LAT, 6))


def _inspectors(rng: random.Random, prefix: str, n: int) -> list[Inspector]:
    out = []
    for i in range(n):
        off = {d for d in range(WORKDAYS) if rng.random() < 0.08}
        skills = frozenset(rng.sample(SKILLS, rng.choice((1, 2, 2, 3))))
        out.append(Inspector(f"{prefix}i{i}", skills, frozenset(set(range(WORKDAYS)) - off)))
    return out


def county(seed: int, args) -> dict:
    rng = random.Random(seed)
    seat = (120.0 + seed % 10 * 0.5, 29.0 + seed // 10 * 0.4)
    offices = [_near(rng, seat, 22) for _ in range(args.stations)]
    cats = list(ELEMENT_REQUIREMENTS)
    params = PlanParams(
        min_team=2,
        max_team=2,
        visits_per_team_day=6,
        route_time_s=args.route_time,
        team_time_s=5.0,
        day_end=21 * 60,
        seed=seed,
    )
    t0 = time.perf_counter()
    totals = Counter()
    reasons: Counter = Counter()
    left_where: dict[str, Premises] = {}
    left_due: list[DueElement] = []
    per_station_inspectors = args.inspectors // args.stations
    for s, office in enumerate(offices):
        premises, due = [], []
        for i in range(args.premises // args.stations):
            cat = rng.choices(cats, weights=WEIGHTS)[0]
            opens, closes = rules.OPENING_HOURS.get(cat, rules.DEFAULT_HOURS)
            pid = f"c{seed}s{s}p{i}"
            premises.append(Premises(pid, *_near(rng, office, 7), opens=opens, closes=closes))
            for element, per_year in ELEMENT_REQUIREMENTS[cat].items():
                if rng.random() < per_year / 12:
                    a = rng.randint(0, WORKDAYS - 1)
                    due.append(DueElement(pid, element, max(0, a - 10), min(WORKDAYS - 1, a + 10)))
        team = _inspectors(rng, f"c{seed}s{s}", per_station_inspectors)
        plan = plan_inspections(premises, due, team, office, list(range(WORKDAYS)), params)
        placed = {v.premises for v in plan.planned}
        totals["premises"] += len(premises)
        totals["visits_due"] += len(plan.visits)
        totals["specialist_visits"] += plan.specialist_visits
        totals["visits_avoided"] += plan.visits_avoided
        totals["planned"] += len(plan.planned)
        totals["teams"] += len(plan.teams)
        totals["route_m"] += round(plan.route_km * 1000)
        where = {p.id: p for p in premises}
        left_due += [d for d in due if d.premises not in placed]
        left_where.update({d.premises: where[d.premises] for d in due if d.premises not in placed})
    # the prevention center, from the county seat, on what the stations left
    pc = plan_inspections(
        list(left_where.values()),
        left_due,
        _inspectors(rng, f"c{seed}pc", args.pc),
        seat,
        list(range(WORKDAYS)),
        params,
    )
    totals["planned"] += len(pc.planned)
    totals["teams"] += len(pc.teams)
    totals["route_m"] += round(pc.route_km * 1000)
    placed = {v.premises for v in pc.planned}
    reasons.update(r for p, r in pc.unplanned if p not in placed)
    wall = time.perf_counter() - t0
    out = {k: v for k, v in totals.items() if k != "route_m"}
    out.update(
        county=seed,
        inspectors=per_station_inspectors * args.stations + args.pc,
        route_km=round(totals["route_m"] / 1000, 1),
        unplanned=sum(reasons.values()),
        reasons=dict(reasons),
        wall_s=round(wall, 1),
        peak_rss_mb=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--counties", type=int, default=3, help="counties generated and planned")
    ap.add_argument("--province", type=int, default=100, help="bureaus in the province (extrapolated)")
    ap.add_argument("--premises", type=int, default=2980, help="premises a county")
    ap.add_argument("--stations", type=int, default=13)
    ap.add_argument("--inspectors", type=int, default=195, help="inspectors at the stations of a county")
    ap.add_argument("--pc", type=int, default=6, help="inspectors at the prevention center")
    ap.add_argument("--route-time", type=float, default=0.3)
    args = ap.parse_args()
    runs = []
    for c in range(args.counties):
        runs.append(county(c + 1, args))
        print(json.dumps(runs[-1]), flush=True)
    keys = [
        "premises",
        "visits_due",
        "specialist_visits",
        "visits_avoided",
        "planned",
        "unplanned",
        "route_km",
    ]
    k = args.province
    prov = {key: round(k * statistics.mean(r[key] for r in runs)) for key in keys}
    walls = [r["wall_s"] for r in runs]
    prov.update(
        bureaus=k,
        counties_run=len(runs),
        wall_s_per_county_mean=round(statistics.mean(walls), 1),
        wall_s_per_county_range=[min(walls), max(walls)],
        wall_h_one_core=round(k * statistics.mean(walls) / 3600, 2),
        route_km_per_visit=round(
            sum(r["route_km"] for r in runs) / max(1, sum(r["planned"] for r in runs)), 2
        ),
    )
    print(json.dumps({"province_extrapolated": prov}), flush=True)


if __name__ == "__main__":
    main()
