"""Hot-spot forecasts: the grid, each method by hand, ETAS by EM on a simulated process,
and the rolling evaluation's hit rate, PAI and PEI on a tiny grid worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jingwu.engine.hotspots import (
    MAX_CELLS,
    EtasParams,
    EvaluationParams,
    Grid,
    KdeParams,
    NaiveParams,
    ProspectiveParams,
    capture,
    evaluate,
    fit_etas,
    forecast,
    method_params,
    offset_sensitivity,
)
from jingwu.engine.spacetime import Events


def test_grid_lines_follow_the_offset():
    g = Grid.covering(np.array([120.0, 480.0]), np.array([30.0, 260.0]), 100)
    assert (g.x0, g.y0, g.nx, g.ny) == (100.0, 0.0, 4, 3)
    shifted = Grid.covering(np.array([120.0, 480.0]), np.array([30.0, 260.0]), 100, offset=(50, 50))
    assert (shifted.x0, shifted.y0, shifted.nx, shifted.ny) == (50.0, -50.0, 5, 4)
    # cells are numbered row by row from the south-west; outside is -1
    assert g.cells(np.array([120.0, 480.0, 150.0, 99.0]), np.array([30.0, 260.0, 150.0, 30.0])).tolist() == [
        0,
        11,
        4,
        -1,
    ]


def test_a_grid_too_large_for_the_data_is_refused():
    # Longitude/latitude taken for metres would not do this; a stray point 0/0 in UTM does.
    with pytest.raises(ValueError, match="check the coordinates"):
        Grid.covering(np.array([0.0, 490_000.0]), np.array([0.0, 5_460_000.0]), 250)
    assert MAX_CELLS >= 1_000_000


def test_capture_by_hand():
    scores = np.array([0.9, 0.1, 0.5, 0.5, 0.0])
    counts = np.array([1, 3, 0, 2, 1])
    # best 1: cell 0 (1 event); the most one cell held: 3
    assert capture(scores, counts, 1) == (1, 3)
    # best 2: cell 0 then the tie 0.5 goes to cell 2 (lower number) -> 1 + 0; most: 3 + 2
    assert capture(scores, counts, 2) == (1, 5)
    assert capture(scores, counts, 3) == (3, 6)


# A line of 11 cells of 100 m. Before the test: one event on day 0 in cell 9, then on days
# 1-9 cell 0 x5, cell 1 x3, cell 2 x2 and cells 3-8 x1. Test day 10: cells 0, 2, 2, 5;
# test day 11: cells 1, 1, 9 and cell 10, where nothing happened before (outside the area).
def _line_events() -> Events:
    cells: list[int] = []
    days: list[float] = []

    def add(cell: int, day: int) -> None:
        cells.append(cell)
        days.append(day + 0.5)

    add(9, 0)
    day = 1
    for cell, n in [(0, 5), (1, 3), (2, 2), (3, 1), (4, 1), (5, 1), (6, 1), (7, 1), (8, 1)]:
        for _ in range(n):
            add(cell, day)
            day = day % 9 + 1
    for cell in (0, 2, 2, 5):
        add(cell, 10)
    for cell in (1, 1, 9, 10):
        add(cell, 11)
    x = [50.0 + 100 * c for c in cells]
    return Events(x=x, y=[50.0] * len(x), t=days)


def test_rolling_evaluation_by_hand():
    """Naive counts over the 10 days before each test day (the area: cells 0-9).

    Day 10 ranks 0 (5), 1 (3), 2 (2): k=1 catches 1 of the best possible 2, k=3 catches
    1+0+2 = 3 of 2+1+1 = 4. Day 11 counts day 10 too and has lost day 0: 0 (6), 2 (4),
    1 (3): k=1 catches 0 of 2, k=3 catches 2 of 2+1 = 3. Events: 4 + 4 = 8 (cell 10's
    counts as a miss). k=1: hit rate 1/8, PAI (1/8)/(1/10) = 1.25, PEI 1/4; k=3: hit rate
    5/8, PAI (5/8)/(3/10) = 2.0833, PEI 5/7."""
    params = EvaluationParams(
        method=NaiveParams(), test_from=10, test_to=11, cell=100, train_days=10, coverages=(0.1, 0.3)
    )
    r = evaluate(_line_events(), params)
    assert r.cells == 10 and r.grid.nx == 11 and r.events == 8 and r.days == 2
    one, three = r.coverage[0.1], r.coverage[0.3]
    assert (one.cells, one.hits, one.best) == (1, 1, 4)
    assert (three.cells, three.hits, three.best) == (3, 5, 7)
    assert one.hit_rate == pytest.approx(1 / 8) and one.pai == pytest.approx(1.25) and one.pei == 0.25
    assert three.hit_rate == pytest.approx(5 / 8)
    assert three.pai == pytest.approx(2.0833, abs=1e-4)
    assert three.pei == pytest.approx(5 / 7)
    d = r.as_dict()
    assert d == {
        "method": "naive",
        "coverage": {
            "0.10": {"hit_rate": 0.125, "pai": 1.25, "pei": 0.25},
            "0.30": {"hit_rate": 0.625, "pai": 2.0833, "pei": 0.7143},
        },
    }


def test_default_coverages_are_one_five_and_ten_percent():
    params = EvaluationParams(method=NaiveParams(), test_from=10, test_to=11, cell=100, train_days=10)
    assert list(evaluate(_line_events(), params).as_dict()["coverage"]) == ["0.01", "0.05", "0.10"]


def test_prospective_weights_by_hand():
    # One event in the middle cell of a 5 x 5 grid of 100 m, 8 days before: one week ago.
    g = Grid(0, 0, 100, 5, 5)
    ev = Events([250.0], [250.0], [2.0])
    s = forecast(ev, g, 10.0, 30, ProspectiveParams(bandwidth=150, window_days=60)).reshape(5, 5)
    week = 1 / (1 + 1)
    assert s[2, 2] == pytest.approx(week * 1.0)
    assert s[2, 3] == pytest.approx(week / 2) and s[1, 2] == pytest.approx(week / 2)
    assert s[1, 1] == pytest.approx(week / (1 + math.sqrt(2)))  # 141 m <= 150 m
    assert s[2, 4] == 0.0 and s[0, 0] == 0.0  # 200 m and more: beyond the bandwidth
    # older than the window: nothing
    assert forecast(ev, g, 70.0, 100, ProspectiveParams(bandwidth=150, window_days=60)).sum() == 0.0


def test_kde_integrates_a_gaussian_over_the_cells():
    g = Grid(0, 0, 100, 21, 21)
    ev = Events([1050.0], [1050.0], [0.0])  # the centre of the middle cell
    s = forecast(ev, g, 1.0, 10, KdeParams(bandwidth=100)).reshape(21, 21)
    own = math.erf(50 / (100 * math.sqrt(2))) ** 2  # 0.1466
    assert s[10, 10] == pytest.approx(own, rel=0.02)
    side = (
        math.erf(50 / (100 * math.sqrt(2)))
        * (math.erf(150 / (100 * math.sqrt(2))) - math.erf(50 / (100 * math.sqrt(2))))
        / 2
    )
    assert s[10, 11] == pytest.approx(side, rel=0.03)
    assert s.sum() == pytest.approx(1.0, abs=1e-6)


def test_naive_counts_only_the_window():
    g = Grid(0, 0, 100, 2, 1)
    ev = Events([50.0, 50.0, 150.0], [50.0, 50.0, 50.0], [1.2, 8.0, 9.5])
    assert forecast(ev, g, 10.0, 5, NaiveParams()).tolist() == [1.0, 1.0]
    assert forecast(ev, g, 10.0, 30, NaiveParams()).tolist() == [2.0, 1.0]
    assert forecast(ev, g, 9.0, 30, NaiveParams()).tolist() == [2.0, 0.0]  # 9.5 is not before day 9


def _simulate_etas(seed: int, n_cells: int, days: float, theta: float, omega: float):
    """Grid ETAS by its branching structure: Poisson background per cell, each event
    begets Poisson(theta) children after Exp(omega) delays in its own cell."""
    rng = np.random.default_rng(seed)
    mu = rng.uniform(0.005, 0.05, n_cells)
    cells: list[int] = []
    times: list[float] = []
    for c in range(n_cells):
        generation = list(rng.uniform(0, days, rng.poisson(mu[c] * days)))
        while generation:
            cells.extend([c] * len(generation))
            times.extend(generation)
            children = []
            for t in generation:
                for delay in rng.exponential(1 / omega, rng.poisson(theta)):
                    if t + delay < days:
                        children.append(t + delay)
            generation = children
    return np.array(cells), np.array(times), mu


def test_etas_em_recovers_the_parameters_of_a_simulated_process():
    cells, times, mu = _simulate_etas(seed=3, n_cells=200, days=1000, theta=0.4, omega=0.25)
    assert len(times) > 8000
    fit = fit_etas(cells, times, 0, 1000, 200)
    assert fit.converged
    assert fit.theta == pytest.approx(0.4, abs=0.04)
    assert fit.omega == pytest.approx(0.25, rel=0.15)
    assert np.corrcoef(fit.mu, mu)[0, 1] > 0.85
    assert fit.mu.sum() == pytest.approx(mu.sum(), rel=0.1)


def test_etas_finds_no_triggering_in_a_poisson_process():
    rng = np.random.default_rng(8)
    mu = rng.uniform(0.01, 0.05, 100)
    cells = np.repeat(np.arange(100), rng.poisson(mu * 1000))
    times = rng.uniform(0, 1000, len(cells))
    fit = fit_etas(cells, times, 0, 1000, 100)
    assert fit.theta < 0.03


def _random_events(seed: int = 1, n: int = 3000) -> Events:
    rng = np.random.default_rng(seed)
    hot = rng.random(n) < 0.3
    x = np.where(hot, rng.normal(2000, 200, n), rng.uniform(0, 5000, n))
    y = np.where(hot, rng.normal(3000, 200, n), rng.uniform(0, 5000, n))
    return Events(x, y, rng.uniform(0, 400, n))


@pytest.mark.parametrize("method", ["naive", "kde", "prospective", "etas"])
def test_each_method_scores_every_cell_the_same_way_twice(method):
    ev = _random_events()
    g = Grid.covering(ev.x, ev.y, 250)
    a = forecast(ev, g, 380.0, 365, method_params(method))
    b = forecast(ev, g, 380.0, 365, method_params(method))
    assert a.shape == (g.n_cells,) and np.array_equal(a, b)
    assert np.all(a >= 0) and a.sum() > 0
    # the planted hot spot (2000, 3000) ranks among the best cells
    hot = g.cells(np.array([2000.0]), np.array([3000.0]))[0]
    assert (a > a[hot]).sum() < 5


@pytest.mark.parametrize("method", ["naive", "kde", "prospective", "etas"])
def test_each_method_beats_chance_on_a_planted_hot_spot(method):
    ev = _random_events(2, 4000)
    r = evaluate(
        ev, EvaluationParams(method=method_params(method), test_from=300, test_to=330, train_days=200)
    )
    assert r.coverage[0.05].pai > 3  # 30% of events in a spot of ~1 km2 of 25 km2


def test_offsets_move_the_grid_and_change_the_figures():
    ev = _random_events(4, 3000)
    params = EvaluationParams(method=NaiveParams(), test_from=300, test_to=399, train_days=250)
    runs = offset_sensitivity(ev, params)
    assert [r.params.offset for r in runs] == [(0, 0), (125, 0), (0, 125), (125, 125)]
    assert len({(r.grid.x0, r.grid.y0) for r in runs}) == 4
    assert len({r.coverage[0.05].hits for r in runs}) > 1


@pytest.mark.parametrize(
    "test_from, test_to, train_days, message",
    [
        (500, 520, 365, "outside the data"),
        (300, 420, 250, "ends on"),
        (100, 120, 365, "training window"),
    ],
)
def test_periods_the_data_cannot_support_are_refused(test_from, test_to, train_days, message):
    ev = _random_events()  # days 0 to 399
    with pytest.raises(ValueError, match=message):
        evaluate(
            ev,
            EvaluationParams(
                method=NaiveParams(), test_from=test_from, test_to=test_to, train_days=train_days
            ),
        )


def test_a_test_period_without_events_is_refused():
    ev = _random_events()
    gap = Events(ev.x, ev.y, np.where((ev.t >= 300) & (ev.t < 330), ev.t + 40, ev.t))
    with pytest.raises(ValueError, match="no events in the test period"):
        evaluate(gap, EvaluationParams(method=NaiveParams(), test_from=300, test_to=329, train_days=250))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"cell": 0}, "cell size"),
        ({"train_days": 0}, "training window"),
        ({"test_from": 20, "test_to": 10}, "ends before it starts"),
        ({"coverages": (0.0,)}, "coverages"),
    ],
)
def test_bad_evaluation_settings_are_refused(kwargs, message):
    base = {"method": NaiveParams(), "test_from": 10, "test_to": 11}
    with pytest.raises(ValueError, match=message):
        EvaluationParams(**{**base, **kwargs})


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="unknown method 'magic'"):
        method_params("magic")
    with pytest.raises(ValueError, match="bandwidth"):
        KdeParams(bandwidth=-1)
    with pytest.raises(ValueError, match="refit_every"):
        EtasParams(refit_every=0)


@pytest.mark.slow
@pytest.mark.parametrize(
    "method, pai",
    [("naive", (4.59, 2.90, 2.35)), ("etas", (4.59, 2.91, 2.37))],
)
def test_chicago_burglary_2017_figures_in_the_docs(method, pai):
    """docs/engine-analytics.md: Chicago's burglaries, 2017 forecast day by day from the
    365 days before, 250 m cells."""
    import csv
    import datetime as dt
    import os
    from pathlib import Path

    from jingwu.engine.spacetime import day_number

    shared = Path(os.environ.get("JINGWU_SHARED_DATA") or Path(__file__).parents[3] / "shared" / "data")
    path = shared / "chicago" / "chicago_burglary_2014_2017.csv"
    if not path.exists():
        pytest.skip(
            f"Chicago burglaries not found at {path} (set JINGWU_SHARED_DATA to the shared data folder)"
        )
    xs, ys, ts = [], [], []
    with path.open(newline="") as f:
        for row in csv.DictReader(f):
            xs.append(float(row["x"]))
            ys.append(float(row["y"]))
            ts.append(day_number(dt.datetime.strptime(row["date_single"], "%d/%m/%Y").date()))
    params = EvaluationParams(
        method=method_params(method),
        test_from=int(day_number(dt.date(2017, 1, 1))),
        test_to=int(day_number(dt.date(2017, 12, 31))),
    )
    r = evaluate(Events(xs, ys, ts), params)
    assert (r.events, r.cells) == (10426, 6091)
    assert tuple(round(r.coverage[c].pai, 2) for c in (0.01, 0.05, 0.10)) == pai


def test_etas_refits_on_its_schedule_and_from_the_day_before():
    from jingwu.engine.hotspots import _Scorer

    ev = _random_events(6, 2000)
    g = Grid.covering(ev.x, ev.y, 250)
    scorer = _Scorer(g, ev, 200, EtasParams(refit_every=7))
    scorer(300.0)
    first = scorer.fit
    for day in range(301, 307):
        scorer(float(day))
        assert scorer.fit is first  # the same fit all week
    scorer(307.0)
    assert scorer.fit is not first and scorer.fit_day == 307.0
