"""The due table (:class:`~.models.DueRow`): the inputs of the due list kept per premises.

The due list needs, per premises, the last visit of each element, the last visit, the
failed checklist items of the last two years and the incidents nearby in the last 180
days. Computing them reads every visit of the bureau and the incidents of half a year;
the table keeps them, computed for a data date, so a request only reads its rows.

A row is fresh when it was computed for the bureau's data date, under the bureau's
current stamp (a digest of the incidents in the risk window - how many, the last
changed - and of the category requirements), for the premises' current category and
place. Fresh rows are used as they are; the rest are recomputed (all of them in one
pass) and saved when read. A visit recorded (``do_record_visit``, ``do_submit_checklist``)
refreshes its premises' row in the same transaction; the sweep (:func:`sweep`, ``jingwu
inspections sweep``) refreshes a whole bureau, e.g. after an import moved its data date.
Overdue legal timers are not stored: they change with the hour and are counted when
read.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, Max, Sum

from jingwu.core.clock import data_date, day_bounds, zone
from jingwu.core.models import Bureau
from jingwu.engine import inspection_rules as rules
from jingwu.incidents.models import Incident
from jingwu.places.models import ElementRequirement, Premises

from .models import DueRow, Visit

#: Up to this many premises, the inputs are read for those premises only.
FEW = 500


def _incident_window(bureau: Bureau, today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return day_bounds(today - dt.timedelta(days=rules.INCIDENT_DAYS - 1), today, zone(bureau))


def stamp(bureau: Bureau, today: dt.date) -> str:
    """The digest of the bureau-wide inputs of the rows computed for ``today``."""
    start, end = _incident_window(bureau, today)
    inc = Incident.objects.filter(bureau=bureau, received_at__gte=start, received_at__lt=end).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    req = ElementRequirement.objects.filter(bureau=bureau).aggregate(
        n=Count("id"), total=Sum("visits_per_year"), last=Max("updated_at")
    )
    text = f"{today}|{inc['n']}|{inc['last']}|{req['n']}|{req['total']}|{req['last']}"
    return hashlib.sha256(text.encode()).hexdigest()


def _is_fresh(row: DueRow, p: Premises, today: dt.date, current: str) -> bool:
    return (
        row.as_of == today
        and row.stamp == current
        and row.category == p.category
        and row.lon == p.lon
        and row.lat == p.lat
    )


def _nearby(bureau: Bureau, group: Sequence[Premises], today: dt.date) -> list[int]:
    if not group:
        return []
    start, end = _incident_window(bureau, today)
    pad = 0.01
    lons = [p.lon for p in group]
    lats = [p.lat for p in group]
    points = Incident.objects.filter(
        bureau=bureau,
        received_at__gte=start,
        received_at__lt=end,
        lon__gte=min(lons) - pad,
        lon__lte=max(lons) + pad,
        lat__gte=min(lats) - pad,
        lat__lte=max(lats) + pad,
    ).values_list("lon", "lat")
    return rules.count_nearby([(p.lon, p.lat) for p in group], list(points))


def compute(bureau: Bureau, group: Sequence[Premises], today: dt.date, current: str) -> list[DueRow]:
    """The rows of ``group`` (premises of ``bureau``) computed for ``today`` (not saved)."""
    ids = [p.pk for p in group]
    visits = Visit.objects.filter(bureau=bureau, status="done", day__lte=today)
    if len(ids) <= FEW:
        visits = visits.filter(premises_id__in=ids)
    last: dict[int, dict[str, dt.date]] = defaultdict(dict)
    last_any: dict[int, dt.date] = {}
    failed: dict[int, int] = defaultdict(int)
    since = today - dt.timedelta(days=rules.FINDING_DAYS)
    for pid, day, elements, bad in visits.values_list("premises_id", "day", "elements", "failed_items"):
        seen = last[pid]
        for code in elements or []:
            if code not in seen or seen[code] < day:
                seen[code] = day
        if pid not in last_any or last_any[pid] < day:
            last_any[pid] = day
        if day > since:
            failed[pid] += bad
    near = _nearby(bureau, group, today)
    return [
        DueRow(
            bureau_id=bureau.pk,
            premises_id=p.pk,
            as_of=today,
            stamp=current,
            category=p.category,
            lon=p.lon,
            lat=p.lat,
            last_visits={k: v.isoformat() for k, v in sorted(last.get(p.pk, {}).items())},
            last_visit=last_any.get(p.pk),
            failed=failed.get(p.pk, 0),
            near=n,
        )
        for p, n in zip(group, near, strict=True)
    ]


def save(rows: Sequence[DueRow]) -> None:
    """Insert or replace the rows (one per premises)."""
    if rows:
        DueRow.objects.bulk_create(
            rows,
            batch_size=1000,
            update_conflicts=True,
            unique_fields=["bureau", "premises"],
            update_fields=[
                "as_of",
                "stamp",
                "category",
                "lon",
                "lat",
                "last_visits",
                "last_visit",
                "failed",
                "near",
                "updated_at",
            ],
        )


#: The fields a read needs, in the order of :func:`rows_for`'s query.
_READ = (
    "premises_id",
    "as_of",
    "stamp",
    "category",
    "lon",
    "lat",
    "last_visits",
    "last_visit",
    "failed",
    "near",
)


def rows_for(bureau: Bureau, group: Sequence[Premises], today: dt.date | None = None) -> dict[int, DueRow]:
    """premises id -> its fresh row, for the premises of ``group``; stale or missing rows are
    recomputed and saved. (Rows read are unsaved ``DueRow`` objects carrying the fields
    read, built without the model's per-row machinery: a county has thousands.)"""
    today = today or data_date(bureau)
    current = stamp(bureau, today)
    ids = [p.pk for p in group]
    stored = DueRow.objects.filter(bureau=bureau, as_of=today, stamp=current)
    if len(ids) <= FEW:
        stored = stored.filter(premises_id__in=ids)
    have = {}
    for values in stored.values_list(*_READ):
        r = DueRow.__new__(DueRow)
        r.__dict__.update(zip(_READ, values, strict=True))
        have[r.premises_id] = r
    stale = [p for p in group if p.pk not in have or not _is_fresh(have[p.pk], p, today, current)]
    if stale:
        fresh = compute(bureau, stale, today, current)
        save(fresh)
        have.update({r.premises_id: r for r in fresh})
    return {p.pk: have[p.pk] for p in group}


def refresh(premises_ids: Sequence[int], bureau: Bureau) -> int:
    """Recompute and save the rows of these premises (after a visit there was recorded)."""
    group = list(
        Premises.objects.filter(bureau=bureau, pk__in=list(premises_ids)).only(
            "id", "bureau_id", "category", "lon", "lat"
        )
    )
    today = data_date(bureau)
    rows = compute(bureau, group, today, stamp(bureau, today))
    save(rows)
    return len(rows)


def sweep(bureau: Bureau, *, everything: bool = False) -> dict:
    """Bring every active premises' row of the bureau up to date (``everything``: recompute
    fresh rows too, after visits were written around the services, e.g. a bulk load);
    drop rows of premises no longer active. Returns how many rows were recomputed, kept
    and dropped."""
    group = list(
        Premises.objects.filter(bureau=bureau, status="active").only(
            "id", "bureau_id", "category", "lon", "lat"
        )
    )
    today = data_date(bureau)
    current = stamp(bureau, today)
    have = {r.premises_id: r for r in DueRow.objects.filter(bureau=bureau)}
    stale = [
        p for p in group if everything or p.pk not in have or not _is_fresh(have[p.pk], p, today, current)
    ]
    save(compute(bureau, stale, today, current))
    active = {p.pk for p in group}
    gone = [pid for pid in have if pid not in active]
    DueRow.objects.filter(bureau=bureau, premises_id__in=gone).delete()
    return {"recomputed": len(stale), "kept": len(group) - len(stale), "dropped": len(gone)}


_day = functools.lru_cache(maxsize=4096)(dt.date.fromisoformat)


def due_today(row: DueRow, requirements: dict[str, int], today: dt.date, horizon_days: int):
    """The elements due of a row (states as of ``today``)."""
    last = {k: _day(v) for k, v in (row.last_visits or {}).items()}
    return rules.elements_due(requirements, last, today, horizon_days)
