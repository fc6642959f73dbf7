"""The linker's figures on the demo county (seed 2019, county 0): python bench/series_figures.py."""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from jingwu.demo.synth import generate_county
from jingwu.engine import series as S

LINK_CATEGORIES = ("0101", "0102", "0103", "0105")


def demo_pairs(seed: int = 2019, index: int = 0):
    c = generate_county(seed, index)
    inc = c.incidents
    idx = np.flatnonzero(np.isin(inc.category, LINK_CATEGORIES))
    x, y = S.lonlat_to_km(inc.lon[idx], inc.lat[idx])
    t = inc.received[idx].astype("datetime64[s]").astype(np.int64).astype(float)
    cat = inc.category[idx]
    data = S.Incidents(idx.astype(np.int64), x, y, t, cat, cat, tuple(inc.description(int(k)) for k in idx))
    i, j, stats = S.candidate_pairs(data, max_km=5.0, max_days=60.0)
    ser = inc.series[idx]
    linked_all = int(sum(k * (k - 1) // 2 for k in np.bincount(ser[ser >= 0])))
    yy, g = S.pair_groups(ser, i, j)
    return data, i, j, stats, S.pair_features(data, i, j), yy, g, cat[i], linked_all


def main(methods=S.METHODS) -> dict:
    data, i, j, stats, x, y, g, cat, linked_all = demo_pairs()
    out = {
        "incidents": stats.incidents,
        "all_pairs": stats.all_pairs,
        "pairs_scored": stats.pairs_scored,
        "linked_pairs": linked_all,
        "linked_pairs_in_candidates": int(y.sum()),
    }
    for m in methods:
        t0 = time.process_time()
        ev, _p = S.evaluate(x, y, g, method=m, categories=cat)
        out[m] = {
            "auc": round(ev.auc, 3),
            "auc_by_category": {k: round(v, 3) for k, v in ev.auc_by_category.items()},
            "precision_at": ev.precision_at,
            "brier": round(ev.brier, 5),
            "cpu_s": round(time.process_time() - t0, 1),
        }
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:] or S.METHODS), indent=1))
