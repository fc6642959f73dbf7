"""The Knox test: hand-counted tables in both band conventions, p-values, seeds, and the
Near Repeat Calculator's published table for Chicago's 2016 burglaries."""

from __future__ import annotations

import csv
import datetime as dt
import math
import os
from pathlib import Path

import numpy as np
import pytest

from jingwu.engine.nearrepeat import KnoxParams, knox_test, near_repeat_extent
from jingwu.engine.spacetime import Events, day_number

DATA = Path(__file__).parent / "data"
SHARED = Path(os.environ.get("JINGWU_SHARED_DATA") or Path(__file__).parents[3] / "shared" / "data")
CHICAGO = SHARED / "chicago" / "chicago_burglary_2014_2017.csv"

# Five events, every pair worked out by hand (d in metres, dt in days):
#   A-B d=0 dt=1     A-C d=50 dt=2    A-D d=100 dt=3   A-E d=300 dt=10  B-C d=50 dt=1
#   B-D d=100 dt=2   B-E d=300 dt=9   C-D d=111.8 dt=1 C-E d=250 dt=8   D-E d=316.2 dt=7
TINY = Events(x=[0, 0, 50, 0, 300], y=[0, 0, 0, 100, 0], t=[0, 1, 2, 3, 10])
TINY_SETTINGS = {"distance_band": 100, "distance_bands": 2, "time_band": 2, "time_bands": 2}

# Corrected bands: [0,100] (100,200] >200 by [0,2] (2,4] >4 days.
TINY_CORRECTED = [
    [4, 1, 0],  # A-B, A-C, B-C, B-D | A-D
    [1, 0, 0],  # C-D
    [0, 0, 4],  # A-E, B-E, C-E, D-E
]
# Calculator's bands: same location, "1 to 100" = [0,100), "101 to 200" = [100,200), beyond;
# "0 to 2" = dt in {0,1}, "3 to 4" = dt in {2,3}, beyond.
TINY_NRC = [
    [1, 0, 0],  # A-B
    [1, 1, 0],  # B-C | A-C
    [1, 2, 0],  # C-D | A-D, B-D
    [0, 0, 4],
]


def _params(**kw) -> KnoxParams:
    return KnoxParams(**{**TINY_SETTINGS, "iterations": 20, "seed": 1, **kw})


def test_tiny_example_corrected_bands_by_hand():
    r = knox_test(TINY, _params())
    assert r.distance_labels == ("[0, 100] m", "(100, 200] m", "> 200 m")
    assert r.time_labels == ("[0, 2] days", "(2, 4] days", "> 4 days")
    assert r.observed.tolist() == TINY_CORRECTED
    # Rows hold 5, 1, 4 pairs and columns 5, 1, 4 of the 10: expectation = row x col / 10.
    expected = [[2.5, 0.5, 2.0], [0.5, 0.1, 0.4], [2.0, 0.4, 1.6]]
    assert np.allclose(r.expected_exact, expected)


def test_tiny_example_calculator_bands_by_hand():
    r = knox_test(TINY, _params(convention="nrc"))
    assert r.distance_labels == ("Same location", "1 to 100 m", "101 to 200 m", "More than 200 m")
    assert r.time_labels == ("0 to 2 days", "3 to 4 days", "More than 4 days")
    assert r.observed.tolist() == TINY_NRC


def test_calculator_pathological_pair():
    """Davies (2019) ran the calculator on one pair 100 m and 3 days apart: with 200 m and
    3-day bands it put the pair in "1 to 200" x "4 to 6 days"; with 100 m bands in
    "101 to 200" x "4 to 6 days". The corrected bands put it at [0, 200] x [0, 3] and
    [0, 100] x [0, 3]."""
    pair = Events(x=[0, 0], y=[0, 100], t=[day_number(dt.date(2019, 1, 1)), day_number(dt.date(2019, 1, 4))])

    def cell(r):
        (row,), (col,) = np.nonzero(r.observed[:-1, :-1])
        return r.distance_labels[row], r.time_labels[col]

    for band, nrc_row, row in [(200, "1 to 200 m", "[0, 200] m"), (100, "101 to 200 m", "[0, 100] m")]:
        settings = {"distance_band": band, "distance_bands": 2, "time_band": 3, "time_bands": 2}
        nrc = knox_test(pair, KnoxParams(**settings, convention="nrc"))
        assert cell(nrc) == (nrc_row, "4 to 6 days")
        corrected = knox_test(pair, KnoxParams(**settings))
        assert cell(corrected) == (row, "[0, 3] days")


def test_calculator_convention_truncates_times_and_rounds_coordinates():
    # 23:00 and 01:00 the next day: 2 hours apart but on consecutive dates; 0.04 m apart
    # counts as the same location once read to 0.1 m, as the calculator does.
    ev = Events(x=[10.0, 10.04], y=[5.0, 5.0], t=[100 + 23 / 24, 101 + 1 / 24])
    nrc = knox_test(ev, KnoxParams(1, 1, 1, 1, convention="nrc"))
    assert nrc.observed.tolist() == [[0, 1], [0, 0], [0, 0]]  # same location, more than 1 day
    corrected = knox_test(ev, KnoxParams(1, 1, 1, 1))
    assert corrected.observed.tolist() == [[1, 0], [0, 0]]


def _brute_force(ev: Events, p: KnoxParams) -> np.ndarray:
    """Every pair in a Python loop, bands decided by the definitions in the module docstring."""
    table = np.zeros((p.n_rows, p.n_cols), dtype=int)
    xs, ys, ts = ev.x.tolist(), ev.y.tolist(), ev.t.tolist()
    if p.nrc:
        xs, ys = [round(v, 1) for v in xs], [round(v, 1) for v in ys]
        ts = [math.floor(v) for v in ts]
    for a in range(len(ev)):
        for b in range(a + 1, len(ev)):
            xa, ya, xb, yb, ta, tb = xs[a], ys[a], xs[b], ys[b], ts[a], ts[b]
            d = math.hypot(xa - xb, ya - yb)
            gap = abs(ta - tb)
            if p.nrc:
                row = 0 if d == 0 else min(int(d // p.distance_band), p.distance_bands) + 1
                col = min(int(gap // p.time_band), p.time_bands)
            else:
                row = p.distance_bands
                for k in range(p.distance_bands):
                    if d <= (k + 1) * p.distance_band:
                        row = k
                        break
                col = p.time_bands
                for k in range(p.time_bands):
                    if gap <= (k + 1) * p.time_band:
                        col = k
                        break
            table[row, col] += 1
    return table


def _read(path: Path, year: int | None = None) -> Events:
    xs, ys, ts = [], [], []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            day = dt.datetime.strptime(row["date_single"], "%d/%m/%Y").date()
            if year is None or day.year == year:
                xs.append(float(row["x"]))
                ys.append(float(row["y"]))
                ts.append(day_number(day))
    return Events(xs, ys, ts)


@pytest.mark.parametrize("convention", ["corrected", "nrc"])
def test_extract_matches_a_brute_force_count(convention):
    ev = _read(DATA / "chicago_burglary_2016_extract.csv")
    assert len(ev) == 458
    p = KnoxParams(100, 3, 2, 2, iterations=2, convention=convention)
    r = knox_test(ev, p)
    assert r.observed.tolist() == _brute_force(ev, p).tolist()
    assert r.observed.sum() == 458 * 457 // 2
    # and it is not a trivial table: near pairs in the first bands
    assert r.observed[0, 0] > 0 and r.observed[1, 0] > 0


def test_p_values_lie_on_the_grid_of_iterations():
    ev = _read(DATA / "chicago_burglary_2016_extract.csv")
    r = knox_test(ev, KnoxParams(100, 3, 7, 2, iterations=50, seed=3))
    k = r.p_values * 50
    assert np.allclose(k, np.round(k))
    assert r.p_values.min() >= 1 / 50 and r.p_values.max() <= 1.0


def test_ties_count_against_the_observed_table():
    # All on the same day: every permutation gives the observed table, so nothing is
    # significant (p = 1 everywhere; counting only strictly larger permutations would give 1/K).
    ev = Events(x=[0, 10, 20, 500, 900], y=[0, 0, 0, 0, 0], t=[5, 5, 5, 5, 5])
    r = knox_test(ev, KnoxParams(100, 2, 1, 2, iterations=10))
    assert np.all(r.p_values == 1.0)
    assert np.allclose(r.ratios[r.expected > 0], 1.0)


def _near_repeat_sample(seed: int, n_seeds: int = 150, background: int = 600) -> Events:
    """Random background events on 5 km x 5 km over a year, plus one follow-up within 50 m
    and 1 day of each of ``n_seeds`` events."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 5000, background)
    y = rng.uniform(0, 5000, background)
    t = rng.integers(0, 365, background).astype(float)
    src = rng.choice(background, n_seeds, replace=False)
    angle = rng.uniform(0, 2 * np.pi, n_seeds)
    radius = rng.uniform(5, 50, n_seeds)
    x = np.concatenate([x, x[src] + radius * np.cos(angle)])
    y = np.concatenate([y, y[src] + radius * np.sin(angle)])
    t = np.concatenate([t, t[src] + rng.integers(0, 2, n_seeds)])
    return Events(x, y, t)


def test_a_planted_near_repeat_is_found_and_bounded():
    r = knox_test(_near_repeat_sample(7), KnoxParams(100, 3, 2, 3, iterations=100, seed=11))
    assert r.p_values[0, 0] == pytest.approx(0.01)
    assert r.ratios[0, 0] > 5
    extent = near_repeat_extent(r)
    assert extent is not None
    assert (extent.distance, extent.days) == (100, 2)


def test_no_extent_without_a_pattern():
    rng = np.random.default_rng(5)
    ev = Events(rng.uniform(0, 5000, 700), rng.uniform(0, 5000, 700), rng.integers(0, 365, 700))
    r = knox_test(ev, KnoxParams(100, 3, 2, 3, iterations=20, seed=2))
    assert near_repeat_extent(r, alpha=0.01) is None


def test_p_values_are_calibrated_without_a_pattern():
    """Without space-time interaction the first cell is significant at 10% in about 10% of
    data sets (a little less: ties make the test conservative)."""
    hits = 0
    runs = 300
    for s in range(runs):
        rng = np.random.default_rng(1000 + s)
        ev = Events(rng.uniform(0, 3000, 120), rng.uniform(0, 3000, 120), rng.integers(0, 60, 120))
        r = knox_test(ev, KnoxParams(300, 1, 3, 1, iterations=20, seed=s))
        hits += r.p_values[0, 0] <= 0.10 + 1e-12
    assert 0.05 * runs <= hits <= 0.14 * runs


def test_mean_of_many_permutations_approaches_the_exact_expectation():
    r = knox_test(TINY, _params(iterations=4001, seed=9))
    assert np.allclose(r.expected, r.expected_exact, atol=0.05)


def test_the_seed_decides_the_permutations():
    ev = _read(DATA / "chicago_burglary_2016_extract.csv")
    p = KnoxParams(100, 3, 2, 2, iterations=30, seed=42)
    a, b = knox_test(ev, p), knox_test(ev, p)
    assert np.array_equal(a.expected, b.expected) and np.array_equal(a.p_values, b.p_values)
    c = knox_test(ev, KnoxParams(100, 3, 2, 2, iterations=30, seed=43))
    assert not np.array_equal(a.expected, c.expected)
    assert np.array_equal(a.observed, c.observed)


def test_json_shape_puts_beyond_last_and_nan_as_none():
    d = knox_test(TINY, _params(convention="nrc")).as_dict()
    assert list(d) == ["distance_bands", "time_bands", "ratios", "p_values"]
    assert d["distance_bands"][0] == "Same location" and d["distance_bands"][-1] == "More than 200 m"
    assert d["time_bands"][-1] == "More than 4 days"
    assert len(d["ratios"]) == 4 and all(len(row) == 3 for row in d["ratios"])
    # All times within a day: no permutation puts the same-location pair more than 2 days
    # apart, so that cell has no ratio (None in JSON, not a division by zero).
    ev = Events(x=[0, 0, 500], y=[0, 0, 0], t=[0, 1, 1])
    d = knox_test(ev, KnoxParams(100, 1, 2, 1, convention="nrc")).as_dict()
    assert d["ratios"][0] == [1.0, None]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"distance_band": 0}, "distance band"),
        ({"time_band": -1}, "time band"),
        ({"distance_bands": 0}, "distance band"),
        ({"iterations": 1}, "iterations"),
        ({"convention": "other"}, "convention"),
        ({"convention": "nrc", "time_band": 1.5}, "whole number of days"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        _params(**kwargs)


def test_one_event_is_refused():
    with pytest.raises(ValueError, match="at least two events"):
        knox_test(Events([0], [0], [0]), _params())


# The calculator's output for Chicago 2016 (100 m x 3, 2 days x 2, 20 iterations), from
# github.com/tobydavies/NearRepeat notebooks/nrc_output/chicago_burglary_2016_NRverbose.csv
# (Near Repeat Calculator 1.3, 14 October 2019; MIT licence, (c) 2019 Toby Davies).
NRC_OBSERVED = [
    [202, 51, 1025],
    [189, 143, 7762],
    [290, 343, 23366],
    [456, 526, 41305],
    [577857, 760260, 67037075],
]
NRC_RATIOS = [
    [15.602, 3.341, 0.82],
    [2.678, 1.576, 0.978],
    [1.366, 1.301, 0.993],
    [1.295, 1.14, 0.996],
    [0.999, 1, 1],
]
NRC_P = [[0.05, 0.05, 1], [0.05, 0.05, 1], [0.05, 0.05, 1], [0.05, 0.05, 1], [1, 1, 0.05]]
# The calculator's 19 permuted counts of each cell ("Expected" lines), row by row.
NRC_SIMS = {
    (0, 0): [44, 15, 13, 8, 11, 12, 4, 8, 15, 8, 4, 8, 8, 15, 15, 16, 12, 14, 16],
    (1, 0): [96, 68, 79, 73, 76, 64, 62, 76, 70, 62, 77, 76, 70, 60, 63, 65, 64, 70, 70],
    (2, 0): [216, 208, 214, 207, 263, 222, 199, 211, 209, 214, 200, 216, 197, 201, 199, 224, 189, 201, 245],
    (3, 0): [348, 380, 340, 335, 352, 379, 367, 335, 385, 337, 358, 335, 370, 349, 350, 336, 343, 344, 346],
    (0, 1): [19, 21, 9, 14, 13, 13, 21, 18, 12, 7, 16, 12, 13, 19, 19, 13, 19, 20, 12],
    (1, 1): [79, 95, 86, 100, 80, 101, 95, 86, 93, 83, 85, 93, 99, 82, 103, 84, 92, 89, 99],
    (2, 1): [263, 236, 261, 271, 285, 224, 280, 262, 256, 282, 253, 247, 265, 269, 268, 273, 263, 284, 267],
    (3, 1): [482, 505, 493, 483, 393, 466, 461, 452, 473, 487, 470, 451, 477, 471, 442, 444, 465, 426, 428],
}


@pytest.fixture(scope="module")
def chicago_2016() -> Events:
    if not CHICAGO.exists():
        pytest.skip(
            f"Chicago burglaries not found at {CHICAGO} (set JINGWU_SHARED_DATA to the shared data folder)"
        )
    return _read(CHICAGO, 2016)


@pytest.mark.slow
def test_chicago_2016_reproduces_the_calculator(chicago_2016):
    assert len(chicago_2016) == 11701  # the calculator's "records successfully recorded"
    p = KnoxParams(100, 3, 2, 2, iterations=20, seed=2016, convention="nrc")
    r = knox_test(chicago_2016, p)
    # The observed table is deterministic: exactly the calculator's.
    assert r.observed.tolist() == NRC_OBSERVED
    assert r.p_values.tolist() == NRC_P
    # Ratios agree up to Monte Carlo noise: the mean of our 19 permutations and the
    # calculator's differ by less than 3 standard errors of such a difference (the
    # spread taken from the calculator's own 19 counts).
    for (i, j), sims in NRC_SIMS.items():
        sd = float(np.std(sims, ddof=1))
        noise = 3 * math.sqrt(2) * sd / math.sqrt(19)
        assert abs(r.expected[i, j] - float(np.mean(sims))) <= noise, (i, j)
        # and the calculator's ratio is its observed count over that mean
        assert NRC_OBSERVED[i][j] / np.mean(sims) == pytest.approx(NRC_RATIOS[i][j], abs=6e-4)
    # Where the counts are large the noise is small: ratios agree to 2 decimals.
    assert np.allclose(r.ratios[1:, :], NRC_RATIOS[1:], atol=0.09)
    assert np.allclose(r.ratios[:, 2], [row[2] for row in NRC_RATIOS], atol=0.01)
    extent = near_repeat_extent(r)
    assert (extent.distance, extent.days, extent.repeat_days) == (300, 4, 4)
    # the figures docs/engine-analytics.md shows for this seed
    assert np.round(r.ratios, 2).tolist() == [
        [18.81, 3.5, 0.82],
        [2.75, 1.56, 0.98],
        [1.45, 1.29, 0.99],
        [1.27, 1.1, 1.0],
        [1.0, 1.0, 1.0],
    ]
