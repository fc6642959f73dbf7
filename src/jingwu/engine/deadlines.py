"""Case deadlines from a bureau's calendar: natural days or working days, with the
calendar's holidays (no work) and adjusted working days (调休, work on a weekend day).
No Django here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

# Stages of a case with a deadline, in order.
STAGES = ("filing", "first_action", "investigation", "review")


@dataclass(frozen=True)
class Limit:
    days: int
    working: bool  # counted in working days (else natural days)


# Days per case kind and stage: the filing decision within 3 working days of receiving the
# case, a first action the next day, the investigation within 60 days (criminal) or 30
# (administrative), the review of a solved file within 7 or 5 working days.
LIMITS: dict[str, dict[str, Limit]] = {
    "criminal": {
        "filing": Limit(3, True),
        "first_action": Limit(1, False),
        "investigation": Limit(60, False),
        "review": Limit(7, True),
    },
    "administrative": {
        "filing": Limit(3, True),
        "first_action": Limit(1, False),
        "investigation": Limit(30, False),
        "review": Limit(5, True),
    },
}


def is_working_day(
    day: dt.date, holidays: Collection[dt.date] = (), workdays: Collection[dt.date] = ()
) -> bool:
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def due_date(
    start: dt.date, limit: Limit, holidays: Collection[dt.date] = (), workdays: Collection[dt.date] = ()
) -> dt.date:
    """The last day of a limit counted from the day after ``start``; a natural-day limit
    that ends on a day off moves to the next working day (as legal time limits do)."""
    day = start
    if limit.working:
        left = limit.days
        while left > 0:
            day += dt.timedelta(days=1)
            if is_working_day(day, holidays, workdays):
                left -= 1
        return day
    day = start + dt.timedelta(days=limit.days)
    while not is_working_day(day, holidays, workdays):
        day += dt.timedelta(days=1)
    return day


def escalation_due(
    level: int, last: dt.date | None, overdue_since: dt.date, as_of: dt.date, every: int = 3
) -> bool:
    """Whether an overdue deadline escalates again on ``as_of``: at once when it first is
    overdue, then every ``every`` days while it stays overdue."""
    if level == 0:
        return as_of > overdue_since
    return last is not None and (as_of - last).days >= every
