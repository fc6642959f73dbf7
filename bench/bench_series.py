"""Benchmark: series candidate generation (blocking by category and a space-time k-d tree)
side by side with a naive all-pairs check, and the features of the candidates.

Synthetic incidents: a county of 1,430 km^2 with 30,000 incidents a year (clustered
around 15 towns, four category groups, three years), and a province of 100 such
counties, one year, processed bureau by bureau as the scoring job does. The naive
baseline checks every pair of a subsample (it is quadratic); both give the same pairs.

The scoring of the county's three years is run twice, side by side in one process: the
feature matrix at once (as before) and streamed (``PairFeatures``: features computed a
chunk of pairs at a time whenever they are read), with the same model and the same
probabilities (checked), and the peak memory of each.

    python bench/bench_series.py              # county, scoring, province, baseline
    python bench/bench_series.py --no-province --no-scoring
    python bench/bench_series.py --no-county --bureaus 100   # the province alone
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import time
import tracemalloc

import numpy as np

from jingwu.engine import series as S

MAX_KM, MAX_DAYS = 5.0, 60.0
GROUPS = np.array(["0101", "0102", "0103", "0105"])
WORDS = (
    "门未锁直接进入",
    "撬开房门",
    "翻窗进入",
    "剪断车锁",
    "现金",
    "手机",
    "电瓶",
    "民房",
    "商铺",
    "出租房",
    "鞋印",
    "戴手套",
)


def county(rng: np.random.Generator, n: int, years: int) -> S.Incidents:
    side = 1430**0.5
    towns = rng.uniform(0, side, (15, 2))
    weight = rng.dirichlet(np.ones(15) * 0.7)
    town = rng.choice(15, n, p=weight)
    spread = np.where(rng.random(n) < 0.7, 1.5, 6.0)
    xy = np.clip(towns[town] + rng.normal(0, 1, (n, 2)) * spread[:, None], 0, side)
    t = np.sort(rng.uniform(0, years * 365 * 86400.0, n))
    g = GROUPS[rng.integers(0, 4, n)]
    k = rng.integers(0, len(WORDS), (n, 3))
    text = tuple("，".join(WORDS[w] for w in row) for row in k.tolist())
    return S.Incidents(np.arange(n, dtype=np.int64), xy[:, 0], xy[:, 1], t, g, g, text)


def measure(fn):
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "peak_mb": round(peak / 2**20, 1)}


def scoring(inc: S.Incidents, i: np.ndarray, j: np.ndarray, rng: np.random.Generator) -> dict:
    """Learn and score every candidate pair: features at once, then streamed."""
    # Labels: 400 random candidate pairs are made series (the synthetic county has none).
    series_of = np.full(len(inc), -1, dtype=np.int64)
    pick = rng.choice(len(i), 400, replace=False)
    series_of[i[pick]] = np.arange(400)
    series_of[j[pick]] = np.arange(400)
    y, groups = S.pair_groups(series_of, i, j)
    whole = len(i) + 1

    def at_once():
        x = S.pair_features(inc, i, j, chunk=whole)
        model = S.train(x, y, groups, method="boosting", seed=1, chunk=whole)
        return model.predict(x, chunk=whole)

    def streamed():
        x = S.PairFeatures(inc, i, j)
        model = S.train(x, y, groups, method="boosting", seed=1)
        return model.predict(x)

    p0, m0 = measure(at_once)
    p1, m1 = measure(streamed)
    return {
        "pairs": len(i),
        "linked_pairs": int(y.sum()),
        "chunk": S.FEATURE_CHUNK,
        "at_once": m0,
        "streamed": m1,
        "same_probabilities": bool(np.array_equal(p0, p1)),
    }


def _rss_mb() -> float:
    """Resident memory now (Linux: /proc/self/statm), in MB."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def province(bureaus: int, seed: int) -> dict:
    """One year of ``bureaus`` counties, linked bureau by bureau as the scoring job does."""
    rng = np.random.default_rng(seed)
    base_rss = _rss_mb()
    tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    total = scored = allp = 0
    worst_bureau_rss = 0.0
    per_bureau_cpu = []
    for _b in range(bureaus):
        cb = time.process_time()
        c = county(rng, 30_000, 1)
        _i, _j, s = S.candidate_pairs(c, max_km=MAX_KM, max_days=MAX_DAYS)
        worst_bureau_rss = max(worst_bureau_rss, _rss_mb())
        per_bureau_cpu.append(time.process_time() - cb)
        total += s.incidents
        scored += s.pairs_scored
        allp += s.all_pairs
        del c, _i, _j
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "bureaus": bureaus,
        "incidents": total,
        "all_pairs_within_bureaus": allp,
        "all_pairs_across_province": total * (total - 1) // 2,
        "pairs_scored": scored,
        "wall_s": round(time.perf_counter() - t0, 1),
        "cpu_s": round(time.process_time() - c0, 1),
        "cpu_per_bureau_s": {
            "median": round(float(np.median(per_bureau_cpu)), 2),
            "max": round(float(np.max(per_bureau_cpu)), 2),
        },
        "peak_mb_traced": round(peak / 2**20, 1),
        # the process's resident memory before the first bureau, and its peak (ru_maxrss,
        # which counts the k-d trees and everything tracemalloc does not see)
        "rss_before_mb": round(base_rss, 1),
        "rss_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-province", action="store_true")
    ap.add_argument("--subsample", type=int, default=6000)
    ap.add_argument(
        "--bureaus", type=int, default=100, help="bureaus of the province (30,000 incidents a year each)"
    )
    ap.add_argument("--no-scoring", action="store_true")
    ap.add_argument("--no-county", action="store_true", help="the province only (and the subsample)")
    args = ap.parse_args()
    rng = np.random.default_rng(2019)
    out: dict = {}

    inc = county(rng, 90_000, 3)
    if not args.no_county:
        (i, j, st), m = measure(lambda: S.candidate_pairs(inc, max_km=MAX_KM, max_days=MAX_DAYS))
        _x, mf = measure(lambda: S.pair_features(inc, i, j))
        out["county_3y"] = {
            "incidents": st.incidents,
            "all_pairs": st.all_pairs,
            "pairs_scored": st.pairs_scored,
            "share_scored": round(st.share_scored, 6),
            "candidates": m,
            "features": mf,
        }
        del _x

    if not args.no_scoring and not args.no_county:
        out["county_3y_scoring"] = scoring(inc, i, j, np.random.default_rng(7))

    sub_idx = np.sort(rng.choice(len(inc), args.subsample, replace=False))
    sub = S.Incidents(
        inc.ids[sub_idx], inc.x_km[sub_idx], inc.y_km[sub_idx], inc.t[sub_idx],
        inc.category[sub_idx], inc.group[sub_idx], tuple(inc.text[k] for k in sub_idx),
    )  # fmt: skip
    # one untimed call first: the first search of a process pays for imports and warm-up
    S.candidate_pairs(sub, max_km=MAX_KM, max_days=MAX_DAYS)
    (bi, bj, _s), mb = measure(lambda: S.candidate_pairs(sub, max_km=MAX_KM, max_days=MAX_DAYS))
    (ni, nj), mn = measure(lambda: S.all_pairs_naive(sub, max_km=MAX_KM, max_days=MAX_DAYS))
    same = set(zip(bi.tolist(), bj.tolist(), strict=True)) == set(zip(ni.tolist(), nj.tolist(), strict=True))
    out["subsample"] = {
        "incidents": args.subsample,
        "pairs": len(bi),
        "blocked": mb,
        "naive_all_pairs": mn,
        "same_pairs": same,
        "speedup_cpu": round(mn["cpu_s"] / max(mb["cpu_s"], 1e-6), 1),
    }

    if not args.no_province:
        # In a fresh process of its own, so that its peak resident memory is the province
        # run's alone (tracemalloc sees NumPy's arrays but not the k-d trees' C++ memory).
        ctx = multiprocessing.get_context("spawn")
        with ctx.Pool(1) as pool:
            out["province_1y_by_bureau"] = pool.apply(province, (args.bureaus, 2019))
    out["max_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
