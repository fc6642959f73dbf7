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
    assert (s.incidents, s.all_pairs, s.pairs_scored) == (10_659, 56_801_811, 286_766)
    assert (pairs.linked_pairs_all, int(pairs.y.sum())) == (545, 472)
    robbery = pairs.category == "0105"
    assert (int(robbery.sum()), int(pairs.y[robbery].sum())) == (884, 174)


def test_documented_auc_and_precision(pairs):
    table = {  # method: (AUC, precision@10, @50, @100), docs/series.md
        "logistic": (0.9060, 0.1, 0.06, 0.28),
        "boosting": (0.9345, 0.3, 0.3, 0.35),
    }
    by_category = {  # method: AUC of theft, burglary, vehicle theft, robbery
        "logistic": (0.8728, 0.9541, 0.8552, 0.9205),
        "boosting": (0.9198, 0.9703, 0.9047, 0.9292),
    }
    for method, (auc, p10, p50, p100) in table.items():
        ev, p = S.evaluate(pairs.x, pairs.y, pairs.groups, method=method, categories=pairs.category)
        assert round(ev.auc, 4) == pytest.approx(auc, abs=1e-4)
        assert (ev.precision_at[10], ev.precision_at[50], ev.precision_at[100]) == (p10, p50, p100)
        got = tuple(round(ev.auc_by_category[c], 4) for c in ("0101", "0102", "0103", "0105"))
        assert got == pytest.approx(by_category[method], abs=1e-4)
        # Tonkin et al.'s bars: 0.903 for burglary, 0.830 for robbery
        assert ev.auc_by_category["0102"] > 0.903 and ev.auc_by_category["0105"] > 0.830
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
