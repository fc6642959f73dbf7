"""Independent checks of a roster against the hard rules (no solver involved).

:func:`violations` reads assignments and reports every broken hard rule by code; the
solver never relies on it, so tests use it to check the solver, the unmet-need explainer
uses it to say why a person could not have been added, and :func:`check_swap` uses it to
refuse a swap that breaks a rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from jingwu.engine.roster.model import Assignment, RosterProblem, Staff
from jingwu.engine.roster.reasons import rule_name


@dataclass(frozen=True)
class Violation:
    rule: str
    staff: str
    day: int | None


class RosterRuleError(ValueError):
    """A change refused because it breaks a hard rule; ``rule`` is the reason code."""

    def __init__(self, rule: str, staff: str, day: int | None, message: str, message_zh: str):
        super().__init__(message)
        self.rule, self.staff, self.day, self.message_zh = rule, staff, day, message_zh


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int]]:
    """(start, length) of each maximal run of ``value``."""
    out, start = [], None
    for d, f in enumerate([*flags, not value]):
        if f == value and start is None:
            start = d
        elif f != value and start is not None:
            out.append((start, d - start))
            start = None
    return out


def staff_violations(
    problem: RosterProblem, person: Staff, days: dict[int, str], zones: dict[int, str] | None = None
) -> list[Violation]:
    """Hard-rule violations of one person's roster ``days`` (day -> shift code)."""
    out: list[Violation] = []
    pid, horizon = person.id, problem.horizon
    minutes = {s.code: s.minutes for s in problem.shifts}
    leave = {lv.day for lv in problem.leave if lv.staff == pid}
    for d, code in sorted(days.items()):
        if d in leave:
            out.append(Violation("leave", pid, d))
        if not person.may_work(code):
            out.append(Violation("shift_not_allowed", pid, d))
        if zones is not None and zones.get(d) not in person.zones:
            out.append(Violation("zone", pid, d))
    for first, gap, second, rule in problem.forbidden_pairs():
        for d, code in days.items():
            if code == first and days.get(d + gap) == second:
                out.append(Violation(rule, pid, d + gap))
    counts: dict[str, int] = {}
    for code in days.values():
        counts[code] = counts.get(code, 0) + 1
    for code, cap in person.max_shifts.items():
        if counts.get(code, 0) > cap:
            out.append(Violation("max_shifts", pid, None))
    total = sum(minutes[c] for c in days.values())
    if person.max_minutes is not None and total > person.max_minutes:
        out.append(Violation("max_minutes", pid, None))
    if total < person.min_minutes:
        out.append(Violation("min_minutes", pid, None))
    if person.max_week_minutes is not None:
        for week in problem.weeks():
            if sum(minutes[days[d]] for d in week if d in days) > person.max_week_minutes:
                out.append(Violation("max_week_minutes", pid, week[0]))
    work = [d in days for d in range(horizon)]
    for start, length in _runs(work, True):
        if person.max_consecutive is not None and length > person.max_consecutive:
            out.append(Violation("max_consecutive", pid, start))
        inner = start > 0 and start + length < horizon
        if inner and length < person.min_consecutive:
            out.append(Violation("min_consecutive", pid, start))
    for start, length in _runs(work, False):
        inner = start > 0 and start + length < horizon
        if inner and length < person.min_consecutive_off:
            out.append(Violation("min_consecutive_off", pid, start))
    if person.max_weekends is not None:
        worked = sum(1 for wk in problem.weekends() if any(d in days for d in wk))
        if worked > person.max_weekends:
            out.append(Violation("max_weekends", pid, None))
    return out


def violations(problem: RosterProblem, assignments: Iterable[Assignment]) -> list[Violation]:
    """Every hard-rule violation in ``assignments`` (one shift a day, zones, staff rules)."""
    staff = {p.id: p for p in problem.staff}
    days: dict[str, dict[int, str]] = {p.id: {} for p in problem.staff}
    zones: dict[str, dict[int, str]] = {p.id: {} for p in problem.staff}
    out: list[Violation] = []
    for a in assignments:
        if a.staff not in staff:
            raise ValueError(f"assignment of unknown staff {a.staff!r}")
        if a.day in days[a.staff]:
            out.append(Violation("busy_elsewhere", a.staff, a.day))
        days[a.staff][a.day] = a.shift
        zones[a.staff][a.day] = a.zone
    for pid, person in staff.items():
        out.extend(staff_violations(problem, person, days[pid], zones[pid]))
    return out


def check_swap(
    problem: RosterProblem, assignments: Iterable[Assignment], a: str, b: str, day: int
) -> list[Assignment]:
    """Swap what staff ``a`` and ``b`` do on ``day`` (a shift each, or one of them off).

    Returns the new assignments, or raises :class:`RosterRuleError` naming the first hard
    rule the swap breaks for either person (rules already broken before are ignored)."""
    current = list(assignments)
    before = {(v.rule, v.staff, v.day) for v in violations(problem, current)}
    swapped = []
    for x in current:
        if x.day == day and x.staff in (a, b):
            other = b if x.staff == a else a
            swapped.append(Assignment(other, x.day, x.shift, x.zone))
        else:
            swapped.append(x)
    for v in violations(problem, swapped):
        if (v.rule, v.staff, v.day) not in before and v.staff in (a, b):
            raise RosterRuleError(
                v.rule,
                v.staff,
                v.day,
                f"Swap refused for {v.staff} on day {day}: it breaks the rule: {rule_name(v.rule, 'en')}",
                f"{v.staff}第{day}天换班被拒绝：违反规则“{rule_name(v.rule, 'zh')}”",
            )
    return swapped
