"""Benchmark: a planning run of inspections on the demo county (the job, end to end).

Loads the demo county if the database lacks it (``ensure_demo``), then runs plans through
the job runner in this process (``run_now``): a station for a week and the county for a
month (stations one by one, then the prevention center's inspectors on what is left).
Prints one JSON object per plan: wall time, peak memory, visits due (one per specialism
and consolidated), visits avoided, planned, not placed and why, team-days, route length.

``--compare-days S``: after the station's week (planned with PyVRP), each of its working
days is routed again as one problem for both solvers at the same time limit ``S``: the
visits the plan placed that day (opening hours as windows, the visit's minutes, at most
``--cap`` visits a team), as many vehicles as the day had teams, from the station's
office; a visit left out costs 200 km. Skills are not part of the day problem (the plan
already matched visits to teams): both solvers get exactly the same problem. Printed per
day: km, visits, left out, objective (km + 200 per visit left out) and each solver's gap
to the better of the two.

Usage:
    python bench/bench_inspections.py --compare-days 10 --station-only
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/bench_inspections.py
    python bench/bench_inspections.py --days 28 --solver ortools
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time


def setup() -> None:
    if "JINGWU_DATA_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        os.environ["JINGWU_DATA_DIR"] = tempfile.mkdtemp(prefix="jingwu-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--days", type=int, default=28, help="days of the county's plan")
    ap.add_argument("--solver", default="pyvrp", choices=["pyvrp", "ortools"])
    ap.add_argument("--team-size", type=int, default=2)
    ap.add_argument("--cap", type=int, default=6, help="visits a team a day")
    ap.add_argument(
        "--compare-days", type=float, default=0, help="route the station's days with both solvers"
    )
    ap.add_argument("--station-only", action="store_true", help="skip the county's month")
    args = ap.parse_args()
    setup()
    from jingwu.core.clock import data_date
    from jingwu.core.models import Bureau
    from jingwu.demo.load import ensure_demo
    from jingwu.inspections.services import do_start_plan
    from jingwu.jobs.services import latest_job, run_now
    from jingwu.org.models import Unit

    ensure_demo(seed=2019)
    bureau = Bureau.objects.get(code="330522")
    start = data_date(bureau) + dt.timedelta(days=1)
    while start.weekday() >= 5:
        start += dt.timedelta(days=1)
    units = Unit.objects.current().filter(bureau=bureau)
    station = units.filter(kind="station", name_zh__startswith="夹浦").first()
    todo = [(station, 7)] + ([] if args.station_only else [(units.get(kind="headquarters"), args.days)])
    for unit, days in todo:
        t0 = time.perf_counter()
        plan = do_start_plan(
            actor=None,
            unit=unit,
            start=start,
            days=days,
            min_team=args.team_size,
            max_team=args.team_size,
            visits_per_team_day=args.cap,
            solver=args.solver,
            hand_out=False,
        )
        job = run_now(latest_job(plan))
        plan.refresh_from_db()
        res = {k: v for k, v in plan.results.items() if k != "teams"}
        print(
            json.dumps(
                {
                    "unit": unit.code,
                    "start": start.isoformat(),
                    "days": days,
                    "solver": args.solver,
                    "state": job.state,
                    "error": job.error[:200],
                    "wall_s": round(time.perf_counter() - t0, 1),
                    "peak_mb": job.peak_memory,
                    "team_days": len(plan.results.get("teams", [])),
                    **res,
                },
                ensure_ascii=False,
            ),
            flush=True,
        )
        if args.compare_days and unit == station:
            compare_days(plan, args.compare_days, args.cap)


def compare_days(plan, limit: float, cap: int) -> None:
    from jingwu.engine import inspection_rules as rules
    from jingwu.engine.inspection import ELEMENT_MINUTES
    from jingwu.engine.routing import Stop, geo_problem, solve_ortools, solve_pyvrp
    from jingwu.inspections.planning import DAY_END, DAY_START

    by_day: dict = {}
    for v in plan.visits.filter(status="planned").select_related("premises").order_by("day", "id"):
        by_day.setdefault(v.day, []).append(v)
    teams = plan.results.get("teams", [])
    unit = plan.unit
    depot = (unit.base_lon, unit.base_lat)
    rows = []
    for day, visits in sorted(by_day.items()):
        k = (day - plan.start).days
        n_teams = sum(1 for t in teams if t["day"] == k)
        stops = []
        for v in visits:
            p = v.premises
            opens, closes = rules.OPENING_HOURS.get(p.category, rules.DEFAULT_HOURS)
            minutes = 15 + sum(ELEMENT_MINUTES.get(e, 20) for e in v.elements)
            early = max(opens, DAY_START)
            late = max(early, min(closes, DAY_END) - minutes)
            stops.append(
                (
                    Stop(str(v.pk), minutes, early, late, demand=1, required=False, prize=200_000),
                    (p.lon, p.lat),
                )
            )
        problem = geo_problem(
            f"{unit.code}-{day}",
            depot,
            stops,
            n_teams,
            capacity=cap,
            depot_open=DAY_START,
            depot_close=DAY_END,
        )
        res = []
        for solve in (solve_pyvrp, solve_ortools):
            s = solve(problem, limit, 0)
            km = s.distance / 1000
            res.append(
                {
                    "day": day.isoformat(),
                    "visits_offered": len(stops),
                    "teams": n_teams,
                    "solver": s.solver,
                    "time_s": limit,
                    "km": round(km, 1),
                    "visits": sum(len(r.stops) for r in s.routes),
                    "left_out": len(s.unserved),
                    "objective_km": round(km + 200 * len(s.unserved), 1),
                    "feasible_rechecked": s.feasible,
                }
            )
        best = min(r["objective_km"] for r in res)
        for r in res:
            r["gap_to_better_pct"] = round(100 * (r["objective_km"] - best) / best, 2) if best else 0.0
            print(json.dumps({"compare_day": r}), flush=True)
            rows.append(r)
    for solver in ("pyvrp", "ortools"):
        mine = [r for r in rows if r["solver"].startswith(solver)]
        print(
            json.dumps(
                {
                    "compare_total": solver,
                    "km": round(sum(r["km"] for r in mine), 1),
                    "visits": sum(r["visits"] for r in mine),
                    "left_out": sum(r["left_out"] for r in mine),
                    "objective_km": round(sum(r["objective_km"] for r in mine), 1),
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
