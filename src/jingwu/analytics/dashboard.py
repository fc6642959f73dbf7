"""The figures of a unit's dashboard, read through the scoping layer.

Every figure comes with the address of the rows behind it: the incident list filtered by
unit, month or category family, or the case list of the API filtered by unit and status.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext

from jingwu.cases.models import Case
from jingwu.core.clock import data_date, day_start, zone
from jingwu.core.scope import can, restrict, under_unit_q
from jingwu.incidents.models import Incident, IncidentCategory
from jingwu.org.models import Unit
from jingwu.personnel.models import Posting

from .measures import add_months, month_list

PERIODS = (3, 6, 12, 24)
CHILD_KINDS = {"headquarters": ("station",), "station": ("zone",), "zone": ("grid",)}


@dataclass
class Dashboard:
    unit: Unit
    months: int
    first: dt.date
    last: dt.date
    sees_incidents: bool
    sees_people: bool
    sees_cases: bool
    incidents: int = 0
    police: int | None = None
    by_month: dict = field(default_factory=dict)
    by_category: dict = field(default_factory=dict)
    children: list = field(default_factory=list)
    cases: dict = field(default_factory=dict)
    list_unit: Unit | None = None  # the unit the incident list is filtered by (a grid's zone)

    @property
    def per_officer(self) -> float | None:
        return round(self.incidents / self.police, 1) if self.police else None

    @property
    def per_1000(self) -> float | None:
        return round(1000 * self.incidents / self.unit.residents, 1) if self.unit.residents else None


def _incident_url(unit: Unit, first: dt.date, last: dt.date, **extra) -> str:
    q = {"unit": unit.pk, "received_from": first.isoformat(), "received_to": last.isoformat(), **extra}
    return reverse("incidents:incident_list") + "?" + urlencode(q)


def _month_end(m: dt.date) -> dt.date:
    return add_months(m, 1) - dt.timedelta(days=1)


def _area_q(unit: Unit) -> Q:
    return under_unit_q(Incident, unit)


def _police_by_unit(user, unit: Unit, day: dt.date) -> dict[str, int]:
    """Police posted on ``day`` (as the user sees them), by the path of the posting's unit."""
    units = dict(
        Unit.objects.filter(bureau=unit.bureau, path__startswith=unit.path).values_list("pk", "path")
    )
    rows = (
        restrict(Posting.objects.filter(bureau=unit.bureau), user)
        .filter(unit_id__in=list(units), start__lte=day, officer__kind="police")
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .values_list("officer_id", "unit_id")
    )
    seen: dict[int, str] = {}
    for officer_id, unit_id in rows:
        seen.setdefault(officer_id, units[unit_id])
    return Counter(seen.values())


def build(user, unit: Unit, months: int = 12, *, period: tuple[dt.date, dt.date] | None = None) -> Dashboard:
    """The figures of ``months`` months up to the data date, or of ``period`` (first and last day)."""
    tz = zone(unit.bureau)
    if period is None:
        last_day = data_date(unit.bureau)
        # the months up to the data date; the last one may be partial (the data end in it)
        ms = month_list(add_months(last_day.replace(day=1), -(months - 1)), months)
        first, last = ms[0], last_day
    else:
        first, last = period
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        ms = month_list(first.replace(day=1), months)
    d = Dashboard(
        unit=unit,
        months=months,
        first=first,
        last=last,
        # centers and departments have no area of their own: their work is their cases
        sees_incidents=can(user, Incident, "view")
        and unit.kind in ("headquarters", "station", "zone", "grid"),
        sees_people=can(user, Posting, "view"),
        sees_cases=can(user, Case, "view"),
    )
    d.list_unit = unit.parent if unit.kind == "grid" else unit
    start, end = day_start(first, tz), day_start(last + dt.timedelta(days=1), tz)
    police = _police_by_unit(user, unit, last) if d.sees_people else {}
    if d.sees_people:
        d.police = sum(police.values())
    if d.sees_incidents:
        inc = restrict(Incident.objects.filter(_area_q(unit)), user).filter(
            received_at__gte=start, received_at__lt=end
        )
        per_month = {
            (r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]).replace(day=1): r["n"]
            for r in inc.annotate(m=TruncMonth("received_at", tzinfo=tz))
            .order_by()
            .values("m")
            .annotate(n=Count("id"))
        }
        d.by_month = {
            "labels": [m.strftime("%Y-%m") for m in ms],
            "series": [{"name": gettext("Incidents"), "values": [per_month.get(m, 0) for m in ms]}],
            "links": [_incident_url(d.list_unit, m, min(_month_end(m), last)) for m in ms],
        }
        d.incidents = sum(per_month.values())
        fams = Counter()
        for code, n in inc.order_by().values_list("category__code").annotate(n=Count("id")):
            fams[code[:2]] += n
        names = {c.code: c for c in IncidentCategory.objects.filter(code__in=list(fams))}
        top = fams.most_common()
        d.by_category = {
            "labels": [names[c].name if c in names else c for c, _n in top],
            "series": [{"name": gettext("Incidents"), "values": [n for _c, n in top]}],
            "links": [
                _incident_url(d.list_unit, first, last, category=names[c].pk) if c in names else ""
                for c, _n in top
            ],
        }
        kinds = CHILD_KINDS.get(unit.kind)
        if kinds:
            children = list(
                restrict(Unit.objects.current(last).filter(parent=unit, kind__in=kinds), user).order_by(
                    "code"
                )
            )
            field_name = {"station": "station_id", "zone": "zone_id", "grid": "grid_id"}[kinds[0]]
            counts = dict(inc.order_by().values_list(field_name).annotate(n=Count("id")))
            for ch in children:
                n = counts.get(ch.pk, 0)
                p = (
                    sum(v for path, v in police.items() if path.startswith(ch.path))
                    if d.sees_people
                    else None
                )
                d.children.append(
                    {
                        "unit": ch,
                        "incidents": n,
                        "per_1000": round(1000 * n / ch.residents, 1) if ch.residents else None,
                        "police": p,
                        "per_officer": round(n / p, 1) if p else None,
                        "url": _incident_url(ch if ch.kind != "grid" else unit, first, last),
                    }
                )
    if d.sees_cases:
        cases = restrict(Case.objects.filter(under_unit_q(Case, unit)), user)
        by_status = dict(cases.order_by().values_list("status").annotate(n=Count("id")))
        from jingwu.cases.choices import CASE_STATUS_CHOICES

        open_cases = cases.exclude(status__in=("closed", "solved"))
        ages = Counter()
        for opened in open_cases.values_list("opened_at", flat=True):
            days = (last - opened.astimezone(tz).date()).days
            ages["0-30" if days <= 30 else "31-90" if days <= 90 else "91+"] += 1
        base = reverse("api:case-list")
        d.cases = {
            "status": [
                (
                    label,
                    by_status.get(code, 0),
                    base + "?" + urlencode({"unit": d.list_unit.pk, "status": code}),
                )
                for code, label in CASE_STATUS_CHOICES
                if by_status.get(code)
            ],
            "total": sum(by_status.values()),
            "ages": [(k, ages.get(k, 0)) for k in ("0-30", "31-90", "91+")],
        }
    return d
