"""Reads of the series pages, always through ``restrict``."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.db.models import Case, Count, IntegerField, Q, Value, When

from jingwu.cases.models import Series, SeriesIncident
from jingwu.core import clock
from jingwu.core.scope import restrict
from jingwu.engine import series as engine
from jingwu.incidents.models import Incident
from jingwu.places.models import Premises

from .models import OPEN_STATUSES, CandidateLink, LeadStatus, LinkRun, LinkStatus, UnreportedLead

# Door-to-door follow-up: key premises this close to the series' path...
FOLLOW_UP_M = 300.0
# ...with no incident reported this close to them while the series ran (± a week).
REPORTED_M = 100.0
FOLLOW_UP_DAYS = 7


def open_links(user):
    return (
        restrict(CandidateLink, user)
        .filter(status=LinkStatus.OPEN)
        .select_related(
            "incident_a__category", "incident_b__category", "incident_a__station", "incident_b__station"
        )
        .order_by("-probability", "id")
    )


def confirmed_links(user):
    return (
        restrict(CandidateLink, user)
        .filter(status=LinkStatus.CONFIRMED)
        .select_related("incident_a", "incident_b")
        .order_by("-decided_at", "-id")
    )


def latest_run(user):
    return restrict(LinkRun, user).order_by("-created_at", "-id").first()


def reasons_of(link: CandidateLink) -> list[str]:
    row = [float(link.features.get(f, 0.0)) for f in engine.FEATURES]
    return engine.reasons(row)


def series_for(user):
    return restrict(Series, user).order_by("-id")


def members(user, series: Series) -> tuple[list[Incident], int]:
    """The series' incidents the user may see, by time, and how many others it has."""
    ids = list(
        SeriesIncident.objects.filter(bureau_id=series.bureau_id, series=series).values_list(
            "incident_id", flat=True
        )
    )
    rows = list(
        restrict(Incident, user)
        .filter(pk__in=ids)
        .select_related("category", "station")
        .order_by("received_at", "pk")
    )
    return rows, len(ids) - len(rows)


def follow_up(user, series: Series, incidents: list[Incident]) -> list[dict]:
    """Key premises near the series' path where no one reported anything while it ran.

    The demo and most bureaus hold the reporters of incidents, not the victims who never
    called: the places the offender passed (within ``FOLLOW_UP_M`` of an incident of the
    series) that have no incident within ``REPORTED_M`` between a week before the
    first and a week after the last incident are the doors to knock on (the rice cooker
    of domain.md was found that way).
    """
    located = [i for i in incidents if i.lon is not None and i.lat is not None]
    if not located:
        return []
    lon = np.array([i.lon for i in located])
    lat = np.array([i.lat for i in located])
    pad = FOLLOW_UP_M / 90_000.0
    near = list(
        restrict(Premises, user)
        .filter(
            bureau_id=series.bureau_id,
            lon__gte=lon.min() - pad,
            lon__lte=lon.max() + pad,
            lat__gte=lat.min() - pad,
            lat__lte=lat.max() + pad,
        )
        .only("pk", "name", "address", "category", "lon", "lat")
    )
    if not near:
        return []
    first = min(i.received_at for i in located) - dt.timedelta(days=FOLLOW_UP_DAYS)
    last = max(i.received_at for i in located) + dt.timedelta(days=FOLLOW_UP_DAYS)
    pad_r = REPORTED_M / 90_000.0
    reported = Incident.objects.filter(
        bureau_id=series.bureau_id,
        received_at__gte=first,
        received_at__lte=last,
        lon__gte=lon.min() - pad - pad_r,
        lon__lte=lon.max() + pad + pad_r,
        lat__gte=lat.min() - pad - pad_r,
        lat__lte=lat.max() + pad + pad_r,
    ).values_list("lon", "lat")
    rep = np.array([r for r in reported if r[0] is not None], dtype=float).reshape(-1, 2)
    px, py = engine.lonlat_to_km(
        np.array([p.lon for p in near] + list(lon)), np.array([p.lat for p in near] + list(lat))
    )
    n = len(near)
    d_series = np.hypot(px[:n, None] - px[None, n:], py[:n, None] - py[None, n:]).min(axis=1) * 1000.0
    out = []
    for k, p in enumerate(near):
        if d_series[k] > FOLLOW_UP_M:
            continue
        if len(rep):
            rx, ry = engine.lonlat_to_km(np.r_[rep[:, 0], p.lon], np.r_[rep[:, 1], p.lat])
            if (np.hypot(rx[:-1] - rx[-1], ry[:-1] - ry[-1]) * 1000.0 <= REPORTED_M).any():
                continue
        out.append({"premises": p, "distance_m": round(float(d_series[k]))})
    out.sort(key=lambda r: r["distance_m"])
    return out


# --- possible victims who never reported --------------------------------------------------


def leads_for(user, action: str = "view"):
    """The unreported-victim leads the user sees (a station: its area's doors)."""
    return (
        restrict(UnreportedLead, user, action)
        .select_related("series", "station", "zone", "grid", "premises", "incident", "followed_up_by")
        .defer("station__boundary", "zone__boundary", "grid__boundary")
    )


def overdue_q(bureau_ids) -> Q:
    """Leads still to follow up whose day has passed: due before their bureau's data date
    (not the server's today: a county whose records end on 2018-12-31 is looked at then)."""
    out = Q(pk__in=[])
    for pk in sorted(set(bureau_ids)):
        out |= Q(bureau_id=pk, due__lt=clock.data_date(pk))
    return Q(status__in=OPEN_STATUSES) & out


def mark_overdue(rows, data_dates: dict[int, dt.date] | None = None) -> list:
    """Set ``overdue`` on each lead (against its bureau's data date)."""
    data_dates = {} if data_dates is None else data_dates
    rows = list(rows)
    for r in rows:
        if r.bureau_id not in data_dates:
            data_dates[r.bureau_id] = clock.data_date(r.bureau_id)
        r.overdue = r.status in OPEN_STATUSES and r.due < data_dates[r.bureau_id]
    return rows


def lead_counts(qs, bureau_ids) -> dict:
    """How many leads by status, the open ones, the overdue ones."""
    agg = qs.aggregate(
        total=Count("id"),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("id", filter=overdue_q(bureau_ids)),
        **{s.value: Count("id", filter=Q(status=s.value)) for s in LeadStatus},
    )
    agg["by_status"] = [(s.label, agg[s.value], s.value) for s in LeadStatus]
    return agg


def series_leads(user, series: Series) -> tuple[list, dict]:
    """The series' leads the user sees (overdue marked), and their counts."""
    qs = leads_for(user).filter(series=series)
    rows = qs.annotate(
        jw_done=Case(
            When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    ).order_by("jw_done", "due", "id")  # still to follow up first, then by due day
    return mark_overdue(rows), lead_counts(qs, [series.bureau_id])
