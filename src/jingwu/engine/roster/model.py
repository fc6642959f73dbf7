"""Inputs and outputs of the roster engine: frozen dataclasses, validated on construction.

Days are numbered 0 .. horizon-1 from the first day of the roster (``start_weekday`` says
which weekday day 0 is, Monday = 0). Times are minutes. Every input is checked in
``__post_init__`` and a bad one raises :class:`ValueError` with a message that names the
field and the rule, so the app can show it and save nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

DAY = 1440


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


@dataclass(frozen=True)
class ShiftType:
    """A kind of shift. ``start_minute`` (after midnight) is optional: without it the rest
    rule cannot be computed and only ``forbidden_next`` applies (as in the Curtois & Qu
    format). A 24-hour duty is ``minutes=1440``. ``night`` marks shifts counted for the
    fair share of nights."""

    code: str
    minutes: int
    start_minute: int | None = None
    night: bool = False
    forbidden_next: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        _check(bool(self.code) and "|" not in self.code, f"shift code {self.code!r} must be non-empty")
        _check(
            0 < self.minutes <= DAY, f"shift {self.code}: length must be 1..1440 minutes, got {self.minutes}"
        )
        if self.start_minute is not None:
            _check(
                0 <= self.start_minute < DAY,
                f"shift {self.code}: start must be 0..1439 minutes after midnight, got {self.start_minute}",
            )
        object.__setattr__(self, "forbidden_next", frozenset(self.forbidden_next))


@dataclass(frozen=True)
class Staff:
    """One person on the roster and their hard limits (``None`` = no limit).

    ``zones`` are the zones this person may be posted to (the first is home). ``lead`` marks
    someone who may lead a zone's shift. ``shifts`` restricts the shift types they may
    work; ``max_shifts`` caps each type over the horizon. Minutes are over the whole
    horizon, ``max_week_minutes`` per calendar week (Monday to Sunday). ``min_consecutive``
    and ``min_consecutive_off`` apply to runs inside the horizon (a run touching its first
    or last day may be shorter: it continues outside)."""

    id: str
    zones: tuple[str, ...]
    skills: frozenset[str] = frozenset()
    lead: bool = False
    team: str | None = None
    shifts: frozenset[str] | None = None
    max_shifts: Mapping[str, int] = field(default_factory=dict)
    max_minutes: int | None = None
    min_minutes: int = 0
    max_week_minutes: int | None = None
    max_consecutive: int | None = None
    min_consecutive: int = 1
    min_consecutive_off: int = 1
    max_weekends: int | None = None

    def __post_init__(self) -> None:
        _check(bool(self.id), "staff id must be non-empty")
        object.__setattr__(self, "zones", tuple(self.zones))
        _check(len(self.zones) > 0, f"staff {self.id}: needs at least one zone")
        _check(len(set(self.zones)) == len(self.zones), f"staff {self.id}: zones repeat")
        object.__setattr__(self, "skills", frozenset(self.skills))
        if self.shifts is not None:
            object.__setattr__(self, "shifts", frozenset(self.shifts))
        object.__setattr__(self, "max_shifts", MappingProxyType(dict(self.max_shifts)))
        for code, cap in self.max_shifts.items():
            _check(cap >= 0, f"staff {self.id}: max shifts of {code} must be >= 0")
        _check(self.min_minutes >= 0, f"staff {self.id}: minimum minutes must be >= 0")
        if self.max_minutes is not None:
            _check(
                self.max_minutes >= self.min_minutes,
                f"staff {self.id}: maximum minutes {self.max_minutes} below minimum {self.min_minutes}",
            )
        if self.max_week_minutes is not None:
            _check(self.max_week_minutes >= 0, f"staff {self.id}: maximum minutes a week must be >= 0")
        if self.max_consecutive is not None:
            _check(self.max_consecutive >= 1, f"staff {self.id}: maximum consecutive days must be >= 1")
            _check(
                self.max_consecutive >= self.min_consecutive,
                f"staff {self.id}: maximum consecutive days below the minimum",
            )
        _check(self.min_consecutive >= 1, f"staff {self.id}: minimum consecutive days must be >= 1")
        _check(self.min_consecutive_off >= 1, f"staff {self.id}: minimum consecutive days off must be >= 1")
        if self.max_weekends is not None:
            _check(self.max_weekends >= 0, f"staff {self.id}: maximum weekends must be >= 0")

    def may_work(self, shift: str) -> bool:
        return (self.shifts is None or shift in self.shifts) and self.max_shifts.get(shift, 1) > 0


@dataclass(frozen=True)
class Need:
    """People wanted in ``zone`` on ``day`` for ``shift``.

    A plain need counts everyone posted there; with ``skill`` only those with the skill
    count (a special post), with ``lead=True`` only those who may lead (the zone's leader
    on duty). Coverage is soft: each person missing costs ``under_weight`` and each extra
    person ``over_weight`` (plain needs only), and every shortfall is reported with its
    reason. Give a large ``under_weight`` to make a need come first."""

    day: int
    shift: str
    zone: str
    count: int
    skill: str | None = None
    lead: bool = False
    under_weight: int = 1000
    over_weight: int = 0

    def __post_init__(self) -> None:
        _check(self.count >= 0, f"need {self.zone}/{self.day}/{self.shift}: count must be >= 0")
        _check(self.under_weight >= 0 and self.over_weight >= 0, "need weights must be >= 0")
        _check(not (self.lead and self.skill), "a need is either for a skill or for a lead, not both")

    @property
    def kind(self) -> str:
        return "lead" if self.lead else ("skill" if self.skill else "plain")


@dataclass(frozen=True)
class Leave:
    staff: str
    day: int


@dataclass(frozen=True)
class Request:
    """A preference: ``on=True`` asks for ``shift`` on ``day``, ``on=False`` asks not to work
    it (``shift=None`` means any shift). ``weight`` is the cost of refusing it."""

    staff: str
    day: int
    shift: str | None
    weight: int = 1
    on: bool = True

    def __post_init__(self) -> None:
        _check(self.weight >= 0, "request weight must be >= 0")
        _check(not (self.on and self.shift is None), "an on-request must name its shift")


@dataclass(frozen=True)
class Weights:
    """Weights of the soft goals besides coverage and requests (0 switches one off).

    ``nights``, ``weekends`` and ``holidays`` multiply the spread (most minus fewest) of
    each among the staff of a station; ``team`` is the cost per member per day working a
    different shift from their team; ``change`` the cost per assignment changed when a
    window is re-planned."""

    nights: int = 0
    weekends: int = 0
    holidays: int = 0
    team: int = 0
    change: int = 0

    def __post_init__(self) -> None:
        for name in ("nights", "weekends", "holidays", "team", "change"):
            _check(getattr(self, name) >= 0, f"weight {name} must be >= 0")


@dataclass(frozen=True)
class RosterProblem:
    horizon: int
    shifts: tuple[ShiftType, ...]
    staff: tuple[Staff, ...]
    needs: tuple[Need, ...] = ()
    leave: tuple[Leave, ...] = ()
    requests: tuple[Request, ...] = ()
    start_weekday: int = 0
    holidays: frozenset[int] = frozenset()
    min_rest_minutes: int = 0
    weights: Weights = Weights()

    def __post_init__(self) -> None:
        for name in ("shifts", "staff", "needs", "leave", "requests"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        _check(1 <= self.horizon <= 400, f"horizon must be 1..400 days, got {self.horizon}")
        _check(0 <= self.start_weekday <= 6, "start weekday must be 0 (Monday) .. 6 (Sunday)")
        _check(self.min_rest_minutes >= 0, "minimum rest must be >= 0 minutes")
        codes = [s.code for s in self.shifts]
        _check(len(codes) > 0, "at least one shift type is needed")
        _check(len(set(codes)) == len(codes), "shift codes repeat")
        for s in self.shifts:
            unknown = s.forbidden_next - set(codes)
            _check(not unknown, f"shift {s.code}: forbidden successors {sorted(unknown)} are not shifts")
        if self.min_rest_minutes:
            _check(
                all(s.start_minute is not None for s in self.shifts),
                "a minimum rest needs every shift's start time",
            )
        ids = [p.id for p in self.staff]
        _check(len(set(ids)) == len(ids), "staff ids repeat")
        known_staff, known_shift = set(ids), set(codes)
        for p in self.staff:
            bad = set(p.max_shifts) - known_shift
            _check(not bad, f"staff {p.id}: max shifts names unknown shifts {sorted(bad)}")
            if p.shifts is not None:
                _check(p.shifts <= known_shift, f"staff {p.id}: allowed shifts name unknown shifts")
        for n in self.needs:
            _check(0 <= n.day < self.horizon, f"need on day {n.day} is outside the horizon")
            _check(n.shift in known_shift, f"need names unknown shift {n.shift!r}")
        for lv in self.leave:
            _check(lv.staff in known_staff, f"leave for unknown staff {lv.staff!r}")
            _check(0 <= lv.day < self.horizon, f"leave of {lv.staff} on day {lv.day} is outside the horizon")
        for r in self.requests:
            _check(r.staff in known_staff, f"request of unknown staff {r.staff!r}")
            _check(0 <= r.day < self.horizon, f"request of {r.staff} on day {r.day} is outside the horizon")
            _check(r.shift is None or r.shift in known_shift, f"request names unknown shift {r.shift!r}")
        for d in self.holidays:
            _check(0 <= d < self.horizon, f"holiday {d} is outside the horizon")

    # -- helpers ---------------------------------------------------------------------
    def shift(self, code: str) -> ShiftType:
        for s in self.shifts:
            if s.code == code:
                return s
        raise KeyError(code)

    def weekday(self, day: int) -> int:
        return (self.start_weekday + day) % 7

    def weekends(self) -> list[tuple[int, ...]]:
        """Days of each weekend (Saturday and Sunday) that falls at least partly in the horizon."""
        out: dict[int, list[int]] = {}
        for d in range(self.horizon):
            wd = self.weekday(d)
            if wd >= 5:
                key = d - (wd - 5)  # the Saturday
                out.setdefault(key, []).append(d)
        return [tuple(v) for _, v in sorted(out.items())]

    def weeks(self) -> list[tuple[int, ...]]:
        """Days of each calendar week (Monday..Sunday) in the horizon."""
        out: dict[int, list[int]] = {}
        for d in range(self.horizon):
            out.setdefault((d + self.start_weekday) // 7, []).append(d)
        return [tuple(v) for _, v in sorted(out.items())]

    def forbidden_pairs(self) -> list[tuple[str, int, str, str]]:
        """``(first, gap_days, second, rule)``: working ``first`` on day d forbids ``second``
        on day d+gap_days (gap 1 or 2), by the shift's own list or the minimum rest."""
        out = []
        for a in self.shifts:
            for b in self.shifts:
                if b.code in a.forbidden_next:
                    out.append((a.code, 1, b.code, "rest"))
                    continue
                if not self.min_rest_minutes or a.start_minute is None or b.start_minute is None:
                    continue
                end = a.start_minute + a.minutes
                for gap in (1, 2):
                    if gap * DAY + b.start_minute - end < self.min_rest_minutes:
                        out.append((a.code, gap, b.code, "rest"))
        return out


@dataclass(frozen=True)
class Assignment:
    staff: str
    day: int
    shift: str
    zone: str


@dataclass(frozen=True)
class Progress:
    """What a running solve reports: seconds since the start, best objective and bound."""

    elapsed_s: float
    objective: float
    bound: float
    solutions: int


@dataclass(frozen=True)
class RosterParams:
    """``time_limit_s`` bounds the whole solve; ``seed`` fixes CP-SAT's randomness;
    ``workers`` CP-SAT threads; ``progress`` is called with a :class:`Progress` at each
    better roster and at the end of each part, and returning ``False`` stops the search
    (the best roster so far is kept): the job's cancel button."""

    time_limit_s: float = 10.0
    seed: int = 0
    workers: int = 2
    progress: Callable[[Progress], bool | None] | None = None
    explain_unmet: bool = True
    linearization_level: int = 1  # CP-SAT's; 2 gives stronger bounds on coverage models
    greedy_hint: bool = True  # start CP-SAT from a quick rule-keeping roster
    # CP-SAT's full-problem subsolvers (empty: its default portfolio). ("max_lp",) puts the
    # strongest linear relaxation in the search: on the Curtois & Qu benchmark it proves
    # the optimum where the default portfolio's bound stays far below it.
    subsolvers: tuple[str, ...] = ()
    window_cuts: bool = True  # redundant cuts from the run rules (see solve._window_cuts)

    def __post_init__(self) -> None:
        _check(self.time_limit_s > 0, "time limit must be > 0 seconds")
        _check(self.workers >= 1, "workers must be >= 1")
        object.__setattr__(self, "subsolvers", tuple(self.subsolvers))


@dataclass(frozen=True)
class Unmet:
    """A need left (partly) unmet: how many are missing and why.

    ``reason`` is the main reason code (see :mod:`.reasons`); ``reasons`` counts, for
    each code, how many of the ``eligible`` staff it kept away."""

    need: Need
    missing: int
    eligible: int
    reason: str
    reasons: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class Conflict:
    """A hard rule of one staff member that cannot hold (the roster is infeasible)."""

    staff: str
    rule: str


@dataclass(frozen=True)
class Roster:
    status: str  # OPTIMAL, FEASIBLE, INFEASIBLE, UNKNOWN
    assignments: tuple[Assignment, ...]
    objective: float | None
    bound: float | None
    unmet: tuple[Unmet, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    penalties: Mapping[str, int] = field(default_factory=dict)
    fairness: Mapping[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    parts: int = 1
    # True when the progress callback asked to stop (the job was cancelled): the roster is
    # the best found so far, and ``status`` is FEASIBLE unless optimality was already proven.
    stopped: bool = False

    @property
    def feasible(self) -> bool:
        return self.status in ("OPTIMAL", "FEASIBLE")

    def by_staff(self) -> dict[str, dict[int, Assignment]]:
        out: dict[str, dict[int, Assignment]] = {}
        for a in self.assignments:
            out.setdefault(a.staff, {})[a.day] = a
        return out
