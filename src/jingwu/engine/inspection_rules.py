"""Due inspection work, legal timers and the risk score of key premises (framework-free).

- **Elements due.** A category requires each element ``visits_per_year`` times; the next
  visit for an element is due one interval (365 / visits a year, in days) after the last
  visit that covered it. Premises never inspected for an element are due now.
- **Legal timers.** Some obligations run on a clock set by an event: a hotel uploads each
  guest's registration within 24 hours; a precursor-chemical sale is reported within 5
  days (category 1) or 30 days (categories 2 and 3); ledgers are kept two years. A
  *deliver* timer is overdue when its deadline passes undelivered; a *keep* timer is
  breached when the record is found missing before its keep-until date.
- **Risk score** (0 to 100) from the time since the last visit, failed checklist items in
  the last two years, incidents nearby in the last 180 days and overdue timers; every
  point comes with its reason.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from jingwu.engine.vocab import _terms

TIMER_KINDS = _terms(
    ("guest_registration", "Hotel guest registration uploaded", "旅馆住宿登记信息上传"),
    ("precursor_sale_1", "Precursor-chemical sale reported (category 1)", "第一类易制毒化学品销售备案"),
    (
        "precursor_sale_23",
        "Precursor-chemical sale reported (categories 2 and 3)",
        "第二、三类易制毒化学品销售备案",
    ),
    ("ledger_kept", "Ledger kept", "台账留存"),
)

TIMER_STATES = _terms(
    ("open", "Running", "计时中"),
    ("overdue", "Overdue", "已超期"),
    ("done", "Done in time", "按时完成"),
    ("late", "Done late", "逾期完成"),
    ("keeping", "Being kept", "留存中"),
    ("kept", "Kept for the full term", "已满留存期"),
    ("missing", "Missing before its term", "留存期内缺失"),
)

# Timer states that alert the responsible zone.
ALERT_STATES = ("overdue", "missing")


@dataclass(frozen=True)
class TimerRule:
    mode: str  # "deliver" (done by the deadline) or "keep" (kept until the deadline)
    hours: int = 0  # for deliver timers
    years: int = 0  # for keep timers (calendar years)
    categories: tuple[str, ...] = ()  # premises categories the obligation applies to


TIMER_RULES: Mapping[str, TimerRule] = {
    "guest_registration": TimerRule("deliver", hours=24, categories=("hotel",)),
    "precursor_sale_1": TimerRule("deliver", hours=5 * 24, categories=("hazchem_user",)),
    "precursor_sale_23": TimerRule("deliver", hours=30 * 24, categories=("hazchem_user",)),
    "ledger_kept": TimerRule("keep", years=2, categories=("hotel", "hazchem_user", "entertainment")),
}


def deadline(kind: str, event_at: dt.datetime) -> dt.datetime:
    """When the obligation started at ``event_at`` ends."""
    rule = TIMER_RULES[kind]
    if rule.mode == "deliver":
        return event_at + dt.timedelta(hours=rule.hours)
    try:
        return event_at.replace(year=event_at.year + rule.years)
    except ValueError:  # 29 February: the term ends on the 28th
        return event_at.replace(year=event_at.year + rule.years, day=28)


def timer_state(
    kind: str, due_at: dt.datetime, done_at: dt.datetime | None, missing: bool, now: dt.datetime
) -> str:
    """The state of a timer at ``now`` (codes of :data:`TIMER_STATES`)."""
    if TIMER_RULES[kind].mode == "keep":
        if missing and done_at is not None and done_at < due_at:
            return "missing"
        return "kept" if now >= due_at or done_at is not None else "keeping"
    if done_at is not None:
        return "done" if done_at <= due_at else "late"
    return "overdue" if now > due_at else "open"


# --- elements due ----------------------------------------------------------------------

DUE_STATES = _terms(
    ("overdue", "Overdue", "已超期"),
    ("due", "Due soon", "即将到期"),
    ("later", "Not yet due", "未到期"),
)


@dataclass(frozen=True)
class ElementDue:
    element: str
    last_visit: dt.date | None
    due: dt.date
    state: str  # overdue | due | later
    days_over: int  # days past due (0 when not overdue)


def interval_days(visits_per_year: int) -> int:
    if visits_per_year < 1:
        raise ValueError("visits a year must be at least 1")
    return max(1, round(365 / visits_per_year))


def elements_due(
    requirements: Mapping[str, int],
    last_visits: Mapping[str, dt.date],
    today: dt.date,
    horizon_days: int = 30,
) -> list[ElementDue]:
    """Each required element with its next due day and state, soonest first.

    ``requirements`` maps element code -> visits a year; ``last_visits`` element code ->
    the last day a visit covered it. Due within ``horizon_days`` counts as "due".
    """
    out = []
    for element, per_year in requirements.items():
        last = last_visits.get(element)
        due = today if last is None else last + dt.timedelta(days=interval_days(per_year))
        if due < today:
            state = "overdue"
        elif due <= today + dt.timedelta(days=horizon_days):
            state = "due"
        else:
            state = "later"
        out.append(ElementDue(element, last, due, state, max(0, (today - due).days)))
    return sorted(out, key=lambda e: (e.due, e.element))


# --- risk ------------------------------------------------------------------------------

NEARBY_METRES = 300
INCIDENT_DAYS = 180
FINDING_DAYS = 730


@dataclass(frozen=True)
class RiskReason:
    code: str  # never_visited | since_visit | findings | incidents | timers
    value: int  # days, items, incidents or timers
    points: int


@dataclass(frozen=True)
class Risk:
    score: int
    level: str  # high | medium | low
    reasons: tuple[RiskReason, ...]


RISK_LEVELS = _terms(
    ("high", "High", "高"),
    ("medium", "Medium", "中"),
    ("low", "Low", "低"),
)


def risk_score(
    days_since_visit: int | None, failed_items: int, nearby_incidents: int, overdue_timers: int
) -> Risk:
    """0 to 100: up to 40 for time since the last visit (a year or never: 40), 30 for failed
    checklist items (6 each), 20 for incidents nearby (2 each), 10 for overdue timers (5 each)."""
    reasons = []
    if days_since_visit is None:
        reasons.append(RiskReason("never_visited", 0, 40))
    elif days_since_visit > 0:
        reasons.append(
            RiskReason("since_visit", days_since_visit, min(40, round(days_since_visit * 40 / 365)))
        )
    if failed_items > 0:
        reasons.append(RiskReason("findings", failed_items, min(30, 6 * failed_items)))
    if nearby_incidents > 0:
        reasons.append(RiskReason("incidents", nearby_incidents, min(20, 2 * nearby_incidents)))
    if overdue_timers > 0:
        reasons.append(RiskReason("timers", overdue_timers, min(10, 5 * overdue_timers)))
    reasons = [r for r in reasons if r.points > 0]
    score = sum(r.points for r in reasons)
    level = "high" if score >= 60 else "medium" if score >= 30 else "low"
    return Risk(score, level, tuple(sorted(reasons, key=lambda r: -r.points)))


_M_PER_DEG = 111_320.0


def count_nearby(
    places: Sequence[tuple[float, float]],
    points: Iterable[tuple[float, float]],
    metres: float = NEARBY_METRES,
) -> list[int]:
    """For each place (lon, lat), the number of points within ``metres`` (equirectangular)."""
    if not places:
        return []
    lat0 = math.radians(sum(p[1] for p in places) / len(places))
    kx = _M_PER_DEG * math.cos(lat0)
    cell = metres
    grid: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
    for lon, lat in points:
        x, y = lon * kx, lat * _M_PER_DEG
        grid[(int(x // cell), int(y // cell))].append((x, y))
    out = []
    r2 = metres * metres
    for lon, lat in places:
        x, y = lon * kx, lat * _M_PER_DEG
        cx, cy = int(x // cell), int(y // cell)
        n = 0
        for i in (cx - 1, cx, cx + 1):
            for j in (cy - 1, cy, cy + 1):
                for px, py in grid.get((i, j), ()):
                    if (px - x) ** 2 + (py - y) ** 2 <= r2:
                        n += 1
        out.append(n)
    return out


# --- who may inspect what ----------------------------------------------------------------

#: The officer skills (``vocab.SKILLS``) that qualify for each inspection element: internal
#: security is inspected by public-order and community officers.
ELEMENT_SKILLS: Mapping[str, frozenset[str]] = {
    "hazardous_chemicals": frozenset({"hazardous_chemicals"}),
    "security": frozenset({"public_order", "community_work"}),
    "floating_population": frozenset({"floating_population"}),
    "fire_safety": frozenset({"fire_safety"}),
    "public_order": frozenset({"public_order"}),
}

#: Opening hours (minutes after midnight) by premises category: the visit's time window.
OPENING_HOURS: Mapping[str, tuple[int, int]] = {
    "entertainment": (13 * 60, 24 * 60),
    "school": (8 * 60, 17 * 60),
    "financial": (9 * 60, 17 * 60),
    "hotel": (0, 24 * 60),
}
DEFAULT_HOURS = (8 * 60, 18 * 60)


def elements_of(skills: Iterable[str]) -> frozenset[str]:
    """The inspection elements an officer with ``skills`` covers."""
    held = set(skills)
    return frozenset(e for e, qualifying in ELEMENT_SKILLS.items() if held & qualifying)


def due_window(due: dt.date, start: dt.date, days: int, overdue_days: int = 7) -> tuple[int, int] | None:
    """The days (indices from ``start``) in which an element due on ``due`` is visited in a
    planning window of ``days`` days: overdue work and work due in the first week within
    the first week, work due later by its due day; None when it falls due after the window."""
    last = days - 1
    k = (due - start).days
    if k > last:
        return None
    return 0, min(last, max(k, overdue_days - 1))


# --- after the visit ---------------------------------------------------------------------

RECTIFY_DAYS = 15  # a failed item is put right within this many days; re-inspected the day after


@dataclass(frozen=True)
class LadderStep:
    kind: str  # warning | fine | suspension
    fine: int = 0  # yuan
    days: int = 0  # days suspended for rectification


DEFAULT_LADDER = (LadderStep("warning"), LadderStep("fine", fine=5000), LadderStep("suspension", days=15))


def parse_ladder(text: str) -> tuple[LadderStep, ...]:
    """``warning,fine:5000,suspension:15`` -> the ladder (each sanction in the last year
    moves a premises one step up)."""
    steps = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        kind, _sep, value = part.partition(":")
        if kind == "warning" and not value:
            steps.append(LadderStep("warning"))
        elif kind == "fine" and value.isdigit():
            steps.append(LadderStep("fine", fine=int(value)))
        elif kind == "suspension" and value.isdigit() and int(value) > 0:
            steps.append(LadderStep("suspension", days=int(value)))
        else:
            raise ValueError(f"sanction ladder: {part!r} is not warning, fine:<yuan> or suspension:<days>")
    if not steps:
        raise ValueError("the sanction ladder needs at least one step")
    return tuple(steps)


def ladder_step(ladder: Sequence[LadderStep], previous: int) -> tuple[int, LadderStep]:
    """The step (1-based) after ``previous`` sanctions in the last year: the top step repeats."""
    k = min(previous, len(ladder) - 1)
    return k + 1, ladder[k]
