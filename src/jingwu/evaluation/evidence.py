"""Evidence beside each criterion, gathered from the records that exist.

For a file (an officer in a cycle), over the cycle's quarter (in the bureau's time zone):
- incidents: incidents received in the areas (grids, zones, stations) the officer was
  posted to in the quarter, and how many of them were cleared: the bureau's records
  name no officer on an incident, so the officer's area stands for their work;
- cases: cases owned by the units the officer was posted to, opened and closed in the
  quarter;
- commendations, complaints (substantiated ones counted) and discipline records of the
  officer (``ConductRecord``), dated in the quarter;
- training: training days recorded in the quarter (officer care), when that app records
  them;
- own: what the officer added to their file (``OwnEvidence``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q

from jingwu.core.clock import day_bounds, zone

from .choices import ConductKind, EvidenceSource


@dataclass
class Evidence:
    source: str
    figures: dict[str, int] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)


def quarter_days(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    first = dt.date(year, 3 * (quarter - 1) + 1, 1)
    nxt = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def _postings(officer, first: dt.date, last: dt.date):
    from jingwu.personnel.models import Posting

    return (
        Posting.objects.filter(bureau_id=officer.bureau_id, officer=officer, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .select_related("unit")
    )


def _area_q(units) -> Q | None:
    q = None
    for u in units:
        part = {"grid": Q(grid_id=u.pk), "zone": Q(zone_id=u.pk), "station": Q(station_id=u.pk)}.get(u.kind)
        if part is not None:
            q = part if q is None else (q | part)
    return q


def gather(n) -> dict[str, Evidence]:
    """The evidence of a file, by source (the criteria show the one their ``evidence`` names)."""
    from jingwu.cases.models import Case
    from jingwu.incidents.models import Incident

    from .models import ConductRecord, OwnEvidence

    cycle, officer = n.cycle, n.officer
    first, last = quarter_days(cycle.year, cycle.quarter)
    start, end = day_bounds(first, last, zone(cycle.bureau))
    units = [p.unit for p in _postings(officer, first, last)]
    out: dict[str, Evidence] = {s: Evidence(s) for s in EvidenceSource.values}

    area = _area_q(units)
    if area is not None:
        inc = Incident.objects.filter(
            area, bureau_id=cycle.bureau_id, received_at__gte=start, received_at__lt=end
        )
        agg = inc.aggregate(total=Count("pk"), cleared=Count("pk", filter=Q(cleared_at__isnull=False)))
        out["incidents"].figures = {"received": agg["total"], "cleared": agg["cleared"]}
    else:
        out["incidents"].figures = {"received": 0, "cleared": 0}

    unit_ids = [u.pk for u in units]
    cases = Case.objects.filter(bureau_id=cycle.bureau_id, owning_unit_id__in=unit_ids)
    out["cases"].figures = {
        "opened": cases.filter(opened_at__gte=start, opened_at__lt=end).count(),
        "closed": cases.filter(closed_at__gte=start, closed_at__lt=end).count(),
    }

    records = ConductRecord.objects.filter(
        bureau_id=cycle.bureau_id, officer=officer, day__gte=first, day__lte=last
    )
    for kind, source in (
        (ConductKind.COMMENDATION, "commendations"),
        (ConductKind.COMPLAINT, "complaints"),
        (ConductKind.DISCIPLINE, "discipline"),
    ):
        rows = [r for r in records if r.kind == kind]
        counted = [r for r in rows if r.substantiated]
        out[source].figures = {"count": len(counted)}
        if len(counted) != len(rows):
            out[source].figures["groundless"] = len(rows) - len(counted)
        out[source].items = [f"{r.day:%Y-%m-%d} {r.title}" for r in rows[:5]]

    out["training"].figures = {"days": training_days(officer, first, last)}
    own = OwnEvidence.objects.filter(nomination=n)
    out["own"].figures = {"count": own.count()}
    return out


def training_days(officer, first: dt.date, last: dt.date) -> int:
    """Training days of the officer in the period (officer care's records)."""
    from .models import TrainingDay

    return TrainingDay.objects.filter(
        bureau_id=officer.bureau_id, officer=officer, day__gte=first, day__lte=last
    ).count()
