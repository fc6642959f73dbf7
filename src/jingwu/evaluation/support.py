"""Early support: officers with rising complaints, overload or missed training, flagged
to their chief with the reasons (for support, not punishment).

The rules, on the bureau's data date ``D``:
- rising complaints: at least 2 substantiated complaints in the 90 days to ``D``, and more
  than in the 90 days before;
- missed training: no training day in the 180 days to ``D``, while the bureau recorded
  training in that period (a bureau that keeps no training records flags nobody);
- overload: night incidents (22:00 to 06:00, the bureau's time) of the last 30 days in
  the area the officer is posted to (grid, zone or station), per officer posted there,
  at least 5 and more than twice the bureau's median of that figure.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict

from django.db.models.functions import ExtractHour

from jingwu.core.clock import day_bounds, zone

COMPLAINT_DAYS, TRAINING_DAYS, OVERLOAD_DAYS = 90, 180, 30
NIGHT_HOURS = (22, 23, 0, 1, 2, 3, 4, 5)
OVERLOAD_MIN, OVERLOAD_FACTOR = 5.0, 2.0


def complaint_reason(recent: int, before: int) -> dict | None:
    if recent >= 2 and recent > before:
        return {"code": "complaints", "recent": recent, "before": before}
    return None


def overload_reasons(per_officer: dict[int, float]) -> dict[int, dict]:
    """Officer id -> reason, from each officer's night incidents per officer of their area."""
    if not per_officer:
        return {}
    median = statistics.median(per_officer.values())
    return {
        o: {"code": "overload", "night_incidents": round(v, 1), "median": round(median, 1)}
        for o, v in per_officer.items()
        if v >= OVERLOAD_MIN and v > OVERLOAD_FACTOR * median
    }


def _home(units, unit):
    for part in unit.path.strip("/").split("/"):
        anc = units.get(int(part))
        if anc is not None and anc.kind in ("station", "investigation_center", "prevention_center"):
            return anc
    return next(u for u in units.values() if u.kind == "headquarters")


def find_reasons(bureau, on: dt.date) -> tuple[dict[int, list[dict]], dict[int, object]]:
    """Officer id -> reasons, and officer id -> their chief's unit (station, center or headquarters)."""
    from jingwu.incidents.models import Incident
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Posting

    from .models import ConductRecord, TrainingDay

    units = {u.pk: u for u in Unit.objects.filter(bureau=bureau)}
    postings = list(
        Posting.objects.current(on).filter(bureau=bureau, officer__status="active").select_related("unit")
    )
    police = {p.officer_id for p in postings}
    home = {p.officer_id: _home(units, p.unit) for p in postings}
    reasons: dict[int, list[dict]] = defaultdict(list)

    recent = Counter()
    before = Counter()
    complaints = ConductRecord.objects.filter(
        bureau=bureau,
        kind="complaint",
        substantiated=True,
        day__gt=on - dt.timedelta(days=2 * COMPLAINT_DAYS),
        day__lte=on,
    )
    for officer_id, day in complaints.values_list("officer_id", "day"):
        (recent if day > on - dt.timedelta(days=COMPLAINT_DAYS) else before)[officer_id] += 1
    for o in police:
        r = complaint_reason(recent[o], before[o])
        if r:
            reasons[o].append(r)

    since = on - dt.timedelta(days=TRAINING_DAYS)
    trained = TrainingDay.objects.filter(bureau=bureau, day__gt=since, day__lte=on)
    if trained.exists():
        have = set(trained.values_list("officer_id", flat=True))
        for p in postings:
            if p.officer_id not in have and p.officer.kind == "police":
                reasons[p.officer_id].append({"code": "training", "days": TRAINING_DAYS})

    start, end = day_bounds(on - dt.timedelta(days=OVERLOAD_DAYS - 1), on, zone(bureau))
    night = (
        Incident.objects.filter(bureau=bureau, received_at__gte=start, received_at__lt=end)
        .annotate(h=ExtractHour("received_at", tzinfo=zone(bureau)))
        .filter(h__in=NIGHT_HOURS)
    )
    by_grid = Counter(night.exclude(grid=None).values_list("grid_id", flat=True))
    by_zone = Counter(night.exclude(zone=None).values_list("zone_id", flat=True))
    by_station = Counter(night.exclude(station=None).values_list("station_id", flat=True))
    posted = Counter(p.unit_id for p in postings)
    per_officer = {}
    for p in postings:
        count = {"grid": by_grid, "zone": by_zone, "station": by_station}.get(p.unit.kind, Counter())[
            p.unit_id
        ]
        if p.unit.kind in ("grid", "zone", "station"):
            per_officer[p.officer_id] = count / posted[p.unit_id]
    for o, r in overload_reasons(per_officer).items():
        reasons[o].append(r)
    return dict(reasons), home


def describe(reason: dict) -> str:
    from django.utils.translation import gettext as _

    if reason["code"] == "complaints":
        return (
            _("%(recent)d substantiated complaints in the last 90 days (%(before)d in the 90 days before)")
            % reason
        )
    if reason["code"] == "training":
        return _("no training day in the last %(days)d days") % reason
    return (
        _("%(night_incidents)s night incidents per officer in the last 30 days (bureau median %(median)s)")
        % reason
    )
