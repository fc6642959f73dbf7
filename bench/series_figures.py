"""The linker's figures on the demo county (seed 2019, county 0): python bench/series_figures.py."""

from __future__ import annotations

import json
import sys
import time

from jingwu.demo.synth.linkage import demo_pairs
from jingwu.engine import series as S


def main(methods=S.METHODS) -> dict:
    d = demo_pairs()
    out = {
        "incidents": d.stats.incidents,
        "all_pairs": d.stats.all_pairs,
        "pairs_scored": d.stats.pairs_scored,
        "linked_pairs": d.linked_pairs_all,
        "linked_pairs_in_candidates": int(d.y.sum()),
    }
    for m in methods:
        t0 = time.process_time()
        ev, _p = S.evaluate(d.x, d.y, d.groups, method=m, categories=d.category)
        out[m] = {
            "auc": round(ev.auc, 4),
            "auc_by_category": {k: round(v, 4) for k, v in ev.auc_by_category.items()},
            "precision_at": ev.precision_at,
            "brier": round(ev.brier, 5),
            "cpu_s": round(time.process_time() - t0, 1),
        }
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:] or S.METHODS), indent=1))
