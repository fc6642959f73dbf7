"""M/M/c queues for call-for-service dispatch: Erlang B/C and non-preemptive priorities.

Everything here is a closed-form steady-state result for Poisson arrivals, exponential
service times with a common rate ``mu`` and ``c`` identical servers (patrol units):

* :func:`erlang_b` and :func:`erlang_c` - the loss and delay probabilities, computed with
  the numerically stable Erlang B recursion (no factorials, no overflow for large ``c``).
* :func:`analyse_mmc` - utilisation, delay probability, mean wait, queue length.
* :func:`wait_exceeds_probability` - ``P(W > t)`` for first-come-first-served.
* :func:`analyse_priority_mmc` - mean wait by priority class under non-preemptive
  priorities (Cobham 1954), the queueing core of the Patrol Car Allocation Model (PCAM,
  Chaiken & Dormont 1978).
* :func:`min_servers` - the smallest ``c`` that meets a :class:`ServiceTarget`.

Rates may be in any time unit as long as they agree; waits come out in the reciprocal of
that unit (calls per hour in, hours out).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "MMcPerformance",
    "MMcQueue",
    "PriorityMMcQueue",
    "PriorityPerformance",
    "ServiceTarget",
    "analyse_mmc",
    "analyse_priority_mmc",
    "erlang_b",
    "erlang_c",
    "min_servers",
    "wait_exceeds_probability",
]


def _check_rate(name: str, value: float, *, positive: bool) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    if not positive and value < 0:
        raise ValueError(f"{name} must be >= 0, got {value!r}")


def _check_servers(servers: int) -> None:
    if isinstance(servers, bool) or not isinstance(servers, int):
        raise ValueError(f"servers must be an int, got {servers!r}")
    if servers < 1:
        raise ValueError(f"servers must be >= 1, got {servers}")


def erlang_b(servers: int, offered_load: float) -> float:
    """Erlang's loss formula B(c, a): the probability that all ``c`` servers are busy in
    an M/M/c/c system offered ``a = lambda / mu`` erlangs.

    Computed by the recursion ``B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1))`` (e.g.
    Kleinrock, *Queueing Systems* vol. 1, 1975, section 3.7; Iversen, *Teletraffic
    Engineering Handbook*, ITU-D, 2005, section 4.4), which is stable for any ``c``.
    """
    _check_servers(servers)
    _check_rate("offered_load", offered_load, positive=False)
    b = 1.0
    for k in range(1, servers + 1):
        b = offered_load * b / (k + offered_load * b)
    return b


def _erlang_c_from_b(servers: int, offered_load: float, b: float) -> float:
    if offered_load >= servers:
        return 1.0
    return servers * b / (servers - offered_load * (1.0 - b))


def erlang_c(servers: int, offered_load: float) -> float:
    """Erlang's delay formula C(c, a): the probability that an arrival has to wait in an
    M/M/c queue offered ``a = lambda / mu`` erlangs.

    Uses ``C = c B / (c - a (1 - B))`` with ``B`` from :func:`erlang_b` (Kleinrock 1975,
    eq. 3.40-3.42; Iversen 2005, eq. 12.19). Returns 1.0 when ``a >= c`` (the queue is
    unstable and every arrival eventually waits).
    """
    _check_servers(servers)
    _check_rate("offered_load", offered_load, positive=False)
    return _erlang_c_from_b(servers, offered_load, erlang_b(servers, offered_load))


@dataclass(frozen=True)
class MMcQueue:
    """An M/M/c queue: Poisson arrivals at ``arrival_rate``, exponential service at
    ``service_rate`` per server, ``servers`` identical servers, unlimited FCFS queue."""

    arrival_rate: float
    service_rate: float
    servers: int

    def __post_init__(self) -> None:
        _check_rate("arrival_rate", self.arrival_rate, positive=False)
        _check_rate("service_rate", self.service_rate, positive=True)
        _check_servers(self.servers)

    @property
    def offered_load(self) -> float:
        """``a = lambda / mu`` in erlangs (mean number of busy servers when stable)."""
        return self.arrival_rate / self.service_rate

    @property
    def utilisation(self) -> float:
        """``rho = lambda / (c mu)``, the fraction of time each server is busy."""
        return self.offered_load / self.servers

    @property
    def stable(self) -> bool:
        return self.utilisation < 1.0


@dataclass(frozen=True)
class MMcPerformance:
    """Steady-state measures of an :class:`MMcQueue`; waits are in queue (before service).

    For an unstable queue (``utilisation >= 1``) the delay probability is 1 and the mean
    wait and queue length are ``inf``.
    """

    utilisation: float
    delay_probability: float
    mean_wait: float
    mean_queue_length: float
    mean_response_time: float


def analyse_mmc(queue: MMcQueue) -> MMcPerformance:
    """Erlang C measures of an M/M/c queue: ``P(wait) = C(c, a)``,
    ``Wq = C / (c mu - lambda)``, ``Lq = lambda Wq`` (Little), response ``Wq + 1/mu``.

    Source: Gross, Shortt, Thompson & Harris, *Fundamentals of Queueing Theory*, 4th ed.
    (2008), section 2.3; Kleinrock (1975) section 3.5.
    """
    c, a = queue.servers, queue.offered_load
    if not queue.stable:
        return MMcPerformance(queue.utilisation, 1.0, math.inf, math.inf, math.inf)
    delay = erlang_c(c, a)
    wait = delay / (c * queue.service_rate - queue.arrival_rate)
    return MMcPerformance(
        utilisation=queue.utilisation,
        delay_probability=delay,
        mean_wait=wait,
        mean_queue_length=queue.arrival_rate * wait,
        mean_response_time=wait + 1.0 / queue.service_rate,
    )


def wait_exceeds_probability(queue: MMcQueue, t: float) -> float:
    """``P(Wq > t) = C(c, a) exp(-(c mu - lambda) t)`` for FCFS service, ``t >= 0``.

    Source: Gross et al. (2008) eq. 2.39; Kleinrock (1975) eq. 3.44 (complement).
    Returns 1.0 for an unstable queue.
    """
    _check_rate("t", t, positive=False)
    if not queue.stable:
        return 1.0
    delay = erlang_c(queue.servers, queue.offered_load)
    return delay * math.exp(-(queue.servers * queue.service_rate - queue.arrival_rate) * t)


@dataclass(frozen=True)
class PriorityMMcQueue:
    """An M/M/c queue with non-preemptive priority classes.

    ``arrival_rates[k]`` is the Poisson rate of class ``k``; class 0 is the highest
    priority (e.g. emergency calls). All classes share the exponential ``service_rate``.
    Within a class service is FCFS; a call in service is never interrupted.
    """

    arrival_rates: Sequence[float]
    service_rate: float
    servers: int

    def __post_init__(self) -> None:
        rates = tuple(float(x) for x in self.arrival_rates)
        if not rates:
            raise ValueError("arrival_rates must list at least one priority class")
        for k, r in enumerate(rates):
            _check_rate(f"arrival_rates[{k}]", r, positive=False)
        object.__setattr__(self, "arrival_rates", rates)
        _check_rate("service_rate", self.service_rate, positive=True)
        _check_servers(self.servers)

    @property
    def total_arrival_rate(self) -> float:
        return math.fsum(self.arrival_rates)

    def as_fcfs(self) -> MMcQueue:
        """The same system with all classes pooled and served first-come-first-served."""
        return MMcQueue(self.total_arrival_rate, self.service_rate, self.servers)


@dataclass(frozen=True)
class PriorityPerformance:
    """Mean waits in queue by class (index 0 = highest priority).

    ``overall_mean_wait`` is the arrival-weighted mean of ``mean_waits``; by the
    conservation law it equals ``fcfs_mean_wait`` for a stable queue.
    """

    mean_waits: tuple[float, ...]
    delay_probability: float
    fcfs_mean_wait: float
    overall_mean_wait: float


def _class_waits(rates: Sequence[float], capacity: float, delay: float) -> list[float]:
    """Cobham's ``W_k = (C / c mu) / ((1 - sigma_{k-1})(1 - sigma_k))``; ``capacity = c mu``."""
    w0 = delay / capacity
    waits: list[float] = []
    sigma_prev = 0.0
    cumulative = 0.0
    for rate in rates:
        cumulative += rate
        sigma = cumulative / capacity
        waits.append(math.inf if sigma >= 1.0 else w0 / ((1.0 - sigma_prev) * (1.0 - sigma)))
        sigma_prev = sigma
    return waits


def analyse_priority_mmc(queue: PriorityMMcQueue) -> PriorityPerformance:
    """Mean wait by class in an M/M/c queue with non-preemptive priorities.

    Cobham's formula (Cobham 1954, "Priority assignment in waiting line problems",
    Operations Research 2(1):70-76; Gross et al. 2008 section 3.4.2; Kleinrock,
    *Queueing Systems* vol. 2, 1976, section 3.6)::

        W_k = W0 / ((1 - sigma_{k-1}) (1 - sigma_k)),   sigma_k = sum_{i<=k} lambda_i / (c mu)
        W0  = C(c, a) / (c mu)

    ``W0`` is the mean time until the next server frees up, seen by an arrival: the
    probability all servers are busy times the mean of the minimum of ``c`` exponential
    residual services. (It is *not* ``C / (c mu - lambda)``: that is the FCFS wait, which
    this formula reproduces for a single class.) With one server, ``W0 = rho / mu``, the
    M/G/1 residual work ``sum lambda_i E[S^2] / 2`` of Cobham's single-server result.

    Classes whose cumulative load ``sigma_k >= 1`` get an infinite wait.
    """
    total = queue.total_arrival_rate
    fcfs = analyse_mmc(queue.as_fcfs())
    waits = _class_waits(queue.arrival_rates, queue.servers * queue.service_rate, fcfs.delay_probability)
    if total == 0.0:
        overall = 0.0
    else:
        overall = math.fsum(r * w for r, w in zip(queue.arrival_rates, waits, strict=True) if r > 0) / total
    return PriorityPerformance(
        mean_waits=tuple(waits),
        delay_probability=fcfs.delay_probability,
        fcfs_mean_wait=fcfs.mean_wait,
        overall_mean_wait=overall,
    )


@dataclass(frozen=True)
class ServiceTarget:
    """Service standards for :func:`min_servers`; every target that is set must hold.

    * ``max_delay_probability``: ``P(wait > 0) <= x`` (e.g. 0.1).
    * ``max_mean_wait``: mean wait in queue over all calls ``<= x`` (same for FCFS and
      for non-preemptive priorities, by the conservation law).
    * ``wait_time`` with ``max_wait_probability``: ``P(W > wait_time) <= p`` under FCFS.
    * ``max_class_waits``: mean wait of priority class ``k`` ``<= max_class_waits[k]``
      (``None`` = no limit for that class); needs per-class arrival rates.
    """

    max_delay_probability: float | None = None
    max_mean_wait: float | None = None
    wait_time: float | None = None
    max_wait_probability: float | None = None
    max_class_waits: Sequence[float | None] = ()

    def __post_init__(self) -> None:
        for name in ("max_delay_probability", "max_wait_probability"):
            v = getattr(self, name)
            if v is not None and not (0.0 <= v <= 1.0):
                raise ValueError(f"{name} must be in [0, 1], got {v!r}")
        if self.max_mean_wait is not None:
            _check_rate("max_mean_wait", self.max_mean_wait, positive=False)
        if (self.wait_time is None) != (self.max_wait_probability is None):
            raise ValueError("wait_time and max_wait_probability must be given together")
        if self.wait_time is not None:
            _check_rate("wait_time", self.wait_time, positive=False)
        limits = tuple(None if x is None else float(x) for x in self.max_class_waits)
        for k, x in enumerate(limits):
            if x is not None:
                _check_rate(f"max_class_waits[{k}]", x, positive=False)
        object.__setattr__(self, "max_class_waits", limits)
        if (
            self.max_delay_probability is None
            and self.max_mean_wait is None
            and self.wait_time is None
            and all(x is None for x in limits)
        ):
            raise ValueError("ServiceTarget needs at least one target")


def min_servers(
    arrival_rates: float | Sequence[float],
    service_rate: float,
    target: ServiceTarget,
    *,
    max_servers: int = 100_000,
) -> int:
    """Smallest number of servers ``c`` whose M/M/c queue meets every part of ``target``.

    ``arrival_rates`` is one rate (FCFS) or per-class rates, highest priority first (the
    class waits use :func:`analyse_priority_mmc`; the delay probability and overall mean
    wait are the same under either discipline, and ``P(W > t)`` is the FCFS value). All
    measures fall as ``c`` grows, so the search walks up from the smallest stable ``c``,
    updating Erlang B incrementally (linear in the answer). This is the "how many cars
    must be on duty" step of PCAM (Chaiken & Dormont 1978, "A patrol car allocation
    model: capabilities and algorithms", Management Science 24(12)).

    Raises ``ValueError`` if no ``c <= max_servers`` meets the target.
    """
    rates = (float(arrival_rates),) if isinstance(arrival_rates, int | float) else tuple(arrival_rates)
    queue_for_checks = PriorityMMcQueue(rates, service_rate, 1)  # validates the rates
    lam = queue_for_checks.total_arrival_rate
    if target.max_class_waits and len(target.max_class_waits) != len(rates):
        raise ValueError(
            f"max_class_waits has {len(target.max_class_waits)} entries but there are {len(rates)} classes"
        )
    a = lam / service_rate
    b = 1.0
    for c in range(1, max_servers + 1):
        b = a * b / (c + a * b)
        if a >= c:
            continue
        delay = _erlang_c_from_b(c, a, b)
        capacity = c * service_rate
        if target.max_delay_probability is not None and delay > target.max_delay_probability:
            continue
        if target.max_mean_wait is not None and delay / (capacity - lam) > target.max_mean_wait:
            continue
        if target.wait_time is not None and target.max_wait_probability is not None:
            if delay * math.exp(-(capacity - lam) * target.wait_time) > target.max_wait_probability:
                continue
        if any(x is not None for x in target.max_class_waits):
            waits = _class_waits(rates, capacity, delay)
            if any(x is not None and w > x for w, x in zip(waits, target.max_class_waits, strict=True)):
                continue
        return c
    raise ValueError(f"no number of servers up to {max_servers} meets the target")
