"""Reads of incidents for a user, always through the scoping layer, and the figures of the pages."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Min
from django.db.models.functions import TruncMonth
from django.utils import timezone

from jingwu.core.clock import as_bureau, local_day, zone
from jingwu.core.scope import restrict, user_bureau_ids

from .models import Incident

# night call-outs: incidents received from 22:00 to 06:00 local time to which an officer arrived
NIGHT_FROM, NIGHT_TO = 22, 6


def night_callouts(qs, tz):
    """The night call-outs among ``qs`` (incidents of bureaus in the time zone ``tz``)."""
    from django.db.models import Q
    from django.db.models.functions import ExtractHour

    return (
        qs.filter(arrived_at__isnull=False)
        .alias(night_hour=ExtractHour("received_at", tzinfo=tz))
        .filter(Q(night_hour__gte=NIGHT_FROM) | Q(night_hour__lt=NIGHT_TO))
    )


def incidents_for(user, action: str = "view"):
    return restrict(Incident.objects.select_related("category", "grid", "zone", "station"), user, action)


def callbacks_for(user, action: str = "view"):
    """Callbacks to reporters (警情回访) the user sees: those of the incidents they see."""
    from .models import Callback

    return restrict(Callback.objects.select_related("incident"), user, action)


@dataclass(frozen=True)
class DataSpan:
    """When the incident data of the user's bureaus begins and ends (their first and last incident)."""

    first: dt.datetime
    last: dt.datetime


def last_incident_day(bureau) -> dt.date | None:
    """The local day of the bureau's last incident received (None without incidents); the
    bureau's data date counts it in."""
    bureau_id = getattr(bureau, "pk", bureau)
    last = (
        Incident.objects.filter(bureau_id=bureau_id)
        .order_by("-received_at")
        .values_list("received_at", flat=True)
        .first()
    )
    return local_day(last, zone(as_bureau(bureau))) if last else None


def data_span(user) -> DataSpan | None:
    """The span of the incident data of the bureaus ``user`` works in; None when there is none.

    The span belongs to the bureau's data, not to the user's area: a grid with no incident
    in its last week still shows figures up to the day the bureau's data ends, and a
    month is partial only when the bureau's data does not cover it.
    """
    qs = Incident.objects.all()
    if not user.is_superuser:
        qs = qs.filter(bureau_id__in=user_bureau_ids(user))
    agg = qs.aggregate(first=Min("received_at"), last=Max("received_at"))
    if agg["last"] is None:
        return None
    return DataSpan(agg["first"], min(agg["last"], timezone.now()))


def _add_months(month: dt.date, n: int) -> dt.date:
    y, m = divmod(month.year * 12 + month.month - 1 + n, 12)
    return dt.date(y, m + 1, 1)


def monthly_counts(incidents, span: DataSpan, months: int = 36) -> dict:
    """Incidents per calendar month over the last ``months`` months of ``span`` (local time).

    Every month of the window is there, a month without incidents as 0. A month the data
    covers only in part (the data's first month when it starts after the 1st, its last
    month when it ends before the month's last day) is listed in ``partial`` by index, so
    a chart can mark it rather than show a drop that is only missing data.
    """
    first_day = timezone.localtime(span.first).date()
    last_day = timezone.localtime(span.last).date()
    last_month = last_day.replace(day=1)
    start = max(_add_months(last_month, -(months - 1)), first_day.replace(day=1))
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    rows = (
        incidents.filter(received_at__gte=start_at, received_at__lte=span.last)
        .annotate(m=TruncMonth("received_at"))
        .order_by()
        .values("m")
        .annotate(n=Count("id"))
    )
    counts = {}
    for row in rows:
        m = row["m"]
        counts[m.date() if isinstance(m, dt.datetime) else m] = row["n"]
    labels, values, partial = [], [], []
    month = start
    while month <= last_month:
        month_end = month.replace(day=calendar.monthrange(month.year, month.month)[1])
        if (month == first_day.replace(day=1) and first_day.day > 1) or (
            month == last_month and last_day < month_end
        ):
            partial.append(len(labels))
        labels.append(month.strftime("%Y-%m"))
        values.append(counts.get(month, 0))
        month = _add_months(month, 1)
    return {
        "labels": labels,
        "values": values,
        "partial": partial,
        "first": first_day.isoformat(),
        "last": last_day.isoformat(),
    }
