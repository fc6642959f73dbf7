"""Records -> the engine's linkage inputs, and the engine's links -> rows (no user scope:
the job runs for its bureau after the service that started it authorised the user)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from jingwu.core import clock
from jingwu.engine import series as engine

# Categories linked into series: thefts, burglaries, vehicle thefts, robberies.
LINK_CATEGORIES = ("0101", "0102", "0103", "0105")
MAX_KM = 5.0
MAX_DAYS = 60.0
MAX_OPEN_LINKS = 1000  # the board's most probable open links kept per run
MIN_PROBABILITY = 0.02


def load_incidents(bureau, first_day: dt.date, last_day: dt.date):
    """The bureau's incidents to link in the window, as engine columns, and their series."""
    from jingwu.cases.models import SeriesIncident
    from jingwu.incidents.models import Incident

    tz = clock.zone(bureau)
    lo, hi = clock.day_bounds(first_day, last_day, tz)
    rows = list(
        Incident.objects.filter(
            bureau=bureau,
            received_at__gte=lo,
            received_at__lt=hi,
            category__code__in=LINK_CATEGORIES,
            lon__isnull=False,
            lat__isnull=False,
        )
        .order_by("received_at", "pk")
        .values_list("pk", "lon", "lat", "received_at", "category__code", "description")
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    x, y = engine.lonlat_to_km(np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
    # Local wall-clock seconds, so that hours and weekdays are the bureau's.
    t = np.array(
        [(r[3].astimezone(tz).replace(tzinfo=None) - dt.datetime(1970, 1, 1)).total_seconds() for r in rows]
    )
    cat = np.array([r[4] for r in rows], dtype="<U8")
    inc = engine.Incidents(ids, x, y, t, cat, cat, tuple(r[5] or "" for r in rows))
    series_of = np.full(len(ids), -1, dtype=np.int64)
    pos = {int(k): n for n, k in enumerate(ids.tolist())}
    for sid, iid in SeriesIncident.objects.filter(bureau=bureau, incident_id__in=ids.tolist()).values_list(
        "series_id", "incident_id"
    ):
        series_of[pos[iid]] = sid
    return inc, series_of
