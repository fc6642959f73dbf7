"""Benchmark: the whole plan on the demo county, step by step, and CP-SAT against two baselines.

Loads the demo county (``jingwu.demo``, seed 2019) into the configured database if it is
not there yet, then plans the reform from the state on 2017-04-30 (the day before it)
exactly as a scenario run does: read the bureau (units, ~840 staff posted that day,
a year of incidents, premises), station types, demand by grid, staffing, zones of the
textile-town station, and the CP-SAT reassignment of every officer and auxiliary.

Printed as one JSON object: seconds per step and in total (target: within 60 s), CP-SAT's
status, objective, best bound and gap, and for the plan, the proportional-rounding
baseline, the greedy baseline and the current state side by side: imbalance (coefficient
of variation of workload hours per officer across the stations; also police only, and
with the investigation center as well), moves,
hard rules broken, distance from the targets, the investigation center's mean age and
the reform's headline figures.

Usage:
    JINGWU_DATA_DIR=/tmp/jw python bench/bench_plan.py [--time 8] [--workers 1] [--no-zones]
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import time
from typing import Any


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)


def _round(x: float | None, n: int = 4) -> float | None:
    return None if x is None else round(float(x), n)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--time", type=float, default=8.0, help="CP-SAT deterministic time limit (s)")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-zones", action="store_true", help="skip the zone redesign of the textile town")
    args = parser.parse_args()

    _setup()
    from jingwu.core.models import Bureau
    from jingwu.demo.load import demo_bureau_code, ensure_demo
    from jingwu.engine.reassign import (
        fair_share_targets,
        greedy_baseline,
        imbalance,
        proportional_baseline,
        rule_violations,
        unit_figures,
    )
    from jingwu.planning.inputs import ScenarioParams, load_state
    from jingwu.planning.pipeline import run_pipeline

    out: dict[str, Any] = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}}
    t0 = time.perf_counter()
    ensure_demo(seed=2019)
    out["demo_load_seconds"] = round(time.perf_counter() - t0, 1)
    bureau = Bureau.objects.get(code=demo_bureau_code(0))

    steps: dict[str, float] = {}
    t_all = time.perf_counter()
    cpu_all = time.process_time()
    t0 = time.perf_counter()
    state = load_state(
        bureau,
        as_of=dt.date(2017, 4, 30),
        reform_date=dt.date(2017, 5, 1),
        incidents_from=dt.date(2016, 5, 1),
        incidents_to=dt.date(2017, 4, 30),
    )
    steps["load"] = time.perf_counter() - t0
    params = ScenarioParams(
        time_limit=args.time,
        workers=args.workers,
        seed=args.seed,
        zone_station="" if args.no_zones else "S03",
    )
    marks: list[tuple[str, float]] = []
    result = run_pipeline(state, params, lambda step, pct: marks.append((step, time.perf_counter())))
    total = time.perf_counter() - t_all
    cpu_total = time.process_time() - cpu_all  # this process's CPU: what the load does not change
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    for name, seconds in result.results["timings"].items():
        steps[name] = seconds
    problem, plan = result.problem, result.plan
    assert problem is not None and plan is not None

    fair = fair_share_targets(problem)
    # the figure before it was taken over the stations only: the center included as well
    with_center = dataclasses.replace(
        problem, params=dataclasses.replace(problem.params, workload_units=None)
    )
    ic = next(u.id for u in problem.units if u.kind == "investigation_center")
    codes = {str(pk): state.units[pk].code for pk in state.plan_units}
    jiapu = next(k for k, c in codes.items() if c == "S03")
    zhicheng = next(k for k, c in codes.items() if c == "S01")

    def summary(assign: dict[str, str], seconds: float | None) -> dict[str, Any]:
        figs = {f.unit: f for f in unit_figures(problem, assign)}
        dev = sum(abs(getattr(f, k) - fair[(u, k)]) for u, f in figs.items() for k in ("police", "auxiliary"))
        return {
            "imbalance": _round(imbalance(problem, assign)),
            "imbalance_police": _round(imbalance(problem, assign, kind="police")),
            "imbalance_with_center": _round(imbalance(with_center, assign)),
            "moves": sum(1 for o in problem.officers if assign[o.id] != o.unit),
            "rule_violations": len(rule_violations(problem, assign)),
            "target_deviation_persons": round(dev, 1),
            "ic_police": figs[ic].police,
            "ic_mean_age": _round(figs[ic].mean_age, 1),
            "jiapu_police": figs[jiapu].police,
            "zhicheng_mean_age": _round(figs[zhicheng].mean_age, 1),
            "seconds": _round(seconds, 3),
        }

    current = {o.id: o.unit for o in problem.officers}
    t0 = time.perf_counter()
    prop = proportional_baseline(problem)
    t_prop = time.perf_counter() - t0
    t0 = time.perf_counter()
    greedy = greedy_baseline(problem)
    t_greedy = time.perf_counter() - t0
    r = result.results
    shape = r["shape"]
    st = {s["code"]: s for s in shape["stations"]}
    out.update(
        {
            "county": {
                "staff": len(problem.officers),
                "police": sum(1 for o in problem.officers if o.kind == "police"),
                "units": len(problem.units),
                "closing_units": len(state.closing),
                "grids": len(state.grids),
                "incidents": int(len(state.inc_grid)),
                "variables": plan.variables,
            },
            "seconds": {k: round(v, 2) for k, v in steps.items()}
            | {"total": round(total, 1), "cpu_total": round(cpu_total, 1), "load_average_1min": load},
            "within_60_s": total <= 60.0,
            "cp_sat": {
                "status": plan.status,
                "objective": _round(plan.objective, 2),
                "best_bound": _round(plan.best_bound, 2),
                "gap": _round(plan.gap, 5),
                "deterministic_seconds": _round(plan.deterministic_seconds, 2),
                "wall_seconds": _round(plan.wall_seconds, 2),
                "start_objective": _round(plan.start_objective, 2),
                "terms": dict(plan.terms),
            },
            "side_by_side": {
                "cp_sat": summary(dict(plan.assignment), plan.wall_seconds),
                "proportional_rounding": summary(prop, t_prop),
                "greedy": summary(greedy, t_greedy),
                "current": summary(current, None),
            },
            "reform_shape": {
                "jiapu_police": [st["S03"]["police_before"], st["S03"]["police_after"]],
                "ic_police_after": shape["ic_police_after"],
                "ic_mean_age_after": shape["ic_mean_age_after"],
                "ic_drawn_from": shape["ic_drawn_from"],
                "zhicheng_mean_age": [st["S01"]["mean_age_before"], st["S01"]["mean_age_after"]],
                "county_mean_age_police": shape["county_mean_age_police"],
            },
            "zones": None
            if not r.get("zones")
            else {
                "station": r["zones"]["station"],
                "method": r["zones"].get("method"),
                "today": r["zones"].get("today"),
                "planned": r["zones"].get("planned"),
            },
        }
    )
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
