"""Benchmark: the county dashboard's inspection figures, from the due table, beside the full assessment.

Generates and loads the demo county into a fresh SQLite database (or ``DATABASE_URL``),
brings its due table up to date (``inspections.duetable.sweep``, as after an import),
then times, for bureau command on the county:

- ``assess``: the due list's assessment of every active premises of the county (risk,
  alerts, names), counted - how the dashboard counted overdue premises before;
- ``due_counts``: the counts from the due table alone - how it counts them now;
- ``dashboard``: the whole county dashboard (``analytics.dashboard.build``).

Both counts are checked equal. Prints median and 95th percentile (ms) as JSON.

    python bench/bench_dashboard_due.py -n 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time


def timed(fn, n: int) -> tuple[dict, object]:
    out = fn()  # warm up
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(0.95 * (n - 1))], 1),
    }, out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=5)
    args = ap.parse_args()
    if "JINGWU_DATA_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        os.environ["JINGWU_DATA_DIR"] = tempfile.mkdtemp(prefix="jingwu-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    os.environ["JINGWU_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.analytics.dashboard import build
    from jingwu.core.scope import area_q
    from jingwu.demo.load import load_county
    from jingwu.demo.synth import generate_county
    from jingwu.inspections import duetable
    from jingwu.inspections.selectors import assess, due_counts
    from jingwu.org.models import Unit
    from jingwu.places.selectors import premises_for

    t0 = time.perf_counter()
    bureau, _stats = load_county(generate_county(seed=2019, index=0))
    load_s = round(time.perf_counter() - t0, 1)
    swept = duetable.sweep(bureau)
    hq = Unit.objects.get(bureau=bureau, kind="headquarters")
    user = do_create_user(
        actor=None, username="bench-command", password="x", bureau=bureau, check_password=False
    )
    do_grant_membership(actor=None, user=user, unit=hq, role="bureau_command")
    premises = premises_for(user).filter(status="active").filter(area_q(hq))

    def before():
        rows = assess(premises)
        return {
            "premises": len(rows),
            "overdue": sum(1 for r in rows if r.state == "overdue"),
            "due": sum(1 for r in rows if r.state == "due"),
        }

    old, old_counts = timed(before, args.n)
    new, new_counts = timed(lambda: due_counts(premises), args.n)
    assert old_counts == new_counts, (old_counts, new_counts)
    page, _d = timed(lambda: build(user, hq), args.n)
    print(
        json.dumps(
            {
                "database": os.environ.get("DATABASE_URL", "sqlite"),
                "load_s": load_s,
                "due_table": swept,
                "counts": new_counts,
                "inspection_counts": {"baseline_assess": old, "due_counts": new},
                "dashboard_county_build": page,
                "load_average": os.getloadavg(),
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
