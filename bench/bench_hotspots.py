"""Benchmark and validation: rolling daily hot-spot forecasts on real data.

For each data set and method it runs the evaluation of ``jingwu hotspots evaluate`` (one
forecast per test day, each from the days before it) and reports hit rate, PAI and PEI
at 1%, 5% and 10% of the area, with the wall-clock and CPU time and the peak memory the
evaluation allocated (tracemalloc; the events themselves are loaded before). Naive counts
are the baseline of every data set: ``pai5_vs_naive`` is a method's PAI at 5% over
theirs (the bar is 1.10). With ``--offsets`` each run is repeated with the grid shifted
by half a cell east, north and both, and each data set gets an ``offset_table``: per
method, PAI at 1%, 5% and 10% and the seconds (wall-clock and CPU) of each offset, and
how far PAI at 5% moves (``pai5_range``: (largest - smallest) / the unshifted grid's,
``pai5_worst``: the largest change from the unshifted grid, signed). With
``--offset-table`` only that table is printed (still as JSON).

The data are read from ../shared/data (or JINGWU_SHARED_DATA); a data set that is not
there is skipped with a note.

Usage (prints one JSON object):
    python bench/bench_hotspots.py                       # Chicago assaults, 2019, every method
    python bench/bench_hotspots.py --datasets all --offsets
    python bench/bench_hotspots.py --datasets all --offset-table   # the docs' offset table
    python bench/bench_hotspots.py --datasets vancouver --methods naive kde
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import time
import tracemalloc
from dataclasses import replace
from pathlib import Path
from typing import Any

from jingwu.analytics.cli import read_points
from jingwu.engine import hotspots
from jingwu.engine.spacetime import day_number

SHARED = Path(os.environ.get("JINGWU_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")

# name: file, x, y, date column(s), date format, CRS, test from, test to, training days
DATASETS: dict[str, tuple[str, str, str, str, str | None, str | None, str, str, int]] = {
    "chicago-assaults": (
        "chicago/chicago_aggravated_assaults_2010_2019.csv.gz",
        "longitude",
        "latitude",
        "date",
        None,
        "4326",
        "2019-01-01",
        "2019-12-31",
        365,
    ),
    "chicago-burglary": (
        "chicago/chicago_burglary_2014_2017.csv",
        "x",
        "y",
        "date_single",
        "%d/%m/%Y",
        None,
        "2017-01-01",
        "2017-12-31",
        365,
    ),
    "nyc-vehicle-thefts": (
        "nyc/nyc_motor_vehicle_thefts_2014_2017.csv.gz",
        "longitude",
        "latitude",
        "date_single",
        None,
        "4326",
        "2017-01-01",
        "2017-12-30",
        365,
    ),
    "vancouver": (
        "vancouver/vpd_crimedata_all_neighbourhoods_2020.csv.gz",
        "X",
        "Y",
        "YEAR,MONTH,DAY,HOUR,MINUTE",
        "%Y %m %d %H %M",
        "26910",
        "2020-07-01",
        "2020-12-31",
        180,
    ),
}


def _day(value: str) -> int:
    return int(day_number(dt.date.fromisoformat(value)))


def run(events, params: hotspots.EvaluationParams) -> dict[str, Any]:
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    result = hotspots.evaluate(events, params)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    out: dict[str, Any] = {
        "method": result.method,
        "offset": list(params.offset),
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "peak_mib": round(peak / 2**20, 1),
        **{f"pai_{c:g}": round(s.pai, 3) for c, s in result.coverage.items()},
        **{f"hit_rate_{c:g}": round(s.hit_rate, 4) for c, s in result.coverage.items()},
        **{f"pei_{c:g}": round(s.pei, 3) for c, s in result.coverage.items()},
        "events": int(result.events),
        "cells": int(result.cells),
    }
    if result.etas is not None:
        out["etas_theta"] = round(result.etas.theta, 4)
        out["etas_mean_delay_days"] = round(1 / result.etas.omega, 2)
    return out


def offset_table(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Per method, the figures of each grid offset side by side (in the order run)."""
    table: dict[str, Any] = {}
    for method in dict.fromkeys(r["method"] for r in runs):
        mine = [r for r in runs if r["method"] == method]
        row: dict[str, Any] = {"offsets": [r["offset"] for r in mine]}
        for key in ("pai_0.01", "pai_0.05", "pai_0.1", "hit_rate_0.05", "cells", "seconds", "cpu_seconds"):
            row[key] = [r[key] for r in mine]
        base = mine[0]["pai_0.05"]
        if mine[0]["offset"] == [0.0, 0.0] and base > 0:
            pai5 = row["pai_0.05"]
            row["pai5_range"] = round((max(pai5) - min(pai5)) / base, 4)
            row["pai5_worst"] = round(max((v - base for v in pai5), key=abs) / base, 4)
        table[method] = row
    return table


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--datasets", nargs="+", default=["chicago-assaults"], help="names, or 'all'")
    parser.add_argument("--methods", nargs="+", default=list(hotspots.METHODS))
    parser.add_argument("--cell", type=float, default=250.0)
    parser.add_argument("--offsets", action="store_true", help="also half a cell east, north and both")
    parser.add_argument(
        "--offset-table", action="store_true", help="--offsets, printing only the offset table per data set"
    )
    args = parser.parse_args()
    if args.offset_table:
        args.offsets = True
    names = list(DATASETS) if args.datasets == ["all"] else args.datasets

    report: dict[str, Any] = {"python": platform.python_version(), "cell": args.cell, "datasets": {}}
    for name in names:
        path, x, y, date, fmt, crs, first, last, train = DATASETS[name]
        file = SHARED / path
        if not file.exists():
            report["datasets"][name] = {"skipped": f"{file} not found"}
            continue
        start = time.perf_counter()
        points = read_points(file, x, y, date, fmt, crs)
        entry: dict[str, Any] = {
            "file": path,
            "rows": points.rows,
            "skipped_rows": points.skipped,
            "crs": points.crs,
            "test": [first, last],
            "train_days": train,
            "read_seconds": round(time.perf_counter() - start, 2),
            "runs": [],
        }
        offsets = [(0.0, 0.0)]
        if args.offsets:
            h = args.cell / 2
            offsets += [(h, 0.0), (0.0, h), (h, h)]
        for method in args.methods:
            for offset in offsets:
                params = hotspots.EvaluationParams(
                    method=hotspots.method_params(method),
                    test_from=_day(first),
                    test_to=_day(last),
                    cell=args.cell,
                    train_days=train,
                )
                entry["runs"].append(run(points.events, replace(params, offset=offset)))
                print(name, entry["runs"][-1], file=sys.stderr, flush=True)
        base = {tuple(r["offset"]): r["pai_0.05"] for r in entry["runs"] if r["method"] == "naive"}
        for r in entry["runs"]:
            if tuple(r["offset"]) in base:
                r["pai5_vs_naive"] = round(r["pai_0.05"] / base[tuple(r["offset"])], 3)
        if args.offsets:
            entry["offset_table"] = offset_table(entry["runs"])
        if args.offset_table:
            del entry["runs"]
        report["datasets"][name] = entry
    report["max_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
