"""Benchmark: a planning run of inspections on the demo county (the job, end to end).

Loads the demo county if the database lacks it (``ensure_demo``), then runs plans through
the job runner in this process (``run_now``): a station for a week and the county for a
month (stations one by one, then the prevention center's inspectors on what is left).
Prints one JSON object per plan: wall time, peak memory, visits due (one per specialism
and consolidated), visits avoided, planned, not placed and why, team-days, route length.

Usage:
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
    for unit, days in [(station, 7), (units.get(kind="headquarters"), args.days)]:
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


if __name__ == "__main__":
    main()
