"""The CP-SAT roster model: one shift a day per person, hard staff rules, soft coverage.

**Variables.** ``x[p, d, t, z]`` = person p works shift t on day d in zone z, created only
where it may be true (a zone of p's, a shift p may work, not on leave, not fixed off).

**Hard rules** (per person): at most one shift a day; forbidden successions (a shift's own
list, and the minimum rest between the end of one shift and the start of the next, over
one and two days, so a 24-hour duty is followed by its rest); at most ``max_shifts`` of
each type; total minutes in ``[min_minutes, max_minutes]``; minutes per calendar week;
at most ``max_consecutive`` working days in a row; no inner run of work shorter than
``min_consecutive`` or of rest shorter than ``min_consecutive_off`` (runs touching the
horizon's ends continue outside it and are exempt); at most ``max_weekends`` weekends
with any work.

**Soft goals** (minimised, integer weights): each person missing from a need costs its
``under_weight``, each extra person on a plain need its ``over_weight``; refused requests
their weight; the spread (most minus fewest) of nights, weekend days and holiday shifts
among a station's staff times ``Weights.nights/weekends/holidays``; members of a team
working a different shift from the team's shift that day (``Weights.team``); changes to
the previous roster inside a re-planned window (``Weights.change``).

**Parts.** Staff never cross stations, so the problem splits into independent parts
(zones linked by people who may work in both); each part is solved on its own with a
share of the time limit proportional to its size, the county roster being the union.

**Start.** Each part starts from :func:`greedy_start` (day by day, heaviest needs first,
the eligible people with the fewest minutes so far, every hard rule but the minimum run
lengths kept), passed to CP-SAT as a hint: on a county this matters more than anything
else when each station gets a few seconds.

**Explaining.** For a need left unmet, each eligible person is checked by
:mod:`.rules` for the rule that keeps them away (leave, busy elsewhere that day, rest,
hours, ...) and the most common reason is reported. When the hard rules themselves
cannot hold (e.g. minimum hours with too much leave), the model is solved again with one
assumption literal per person and rule, and CP-SAT's infeasible core names them.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

from ortools.sat.python import cp_model

from jingwu.engine.roster.model import (
    Assignment,
    Conflict,
    Need,
    Progress,
    Roster,
    RosterParams,
    RosterProblem,
    Staff,
    Unmet,
)
from jingwu.engine.roster.rules import staff_violations

_STATUS = {
    cp_model.OPTIMAL: "OPTIMAL",
    cp_model.FEASIBLE: "FEASIBLE",
    cp_model.INFEASIBLE: "INFEASIBLE",
    cp_model.MODEL_INVALID: "MODEL_INVALID",
    cp_model.UNKNOWN: "UNKNOWN",
}


@dataclass
class _Fix:
    """What a re-plan keeps: assignments outside the window are fixed, inside hinted."""

    window: tuple[int, int] | None = None
    previous: dict[tuple[str, int], tuple[str, str]] = field(default_factory=dict)


class _Callback(cp_model.CpSolverSolutionCallback):
    def __init__(self, params: RosterParams, offset: float):
        super().__init__()
        self._params, self._offset, self._start, self.count = params, offset, time.perf_counter(), 0
        self.stopped = False

    def on_solution_callback(self) -> None:
        self.count += 1
        if self._params.progress is None:
            return
        event = Progress(
            elapsed_s=self._offset + time.perf_counter() - self._start,
            objective=self.ObjectiveValue(),
            bound=self.BestObjectiveBound(),
            solutions=self.count,
        )
        if self._params.progress(event) is False:
            self.stopped = True
            self.StopSearch()


@lru_cache(maxsize=256)
def max_work_in_window(length: int, max_c: int, min_c: int, min_off: int) -> int:
    """The most working days in ``length`` consecutive days of a roster where runs of work
    last at most ``max_c`` days, and a run that starts and ends inside the window lasts at
    least ``min_c`` days (runs of days off: ``min_off``); runs touching the window's first
    or last day may continue outside it. Dynamic programme over (value, run, from start)."""
    best: dict[tuple[int, int, bool], int] = {(0, 1, True): 0}
    if max_c >= 1:
        best[1, 1, True] = 1
    for _ in range(length - 1):
        nxt: dict[tuple[int, int, bool], int] = {}

        def put(key: tuple[int, int, bool], val: int, nxt=nxt) -> None:
            if nxt.get(key, -1) < val:
                nxt[key] = val

        for (val, run, first), w in best.items():
            if val == 1:
                if run + 1 <= max_c:
                    put((1, run + 1, first), w + 1)
                if first or run >= min_c:
                    put((0, 1, False), w)
            else:
                put((0, min(run + 1, min_off), first), w)
                if (first or run >= min_off) and max_c >= 1:
                    put((1, 1, False), w + 1)
        best = nxt
    return max(best.values())


def eligible(problem: RosterProblem, need: Need) -> list[Staff]:
    """The staff who count for ``need`` (posted to its zone, with its skill or lead)."""
    out = []
    for p in problem.staff:
        if need.zone not in p.zones:
            continue
        if need.skill and need.skill not in p.skills:
            continue
        if need.lead and not p.lead:
            continue
        out.append(p)
    return out


def _parts(problem: RosterProblem) -> list[tuple[list[Staff], list[Need]]]:
    parent: dict[str, str] = {}

    def find(z: str) -> str:
        while parent.setdefault(z, z) != z:
            parent[z] = parent[parent[z]]
            z = parent[z]
        return z

    for p in problem.staff:
        for z in p.zones[1:]:
            parent[find(z)] = find(p.zones[0])
    groups: dict[str, tuple[list[Staff], list[Need]]] = {}
    for p in problem.staff:
        groups.setdefault(find(p.zones[0]), ([], []))[0].append(p)
    for n in problem.needs:
        groups.setdefault(find(n.zone), ([], []))[1].append(n)
    return [groups[k] for k in sorted(groups)]


class _Model:
    def __init__(
        self,
        problem: RosterProblem,
        staff: list[Staff],
        needs: list[Need],
        fix: _Fix,
        explain: bool,
        cuts: bool = True,
    ):
        self.problem, self.staff, self.needs, self.fix, self.cuts = problem, staff, needs, fix, cuts
        self.m = cp_model.CpModel()
        self.explain = explain
        self.assumptions: dict[cp_model.IntVar, tuple[str, str]] = {}
        self._enf: dict[tuple[str, str], cp_model.IntVar] = {}
        self.x: dict[tuple[str, int, str, str], cp_model.IntVar] = {}
        self.w: dict[tuple[str, int, str], list] = defaultdict(list)
        self.work: dict[tuple[str, int], list] = defaultdict(list)
        self.terms: dict[str, list] = defaultdict(list)
        self.under: dict[int, cp_model.IntVar] = {}
        self.mine: dict[str, list] = defaultdict(list)
        self._build()

    def enforce(self, pid: str, rule: str) -> list:
        if not self.explain:
            return []
        key = (pid, rule)
        if key not in self._enf:
            lit = self.m.NewBoolVar(f"a_{pid}_{rule}")
            self._enf[key] = lit
            self.assumptions[lit] = key
        return [self._enf[key]]

    def _add(self, expr, pid: str, rule: str) -> None:
        if isinstance(expr, bool | int):  # a constant comparison
            if expr:
                return
            ct = self.m.AddBoolOr([])  # cannot hold: false unless its rule is switched off
        else:
            ct = self.m.Add(expr)
        lits = self.enforce(pid, rule)
        if lits:
            ct.OnlyEnforceIf(lits)

    def _build(self) -> None:
        pr, m, H = self.problem, self.m, self.problem.horizon
        leave = {(lv.staff, lv.day) for lv in pr.leave}
        minutes = {s.code: s.minutes for s in pr.shifts}
        win = self.fix.window
        for p in self.staff:
            for d in range(H):
                if (p.id, d) in leave:
                    continue
                fixed = win is not None and not (win[0] <= d <= win[1])
                prev = self.fix.previous.get((p.id, d))
                for s in pr.shifts:
                    if not p.may_work(s.code):
                        continue
                    for z in p.zones:
                        if fixed and prev != (s.code, z):
                            continue
                        v = m.NewBoolVar(f"x_{p.id}_{d}_{s.code}_{z}")
                        self.x[p.id, d, s.code, z] = v
                        self.mine[p.id].append((d, s.code, v))
                        self.w[p.id, d, s.code].append(v)
                        self.work[p.id, d].append(v)
                        if fixed:
                            m.Add(v == 1)
                        elif prev is not None:
                            m.AddHint(v, int(prev == (s.code, z)))
                            if pr.weights.change:
                                self.terms["change"].append(
                                    pr.weights.change * (1 - v)
                                    if prev == (s.code, z)
                                    else pr.weights.change * v
                                )
                        elif win is not None and pr.weights.change:
                            self.terms["change"].append(pr.weights.change * v)
        # One shift a day; day-level work literal.
        wd: dict[tuple[str, int], object] = {}
        for p in self.staff:
            for d in range(H):
                vs = self.work.get((p.id, d), [])
                if len(vs) > 1:
                    m.AddAtMostOne(vs)
                wd[p.id, d] = sum(vs) if vs else 0
        self.wd = wd
        pairs = pr.forbidden_pairs()
        for p in self.staff:
            pid = p.id
            # Forbidden successions and rest.
            for a, gap, b, rule in pairs:
                for d in range(H - gap):
                    va, vb = self.w.get((pid, d, a)), self.w.get((pid, d + gap, b))
                    if va and vb:
                        self._add((sum(va) + sum(vb) <= 1), pid, rule)
            # Max shifts per type.
            for code, cap in p.max_shifts.items():
                vs = [v for _d, s, v in self.mine[pid] if s == code]
                if len(vs) > cap:
                    self._add((sum(vs) <= cap), pid, "max_shifts")
            total = sum(minutes[s] * v for _d, s, v in self.mine[pid])
            if p.max_minutes is not None:
                self._add((total <= p.max_minutes), pid, "max_minutes")
            if p.min_minutes:
                self._add((total >= p.min_minutes), pid, "min_minutes")
            if p.max_week_minutes is not None:
                for week in pr.weeks():
                    expr = [
                        minutes[s] * v for d in week for s in minutes for v in self.w.get((pid, d, s), [])
                    ]
                    if expr:
                        self._add((sum(expr) <= p.max_week_minutes), pid, "max_week_minutes")
            work = [wd[pid, d] for d in range(H)]
            if p.max_consecutive is not None and p.max_consecutive < H:
                k = p.max_consecutive
                for d in range(H - k):
                    self._add((sum(work[d : d + k + 1]) <= k), pid, "max_consecutive")
            self._min_runs(pid, work, p.min_consecutive, True, "min_consecutive")
            self._min_runs(pid, work, p.min_consecutive_off, False, "min_consecutive_off")
            if self.cuts and not self.explain:
                self._window_cuts(p, work)
            if p.max_weekends is not None:
                wks = []
                for days in pr.weekends():
                    vs = [v for d in days for v in self.work.get((pid, d), [])]
                    if not vs:
                        continue
                    b = m.NewBoolVar("")
                    m.AddMaxEquality(b, vs)
                    wks.append(b)
                if len(wks) > p.max_weekends:
                    self._add((sum(wks) <= p.max_weekends), pid, "max_weekends")
        if self.explain:
            return  # feasibility of the hard rules only
        self._objective()

    def _window_cuts(self, p: Staff, work: list) -> None:
        """Redundant cuts: the most days ``p`` can work in any window of L days given the
        run rules together (e.g. at most 5 in a row and at least 2 days off between runs
        allow at most 5 working days in any 7, where the rolling window alone allows 5.8
        to the linear relaxation). Only windows where this is tighter are added."""
        H = len(work)
        max_c = p.max_consecutive if p.max_consecutive is not None and p.max_consecutive < H else H
        if p.min_consecutive_off < 2 and p.min_consecutive < 2:
            return
        top = min(H, 2 * (max_c + p.min_consecutive_off) + 2)
        for length in range(2, top + 1):
            cap = max_work_in_window(length, max_c, p.min_consecutive, p.min_consecutive_off)
            if cap * (max_c + 1) >= length * max_c or cap >= length:
                continue  # no tighter than the rolling maximum
            for d in range(H - length + 1):
                expr = sum(work[d : d + length])
                if not isinstance(expr, int):
                    self.m.Add(expr <= cap)

    def _min_runs(self, pid: str, work: list, k: int, value: bool, rule: str) -> None:
        """Forbid an inner run of ``value`` shorter than ``k`` days."""
        H = len(work)
        for length in range(1, k):
            for start in range(1, H - length):
                end = start + length  # first day after the run; must be < H
                if end >= H:
                    continue
                # Pattern: not-value at start-1, value on start..end-1, not-value at end.
                # Forbidden: sum of "matches" == length + 2. Written as a linear cut.
                inside = work[start:end]
                if value:
                    expr = sum(inside) - work[start - 1] - work[end]
                    self._add((expr <= length - 1), pid, rule)
                else:
                    expr = work[start - 1] + work[end] - sum(inside)
                    self._add((expr <= 1), pid, rule)

    def _objective(self) -> None:
        pr, m = self.problem, self.m
        for i, n in enumerate(self.needs):
            people = eligible(pr, n)
            vs = [v for p in people for v in [self.x.get((p.id, n.day, n.shift, n.zone))] if v is not None]
            cnt = sum(vs) if vs else 0
            if n.count > 0 and n.under_weight:
                u = m.NewIntVar(0, n.count, f"under_{i}")
                m.Add(u >= n.count - cnt)
                self.under[i] = u
                self.terms["under"].append(n.under_weight * u)
            if n.kind == "plain" and n.over_weight and len(vs) > n.count:
                o = m.NewIntVar(0, len(vs) - n.count, f"over_{i}")
                m.Add(o >= cnt - n.count)
                self.terms["over"].append(n.over_weight * o)
        ids = {p.id for p in self.staff}
        for r in pr.requests:
            if r.staff not in ids:
                continue
            if r.shift is None:
                vs = self.work.get((r.staff, r.day), [])
            else:
                vs = self.w.get((r.staff, r.day, r.shift), [])
            if r.on:
                self.terms["requests"].append(r.weight * (1 - sum(vs)) if vs else r.weight)
            elif vs:
                self.terms["requests"].append(r.weight * sum(vs))
        wts = pr.weights
        night = {s.code for s in pr.shifts if s.night}
        weekend_days = {d for wk in pr.weekends() for d in wk}
        for name, weight, days, codes in (
            ("nights", wts.nights, range(pr.horizon), night),
            ("weekends", wts.weekends, sorted(weekend_days), None),
            ("holidays", wts.holidays, sorted(pr.holidays), None),
        ):
            if not weight or len(self.staff) < 2 or not days or (codes is not None and not codes):
                continue
            counts = []
            for p in self.staff:
                vs = [
                    v
                    for d in days
                    for s in pr.shifts
                    if codes is None or s.code in codes
                    for v in self.w.get((p.id, d, s.code), [])
                ]
                if not vs:
                    continue
                c = m.NewIntVar(0, len(days), "")
                m.Add(c == sum(vs))
                counts.append(c)
            if len(counts) < 2:
                continue
            hi, lo = m.NewIntVar(0, len(days), ""), m.NewIntVar(0, len(days), "")
            m.AddMaxEquality(hi, counts)
            m.AddMinEquality(lo, counts)
            self.terms[name].append(weight * (hi - lo))
        if wts.team:
            teams: dict[str, list[Staff]] = defaultdict(list)
            for p in self.staff:
                if p.team:
                    teams[p.team].append(p)
            for _team, members in teams.items():
                if len(members) < 2:
                    continue
                for d in range(pr.horizon):
                    for s in pr.shifts:
                        mv = [(p, self.w.get((p.id, d, s.code), [])) for p in members]
                        if not any(vs for _, vs in mv):
                            continue
                        tb = m.NewBoolVar("")
                        for _p, vs in mv:
                            dev = m.NewBoolVar("")
                            expr = sum(vs) if vs else 0
                            m.Add(dev >= tb - expr)
                            m.Add(dev >= expr - tb)
                            self.terms["team"].append(wts.team * dev)
        m.Minimize(sum(t for ts in self.terms.values() for t in ts))


def _solver(params: RosterParams, time_limit: float) -> cp_model.CpSolver:
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = max(0.05, time_limit)
    s.parameters.random_seed = params.seed
    s.parameters.num_workers = params.workers
    s.parameters.linearization_level = params.linearization_level
    for name in params.subsolvers:
        s.parameters.subsolvers.append(name)
    return s


def _conflicts(problem: RosterProblem, staff: list[Staff], fix: _Fix, params: RosterParams) -> list[Conflict]:
    mod = _Model(problem, staff, [], fix, explain=True)
    mod.m.AddAssumptions(list(mod.assumptions))
    s = _solver(params, max(1.0, params.time_limit_s / 4))
    s.parameters.num_workers = 1
    status = s.Solve(mod.m)
    if status != cp_model.INFEASIBLE:
        return []
    core = [
        mod.assumptions[mod.m.GetBoolVarFromProtoIndex(i)] for i in s.SufficientAssumptionsForInfeasibility()
    ]
    return [Conflict(pid, rule) for pid, rule in sorted(core)]


def start_as_roster(mod: _Model, params: RosterParams) -> tuple[cp_model.CpSolver, int]:
    """The model with every variable fixed to its hint: the start's objective, or
    INFEASIBLE when the start breaks a hard rule (then the part has no roster)."""
    s = _solver(params, max(1.0, params.time_limit_s / 10))
    s.parameters.fix_variables_to_their_hinted_value = True
    s.parameters.num_workers = 1
    return s, s.Solve(mod.m)


def greedy_start(problem: RosterProblem, staff: list[Staff], needs: list[Need]) -> list[Assignment]:
    """A quick roster that keeps the hard rules (except the minimum run lengths): day by
    day, the heaviest needs first, each filled by the eligible people with the fewest
    minutes (and nights, for a night) so far. Used as the solver's starting hint."""
    minutes = {s.code: s.minutes for s in problem.shifts}
    night = {s.code for s in problem.shifts if s.night}
    leave = {(lv.staff, lv.day) for lv in problem.leave}
    ids = {p.id for p in staff}
    pairs = problem.forbidden_pairs()
    weekend_of = {d: k for k, wk in enumerate(problem.weekends()) for d in wk}
    week_of = {d: k for k, wk in enumerate(problem.weeks()) for d in wk}
    sched: dict[str, dict[int, str]] = {p.id: {} for p in staff}
    used_min: Counter[str] = Counter()
    used_week: Counter[tuple[str, int]] = Counter()
    used_type: Counter[tuple[str, str]] = Counter()
    nights: Counter[str] = Counter()
    weekends: dict[str, set[int]] = defaultdict(set)
    out: list[Assignment] = []
    on: Counter[tuple[int, str, str, str | None, bool]] = Counter()

    def ok(p: Staff, d: int, t: str) -> bool:
        if (p.id, d) in leave or not p.may_work(t) or d in sched[p.id]:
            return False
        for a, gap, b, _rule in pairs:
            if b == t and sched[p.id].get(d - gap) == a:
                return False
        if p.max_shifts.get(t) is not None and used_type[p.id, t] + 1 > p.max_shifts[t]:
            return False
        if p.max_minutes is not None and used_min[p.id] + minutes[t] > p.max_minutes:
            return False
        if p.max_week_minutes is not None and used_week[p.id, week_of[d]] + minutes[t] > p.max_week_minutes:
            return False
        if p.max_consecutive is not None:
            run = 0
            while d - run - 1 in sched[p.id]:
                run += 1
            if run + 1 > p.max_consecutive:
                return False
        if p.max_weekends is not None and d in weekend_of:
            wk = weekends[p.id] | {weekend_of[d]}
            if len(wk) > p.max_weekends:
                return False
        return True

    by_day: dict[int, list[Need]] = defaultdict(list)
    for n in needs:
        by_day[n.day].append(n)
    for d in range(problem.horizon):
        for n in sorted(by_day.get(d, []), key=lambda n: (-n.under_weight, n.zone, n.shift)):
            key = (d, n.shift, n.zone, n.skill, n.lead)
            cands = [p for p in eligible(problem, n) if p.id in ids and ok(p, d, n.shift)]
            cands.sort(key=lambda p: (nights[p.id] if n.shift in night else 0, used_min[p.id], p.id))
            for p in cands[: max(0, n.count - on[key])]:
                a = Assignment(p.id, d, n.shift, n.zone)
                out.append(a)
                sched[p.id][d] = n.shift
                used_min[p.id] += minutes[n.shift]
                used_week[p.id, week_of[d]] += minutes[n.shift]
                used_type[p.id, n.shift] += 1
                nights[p.id] += n.shift in night
                if d in weekend_of:
                    weekends[p.id].add(weekend_of[d])
                on[d, n.shift, n.zone, None, False] += 1
                for sk in p.skills:
                    on[d, n.shift, n.zone, sk, False] += 1
                if p.lead:
                    on[d, n.shift, n.zone, None, True] += 1
    return out


def explain_need(
    problem: RosterProblem, need: Need, assignments: list[Assignment], fix: _Fix | None = None
) -> tuple[str, tuple[tuple[str, int], ...], int]:
    """(main reason, counts per reason, eligible staff) for a need left short."""
    people = eligible(problem, need)
    if not people:
        if not any(need.zone in p.zones for p in problem.staff):
            return "no_staff", (("no_staff", 0),), 0
        code = "no_lead" if need.lead else "no_skill"
        return code, ((code, 0),), 0
    days: dict[str, dict[int, str]] = defaultdict(dict)
    for a in assignments:
        days[a.staff][a.day] = a.shift
    leave = {(lv.staff, lv.day) for lv in problem.leave}
    win = fix.window if fix else None
    counts: Counter[str] = Counter()
    for p in people:
        sched = days.get(p.id, {})
        if sched.get(need.day) == need.shift and any(
            a.staff == p.id and a.day == need.day and a.zone == need.zone for a in assignments
        ):
            continue  # already counted
        if (p.id, need.day) in leave:
            counts["leave"] += 1
            continue
        if not p.may_work(need.shift):
            counts["shift_not_allowed"] += 1
            continue
        if win is not None and not (win[0] <= need.day <= win[1]):
            counts["fixed"] += 1
            continue
        if need.day in sched:
            counts["busy_elsewhere"] += 1
            continue
        before = {(v.rule, v.day) for v in staff_violations(problem, p, sched)}
        trial = dict(sched)
        trial[need.day] = need.shift
        new = [v.rule for v in staff_violations(problem, p, trial) if (v.rule, v.day) not in before]
        order = (
            "rest",
            "max_shifts",
            "max_minutes",
            "max_week_minutes",
            "max_consecutive",
            "max_weekends",
            "min_consecutive_off",
            "min_consecutive",
        )
        rule = next((r for r in order if r in new), None)
        counts[rule or "trade_off"] += 1
    if not counts:
        counts["trade_off"] += 1
    main = counts.most_common(1)[0][0]
    return main, tuple(sorted(counts.items())), len(people)


def solve_roster(
    problem: RosterProblem, params: RosterParams | None = None, *, _fix: _Fix | None = None
) -> Roster:
    """Solve ``problem`` (see the module docstring); the result lists every assignment,
    every need left short with its reason, and the conflicts if the hard rules cannot hold."""
    params = params or RosterParams()
    fix = _fix or _Fix()
    t0 = time.perf_counter()
    parts = _parts(problem)
    sizes = [max(1, len(st)) * problem.horizon for st, _ in parts]
    total_size = sum(sizes)
    assignments: list[Assignment] = []
    conflicts: list[Conflict] = []
    penalties: Counter[str] = Counter()
    statuses, objective, bound = [], 0.0, 0.0
    stopped = False
    for (staff, needs), size in zip(parts, sizes, strict=True):
        if not staff:
            for n in needs:
                if n.count and n.under_weight:
                    penalties["under"] += n.under_weight * n.count
            objective += sum(n.under_weight * n.count for n in needs)
            bound += sum(n.under_weight * n.count for n in needs)
            statuses.append("OPTIMAL")
            continue
        remaining = params.time_limit_s - (time.perf_counter() - t0)
        share = remaining * size / max(1, total_size)
        total_size -= size
        mod = _Model(problem, staff, needs, fix, explain=False, cuts=params.window_cuts)
        hinted = fix.window is None and params.greedy_hint
        if hinted:
            start = {(a.staff, a.day, a.shift, a.zone) for a in greedy_start(problem, staff, needs)}
            for key, v in mod.x.items():
                mod.m.AddHint(v, int(key in start))
        solver = _solver(params, share if not stopped else 0.05)
        cb = _Callback(params, time.perf_counter() - t0)
        status = solver.Solve(mod.m, cb)
        stopped = stopped or cb.stopped
        if hinted and status == cp_model.UNKNOWN:
            # no roster found in the time (a busy machine, a short limit): the rule-keeping
            # start is a roster too, better than none
            solver, status = start_as_roster(mod, params)
        name = _STATUS.get(status, "UNKNOWN")
        statuses.append(name)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            objective += solver.ObjectiveValue()
            bound += solver.BestObjectiveBound()
            for (pid, d, s, z), v in mod.x.items():
                if solver.BooleanValue(v):
                    assignments.append(Assignment(pid, d, s, z))
            for key, ts in mod.terms.items():
                penalties[key] += int(round(sum(solver.Value(t) for t in ts)))
        elif status == cp_model.INFEASIBLE:
            conflicts.extend(_conflicts(problem, staff, fix, params))
        if params.progress is not None and status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            event = Progress(time.perf_counter() - t0, objective, bound, cb.count)
            if params.progress(event) is False:
                stopped = True
    if "INFEASIBLE" in statuses:
        status = "INFEASIBLE"
    elif any(s in ("UNKNOWN", "MODEL_INVALID") for s in statuses):
        status = "UNKNOWN"
    elif all(s == "OPTIMAL" for s in statuses):
        status = "OPTIMAL"
    else:
        status = "FEASIBLE"
    feasible = status in ("OPTIMAL", "FEASIBLE")
    assignments.sort(key=lambda a: (a.day, a.shift, a.zone, a.staff))
    unmet = _unmet(problem, assignments, fix, params) if feasible else []
    return Roster(
        status=status,
        assignments=tuple(assignments),
        objective=objective if feasible else None,
        bound=bound if feasible else None,
        unmet=tuple(unmet),
        conflicts=tuple(conflicts),
        penalties=dict(penalties),
        fairness=fairness(problem, assignments) if feasible else {},
        wall_s=time.perf_counter() - t0,
        parts=len(parts),
        stopped=stopped,
    )


def _unmet(
    problem: RosterProblem, assignments: list[Assignment], fix: _Fix, params: RosterParams
) -> list[Unmet]:
    on: Counter[tuple[int, str, str, str | None, bool]] = Counter()
    staff = {p.id: p for p in problem.staff}
    for a in assignments:
        p = staff[a.staff]
        on[a.day, a.shift, a.zone, None, False] += 1
        for sk in p.skills:
            on[a.day, a.shift, a.zone, sk, False] += 1
        if p.lead:
            on[a.day, a.shift, a.zone, None, True] += 1
    out = []
    for n in problem.needs:
        have = on[n.day, n.shift, n.zone, n.skill, n.lead]
        if have >= n.count:
            continue
        if params.explain_unmet:
            main, reasons, m = explain_need(problem, n, assignments, fix)
        else:
            main, reasons, m = "trade_off", (), len(eligible(problem, n))
        out.append(Unmet(n, n.count - have, m, main, reasons))
    return out


def fairness(problem: RosterProblem, assignments: list[Assignment]) -> dict[str, int]:
    """Spread (most minus fewest, over staff who may work them) of nights, weekend days and
    holiday shifts, and the largest total minutes minus the smallest."""
    night = {s.code for s in problem.shifts if s.night}
    minutes = {s.code: s.minutes for s in problem.shifts}
    weekend = {d for wk in problem.weekends() for d in wk}
    keys = ("nights", "weekends", "holidays", "minutes")
    per: dict[str, Counter[str]] = {k: Counter() for k in keys}
    for a in assignments:
        if a.shift in night:
            per["nights"][a.staff] += 1
        if a.day in weekend:
            per["weekends"][a.staff] += 1
        if a.day in problem.holidays:
            per["holidays"][a.staff] += 1
        per["minutes"][a.staff] += minutes[a.shift]
    out = {}
    for k in keys:
        pool = [p.id for p in problem.staff if k != "nights" or any(p.may_work(c) for c in night)]
        vals = [per[k][pid] for pid in pool]
        out[k] = (max(vals) - min(vals)) if vals else 0
    return out


def resolve_window(
    problem: RosterProblem,
    previous: Roster,
    window: tuple[int, int],
    params: RosterParams | None = None,
) -> Roster:
    """Re-plan only days ``window[0]..window[1]`` (inclusive) of ``problem`` (which carries
    the change: a new leave, a new need, a request), keeping ``previous`` as it is outside
    the window and as the starting point inside it. With ``Weights.change`` the new roster
    also stays close to the old one inside the window."""
    lo, hi = window
    if not (0 <= lo <= hi < problem.horizon):
        raise ValueError(f"window {window} is outside the horizon 0..{problem.horizon - 1}")
    prev = {(a.staff, a.day): (a.shift, a.zone) for a in previous.assignments}
    leave = {(lv.staff, lv.day) for lv in problem.leave}
    clash = [k for k in prev if k in leave and not (lo <= k[1] <= hi)]
    if clash:
        pid, day = clash[0]
        raise ValueError(f"leave of {pid} on day {day} falls outside the window being re-planned {window}")
    return solve_roster(problem, params, _fix=_Fix(window=(lo, hi), previous=prev))


def changes(before: Roster, after: Roster) -> list[tuple[str, int, str | None, str | None]]:
    """(staff, day, old shift, new shift) for every day someone's duty changed."""
    a = {(x.staff, x.day): x.shift for x in before.assignments}
    b = {(x.staff, x.day): x.shift for x in after.assignments}
    return sorted((k[0], k[1], a.get(k), b.get(k)) for k in set(a) | set(b) if a.get(k) != b.get(k))


__all__ = ["changes", "eligible", "explain_need", "fairness", "resolve_window", "solve_roster"]
