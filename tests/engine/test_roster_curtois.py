"""The roster solver on the Curtois & Qu benchmark format, checked by an evaluator written
here from the format's definition (schedulingbenchmarks.org, instances 1-24; Curtois and
Qu 2014), independent of the engine's model, its rule checker and ``curtois.penalty``.

The definition, as the evaluator reads it:

* hard: at most one shift a day; no shift on a day off; a shift may not be followed next
  day by one of its listed successors; at most MaxShifts of each type; total minutes in
  [MinTotalMinutes, MaxTotalMinutes]; no run of working days longer than
  MaxConsecutiveShifts (the day before the horizon is a day off); no run of working days
  shorter than MinConsecutiveShifts and no run of days off shorter than
  MinConsecutiveDaysOff, except a run touching either end of the horizon (it is taken to
  continue outside it: requiring the minimum there too would make Instance2's optimum
  833, not the published 828); at most MaxWeekends weekends (Saturday and Sunday, the
  horizon starting on a Monday) with a shift on either day;
* objective: the weight of each on-request not granted, of each off-request granted, and
  per day and shift, (required - assigned) x under-weight or (assigned - required) x
  over-weight.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from jingwu.engine.roster import RosterParams, solve_roster, violations
from jingwu.engine.roster.curtois import parse, penalty, read, to_problem

DATA = Path(__file__).parent / "data" / "curtois"

# A week, two shift types (a night may not be followed by a day), two people.
TINY = """\
SECTION_HORIZON
7
SECTION_SHIFTS
D,480,
N,600,D
SECTION_STAFF
A,D=7|N=2,2880,1440,4,2,2,1
B,D=7|N=7,2400,960,3,1,1,1
SECTION_DAYS_OFF
A,2
B,5
SECTION_SHIFT_ON_REQUESTS
A,0,N,3
B,3,D,2
SECTION_SHIFT_OFF_REQUESTS
A,4,D,1
B,6,N,2
SECTION_COVER
0,D,1,100,1
1,D,1,100,1
2,D,1,100,1
3,D,1,100,1
4,D,1,100,1
5,D,1,100,1
6,D,1,100,1
0,N,1,100,1
1,N,1,100,1
2,N,0,100,1
3,N,0,100,1
4,N,0,100,1
5,N,1,100,1
6,N,1,100,1
"""


def evaluate(inst, grid: dict[str, dict[int, str]]) -> tuple[int, list[tuple[str, str, int | None]]]:
    """(objective, hard violations as (rule, staff, day)) of ``grid`` (staff -> day -> shift)."""
    horizon = inst.horizon
    length = {code: mins for code, mins, _nxt in inst.shifts}
    not_after = {code: set(nxt) for code, _mins, nxt in inst.shifts}
    off_days = {sid: set(days) for sid, days in inst.days_off}
    bad: list[tuple[str, str, int | None]] = []
    for sid, caps, max_min, min_min, max_c, min_c, min_off, max_wk in inst.staff:
        days = grid.get(sid, {})
        for d, code in days.items():
            if d in off_days.get(sid, set()):
                bad.append(("day_off", sid, d))
            if days.get(d + 1) in not_after[code]:
                bad.append(("rotation", sid, d + 1))
        for code in length:
            if sum(1 for c in days.values() if c == code) > caps.get(code, horizon):
                bad.append(("max_shifts", sid, None))
        total = sum(length[c] for c in days.values())
        if total > max_min:
            bad.append(("max_minutes", sid, None))
        if total < min_min:
            bad.append(("min_minutes", sid, None))
        # Maximal runs d..e of working days or of days off.
        d = 0
        while d < horizon:
            e = d
            while e + 1 < horizon and ((e + 1) in days) == (d in days):
                e += 1
            run, inner = e - d + 1, d > 0 and e < horizon - 1
            if d in days:
                if run > max_c:
                    bad.append(("max_consecutive", sid, d))
                if inner and run < min_c:
                    bad.append(("min_consecutive", sid, d))
            elif inner and run < min_off:
                bad.append(("min_days_off", sid, d))
            d = e + 1
        weekends = sum(1 for sat in range(5, horizon, 7) if sat in days or sat + 1 in days)
        if weekends > max_wk:
            bad.append(("max_weekends", sid, None))
    return objective(inst, grid), bad


def objective(inst, grid: dict[str, dict[int, str]]) -> int:
    cost = 0
    for sid, d, code, w in inst.on_requests:
        if grid.get(sid, {}).get(d) != code:
            cost += w
    for sid, d, code, w in inst.off_requests:
        if grid.get(sid, {}).get(d) == code:
            cost += w
    on: dict[tuple[int, str], int] = {}
    for days in grid.values():
        for d, code in days.items():
            on[d, code] = on.get((d, code), 0) + 1
    for d, code, req, w_under, w_over in inst.cover:
        have = on.get((d, code), 0)
        cost += w_under * max(0, req - have) + w_over * max(0, have - req)
    return cost


def _grid(assignments) -> dict[str, dict[int, str]]:
    out: dict[str, dict[int, str]] = {}
    for a in assignments:
        out.setdefault(a.staff, {})[a.day] = a.shift
    return out


# By hand: A works N, N, -, -, D, D, D and B works D, D, D, -, -, -, N. Every hard rule
# holds (A: 2640 minutes, runs of 2 and 3 days, 2 days off between, one weekend; B: 2040
# minutes, runs of 3 and 1, one weekend). Cost: A's off-request on day 4 granted 1, B's
# on-request for day 3 refused 2, B's off-request (N on day 6) granted 2, no D on day 3
# 100, no N on day 5 100: 205.
HAND = {"A": {0: "N", 1: "N", 4: "D", 5: "D", 6: "D"}, "B": {0: "D", 1: "D", 2: "D", 6: "N"}}


def test_tiny_instance_parses_to_the_written_figures():
    inst = parse(TINY)
    assert inst.horizon == 7
    assert inst.shifts == (("D", 480, ()), ("N", 600, ("D",)))
    assert inst.staff[0] == ("A", {"D": 7, "N": 2}, 2880, 1440, 4, 2, 2, 1)
    assert inst.days_off == (("A", (2,)), ("B", (5,)))
    assert inst.on_requests == (("A", 0, "N", 3), ("B", 3, "D", 2))
    assert len(inst.cover) == 14 and inst.cover[9] == (2, "N", 0, 100, 1)


def test_evaluator_matches_the_hand_computed_roster():
    inst = parse(TINY)
    assert evaluate(inst, HAND) == (205, [])
    # The engine's own recomputation and rule checker agree on the same roster.
    from jingwu.engine.roster import Assignment

    flat = [Assignment(s, d, c, "all") for s, days in HAND.items() for d, c in days.items()]
    assert penalty(inst, flat) == 205
    assert violations(to_problem(inst), flat) == []


def test_evaluator_names_each_broken_rule():
    inst = parse(TINY)
    # A also works D on day 2: her day off, right after a night, 3120 minutes, and it
    # leaves a single day off (day 3) between two runs.
    broken = {"A": {**HAND["A"], 2: "D"}, "B": HAND["B"]}
    cost, bad = evaluate(inst, broken)
    assert sorted(bad) == sorted(
        [("day_off", "A", 2), ("rotation", "A", 2), ("max_minutes", "A", None), ("min_days_off", "A", 3)]
    )
    # D on day 2 is now over-covered by one: +1.
    assert cost == 206
    # A single working day is too short for A (minimum 2) inside the horizon, but not on
    # its last day (the run continues outside); same for the single day off between them.
    edge = {"A": {0: "N", 1: "N", 4: "D", 6: "D"}, "B": HAND["B"]}
    assert sorted(evaluate(inst, edge)[1]) == [("min_consecutive", "A", 4), ("min_days_off", "A", 5)]


def _schedules(inst, sid: str) -> list[dict[int, str]]:
    """Every roster of one person that keeps the hard rules (per the evaluator)."""
    codes = [None] + [code for code, _m, _n in inst.shifts]
    out = []
    for combo in itertools.product(codes, repeat=inst.horizon):
        days = {d: c for d, c in enumerate(combo) if c is not None}
        _cost, bad = evaluate(inst, {sid: days})
        if not [b for b in bad if b[1] == sid]:
            out.append(days)
    return out


def test_solver_reaches_the_brute_force_optimum_of_the_tiny_instance():
    inst = parse(TINY)
    # Every pair of rule-keeping rosters (62 x 324): the cheapest is the optimum.
    best = min(
        objective(inst, {"A": a, "B": b})
        for a, b in itertools.product(_schedules(inst, "A"), _schedules(inst, "B"))
    )
    problem = to_problem(inst)
    roster = solve_roster(problem, RosterParams(time_limit_s=20, workers=1, seed=0))
    assert roster.status == "OPTIMAL"
    cost, bad = evaluate(inst, _grid(roster.assignments))
    assert bad == []
    assert roster.objective == cost == best == penalty(inst, roster.assignments)
    assert roster.bound == best


def _longest_allowed(length: int, max_c: int, min_c: int, min_off: int) -> int:
    """Most working days in a window, by trying every pattern (runs touching the window's
    ends may continue outside it)."""
    best = 0
    for flags in itertools.product((False, True), repeat=length):
        grid = {"P": {d: "D" for d in range(length) if flags[d]}}
        inst = parse(
            f"SECTION_HORIZON\n{length}\nSECTION_SHIFTS\nD,1,\nSECTION_STAFF\n"
            f"P,D={length},{length},0,{max_c},{min_c},{min_off},{length}\n"
        )
        if not evaluate(inst, grid)[1]:
            best = max(best, sum(flags))
    return best


@pytest.mark.parametrize(
    ("length", "rules", "expected"),
    [
        # At most 5 in a row, runs of work and of rest at least 2: 5 of any 7 days
        # (WWWWWOO), 6 of 8 (WOOWWWWW: the first run continues before the window).
        (7, (5, 2, 2), 5),
        (8, (5, 2, 2), 6),
        (11, (5, 2, 2), 9),
        # At most 4 in a row and 3 days off between runs: 4 of any 7 days.
        (7, (4, 1, 3), 4),
        # Without minimum runs, only the rolling maximum: 6 of 7 with at most 6 in a row.
        (7, (6, 1, 1), 6),
    ],
)
def test_window_cut_is_the_most_the_rules_allow(length, rules, expected):
    from jingwu.engine.roster.solve import max_work_in_window

    assert max_work_in_window(length, *rules) == expected == _longest_allowed(length, *rules)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "optimum"), [("Instance1", 607), ("Instance2", 828)])
def test_published_optimum_is_reached_and_proven(name, optimum):
    # Curtois & Qu (2014), table at schedulingbenchmarks.org: proven optimal values.
    inst = read(DATA / f"{name}.txt")
    params = RosterParams(time_limit_s=300, workers=2, seed=0, linearization_level=2, subsolvers=("max_lp",))
    roster = solve_roster(to_problem(inst), params)
    assert roster.status == "OPTIMAL"
    cost, bad = evaluate(inst, _grid(roster.assignments))
    assert bad == []
    assert roster.objective == roster.bound == cost == optimum
