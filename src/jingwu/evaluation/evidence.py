"""Evidence beside each criterion, gathered from the records that exist.

For a file (an officer in a cycle), over the cycle's quarter (in the bureau's time zone):
- incidents: incidents received in the areas (grids, zones, stations) the officer was
  posted to in the quarter, and how many of them were cleared: the bureau's records
  name no officer on an incident, so the officer's area stands for their work;
- cases: cases owned by the units the officer was posted to, opened and closed in the
  quarter;
- grid work: the officer's own entries in the grid work log (door-to-door visits and the
  households reached, patrols, premises checks, mediations) dated in the quarter;
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

    out["grid_work"] = grid_work(officer, first, last)

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


def grid_work(officer, first: dt.date, last: dt.date) -> Evidence:
    """The officer's grid work log in the period: counts by kind, households visited,
    hours, and the latest visits and mediations."""
    from django.db.models import Sum

    from jingwu.duty.models import GridWork

    rows = GridWork.objects.filter(
        bureau_id=officer.bureau_id, officer=officer, day__gte=first, day__lte=last
    )
    figures = {"visit": 0, "households": 0, "patrol": 0, "premises": 0, "mediation": 0, "hours": 0}
    minutes = 0
    for kind, n, households, mins in (
        rows.order_by().values_list("kind").annotate(Count("pk"), Sum("households"), Sum("minutes"))
    ):
        figures[kind] = n
        figures["households"] += households or 0
        minutes += mins or 0
    figures["hours"] = round(minutes / 60)
    items = [
        f"{w.day:%Y-%m-%d} {w.get_kind_display()} {w.note}".strip()
        for w in rows.filter(kind__in=("visit", "mediation")).order_by("-day", "-pk")[:5]
    ]
    return Evidence("grid_work", figures, items)


def grid_work_by_officer(rows) -> dict[int, dict]:
    """Grid work log rows (a queryset) summed per officer in one grouped query: officer id ->
    entries by kind (``visit``, ``patrol``...), ``households``, ``minutes`` and ``entries``."""
    from django.db.models import Sum

    out: dict[int, dict] = {}
    for officer_id, kind, n, households, minutes in (
        rows.order_by()
        .values_list("officer_id", "kind")
        .annotate(Count("pk"), Sum("households"), Sum("minutes"))
    ):
        f = out.setdefault(officer_id, {"minutes": 0, "households": 0, "entries": 0})
        f[kind] = n
        f["entries"] += n
        f["households"] += households or 0
        f["minutes"] += minutes or 0
    return out


def training_days(officer, first: dt.date, last: dt.date) -> int:
    """Training days of the officer in the period (officer care's records)."""
    from .models import TrainingDay

    return TrainingDay.objects.filter(
        bureau_id=officer.bureau_id, officer=officer, day__gte=first, day__lte=last
    ).count()


def gather_many(cycle, nominations=None) -> dict[int, dict[str, Evidence]]:
    """The evidence of many files of a cycle at once (file id -> as ``gather`` gives it),
    with a fixed number of grouped queries instead of a dozen per file."""

    from jingwu.cases.models import Case
    from jingwu.duty.models import GridWork
    from jingwu.incidents.models import Incident
    from jingwu.personnel.models import Posting

    from .models import ConductRecord, Nomination, OwnEvidence, TrainingDay

    bureau_id = cycle.bureau_id
    first, last = quarter_days(cycle.year, cycle.quarter)
    start, end = day_bounds(first, last, zone(cycle.bureau))
    files = list(
        (nominations if nominations is not None else Nomination.objects.filter(cycle=cycle))
        .order_by()  # the default ordering joins units, officers and cycles for nothing
        .values_list("pk", "officer_id")
    )
    officers = {o for _n, o in files}
    units: dict[int, list[tuple[int, str]]] = {}
    for officer_id, unit_id, kind in (
        Posting.objects.filter(bureau_id=bureau_id, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .values_list("officer_id", "unit_id", "unit__kind")
    ):
        if officer_id in officers:
            units.setdefault(officer_id, []).append((unit_id, kind))

    # incidents by (grid, zone, station): an officer's areas match a triple by any of the three
    triples = list(
        Incident.objects.filter(bureau_id=bureau_id, received_at__gte=start, received_at__lt=end)
        .order_by()
        .values_list("grid_id", "zone_id", "station_id")
        .annotate(total=Count("pk"), cleared=Count("pk", filter=Q(cleared_at__isnull=False)))
    )
    by_area: dict[tuple[str, int], list[int]] = {}
    for i, (g, z, s, _t, _c) in enumerate(triples):
        for kind, uid in (("grid", g), ("zone", z), ("station", s)):
            if uid is not None:
                by_area.setdefault((kind, uid), []).append(i)

    def case_counts(field):
        return dict(
            Case.objects.filter(bureau_id=bureau_id, **{f"{field}__gte": start, f"{field}__lt": end})
            .order_by()
            .values_list("owning_unit_id")
            .annotate(n=Count("pk"))
        )

    opened, closed = case_counts("opened_at"), case_counts("closed_at")

    conduct: dict[int, list] = {}
    for r in ConductRecord.objects.filter(bureau_id=bureau_id, day__gte=first, day__lte=last).order_by(
        "-day", "pk"
    ):
        if r.officer_id in officers:
            conduct.setdefault(r.officer_id, []).append(r)
    training = dict(
        TrainingDay.objects.filter(bureau_id=bureau_id, day__gte=first, day__lte=last)
        .order_by()
        .values_list("officer_id")
        .annotate(n=Count("pk"))
    )
    own = dict(
        OwnEvidence.objects.filter(nomination__cycle=cycle)
        .order_by()
        .values_list("nomination_id")
        .annotate(n=Count("pk"))
    )
    work = GridWork.objects.filter(bureau_id=bureau_id, day__gte=first, day__lte=last)
    work_figures = grid_work_by_officer(work)
    work_items: dict[int, list[str]] = {}
    kinds = dict(GridWork._meta.get_field("kind").flatchoices)
    for officer_id, day, kind, note in (
        work.filter(kind__in=("visit", "mediation"))
        .order_by("officer_id", "-day", "-pk")
        .values_list("officer_id", "day", "kind", "note")
    ):
        items = work_items.setdefault(officer_id, [])
        if len(items) < 5 and officer_id in officers:
            items.append(f"{day:%Y-%m-%d} {kinds.get(kind, kind)} {note}".strip())

    out: dict[int, dict[str, Evidence]] = {}
    for n_id, officer_id in files:
        ev: dict[str, Evidence] = {s: Evidence(s) for s in EvidenceSource.values}
        mine = units.get(officer_id, [])
        hit: set[int] = set()
        for uid, kind in mine:
            hit.update(by_area.get((kind, uid), ()))
        ev["incidents"].figures = {
            "received": sum(triples[i][3] for i in hit),
            "cleared": sum(triples[i][4] for i in hit),
        }
        unit_ids = {uid for uid, _k in mine}
        ev["cases"].figures = {
            "opened": sum(opened.get(u, 0) for u in unit_ids),
            "closed": sum(closed.get(u, 0) for u in unit_ids),
        }
        rows_all = conduct.get(officer_id, [])
        for kind, source in (
            (ConductKind.COMMENDATION, "commendations"),
            (ConductKind.COMPLAINT, "complaints"),
            (ConductKind.DISCIPLINE, "discipline"),
        ):
            rows = [r for r in rows_all if r.kind == kind]
            counted = [r for r in rows if r.substantiated]
            ev[source].figures = {"count": len(counted)}
            if len(counted) != len(rows):
                ev[source].figures["groundless"] = len(rows) - len(counted)
            ev[source].items = [f"{r.day:%Y-%m-%d} {r.title}" for r in rows[:5]]
        ev["training"].figures = {"days": training.get(officer_id, 0)}
        ev["own"].figures = {"count": own.get(n_id, 0)}
        f = work_figures.get(officer_id, {})
        ev["grid_work"].figures = {
            "visit": f.get("visit", 0),
            "households": f.get("households", 0),
            "patrol": f.get("patrol", 0),
            "premises": f.get("premises", 0),
            "mediation": f.get("mediation", 0),
            "hours": round(f.get("minutes", 0) / 60),
        }
        ev["grid_work"].items = work_items.get(officer_id, [])
        out[n_id] = ev
    return out
