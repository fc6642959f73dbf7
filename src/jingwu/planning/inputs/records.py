"""The incidents of the period and the key premises, located in the grids in force."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from jingwu.core.clock import day_bounds, zone

from .scoped import visible

#: Incidents fetched per round trip (a year of a county is tens of thousands).
INCIDENT_CHUNK = 5000
#: Premises that no longer operate are not inspected.
CLOSED_PREMISES_STATUS = "closed"


@dataclass
class Incidents:
    """The period's incidents located in a grid in force (arrays of equal length), and the rest counted."""

    grid: np.ndarray  # index into the grids
    category: np.ndarray
    received: np.ndarray  # datetime64[s], the bureau's local time
    lon: np.ndarray
    lat: np.ndarray
    criminal: np.ndarray
    dropped: int  # incidents outside every grid in force


@dataclass
class PremisesRecords:
    grid: np.ndarray  # index into the grids
    category: np.ndarray


def read_incidents(
    bureau, user, incidents_from: dt.date, incidents_to: dt.date, grid_index: dict[int, int]
) -> Incidents:
    """The incidents of the period (the bureau's local days); their times in its local time
    (hour-of-week demand peaks at its own hours)."""
    from jingwu.incidents.models import Incident

    tz = zone(bureau)
    start, end = day_bounds(incidents_from, incidents_to, tz)
    inc = (
        visible(Incident, user)
        .filter(bureau_id=bureau.pk, received_at__gte=start, received_at__lt=end)
        .values_list("grid_id", "category__code", "category__criminal", "received_at", "lon", "lat")
    )
    g_idx, cats, crim, when, lons, lats = [], [], [], [], [], []
    dropped = 0
    for grid_id, code, criminal, received, lon, lat in inc.iterator(chunk_size=INCIDENT_CHUNK):
        gi = grid_index.get(grid_id)
        if gi is None:
            dropped += 1
            continue
        g_idx.append(gi)
        cats.append(code)
        crim.append(bool(criminal))
        when.append(received.astimezone(tz).replace(tzinfo=None))
        lons.append(np.nan if lon is None else lon)
        lats.append(np.nan if lat is None else lat)
    return Incidents(
        grid=np.asarray(g_idx, dtype=np.int64),
        category=np.asarray(cats, dtype=str) if cats else np.zeros(0, dtype="<U4"),
        received=np.asarray(when, dtype="datetime64[s]"),
        lon=np.asarray(lons, dtype=float),
        lat=np.asarray(lats, dtype=float),
        criminal=np.asarray(crim, dtype=bool),
        dropped=dropped,
    )


def read_premises(bureau, user, grid_index: dict[int, int]) -> PremisesRecords:
    """The key premises still operating in a grid in force, with their category."""
    from jingwu.places.models import Premises

    rows = (
        visible(Premises, user)
        .filter(bureau_id=bureau.pk)
        .exclude(status=CLOSED_PREMISES_STATUS)
        .values_list("grid_id", "category")
    )
    p_idx, p_cat = [], []
    for grid_id, category in rows:
        gi = grid_index.get(grid_id)
        if gi is not None:
            p_idx.append(gi)
            p_cat.append(category)
    return PremisesRecords(
        grid=np.asarray(p_idx, dtype=np.int64),
        category=np.asarray(p_cat, dtype=str) if p_cat else np.zeros(0, dtype="<U16"),
    )
