"""The measures an effect is judged on, as monthly panels (units x months) read through the scoping layer."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from jingwu.core.clock import day_start


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str  # what one value is
    definition: str
    log: bool  # judged as a ratio (counts) or as a difference (times, shares)
    criminal_only: bool = False
    difference: str = ""  # what a difference of two values is called (when not judged as a ratio)


MEASURES = {
    "incidents": Measure(
        "incidents",
        _("Incidents per month"),
        _("incidents a month"),
        _("Incidents received in the unit's area in a calendar month (local time), all categories."),
        log=True,
    ),
    "criminal": Measure(
        "criminal",
        _("Criminal incidents per month"),
        _("incidents a month"),
        _("Incidents of a criminal category received in the unit's area in a calendar month."),
        log=True,
        criminal_only=True,
    ),
    "response": Measure(
        "response",
        _("Response time"),
        _("minutes"),
        _("Mean minutes from receiving a dispatched incident to the first officer's arrival, per month."),
        log=False,
        difference=_("minutes"),
    ),
    "clearance": Measure(
        "clearance",
        _("Clearance of criminal incidents"),
        _("percent cleared"),
        _(
            "Of the criminal incidents received in the unit's area in a calendar month, the share "
            "(percent) that belong to a case now solved or closed, whoever owns the case."
        ),
        log=False,
        criminal_only=True,
        difference=_("percentage points"),
    ),
}
# the case statuses that count an incident as cleared
CLEARED_STATUSES = ("solved", "closed")
MEASURE_CHOICES = [(m.code, m.label) for m in MEASURES.values()]


def add_months(month: dt.date, n: int) -> dt.date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def month_list(first: dt.date, count: int) -> list[dt.date]:
    return [add_months(first, i) for i in range(count)]


def monthly_panel(incidents, level: str, unit_ids: list[int], months: list[dt.date], measure: Measure, tz):
    """``(values, events)``: per unit (rows in ``unit_ids`` order) and month, the measure and the
    number of incidents behind it. A response time with no dispatched incident, and a
    clearance with no criminal incident, is NaN."""
    field = f"{level}_id"
    start = day_start(months[0], tz)
    end = day_start(add_months(months[-1], 1), tz)
    qs = incidents.filter(**{f"{field}__in": unit_ids}, received_at__gte=start, received_at__lt=end)
    if measure.criminal_only:
        qs = qs.filter(category__criminal=True)
    row = {u: i for i, u in enumerate(unit_ids)}
    col = {m: j for j, m in enumerate(months)}
    values = np.zeros((len(unit_ids), len(months)))
    events = np.zeros((len(unit_ids), len(months)), dtype=int)
    if measure.code == "clearance":
        from django.db.models import Exists, OuterRef

        from jingwu.cases.models import CaseIncident

        cleared = CaseIncident.objects.filter(incident=OuterRef("pk"), case__status__in=CLEARED_STATUSES)
        counts = np.zeros_like(values)
        for r in (
            qs.annotate(m=TruncMonth("received_at", tzinfo=tz), cleared=Exists(cleared))
            .order_by()
            .values(field, "m", "cleared")
            .annotate(n=Count("id"))
        ):
            m = r["m"]
            m = m.date() if isinstance(m, dt.datetime) else m
            i, j = row[r[field]], col[m.replace(day=1)]
            events[i, j] += r["n"]
            counts[i, j] += r["n"] if r["cleared"] else 0
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(events > 0, 100.0 * counts / np.maximum(events, 1), np.nan)
        return values, events
    if measure.code == "response":
        sums = np.zeros_like(values)
        for uid, received, arrived in qs.filter(arrived_at__isnull=False).values_list(
            field, "received_at", "arrived_at"
        ):
            local = received.astimezone(tz)
            i, j = row[uid], col[dt.date(local.year, local.month, 1)]
            sums[i, j] += (arrived - received).total_seconds() / 60.0
            events[i, j] += 1
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(events > 0, sums / np.maximum(events, 1), np.nan)
        return values, events
    for r in (
        qs.annotate(m=TruncMonth("received_at", tzinfo=tz))
        .order_by()
        .values(field, "m")
        .annotate(n=Count("id"))
    ):
        m = r["m"]
        m = m.date() if isinstance(m, dt.datetime) else m
        i, j = row[r[field]], col[m.replace(day=1)]
        values[i, j] += r["n"]
        events[i, j] += r["n"]
    return values, events
