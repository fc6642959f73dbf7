"""The linker's figures on the demo county, as documented in docs/series.md (seed 2019)."""

from __future__ import annotations

import numpy as np
import pytest

from jingwu.engine import series as S

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pairs():
    from jingwu.demo.synth.linkage import demo_pairs

    return demo_pairs()


def test_candidate_window_figures(pairs):
    s = pairs.stats
    assert (s.incidents, s.all_pairs, s.pairs_scored) == (10_616, 56_344_420, 286_448)
    assert (pairs.linked_pairs_all, int(pairs.y.sum())) == (332, 298)


def test_documented_auc_and_precision(pairs):
    table = {  # method: (AUC, precision@10, @50, @100), docs/series.md
        "logistic": (0.8714, 0.0, 0.02, 0.01),
        "boosting": (0.9130, 0.5, 0.24, 0.16),
    }
    for method, (auc, p10, p50, p100) in table.items():
        ev, p = S.evaluate(pairs.x, pairs.y, pairs.groups, method=method, categories=pairs.category)
        assert round(ev.auc, 4) == pytest.approx(auc, abs=1e-4)
        assert (ev.precision_at[10], ev.precision_at[50], ev.precision_at[100]) == (p10, p50, p100)
        assert np.all((p >= 0) & (p <= 1))


def test_the_linker_does_not_read_the_series_rule(pairs):
    # Shuffled labels (series membership moved to random pairs): nothing to learn.
    rng = np.random.default_rng(0)
    y = rng.permutation(pairs.y)
    groups = -1 - np.arange(len(y))
    ev, _p = S.evaluate(pairs.x, y, groups, method="boosting")
    assert 0.4 < ev.auc < 0.6
    # The text is no label: few linked pairs share their exact text, and the texts of series
    # incidents are also written for incidents outside any series.
    text = np.array(pairs.incidents.text, dtype=object)
    same = text[pairs.i] == text[pairs.j]
    assert same[pairs.y == 1].mean() < 0.1
    assert same[pairs.y == 0].sum() > same[pairs.y == 1].sum()
