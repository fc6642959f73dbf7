"""Effect evaluation: did a change at one unit move a measure, against comparable units?

Framework-free (numpy, scipy). The input is a panel: one row per unit, one column per
period (a month), the treated unit's row and the index of its first period after the
change. Two estimators and three checks:

- **Difference in differences** (``did_panel``). Each unit's change is the mean of its
  periods after minus the mean of its periods before; the estimate is the treated
  unit's change minus the mean change of the comparison units. On the log scale
  (``log=True``, for counts) the changes are log ratios and the estimate becomes a
  percentage, ``exp(estimate) - 1``. With one treated unit the spread of the comparison
  units' changes says how much a unit's change varies by chance: the standard error is
  ``s * sqrt(1 + 1/n)`` (``s`` the standard deviation of the ``n`` comparison changes) and
  the interval uses Student's t with ``n - 1`` degrees of freedom. ``did_2x2`` is the
  same estimate from four group means (with the standard errors of the two changes),
  the textbook form.
- **Synthetic control** (``synthetic_control``, Abadie, Diamond and Hainmueller 2010) for
  few comparison units: non-negative weights summing to one that make a weighted
  average of the comparison units follow the treated unit before the change; the gap
  after the change is the effect. Series are indexed to their own mean before the change
  (1.0), so a large station can be matched by smaller ones. Inference is by placebo: each
  comparison unit in turn is treated as if it had changed, and the treated unit's ratio
  of post- to pre-change fit error is ranked among them (p = rank / (n + 1)).
- **Checks** (``pre_trend``, ``seasonality_note``, ``regression_to_mean``): did the treated
  unit already drift away from the comparison units before the change; do the two
  windows cover the same calendar months; was the period before the change unusually
  high for the treated unit (a change made after a bad spell looks good by itself).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats

MIN_COMPARISONS = 3


class EffectInputError(ValueError):
    """The panel cannot answer the question (too few units, no data in a window)."""


@dataclass(frozen=True)
class DidResult:
    estimate: float  # treated change minus mean comparison change (log ratio when log)
    se: float
    low: float
    high: float
    df: int
    p_value: float
    treated_change: float
    comparison_change: float
    comparisons: int
    log: bool
    level: float = 0.95

    @property
    def percent(self) -> float | None:
        """The effect as a percentage of the counterfactual (log scale only)."""
        return 100.0 * math.expm1(self.estimate) if self.log else None

    @property
    def percent_low(self) -> float | None:
        return 100.0 * math.expm1(self.low) if self.log else None

    @property
    def percent_high(self) -> float | None:
        return 100.0 * math.expm1(self.high) if self.log else None

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Did2x2:
    estimate: float
    se: float | None
    treated_change: float
    comparison_change: float


def did_2x2(
    treated_before: float,
    treated_after: float,
    comparison_before: float,
    comparison_after: float,
    *,
    se_treated_change: float | None = None,
    se_comparison_change: float | None = None,
) -> Did2x2:
    """Difference in differences from four group means.

    With the standard errors of the two changes (independent groups) the estimate's
    standard error is ``sqrt(se_t^2 + se_c^2)``.
    """
    dt_ = treated_after - treated_before
    dc = comparison_after - comparison_before
    se = None
    if se_treated_change is not None and se_comparison_change is not None:
        se = math.hypot(se_treated_change, se_comparison_change)
    return Did2x2(dt_ - dc, se, dt_, dc)


def _check_panel(values: np.ndarray, treated: int, first_post: int) -> np.ndarray:
    y = np.asarray(values, dtype=float)
    if y.ndim != 2:
        raise EffectInputError("the panel must be units by periods")
    n_units, n_periods = y.shape
    if not 0 <= treated < n_units:
        raise EffectInputError("the treated unit is not in the panel")
    if not 0 < first_post < n_periods:
        raise EffectInputError("the change must leave periods both before and after it")
    if n_units - 1 < MIN_COMPARISONS:
        raise EffectInputError(f"at least {MIN_COMPARISONS} comparison units are needed, got {n_units - 1}")
    if not np.all(np.isfinite(y)):
        raise EffectInputError("the panel has missing values")
    return y


def unit_changes(values: np.ndarray, first_post: int, *, log: bool = False) -> np.ndarray:
    """Each unit's mean after minus mean before (the log of the ratio of means when ``log``)."""
    y = np.asarray(values, dtype=float)
    before = y[:, :first_post].mean(axis=1)
    after = y[:, first_post:].mean(axis=1)
    if log:
        if np.any(before <= 0) or np.any(after <= 0):
            raise EffectInputError("a unit has no events in one of the windows; a ratio needs both")
        return np.log(after) - np.log(before)
    return after - before


def did_panel(
    values: np.ndarray, treated: int, first_post: int, *, log: bool = False, level: float = 0.95
) -> DidResult:
    """Difference in differences of one treated unit against the others of the panel."""
    y = _check_panel(values, treated, first_post)
    d = unit_changes(y, first_post, log=log)
    dt_ = float(d[treated])
    dc = np.delete(d, treated)
    n = len(dc)
    est = dt_ - float(dc.mean())
    s = float(dc.std(ddof=1))
    se = s * math.sqrt(1.0 + 1.0 / n)
    df = n - 1
    q = float(stats.t.ppf(0.5 + level / 2.0, df))
    if se > 0:
        p = float(2.0 * stats.t.sf(abs(est) / se, df))
    else:
        p = 0.0 if est != 0 else 1.0
    return DidResult(
        estimate=est,
        se=se,
        low=est - q * se,
        high=est + q * se,
        df=df,
        p_value=p,
        treated_change=dt_,
        comparison_change=float(dc.mean()),
        comparisons=n,
        log=log,
        level=level,
    )


# --------------------------------------------------------------------------- synthetic control


def synth_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """Weights ``w >= 0``, ``sum(w) = 1`` minimising ``|target - donors.T @ w|`` (donors: units x periods).

    Solved as non-negative least squares with the sum constraint as a heavily weighted
    extra row; the result is renormalised to sum to one exactly.
    """
    a = np.asarray(donors, dtype=float).T  # periods x units
    b = np.asarray(target, dtype=float)
    scale = max(1.0, float(np.abs(a).max(initial=0.0))) * 1e3
    a_aug = np.vstack([a, np.full((1, a.shape[1]), scale)])
    b_aug = np.concatenate([b, [scale]])
    w, _ = optimize.nnls(a_aug, b_aug, maxiter=50 * a.shape[1] + 100)
    total = w.sum()
    if total <= 0:
        return np.full(a.shape[1], 1.0 / a.shape[1])
    return w / total


@dataclass(frozen=True)
class SynthResult:
    weights: np.ndarray  # per comparison unit, in the order of the panel without the treated unit
    synthetic: np.ndarray  # the synthetic series, indexed (treated's mean before = 1)
    treated: np.ndarray  # the treated series, indexed
    effect: float  # mean gap after the change, as a share of the synthetic (-0.3 = 30% below)
    pre_rmspe: float
    post_rmspe: float
    p_value: float  # placebo rank / (n + 1)
    placebo_effects: np.ndarray = field(repr=False)

    @property
    def percent(self) -> float:
        return 100.0 * self.effect


def _indexed(y: np.ndarray, first_post: int) -> np.ndarray:
    base = y[:, :first_post].mean(axis=1, keepdims=True)
    if np.any(base <= 0):
        raise EffectInputError("a unit has no events before the change; it cannot be indexed")
    return y / base


def _fit(yi: np.ndarray, j: int, first_post: int) -> tuple[np.ndarray, np.ndarray, float, float, float]:
    donors = np.delete(yi, j, axis=0)
    w = synth_weights(yi[j, :first_post], donors[:, :first_post])
    synth = w @ donors
    gap = yi[j] - synth
    pre = float(np.sqrt(np.mean(gap[:first_post] ** 2)))
    post = float(np.sqrt(np.mean(gap[first_post:] ** 2)))
    effect = float(yi[j, first_post:].mean() / synth[first_post:].mean() - 1.0)
    return w, synth, pre, post, effect


def synthetic_control(values: np.ndarray, treated: int, first_post: int) -> SynthResult:
    y = _check_panel(values, treated, first_post)
    yi = _indexed(y, first_post)
    w, synth, pre, post, effect = _fit(yi, treated, first_post)
    ratio = post / max(pre, 1e-12)
    ratios, effects = [], []
    controls = [j for j in range(len(yi)) if j != treated]
    for j in controls:
        others = np.delete(yi, treated, axis=0)  # placebos never use the treated unit
        k = controls.index(j)
        _, _, p_pre, p_post, p_eff = _fit(others, k, first_post)
        ratios.append(p_post / max(p_pre, 1e-12))
        effects.append(p_eff)
    rank = 1 + sum(r >= ratio for r in ratios)
    return SynthResult(
        weights=w,
        synthetic=synth,
        treated=yi[treated],
        effect=effect,
        pre_rmspe=pre,
        post_rmspe=post,
        p_value=rank / (len(ratios) + 1),
        placebo_effects=np.asarray(effects),
    )


# --------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class PreTrend:
    slope: float  # per period, of the treated-minus-comparison gap before the change
    se: float
    p_value: float
    periods: int

    @property
    def differs(self) -> bool:
        return self.periods >= 4 and self.p_value < 0.05


def pre_trend(values: np.ndarray, treated: int, first_post: int, *, log: bool = False) -> PreTrend:
    """Slope of the gap between the treated unit and the comparison mean before the change.

    On the log scale the slope is a relative drift per period (0.01 = the treated unit
    gains 1% a period on the others). A slope clearly different from zero means the
    units were already moving apart, so a difference after the change need not be the
    change's doing.
    """
    y = np.asarray(values, dtype=float)[:, :first_post]
    if log:
        y = np.log(np.maximum(y, 0.5))
    gap = y[treated] - np.delete(y, treated, axis=0).mean(axis=0)
    n = len(gap)
    if n < 3:
        return PreTrend(0.0, float("inf"), 1.0, n)
    res = stats.linregress(np.arange(n, dtype=float), gap)
    return PreTrend(float(res.slope), float(res.stderr), float(res.pvalue), n)


def seasonality_covered(before_months: list[int], after_months: list[int]) -> bool:
    """Do the two windows hold the same calendar months equally often (1-12 each)?"""
    return sorted(before_months) == sorted(after_months)


@dataclass(frozen=True)
class RegressionToMean:
    checked: bool
    z: float | None  # the treated unit's rise into the window before, in comparison spreads
    suspicious: bool


def regression_to_mean(
    earlier: np.ndarray, before: np.ndarray, treated: int, *, log: bool = False, threshold: float = 1.5
) -> RegressionToMean:
    """Was the window before the change unusually high for the treated unit?

    ``earlier`` and ``before`` are each unit's mean in the window preceding the window
    before the change, and in the window before it. The treated unit's rise between them
    is compared with the comparison units' rises; a rise more than ``threshold`` of their
    standard deviations above their mean means the change came after a spike, and some
    of the fall after it would have happened anyway.
    """
    a = np.asarray(earlier, dtype=float)
    b = np.asarray(before, dtype=float)
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))) or len(a) < MIN_COMPARISONS + 1:
        return RegressionToMean(False, None, False)
    if log:
        if np.any(a <= 0) or np.any(b <= 0):
            return RegressionToMean(False, None, False)
        rise = np.log(b) - np.log(a)
    else:
        rise = b - a
    others = np.delete(rise, treated)
    sd = float(others.std(ddof=1))
    if sd <= 0:
        return RegressionToMean(False, None, False)
    z = float((rise[treated] - others.mean()) / sd)
    return RegressionToMean(True, z, z > threshold)
