"""Larson's hypercube queueing model of patrol units answering calls from atoms.

A city is cut into ``J`` *atoms* (demand areas, e.g. grids), each a Poisson source of
calls at rate ``lambda_j``. ``N`` patrol units (servers) serve calls with exponential
service times of common rate ``mu``. Each atom has a fixed *preference list*: the order in
which the dispatcher tries units (usually nearest first); a call goes to the first free
unit on its atom's list. The state of the system is the set of busy units, a vertex of
the ``N``-dimensional unit hypercube - hence the name.

Two conventions for a call that finds every unit busy (Larson's *line capacity*):

* ``capacity="infinite"`` (Larson 1974's main model, used by default): the call waits in
  an unlimited FCFS queue and is served by whichever unit frees first. With identical
  service rates that unit is equally likely to be any of the ``N``, so queued calls are
  shared ``1/N`` per unit. For travel times a queued call is charged the mean over units
  of ``travel_times[j, n]`` (i.e. the unit is taken to leave from its own post; Larson
  instead uses the location of the call it just finished, which needs an atom-to-atom
  travel matrix).
* ``capacity="zero"``: the call is lost (handed to a backup system) - the loss model.

This module provides

* :func:`solve_exact` - the exact model (Larson 1974): the ``2^N`` balance equations
  solved with scipy sparse linear algebra, built fully vectorised (a 15-unit model,
  32,768 states, solves in about a tenth of a second);
* :func:`solve_approximate` - Larson's approximation (Larson 1975) that needs only ``N``
  unknowns, with the correction factors :func:`correction_factor` ``Q(N, rho, j)``;
* :func:`simulate` - a seeded discrete-event simulation of the same system, with batch
  means confidence intervals, to check either model;
* :func:`random_model` - synthetic instances for tests and benchmarks.

Sources: R. C. Larson, "A hypercube queuing model for facility location and
redistricting in urban emergency services", *Computers & Operations Research* 1(1):67-95,
1974; R. C. Larson, "Approximating the performance of urban emergency service systems",
*Operations Research* 23(5):845-868, 1975; Larson & Odoni, *Urban Operations Research*
(Prentice-Hall, 1981), sections 5.4-5.5, whose three-unit example the tests reproduce.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.special import gammaln, logsumexp
from scipy.stats import t as student_t

__all__ = [
    "MAX_EXACT_UNITS",
    "Capacity",
    "HypercubeModel",
    "HypercubePerformance",
    "SimulationResult",
    "correction_factor",
    "correction_factors",
    "random_model",
    "simulate",
    "solve_approximate",
    "solve_exact",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
Capacity = Literal["infinite", "zero"]

#: Largest number of units :func:`solve_exact` accepts (2^20 states, ~1 GB of work arrays).
MAX_EXACT_UNITS = 20


_A = TypeVar("_A", bound="np.ndarray[Any, Any]")


def _frozen(a: _A) -> _A:
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class HypercubeModel:
    """Input of the hypercube model.

    * ``arrival_rates[j]`` - calls per unit time from atom ``j`` (``>= 0``, some ``> 0``).
    * ``preferences[j]`` - the dispatch order for atom ``j``: a permutation of all unit
      indices ``0 .. N-1``, most preferred first.
    * ``service_rate`` - ``mu``, the reciprocal of the mean time a unit is busy on a call
      (travel plus on-scene), the same for all units as in Larson's basic model.
    * ``travel_times[j][n]`` - optional mean travel time from unit ``n`` to atom ``j``.
    * ``home_units[j]`` - the unit whose zone (district) atom ``j`` belongs to; defaults to
      the atom's first preference (Larson's *primary response area*). A dispatch of any
      other unit to ``j`` is an inter-district dispatch.
    * ``capacity`` - ``"infinite"`` (calls queue when all units are busy) or ``"zero"``
      (they are lost); see the module docstring.
    """

    arrival_rates: Sequence[float]
    preferences: Sequence[Sequence[int]]
    service_rate: float
    travel_times: Sequence[Sequence[float]] | None = None
    home_units: Sequence[int] | None = None
    capacity: Capacity = "infinite"

    def __post_init__(self) -> None:
        rates = tuple(float(x) for x in self.arrival_rates)
        if not rates:
            raise ValueError("arrival_rates must list at least one atom")
        for j, r in enumerate(rates):
            if not (math.isfinite(r) and r >= 0):
                raise ValueError(f"arrival_rates[{j}] must be finite and >= 0, got {r!r}")
        if math.fsum(rates) <= 0:
            raise ValueError("the total arrival rate must be > 0")
        object.__setattr__(self, "arrival_rates", rates)

        prefs = tuple(tuple(int(u) for u in row) for row in self.preferences)
        if len(prefs) != len(rates):
            raise ValueError(f"preferences has {len(prefs)} rows but there are {len(rates)} atoms")
        n = len(prefs[0])
        if n < 1:
            raise ValueError("preferences must list at least one unit")
        expected = tuple(range(n))
        for j, row in enumerate(prefs):
            if tuple(sorted(row)) != expected:
                raise ValueError(
                    f"preferences[{j}] must be a permutation of units 0..{n - 1}, got {list(row)}"
                )
        object.__setattr__(self, "preferences", prefs)

        if not (math.isfinite(self.service_rate) and self.service_rate > 0):
            raise ValueError(f"service_rate must be finite and > 0, got {self.service_rate!r}")
        if self.capacity not in ("infinite", "zero"):
            raise ValueError(f"capacity must be 'infinite' or 'zero', got {self.capacity!r}")
        if self.capacity == "infinite" and self.utilisation >= 1.0:
            raise ValueError(
                f"with an infinite queue the system needs lambda < N mu; utilisation is {self.utilisation:.4g}"
            )

        if self.travel_times is not None:
            tt = tuple(tuple(float(x) for x in row) for row in self.travel_times)
            if len(tt) != len(rates) or any(len(row) != n for row in tt):
                raise ValueError(f"travel_times must be {len(rates)} atoms x {n} units")
            if any(not (math.isfinite(x) and x >= 0) for row in tt for x in row):
                raise ValueError("travel_times must be finite and >= 0")
            object.__setattr__(self, "travel_times", tt)

        if self.home_units is None:
            object.__setattr__(self, "home_units", tuple(row[0] for row in prefs))
        else:
            home = tuple(int(u) for u in self.home_units)
            if len(home) != len(rates):
                raise ValueError(f"home_units has {len(home)} entries but there are {len(rates)} atoms")
            if any(not 0 <= u < n for u in home):
                raise ValueError(f"home_units must be unit indices in 0..{n - 1}")
            object.__setattr__(self, "home_units", home)

    @classmethod
    def from_travel_times(
        cls,
        arrival_rates: Sequence[float],
        travel_times: Sequence[Sequence[float]],
        service_rate: float,
        *,
        home_units: Sequence[int] | None = None,
        capacity: Capacity = "infinite",
    ) -> HypercubeModel:
        """Closest-unit dispatching: each atom's preference list sorts units by travel time
        (ties by unit index), and by default an atom's home unit is its nearest."""
        tt = np.asarray(travel_times, dtype=np.float64)
        prefs = np.argsort(tt, axis=1, kind="stable")
        return cls(
            arrival_rates=arrival_rates,
            preferences=prefs.tolist(),
            service_rate=service_rate,
            travel_times=tt.tolist(),
            home_units=home_units,
            capacity=capacity,
        )

    @property
    def n_units(self) -> int:
        return len(self.preferences[0])

    @property
    def n_atoms(self) -> int:
        return len(self.arrival_rates)

    @property
    def total_arrival_rate(self) -> float:
        return math.fsum(self.arrival_rates)

    @property
    def offered_load(self) -> float:
        """``a = lambda / mu`` in erlangs."""
        return self.total_arrival_rate / self.service_rate

    @property
    def utilisation(self) -> float:
        """``lambda / (N mu)``: the mean workload per unit under an infinite queue."""
        return self.offered_load / self.n_units


@dataclass(frozen=True, eq=False)
class HypercubePerformance:
    """Performance of a hypercube model (exact or approximate).

    * ``workloads[n]`` - fraction of time unit ``n`` is busy.
    * ``dispatch_fractions[n, j]`` - Larson's ``f_nj``: fraction of all dispatches (served
      calls) that send unit ``n`` to atom ``j``; the matrix sums to 1.
    * ``atom_dispatch[j, n]`` - probability that a call from atom ``j`` is served by unit
      ``n`` (each row sums to 1).
    * ``all_busy_probability`` - probability an arriving call finds every unit busy: it
      waits (``capacity="infinite"``, the Erlang C value) or is lost (``"zero"``, Erlang B).
    * ``mean_queue_wait`` - mean wait in queue over all calls (0 for the loss model).
    * ``interdistrict_fraction`` - share of dispatches that send a unit outside its zone;
      ``unit_interdistrict_fractions[n]`` the same share among unit ``n``'s dispatches.
    * travel times (``None`` without a travel matrix): overall, by atom and by unit.
    * ``state_probabilities`` - exact model only: probability of each busy set, indexed by
      bitmask (bit ``n`` set = unit ``n`` busy); under an infinite queue the all-busy entry
      includes every queue length.
    * ``iterations``, ``residual``, ``converged`` - solver diagnostics (``residual`` is the
      relative balance-equation residual for the exact model, the last change of the
      workloads for the approximation).
    """

    method: Literal["exact", "approximate"]
    workloads: FloatArray
    dispatch_fractions: FloatArray
    atom_dispatch: FloatArray
    all_busy_probability: float
    mean_queue_wait: float
    interdistrict_fraction: float
    unit_interdistrict_fractions: FloatArray
    mean_travel_time: float | None
    atom_mean_travel_times: FloatArray | None
    unit_mean_travel_times: FloatArray | None
    state_probabilities: FloatArray | None
    iterations: int
    residual: float
    converged: bool


# --------------------------------------------------------------------------------------
# shared pieces


def _arrays(model: HypercubeModel) -> tuple[FloatArray, IntArray]:
    lam = np.asarray(model.arrival_rates, dtype=np.float64)
    pref = np.asarray(model.preferences, dtype=np.int64).reshape(model.n_atoms, model.n_units)
    return lam, pref


def _weighted_counts(index: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """``out[i] = sum of weights where index == i`` (``np.bincount`` with weights)."""
    return np.asarray(np.bincount(index, weights=weights, minlength=size), dtype=np.float64)


def _prefix_masks(pref: IntArray) -> IntArray:
    """``masks[j, k]`` = bitmask of the units atom ``j`` prefers to its ``k``-th choice."""
    bits = np.left_shift(np.int64(1), pref)
    inclusive = np.bitwise_or.accumulate(bits, axis=1)
    masks = np.zeros_like(pref)
    masks[:, 1:] = inclusive[:, :-1]
    return masks


def _log_layer_probabilities(n: int, a: float, capacity: Capacity) -> FloatArray:
    """Log of P(k units busy), k = 0..N, for M/M/N (``"infinite"``, the last entry is
    P(all busy, any queue)) or M/M/N/N (``"zero"``)."""
    k = np.arange(n + 1, dtype=np.float64)
    logw = k * math.log(a) - gammaln(k + 1.0)
    if capacity == "infinite":
        rho = a / n
        logw[n] -= math.log1p(-rho)  # sum over queue lengths of a^N/N! rho^q
    return np.asarray(logw - logsumexp(logw), dtype=np.float64)


def correction_factors(n_units: int, rho: float, capacity: Capacity = "infinite") -> FloatArray:
    """``Q(N, rho, j)`` for ``j = 0 .. N-1``; see :func:`correction_factor`."""
    if isinstance(n_units, bool) or not isinstance(n_units, int) or n_units < 1:
        raise ValueError(f"n_units must be a positive int, got {n_units!r}")
    if not (math.isfinite(rho) and 0.0 < rho < 1.0):
        raise ValueError(f"rho must be in (0, 1), got {rho!r}")
    n = n_units
    if capacity == "infinite":
        a = n * rho
    elif capacity == "zero":
        a = _offered_load_for_carried(n, rho)
    else:
        raise ValueError(f"capacity must be 'infinite' or 'zero', got {capacity!r}")
    return _correction_factors_for_load(n, a, rho, capacity)


def _correction_factors_for_load(n: int, a: float, rho: float, capacity: Capacity) -> FloatArray:
    """``Q(N, rho, j)`` given the offered load ``a`` and mean workload ``rho``."""
    logp = _log_layer_probabilities(n, a, capacity)
    out = np.empty(n, dtype=np.float64)
    for j in range(n):
        k = np.arange(j, n, dtype=np.float64)
        # P(k busy) * C(N-j-1, k-j) / C(N, k)
        log_terms = (
            logp[j:n]
            + gammaln(n - j)
            - gammaln(k - j + 1.0)
            - gammaln(n - k)
            - (gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0))
        )
        out[j] = math.exp(float(logsumexp(log_terms)) - j * math.log(rho) - math.log1p(-rho))
    return out


def correction_factor(n_units: int, rho: float, j: int, capacity: Capacity = "infinite") -> float:
    """Larson's (1975) correction factor ``Q(N, rho, j)``.

    In an M/M/N system where each call tries units in random order, the probability that
    ``j`` given units are busy and a given other unit is free is
    ``Q(N, rho, j) rho^j (1 - rho)``: ``Q`` corrects the independence assumption for the
    positive correlation of unit states. For the infinite-line model (Larson 1975;
    Larson & Odoni 1981, eq. 5.48)::

        Q(N, rho, j) = sum_{k=j}^{N-1} [(N-j-1)! (N-k) / (k-j)!] [N^k rho^(k-j) / N!]
                       * P0 / (1 - rho)

    with ``P0`` the M/M/N probability of an empty system and ``rho = lambda / (N mu)``.
    It is computed here in the equivalent form
    ``sum_k P_k C(N-j-1, k-j) / C(N, k) / (rho^j (1 - rho))`` in log space. For the
    zero-line (loss) model the M/M/N/N probabilities ``P_k`` are used instead and ``rho``
    is the mean *carried* workload ``a (1 - B(N, a)) / N`` (Larson & Odoni, problem 5.10).
    ``Q(N, rho, 0) = 1``. Published values: ``Q(3, 0.5, 1) = 0.73684``,
    ``Q(3, 0.5, 2) = 0.63158``.
    """
    if isinstance(j, bool) or not isinstance(j, int) or not 0 <= j < n_units:
        raise ValueError(f"j must be an int in 0..{n_units - 1}, got {j!r}")
    return float(correction_factors(n_units, rho, capacity)[j])


def _erlang_b(n: int, a: float) -> float:
    b = 1.0
    for k in range(1, n + 1):
        b = a * b / (k + a * b)
    return b


def _offered_load_for_carried(n: int, rho: float) -> float:
    """The offered load ``a`` of an M/M/N/N system whose carried load per server is
    ``rho`` (``a (1 - B(N, a)) = N rho``; increasing in ``a``, solved by bisection)."""
    target = n * rho
    lo, hi = target, target
    while hi * (1.0 - _erlang_b(n, hi)) < target:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid * (1.0 - _erlang_b(n, mid)) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-15 * hi:
            break
    return 0.5 * (lo + hi)


def _all_busy_probability(model: HypercubeModel) -> float:
    """Erlang C (infinite line) or Erlang B (zero line) for the pooled system."""
    n, a = model.n_units, model.offered_load
    b = _erlang_b(n, a)
    if model.capacity == "zero":
        return b
    return n * b / (n - a * (1.0 - b))


def _performance(
    model: HypercubeModel,
    method: Literal["exact", "approximate"],
    workloads: FloatArray,
    rank_probabilities: FloatArray,
    all_busy: float,
    state_probabilities: FloatArray | None,
    iterations: int,
    residual: float,
    converged: bool,
) -> HypercubePerformance:
    """Assemble the measures from ``rank_probabilities[j, k]`` = P(a call from atom ``j``
    finds its choices ``0 .. k-1`` busy and choice ``k`` free; 0-based), which sum per
    atom to ``1 - all_busy``."""
    lam, pref = _arrays(model)
    n, n_atoms = model.n_units, model.n_atoms
    total = lam.sum()
    atom_dispatch = np.zeros((n_atoms, n), dtype=np.float64)
    rows = np.repeat(np.arange(n_atoms), n)
    np.add.at(atom_dispatch, (rows, pref.ravel()), rank_probabilities.ravel())
    if model.capacity == "infinite":
        atom_dispatch += all_busy / n
    else:
        atom_dispatch /= 1.0 - all_busy
    dispatch = (atom_dispatch * (lam / total)[:, None]).T.copy()

    home = np.asarray(model.home_units, dtype=np.int64)
    outside = np.ones((n, n_atoms), dtype=bool)
    outside[home, np.arange(n_atoms)] = False
    unit_totals = dispatch.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        unit_inter = np.where(unit_totals > 0, (dispatch * outside).sum(axis=1) / unit_totals, np.nan)

    mean_tt: float | None = None
    atom_tt: FloatArray | None = None
    unit_tt: FloatArray | None = None
    if model.travel_times is not None:
        tt = np.asarray(model.travel_times, dtype=np.float64)
        atom_tt = _frozen((atom_dispatch * tt).sum(axis=1))
        mean_tt = float((dispatch * tt.T).sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            unit_tt = _frozen(np.where(unit_totals > 0, (dispatch * tt.T).sum(axis=1) / unit_totals, np.nan))

    if model.capacity == "infinite":
        wait = all_busy / (n * model.service_rate - total)
    else:
        wait = 0.0
    return HypercubePerformance(
        method=method,
        workloads=_frozen(np.asarray(workloads, dtype=np.float64)),
        dispatch_fractions=_frozen(dispatch),
        atom_dispatch=_frozen(atom_dispatch),
        all_busy_probability=float(all_busy),
        mean_queue_wait=float(wait),
        interdistrict_fraction=float((dispatch * outside).sum()),
        unit_interdistrict_fractions=_frozen(unit_inter),
        mean_travel_time=mean_tt,
        atom_mean_travel_times=atom_tt,
        unit_mean_travel_times=unit_tt,
        state_probabilities=None if state_probabilities is None else _frozen(state_probabilities),
        iterations=iterations,
        residual=float(residual),
        converged=converged,
    )


# --------------------------------------------------------------------------------------
# exact model


def _upward_rates(n: int, lam: FloatArray, pref: IntArray) -> FloatArray:
    """``up[s, u]`` = rate at which state ``s`` moves to ``s | (1 << u)`` (for ``u`` free
    in ``s``; entries with ``u`` busy are not used).

    A call from atom ``j`` goes to its ``k``-th choice ``u`` exactly in the states that
    contain the prefix mask ``M_jk`` and not ``u``. So ``up[s, u]`` is the sum of
    ``lambda_j`` over the pairs with ``M_jk`` a subset of ``s`` (and ``u`` free in ``s``):
    a subset-sum (zeta) transform over the bits, ``O(N^2 2^N)`` and independent of ``J``.
    """
    size = 1 << n
    masks = _prefix_masks(pref)
    idx = (masks * n + pref).ravel()
    weights = np.repeat(lam, n)
    g = _weighted_counts(idx, weights, size * n).reshape(size, n)
    for b in range(n):
        view = g.reshape(size >> (b + 1), 2, 1 << b, n)
        view[:, 1] += view[:, 0]
    return g


def _superset_sums(p: FloatArray, n: int) -> FloatArray:
    """``h[M] = sum of p[s] over states s containing M`` (superset-sum transform)."""
    h = p.copy()
    size = 1 << n
    for b in range(n):
        view = h.reshape(size >> (b + 1), 2, 1 << b)
        view[:, 0] += view[:, 1]
    return h


def _popcount(states: IntArray, n: int) -> IntArray:
    pop = np.zeros_like(states)
    for b in range(n):
        pop += (states >> b) & 1
    return pop


def _inflow_matrix(n: int, up: FloatArray, mu: float) -> sp.csr_matrix:
    """Off-diagonal part of the transposed generator, ``inflow = M @ p``.

    Row ``s`` has exactly ``N`` entries, one per neighbour ``s ^ (1 << u)``: if ``u`` is
    busy in ``s`` the neighbour moved up into ``s`` at rate ``up[s ^ bit, u]``, else it
    moved down at rate ``mu``. Built directly in CSR form (no sorting of triplets).
    """
    size = 1 << n
    states = np.arange(size, dtype=np.int64)
    units = np.arange(n, dtype=np.int64)
    bits = np.left_shift(np.int64(1), units)
    neighbours = states[:, None] ^ bits[None, :]
    busy = (states[:, None] & bits[None, :]) != 0
    values = np.where(busy, up[neighbours, units[None, :]], mu)
    indptr = np.arange(0, size * n + 1, n, dtype=np.int64)
    return sp.csr_matrix((values.ravel(), neighbours.ravel(), indptr), shape=(size, size))


def _dot(x: FloatArray, y: FloatArray) -> float:
    # Elementwise product and sum rather than BLAS ddot: a threaded BLAS slows this loop
    # down many times over on a machine whose cores are busy with other work.
    return float(np.sum(x * y))


def _bicgstab(
    matvec: Callable[[FloatArray], FloatArray],
    precond: FloatArray,
    b: FloatArray,
    x0: FloatArray,
    rtol: float,
    maxiter: int,
) -> tuple[FloatArray, int]:
    """BiCGSTAB (van der Vorst 1992, "Bi-CGSTAB: a fast and smoothly converging variant of
    Bi-CG", SIAM J. Sci. Stat. Comput. 13(2)) with a diagonal right preconditioner, until
    ``||b - A x|| <= rtol ||b||``. Stops early on breakdown; the caller checks the residual.
    """
    x = x0.copy()
    r = b - matvec(x)
    r_hat = r.copy()
    b_norm = math.sqrt(_dot(b, b))
    if b_norm == 0.0:
        return np.zeros_like(b), 0
    target = rtol * b_norm
    p = np.zeros_like(b)
    v = np.zeros_like(b)
    rho_prev = alpha = omega = 1.0
    for i in range(1, maxiter + 1):
        rho = _dot(r_hat, r)
        if rho == 0.0 or omega == 0.0:
            return x, i - 1
        p = r + (rho / rho_prev) * (alpha / omega) * (p - omega * v)
        p_hat = precond * p
        v = matvec(p_hat)
        denom = _dot(r_hat, v)
        if denom == 0.0:
            return x, i
        alpha = rho / denom
        s = r - alpha * v
        if math.sqrt(_dot(s, s)) <= target:
            return x + alpha * p_hat, i
        s_hat = precond * s
        t = matvec(s_hat)
        tt = _dot(t, t)
        if tt == 0.0:
            return x + alpha * p_hat, i
        omega = _dot(t, s) / tt
        x = x + alpha * p_hat + omega * s_hat
        r = s - omega * t
        if math.sqrt(_dot(r, r)) <= target:
            return x, i
        rho_prev = rho
    return x, maxiter


def _stationary_loss_chain(
    n: int, up: FloatArray, mu: float, lam: float, tol: float, method: Literal["iterative", "direct"]
) -> tuple[FloatArray, int, float, bool]:
    """Stationary distribution of the hypercube with lost calls when all units are busy.

    The balance equations are ``M p = d * p`` with ``M`` the inflow matrix
    (:func:`_inflow_matrix`) and ``d`` the outflow rates (``lambda`` from every state but
    the all-busy one, plus ``mu`` per busy unit). One state's probability is known in
    closed form - the empty or the all-busy state, each alone in its layer, with the
    truncated-Poisson (Erlang loss) probability - so its equation is replaced by
    ``p[pin] = known``, which makes the system nonsingular. It is solved by BiCGSTAB with
    a Jacobi (diagonal) preconditioner (``method="iterative"``) or by sparse LU (``"direct"``, fine
    up to about 12 units). If BiCGSTAB falls short of ``tol`` the solution is polished by
    Jacobi sweeps with aggregation on the exactly known layer totals.
    """
    size = 1 << n
    states = np.arange(size, dtype=np.int64)
    pop = _popcount(states, n)
    inflow = _inflow_matrix(n, up, mu)
    out_rate = np.asarray(pop * mu + np.where(states == size - 1, 0.0, lam), dtype=np.float64)

    log_layers = _log_layer_probabilities(n, lam / mu, "zero")
    pin = 0 if log_layers[0] >= log_layers[n] else size - 1
    pin_value = math.exp(float(log_layers[0 if pin == 0 else n]))
    rhs = np.zeros(size)
    rhs[pin] = pin_value
    layer_p = np.exp(log_layers)
    counts = np.array([math.comb(n, k) for k in range(n + 1)], dtype=np.float64)
    guess = (layer_p / counts)[pop]

    def residual_of(p: FloatArray) -> float:
        return float(np.abs(inflow @ p - out_rate * p).sum() / (out_rate * p).sum())

    iterations = 0
    if method == "direct":
        a_mat = (inflow - sp.diags(out_rate)).tolil()
        a_mat[pin, :] = 0.0
        a_mat[pin, pin] = 1.0
        x = np.asarray(spla.spsolve(a_mat.tocsc(), rhs), dtype=np.float64)
        iterations = 1
    else:
        scale = -1.0 / out_rate
        scale[pin] = 1.0

        def matvec(x: FloatArray) -> FloatArray:
            y = np.asarray(inflow @ x, dtype=np.float64) - out_rate * x
            y[pin] = x[pin]
            return y

        x, iterations = _bicgstab(matvec, scale, rhs, guess, tol, 10 * size)
    pi = np.clip(np.asarray(x, dtype=np.float64), 0.0, None)
    pi /= pi.sum()
    res = residual_of(pi)
    if not (res <= 100 * tol):
        pi, extra, res = _jacobi_aggregation(pi, inflow, out_rate, pop, layer_p, tol, residual_of)
        iterations += extra
    return pi, iterations, res, res <= 100 * tol


def _jacobi_aggregation(
    pi: FloatArray,
    inflow: sp.csr_matrix,
    out_rate: FloatArray,
    pop: IntArray,
    layer_p: FloatArray,
    tol: float,
    residual_of: Callable[[FloatArray], float],
    max_sweeps: int = 20_000,
) -> tuple[FloatArray, int, float]:
    """Fallback: Jacobi sweeps, each followed by rescaling every layer (states with the
    same number of busy units) to its known Erlang-loss total (an aggregation step)."""
    sweeps = 0
    change = math.inf
    while sweeps < max_sweeps and change >= tol * 1e-2:
        new = np.asarray(inflow @ pi, dtype=np.float64) / out_rate
        sums = _weighted_counts(pop, new, layer_p.size)
        new *= (layer_p / sums)[pop]
        change = float(np.abs(new - pi).max())
        pi = new
        sweeps += 1
    return pi, sweeps, residual_of(pi)


def solve_exact(
    model: HypercubeModel, *, tol: float = 1e-12, method: Literal["iterative", "direct"] = "iterative"
) -> HypercubePerformance:
    """Solve Larson's (1974) hypercube model exactly.

    States are the ``2^N`` busy sets (bitmasks). From a state that is not all-busy, a call
    from atom ``j`` moves the system up by adding the first free unit on ``j``'s list;
    each busy unit completes at rate ``mu`` and moves it down. The stationary distribution
    of this loss chain is found by sparse linear algebra (see
    :func:`_stationary_loss_chain`). For ``capacity="infinite"`` the all-busy state grows
    a tail of queue states with geometric probabilities ``P(all busy, q waiting) =
    P(all busy, 0 waiting) rho^q``, which leaves the relative probabilities of the
    hypercube states unchanged, so the loss-chain solution is renormalised (Larson 1974).

    From the state probabilities: workloads ``rho_n = P(n busy)``; the chance a call from
    ``j`` goes to its ``k``-th choice is ``P(first k busy, k-th free) = h[M] - h[M + u]``
    with ``h`` the superset sums of the state probabilities; queued calls are shared
    equally by the units. Runs in about 0.1 s for 15 units (32,768 states).
    """
    n = model.n_units
    if n > MAX_EXACT_UNITS:
        raise ValueError(f"solve_exact handles at most {MAX_EXACT_UNITS} units; use solve_approximate")
    if not (0 < tol < 1):
        raise ValueError(f"tol must be in (0, 1), got {tol!r}")
    if method not in ("iterative", "direct"):
        raise ValueError(f"method must be 'iterative' or 'direct', got {method!r}")
    lam, pref = _arrays(model)
    mu = model.service_rate
    size = 1 << n
    up = _upward_rates(n, lam, pref)
    pi, iterations, residual, converged = _stationary_loss_chain(
        n, up, mu, model.total_arrival_rate, tol, method
    )
    if model.capacity == "infinite":
        rho = model.utilisation
        pi = pi / (1.0 + pi[size - 1] * rho / (1.0 - rho))
        pi[size - 1] /= 1.0 - rho  # all busy, any queue length
    all_busy = float(pi[size - 1])

    h = _superset_sums(pi, n)
    workloads = h[np.left_shift(np.int64(1), np.arange(n, dtype=np.int64))]
    masks = _prefix_masks(pref)
    rank_p = h[masks] - h[masks | np.left_shift(np.int64(1), pref)]
    return _performance(model, "exact", workloads, rank_p, all_busy, pi, iterations, residual, converged)


# --------------------------------------------------------------------------------------
# Larson's approximation


def solve_approximate(
    model: HypercubeModel, *, tol: float = 1e-10, max_iterations: int = 1000
) -> HypercubePerformance:
    """Larson's (1975) approximation: ``N`` unknown workloads instead of ``2^N`` states.

    The probability that a call from atom ``j`` finds its first ``k`` choices
    ``m_j1 .. m_jk`` busy and the next, ``n``, free is approximated by
    ``Q(N, rho, k) rho_{m_j1} ... rho_{m_jk} (1 - rho_n)`` (:func:`correction_factor`,
    ``rho`` the mean workload). Workloads then satisfy (Larson & Odoni 1981, eq. 5.50-5.53,
    with ``mu`` folded in)::

        rho_n = (1 - rho_n) V_n + D,   V_n = sum_{j,k: m_j,k+1 = n} (lambda_j / mu) Q(N, rho, k)
                                                   prod_{l<=k} rho_{m_jl}

    with ``D = lambda P_Q / (N mu)`` the share of queued calls (0 for the loss model).
    The iteration (Larson & Odoni, fig. 5.19) starts from ``rho_n = rho``, sets
    ``rho_n = (V_n + D) / (1 + V_n)`` and rescales so that ``sum rho_n`` equals the exact
    total ``lambda / mu`` (carried load ``a (1 - B)`` for the loss model), until no
    workload changes by more than ``tol``. Dispatch fractions use the same product
    form, rescaled per atom so every atom's calls are fully assigned.
    """
    if not (0 < tol < 1):
        raise ValueError(f"tol must be in (0, 1), got {tol!r}")
    if isinstance(max_iterations, bool) or not isinstance(max_iterations, int) or max_iterations < 1:
        raise ValueError(f"max_iterations must be a positive int, got {max_iterations!r}")
    lam, pref = _arrays(model)
    n, mu = model.n_units, model.service_rate
    all_busy = _all_busy_probability(model)
    if model.capacity == "infinite":
        busy_total = model.offered_load
        queued = model.total_arrival_rate * all_busy / (n * mu)
    else:
        busy_total = model.offered_load * (1.0 - all_busy)
        queued = 0.0
    rho = busy_total / n
    q = _correction_factors_for_load(n, model.offered_load, rho, model.capacity)
    coef = (lam / mu)[:, None] * q[None, :]  # J x N, by rank

    def busy_products(r: FloatArray) -> FloatArray:
        rr = r[pref]
        prod = np.ones_like(rr)
        prod[:, 1:] = np.cumprod(rr[:, :-1], axis=1)
        return prod

    r = np.full(n, rho)
    change = math.inf
    iterations = 0
    while iterations < max_iterations and not change < tol:
        v = _weighted_counts(pref.ravel(), (coef * busy_products(r)).ravel(), n)
        new = (v + queued) / (1.0 + v)
        new *= busy_total / new.sum()
        new = np.minimum(new, 1.0 - 1e-12)
        change = float(np.abs(new - r).max())
        r = new
        iterations += 1
    rank_p = q[None, :] * busy_products(r) * (1.0 - r[pref])
    rank_p *= ((1.0 - all_busy) / rank_p.sum(axis=1))[:, None]
    return _performance(model, "approximate", r, rank_p, all_busy, None, iterations, change, change < tol)


# --------------------------------------------------------------------------------------
# simulation


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Estimates from :func:`simulate`, each with the half-width of its confidence
    interval by batch means (Student t on ``batches - 1`` degrees of freedom).

    ``all_busy_probability`` is the share of arriving calls that found every unit busy;
    ``mean_queue_wait`` the mean wait of all calls (0 for the loss model).
    ``dispatch_fractions[n, j]`` is pooled over the whole run (no interval).
    """

    workloads: FloatArray
    workload_half_widths: FloatArray
    all_busy_probability: float
    all_busy_half_width: float
    mean_queue_wait: float
    mean_queue_wait_half_width: float
    interdistrict_fraction: float
    interdistrict_half_width: float
    mean_travel_time: float | None
    mean_travel_time_half_width: float | None
    dispatch_fractions: FloatArray
    calls: int
    batches: int
    horizon: float
    warmup: float
    confidence: float
    seed: int


class _Draws:
    """Buffered draws from one seeded generator (same seed, same sequence)."""

    def __init__(self, rng: np.random.Generator, cum: FloatArray, lam: float, mu: float) -> None:
        self._rng = rng
        self._cum = cum
        self._inv_lam = 1.0 / lam
        self._inv_mu = 1.0 / mu
        self._i = 0
        self._gaps: list[float] = []
        self._atoms: list[int] = []
        self._services: list[float] = []
        self._j = 0

    def _refill_calls(self) -> None:
        size = 8192
        self._gaps = (self._rng.exponential(self._inv_lam, size)).tolist()
        u = self._rng.random(size)
        self._atoms = np.minimum(np.searchsorted(self._cum, u, side="right"), self._cum.size - 1).tolist()
        self._i = 0

    def call(self) -> tuple[float, int]:
        if self._i >= len(self._gaps):
            self._refill_calls()
        gap, atom = self._gaps[self._i], self._atoms[self._i]
        self._i += 1
        return gap, atom

    def service(self) -> float:
        if self._j >= len(self._services):
            self._services = self._rng.exponential(self._inv_mu, 8192).tolist()
            self._j = 0
        s = self._services[self._j]
        self._j += 1
        return s


def simulate(
    model: HypercubeModel,
    *,
    horizon: float,
    seed: int,
    warmup: float | None = None,
    batches: int = 20,
    confidence: float = 0.95,
) -> SimulationResult:
    """Event-driven simulation of the hypercube system, for checking the models.

    Poisson calls (atom drawn in proportion to ``lambda_j``) go to the first free unit on
    the atom's list; when all are busy they join one FCFS queue (``"infinite"``), taken by
    the next unit to finish, or are lost (``"zero"``). Service times are exponential. The
    run covers ``warmup`` (default: 10 mean service times) then ``horizon`` time units,
    split into ``batches`` equal batches; each measure's estimate is the mean of its batch
    values and its interval ``mean +- t_{(1+confidence)/2, batches-1} s / sqrt(batches)``
    (batch means: Law, *Simulation Modeling and Analysis*, 5th ed., 2015, section 9.5.3).
    All randomness comes from ``numpy.random.default_rng(seed)``.
    """
    if not (math.isfinite(horizon) and horizon > 0):
        raise ValueError(f"horizon must be finite and > 0, got {horizon!r}")
    if warmup is None:
        warmup = 10.0 / model.service_rate
    if not (math.isfinite(warmup) and warmup >= 0):
        raise ValueError(f"warmup must be finite and >= 0, got {warmup!r}")
    if isinstance(batches, bool) or not isinstance(batches, int) or batches < 2:
        raise ValueError(f"batches must be an int >= 2, got {batches!r}")
    if not (0 < confidence < 1):
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")

    lam, pref_arr = _arrays(model)
    n, n_atoms = model.n_units, model.n_atoms
    prefs = [list(map(int, row)) for row in pref_arr]
    home = list(model.home_units or ())
    tt = model.travel_times
    infinite = model.capacity == "infinite"
    cum = np.cumsum(lam / lam.sum())
    draws = _Draws(np.random.default_rng(seed), cum, float(lam.sum()), model.service_rate)

    start, end = warmup, warmup + horizon
    width = horizon / batches
    busy_time = np.zeros((batches, n))
    arrivals = np.zeros(batches)
    found_busy = np.zeros(batches)
    wait_sum = np.zeros(batches)
    served = np.zeros(batches)
    inter = np.zeros(batches)
    travel_sum = np.zeros(batches)
    dispatch_counts = np.zeros((n, n_atoms))

    def batch_of(t: float) -> int:
        return min(int((t - start) / width), batches - 1)

    def add_busy(unit: int, t0: float, t1: float) -> None:
        t0, t1 = max(t0, start), min(t1, end)
        if t1 <= t0:
            return
        b0, b1 = batch_of(t0), batch_of(t1)
        if b0 == b1:
            busy_time[b0, unit] += t1 - t0
            return
        busy_time[b0, unit] += start + (b0 + 1) * width - t0
        busy_time[b0 + 1 : b1, unit] += width
        busy_time[b1, unit] += t1 - (start + b1 * width)

    busy = [False] * n
    busy_since = [0.0] * n
    busy_count = 0
    completions: list[tuple[float, int, int]] = []  # (time, sequence, unit)
    sequence = 0
    queue: deque[tuple[float, int]] = deque()
    gap, next_atom = draws.call()
    next_arrival = gap

    def dispatch(unit: int, atom: int, now: float, waited: float) -> None:
        nonlocal sequence
        heapq.heappush(completions, (now + draws.service(), sequence, unit))
        sequence += 1
        if now >= start:
            b = batch_of(now)
            served[b] += 1
            wait_sum[b] += waited
            dispatch_counts[unit, atom] += 1
            if unit != home[atom]:
                inter[b] += 1
            if tt is not None:
                travel_sum[b] += tt[atom][unit]

    while True:
        if completions and completions[0][0] <= next_arrival:
            now, _, unit = heapq.heappop(completions)
            if now > end:
                break
            if queue:
                arrived, atom = queue.popleft()
                dispatch(unit, atom, now, now - arrived)
            else:
                busy[unit] = False
                busy_count -= 1
                add_busy(unit, busy_since[unit], now)
        else:
            now = next_arrival
            if now > end:
                break
            atom = next_atom
            gap, next_atom = draws.call()
            next_arrival = now + gap
            counted = now >= start
            if counted:
                arrivals[batch_of(now)] += 1
            if busy_count == n:
                if counted:
                    found_busy[batch_of(now)] += 1
                if infinite:
                    queue.append((now, atom))
                continue
            for unit in prefs[atom]:
                if not busy[unit]:
                    busy[unit] = True
                    busy_count += 1
                    busy_since[unit] = now
                    dispatch(unit, atom, now, 0.0)
                    break
    for unit in range(n):
        if busy[unit]:
            add_busy(unit, busy_since[unit], end)

    tq = float(student_t.ppf(0.5 + confidence / 2.0, batches - 1))

    def mean_hw(values: FloatArray) -> tuple[float, float]:
        return float(values.mean()), tq * float(values.std(ddof=1)) / math.sqrt(batches)

    with np.errstate(invalid="ignore", divide="ignore"):
        work = busy_time / width
        work_mean = work.mean(axis=0)
        work_hw = tq * work.std(axis=0, ddof=1) / math.sqrt(batches)
        busy_frac = mean_hw(found_busy / arrivals)
        # mean wait per served call (queued calls are all eventually served)
        waits = mean_hw(wait_sum / served) if infinite else (0.0, 0.0)
        inter_frac = mean_hw(inter / served)
        travel = mean_hw(travel_sum / served) if tt is not None else None
    total_dispatches = dispatch_counts.sum()
    return SimulationResult(
        workloads=_frozen(work_mean),
        workload_half_widths=_frozen(work_hw),
        all_busy_probability=busy_frac[0],
        all_busy_half_width=busy_frac[1],
        mean_queue_wait=waits[0],
        mean_queue_wait_half_width=waits[1],
        interdistrict_fraction=inter_frac[0],
        interdistrict_half_width=inter_frac[1],
        mean_travel_time=None if travel is None else travel[0],
        mean_travel_time_half_width=None if travel is None else travel[1],
        dispatch_fractions=_frozen(dispatch_counts / max(total_dispatches, 1.0)),
        calls=int(arrivals.sum()),
        batches=batches,
        horizon=float(horizon),
        warmup=float(warmup),
        confidence=confidence,
        seed=seed,
    )


# --------------------------------------------------------------------------------------
# synthetic instances


def random_model(
    n_units: int,
    n_atoms: int,
    *,
    utilisation: float,
    seed: int,
    service_rate: float = 1.0,
    capacity: Capacity = "infinite",
) -> HypercubeModel:
    """A synthetic district: atoms scattered uniformly on the unit square with demand
    drawn uniformly in [0.5, 1.5] (then scaled so ``lambda / (N mu) = utilisation``), and
    each unit posted near a different atom chosen by farthest-point sampling, so units
    cover distinct districts. Travel time is straight-line distance (one time unit per
    side of the square); dispatch is closest-first, home unit = nearest.
    For tests and benchmarks; all randomness from ``numpy.random.default_rng(seed)``.
    """
    if isinstance(n_units, bool) or not isinstance(n_units, int) or n_units < 1:
        raise ValueError(f"n_units must be a positive int, got {n_units!r}")
    if isinstance(n_atoms, bool) or not isinstance(n_atoms, int) or n_atoms < n_units:
        raise ValueError(f"n_atoms must be an int >= n_units, got {n_atoms!r}")
    if not (0 < utilisation < 1 or (capacity == "zero" and utilisation > 0)):
        raise ValueError(f"utilisation must be in (0, 1), got {utilisation!r}")
    rng = np.random.default_rng(seed)
    atoms = rng.random((n_atoms, 2))
    chosen = [int(rng.integers(n_atoms))]
    dist = np.linalg.norm(atoms - atoms[chosen[0]], axis=1)
    for _ in range(n_units - 1):
        nxt = int(np.argmax(dist))
        chosen.append(nxt)
        dist = np.minimum(dist, np.linalg.norm(atoms - atoms[nxt], axis=1))
    posts = np.clip(atoms[chosen] + rng.normal(0.0, 0.02, (n_units, 2)), 0.0, 1.0)
    travel = np.linalg.norm(atoms[:, None, :] - posts[None, :, :], axis=2)
    lam = rng.uniform(0.5, 1.5, n_atoms)
    lam *= utilisation * n_units * service_rate / lam.sum()
    return HypercubeModel.from_travel_times(lam.tolist(), travel.tolist(), service_rate, capacity=capacity)
