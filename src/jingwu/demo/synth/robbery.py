"""Street-robbery series (抢劫抢夺系列案): a layer added on top of the county's incidents.

Each series is one offender's street robberies, like the theft series of incidents.py:
a random walk of places (``walk``), 2-7 days apart, in the offender's window of three
hours starting at 7, 8 or 9 p.m., one category (0105), in a town (not a preventive station). Its description is one of
the robbery texts every robbery draws from, and its modus operandi text is written by
``modus.modus_operandi`` from the offender's signature with the same noise and the same
pool as every other theft and robbery, so the text says no more than it does for them.

The layer has its own random streams and only adds incidents: every incident the county
had before keeps its columns, its text and its petitions (their indexes are moved to the
merged order), and is marked ``extra=False``; the loader numbers the added incidents and
their cases after the others (demo/load.py). So the rest of the demo is unchanged by it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from .common import Frame
from .geometry import Layout, StationPlan
from .incidents import _L, _SOURCES, DESCRIPTIONS, _status, _timings, walk
from .model import _COLUMNS, IncidentColumns, SeriesSpec
from .modus import modus_operandi
from .names import BulkNames

CATEGORY = "0105"
HOUR_FROM = (19, 21)  # an offender's window starts at 7, 8 or 9 p.m. and lasts three hours
WINDOW_HOURS = 3
LABEL = "夜间街头抢夺系列案"


def robbery_series(
    rng: np.random.Generator,
    mo_rng: np.random.Generator,
    n: int,
    incidents: IncidentColumns,
    series: list[SeriesSpec],
    petitions: tuple,
    plans: list[StationPlan],
    layout: Layout,
    frame: Frame,
    grid_codes: list[str],
    start: dt.date,
    end: dt.date,
) -> tuple[IncidentColumns, list[SeriesSpec], tuple]:
    """The county's incidents with ``n`` robbery series merged in (time order), the series
    specs with theirs appended, and the petitions with their incident indexes moved."""
    if n <= 0:
        return incidents, series, petitions
    n_days = (end - start).days + 1
    k0 = len(series)
    offenders = BulkNames().names(rng, n, female_share=0.05)
    towns = [s for s, p in enumerate(plans) if p.station_type != "preventive"]
    hh_station = layout.grid_station[np.maximum(layout.hh_grid, 0)]
    xs, secs, ks, specs = [], [], [], []
    for r in range(n):
        s = towns[int(rng.integers(len(towns)))]
        m = int(rng.integers(6, 13))
        first = int(rng.integers(60, n_days - 150))
        day = first + np.r_[0, np.cumsum(rng.integers(2, 8, m - 1))]
        pts = layout.hh_xy[hh_station == s]
        route = walk(rng, layout, pts[int(rng.integers(len(pts)))].copy(), m)
        hour = int(rng.integers(*HOUR_FROM, endpoint=True)) + rng.integers(0, WINDOW_HOURS, m)
        xs.append(route)
        secs.append(day * 86400 + hour * 3600 + rng.integers(0, 3600, m))
        ks.append(np.full(m, k0 + r))
        specs.append(
            SeriesSpec(
                f"SER{k0 + r + 1:02d}", f"{plans[s].short_zh}{LABEL}", offenders[r], CATEGORY, start, start
            )
        )
    xy, t, ser = np.concatenate(xs), np.concatenate(secs).astype(np.int64), np.concatenate(ks)
    grid = layout.locator.grid_of(xy)
    ok = grid >= 0  # a point exactly on the outline: dropped, as in incidents.py
    xy, t, ser, grid = xy[ok], t[ok], ser[ok], grid[ok]
    m = len(t)

    leaf = np.full(m, _L[CATEGORY], dtype=np.int64)
    source = np.where(rng.random(m) < 0.85, 0, 1)  # as for every series: mostly 110 calls
    st_type = np.array([p.station_type for p in plans])[layout.grid_station[grid]]
    dispatch, arrive, clear = _timings(rng, leaf, source, st_type)
    as_of = n_days * 86400
    status, dispatch, arrive, clear = _status(rng, t, dispatch, arrive, clear, as_of)
    texts = [k for k, d in enumerate(incidents.descriptions) if d in DESCRIPTIONS[CATEGORY]]
    n_rep = len(incidents.reporters)
    ll = frame.lonlat(xy)
    block = {
        "received": (np.datetime64(start, "s") + t.astype("timedelta64[s]")).astype("datetime64[s]"),
        "category": np.full(m, CATEGORY, dtype="<U4"),
        "source": np.array(_SOURCES, dtype="<U8")[source],
        "lon": ll[:, 0].astype(np.float64),
        "lat": ll[:, 1].astype(np.float64),
        "grid": np.array(grid_codes, dtype="<U16")[grid],
        "dispatch_s": dispatch.astype(np.int32),
        "arrive_s": arrive.astype(np.int32),
        "clear_s": clear.astype(np.int32),
        "status": status.astype(incidents.status.dtype),
        "address_idx": (grid * 6 + rng.integers(0, 6, m)).astype(np.int32),
        "description_idx": np.array(texts, dtype=np.int32)[rng.integers(0, len(texts), m)],
        "reporter_idx": np.minimum((n_rep * rng.random(m) ** 1.8).astype(np.int64), n_rep - 1).astype(
            np.int32
        ),
        "series": ser.astype(np.int32),
    }
    # The offender's signature, written with the same noise and pool as every other text.
    mo = modus_operandi(mo_rng, block["category"], ser - k0)

    # Merge in time order; the county's own incidents keep their order among themselves.
    n0 = len(incidents)
    merged = {c: np.concatenate([getattr(incidents, c), block[c]]) for c in _COLUMNS}
    order = np.argsort(merged["received"].astype(np.int64), kind="stable")
    merged = {c: a[order] for c, a in merged.items()}
    old_mo = incidents.mo or ("",) * n0
    all_mo = (*old_mo, *mo)
    extra = np.r_[incidents.is_extra, np.ones(m, dtype=bool)][order]
    out = dataclasses.replace(incidents, **merged, mo=tuple(all_mo[k] for k in order.tolist()), extra=extra)
    new_pos = np.empty(len(order), dtype=np.int64)
    new_pos[order] = np.arange(len(order))
    moved = tuple(
        dataclasses.replace(p, incident=int(new_pos[p.incident])) if p.incident >= 0 else p for p in petitions
    )
    for r, spec in enumerate(specs):  # every series keeps its incidents (they lie in the county)
        when = out.received[out.series == k0 + r]
        first_day = when.min().astype("datetime64[D]").astype(dt.date)
        last_day = when.max().astype("datetime64[D]").astype(dt.date)
        specs[r] = dataclasses.replace(spec, first=first_day, last=last_day)
    return out, [*series, *specs], moved
