"""Workload-based patrol staffing (shift relief, obligated workload, proactive time).

The method of the Police Allocation Manual (Northwestern University Traffic Institute,
1991/1993) as restated in Wilson & Weiss, *A Performance-Based Approach to Police
Staffing and Allocation* (COPS Office, U.S. Department of Justice, 2012):

1. **Net availability** - the hours an officer is actually on duty and available in a
   year: scheduled hours less leave, training, sickness, court and other absence
   (:class:`Availability`).
2. **Shift relief factor** - officers needed to keep one post covered:
   ``hours the post must be covered per year / net available hours per officer``
   (:func:`shift_relief_factor`). Published check: 2,920 h / 1,698 h = 1.72.
3. **Obligated workload to FTE** - ``FTE_obligated = obligated hours / available hours``,
   then ``FTE_total = FTE_obligated / (1 - proactive_share - admin_share)`` so that the
   chosen shares of time remain for proactive and administrative work
   (:func:`workload_fte`). Published check: 14,500 h / 2,080 h = 6.97 FTE; with 30 %
   proactive and 5 % administrative time, 6.97 / 0.65 = 10.7 FTE.
4. **Committed-time cap** - no more than a set share (default 60 %) of patrol time
   should be committed to calls for service (:func:`committed_time`).

:func:`plan_units` applies all of this per unit (police station) and per shift, with the
proactive share set by station type (full-spectrum / proactive / preventive).
All hours are per year unless a name says otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from jingwu.engine.vocab import STATION_TYPES, codes

__all__ = [
    "DEFAULT_PROACTIVE_SHARES",
    "Availability",
    "CommittedTime",
    "ShiftStaffing",
    "StaffingPolicy",
    "UnitStaffing",
    "UnitWorkload",
    "WorkloadFTE",
    "committed_time",
    "plan_units",
    "round_up",
    "shift_relief_factor",
    "workload_fte",
]

#: Share of patrol time kept for proactive work, by station type (``vocab.STATION_TYPES``).
DEFAULT_PROACTIVE_SHARES: Mapping[str, float] = MappingProxyType(
    {"full_spectrum": 0.30, "proactive": 0.35, "preventive": 0.40}
)

_ROUNDING_SLACK = 1e-9


def round_up(x: float) -> int:
    """Ceiling that ignores floating-point fuzz (``2.0000000000004`` -> 2, not 3)."""
    return max(0, math.ceil(x - _ROUNDING_SLACK * max(1.0, abs(x))))


def _finite(name: str, value: float, *, minimum: float = 0.0, strict: bool = False) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value!r}")
    if strict and value <= minimum:
        raise ValueError(f"{name} must be > {minimum}, got {value!r}")
    if not strict and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value!r}")


def _share(name: str, value: float) -> None:
    if not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")


@dataclass(frozen=True)
class Availability:
    """An officer's year: scheduled hours and the hours lost to each kind of absence.

    ``scheduled_hours`` is the contract (2,080 = 40 h x 52 weeks). The deductions follow
    the Police Allocation Manual worksheet: ``leave_hours`` (annual leave and holidays),
    ``training_hours``, ``sick_hours`` (sickness and injury), ``court_hours`` and
    ``other_hours`` (any other time not available for patrol).
    """

    scheduled_hours: float = 2080.0
    leave_hours: float = 0.0
    training_hours: float = 0.0
    sick_hours: float = 0.0
    court_hours: float = 0.0
    other_hours: float = 0.0

    def __post_init__(self) -> None:
        _finite("scheduled_hours", self.scheduled_hours, strict=True)
        for name in ("leave_hours", "training_hours", "sick_hours", "court_hours", "other_hours"):
            _finite(name, getattr(self, name))
        if self.net_hours <= 0:
            raise ValueError(
                f"absences ({self.absence_hours:g} h) must be less than scheduled_hours ({self.scheduled_hours:g} h)"
            )

    @property
    def absence_hours(self) -> float:
        return math.fsum(
            (self.leave_hours, self.training_hours, self.sick_hours, self.court_hours, self.other_hours)
        )

    @property
    def net_hours(self) -> float:
        """Net available hours per officer per year (scheduled less all absence)."""
        return self.scheduled_hours - self.absence_hours


def shift_relief_factor(
    availability: Availability | float, *, shift_hours: float = 8.0, days_per_year: float = 365.0
) -> float:
    """Officers needed to staff one post for one shift every day of the year.

    ``relief = shift_hours x days_per_year / net available hours per officer``
    (Police Allocation Manual, 1993; Wilson & Weiss 2012, "Calculate shift relief
    factors"). With an 8-hour post (8 x 365 = 2,920 h) and 1,698 net hours this is
    2,920 / 1,698 = 1.72 officers per post. ``availability`` may be the net hours directly.
    """
    net = availability.net_hours if isinstance(availability, Availability) else float(availability)
    _finite("net available hours", net, strict=True)
    _finite("shift_hours", shift_hours, strict=True)
    if shift_hours > 24:
        raise ValueError(f"shift_hours must be at most 24, got {shift_hours!r}")
    _finite("days_per_year", days_per_year, strict=True)
    return shift_hours * days_per_year / net


@dataclass(frozen=True)
class WorkloadFTE:
    """Staff needed for a workload; ``total_fte`` keeps the proactive and admin shares free."""

    obligated_hours: float
    available_hours: float
    proactive_share: float
    admin_share: float
    obligated_fte: float
    total_fte: float

    @property
    def officers(self) -> int:
        """``total_fte`` rounded up to whole officers."""
        return round_up(self.total_fte)


def workload_fte(
    obligated_hours: float,
    available_hours: Availability | float,
    *,
    proactive_share: float = 0.30,
    admin_share: float = 0.05,
) -> WorkloadFTE:
    """Wilson & Weiss (2012) workload-based staffing.

    ``obligated_fte = obligated_hours / available_hours`` (hours of calls for service per
    year over hours each officer is available), then
    ``total_fte = obligated_fte / (1 - proactive_share - admin_share)``.

    The book's worked figures: 14,500 obligated hours over 2,080 hours per officer give
    6.97 FTE, and keeping 30 % of time proactive and 5 % administrative gives
    6.97 / 0.65 = 10.7 FTE. (The 6.97 uses the 2,080 *scheduled* hours; pass an
    :class:`Availability` to use net hours instead - 14,500 / 1,698 = 8.54 FTE.)
    """
    _finite("obligated_hours", obligated_hours)
    hours = available_hours.net_hours if isinstance(available_hours, Availability) else float(available_hours)
    _finite("available_hours", hours, strict=True)
    _share("proactive_share", proactive_share)
    _share("admin_share", admin_share)
    if proactive_share + admin_share >= 1.0:
        raise ValueError(f"proactive_share + admin_share must be < 1, got {proactive_share} + {admin_share}")
    obligated = obligated_hours / hours
    return WorkloadFTE(
        obligated_hours=float(obligated_hours),
        available_hours=hours,
        proactive_share=proactive_share,
        admin_share=admin_share,
        obligated_fte=obligated,
        total_fte=obligated / (1.0 - proactive_share - admin_share),
    )


@dataclass(frozen=True)
class CommittedTime:
    """Share of available patrol time committed to calls, against the cap."""

    obligated_hours: float
    officers: float
    available_hours: float
    share: float
    cap: float

    @property
    def patrol_hours(self) -> float:
        """Available patrol hours of the staffing under test (officers x available hours)."""
        return self.officers * self.available_hours

    @property
    def violated(self) -> bool:
        return self.share > self.cap * (1.0 + 1e-12)

    @property
    def officers_for_cap(self) -> float:
        """Exact FTE at which the committed share would equal the cap."""
        return self.obligated_hours / (self.cap * self.available_hours)


def committed_time(
    obligated_hours: float, officers: float, available_hours: Availability | float, *, cap: float = 0.60
) -> CommittedTime:
    """Share of patrol time committed to calls: ``obligated / (officers x available)``.

    The workload approach holds that patrol should not spend more than about 60 % of its
    time on calls for service, or officers cannot do proactive work in useful blocks
    (Wilson & Weiss 2012, "Establish performance objectives"). ``officers`` may be
    fractional (FTE). ``violated`` is true when the share exceeds ``cap``; with no
    officers and some workload the share is ``inf``.
    """
    _finite("obligated_hours", obligated_hours)
    _finite("officers", officers)
    hours = available_hours.net_hours if isinstance(available_hours, Availability) else float(available_hours)
    _finite("available_hours", hours, strict=True)
    if not (math.isfinite(cap) and 0.0 < cap <= 1.0):
        raise ValueError(f"cap must be in (0, 1], got {cap!r}")
    patrol = officers * hours
    if patrol == 0:
        share = 0.0 if obligated_hours == 0 else math.inf
    else:
        share = obligated_hours / patrol
    return CommittedTime(
        obligated_hours=float(obligated_hours),
        officers=float(officers),
        available_hours=hours,
        share=share,
        cap=cap,
    )


@dataclass(frozen=True)
class StaffingPolicy:
    """The settings :func:`plan_units` applies to every unit.

    * ``availability`` - an officer's year (net hours give FTE and the relief factor).
    * ``proactive_shares`` - share of time kept proactive, by station type code.
    * ``admin_share`` - share of time for administrative work (reports, briefings).
    * ``committed_cap`` - most of patrol time that may go to calls (default 60 %).
    * ``enforce_cap`` - if true, staff each unit and shift up to the cap when the
      workload formula alone would exceed it; if false (default) only flag it.
    * ``shift_hours`` / ``days_per_year`` - post length and coverage for the relief factor.
    * ``min_on_duty`` - officers on duty in every shift however light the workload.
    """

    availability: Availability = field(default_factory=Availability)
    proactive_shares: Mapping[str, float] = field(default_factory=lambda: DEFAULT_PROACTIVE_SHARES)
    admin_share: float = 0.05
    committed_cap: float = 0.60
    enforce_cap: bool = False
    shift_hours: float = 8.0
    days_per_year: float = 365.0
    min_on_duty: int = 0

    def __post_init__(self) -> None:
        shares = dict(self.proactive_shares)
        known = set(codes(STATION_TYPES))
        for code, share in shares.items():
            if code not in known:
                raise ValueError(f"unknown station type {code!r} in proactive_shares; known: {sorted(known)}")
            _share(f"proactive_shares[{code!r}]", share)
            if share + self.admin_share >= 1.0:
                raise ValueError(f"proactive share of {code!r} plus admin_share must be < 1")
        object.__setattr__(self, "proactive_shares", MappingProxyType(shares))
        _share("admin_share", self.admin_share)
        if not (math.isfinite(self.committed_cap) and 0.0 < self.committed_cap <= 1.0):
            raise ValueError(f"committed_cap must be in (0, 1], got {self.committed_cap!r}")
        _finite("shift_hours", self.shift_hours, strict=True)
        if self.shift_hours > 24:
            raise ValueError(f"shift_hours must be at most 24, got {self.shift_hours!r}")
        _finite("days_per_year", self.days_per_year, strict=True)
        if (
            isinstance(self.min_on_duty, bool)
            or not isinstance(self.min_on_duty, int)
            or self.min_on_duty < 0
        ):
            raise ValueError(f"min_on_duty must be a non-negative int, got {self.min_on_duty!r}")

    @property
    def relief_factor(self) -> float:
        return shift_relief_factor(
            self.availability, shift_hours=self.shift_hours, days_per_year=self.days_per_year
        )

    def proactive_share(self, station_type: str) -> float:
        try:
            return self.proactive_shares[station_type]
        except KeyError:
            raise ValueError(
                f"no proactive share configured for station type {station_type!r}; "
                f"configured: {sorted(self.proactive_shares)}"
            ) from None


@dataclass(frozen=True)
class UnitWorkload:
    """A unit's (police station's) obligated workload.

    ``obligated_hours`` is the year's call-for-service time (calls x units sent x mean
    time per unit). ``hours_by_shift`` optionally splits it by shift, as
    ``(shift name, hours)`` pairs that must add up to ``obligated_hours``.
    """

    unit: str
    station_type: str
    obligated_hours: float
    hours_by_shift: Sequence[tuple[str, float]] = ()

    def __post_init__(self) -> None:
        if not self.unit:
            raise ValueError("unit must be a non-empty identifier")
        if self.station_type not in codes(STATION_TYPES):
            raise ValueError(
                f"unit {self.unit!r}: unknown station type {self.station_type!r}; known: {codes(STATION_TYPES)}"
            )
        _finite(f"unit {self.unit!r} obligated_hours", self.obligated_hours)
        object.__setattr__(self, "obligated_hours", float(self.obligated_hours))
        pairs = tuple((str(name), float(hours)) for name, hours in self.hours_by_shift)
        names = [name for name, _ in pairs]
        if len(set(names)) != len(names):
            raise ValueError(f"unit {self.unit!r}: shift names must be unique, got {names}")
        for name, hours in pairs:
            _finite(f"unit {self.unit!r} shift {name!r} hours", hours)
        if pairs:
            total = math.fsum(h for _, h in pairs)
            if not math.isclose(total, self.obligated_hours, rel_tol=1e-6, abs_tol=1e-6):
                raise ValueError(
                    f"unit {self.unit!r}: hours_by_shift add up to {total:g} h "
                    f"but obligated_hours is {self.obligated_hours:g} h"
                )
        object.__setattr__(self, "hours_by_shift", pairs)


@dataclass(frozen=True)
class ShiftStaffing:
    """One shift of one unit.

    ``on_duty_exact`` is the average number of officers needed on duty during the shift
    (its workload FTE spread over the shift's ``shift_hours x days_per_year`` post-hours);
    ``on_duty`` rounds it up (and applies ``min_on_duty``). ``officers_exact`` is
    ``on_duty_exact x relief factor``; ``officers`` is ``on_duty x relief`` rounded up:
    the roster that keeps ``on_duty`` posts filled all year.
    """

    shift: str
    obligated_hours: float
    on_duty_exact: float
    on_duty: int
    officers_exact: float
    officers: int
    committed_share: float
    cap_violated: bool


@dataclass(frozen=True)
class UnitStaffing:
    """Staffing for one unit.

    ``workload_fte`` is the Wilson & Weiss figure; ``cap_fte`` the FTE at which calls take
    exactly ``committed_cap`` of patrol time; ``fte`` is the larger of the two when the
    policy enforces the cap, else ``workload_fte``. ``officers`` is ``fte`` rounded up and
    ``committed_share`` the share of their time the calls take. ``shifts`` is empty unless
    the workload was split by shift; ``shift_officers`` is then the sum of the per-shift
    rosters (at least ``officers``, because each shift is rounded on its own).
    """

    unit: str
    station_type: str
    obligated_hours: float
    proactive_share: float
    obligated_fte: float
    workload_fte: float
    cap_fte: float
    fte: float
    officers: int
    committed_share: float
    cap_violated: bool
    shifts: tuple[ShiftStaffing, ...]

    @property
    def shift_officers(self) -> int:
        return sum(s.officers for s in self.shifts)


def _shift_staffing(
    name: str, hours: float, proactive: float, policy: StaffingPolicy, relief: float
) -> ShiftStaffing:
    net = policy.availability.net_hours
    fte = workload_fte(hours, net, proactive_share=proactive, admin_share=policy.admin_share).total_fte
    if policy.enforce_cap:
        fte = max(fte, hours / (policy.committed_cap * net))
    on_duty_exact = fte / relief
    on_duty = max(round_up(on_duty_exact), policy.min_on_duty)
    officers = round_up(on_duty * relief)
    check = committed_time(hours, officers, net, cap=policy.committed_cap)
    return ShiftStaffing(
        shift=name,
        obligated_hours=hours,
        on_duty_exact=on_duty_exact,
        on_duty=on_duty,
        officers_exact=on_duty_exact * relief,
        officers=officers,
        committed_share=check.share,
        cap_violated=check.violated,
    )


def plan_units(
    units: Sequence[UnitWorkload], policy: StaffingPolicy | None = None
) -> tuple[UnitStaffing, ...]:
    """Officers needed per unit and per shift by the workload method.

    For each unit: ``obligated_fte = obligated_hours / net hours``; ``workload_fte =
    obligated_fte / (1 - proactive share of its station type - admin share)`` (Wilson &
    Weiss 2012); the 60 % committed-time rule checked (or enforced) on the result. For a
    shift with ``h`` obligated hours the same FTE formula gives the shift's roster, and
    dividing by the shift relief factor gives the officers needed on duty at once, so
    ``officers = on duty x relief`` (Police Allocation Manual). Exact figures are kept
    alongside the rounded-up ones.
    """
    policy = policy or StaffingPolicy()
    seen: set[str] = set()
    net = policy.availability.net_hours
    relief = policy.relief_factor
    out: list[UnitStaffing] = []
    for u in units:
        if u.unit in seen:
            raise ValueError(f"unit {u.unit!r} is listed twice")
        seen.add(u.unit)
        proactive = policy.proactive_share(u.station_type)
        base = workload_fte(u.obligated_hours, net, proactive_share=proactive, admin_share=policy.admin_share)
        cap_fte = u.obligated_hours / (policy.committed_cap * net)
        fte = max(base.total_fte, cap_fte) if policy.enforce_cap else base.total_fte
        officers = round_up(fte)
        check = committed_time(u.obligated_hours, officers, net, cap=policy.committed_cap)
        shifts = tuple(_shift_staffing(name, h, proactive, policy, relief) for name, h in u.hours_by_shift)
        out.append(
            UnitStaffing(
                unit=u.unit,
                station_type=u.station_type,
                obligated_hours=u.obligated_hours,
                proactive_share=proactive,
                obligated_fte=base.obligated_fte,
                workload_fte=base.total_fte,
                cap_fte=cap_fte,
                fte=fte,
                officers=officers,
                committed_share=check.share,
                cap_violated=check.violated,
                shifts=shifts,
            )
        )
    return tuple(out)
