"""Hot spots: daily forecasts of where crime will be, and how to tell a good one.

Four ways to rank the cells of a square grid for the next day, each from the events
before that day only:

* ``naive`` - the number of events in each cell over the training window (a crime map);
* ``kde`` - a Gaussian kernel density of those events, integrated over each cell (the
  events are binned on a grid ``subdivisions`` times finer, smoothed, and summed back);
* ``prospective`` - prospective hot-spotting (Bowers, Johnson & Pease 2004, "Prospective
  hot-spotting: the future of crime mapping?", *Brit. J. Criminology* 44:641-658): each
  event of the last ``window_days`` days adds ``1 / (1 + weeks ago) x 1 / (1 + distance
  in cells)`` to every cell whose centre lies within ``bandwidth`` metres of the event's
  cell centre;
* ``etas`` - a self-exciting point process on the grid (Mohler et al. 2011, "Self-exciting
  point process modeling of crime", *JASA* 106:100-108; Mohler et al. 2015, "Randomized
  controlled field trials of predictive policing", *JASA* 110:1399-1411): in cell ``n``
  the rate is ``mu_n + sum over earlier events i in n of theta omega exp(-omega (t - t_i))``,
  fitted by expectation-maximisation (:func:`fit_etas`); the forecast is the expected
  number of events in the cell over the next day.

:func:`evaluate` forecasts every day of a test period (rolling: day ``d`` is forecast
from the ``train_days`` days before it) and scores the ``k`` best cells at each coverage
(1%, 5% and 10% of the area) against that day's events:

* hit rate = events in the chosen cells / all events;
* PAI (predictive accuracy index, Chainey et al. 2008) = hit rate / share of the area;
* PEI (predictive efficiency index, Hunt 2016) = events in the chosen cells / the most
  events that ``k`` cells could have held that day (the cells that did have the most).

The three are pooled over the test days (sums of events, not a mean of daily ratios,
which days with one or two events would dominate). The *area* is the cells with at
least one event before the test period (all the history in the data): the grid's
bounding box would count lakes, parks and airports and inflate every PAI. Events in
other cells count as misses. Ties in a ranking are broken by cell number (row by row
from the south-west), so every result is reproducible.

Coordinates are metres in a projected system; times are days (see
:mod:`jingwu.engine.spacetime`). A day is a calendar day of the local clock.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
from scipy import ndimage

from jingwu.engine.spacetime import Events, day_date

MethodName = Literal["naive", "kde", "prospective", "etas"]
METHODS: tuple[str, ...] = ("naive", "kde", "prospective", "etas")
DEFAULT_COVERAGES: tuple[float, ...] = (0.01, 0.05, 0.10)
# A grid larger than this is refused: the data or their coordinate system are wrong.
MAX_CELLS = 4_000_000


# --------------------------------------------------------------------------- the grid


@dataclass(frozen=True)
class Grid:
    """A grid of ``nx`` x ``ny`` square cells of ``cell`` metres, south-west corner
    ``(x0, y0)``. Cells are numbered row by row from the south-west: ``iy * nx + ix``."""

    x0: float
    y0: float
    cell: float
    nx: int
    ny: int

    def __post_init__(self) -> None:
        if not (math.isfinite(self.cell) and self.cell > 0):
            raise ValueError(f"the cell size must be a positive number of metres, got {self.cell!r}")
        if self.nx < 1 or self.ny < 1:
            raise ValueError("a grid needs at least one cell")
        if self.nx * self.ny > MAX_CELLS:
            raise ValueError(
                f"the data span {self.nx * self.cell / 1000:,.0f} km x {self.ny * self.cell / 1000:,.0f} km, "
                f"{self.nx * self.ny:,} cells of {self.cell:g} m (at most {MAX_CELLS:,}): check the "
                "coordinates and their coordinate system"
            )

    @classmethod
    def covering(
        cls, x: np.ndarray, y: np.ndarray, cell: float, offset: tuple[float, float] = (0.0, 0.0)
    ) -> Grid:
        """The smallest grid with lines at ``offset + k * cell`` that holds every point."""
        if not (math.isfinite(cell) and cell > 0):
            raise ValueError(f"the cell size must be a positive number of metres, got {cell!r}")
        if len(x) == 0:
            raise ValueError("no events to lay a grid over")
        ox, oy = (float(v) % cell for v in offset)
        x0 = math.floor((float(np.min(x)) - ox) / cell) * cell + ox
        y0 = math.floor((float(np.min(y)) - oy) / cell) * cell + oy
        nx = int(math.floor((float(np.max(x)) - x0) / cell)) + 1
        ny = int(math.floor((float(np.max(y)) - y0) / cell)) + 1
        return cls(x0=x0, y0=y0, cell=float(cell), nx=nx, ny=ny)

    @property
    def n_cells(self) -> int:
        return self.nx * self.ny

    @property
    def cell_km2(self) -> float:
        return (self.cell / 1000.0) ** 2

    def cells(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Cell number of each point, -1 outside the grid."""
        ix = np.floor((np.asarray(x, dtype=np.float64) - self.x0) / self.cell).astype(np.int64)
        iy = np.floor((np.asarray(y, dtype=np.float64) - self.y0) / self.cell).astype(np.int64)
        inside = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        return np.where(inside, iy * self.nx + ix, -1)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """x and y of every cell's centre, by cell number."""
        ix = np.tile(np.arange(self.nx), self.ny)
        iy = np.repeat(np.arange(self.ny), self.nx)
        return self.x0 + (ix + 0.5) * self.cell, self.y0 + (iy + 0.5) * self.cell


# --------------------------------------------------------------------------- methods


def _window(value: float | None, name: str) -> None:
    if value is not None and not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number of days, got {value!r}")


@dataclass(frozen=True)
class NaiveParams:
    """Counts over the last ``window_days`` (None: the whole training window)."""

    window_days: float | None = None
    name: str = field(default="naive", init=False)

    def __post_init__(self) -> None:
        _window(self.window_days, "the window")


@dataclass(frozen=True)
class KdeParams:
    """Gaussian kernel density, standard deviation ``bandwidth`` metres, over the last
    ``window_days`` (None: the whole training window). The default 100 m was chosen on
    the real data sets' validation periods, before their test periods
    (docs/engine-analytics.md)."""

    bandwidth: float = 100.0
    window_days: float | None = None
    subdivisions: int = 5
    name: str = field(default="kde", init=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.bandwidth) and self.bandwidth > 0):
            raise ValueError(f"the bandwidth must be a positive number of metres, got {self.bandwidth!r}")
        if not (1 <= self.subdivisions <= 20):
            raise ValueError(f"subdivisions must be between 1 and 20, got {self.subdivisions!r}")
        _window(self.window_days, "the window")


@dataclass(frozen=True)
class ProspectiveParams:
    """Bowers et al. (2004): the last ``window_days`` (two months), weights
    ``1/(1 + weeks)`` and ``1/(1 + cells away)`` up to ``bandwidth`` metres (400 m)."""

    bandwidth: float = 400.0
    window_days: float = 60.0
    week_days: float = 7.0
    name: str = field(default="prospective", init=False)

    def __post_init__(self) -> None:
        if not (math.isfinite(self.bandwidth) and self.bandwidth >= 0):
            raise ValueError(f"the bandwidth must be a number of metres >= 0, got {self.bandwidth!r}")
        _window(self.window_days, "the window")
        _window(self.week_days, "the week")


@dataclass(frozen=True)
class EtasParams:
    """Grid ETAS fitted by EM over the last ``window_days`` (None: the training window),
    refitted every ``refit_every`` days (the forecast itself uses every event up to the
    day), starting from ``theta0`` and ``omega0`` (per day), then from the previous fit.

    With ``daily`` (the default) times are whole days, as in Mohler et al. (2015): events
    of the same day do not trigger each other. Records of one incident entered minutes
    apart would otherwise dominate the fit (a trigger that dies out within hours), and
    they cannot help to forecast the next day anyway."""

    window_days: float | None = None
    daily: bool = True
    max_iterations: int = 500
    tolerance: float = 1e-6
    refit_every: int = 1
    theta0: float = 0.5
    omega0: float = 0.1
    name: str = field(default="etas", init=False)

    def __post_init__(self) -> None:
        _window(self.window_days, "the window")
        if self.max_iterations < 1:
            raise ValueError("max_iterations must be at least 1")
        if not (self.tolerance > 0):
            raise ValueError("the tolerance must be > 0")
        if self.refit_every < 1:
            raise ValueError("refit_every must be at least 1 day")
        if not (0 < self.theta0 < 1) or not (self.omega0 > 0):
            raise ValueError("theta0 must be in (0, 1) and omega0 > 0")


MethodParams = NaiveParams | KdeParams | ProspectiveParams | EtasParams


def method_params(name: str) -> MethodParams:
    """The default settings of a method by name."""
    defaults: dict[str, Callable[[], MethodParams]] = {
        "naive": NaiveParams,
        "kde": KdeParams,
        "prospective": ProspectiveParams,
        "etas": EtasParams,
    }
    if name not in defaults:
        raise ValueError(f"unknown method {name!r}; choose one of {', '.join(METHODS)}")
    return defaults[name]()


# --------------------------------------------------------------------------- ETAS by EM


@dataclass(frozen=True, eq=False)
class EtasFit:
    """A grid ETAS model: background rate ``mu`` per cell (events per day), ``theta`` the
    mean number of events each event triggers in its cell, ``omega`` the decay rate per day
    (mean delay ``1 / omega`` days)."""

    mu: np.ndarray
    theta: float
    omega: float
    iterations: int
    converged: bool
    log_likelihood: float


def _same_cell_pairs(cells: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (earlier, later) pair of events in the same cell, strictly earlier; the
    events must be sorted by (cell, time). Returns parent, child and delay."""
    n = len(cells)
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0)
    first = np.searchsorted(cells, cells, side="left")
    before = np.arange(n) - first  # events before this one in its cell
    total = int(before.sum())
    child = np.repeat(np.arange(n), before)
    starts = np.cumsum(before) - before
    parent = child - 1 - (np.arange(total) - np.repeat(starts, before))
    delay = t[child] - t[parent]
    keep = delay > 0
    return parent[keep], child[keep], delay[keep]


def fit_etas(
    cells: np.ndarray,
    t: np.ndarray,
    start: float,
    end: float,
    n_cells: int,
    *,
    max_iterations: int = 500,
    tolerance: float = 1e-6,
    init: EtasFit | None = None,
    theta0: float = 0.5,
    omega0: float = 0.1,
) -> EtasFit:
    """Fit a grid ETAS model to the events with ``start <= t < end`` (``cells`` their cell
    numbers) by expectation-maximisation (Mohler et al. 2015, Veen & Schoenberg 2008).

    E-step: each event's probability of being a background event, ``mu / lambda``, and of
    being triggered by each earlier event in its cell, ``theta omega exp(-omega dt) /
    lambda``. M-step: ``omega`` = triggered mass / its total delay, ``theta`` = triggered
    mass / the offspring the window could see (``sum 1 - exp(-omega (end - t_i))``), ``mu``
    = each cell's background mass / the window's length. Stops when an iteration raises
    the log-likelihood by less than ``tolerance`` per event (EM never lowers it).
    """
    cells = np.asarray(cells, dtype=np.int64)
    t = np.asarray(t, dtype=np.float64)
    length = float(end - start)
    if not length > 0:
        raise ValueError("the fitting window must have a positive length")
    inside = (t >= start) & (t < end)
    cells, t = cells[inside], t[inside]
    if len(t) == 0:
        raise ValueError("no events in the fitting window")
    order = np.lexsort((t, cells))
    cells, t = cells[order], t[order]
    parent, child, delay = _same_cell_pairs(cells, t)
    counts = np.bincount(cells, minlength=n_cells).astype(np.float64)
    horizon = end - t

    if init is not None:
        # From the previous fit, but not from theta ~ 0: EM cannot leave theta = 0.
        theta, omega = max(init.theta, 0.01), init.omega
        mu = np.where(counts > 0, np.maximum(init.mu, counts * 1e-3 / length), 0.0)
    else:
        theta, omega = theta0, omega0
        mu = counts * (1.0 - theta) / length
    if len(parent) == 0:
        theta = 0.0
    n = len(t)
    loglik = -math.inf
    converged = False
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 (reported)
        trig = theta * omega * np.exp(-omega * delay)
        lam = mu[cells] + np.bincount(child, weights=trig, minlength=n)
        previous = loglik
        loglik = float(np.log(lam).sum() - mu.sum() * length - theta * (1.0 - np.exp(-omega * horizon)).sum())
        if loglik - previous < tolerance * n:
            converged = True
            break
        p_trig = trig / lam[child]
        p_back = mu[cells] / lam
        mass = float(p_trig.sum())
        mu = np.bincount(cells, weights=p_back, minlength=n_cells) / length
        if mass > 1e-12 and len(parent):
            omega = mass / float((p_trig * delay).sum())
            theta = min(mass / float((1.0 - np.exp(-omega * horizon)).sum()), 0.999)
        else:
            theta = 0.0
    mu.setflags(write=False)
    return EtasFit(
        mu=mu, theta=theta, omega=omega, iterations=iterations, converged=converged, log_likelihood=loglik
    )


def etas_day_scores(fit: EtasFit, cells: np.ndarray, t: np.ndarray, day: float) -> np.ndarray:
    """Expected events in each cell over ``[day, day + 1)`` given the events before ``day``."""
    before = t < day
    decay = np.exp(-fit.omega * (day - t[before]))
    boost = np.bincount(cells[before], weights=decay, minlength=len(fit.mu))
    return fit.mu + fit.theta * (1.0 - math.exp(-fit.omega)) * boost


# --------------------------------------------------------------------------- scorers


class _Scorer:
    """Scores of every cell for a day, from the events before it. Holds the events' cells
    (sorted by time) and whatever a method may reuse from one day to the next."""

    def __init__(self, grid: Grid, events: Events, train_days: float, params: MethodParams) -> None:
        order = np.argsort(events.t, kind="stable")
        self.t = events.t[order]
        self.x = events.x[order]
        self.y = events.y[order]
        self.cells = grid.cells(self.x, self.y)
        self.t_fit = np.floor(self.t) if isinstance(params, EtasParams) and params.daily else self.t
        self.grid = grid
        self.train_days = float(train_days)
        self.params = params
        self.fit: EtasFit | None = None  # the last ETAS fit
        self.fit_day: float | None = None
        if isinstance(params, KdeParams):
            f = params.subdivisions
            sub = Grid(grid.x0, grid.y0, grid.cell / f, grid.nx * f, grid.ny * f)
            self._sub = sub
            self._sub_cells = sub.cells(self.x, self.y)
        if isinstance(params, ProspectiveParams):
            reach = int(math.floor(params.bandwidth / grid.cell + 1e-9))
            d = np.hypot(*np.meshgrid(np.arange(-reach, reach + 1), np.arange(-reach, reach + 1)))
            self._kernel = np.where(d * grid.cell <= params.bandwidth + 1e-9, 1.0 / (1.0 + d), 0.0)

    def _span(self, day: float, window: float | None) -> slice:
        w = self.train_days if window is None else min(window, self.train_days)
        lo = int(np.searchsorted(self.t, day - w, side="left"))
        hi = int(np.searchsorted(self.t, day, side="left"))
        return slice(lo, hi)

    def __call__(self, day: float) -> np.ndarray:
        p = self.params
        g = self.grid
        if isinstance(p, NaiveParams):
            s = self._span(day, p.window_days)
            return np.bincount(self.cells[s], minlength=g.n_cells).astype(np.float64)
        if isinstance(p, KdeParams):
            s = self._span(day, p.window_days)
            f = p.subdivisions
            sub = self._sub
            hist = np.bincount(self._sub_cells[s], minlength=sub.n_cells).astype(np.float64)
            smooth = ndimage.gaussian_filter(
                hist.reshape(sub.ny, sub.nx), sigma=p.bandwidth / sub.cell, mode="constant", truncate=4.0
            )
            return smooth.reshape(g.ny, f, g.nx, f).sum(axis=(1, 3)).reshape(-1)
        if isinstance(p, ProspectiveParams):
            s = self._span(day, p.window_days)
            weeks = np.floor((day - self.t[s]) / p.week_days)
            hist = np.bincount(self.cells[s], weights=1.0 / (1.0 + weeks), minlength=g.n_cells)
            out = ndimage.convolve(hist.reshape(g.ny, g.nx), self._kernel, mode="constant", cval=0.0)
            return out.reshape(-1)
        if isinstance(p, EtasParams):
            s = self._span(day, p.window_days)
            w = self.train_days if p.window_days is None else min(p.window_days, self.train_days)
            if self.fit is None or self.fit_day is None or day - self.fit_day >= p.refit_every:
                self.fit = fit_etas(
                    self.cells[s],
                    self.t_fit[s],
                    day - w,
                    day,
                    g.n_cells,
                    max_iterations=p.max_iterations,
                    tolerance=p.tolerance,
                    init=self.fit,
                    theta0=p.theta0,
                    omega0=p.omega0,
                )
                self.fit_day = day
            return etas_day_scores(self.fit, self.cells[s], self.t_fit[s], day)
        raise TypeError(f"unknown method settings {p!r}")


def forecast(events: Events, grid: Grid, day: float, train_days: float, params: MethodParams) -> np.ndarray:
    """Scores of every cell of ``grid`` for ``[day, day + 1)`` from the events in
    ``[day - train_days, day)``: higher means more events expected. Length ``grid.n_cells``."""
    if not train_days > 0:
        raise ValueError("train_days must be > 0")
    return _Scorer(grid, events, train_days, params)(day)


# --------------------------------------------------------------------------- scoring


def top_cells(scores: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` highest-scoring positions, ties broken by position (lowest first)."""
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    return order[:k]


def capture(scores: np.ndarray, counts: np.ndarray, k: int) -> tuple[int, int]:
    """Events caught by the ``k`` best cells by ``scores``, and the most that any ``k``
    cells could have caught (the ``k`` cells with the most ``counts``)."""
    counts = np.asarray(counts)
    hits = int(counts[top_cells(scores, k)].sum())
    best = int(np.sort(counts)[::-1][:k].sum())
    return hits, best


@dataclass(frozen=True)
class CoverageScore:
    """Pooled over the test days, for the ``cells`` best cells (``area_share`` of the area)."""

    coverage: float
    cells: int
    area_share: float
    hits: int
    events: int
    best: int

    @property
    def hit_rate(self) -> float:
        return self.hits / self.events if self.events else math.nan

    @property
    def pai(self) -> float:
        return self.hit_rate / self.area_share if self.events else math.nan

    @property
    def pei(self) -> float:
        return self.hits / self.best if self.best else math.nan


@dataclass(frozen=True)
class EvaluationParams:
    """A rolling daily evaluation: every day from ``test_from`` to ``test_to`` (day
    numbers, both included) is forecast from the ``train_days`` days before it on a grid
    of ``cell`` metres whose lines are shifted by ``offset`` metres."""

    method: MethodParams
    test_from: int
    test_to: int
    cell: float = 250.0
    train_days: int = 365
    coverages: tuple[float, ...] = DEFAULT_COVERAGES
    offset: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        if not isinstance(self.method, NaiveParams | KdeParams | ProspectiveParams | EtasParams):
            raise ValueError(f"unknown method settings {self.method!r}")
        if not (math.isfinite(self.cell) and self.cell > 0):
            raise ValueError(f"the cell size must be a positive number of metres, got {self.cell!r}")
        if int(self.train_days) != self.train_days or self.train_days < 1:
            raise ValueError(f"the training window must be at least one day, got {self.train_days!r}")
        if self.test_to < self.test_from:
            raise ValueError("the test period ends before it starts")
        if not self.coverages or any(not (0 < c <= 1) for c in self.coverages):
            raise ValueError("coverages must be shares of the area in (0, 1]")
        if len(self.offset) != 2 or not all(math.isfinite(v) for v in self.offset):
            raise ValueError("the grid offset must be two numbers of metres")


@dataclass(frozen=True, eq=False)
class Evaluation:
    """The result of :func:`evaluate`: a :class:`CoverageScore` per coverage, and what it
    was measured on."""

    method: str
    params: EvaluationParams
    coverage: dict[float, CoverageScore]
    days: int
    events: int
    cells: int
    grid: Grid
    etas: EtasFit | None = None

    @property
    def area_km2(self) -> float:
        return self.cells * self.grid.cell_km2

    def as_dict(self) -> dict:
        """``{"method", "coverage": {"0.01": {"hit_rate", "pai", "pei"}, ...}}`` for JSON."""

        def num(v: float) -> float | None:
            return None if not math.isfinite(v) else round(v, 4)

        return {
            "method": self.method,
            "coverage": {
                f"{c:.2f}": {"hit_rate": num(s.hit_rate), "pai": num(s.pai), "pei": num(s.pei)}
                for c, s in self.coverage.items()
            },
        }


def check_periods(events: Events, params: EvaluationParams) -> None:
    """Refuse a test period the data cannot support, with a message saying why."""
    if len(events) == 0:
        raise ValueError("there are no events")
    first = math.floor(float(events.t.min()))
    last = math.floor(float(events.t.max()))
    span = f"the data cover {day_date(first)} to {day_date(last)}"
    if params.test_from > last or params.test_to < first:
        raise ValueError(
            f"the test period {day_date(params.test_from)} to {day_date(params.test_to)} is outside the data: {span}"
        )
    if params.test_to > last:
        raise ValueError(f"the test period ends on {day_date(params.test_to)}, after the data: {span}")
    train_start = params.test_from - params.train_days
    if train_start < first:
        raise ValueError(
            f"the {params.train_days}-day training window before {day_date(params.test_from)} starts on "
            f"{day_date(train_start)}, before the data: {span} (use fewer --train-days or a later start)"
        )
    days = np.floor(events.t)
    if not np.any((days >= train_start) & (days < params.test_from)):
        raise ValueError(
            f"no events in the training window {day_date(train_start)} to {day_date(params.test_from - 1)}"
        )
    if not np.any((days >= params.test_from) & (days <= params.test_to)):
        raise ValueError(
            f"no events in the test period {day_date(params.test_from)} to {day_date(params.test_to)}"
        )


def evaluate(
    events: Events,
    params: EvaluationParams,
    progress: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Forecast every test day and score the forecasts (see the module docstring)."""
    check_periods(events, params)
    grid = Grid.covering(events.x, events.y, params.cell, params.offset)
    cells = grid.cells(events.x, events.y)
    days = np.floor(events.t).astype(np.int64)

    active = np.zeros(grid.n_cells, dtype=bool)
    active[cells[days < params.test_from]] = True
    active_idx = np.flatnonzero(active)
    n_active = len(active_idx)
    position = np.full(grid.n_cells, -1, dtype=np.int64)
    position[active_idx] = np.arange(n_active)
    ks = [max(1, int(round(c * n_active))) for c in params.coverages]

    test = (days >= params.test_from) & (days <= params.test_to)
    test_days = days[test]
    test_pos = position[cells[test]]
    order = np.argsort(test_days, kind="stable")
    test_days, test_pos = test_days[order], test_pos[order]

    scorer = _Scorer(grid, events, params.train_days, params.method)
    hits = np.zeros(len(ks), dtype=np.int64)
    best = np.zeros(len(ks), dtype=np.int64)
    n_events = 0
    n_days = params.test_to - params.test_from + 1
    for n, day in enumerate(range(params.test_from, params.test_to + 1)):
        lo, hi = np.searchsorted(test_days, [day, day + 1])
        pos = test_pos[lo:hi]
        n_events += int(hi - lo)
        if hi > lo:
            counts = np.bincount(pos[pos >= 0], minlength=n_active)
            ranked = top_cells(scorer(float(day))[active_idx], max(ks))
            caught = np.cumsum(counts[ranked])
            ideal = np.cumsum(np.sort(counts)[::-1][: max(ks)])
            for m, k in enumerate(ks):
                hits[m] += caught[k - 1]
                best[m] += ideal[k - 1]
        elif isinstance(params.method, EtasParams):
            scorer(float(day))  # keep the refitting schedule independent of empty days
        if progress is not None:
            progress(n + 1, n_days)

    coverage = {
        c: CoverageScore(
            coverage=c,
            cells=k,
            area_share=k / n_active,
            hits=int(hits[m]),
            events=n_events,
            best=int(best[m]),
        )
        for m, (c, k) in enumerate(zip(params.coverages, ks, strict=True))
    }
    return Evaluation(
        method=params.method.name,
        params=params,
        coverage=coverage,
        days=n_days,
        events=n_events,
        cells=n_active,
        grid=grid,
        etas=scorer.fit,
    )


def offset_sensitivity(
    events: Events,
    params: EvaluationParams,
    offsets: Sequence[tuple[float, float]] | None = None,
) -> tuple[Evaluation, ...]:
    """:func:`evaluate` with the grid's lines shifted by each offset (metres); by default
    none, half a cell east, half a cell north, and both."""
    if offsets is None:
        h = params.cell / 2
        offsets = [(0.0, 0.0), (h, 0.0), (0.0, h), (h, h)]
    return tuple(evaluate(events, replace(params, offset=(float(ox), float(oy)))) for ox, oy in offsets)
