"""Chinese public holidays (official day-off periods) as day flags."""

from __future__ import annotations

import datetime as dt

import numpy as np

# name -> (first day, length in days) per year, from the State Council's holiday notices.
_PERIODS: dict[str, tuple[tuple[dt.date, int], ...]] = {
    "new_year": (
        (dt.date(2016, 1, 1), 3),
        (dt.date(2016, 12, 31), 3),
        (dt.date(2017, 12, 30), 3),
        (dt.date(2018, 12, 30), 3),
    ),
    "spring_festival": ((dt.date(2016, 2, 7), 7), (dt.date(2017, 1, 27), 7), (dt.date(2018, 2, 15), 7)),
    "qingming": ((dt.date(2016, 4, 2), 3), (dt.date(2017, 4, 2), 3), (dt.date(2018, 4, 5), 3)),
    "labour_day": ((dt.date(2016, 4, 30), 3), (dt.date(2017, 4, 29), 3), (dt.date(2018, 4, 29), 3)),
    "dragon_boat": ((dt.date(2016, 6, 9), 3), (dt.date(2017, 5, 28), 3), (dt.date(2018, 6, 16), 3)),
    "mid_autumn": ((dt.date(2016, 9, 15), 3), (dt.date(2018, 9, 22), 3)),
    "national_day": ((dt.date(2016, 10, 1), 7), (dt.date(2017, 10, 1), 8), (dt.date(2018, 10, 1), 7)),
}
# Fallback for other years: fixed-date holidays only.
_FIXED = {"new_year": ((1, 1), 1), "labour_day": ((5, 1), 3), "national_day": ((10, 1), 7)}


def holiday_flags(start: dt.date, n_days: int) -> dict[str, np.ndarray]:
    """For each holiday name, a boolean array over the ``n_days`` days from ``start``."""
    end = start + dt.timedelta(days=n_days - 1)
    flags = {name: np.zeros(n_days, dtype=bool) for name in _PERIODS}
    years_known = {d.year for periods in _PERIODS.values() for d, _ in periods}
    for name, periods in _PERIODS.items():
        for first, length in periods:
            _mark(flags[name], start, first, length)
    for year in range(start.year, end.year + 1):
        if year in years_known:
            continue
        for name, ((m, d), length) in _FIXED.items():
            _mark(flags[name], start, dt.date(year, m, d), length)
    return flags


def _mark(arr: np.ndarray, start: dt.date, first: dt.date, length: int) -> None:
    i0 = (first - start).days
    lo, hi = max(i0, 0), min(i0 + length, len(arr))
    if lo < hi:
        arr[lo:hi] = True
