"""Benchmark: the Knox test on Chicago's 2016 burglaries against a plain NumPy reference.

Settings of the Near Repeat Calculator's published run (100 m x 3, 2 days x 2, 20
iterations, the calculator's bands): the calculator took 110 s; the target is a tenth of
that. Three timings side by side, in the same run:

* ``engine`` - :func:`jingwu.engine.nearrepeat.knox_test` (k-d tree for the pairs within
  300 m, sorted times for the row beyond, each permutation counted with NumPy);
* ``reference`` - every one of the 68 million pairs, in blocks of rows with NumPy: the
  distance band of each pair computed once (an int8 matrix), then for the observed times
  and each permutation the time band of every pair and a histogram;
* ``cli`` - ``jingwu knox FILE ... --json`` end to end in a new process (start-up, reading
  and parsing the 45,319-row CSV, the test, the output).

Both computations must give the same observed table (checked here). The engine's best
and median of ``--repeats`` runs are reported (after one untimed run).

Usage (prints one JSON object):
    python bench/bench_knox.py
    python bench/bench_knox.py --iterations 1000 --repeats 3 --no-reference
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from jingwu.analytics.cli import read_points
from jingwu.engine.nearrepeat import KnoxParams, knox_test

SHARED = Path(os.environ.get("JINGWU_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data")
FILE = SHARED / "chicago" / "chicago_burglary_2014_2017.csv"
CALCULATOR_SECONDS = 110  # "Time for analysis to run: 0 hours, 1 minutes and 50 seconds."


def reference_tables(x, y, t, params: KnoxParams, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """All pairs, the calculator's bands: the observed table and the mean of the permutations."""
    n = len(x)
    x = np.round(x, 1)
    y = np.round(y, 1)
    t = np.floor(t).astype(np.int64)
    n_rows, n_cols = params.n_rows, params.n_cols
    block = 512
    rows = np.empty((n, n), dtype=np.int8)
    for a in range(0, n, block):
        d = np.hypot(x[a : a + block, None] - x[None, :], y[a : a + block, None] - y[None, :])
        r = np.minimum(np.floor(d / params.distance_band), params.distance_bands) + 1
        rows[a : a + block] = np.where(d == 0, 0, r)
    columns = np.arange(n)

    def table(times: np.ndarray) -> np.ndarray:
        out = np.zeros(n_rows * n_cols, dtype=np.int64)
        for a in range(0, n, block):
            b = min(a + block, n)
            gap = np.abs(times[a:b, None] - times[None, :])
            cols = np.minimum(gap // int(params.time_band), params.time_bands)
            idx = rows[a:b].astype(np.int64) * n_cols + cols
            mask = columns[None, :] > np.arange(a, b)[:, None]  # each pair once: j > i
            out += np.bincount(idx[mask], minlength=n_rows * n_cols)
        return out.reshape(n_rows, n_cols)

    observed = table(t)
    rng = np.random.default_rng(seed)
    total = np.zeros((n_rows, n_cols))
    for _ in range(params.permutations):
        total += table(t[rng.permutation(n)])
    return observed, total / params.permutations


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    if not FILE.exists():
        print(json.dumps({"skipped": f"{FILE} not found"}))
        return
    points = read_points(
        FILE, "x", "y", "date_single", "%d/%m/%Y", None, dt.date(2016, 1, 1), dt.date(2016, 12, 31)
    )
    ev = points.events
    params = KnoxParams(100, 3, 2, 2, iterations=args.iterations, seed=args.seed, convention="nrc")

    result = knox_test(ev, params)  # warm-up
    times = []
    cpu = time.process_time()
    for _ in range(args.repeats):
        start = time.perf_counter()
        knox_test(ev, params)
        times.append(time.perf_counter() - start)
    engine_cpu = (time.process_time() - cpu) / args.repeats
    report = {
        "python": platform.python_version(),
        "events": len(ev),
        "pairs": result.n_pairs,
        "iterations": args.iterations,
        "calculator_seconds": CALCULATOR_SECONDS,
        "engine_seconds_best": round(min(times), 3),
        "engine_seconds_median": round(statistics.median(times), 3),
        "engine_cpu_seconds_mean": round(engine_cpu, 3),
        "observed": result.observed.tolist(),
        "ratios": np.round(result.ratios, 2).tolist(),
        "p_values": result.p_values.tolist(),
    }

    cmd = [
        sys.executable,
        "-c",
        "from jingwu.cli import app; app()",
        "knox",
        str(FILE),
        *("--x", "x", "--y", "y", "--date", "date_single", "--date-format", "%d/%m/%Y"),
        *("--from", "2016-01-01", "--to", "2016-12-31", "--distance-band", "100", "--distance-bands", "3"),
        *(
            "--time-band",
            "2",
            "--time-bands",
            "2",
            "--iterations",
            str(args.iterations),
            "--seed",
            str(args.seed),
        ),
        *("--nrc-bands", "--json"),
    ]
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    report["cli_seconds"] = round(time.perf_counter() - start, 2)
    report["cli_cpu_seconds"] = round(
        (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), 2
    )
    report["cli_json_ok"] = json.loads(out.stdout)["p_values"] == result.as_dict()["p_values"]
    report["cli_under_a_tenth_of_the_calculator"] = report["cli_seconds"] < CALCULATOR_SECONDS / 10

    if not args.no_reference:
        start, cpu = time.perf_counter(), time.process_time()
        observed, expected = reference_tables(ev.x, ev.y, ev.t, params, args.seed)
        report["reference_seconds"] = round(time.perf_counter() - start, 2)
        report["reference_cpu_seconds"] = round(time.process_time() - cpu, 2)
        report["reference_same_observed"] = observed.tolist() == result.observed.tolist()
        # The same seed draws the same permutations: the whole table must agree too.
        report["reference_same_ratios"] = bool(
            np.allclose(observed / expected, result.ratios, equal_nan=True)
        )
        report["speedup_median"] = round(report["reference_seconds"] / report["engine_seconds_median"], 1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
