"""The demo county's thefts as the series linker's input, with the generator's ground truth.

The linker is given what a bureau records (place, time, category, description); the
``series`` column is used only to label the pairs for training and scoring.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from jingwu.engine import series as S

from .county import generate_county
from .modus import MO_CATEGORIES


@dataclass(frozen=True, eq=False)
class DemoPairs:
    incidents: S.Incidents
    i: np.ndarray
    j: np.ndarray
    stats: S.CandidateStats
    x: np.ndarray
    y: np.ndarray
    groups: np.ndarray
    category: np.ndarray  # of each pair
    linked_pairs_all: int  # linked pairs over all pairs (before the candidate window)


def demo_pairs(seed: int = 2019, index: int = 0, *, max_km: float = 5.0, max_days: float = 60.0) -> DemoPairs:
    inc = generate_county(seed, index).incidents
    idx = np.flatnonzero(np.isin(inc.category, MO_CATEGORIES))
    x, y = S.lonlat_to_km(inc.lon[idx], inc.lat[idx])
    t = inc.received[idx].astype("datetime64[s]").astype(np.int64).astype(float)
    cat = inc.category[idx]
    data = S.Incidents(idx.astype(np.int64), x, y, t, cat, cat, tuple(inc.description(int(k)) for k in idx))
    i, j, stats = S.candidate_pairs(data, max_km=max_km, max_days=max_days)
    ser = inc.series[idx].astype(np.int64)
    linked_all = int(sum(k * (k - 1) // 2 for k in np.bincount(ser[ser >= 0])))
    labels, groups = S.pair_groups(ser, i, j)
    return DemoPairs(data, i, j, stats, S.pair_features(data, i, j), labels, groups, cat[i], linked_all)
