"""Point events in space and time: the input of the near-repeat and hot-spot engines.

Coordinates are metres in a projected (planar) coordinate system, times are days as
floating-point numbers counted from any origin; :func:`day_number` counts them from
1970-01-01 on the local wall clock, so that day ``d`` covers ``[d, d + 1)`` and a date
without a time of day is the whole number ``d``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

EPOCH = dt.datetime(1970, 1, 1)


def day_number(value: dt.date | dt.datetime) -> float:
    """Days since 1970-01-01 00:00 of a local date or wall-clock time (any time zone is ignored:
    police records are kept in local time)."""
    if isinstance(value, dt.datetime):
        naive = value.replace(tzinfo=None)
        return (naive - EPOCH).total_seconds() / 86400.0
    return float(value.toordinal() - EPOCH.toordinal())


def day_date(day: float) -> dt.date:
    """The calendar date of a day number."""
    return dt.date.fromordinal(int(np.floor(day)) + EPOCH.toordinal())


def _column(name: str, values) -> np.ndarray:
    try:
        a = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a sequence of numbers") from exc
    if a.ndim != 1:
        raise ValueError(f"{name} must be a one-dimensional sequence of numbers")
    if not np.all(np.isfinite(a)):
        bad = int(np.flatnonzero(~np.isfinite(a))[0])
        raise ValueError(f"{name}[{bad}] is not a finite number")
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Events:
    """Events at ``(x[i], y[i])`` (metres) at time ``t[i]`` (days). Read-only float arrays."""

    x: np.ndarray
    y: np.ndarray
    t: np.ndarray

    def __post_init__(self) -> None:
        x = _column("x", self.x)
        y = _column("y", self.y)
        t = _column("t", self.t)
        if not (len(x) == len(y) == len(t)):
            raise ValueError(f"x, y and t must have the same length, got {len(x)}, {len(y)} and {len(t)}")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "t", t)

    def __len__(self) -> int:
        return len(self.t)

    def select(self, mask: np.ndarray) -> Events:
        """The events where ``mask`` is true (a boolean array or indices)."""
        return Events(self.x[mask], self.y[mask], self.t[mask])

    def between(self, start: float, end: float) -> Events:
        """The events with ``start <= t < end``."""
        return self.select((self.t >= start) & (self.t < end))
