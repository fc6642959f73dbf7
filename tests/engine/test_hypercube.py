"""Larson's hypercube model: exact solution, the 1975 approximation and the simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jingwu.engine.hypercube import (
    Capacity,
    HypercubeModel,
    correction_factor,
    correction_factors,
    random_model,
    simulate,
    solve_approximate,
    solve_exact,
)
from jingwu.engine.queueing import erlang_b, erlang_c

# Larson & Odoni, Urban Operations Research (1981), sections 5.4.3 and 5.5.3: three units,
# ten atoms, lambda = 1.5 and mu = 1. The text gives the structure (unit 1's area carries half
# the demand, unit 2's area is atoms 3, 5, 6 with lambda_5 = 0.15, the dispatch preferences)
# but not every atom's rate, and only rates pooled by preference list enter the model. The
# pooled rates below were FITTED: the only point of a 0.05 grid that reproduces the printed
# exact workloads. The exact workloads are therefore not an independent check; the printed
# approximation figures are (and QUIZ_2001 below is a published example with every input).
LARSON_ODONI_FITTED = HypercubeModel(
    arrival_rates=[0.50, 0.25, 0.35, 0.40],
    preferences=[[0, 1, 2], [0, 2, 1], [1, 0, 2], [2, 0, 1]],
    service_rate=1.0,
)
LARSON_ODONI_EXACT = (0.5574, 0.4734, 0.4693)
LARSON_ODONI_APPROX = (0.5627, 0.4716, 0.4657)


# A published example with every input printed: MIT course 1.203J Urban Operations Research,
# Quiz 2 (Fall 2001), Problem 1 (R. C. Larson), solutions compiled by J. S. Kang. Two units,
# one sector each, 1 call per hour from each sector, mean service time 30 min (mu = 2 per
# hour), each sector's own unit first, no queue (a call finding both busy is lost). The
# solution's mean distances: 2/3 mile from a unit to a call in its own sector, 4/3 to the
# other sector (constant speed, so distances stand in for travel times).
QUIZ_2001 = HypercubeModel(
    arrival_rates=[1.0, 1.0],
    preferences=[[0, 1], [1, 0]],
    service_rate=2.0,
    travel_times=[[2 / 3, 4 / 3], [4 / 3, 2 / 3]],
    capacity="zero",
)


def test_exact_reproduces_a_published_two_unit_loss_example() -> None:
    """Printed: P00 = 2/5, P01 = P10 = 1/5, P11 = 1/5; workloads 2/5; f11 = f22 = 3/8,
    f12 = f21 = 1/8; mean travel distance to a served call 5/6 mile."""
    r = solve_exact(QUIZ_2001)
    p = r.state_probabilities
    assert p is not None
    assert p.tolist() == pytest.approx([2 / 5, 1 / 5, 1 / 5, 1 / 5])
    assert r.workloads.tolist() == pytest.approx([2 / 5, 2 / 5])
    assert r.all_busy_probability == pytest.approx(1 / 5)  # the calls lost
    # f[n, j]: share of served calls sending unit n to sector j
    assert r.dispatch_fractions.ravel().tolist() == pytest.approx([3 / 8, 1 / 8, 1 / 8, 3 / 8])
    assert r.interdistrict_fraction == pytest.approx(1 / 4)
    assert r.mean_travel_time == pytest.approx(5 / 6)


def _reference_chain(model: HypercubeModel, max_queue: int = 400) -> np.ndarray:
    """State probabilities from a dense generator written straight from the model's
    definition (a loop over states; the queue truncated at ``max_queue``)."""
    n = model.n_units
    size = 1 << n
    full = size - 1
    extra = max_queue if model.capacity == "infinite" else 0
    total = size + extra  # states size.. are "all busy with q waiting", q = 1..extra
    gen = np.zeros((total, total))
    lam = model.arrival_rates
    mu = model.service_rate
    for s in range(size):
        for j, prefs in enumerate(model.preferences):
            for u in prefs:
                if not s & (1 << u):
                    gen[s, s | (1 << u)] += lam[j]
                    break
            else:
                if extra:
                    gen[s, size] += lam[j]
        for u in range(n):
            if s & (1 << u):
                gen[s, s ^ (1 << u)] += mu
    for q in range(1, extra + 1):
        idx = size + q - 1
        down = full if q == 1 else idx - 1
        gen[idx, down] += n * mu
        if q < extra:
            gen[idx, idx + 1] += sum(lam)
    np.fill_diagonal(gen, -gen.sum(axis=1))
    a = np.vstack([gen.T, np.ones(total)])
    b = np.zeros(total + 1)
    b[-1] = 1.0
    p = np.linalg.lstsq(a, b, rcond=None)[0]
    out = p[:size].copy()
    out[full] += p[size:].sum()
    return out


# --- correction factors -------------------------------------------------------------------


def test_correction_factors_published() -> None:
    # Larson (1975); Larson & Odoni (1981) section 5.5.3
    assert round(correction_factor(3, 0.5, 1), 5) == 0.73684
    assert round(correction_factor(3, 0.5, 2), 5) == 0.63158
    assert correction_factor(3, 0.5, 0) == pytest.approx(1.0, abs=1e-12)


def _larson_closed_form(n: int, rho: float, j: int) -> float:
    a = n * rho
    p0 = 1 / (sum(a**k / math.factorial(k) for k in range(n)) + a**n / math.factorial(n) / (1 - rho))
    total = sum(
        math.factorial(n - j - 1)
        * (n - k)
        / math.factorial(k - j)
        * n**k
        * rho ** (k - j)
        / math.factorial(n)
        for k in range(j, n)
    )
    return float(total * p0 / (1 - rho))


@pytest.mark.parametrize("n", [1, 2, 5, 9, 16])
@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9])
def test_correction_factors_match_larsons_closed_form(n: int, rho: float) -> None:
    got = correction_factors(n, rho)
    expected = [_larson_closed_form(n, rho, j) for j in range(n)]
    assert got == pytest.approx(expected, rel=1e-10)
    assert got[0] == pytest.approx(1.0)
    assert correction_factors(n, rho, "zero")[0] == pytest.approx(1.0)


def test_correction_factors_for_many_units() -> None:
    q = correction_factors(200, 0.7)
    assert np.all(np.isfinite(q))
    assert q[0] == pytest.approx(1.0)


# --- the exact model ----------------------------------------------------------------------


def test_exact_reproduces_larson_odoni_workloads_with_fitted_rates() -> None:
    """The printed exact workloads, from arrival rates fitted to them (see LARSON_ODONI_FITTED)."""
    result = solve_exact(LARSON_ODONI_FITTED)
    assert tuple(round(float(w), 4) for w in result.workloads) == LARSON_ODONI_EXACT
    assert result.converged
    assert result.all_busy_probability == pytest.approx(erlang_c(3, 1.5))


@pytest.mark.parametrize("capacity", ["infinite", "zero"])
@pytest.mark.parametrize(("n", "seed"), [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4)])
def test_exact_matches_a_reference_chain(n: int, seed: int, capacity: Capacity) -> None:
    model = random_model(n, 3 * n + 1, utilisation=0.65, seed=seed, capacity=capacity)
    expected = _reference_chain(model)
    got = solve_exact(model)
    assert got.state_probabilities is not None
    assert got.state_probabilities == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("capacity", ["infinite", "zero"])
def test_iterative_and_direct_solvers_agree(capacity: Capacity) -> None:
    model = random_model(9, 40, utilisation=0.8, seed=7, capacity=capacity)
    iterative = solve_exact(model)
    direct = solve_exact(model, method="direct")
    assert iterative.state_probabilities is not None and direct.state_probabilities is not None
    assert iterative.state_probabilities == pytest.approx(direct.state_probabilities, abs=1e-11)
    assert iterative.residual < 1e-10


def test_jacobi_fallback_converges_to_the_same_solution() -> None:
    # The fallback used when BiCGSTAB falls short: Jacobi sweeps with layer aggregation.
    from jingwu.engine import hypercube as hc

    model = random_model(6, 20, utilisation=0.9, seed=4, capacity="zero")
    lam, pref = hc._arrays(model)
    up = hc._upward_rates(6, lam, pref)
    inflow = hc._inflow_matrix(6, up, 1.0)
    states = np.arange(64, dtype=np.int64)
    pop = hc._popcount(states, 6)
    out_rate = np.asarray(pop + np.where(states == 63, 0.0, lam.sum()), dtype=np.float64)
    layers = np.exp(hc._log_layer_probabilities(6, model.offered_load, "zero"))
    start = np.full(64, 1 / 64)
    pi, sweeps, residual = hc._jacobi_aggregation(
        start, inflow, out_rate, pop, layers, 1e-12, lambda p: float(np.abs(inflow @ p - out_rate * p).sum())
    )
    exact = solve_exact(model).state_probabilities
    assert exact is not None
    assert 1 < sweeps < 20_000
    assert residual < 1e-10
    assert pi == pytest.approx(exact, abs=1e-10)


@pytest.mark.parametrize("capacity", ["infinite", "zero"])
def test_exact_solution_pools_to_erlang(capacity: Capacity) -> None:
    # With one service rate the number of busy units is a birth-death process: M/M/N or
    # M/M/N/N. The hypercube solution must reproduce its distribution and Erlang C / B.
    model = random_model(15, 60, utilisation=0.7, seed=11, capacity=capacity)
    result = solve_exact(model)
    n, a = 15, model.offered_load
    p = result.state_probabilities
    assert p is not None and p.size == 2**15
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    busy = np.array([bin(s).count("1") for s in range(2**15)])
    layers = np.bincount(busy, weights=p)
    weights = np.array([a**k / math.factorial(k) for k in range(n + 1)])
    if capacity == "infinite":
        weights[n] /= 1 - a / n
        assert result.all_busy_probability == pytest.approx(erlang_c(n, a), rel=1e-9)
        assert result.workloads.sum() == pytest.approx(a, rel=1e-9)
        assert result.mean_queue_wait == pytest.approx(erlang_c(n, a) / (n - a), rel=1e-9)
    else:
        assert result.all_busy_probability == pytest.approx(erlang_b(n, a), rel=1e-9)
        assert result.workloads.sum() == pytest.approx(a * (1 - erlang_b(n, a)), rel=1e-9)
        assert result.mean_queue_wait == 0.0
    assert layers == pytest.approx(weights / weights.sum(), rel=1e-8, abs=1e-14)


@pytest.mark.parametrize("capacity", ["infinite", "zero"])
def test_dispatch_fractions_are_consistent(capacity: Capacity) -> None:
    model = random_model(6, 25, utilisation=0.6, seed=5, capacity=capacity)
    result = solve_exact(model)
    f = result.dispatch_fractions
    assert f.shape == (6, 25)
    assert f.sum() == pytest.approx(1.0)
    assert result.atom_dispatch.sum(axis=1) == pytest.approx(np.ones(25))
    lam = np.asarray(model.arrival_rates)
    assert f.sum(axis=0) == pytest.approx(lam / lam.sum())
    # flow balance: a unit is busy (rate of its dispatches) x (mean service time)
    served = lam.sum() * (1 - result.all_busy_probability) if capacity == "zero" else lam.sum()
    assert result.workloads == pytest.approx(f.sum(axis=1) * served / model.service_rate, rel=1e-9)
    # inter-district dispatches: everything not sent to the atom's home unit
    home = np.asarray(model.home_units)
    own = f[home, np.arange(25)].sum()
    assert result.interdistrict_fraction == pytest.approx(1 - own)
    tt = np.asarray(model.travel_times)
    assert result.mean_travel_time == pytest.approx(float((f * tt.T).sum()))
    assert result.atom_mean_travel_times is not None
    assert result.atom_mean_travel_times == pytest.approx((result.atom_dispatch * tt).sum(axis=1))


def test_first_choice_dispatch_equals_the_units_availability() -> None:
    # A call from an atom goes to its first choice exactly when that unit is free.
    result = solve_exact(LARSON_ODONI_FITTED)
    for j, prefs in enumerate(LARSON_ODONI_FITTED.preferences):
        first = prefs[0]
        assert result.atom_dispatch[j, first] == pytest.approx(
            1 - result.workloads[first] + result.all_busy_probability / 3
        )


def test_symmetric_system_has_equal_workloads() -> None:
    n = 5
    prefs = [[(j + k) % n for k in range(n)] for j in range(n)]
    model = HypercubeModel([0.6] * n, prefs, 1.0)
    exact = solve_exact(model)
    approx = solve_approximate(model)
    assert exact.workloads == pytest.approx(np.full(n, 0.6))
    assert approx.workloads == pytest.approx(np.full(n, 0.6))


def test_homogeneous_system_interdistrict_share() -> None:
    # Two units, each atom's home unit first: a call is inter-district exactly when the
    # home unit is busy and the other free, plus half of the queued calls.
    model = HypercubeModel([0.4, 0.4], [[0, 1], [1, 0]], 1.0)
    result = solve_exact(model)
    p = result.state_probabilities
    assert p is not None
    expected = 0.5 * (p[0b01] + p[0b10]) + result.all_busy_probability / 2
    assert result.interdistrict_fraction == pytest.approx(expected)
    assert result.unit_interdistrict_fractions == pytest.approx([expected, expected])


# --- Larson's approximation ---------------------------------------------------------------


def test_approximation_reproduces_larson_odoni_example() -> None:
    # The book runs three iterations from rho_n = 0.5 (convergence criterion 0.001) and
    # prints 0.5627, 0.4716, 0.4657. Three iterations here give 0.56276, 0.47159, 0.46565;
    # the fixed point is 0.56263, 0.47170, 0.46566 - all within 2e-4 of the printed values.
    three = solve_approximate(LARSON_ODONI_FITTED, max_iterations=3)
    assert three.iterations == 3
    assert three.workloads == pytest.approx(LARSON_ODONI_APPROX, abs=1e-4)
    converged = solve_approximate(LARSON_ODONI_FITTED)
    assert converged.converged
    assert converged.workloads == pytest.approx(LARSON_ODONI_APPROX, abs=2e-4)
    assert converged.workloads.sum() == pytest.approx(1.5)
    # the book's error statement: max |approx - exact| = 0.0053 (unit 1)
    exact = solve_exact(LARSON_ODONI_FITTED)
    assert round(float(np.abs(converged.workloads - exact.workloads).max()), 4) == 0.0053


@pytest.mark.parametrize("capacity", ["infinite", "zero"])
@pytest.mark.parametrize("n", range(3, 15))
def test_approximation_within_two_percent_of_exact(n: int, capacity: Capacity) -> None:
    # Larson (1975) reports errors of about 1-2 %. Checked here in absolute workload units
    # (|rho_approx - rho_exact| <= 0.02) on seeded random districts at low, medium and
    # high load. (Relative errors of lightly loaded units can be larger.)
    for seed, utilisation in enumerate((0.3, 0.5, 0.7)):
        model = random_model(n, 5 * n, utilisation=utilisation, seed=100 * n + seed, capacity=capacity)
        exact = solve_exact(model)
        approx = solve_approximate(model)
        assert approx.converged
        assert np.abs(approx.workloads - exact.workloads).max() <= 0.02
        assert approx.workloads.sum() == pytest.approx(exact.workloads.sum(), rel=1e-9)
        assert approx.all_busy_probability == pytest.approx(exact.all_busy_probability)
        assert approx.dispatch_fractions.sum() == pytest.approx(1.0)
        assert approx.mean_travel_time == pytest.approx(exact.mean_travel_time, rel=0.05)


# --- simulation ---------------------------------------------------------------------------


def test_simulation_agrees_with_exact_model() -> None:
    model = random_model(4, 20, utilisation=0.6, seed=3)
    exact = solve_exact(model)
    sim = simulate(model, horizon=20_000.0, seed=20260101, batches=20)
    assert sim.calls > 40_000
    # every unit's exact workload inside the simulation's 95 % batch-means interval
    assert np.all(np.abs(sim.workloads - exact.workloads) <= sim.workload_half_widths)
    assert abs(sim.all_busy_probability - exact.all_busy_probability) <= sim.all_busy_half_width
    assert abs(sim.interdistrict_fraction - exact.interdistrict_fraction) <= sim.interdistrict_half_width
    assert sim.mean_travel_time is not None and sim.mean_travel_time_half_width is not None
    assert exact.mean_travel_time is not None
    assert abs(sim.mean_travel_time - exact.mean_travel_time) <= sim.mean_travel_time_half_width
    assert np.abs(sim.dispatch_fractions - exact.dispatch_fractions).max() < 0.01


def test_loss_simulation_agrees_with_exact_model() -> None:
    model = random_model(3, 12, utilisation=0.7, seed=8, capacity="zero")
    exact = solve_exact(model)
    sim = simulate(model, horizon=10_000.0, seed=7, batches=20)
    assert np.all(np.abs(sim.workloads - exact.workloads) <= sim.workload_half_widths)
    assert abs(sim.all_busy_probability - exact.all_busy_probability) <= sim.all_busy_half_width
    assert sim.mean_queue_wait == 0.0


def test_simulation_is_reproducible() -> None:
    model = random_model(4, 15, utilisation=0.5, seed=1)
    one = simulate(model, horizon=500.0, seed=42)
    two = simulate(model, horizon=500.0, seed=42)
    other = simulate(model, horizon=500.0, seed=43)
    assert np.array_equal(one.workloads, two.workloads)
    assert np.array_equal(one.dispatch_fractions, two.dispatch_fractions)
    assert one.calls == two.calls
    assert one.mean_queue_wait == two.mean_queue_wait
    assert not np.array_equal(one.workloads, other.workloads)


def test_random_model_is_reproducible() -> None:
    a = random_model(5, 20, utilisation=0.5, seed=9)
    b = random_model(5, 20, utilisation=0.5, seed=9)
    assert a == b
    assert a != random_model(5, 20, utilisation=0.5, seed=10)
    assert a.utilisation == pytest.approx(0.5)


# --- validation ---------------------------------------------------------------------------


def test_model_validation() -> None:
    with pytest.raises(ValueError, match=r"preferences\[1\] must be a permutation of units 0..1"):
        HypercubeModel([1.0, 1.0], [[0, 1], [0, 0]], 2.0)
    with pytest.raises(ValueError, match="preferences has 1 rows but there are 2 atoms"):
        HypercubeModel([1.0, 1.0], [[0, 1]], 2.0)
    with pytest.raises(ValueError, match="needs lambda < N mu"):
        HypercubeModel([1.0, 1.0], [[0, 1], [1, 0]], 1.0)
    # the same load is fine when calls are lost
    HypercubeModel([1.0, 1.0], [[0, 1], [1, 0]], 1.0, capacity="zero")
    with pytest.raises(ValueError, match="travel_times must be 2 atoms x 2 units"):
        HypercubeModel([1.0, 1.0], [[0, 1], [1, 0]], 3.0, travel_times=[[1.0, 2.0]])
    with pytest.raises(ValueError, match="home_units must be unit indices"):
        HypercubeModel([1.0, 1.0], [[0, 1], [1, 0]], 3.0, home_units=[0, 2])
    with pytest.raises(ValueError, match="total arrival rate must be > 0"):
        HypercubeModel([0.0], [[0]], 1.0)
    with pytest.raises(ValueError, match="rho must be in"):
        correction_factors(3, 1.0)
    with pytest.raises(ValueError, match="horizon must be finite"):
        simulate(LARSON_ODONI_FITTED, horizon=0.0, seed=1)


def test_from_travel_times_orders_by_distance() -> None:
    model = HypercubeModel.from_travel_times([1.0, 1.0], [[3.0, 1.0, 2.0], [0.5, 0.5, 0.1]], 2.0)
    assert model.preferences == ((1, 2, 0), (2, 0, 1))
    assert model.home_units == (1, 2)
