"""Roster engine: hand-checked rosters, the named reason of every hard rule, re-planning."""

from __future__ import annotations

from pathlib import Path

import pytest

from jingwu.engine.roster import (
    Assignment,
    Leave,
    Need,
    Request,
    RosterParams,
    RosterProblem,
    RosterRuleError,
    ShiftType,
    Staff,
    Weights,
    changes,
    check_swap,
    describe,
    resolve_window,
    solve_roster,
    violations,
)
from jingwu.engine.roster.curtois import penalty, read, to_problem
from jingwu.engine.roster.templates import (
    PATTERNS,
    DutyPattern,
    pattern,
    pattern_assignments,
    validate_pattern,
)

DATA = Path(__file__).parent / "data" / "curtois"
D = ShiftType("D", 480, start_minute=8 * 60)
N = ShiftType("N", 720, start_minute=20 * 60, night=True)
FAST = RosterParams(time_limit_s=10, workers=1, seed=1)


def _set(roster):
    return {(a.staff, a.day, a.shift) for a in roster.assignments}


def test_tiny_roster_matches_the_hand_written_solution():
    # A may only work days; C is on leave on day 1 and asks not to work day 0; B works at
    # most two days running; a night ends at 08:00 so no day shift follows it (11 h rest).
    # By hand: nights must be B, B, C (C is away on day 1, B cannot do three in a row, C
    # would pay 5 on day 0); B's night forbids his day shift next morning, so A works
    # every day shift. Any other roster costs at least 1 (an extra person or the request).
    staff = (
        Staff("A", ("Z",), lead=True, shifts=frozenset({"D"})),
        Staff("B", ("Z",), max_consecutive=2),
        Staff("C", ("Z",)),
    )
    needs = tuple(Need(d, s, "Z", 1, under_weight=100, over_weight=1) for d in range(3) for s in ("D", "N"))
    problem = RosterProblem(
        horizon=3,
        shifts=(D, N),
        staff=staff,
        needs=needs,
        leave=(Leave("C", 1),),
        requests=(Request("C", 0, None, 5, on=False),),
        min_rest_minutes=11 * 60,
    )
    roster = solve_roster(problem, FAST)
    assert roster.status == "OPTIMAL"
    assert _set(roster) == {
        ("A", 0, "D"),
        ("A", 1, "D"),
        ("A", 2, "D"),
        ("B", 0, "N"),
        ("B", 1, "N"),
        ("C", 2, "N"),
    }
    assert roster.objective == 0
    assert roster.unmet == ()
    assert violations(problem, roster.assignments) == []


def _one(needs, horizon=3, shifts=(D,), leave=(), min_rest=0, **staff_kw):
    x = Staff("X", staff_kw.pop("zones", ("Z",)), **staff_kw)
    problem = RosterProblem(
        horizon=horizon,
        shifts=shifts,
        staff=(x,),
        needs=tuple(needs),
        leave=tuple(leave),
        min_rest_minutes=min_rest,
    )
    return problem, solve_roster(problem, FAST)


def _reason(roster, day=None, shift=None):
    unmet = [
        u
        for u in roster.unmet
        if (day is None or u.need.day == day) and (shift is None or u.need.shift == shift)
    ]
    assert len(unmet) == 1, roster.unmet
    return unmet[0].reason


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("leave", "leave"),
        ("no_staff", "no_staff"),
        ("no_skill", "no_skill"),
        ("no_lead", "no_lead"),
        ("shift_not_allowed", "shift_not_allowed"),
        ("rest", "rest"),
        ("max_shifts", "max_shifts"),
        ("max_minutes", "max_minutes"),
        ("max_week_minutes", "max_week_minutes"),
        ("max_consecutive", "max_consecutive"),
        ("max_weekends", "max_weekends"),
        ("min_consecutive", "min_consecutive"),
        ("min_consecutive_off", "min_consecutive_off"),
        ("busy_elsewhere", "busy_elsewhere"),
    ],
)
def test_each_hard_rule_names_its_reason(case, expected):
    three = [Need(d, "D", "Z", 1) for d in range(3)]
    if case == "leave":
        _, r = _one([Need(1, "D", "Z", 1)], leave=[Leave("X", 1)])
    elif case == "no_staff":
        _, r = _one([Need(1, "D", "Y", 1)])
    elif case == "no_skill":
        _, r = _one([Need(1, "D", "Z", 1, skill="hazardous_chemicals")])
    elif case == "no_lead":
        _, r = _one([Need(1, "D", "Z", 1, lead=True)])
    elif case == "shift_not_allowed":
        _, r = _shift_not_allowed()
    elif case == "rest":
        _, r = _one(
            [Need(0, "N", "Z", 1, under_weight=1000), Need(1, "D", "Z", 1, under_weight=100)],
            shifts=(D, N),
            min_rest=660,
        )
    elif case == "max_shifts":
        _, r = _one(three, max_shifts={"D": 2})
    elif case == "max_minutes":
        _, r = _one(three, max_minutes=960)
    elif case == "max_week_minutes":
        _, r = _one(three, max_week_minutes=960)
    elif case == "max_consecutive":
        _, r = _one(three, max_consecutive=2)
    elif case == "max_weekends":
        _, r = _one([Need(5, "D", "Z", 1), Need(12, "D", "Z", 1)], horizon=14, max_weekends=1)
    elif case == "min_consecutive":
        _, r = _one(
            [Need(2, "D", "Z", 1)], horizon=5, leave=[Leave("X", 1), Leave("X", 3)], min_consecutive=2
        )
    elif case == "min_consecutive_off":
        _, r = _one(
            [Need(0, "D", "Z", 1), Need(2, "D", "Z", 1), Need(4, "D", "Z", 1)],
            horizon=5,
            min_consecutive_off=2,
            max_consecutive=1,
        )
    elif case == "busy_elsewhere":
        _, r = _one(
            [Need(0, "D", "Z1", 1, under_weight=200), Need(0, "D", "Z2", 1, under_weight=100)],
            zones=("Z1", "Z2"),
        )
    assert r.feasible
    assert _reason(r) == expected


def _shift_not_allowed():
    x = Staff("X", ("Z",), shifts=frozenset({"D"}))
    problem = RosterProblem(horizon=3, shifts=(D, N), staff=(x,), needs=(Need(1, "N", "Z", 1),))
    return problem, solve_roster(problem, FAST)


def test_unmet_reason_counts_every_eligible_person():
    # Three people, one on leave, two already on the other shift: the need is short by one.
    staff = tuple(Staff(s, ("Z",)) for s in "ABC")
    problem = RosterProblem(
        horizon=1,
        shifts=(D, N),
        staff=staff,
        needs=(Need(0, "N", "Z", 2, under_weight=1000), Need(0, "D", "Z", 1, under_weight=100)),
        leave=(Leave("A", 0),),
    )
    roster = solve_roster(problem, FAST)
    (unmet,) = roster.unmet
    assert (unmet.need.shift, unmet.missing, unmet.eligible) == ("D", 1, 3)
    assert dict(unmet.reasons) == {"leave": 1, "busy_elsewhere": 2}
    assert unmet.reason == "busy_elsewhere"


def test_infeasible_hard_rules_name_the_person_and_rule():
    problem, r = _one([Need(0, "D", "Z", 1)], leave=[Leave("X", d) for d in range(3)], min_minutes=480)
    assert r.status == "INFEASIBLE"
    assert [(c.staff, c.rule) for c in r.conflicts] == [("X", "min_minutes")]


def test_reason_texts_in_both_languages():
    assert describe("leave", "en", n=2, m=5) == "2 of 5 eligible staff are on leave that day"
    assert describe("leave", "zh-hans", n=2, m=5) == "5名符合条件人员中有2名当天休假"
    with pytest.raises(ValueError, match="unknown reason"):
        describe("nope")


def test_bad_input_is_refused_with_the_rule_named():
    with pytest.raises(ValueError, match="length must be 1..1440"):
        ShiftType("X", 1500)
    with pytest.raises(ValueError, match="maximum minutes 100 below minimum 200"):
        Staff("A", ("Z",), max_minutes=100, min_minutes=200)
    with pytest.raises(ValueError, match="outside the horizon"):
        RosterProblem(horizon=3, shifts=(D,), staff=(Staff("A", ("Z",)),), leave=(Leave("A", 5),))
    with pytest.raises(ValueError, match="minimum rest needs every shift's start time"):
        RosterProblem(horizon=3, shifts=(ShiftType("D", 480),), staff=(), min_rest_minutes=600)


def _station():
    staff = tuple(Staff(f"S{i}", ("Z",), lead=i < 2, max_consecutive=5) for i in range(6))
    needs = tuple(Need(d, "D", "Z", 2) for d in range(7)) + tuple(
        Need(d, "D", "Z", 1, lead=True) for d in range(7)
    )
    return RosterProblem(horizon=7, shifts=(D, N), staff=staff, needs=needs, weights=Weights(change=1))


def test_resolve_window_keeps_the_rest_of_the_roster():
    problem = _station()
    first = solve_roster(problem, FAST)
    assert first.feasible and first.unmet == ()
    worker = next(a.staff for a in first.assignments if a.day == 3)
    changed = RosterProblem(**{**problem.__dict__, "leave": (Leave(worker, 3),)})
    second = resolve_window(changed, first, (2, 4), FAST)
    assert second.feasible and second.unmet == ()
    assert all(a.staff != worker or a.day != 3 for a in second.assignments)
    outside = {(a.staff, a.day, a.shift) for a in first.assignments if not 2 <= a.day <= 4}
    assert {(a.staff, a.day, a.shift) for a in second.assignments if not 2 <= a.day <= 4} == outside
    diff = changes(first, second)
    assert (worker, 3, "D", None) in diff
    assert all(2 <= day <= 4 for _s, day, _a, _b in diff)


def test_resolve_window_refuses_leave_outside_the_window():
    problem = _station()
    first = solve_roster(problem, FAST)
    worker = next(a.staff for a in first.assignments if a.day == 6)
    changed = RosterProblem(**{**problem.__dict__, "leave": (Leave(worker, 6),)})
    with pytest.raises(ValueError, match="outside the window"):
        resolve_window(changed, first, (0, 2), FAST)


def test_swap_that_breaks_rest_is_refused():
    staff = (Staff("A", ("Z",)), Staff("B", ("Z",)))
    problem = RosterProblem(horizon=2, shifts=(D, N), staff=staff, min_rest_minutes=660)
    roster = [Assignment("A", 0, "N", "Z"), Assignment("B", 1, "D", "Z")]
    with pytest.raises(RosterRuleError) as err:
        check_swap(problem, roster, "A", "B", 1)
    assert err.value.rule == "rest" and err.value.staff == "A"
    assert str(err.value) == "Swap refused for A on day 1: it breaks the rule: minimum rest between shifts"
    assert err.value.message_zh == "A第1天换班被拒绝：违反规则“班次间最短休息时间”"
    # Swapping day 0 instead gives B the night before his own day shift: refused for B.
    with pytest.raises(RosterRuleError, match="Swap refused for B"):
        check_swap(problem, roster, "A", "B", 0)
    ok = check_swap(problem, [Assignment("A", 0, "D", "Z")], "A", "B", 0)
    assert ok == [Assignment("B", 0, "D", "Z")]


def test_progress_reports_and_cancels():
    # Instance2 needs tens of seconds to reach its optimum, so the first roster found is
    # not proven optimal: cancelling there keeps that roster, marked as stopped and
    # feasible-not-optimal, with the open gap the progress event reported.
    inst = read(DATA / "Instance2.txt")
    seen = []

    def progress(event):
        seen.append(event)
        return False  # the cancel button, pressed at the first roster found

    roster = solve_roster(to_problem(inst), RosterParams(time_limit_s=120, workers=1, progress=progress))
    assert seen and seen[0].solutions == 1
    assert seen[0].objective > seen[0].bound
    assert roster.stopped
    assert roster.status == "FEASIBLE" and roster.feasible
    assert roster.objective == seen[0].objective == penalty(inst, roster.assignments)
    assert roster.bound < roster.objective


def test_an_uncancelled_solve_is_not_marked_stopped():
    seen = []
    roster = solve_roster(_station(), RosterParams(time_limit_s=10, workers=1, progress=seen.append))
    assert seen and not roster.stopped and roster.status == "OPTIMAL"


def test_stations_are_solved_as_separate_parts():
    a = RosterProblem(
        horizon=2,
        shifts=(D,),
        staff=(Staff("A", ("Z1",)), Staff("B", ("Z2",))),
        needs=(Need(0, "D", "Z1", 1), Need(0, "D", "Z2", 1), Need(1, "D", "Z3", 1)),
    )
    r = solve_roster(a, FAST)
    assert r.parts == 3
    assert {(x.staff, x.day) for x in r.assignments} >= {("A", 0), ("B", 0)}
    assert [(u.need.zone, u.reason) for u in r.unmet] == [("Z3", "no_staff")]


def test_templates_are_valid_and_impossible_ones_refused():
    assert {p.code for p in PATTERNS} >= {"day_night_2", "duty_24h_1on2off", "three_shift", "day_office"}
    lay = pattern_assignments(pattern("duty_24h_1on2off"), ["a", "b", "c"], 6)
    assert [lay.get(("a", d)) for d in range(6)] == ["duty24", None, None, "duty24", None, None]
    assert [lay.get(("b", d)) for d in range(6)] == [None, None, "duty24", None, None, "duty24"]
    with pytest.raises(ValueError, match="names unknown shift 'late'"):
        DutyPattern("x", "x", "x", (D,), ("D", "late"))
    with pytest.raises(ValueError, match="overlapping shifts"):
        DutyPattern("x", "x", "x", (ShiftType("L", 1440, start_minute=600), D), ("L", "D"))
    with pytest.raises(ValueError, match="only 0 minutes of rest"):
        validate_pattern(DutyPattern("x", "x", "x", (ShiftType("L", 1440, start_minute=480),), ("L",)), 720)


def test_instance1_parses_to_its_published_figures():
    inst = read(DATA / "Instance1.txt")
    # Curtois & Qu (2014), table of instances: Instance1 = 14 days, 8 staff, 1 shift type.
    assert (inst.horizon, len(inst.staff), len(inst.shifts)) == (14, 8, 1)
    assert inst.shifts[0] == ("D", 480, ())
    problem = to_problem(inst)
    assert len(problem.needs) == 14 and len(problem.leave) == 8 and len(problem.requests) == 26
    inst2 = read(DATA / "Instance2.txt")
    assert (inst2.horizon, len(inst2.staff), len(inst2.shifts)) == (14, 14, 2)


def test_bad_instance_text_is_refused():
    with pytest.raises(ValueError, match="no SECTION_HORIZON"):
        from jingwu.engine.roster.curtois import parse

        parse("SECTION_SHIFTS\nD,480,\n")


def test_fair_share_of_nights_outweighs_a_small_preference():
    # B asks for both nights (weight 1 each); with a fairness weight of 10 per night of
    # spread, A and B take one night each (spread 0, cost 1); without it B takes both.
    staff = (Staff("A", ("Z",)), Staff("B", ("Z",)))
    needs = tuple(Need(d, "N", "Z", 1, over_weight=5) for d in range(2))
    requests = tuple(Request("B", d, "N", 1) for d in range(2))
    plain = RosterProblem(horizon=2, shifts=(D, N), staff=staff, needs=needs, requests=requests)
    fair = RosterProblem(**{**plain.__dict__, "weights": Weights(nights=10)})
    r0, r1 = solve_roster(plain, FAST), solve_roster(fair, FAST)
    assert _set(r0) == {("B", 0, "N"), ("B", 1, "N")} and r0.fairness["nights"] == 2
    assert r1.fairness["nights"] == 0 and r1.objective == 1 and r1.penalties["nights"] == 0


def test_stable_teams_work_the_same_shift():
    # Two teams of two; each day one day shift and one night shift of two people. With a
    # team weight, each shift is one whole team; without it any mix costs the same.
    staff = tuple(Staff(f"{t}{i}", ("Z",), team=t) for t in "XY" for i in range(2))
    needs = tuple(Need(d, s, "Z", 2, over_weight=5) for d in range(3) for s in ("D", "N"))
    problem = RosterProblem(horizon=3, shifts=(D, N), staff=staff, needs=needs, weights=Weights(team=3))
    r = solve_roster(problem, FAST)
    assert r.objective == 0 and r.unmet == ()
    by = {(a.staff, a.day): a.shift for a in r.assignments}
    for d in range(3):
        assert by["X0", d] == by["X1", d] and by["Y0", d] == by["Y1", d] != by["X0", d]


def test_greedy_start_keeps_the_hard_rules():
    from jingwu.engine.roster.solve import greedy_start

    problem = _station()
    start = greedy_start(problem, list(problem.staff), list(problem.needs))
    assert start and violations(problem, start) == []
    # It fills the lead need first each day (weight order), then the plain need.
    leads = {p.id for p in problem.staff if p.lead}
    assert all(any(a.day == d and a.staff in leads for a in start) for d in range(7))


def test_the_start_is_a_roster_when_the_solver_finds_none_in_time():
    """A busy machine may give CP-SAT too little time for a first roster: the rule-keeping
    start, evaluated on the model, stands in (never no roster at all)."""
    from ortools.sat.python import cp_model

    from jingwu.engine.roster.solve import _Fix, _Model, greedy_start, start_as_roster

    problem = _station()
    staff, needs = list(problem.staff), list(problem.needs)
    start = greedy_start(problem, staff, needs)
    mod = _Model(problem, staff, needs, _Fix(), explain=False)
    keys = {(a.staff, a.day, a.shift, a.zone) for a in start}
    for key, v in mod.x.items():
        mod.m.AddHint(v, int(key in keys))
    solver, status = start_as_roster(mod, FAST)
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    assert {k for k, v in mod.x.items() if solver.BooleanValue(v)} == keys
    # a start that breaks a hard rule (the same person twice on a day) is no roster
    mod = _Model(problem, staff, needs, _Fix(), explain=False)
    for (pid, d, _sh, _z), v in mod.x.items():
        mod.m.AddHint(v, int(pid == "S0" and d == 0))
    assert start_as_roster(mod, FAST)[1] == cp_model.INFEASIBLE
