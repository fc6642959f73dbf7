"""The home page: a summary that fits the user's post."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from jingwu.core.scope import can, current_memberships, restrict
from jingwu.incidents.models import Incident
from jingwu.incidents.selectors import data_span, monthly_counts
from jingwu.org.models import Unit
from jingwu.personnel.models import Officer
from jingwu.personnel.selectors import strength
from jingwu.places.models import Premises


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
        ctx["counts"].update(strength(user))
    if can(user, Premises, "view"):
        ctx["counts"]["premises"] = restrict(Premises.objects.all(), user).count()
    span = data_span(user) if incidents is not None else None
    if span is not None:
        as_of = span.last
        year_ago = as_of - dt.timedelta(days=365)
        last_year = incidents.filter(received_at__gt=year_ago, received_at__lte=as_of)
        ctx["as_of"] = as_of
        ctx["counts"]["incidents_year"] = last_year.count()
        ctx["monthly"] = monthly = monthly_counts(incidents, span)
        ctx["partial_months"] = [monthly["labels"][i] for i in monthly["partial"]]
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
