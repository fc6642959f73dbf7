"""Benchmark: import N generated incidents as a job, side by side with PostgreSQL COPY.

The import is the real thing: a CSV file read in chunks, every row mapped, parsed and
validated (category, times, location inside the bureau, the grid/zone/station it
falls in, the user's scope, field lengths), staged, then written in one
transaction. The baseline is ``COPY ... FROM STDIN`` of the very rows the import
wrote into the incidents table itself, with its indexes and constraints (the same
rows into the same table, without the checks); for reference, also ``COPY`` of the
CSV file into a scratch table with typed columns (no validation, no index).

Prints one JSON object: time and rows/s of both, the ratio, the time of each phase,
and the resident memory (current and peak) at 1/4, 1/2 and the end of the file, to
show that memory does not grow with the file.

Usage (a separate database, please):
    createdb -h 127.0.0.1 -U postgres jingwu_import_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingwu_import_bench python bench/bench_import.py
    DATABASE_URL=... python bench/bench_import.py --rows 1000000
Without DATABASE_URL it runs on a fresh SQLite file (no COPY baseline then).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

X0, Y0 = 119.60, 30.80
W, H = 0.40, 0.24  # about 38 x 27 km
CATEGORIES = [
    "0101",
    "0102",
    "0103",
    "0104",
    "0105",
    "0106",
    "0201",
    "0203",
    "0301",
    "0401",
    "0402",
    "0501",
    "0602",
]


def setup() -> None:
    if "DATABASE_URL" not in os.environ and "JINGWU_DATA_DIR" not in os.environ:
        os.environ["JINGWU_DATA_DIR"] = tempfile.mkdtemp(prefix="jingwu-import-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    os.environ.setdefault("JINGWU_FAST_HASHER", "1")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 1)


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def make_bureau(code: str):
    """A county of 4 stations x 2 zones x 8 grids, and a planner who imports."""
    from shapely.geometry import box, mapping

    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.core.models import Bureau
    from jingwu.incidents.taxonomy import sync_categories
    from jingwu.org.services import do_create_unit

    sync_categories()
    b = Bureau.objects.create(code=code, name_zh="导入基准县公安局", name_en="Import bench county")
    hq = do_create_unit(
        actor=None,
        bureau=b,
        parent=None,
        kind="headquarters",
        code="HQ",
        name_zh="局机关",
        boundary=mapping(box(X0, Y0, X0 + W, Y0 + H)),
    )
    for s in range(4):
        sx0, sy0 = X0 + (s % 2) * W / 2, Y0 + (s // 2) * H / 2
        st = do_create_unit(
            actor=None,
            bureau=b,
            parent=hq,
            kind="station",
            code=f"S{s}",
            name_zh=f"第{s}派出所",
            station_type="full_spectrum",
            boundary=mapping(box(sx0, sy0, sx0 + W / 2, sy0 + H / 2)),
        )
        for z in range(2):
            zx0 = sx0 + z * W / 4
            zone = do_create_unit(
                actor=None,
                bureau=b,
                parent=st,
                kind="zone",
                code=f"S{s}Z{z}",
                name_zh=f"{s}所{z}片",
                boundary=mapping(box(zx0, sy0, zx0 + W / 4, sy0 + H / 2)),
            )
            for g in range(8):
                gx0, gy0 = zx0 + (g % 2) * W / 8, sy0 + (g // 2) * H / 8
                do_create_unit(
                    actor=None,
                    bureau=b,
                    parent=zone,
                    kind="grid",
                    code=f"S{s}Z{z}G{g}",
                    name_zh=f"{s}所{z}片{g}格",
                    boundary=mapping(box(gx0, gy0, gx0 + W / 8, gy0 + H / 8)),
                )
    user = do_create_user(actor=None, username=f"bench-{code}", password="x", bureau=b, check_password=False)
    do_grant_membership(actor=None, user=user, unit=hq, role="planner")
    return b, user


def write_csv(path: Path, rows: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    start = dt.datetime(2019, 1, 1)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(
            "external_id,received_at,category,lon,lat,address,reporter_name,reporter_phone,status,source\n"
        )
        for i in range(rows):
            t = start + dt.timedelta(seconds=rnd.randrange(0, 365 * 86400))
            fh.write(
                f"B{i},{t:%Y-%m-%d %H:%M},{rnd.choice(CATEGORIES)},"
                f"{X0 + 1e-4 + rnd.random() * (W - 2e-4):.6f},{Y0 + 1e-4 + rnd.random() * (H - 2e-4):.6f},"
                f"城关镇解放路{rnd.randrange(1, 999)}号,张{i % 97},138{rnd.randrange(10**8):08d},closed,call_110\n"
            )


def copy_baseline(path: Path) -> float | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_import_copy_scratch")
        cur.execute(
            "CREATE TABLE bench_import_copy_scratch (external_id text, received_at timestamp, category text, "
            "lon double precision, lat double precision, address text, reporter_name text, reporter_phone text, "
            "status text, source text)"
        )
    connection.commit() if not connection.get_autocommit() else None
    t0 = time.perf_counter()
    with connection.cursor() as cur, open(path, "rb") as fh:
        with cur.cursor.copy(
            "COPY bench_import_copy_scratch FROM STDIN WITH (FORMAT csv, HEADER true)"
        ) as copy:
            while block := fh.read(1 << 20):
                copy.write(block)
    elapsed = time.perf_counter() - t0
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM bench_import_copy_scratch")
        n = cur.fetchone()[0]
        cur.execute("DROP TABLE bench_import_copy_scratch")
    assert n > 0
    return elapsed


def copy_same_table(bureau) -> dict | None:
    """COPY of the very rows the import wrote, into the incidents table itself.

    The imported rows are copied out (``COPY ... TO STDOUT``), deleted and the table
    vacuumed; then the timed part: ``COPY ... FROM STDIN`` of those rows and the commit
    (which runs the deferred foreign-key checks an import pays too), with every index
    and constraint of the table in place. Afterwards the table holds the same rows.
    """
    import io

    from django.db import connection, transaction

    from jingwu.incidents.models import Incident

    if connection.vendor != "postgresql":
        return None
    table = Incident._meta.db_table
    columns = ", ".join(f.column for f in Incident._meta.concrete_fields if not f.primary_key)
    buf = io.BytesIO()
    with connection.cursor() as cur:
        with cur.cursor.copy(
            f"COPY (SELECT {columns} FROM {table} WHERE bureau_id = {int(bureau.pk)} ORDER BY id) TO STDOUT"
        ) as copy:
            for block in copy:
                buf.write(block)
        cur.execute(f"DELETE FROM {table} WHERE bureau_id = %s", [bureau.pk])
        cur.execute(f"VACUUM ANALYZE {table}")
    size_mb = round(buf.tell() / 2**20, 1)
    buf.seek(0)
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            while block := buf.read(1 << 20):
                copy.write(block)
    copy_s = time.perf_counter() - t0
    return {"copy_s": copy_s, "dump_mb": size_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--file", type=Path, help="Keep the generated CSV here (default: a temporary file).")
    args = parser.parse_args()
    setup()
    from django.db import connection

    from jingwu.imports import services
    from jingwu.incidents.models import Incident

    code = f"IB{int(time.time()) % 10**8}"
    bureau, user = make_bureau(code)
    path = args.file or Path(tempfile.mkdtemp(prefix="jingwu-import-bench-")) / "incidents.csv"
    t0 = time.perf_counter()
    write_csv(path, args.rows)
    generate_s = time.perf_counter() - t0
    marks: dict[str, dict] = {}
    phase_start: dict[str, float] = {}

    def progress(job, phase: str, done: int) -> None:
        phase_start.setdefault(phase, time.perf_counter())
        total = args.rows
        if phase == "check":
            for label, frac in (("quarter", 0.25), ("half", 0.5), ("file_read", 1.0)):
                if label not in marks and done >= total * frac:
                    marks[label] = {"rows_checked": done, "rss_mb": rss_mb(), "peak_rss_mb": peak_mb()}
        elif phase == "apply" and done >= total // 2 and "half_saved" not in marks:
            marks["half_saved"] = {"rows_saved": done, "rss_mb": rss_mb(), "peak_rss_mb": peak_mb()}

    rss0 = rss_mb()
    t0 = time.perf_counter()
    job = services.create_job(kind="incidents", bureau=bureau, user=user, path=path, via="cli")
    job = services.process_job(job, progress=progress)
    import_s = time.perf_counter() - t0
    marks["end"] = {"rss_mb": rss_mb(), "peak_rss_mb": peak_mb()}
    created = Incident.objects.filter(bureau=bureau).count()
    assert job.status == "done" and created == args.rows, (
        job.status,
        job.created,
        job.problems[:3],
        job.error,
    )
    same = copy_same_table(bureau)
    assert Incident.objects.filter(bureau=bureau).count() == args.rows
    copy_s = copy_baseline(path)
    check_s = phase_start.get("apply", time.perf_counter()) - t0
    out = {
        "rows": args.rows,
        "database": f"{connection.vendor} {connection.pg_version if connection.vendor == 'postgresql' else ''}".strip(),
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "generate_s": round(generate_s, 2),
        "import_s": round(import_s, 2),
        "import_rows_per_s": round(args.rows / import_s),
        "check_phase_s": round(check_s, 2),
        "apply_phase_s": round(import_s - check_s, 2),
        # the baseline: COPY of the same rows into the incidents table (indexes, constraints)
        "copy_incidents_s": round(same["copy_s"], 2) if same else None,
        "copy_incidents_rows_per_s": round(args.rows / same["copy_s"]) if same else None,
        "ratio_vs_copy_incidents": round(import_s / same["copy_s"], 2) if same else None,
        # for reference: COPY of the CSV file into a bare scratch table (no index, no constraint)
        "copy_scratch_s": round(copy_s, 2) if copy_s else None,
        "ratio_vs_copy_scratch": round(import_s / copy_s, 1) if copy_s else None,
        "rss_start_mb": rss0,
        # resident memory at 1/4, 1/2 and all of the file checked, half saved, and the end
        "memory": marks,
        "created": created,
        "job": job.pk,
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    if not args.file:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
