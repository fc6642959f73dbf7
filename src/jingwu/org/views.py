"""Unit tree, unit pages (a station with its map) and the map layers."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.core.i18n import pick
from jingwu.core.scope import area_q, can, restrict
from jingwu.incidents.models import Incident
from jingwu.incidents.selectors import data_span
from jingwu.personnel.models import Officer, Posting
from jingwu.personnel.selectors import strength
from jingwu.places.models import Premises

from .models import Unit
from .selectors import units_for

MAX_MAP_INCIDENTS = 3000


@login_required
def unit_list(request):
    units = list(units_for(request.user).current().order_by("path"))
    visible = {u.pk for u in units}
    # Grids are many and hidden by default, unless grids are all the user sees (a community
    # officer's unit is their grid).
    only_grids = bool(units) and all(u.kind == "grid" for u in units)
    show_grids = request.GET.get("grids") == "1" or only_grids
    rows = [u for u in units if show_grids or u.kind != "grid"]
    grid_counts = {}
    for u in units:
        if u.kind == "grid" and u.parent_id in visible:
            grid_counts[u.parent_id] = grid_counts.get(u.parent_id, 0) + 1
    min_depth = min((u.depth for u in rows), default=0)
    for u in rows:
        u.indent = u.depth - min_depth
        u.grid_count = grid_counts.get(u.pk, 0)
    return render(
        request, "org/unit_list.html", {"units": rows, "show_grids": show_grids, "only_grids": only_grids}
    )


@login_required
def unit_detail(request, pk: int):
    unit = get_object_or_404(units_for(request.user), pk=pk)
    user = request.user
    children = list(units_for(user).filter(parent=unit).current().order_by("kind", "code"))
    today = dt.date.today()
    ctx: dict = {
        "unit": unit,
        "children": children,
        "ancestors": list(units_for(user).filter(pk__in=unit.ancestor_ids[:-1]).order_by("depth")),
    }
    if can(user, Officer, "view"):
        postings = (
            restrict(Posting.objects.current(today), user)
            .filter(unit__path__startswith=unit.path, officer__status__in=["active", "leave"])
            .select_related("officer", "unit")
            .order_by("unit__path", "role", "officer__police_number")
        )
        ctx["postings"] = postings[:300]
        ctx["posting_count"] = postings.count()
        ctx["people"] = strength(user, unit)
    if unit.is_area and can(user, Premises, "view"):
        premises = restrict(Premises.objects.all(), user).filter(area_q(unit))
        ctx["premises_by_category"] = [
            {
                "label": dict(Premises._meta.get_field("category").flatchoices).get(
                    r["category"], r["category"]
                ),
                "n": r["n"],
                "code": r["category"],
            }
            for r in premises.values("category").annotate(n=Count("id")).order_by("-n")
        ]
        ctx["premises_total"] = sum(r["n"] for r in ctx["premises_by_category"])
    if unit.is_area and can(user, Incident, "view"):
        incidents = restrict(Incident.objects.all(), user).filter(area_q(unit))
        span = data_span(user)
        if span is not None:
            latest = span.last
            year = incidents.filter(received_at__gt=latest - dt.timedelta(days=365), received_at__lte=latest)
            ctx["incidents_year"] = year.count()
            ctx["as_of"] = latest
            by_cat = list(
                year.values("category__parent__name_zh", "category__parent__name_en")
                .annotate(n=Count("id"))
                .order_by("-n")
            )
            ctx["incident_families"] = by_cat and {
                "labels": [
                    pick(r["category__parent__name_zh"] or "", r["category__parent__name_en"] or "")
                    for r in by_cat
                ],
                "values": [r["n"] for r in by_cat],
            }
            ctx["recent_incidents"] = incidents.select_related("category", "grid").order_by("-received_at")[
                :10
            ]
    ctx["has_map"] = unit.boundary is not None
    return render(request, "org/unit_detail.html", ctx)


def _feature(u: Unit, **props) -> dict:
    return {
        "type": "Feature",
        "geometry": u.boundary,
        "properties": {
            "id": u.pk,
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "station_type": u.station_type,
            "households": u.households,
            **props,
        },
    }


@login_required
def unit_map(request, pk: int):
    """GeoJSON layers for a unit's map: boundary, sub-areas, grids, premises, recent incidents."""
    user = request.user
    unit = get_object_or_404(units_for(user), pk=pk)
    visible = units_for(user).current().exclude(boundary__isnull=True)
    layers: dict[str, dict] = {}
    if unit.boundary is not None:
        layers["boundary"] = {"type": "FeatureCollection", "features": [_feature(unit)]}
    sub = visible.filter(parent=unit).exclude(kind="grid")
    if unit.kind == "headquarters":
        sub = visible.filter(kind="station")
    layers["areas"] = {"type": "FeatureCollection", "features": [_feature(u) for u in sub]}
    if unit.kind != "headquarters":
        grids = visible.filter(kind="grid", path__startswith=unit.path)
        layers["grids"] = {"type": "FeatureCollection", "features": [_feature(u) for u in grids]}
    if can(user, Premises, "view"):
        prem = restrict(Premises.objects.all(), user).filter(area_q(unit))
        layers["premises"] = {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                    "properties": {"id": p["id"], "name": p["name"], "category": p["category"]},
                }
                for p in prem.values("id", "name", "category", "lon", "lat")[:5000]
            ],
        }
    if can(user, Incident, "view"):
        inc = restrict(Incident.objects.all(), user).filter(area_q(unit)).exclude(lon__isnull=True)
        span = data_span(user)
        feats = []
        if span is not None:
            latest = span.last
            recent = inc.filter(
                received_at__gt=latest - dt.timedelta(days=90), received_at__lte=latest
            ).order_by("-received_at")
            for r in recent.values(
                "id",
                "number",
                "lon",
                "lat",
                "received_at",
                "category__code",
                "category__name_zh",
                "category__name_en",
                "category__criminal",
            )[:MAX_MAP_INCIDENTS]:
                feats.append(
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                        "properties": {
                            "id": r["id"],
                            "number": r["number"],
                            "time": timezone.localtime(r["received_at"]).strftime("%Y-%m-%d %H:%M"),
                            "category": pick(r["category__name_zh"], r["category__name_en"]),
                            "criminal": r["category__criminal"],
                        },
                    }
                )
        layers["incidents"] = {"type": "FeatureCollection", "features": feats}
    labels = {
        "boundary": _("Boundary"),
        "areas": _("Stations") if unit.kind == "headquarters" else _("Zones"),
        "grids": _("Grids"),
        "premises": _("Key premises"),
        "incidents": _("Incidents, last 90 days"),
    }
    return JsonResponse({"layers": layers, "labels": labels})
