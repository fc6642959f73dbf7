"""The home page: a summary that fits the user's post."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.db.models.functions import TruncMonth
from django.shortcuts import render
from django.utils import timezone

from jingwu.incidents.models import Incident
from jingwu.org.models import Unit
from jingwu.personnel.models import Officer
from jingwu.places.models import Premises

from .scope import can, current_memberships, restrict


def _as_of(incidents) -> dt.datetime:
    """The end of the period shown: now, or the last incident when the data is historical."""
    latest = incidents.aggregate(t=Max("received_at"))["t"]
    now = timezone.now()
    return min(latest, now) if latest else now


@login_required
def home(request):
    user = request.user
    memberships = current_memberships(user)
    units = restrict(Unit.objects.current(), user)
    incidents = restrict(Incident.objects.all(), user) if can(user, Incident, "view") else None
    ctx: dict = {
        "memberships": memberships,
        "counts": {
            "stations": units.filter(kind="station").count(),
            "zones": units.filter(kind="zone").count(),
            "grids": units.filter(kind="grid").count(),
        },
    }
    if can(user, Officer, "view"):
        officers = restrict(Officer.objects.filter(status="active"), user)
        ctx["counts"]["police"] = officers.filter(kind="police").count()
        ctx["counts"]["auxiliary"] = officers.filter(kind="auxiliary").count()
    if can(user, Premises, "view"):
        ctx["counts"]["premises"] = restrict(Premises.objects.all(), user).count()
    if incidents is not None:
        as_of = _as_of(incidents)
        year_ago = as_of - dt.timedelta(days=365)
        last_year = incidents.filter(received_at__gt=year_ago, received_at__lte=as_of)
        ctx["as_of"] = as_of
        ctx["counts"]["incidents_year"] = last_year.count()
        start = (as_of - dt.timedelta(days=3 * 365)).replace(day=1)
        monthly = (
            incidents.filter(received_at__gte=start, received_at__lte=as_of)
            .annotate(m=TruncMonth("received_at"))
            .values("m")
            .annotate(n=Count("id"))
            .order_by("m")
        )
        ctx["monthly"] = {
            "labels": [row["m"].strftime("%Y-%m") for row in monthly],
            "values": [row["n"] for row in monthly],
        }
        stations = list(units.filter(kind="station").order_by("code"))
        if len(stations) > 1:
            per_station = dict(
                last_year.values_list("station_id").annotate(n=Count("id")).values_list("station_id", "n")
            )
            ctx["stations"] = [
                {
                    "unit": s,
                    "incidents": per_station.get(s.id, 0),
                    "per_1000": round(1000 * per_station.get(s.id, 0) / s.residents, 1)
                    if s.residents
                    else None,
                }
                for s in stations
            ]
    return render(request, "core/home.html", ctx)


def csrf_failure(request, reason: str = ""):
    """Django's CSRF refusal page, marked so that the refusal is recorded as a CSRF failure."""
    from django.views.csrf import csrf_failure as default

    request.jingwu_refusal = "csrf"
    return default(request, reason=reason)
