"""M/M/c queueing: Erlang B/C, waits, Cobham priorities, server search."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad

from jingwu.engine.queueing import (
    MMcQueue,
    PriorityMMcQueue,
    ServiceTarget,
    analyse_mmc,
    analyse_priority_mmc,
    erlang_b,
    erlang_c,
    min_servers,
    wait_exceeds_probability,
)


def _erlang_c_exact(c: int, a: int) -> Fraction:
    """Textbook definition with exact rationals (a an integer load)."""
    term = Fraction(1)
    head = Fraction(0)
    for k in range(c):
        head += term
        term = term * a / (k + 1)
    tail = term * Fraction(c, c - a)  # a^c / c! * c / (c - a)
    return tail / (head + tail)


# --- published values ---------------------------------------------------------------------


def test_erlang_b_published_capacity_of_15_lines() -> None:
    # Westbay Engineers' Erlang calculator manual: 15 lines at 1 % blocking carry 8.108 E.
    assert round(erlang_b(15, 8.108), 4) == 0.0100
    lo, hi = 1.0, 15.0
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if erlang_b(15, mid) < 0.01 else (lo, mid)
    assert round(lo, 3) == 8.108


def test_mmc_textbook_two_server_example() -> None:
    # M/M/2, lambda = 2/h, mu = 3/h (the emergency-room example of Hillier & Lieberman's
    # queueing chapter): P0 = 1/2, P(wait) = 1/6, Lq = 1/12, Wq = 1/24 h.
    perf = analyse_mmc(MMcQueue(2.0, 3.0, 2))
    assert perf.utilisation == pytest.approx(1 / 3)
    assert perf.delay_probability == pytest.approx(1 / 6, rel=1e-12)
    assert perf.mean_queue_length == pytest.approx(1 / 12, rel=1e-12)
    assert perf.mean_wait == pytest.approx(1 / 24, rel=1e-12)
    assert perf.mean_response_time == pytest.approx(1 / 24 + 1 / 3, rel=1e-12)


def test_erlang_c_closed_forms() -> None:
    # M/M/1: C = rho. M/M/2: C = 2 rho^2 / (1 + rho). C(3, 2) = 4/9.
    assert erlang_c(1, 0.7) == pytest.approx(0.7, rel=1e-12)
    rho = 0.8
    assert erlang_c(2, 2 * rho) == pytest.approx(2 * rho**2 / (1 + rho), rel=1e-12)
    assert erlang_c(3, 2.0) == pytest.approx(4 / 9, rel=1e-12)


@pytest.mark.parametrize(("c", "a"), [(5, 3), (50, 45), (1000, 950), (2000, 1990)])
def test_erlang_c_is_stable_for_many_servers(c: int, a: int) -> None:
    # a^c / c! overflows a float long before c = 1000; the recursion does not.
    exact = float(_erlang_c_exact(c, a))
    assert erlang_c(c, float(a)) == pytest.approx(exact, rel=1e-10)


def test_unstable_queue() -> None:
    assert erlang_c(3, 3.0) == 1.0
    perf = analyse_mmc(MMcQueue(5.0, 1.0, 4))
    assert not MMcQueue(5.0, 1.0, 4).stable
    assert perf.delay_probability == 1.0
    assert perf.mean_wait == math.inf
    assert wait_exceeds_probability(MMcQueue(5.0, 1.0, 4), 10.0) == 1.0


def test_wait_tail_integrates_to_the_mean_wait() -> None:
    queue = MMcQueue(arrival_rate=9.0, service_rate=1.0, servers=11)
    perf = analyse_mmc(queue)
    assert wait_exceeds_probability(queue, 0.0) == pytest.approx(perf.delay_probability)
    integral, _ = quad(lambda t: wait_exceeds_probability(queue, t), 0, math.inf)
    assert integral == pytest.approx(perf.mean_wait, rel=1e-8)
    assert wait_exceeds_probability(queue, 1.0) == pytest.approx(perf.delay_probability * math.exp(-2.0))


# --- priorities ---------------------------------------------------------------------------


def test_single_priority_class_is_fcfs() -> None:
    perf = analyse_priority_mmc(PriorityMMcQueue([7.0], 1.0, 9))
    assert perf.mean_waits[0] == pytest.approx(analyse_mmc(MMcQueue(7.0, 1.0, 9)).mean_wait, rel=1e-12)


def test_single_server_matches_cobham_mg1() -> None:
    # M/G/1 non-preemptive priority (Cobham 1954): W_k = W0 / ((1 - s_{k-1})(1 - s_k)) with
    # W0 = sum_i lambda_i E[S^2] / 2 and E[S^2] = 2 / mu^2 for exponential service.
    rates, mu = [0.1, 0.3, 0.25], 1.25
    w0 = sum(r * 2 / mu**2 for r in rates) / 2
    s = [0.0]
    for r in rates:
        s.append(s[-1] + r / mu)
    expected = [w0 / ((1 - s[k]) * (1 - s[k + 1])) for k in range(3)]
    got = analyse_priority_mmc(PriorityMMcQueue(rates, mu, 1)).mean_waits
    assert got == pytest.approx(expected, rel=1e-12)


@given(
    rates=st.lists(st.floats(0.0, 5.0), min_size=1, max_size=5),
    servers=st.integers(1, 30),
    mu=st.floats(0.2, 5.0),
)
def test_priority_waits_conserve_the_fcfs_wait(rates: list[float], servers: int, mu: float) -> None:
    # Kleinrock's conservation law: with a common service distribution, the arrival-weighted
    # mean of the class waits equals the FCFS wait.
    total = sum(rates)
    if total <= 0 or total >= 0.98 * servers * mu:
        return
    perf = analyse_priority_mmc(PriorityMMcQueue(rates, mu, servers))
    weighted = sum(r * w for r, w in zip(rates, perf.mean_waits, strict=True)) / total
    assert weighted == pytest.approx(perf.fcfs_mean_wait, rel=1e-9, abs=1e-15)
    assert perf.overall_mean_wait == pytest.approx(perf.fcfs_mean_wait, rel=1e-9, abs=1e-15)
    # higher priority never waits longer
    assert all(a <= b * (1 + 1e-12) for a, b in zip(perf.mean_waits, perf.mean_waits[1:], strict=False))


def test_priority_example_values() -> None:
    # c = 4, mu = 1, classes 0.6 / 1.2 / 1.2 (a = 3): C(4, 3) = 0.50943, W0 = C / 4.
    perf = analyse_priority_mmc(PriorityMMcQueue([0.6, 1.2, 1.2], 1.0, 4))
    c = erlang_c(4, 3.0)
    assert c == pytest.approx(0.509434, abs=1e-6)
    w0 = c / 4
    assert perf.mean_waits == pytest.approx([w0 / 0.85, w0 / (0.85 * 0.55), w0 / (0.55 * 0.25)])
    assert perf.fcfs_mean_wait == pytest.approx(c / 1.0)


def test_lower_classes_saturate_first() -> None:
    # total load above capacity: the top class is still served in finite time
    perf = analyse_priority_mmc(PriorityMMcQueue([1.0, 5.0], 1.0, 4))
    assert math.isfinite(perf.mean_waits[0])
    assert perf.mean_waits[0] == pytest.approx((1 / 4) / (1 - 0.25))
    assert perf.mean_waits[1] == math.inf


# --- minimum servers ----------------------------------------------------------------------


def test_min_servers_for_delay_probability() -> None:
    lam, mu = 20.0, 1.0
    c = min_servers(lam, mu, ServiceTarget(max_delay_probability=0.1))
    assert erlang_c(c, lam / mu) <= 0.1 < erlang_c(c - 1, lam / mu)


def test_min_servers_for_wait_tail_and_mean() -> None:
    lam, mu = 12.0, 2.0  # per hour; 30-minute calls
    target = ServiceTarget(max_mean_wait=5 / 60, wait_time=10 / 60, max_wait_probability=0.05)
    c = min_servers(lam, mu, target)

    def meets(k: int) -> bool:
        q = MMcQueue(lam, mu, k)
        return analyse_mmc(q).mean_wait <= 5 / 60 and wait_exceeds_probability(q, 10 / 60) <= 0.05

    assert meets(c)
    assert not meets(c - 1)


def test_min_servers_for_priority_one_wait() -> None:
    # 1.5 emergency + 6 other calls per hour, 45-minute jobs; emergency wait <= 2 minutes
    rates, mu, limit = [1.5, 6.0], 1 / 0.75, 2 / 60
    c = min_servers(rates, mu, ServiceTarget(max_class_waits=[limit, None]))
    assert analyse_priority_mmc(PriorityMMcQueue(rates, mu, c)).mean_waits[0] <= limit
    assert analyse_priority_mmc(PriorityMMcQueue(rates, mu, c - 1)).mean_waits[0] > limit
    # the same limit on all calls under FCFS needs at least as many cars
    fcfs = min_servers(sum(rates), mu, ServiceTarget(max_mean_wait=limit))
    assert fcfs >= c


def test_min_servers_validation() -> None:
    with pytest.raises(ValueError, match="at least one target"):
        ServiceTarget()
    with pytest.raises(ValueError, match="given together"):
        ServiceTarget(wait_time=1.0)
    with pytest.raises(ValueError, match="max_delay_probability must be in"):
        ServiceTarget(max_delay_probability=1.5)
    with pytest.raises(ValueError, match="max_class_waits has 1 entries but there are 2 classes"):
        min_servers([1.0, 1.0], 1.0, ServiceTarget(max_class_waits=[1.0]))
    with pytest.raises(ValueError, match="no number of servers up to 3"):
        min_servers(10.0, 1.0, ServiceTarget(max_delay_probability=0.1), max_servers=3)
    with pytest.raises(ValueError, match="servers must be >= 1"):
        MMcQueue(1.0, 1.0, 0)
    with pytest.raises(ValueError, match="service_rate must be > 0"):
        MMcQueue(1.0, 0.0, 1)
    with pytest.raises(ValueError, match=r"arrival_rates\[1\] must be >= 0"):
        PriorityMMcQueue([1.0, -1.0], 1.0, 2)
