"""Benchmark: peak memory and time of importing hostile files, beside an ordinary file.

Each import runs in a fresh subprocess (``--child``), which reports its own peak
resident memory (VmHWM), so one case cannot inflate another. The
baseline is an ordinary file of generated incidents imported in full in the same run.
A hostile file must be refused quickly with a clear reason, leave a small job row,
and take no more memory than the baseline: memory flat whatever the file.

Cases: a 50 MB file without a line end; 50 MB of "a," without a line end (columns
without end); a 10 MB header row; a 50 MB cell; a row of 100,000 values; a 1 GB
gzip bomb (3 MB compressed); a workbook as wide as Excel allows; a workbook with a
100 MB cell of text.

Usage:
    python bench/bench_import_hostile.py                  # SQLite, a fresh file
    python bench/bench_import_hostile.py --cases no_newline,gzip_bomb
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingwu_hostile_bench python bench/bench_import_hostile.py
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_import import make_bureau, setup, write_csv

MB = 1 << 20
HEADER = "external_id,received_at,category,lon,lat,address\n"
ROW = "H1,2019-01-01 08:00,0101,119.7,30.9,x\n"


def make_cases(folder: Path, baseline_rows: int) -> dict[str, Path]:
    """The files, written in pieces (the bench itself stays small)."""
    out: dict[str, Path] = {}

    def text(name: str, parts) -> None:
        path = folder / name
        with open(path, "w", encoding="utf-8") as fh:
            for part in parts:
                fh.write(part)
        out[name.split(".")[0]] = path

    write_csv(folder / "baseline.csv", baseline_rows)
    out["baseline"] = folder / "baseline.csv"
    text("no_newline.csv", ("x" * MB for _ in range(50)))
    text("commas_no_newline.csv", ("a," * (MB // 2) for _ in range(50)))
    text("header_10mb.csv", [",".join(f"c{i:07d}" for i in range(1_200_000)) + "\n", ROW])
    text(
        "cell_50mb.csv",
        [HEADER, ROW, 'H2,2019-01-01 08:00,0101,119.7,30.9,"', *("y" * MB for _ in range(50)), '"\n'],
    )
    text("row_100k_values.csv", [HEADER, ROW, "H3" + ",v" * 100_000 + "\n"])
    bomb = folder / "gzip_bomb.csv.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as fh:
        fh.write(HEADER.encode())
        block = ROW.encode() * (MB // len(ROW))
        for _ in range(1024):
            fh.write(block)
    out["gzip_bomb"] = bomb
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(["external_id", "received_at"] + [None] * 16_381 + ["far"])
    wb.save(folder / "xlsx_wide.xlsx")
    out["xlsx_wide"] = folder / "xlsx_wide.xlsx"
    # a cell of 100 MB of text (openpyxl cuts cells at 32,767 characters: written by hand)
    wb = Workbook()
    wb.active.append(["external_id", "address"])
    wb.active.append(["X1", "PLACEHOLDER"])
    wb.save(folder / "small.xlsx")
    with (
        zipfile.ZipFile(folder / "small.xlsx") as src,
        zipfile.ZipFile(folder / "xlsx_big_cell.xlsx", "w", zipfile.ZIP_DEFLATED) as z,
    ):
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"PLACEHOLDER", random.Random(1).randbytes(50 * MB).hex().encode())
            z.writestr(info.filename, data)
    (folder / "small.xlsx").unlink()
    out["xlsx_big_cell"] = folder / "xlsx_big_cell.xlsx"
    return out


def _status(field: str) -> float:
    """A memory figure of this process from /proc/self/status, in MB (VmHWM: its peak).

    Not getrusage: ru_maxrss survives fork and exec, so a child would report its parent's peak.
    """
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def child(path: str, bureau_code: str, username: str) -> None:
    """One import, in this process; print its outcome and this process's peak memory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    import django

    django.setup()
    from jingwu.accounts.models import User
    from jingwu.core.models import Bureau
    from jingwu.imports import services
    from jingwu.imports.models import ImportJob, ImportRow

    bureau = Bureau.objects.get(code=bureau_code)
    user = User.objects.get(username=username)
    rss0 = _status("VmRSS")
    t0 = time.perf_counter()
    report = services.run_import("incidents", Path(path), bureau=bureau, actor=user, skip_invalid=True)
    seconds = time.perf_counter() - t0
    job = ImportJob.objects.get(pk=report.job_id)
    stored = len(json.dumps(job.source_info, ensure_ascii=False)) + len(
        json.dumps(job.problems, ensure_ascii=False) + job.error
    )
    print(
        json.dumps(
            {
                "status": job.status,
                "rows": job.rows_done,
                "created": job.created,
                "seconds": round(seconds, 2),
                "rss_after_setup_mb": rss0,
                "peak_rss_mb": _status("VmHWM"),
                "job_row_report_chars": stored,
                "staged_rows": ImportRow.objects.filter(job=job).count(),
                "reason": (report.problems[0].reason[:160] if report.problems else ""),
            },
            ensure_ascii=False,
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", nargs=3, metavar=("FILE", "BUREAU", "USER"), help=argparse.SUPPRESS)
    parser.add_argument("--cases", default="", help="Comma-separated case names (default: all).")
    parser.add_argument("--baseline-rows", type=int, default=100_000)
    parser.add_argument("--timeout", type=int, default=600, help="Seconds a case may take.")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    os.environ.setdefault("JINGWU_DEBUG", "0")
    setup()  # a fresh SQLite file (kept in JINGWU_DATA_DIR for the children) or DATABASE_URL
    code = f"HB{int(time.time()) % 10**8}"
    bureau, user = make_bureau(code)
    folder = Path(tempfile.mkdtemp(prefix="jingwu-hostile-bench-"))
    t0 = time.perf_counter()
    cases = make_cases(folder, args.baseline_rows)
    wanted = [c for c in args.cases.split(",") if c] or list(cases)
    results: dict[str, dict] = {"generate_s": round(time.perf_counter() - t0, 1)}
    for name in ["baseline", *[c for c in wanted if c != "baseline"]]:
        path = cases[name]
        t0 = time.perf_counter()
        try:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", str(path), bureau.code, user.username],
                capture_output=True,
                text=True,
                timeout=args.timeout,
                env=os.environ.copy(),
            )
            line = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
            result = json.loads(line) if line.startswith("{") else {"error": proc.stderr[-500:]}
        except subprocess.TimeoutExpired:
            result = {"error": f"over {args.timeout} s", "seconds": round(time.perf_counter() - t0, 1)}
        result["file_mb"] = round(path.stat().st_size / MB, 2)
        results[name] = result
        print(json.dumps({name: result}, ensure_ascii=False), file=sys.stderr, flush=True)
    base = results["baseline"].get("peak_rss_mb") or 0
    worst = max(
        (r.get("peak_rss_mb", 0) for k, r in results.items() if isinstance(r, dict) and k != "baseline"),
        default=0,
    )
    results["worst_hostile_peak_rss_mb"] = worst
    results["baseline_peak_rss_mb"] = base
    results["ratio_worst_to_baseline"] = round(worst / base, 2) if base else None
    print(json.dumps(results, ensure_ascii=False, indent=2))
    for path in cases.values():
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
