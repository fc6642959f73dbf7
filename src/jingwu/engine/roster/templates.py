"""Duty patterns used in Chinese police stations, as data a bureau can copy and edit.

A :class:`DutyPattern` is a set of shift types and a rotation cycle (one entry per day:
a shift code or ``None`` for rest). The built-in ones are the common arrangements:

* ``day_office`` 常白班 - office day 08:30-17:30, Monday to Friday.
* ``day_night_2`` 两班倒(白夜休休) - 12-hour day 08:00-20:00 and night 20:00-08:00, cycle
  day, night, off, off (the four-team rotation of many urban stations).
* ``three_shift`` 三班倒 - 08:00-16:00, 16:00-24:00, 00:00-08:00 with two days off after
  each run of each shift (cycle of nine days).
* ``duty_24h_1on2off`` 24小时值班 做一休二 - a 24-hour duty from 08:00, then two days off.
* ``duty_24h_1on3off`` 做一休三 - a 24-hour duty, then three days off (rural stations).

:func:`pattern_assignments` lays a pattern over staff with staggered offsets (a start
roster, or a hint for the solver); :func:`validate_pattern` refuses impossible templates
with a message naming the rule (a shift longer than a day, a cycle naming an unknown
shift, a cycle whose rest is shorter than the rule).
"""

from __future__ import annotations

from dataclasses import dataclass

from jingwu.engine.roster.model import DAY, ShiftType


@dataclass(frozen=True)
class DutyPattern:
    code: str
    en: str
    zh: str
    shifts: tuple[ShiftType, ...]
    cycle: tuple[str | None, ...]
    weekdays_only: bool = False

    def __post_init__(self) -> None:
        validate_pattern(self)


def validate_pattern(p: DutyPattern, min_rest_minutes: int = 0) -> None:
    """Raise ValueError (message names the rule) if the pattern cannot be worked."""
    if not p.code:
        raise ValueError("duty pattern needs a code")
    if not p.cycle:
        raise ValueError(f"duty pattern {p.code}: the cycle is empty")
    codes = {s.code: s for s in p.shifts}
    if len(codes) != len(p.shifts):
        raise ValueError(f"duty pattern {p.code}: shift codes repeat")
    for s in p.shifts:
        if s.start_minute is None:
            raise ValueError(f"duty pattern {p.code}: shift {s.code} needs a start time")
    for i, c in enumerate(p.cycle):
        if c is not None and c not in codes:
            raise ValueError(f"duty pattern {p.code}: day {i + 1} of the cycle names unknown shift {c!r}")
    if all(c is None for c in p.cycle):
        raise ValueError(f"duty pattern {p.code}: the cycle has no working day")
    n = len(p.cycle)
    for i, c in enumerate(p.cycle):
        if c is None:
            continue
        a = codes[c]
        end = a.start_minute + a.minutes
        for gap in (1, 2):
            nxt = p.cycle[(i + gap) % n]
            if nxt is None:
                continue
            b = codes[nxt]
            rest = gap * DAY + b.start_minute - end
            if rest < 0:
                raise ValueError(
                    f"duty pattern {p.code}: shift {nxt} on cycle day {(i + gap) % n + 1} starts before "
                    f"shift {c} of day {i + 1} ends (overlapping shifts)"
                )
            if rest < min_rest_minutes:
                raise ValueError(
                    f"duty pattern {p.code}: only {rest} minutes of rest between {c} (day {i + 1}) and "
                    f"{nxt} (day {(i + gap) % n + 1}); the rule is {min_rest_minutes}"
                )


def _shift(code: str, start: str, hours: float, night: bool = False) -> ShiftType:
    h, m = (int(x) for x in start.split(":"))
    return ShiftType(code, int(hours * 60), start_minute=h * 60 + m, night=night)


PATTERNS: tuple[DutyPattern, ...] = (
    DutyPattern(
        "day_office",
        "Office day (Mon-Fri)",
        "常白班",
        (_shift("day", "08:30", 9),),
        ("day", "day", "day", "day", "day", None, None),
        weekdays_only=True,
    ),
    DutyPattern(
        "day_night_2",
        "Day and night, two off",
        "两班倒(白夜休休)",
        (_shift("day", "08:00", 12), _shift("night", "20:00", 12, night=True)),
        ("day", "night", None, None),
    ),
    DutyPattern(
        "three_shift",
        "Three shifts",
        "三班倒",
        (_shift("early", "08:00", 8), _shift("late", "16:00", 8), _shift("night", "00:00", 8, night=True)),
        ("early", "early", None, "late", "late", None, "night", "night", None),
    ),
    DutyPattern(
        "duty_24h_1on2off",
        "24-hour duty, two days off",
        "24小时值班(做一休二)",
        (_shift("duty24", "08:00", 24, night=True),),
        ("duty24", None, None),
    ),
    DutyPattern(
        "duty_24h_1on3off",
        "24-hour duty, three days off",
        "24小时值班(做一休三)",
        (_shift("duty24", "08:00", 24, night=True),),
        ("duty24", None, None, None),
    ),
)


def pattern(code: str) -> DutyPattern:
    for p in PATTERNS:
        if p.code == code:
            return p
    raise ValueError(f"unknown duty pattern {code!r}")


def pattern_assignments(
    p: DutyPattern, staff: list[str] | tuple[str, ...], horizon: int, start_weekday: int = 0
) -> dict[tuple[str, int], str]:
    """(staff, day) -> shift for ``staff`` rotating through ``p``, person i starting at cycle
    position i (so the teams of a rotation are staggered evenly)."""
    out = {}
    n = len(p.cycle)
    for i, sid in enumerate(staff):
        for d in range(horizon):
            if p.weekdays_only:
                code = p.cycle[(start_weekday + d) % 7] if n == 7 else p.cycle[d % n]
            else:
                code = p.cycle[(d + i) % n]
            if code is not None:
                out[sid, d] = code
    return out
