"""Benchmark: generate and load demo counties, side by side with a plain bulk insert.

For each county: the generator (``generate_county``) and the loader (``load_county``)
are timed; then, for the baseline, the very rows it wrote are read back, deleted, and
inserted again with plain ``bulk_create`` (no generation, no derivation). The ratio
(generate + load) / bare insert is the figure the target speaks of (<= 3x).

Usage (prints one JSON object per county and a summary):
    python bench/bench_demo.py --scale 1
    python bench/bench_demo.py --scale 100 --baseline-every 10
    python bench/bench_demo.py --scale 100 --baseline-every 0 --until 18:35  # no baseline, stop at 18:35 UTC
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/bench_demo.py --scale 1

By default it uses a fresh SQLite file in a temporary folder (JINGWU_DATA_DIR).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
import tracemalloc


def setup() -> None:
    if "JINGWU_DATA_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        os.environ["JINGWU_DATA_DIR"] = tempfile.mkdtemp(prefix="jingwu-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def models_in_order():
    from jingwu.cases.models import Case, CaseIncident, Petition, PetitionIncident, Series, SeriesIncident
    from jingwu.core.models import AuditEvent
    from jingwu.incidents.models import Incident
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Officer, OfficerSkill, Posting
    from jingwu.places.models import ElementRequirement, InspectionElement, Premises

    return [
        Unit,
        InspectionElement,
        ElementRequirement,
        Officer,
        OfficerSkill,
        Posting,
        Premises,
        Incident,
        Case,
        CaseIncident,
        Series,
        SeriesIncident,
        Petition,
        PetitionIncident,
        AuditEvent,
    ]


def bare_insert(bureau) -> tuple[float, int]:
    """Read the bureau's rows, delete them, and time re-inserting them with bulk_create."""
    from django.db import connection, transaction

    order = models_in_order()
    saved = {}
    for model in order:
        saved[model] = [model(**row) for row in model.objects.filter(bureau=bureau).order_by("pk").values()]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:  # the audit trigger refuses deletes, as it should
                cur.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
        for model in reversed(order):
            if model.__name__ == "Unit":
                model.objects.filter(bureau=bureau).update(parent=None)
            model.objects.filter(bureau=bureau).delete()
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    rows = sum(len(v) for v in saved.values())
    t0 = time.perf_counter()
    with transaction.atomic():
        for model in order:
            if model.__name__ == "Unit":
                # parents first: the rows were read in id order, and ids were given parents-first
                model.objects.bulk_create(saved[model], batch_size=5000)
            else:
                model.objects.bulk_create(saved[model], batch_size=5000)
    return time.perf_counter() - t0, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument(
        "--baseline-every",
        type=int,
        default=1,
        help="run the bare-insert baseline every N counties (0: never)",
    )
    parser.add_argument(
        "--until",
        metavar="HH:MM",
        help="start no further county after this time of day (UTC); the counties loaded stay",
    )
    args = parser.parse_args()
    deadline = None
    if args.until:
        import datetime as dt

        now = dt.datetime.now(dt.UTC)
        hour, minute = (int(x) for x in args.until.split(":"))
        deadline = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if deadline <= now:
            deadline += dt.timedelta(days=1)
        deadline = time.time() + (deadline - now).total_seconds()
    setup()
    from django.db import connection

    from jingwu.demo.load import load_county
    from jingwu.demo.synth import generate_county

    results = []
    total_rows = 0
    t_all = time.perf_counter()
    for index in range(args.scale):
        if deadline is not None and time.time() >= deadline:
            print(json.dumps({"stopped": True, "until": args.until, "counties": index}), flush=True)
            break
        tracemalloc.start()
        t0 = time.perf_counter()
        county = generate_county(seed=args.seed, index=index)
        t_gen = time.perf_counter() - t0
        gen_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        t0 = time.perf_counter()
        bureau, stats = load_county(county)
        t_load = time.perf_counter() - t0
        del county
        rows = sum(getattr(stats, k) for k in stats.__dataclass_fields__)
        record = {
            "county": index,
            "bureau": bureau.code,
            "incidents": stats.incidents,
            "generate_s": round(t_gen, 3),
            "load_s": round(t_load, 3),
            "generator_peak_mib": round(gen_peak / 2**20, 1),
            "rss_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }
        if args.baseline_every and index % args.baseline_every == 0:
            t_bare, bare_rows = bare_insert(bureau)
            record.update(
                {
                    "rows": bare_rows,
                    "bare_insert_s": round(t_bare, 3),
                    "generator_rows_per_s": round(bare_rows / (t_gen + t_load)),
                    "bare_rows_per_s": round(bare_rows / t_bare),
                    "ratio_vs_bare": round((t_gen + t_load) / t_bare, 2),
                }
            )
            total_rows += bare_rows
        else:
            total_rows += rows
        results.append(record)
        print(json.dumps(record), flush=True)
    ratios = [r["ratio_vs_bare"] for r in results if "ratio_vs_bare" in r]
    summary = {
        "summary": True,
        "database": connection.vendor,
        "scale": args.scale,
        "counties": len(results),
        "total_s": round(time.perf_counter() - t_all, 1),
        "rows_approx": total_rows,
        "rss_peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "ratio_vs_bare_median": sorted(ratios)[len(ratios) // 2] if ratios else None,
        "ratio_vs_bare_max": max(ratios) if ratios else None,
        "target": "generator within 3x of the bare bulk insert",
    }
    print(json.dumps(summary), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
