"""Effect evaluation: a hand-computed panel, a textbook 2x2, synthetic control and the checks."""

import math

import numpy as np
import pytest

from jingwu.engine.effect import (
    EffectInputError,
    did_2x2,
    did_panel,
    pre_trend,
    regression_to_mean,
    seasonality_covered,
    synth_weights,
    synthetic_control,
)

# Treated: 11 a period before, 7 after (change -4). Comparisons: +1, -1, +3 (mean 1, sd 2).
HAND = np.array(
    [
        [10, 12, 6, 8],
        [10, 10, 11, 11],
        [20, 20, 19, 19],
        [5, 5, 8, 8],
    ],
    dtype=float,
)


def test_did_panel_matches_the_hand_computation():
    r = did_panel(HAND, treated=0, first_post=2)
    # by hand: -4 - 1 = -5; se = 2 * sqrt(1 + 1/3) = 2.309401; t(0.975, 2) = 4.302653
    assert r.treated_change == pytest.approx(-4.0)
    assert r.comparison_change == pytest.approx(1.0)
    assert r.estimate == pytest.approx(-5.0)
    assert r.se == pytest.approx(2.309401, abs=1e-6)
    assert r.df == 2
    assert r.low == pytest.approx(-5.0 - 4.302653 * 2.309401, abs=1e-4)
    assert r.high == pytest.approx(-5.0 + 4.302653 * 2.309401, abs=1e-4)
    # t with 2 df has a closed form: P(T > t) = (1 - t / sqrt(t^2 + 2)) / 2
    t = 5.0 / 2.309401
    assert r.p_value == pytest.approx(1.0 - t / math.sqrt(t * t + 2.0), abs=1e-6)
    assert r.p_value == pytest.approx(0.16278, abs=1e-4)
    assert not r.significant
    assert r.percent is None


def test_did_panel_on_logs_gives_a_percentage():
    # treated halves; comparisons unchanged, +10%, -10% in ratio terms (log changes 0, ln1.1, ln0.9)
    y = np.array([[10, 10, 5, 5], [10, 10, 10, 10], [10, 10, 11, 11], [10, 10, 9, 9]], dtype=float)
    r = did_panel(y, 0, 2, log=True)
    expected = math.log(0.5) - (math.log(1.1) + math.log(0.9)) / 3
    assert r.estimate == pytest.approx(expected)
    assert r.percent == pytest.approx(100 * (math.exp(expected) - 1))
    assert r.percent_low < r.percent < r.percent_high
    assert r.significant  # a halving against +-10% noise is outside the interval


def test_card_krueger_textbook_example():
    # Card and Krueger (1994), Table 3: full-time-equivalent employment per fast-food store.
    # New Jersey (treated by the minimum wage rise) 20.44 -> 21.03, change 0.59 (se 0.54);
    # eastern Pennsylvania 23.33 -> 21.17, change -2.16 (se 1.25); published DiD 2.76 (se 1.36),
    # computed from unrounded means (the rounded means give 2.75).
    r = did_2x2(20.44, 21.03, 23.33, 21.17, se_treated_change=0.54, se_comparison_change=1.25)
    assert r.treated_change == pytest.approx(0.59)
    assert r.comparison_change == pytest.approx(-2.16)
    assert r.estimate == pytest.approx(2.76, abs=0.011)
    assert r.se == pytest.approx(1.36, abs=0.005)


def test_did_refuses_too_few_comparisons_and_empty_windows():
    with pytest.raises(EffectInputError, match="comparison"):
        did_panel(HAND[:3], 0, 2)
    with pytest.raises(EffectInputError, match="before and after"):
        did_panel(HAND, 0, 4)
    zero = HAND.copy()
    zero[0, 2:] = 0
    with pytest.raises(EffectInputError, match="no events"):
        did_panel(zero, 0, 2, log=True)


def test_synth_weights_recover_a_known_mix():
    donors = np.array([[1.2, 0.8, 1.0, 1.0], [0.8, 1.2, 1.0, 1.0], [1.5, 0.5, 1.5, 0.5]])
    target = 0.5 * donors[0] + 0.5 * donors[1]
    w = synth_weights(target, donors)
    assert w == pytest.approx([0.5, 0.5, 0.0], abs=1e-6)
    assert w.sum() == pytest.approx(1.0)


def test_synthetic_control_finds_a_30_percent_drop():
    pre = np.array([[1.2, 0.8, 1.0, 1.0], [0.8, 1.2, 1.0, 1.0], [1.5, 0.5, 1.5, 0.5], [1.1, 0.9, 0.9, 1.1]])
    post = np.ones((4, 2))
    donors = np.hstack([pre, post]) * np.array([[40.0], [25.0], [10.0], [30.0]])  # sizes differ
    treated = np.concatenate([0.5 * pre[0] + 0.5 * pre[1], [0.7, 0.7]]) * 60.0
    y = np.vstack([treated, donors])
    r = synthetic_control(y, treated=0, first_post=4)
    assert r.weights[:2] == pytest.approx([0.5, 0.5], abs=1e-6)
    assert r.pre_rmspe == pytest.approx(0.0, abs=1e-6)
    assert r.percent == pytest.approx(-30.0, abs=1e-6)
    # the treated unit's post/pre error ratio is the largest: rank 1 of 5
    assert r.p_value == pytest.approx(1 / 5)
    assert len(r.placebo_effects) == 4


def test_pre_trend_flags_diverging_units_only():
    n = 12
    t = np.arange(n, dtype=float)
    flat = np.vstack(
        [np.full(n, 10.0), np.full(n, 10.0) + (t % 2), np.full(n, 9.0) + (t % 3), np.full(n, 11.0)]
    )
    assert not pre_trend(flat, 0, n).differs
    rising = flat.copy()
    rising[0] = 10.0 + 0.5 * t
    pt = pre_trend(rising, 0, n)
    assert pt.differs
    assert pt.slope > 0.4


def test_seasonality_and_regression_to_mean():
    assert seasonality_covered(list(range(1, 13)), list(range(1, 13)))
    assert not seasonality_covered([1, 2, 3], [4, 5, 6])
    earlier = np.array([100.0, 100.0, 100.0, 100.0, 100.0])
    spike = np.array([160.0, 101.0, 99.0, 103.0, 98.0])  # the treated unit rose 60% into the change
    r = regression_to_mean(earlier, spike, 0, log=True)
    assert r.checked and r.suspicious and r.z > 1.5
    calm = np.array([101.0, 101.0, 99.0, 103.0, 98.0])
    assert not regression_to_mean(earlier, calm, 0, log=True).suspicious
    assert not regression_to_mean(earlier[:3], calm[:3], 0).checked
