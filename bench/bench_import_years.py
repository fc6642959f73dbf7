"""Benchmark: a year of incidents imported into a bureau that already holds years of them.

An import looks every staged row up among the bureau's rows (already imported?) and
numbers new rows after each day's last number. Those lookups must go by index: when
one missed its index on SQLite, the second year of a city's file took 60 times the
first and the third never finished. This bench imports a city's incidents one year
at a time, in order, into one bureau, and prints the time of each year beside the
first year's (the baseline: the same work into an empty bureau). Target: the last
year within 1.5x of the first. As a control measured next to it, the last year's file
is also imported into a second, empty bureau (same units), so that the effect of the
rows held shows apart from the load of the machine and the first year's warm-up.

Data: the Chicago aggravated assaults 2010-2019 of the shared data folder (148,636
rows, City of Chicago via mpjashby/crimemappingdata, see its SOURCE.txt), through the
bundled mappings ``chicago-districts``, ``chicago-beats`` and ``chicago-assaults``
(the districts and beats are imported first, as a bureau would). Without the shared
data folder it says so and stops; ``--generated`` runs on generated years instead.

Usage:
    python bench/bench_import_years.py                                 # SQLite, a fresh file
    createdb -h 127.0.0.1 -U postgres jingwu_years_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingwu_years_bench python bench/bench_import_years.py
    python bench/bench_import_years.py --generated --rows 15000 --years 6
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import gzip
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import CATEGORIES, X0, Y0, H, W, make_bureau, peak_mb, setup

ASSAULTS = "chicago/chicago_aggravated_assaults_2010_2019.csv.gz"


def shared_data() -> Path | None:
    env = os.environ.get("JINGWU_SHARED_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "data"
    return path if (path / ASSAULTS).is_file() else None


def split_years(src: Path, folder: Path) -> list[tuple[int, Path, int]]:
    """The file cut into one CSV per year of its ``date`` column: (year, path, rows)."""
    out: dict[int, tuple] = {}
    with gzip.open(src, "rt", encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        col = header.index("date")
        for row in reader:
            year = int(row[col][:4])
            if year not in out:
                f = open(folder / f"assaults-{year}.csv", "w", encoding="utf-8", newline="")
                w = csv.writer(f)
                w.writerow(header)
                out[year] = (f, w, [0])
            out[year][1].writerow(row)
            out[year][2][0] += 1
    result = []
    for year, (f, _w, n) in sorted(out.items()):
        f.close()
        result.append((year, folder / f"assaults-{year}.csv", n[0]))
    return result


def chicago_bureau(data: Path, prefix: str = "CY"):
    """A bureau set up from Chicago's districts and beats, and its planner."""
    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.core.models import Bureau
    from jingwu.imports import services
    from jingwu.incidents.taxonomy import sync_categories
    from jingwu.org.services import do_create_unit

    sync_categories()
    code = f"{prefix}{int(time.time()) % 10**8}"
    b = Bureau.objects.create(code=code, name_zh="芝加哥警察局", name_en="Chicago PD")
    hq = do_create_unit(actor=None, bureau=b, parent=None, kind="headquarters", code="HQ", name_zh="局机关")
    user = do_create_user(actor=None, username=f"bench-{code}", password="x", bureau=b, check_password=False)
    do_grant_membership(actor=None, user=user, unit=hq, role="planner")
    for name, mapping in (
        ("chicago_police_districts.geojson", "chicago-districts"),
        ("chicago_police_beats.geojson", "chicago-beats"),
    ):
        m = services.find_mapping(b, mapping, kind="units", actor=user)
        report = services.run_import("units", data / "chicago" / name, bureau=b, actor=user, mapping=m)
        assert report.ok, (name, report.problems[:3])
    return b, user, services.find_mapping(b, "chicago-assaults", kind="incidents", actor=user)


def generated_years(folder: Path, years: int, rows: int) -> list[tuple[int, Path, int]]:
    out = []
    for k in range(years):
        year = 2010 + k
        rnd = random.Random(year)
        start = dt.datetime(year, 1, 1)
        path = folder / f"generated-{year}.csv"
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write("external_id,received_at,category,lon,lat,address,status,source\n")
            for i in range(rows):
                t = start + dt.timedelta(seconds=rnd.randrange(0, 365 * 86400))
                fh.write(
                    f"G{year}-{i},{t:%Y-%m-%d %H:%M},{rnd.choice(CATEGORIES)},"
                    f"{X0 + 1e-4 + rnd.random() * (W - 2e-4):.6f},{Y0 + 1e-4 + rnd.random() * (H - 2e-4):.6f},"
                    f"城关镇解放路{rnd.randrange(1, 999)}号,closed,call_110\n"
                )
        out.append((year, path, rows))
    return out


def timed_import(path: Path, bureau, user, mapping, *, dry_run: bool = False) -> dict:
    from jingwu.imports import services

    marks: dict[str, float] = {}

    def progress(job, phase: str, done: int) -> None:
        marks.setdefault(phase, time.perf_counter())

    t0 = time.perf_counter()
    job = services.create_job(
        kind="incidents",
        bureau=bureau,
        user=user,
        path=path,
        mapping=mapping,
        dry_run=dry_run,
        skip_invalid=True,
        via="cli",
    )
    job = services.process_job(job, progress=progress)
    elapsed = time.perf_counter() - t0
    assert job.status == "done", (job.status, job.problems[:3], job.error)
    check_s = marks.get("apply", time.perf_counter()) - t0 if not dry_run else elapsed
    return {
        "rows": job.rows_done,
        "created": job.created,
        "already_present": job.unchanged,
        "rejected": job.rows_invalid,
        "seconds": round(elapsed, 2),
        "check_s": round(check_s, 2),
        "apply_s": round(elapsed - check_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--generated", action="store_true", help="Generated years instead of Chicago's.")
    parser.add_argument("--rows", type=int, default=15_000, help="Rows per generated year.")
    parser.add_argument("--years", type=int, default=6, help="Generated years.")
    parser.add_argument("--max-years", type=int, default=0, help="Import only the first N years.")
    args = parser.parse_args()
    data = shared_data()
    if not args.generated and data is None:
        print(
            json.dumps(
                {
                    "skipped": "the shared data folder with "
                    + ASSAULTS
                    + " is absent (set JINGWU_SHARED_DATA); run with --generated for generated years"
                }
            )
        )
        return
    os.environ.setdefault("JINGWU_DEBUG", "0")
    setup()
    from django.db import connection

    from jingwu.incidents.models import Incident

    folder = Path(tempfile.mkdtemp(prefix="jingwu-years-bench-"))
    if args.generated:
        bureau, user = make_bureau(f"GY{int(time.time()) % 10**8}")
        mapping = None
        files = generated_years(folder, args.years, args.rows)
        source = f"generated: {args.years} years of {args.rows} rows"
    else:
        t0 = time.perf_counter()
        bureau, user, mapping = chicago_bureau(data)
        setup_s = time.perf_counter() - t0
        files = split_years(data / ASSAULTS, folder)
        source = f"{ASSAULTS} ({sum(n for _y, _p, n in files)} rows), bureau set up in {setup_s:.1f} s"
    if args.max_years:
        files = files[: args.max_years]
    years = []
    for year, path, _n in files:
        held = Incident.objects.filter(bureau=bureau).count()
        result = timed_import(path, bureau, user, mapping)
        years.append({"year": year, "held_before": held, **result})
        print(json.dumps(years[-1]), file=sys.stderr, flush=True)
    # the last year again, as a dry run: every row is found already present
    again = timed_import(files[-1][1], bureau, user, mapping, dry_run=True)
    # a control measured next to the last year: the same file into a second, empty bureau
    if args.generated:
        empty_bureau, empty_user = make_bureau(f"GZ{int(time.time()) % 10**8}")
        empty_mapping = None
    else:
        empty_bureau, empty_user, empty_mapping = chicago_bureau(data, "CZ")
    control = timed_import(files[-1][1], empty_bureau, empty_user, empty_mapping)
    first, last = years[0], years[-1]
    out = {
        "database": f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}".strip(),
        "source": source,
        "first_year": {"year": first["year"], "rows": first["rows"], "seconds": first["seconds"]},
        "last_year": {
            "year": last["year"],
            "rows": last["rows"],
            "held_before": last["held_before"],
            "seconds": last["seconds"],
        },
        "last_year_into_an_empty_bureau": {"seconds": control["seconds"], "created": control["created"]},
        "ratio_last_to_same_file_into_empty": round(last["seconds"] / control["seconds"], 2),
        # per row, so that years of different sizes compare
        "ratio_last_to_first": round(
            (last["seconds"] / max(last["rows"], 1)) / (first["seconds"] / max(first["rows"], 1)), 2
        ),
        "slowest_ratio": round(
            max(y["seconds"] / max(y["rows"], 1) for y in years) / (first["seconds"] / max(first["rows"], 1)),
            2,
        ),
        "dry_run_of_the_last_year_again": again,
        "years": years,
        "peak_rss_mb": peak_mb(),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    for _y, path, _n in files:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
