"""Workload-based staffing (the method of Wilson & Weiss 2012 and the Police Allocation Manual).

Where the figures come from: the method is Wilson & Weiss's, but the numbers 2,080 / 382 /
1,698 / 2,920 are those of a relief-factor worksheet ("Calculating Staffing Needs Using the
Relief Factor Method", Local Government Performance Center, October 2012, which prints the
factor as 1.7), and 14,500 h / 2,080 h = 6.97 FTE with 30 % proactive and 5 % administrative
time is the example of H. McPhee, "Public Safety Data: How to Enhance Staffing Efficiency"
(Govt CIO Outlook; Three Rivers Park District police). Both are arithmetic on the divisor the
author chose, so they pin our arithmetic, not the method: the method is checked against the
independent worked examples in ``test_net_hours_method_reproduces_independent_worked_examples``.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jingwu.engine.staffing import (
    DEFAULT_PROACTIVE_SHARES,
    Availability,
    StaffingPolicy,
    UnitWorkload,
    committed_time,
    plan_units,
    round_up,
    shift_relief_factor,
    workload_fte,
)

# 2,080 scheduled hours less 382 hours of absence = 1,698 net hours (the relief-factor worksheet
# named above). Only the totals are printed there; the split over the kinds of absence is
# illustrative.
PUBLISHED_AVAILABILITY = Availability(
    scheduled_hours=2080, leave_hours=200, training_hours=80, sick_hours=62, court_hours=40
)


# --- published figures ------------------------------------------------------------------


def test_net_availability_totals_the_deductions() -> None:
    assert PUBLISHED_AVAILABILITY.absence_hours == 382
    assert PUBLISHED_AVAILABILITY.net_hours == 1698


def test_shift_relief_factor_reproduces_the_worksheets_1_7() -> None:
    # 8 h x 365 days = 2,920 h per post / 1,698 net h per officer = 1.72 officers per post
    # (the worksheet prints 1.7).
    relief = shift_relief_factor(PUBLISHED_AVAILABILITY)
    assert round(relief, 2) == 1.72
    assert relief == pytest.approx(2920 / 1698)
    assert shift_relief_factor(1698.0) == relief


def test_obligated_workload_reproduces_mcphees_6_97_and_10_7() -> None:
    # 14,500 h of calls / 2,080 h per officer = 6.97 FTE (McPhee's 6.97 divides by the 2,080
    # scheduled hours, his choice; 1,698 net hours would give 8.54).
    result = workload_fte(14_500, 2080, proactive_share=0.30, admin_share=0.05)
    assert round(result.obligated_fte, 2) == 6.97
    # keeping 30 % proactive and 5 % administrative time: 6.97 / 0.65 = 10.7 FTE
    assert round(result.total_fte, 1) == 10.7
    assert result.officers == 11
    assert round(workload_fte(14_500, 1698).obligated_fte, 2) == 8.54
    assert round(workload_fte(14_500, 1698).obligated_fte, 2) != 6.97


def test_net_hours_method_reproduces_independent_worked_examples() -> None:
    """Two worked examples whose inputs and results are printed, neither from the worksheet.

    1. W. "Shorty" Bryson, "Facts and Figures a Fire Chief Should Know" (slides, relief
       factor): a 48-hour work week less 7.8 hours a week of other paid time off leaves
       40.2 hours; 168 / 40.2 gives 4.2 people on the payroll to keep one position filled
       24/7, and a four-person unit needs 16.8, so 17.
    2. "HR Calculations: Staffing Relief Factor" (HR guide, reproduced on info.5y1.org): 10
       vacation days, 6 sick days, 2 training days, weekends off (2 x 52) and 6 holidays a
       year are 128 days off; 365 - 128 = 237 days on; 365 / 237 = 1.54. In hours, with
       8-hour days, over the calendar year (every day scheduled, the days off deducted).
    """
    week = Availability(scheduled_hours=48 * 52, other_hours=7.8 * 52)
    assert week.net_hours / 52 == pytest.approx(40.2)
    relief = shift_relief_factor(week, shift_hours=24, days_per_year=7 * 52)
    assert relief == pytest.approx(168 / 40.2)
    assert round(relief, 1) == 4.2
    assert round_up(4 * relief) == 17

    days = Availability(
        scheduled_hours=365 * 8,
        leave_hours=(10 + 6) * 8,  # vacation and holidays
        sick_hours=6 * 8,
        training_hours=2 * 8,
        other_hours=2 * 52 * 8,  # the weekly days off
    )
    assert days.net_hours == 237 * 8
    assert round(shift_relief_factor(days), 2) == 1.54


def test_workload_fte_accepts_availability() -> None:
    direct = workload_fte(14_500, 1698.0)
    via = workload_fte(14_500, PUBLISHED_AVAILABILITY)
    assert via.total_fte == direct.total_fte
    assert via.available_hours == 1698


# --- committed-time rule ------------------------------------------------------------------


def test_committed_time_flags_more_than_60_percent() -> None:
    # 11 officers x 2,080 h = 22,880 h of patrol; 14,500 h of calls is 63 %.
    check = committed_time(14_500, 11, 2080)
    assert check.share == pytest.approx(14_500 / 22_880)
    assert check.cap == 0.60
    assert check.violated
    assert check.officers_for_cap == pytest.approx(14_500 / (0.6 * 2080))
    ok = committed_time(14_500, 12, 2080)
    assert ok.share == pytest.approx(14_500 / 24_960)
    assert not ok.violated
    assert committed_time(14_500, 11, 2080, cap=0.65).violated is False


def test_committed_time_at_the_cap_is_not_a_violation() -> None:
    assert not committed_time(600, 1, 1000).violated
    assert committed_time(600.001, 1, 1000).violated


def test_committed_time_without_officers() -> None:
    assert committed_time(10, 0, 1000).share == math.inf
    assert committed_time(10, 0, 1000).violated
    assert committed_time(0, 0, 1000).share == 0.0


def test_workload_formula_leaves_exactly_the_committed_share() -> None:
    # At the exact FTE, calls take 1 - proactive - admin of the time: 65 % > 60 %, so the
    # default full-spectrum shares break the 60 % rule unless staffing is rounded up.
    result = workload_fte(14_500, 2080, proactive_share=0.30, admin_share=0.05)
    assert committed_time(14_500, result.total_fte, 2080).share == pytest.approx(0.65)


# --- per-unit planning --------------------------------------------------------------------


def test_default_proactive_shares_by_station_type() -> None:
    assert dict(DEFAULT_PROACTIVE_SHARES) == {"full_spectrum": 0.30, "proactive": 0.35, "preventive": 0.40}


def test_plan_units_uses_station_type_share() -> None:
    policy = StaffingPolicy(availability=PUBLISHED_AVAILABILITY)
    units = [
        UnitWorkload("A", "full_spectrum", 10_000),
        UnitWorkload("B", "proactive", 10_000),
        UnitWorkload("C", "preventive", 10_000),
    ]
    plans = plan_units(units, policy)
    assert [p.unit for p in plans] == ["A", "B", "C"]
    for plan, share in zip(plans, (0.30, 0.35, 0.40), strict=True):
        assert plan.proactive_share == share
        assert plan.obligated_fte == pytest.approx(10_000 / 1698)
        assert plan.workload_fte == pytest.approx(10_000 / 1698 / (1 - share - 0.05))
        assert plan.fte == plan.workload_fte  # cap not enforced by default
        assert plan.officers == math.ceil(plan.workload_fte)
        assert plan.committed_share == pytest.approx(10_000 / (plan.officers * 1698))
        assert plan.cap_violated == (plan.committed_share > 0.60)
    assert plans[0].officers <= plans[1].officers <= plans[2].officers
    assert plans[0].workload_fte < plans[2].workload_fte


def test_plan_units_flags_and_can_enforce_the_cap() -> None:
    # 5,500 h / 1,698 h = 3.24 obligated FTE; / 0.65 = 4.98 -> 5 officers, 64.8 % committed.
    policy = StaffingPolicy(availability=PUBLISHED_AVAILABILITY)
    flagged = plan_units([UnitWorkload("X", "full_spectrum", 5_500)], policy)[0]
    assert flagged.officers == 5
    assert flagged.cap_violated
    assert flagged.committed_share == pytest.approx(5_500 / (5 * 1698))

    enforced = plan_units(
        [UnitWorkload("X", "full_spectrum", 5_500)],
        StaffingPolicy(availability=PUBLISHED_AVAILABILITY, enforce_cap=True),
    )[0]
    assert enforced.cap_fte == pytest.approx(5_500 / (0.6 * 1698))
    assert enforced.fte == enforced.cap_fte > enforced.workload_fte
    assert enforced.officers == 6
    assert not enforced.cap_violated
    assert enforced.committed_share <= 0.60


def test_plan_units_by_shift_applies_the_relief_factor() -> None:
    policy = StaffingPolicy(availability=PUBLISHED_AVAILABILITY)
    unit = UnitWorkload(
        "S1", "full_spectrum", 14_500, hours_by_shift=(("day", 6_000), ("evening", 5_500), ("night", 3_000))
    )
    (plan,) = plan_units([unit], policy)
    relief = policy.relief_factor
    assert [s.shift for s in plan.shifts] == ["day", "evening", "night"]
    # exact shift rosters add up to the unit's exact FTE
    assert sum(s.officers_exact for s in plan.shifts) == pytest.approx(plan.workload_fte)
    for s in plan.shifts:
        fte = s.obligated_hours / 1698 / 0.65
        assert s.officers_exact == pytest.approx(fte)
        assert s.on_duty_exact == pytest.approx(fte / relief)
        assert s.on_duty == math.ceil(s.on_duty_exact)
        assert s.officers == math.ceil(s.on_duty * relief)
        assert s.committed_share == pytest.approx(s.obligated_hours / (s.officers * 1698))
    # day: 6,000 h -> 5.44 FTE -> 3.16 on duty -> 4 posts x 1.72 = 6.88 -> 7 officers
    assert (plan.shifts[0].on_duty, plan.shifts[0].officers) == (4, 7)
    assert (plan.shifts[2].on_duty, plan.shifts[2].officers) == (2, 4)
    # rounding shift by shift never needs fewer officers than rounding the unit once
    assert plan.shift_officers >= plan.officers


def test_min_on_duty_staffs_quiet_shifts() -> None:
    policy = StaffingPolicy(availability=PUBLISHED_AVAILABILITY, min_on_duty=2)
    unit = UnitWorkload("Q", "preventive", 300, hours_by_shift=(("day", 200), ("night", 100)))
    (plan,) = plan_units([unit], policy)
    assert all(s.on_duty == 2 for s in plan.shifts)
    assert all(s.officers == math.ceil(2 * policy.relief_factor) for s in plan.shifts)
    assert plan.officers == 1  # the unit-level figure stays workload-based


def test_proactive_shares_are_configurable() -> None:
    policy = StaffingPolicy(availability=PUBLISHED_AVAILABILITY, proactive_shares={"full_spectrum": 0.5})
    (plan,) = plan_units([UnitWorkload("A", "full_spectrum", 1698)], policy)
    assert plan.proactive_share == 0.5
    assert plan.workload_fte == pytest.approx(1 / 0.45)
    with pytest.raises(ValueError, match="no proactive share configured for station type 'preventive'"):
        plan_units([UnitWorkload("B", "preventive", 100)], policy)


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheduled_hours": 0}, "scheduled_hours must be > 0"),
        ({"leave_hours": -1}, "leave_hours must be >= 0"),
        ({"scheduled_hours": 100, "sick_hours": 100}, "must be less than scheduled_hours"),
        ({"court_hours": math.nan}, "court_hours must be finite"),
    ],
)
def test_availability_validation(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Availability(**kwargs)


def test_workload_validation() -> None:
    with pytest.raises(ValueError, match="proactive_share \\+ admin_share must be < 1"):
        workload_fte(100, 1698, proactive_share=0.7, admin_share=0.3)
    with pytest.raises(ValueError, match="obligated_hours must be >= 0"):
        workload_fte(-1, 1698)
    with pytest.raises(ValueError, match="available_hours must be > 0"):
        workload_fte(1, 0)
    with pytest.raises(ValueError, match="cap must be in"):
        committed_time(1, 1, 1698, cap=0)


def test_unit_and_policy_validation() -> None:
    with pytest.raises(ValueError, match="unknown station type 'mobile'"):
        UnitWorkload("A", "mobile", 100)
    with pytest.raises(ValueError, match="hours_by_shift add up to 90 h but obligated_hours is 100 h"):
        UnitWorkload("A", "proactive", 100, hours_by_shift=(("day", 50), ("night", 40)))
    with pytest.raises(ValueError, match="shift names must be unique"):
        UnitWorkload("A", "proactive", 100, hours_by_shift=(("day", 50), ("day", 50)))
    with pytest.raises(ValueError, match="unknown station type 'mobile' in proactive_shares"):
        StaffingPolicy(proactive_shares={"mobile": 0.3})
    with pytest.raises(ValueError, match="committed_cap must be in"):
        StaffingPolicy(committed_cap=1.5)
    with pytest.raises(ValueError, match="listed twice"):
        plan_units([UnitWorkload("A", "proactive", 1), UnitWorkload("A", "proactive", 2)])
    with pytest.raises(ValueError, match="shift_hours must be at most 24"):
        shift_relief_factor(1698, shift_hours=25)


def test_round_up_ignores_float_fuzz() -> None:
    assert round_up(0.1 * 3 / 0.3) == 1
    assert round_up(2.0000000000004) == 2
    assert round_up(2.01) == 3
    assert round_up(0.0) == 0


@given(
    hours=st.floats(0, 1e6),
    net=st.floats(500, 3000),
    proactive=st.floats(0, 0.6),
    admin=st.floats(0, 0.3),
)
def test_total_fte_keeps_the_configured_shares_free(
    hours: float, net: float, proactive: float, admin: float
) -> None:
    result = workload_fte(hours, net, proactive_share=proactive, admin_share=admin)
    assert result.total_fte * (1 - proactive - admin) == pytest.approx(result.obligated_fte, abs=1e-9)
    assert result.total_fte >= result.obligated_fte
    assert result.officers >= result.total_fte - 1e-6
    if result.total_fte > 0:
        share = committed_time(hours, result.total_fte, net).share
        assert share == pytest.approx(1 - proactive - admin)
