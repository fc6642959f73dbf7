"""Benchmark: exact hypercube model vs Larson's approximation.

For each number of units it builds a seeded synthetic district (``random_model``: units
spread over distinct districts, closest-first dispatch), solves it exactly (2^N states)
and approximately (N unknowns), and reports the wall-clock times side by side (the best
and the median of ``--repeats`` runs, after one untimed warm-up run) with the largest
absolute workload error of the approximation. The target: 15 units (32,768 states)
solved exactly in under 1 s.

Usage (prints one JSON object with a record per case):
    python bench/bench_hypercube.py
    python bench/bench_hypercube.py --units 10 12 15 18 --utilisation 0.3 0.6 0.9 --repeats 7
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from jingwu.engine.hypercube import HypercubePerformance, random_model, solve_approximate, solve_exact


def _timed(fn: Callable[[], HypercubePerformance], repeats: int) -> tuple[HypercubePerformance, list[float]]:
    result = fn()  # warm-up (also the result we report)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return result, times


def run_case(units: int, utilisation: float, atoms_per_unit: int, repeats: int, seed: int) -> dict[str, Any]:
    model = random_model(units, atoms_per_unit * units, utilisation=utilisation, seed=seed)
    exact, exact_times = _timed(lambda: solve_exact(model), repeats)
    approx, approx_times = _timed(lambda: solve_approximate(model), repeats)
    err = np.abs(approx.workloads - exact.workloads)
    return {
        "units": units,
        "states": 2**units,
        "atoms": model.n_atoms,
        "utilisation": utilisation,
        "exact_seconds_best": round(min(exact_times), 5),
        "exact_seconds_median": round(statistics.median(exact_times), 5),
        "approx_seconds_best": round(min(approx_times), 6),
        "approx_seconds_median": round(statistics.median(approx_times), 6),
        "speedup_median": round(statistics.median(exact_times) / statistics.median(approx_times), 1),
        "exact_solver_iterations": exact.iterations,
        "exact_residual": float(f"{exact.residual:.2e}"),
        "approx_iterations": approx.iterations,
        "max_workload_error": round(float(err.max()), 5),
        "mean_workload_error": round(float(err.mean()), 5),
        "exact_travel_time": round(float(exact.mean_travel_time or 0.0), 5),
        "approx_travel_time": round(float(approx.mean_travel_time or 0.0), 5),
        "meets_1s_target": statistics.median(exact_times) < 1.0 if units == 15 else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--units", type=int, nargs="+", default=[10, 12, 15])
    parser.add_argument("--utilisation", type=float, nargs="+", default=[0.6])
    parser.add_argument("--atoms-per-unit", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2012)
    args = parser.parse_args()

    solve_exact(random_model(4, 12, utilisation=0.5, seed=0))  # import/allocation warm-up
    cases = [
        run_case(n, u, args.atoms_per_unit, args.repeats, args.seed + n)
        for n in args.units
        for u in args.utilisation
    ]
    report = {
        "benchmark": "hypercube",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "repeats": args.repeats,
        "cases": cases,
        "max_workload_error": max(c["max_workload_error"] for c in cases),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
