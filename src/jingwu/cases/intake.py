"""The duty desk (接处警): a keyboard-first incident form and its look-ups.

The form records through ``jingwu.incidents.services.do_record_incident`` with the
duplicate rule on, like the API: whatever the desk refuses, the API refuses too.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from jingwu.core.clock import user_bureau, zone
from jingwu.core.i18n import choices, pick
from jingwu.core.scope import can, restrict
from jingwu.engine import intake, vocab
from jingwu.incidents.models import Incident, IncidentCategory
from jingwu.incidents.services import do_record_incident, find_duplicates
from jingwu.org.models import Unit
from jingwu.places.models import Premises
from jingwu.places.services import place

LOOKUP_LIMIT = 10
CANDIDATES = 3000  # addresses scored per look-up after the database's prefilter


def _desk_user(user):
    """The bureau of a user who may record incidents; 404 for those who see none, 403 for readers."""
    if not can(user, Incident, "add"):
        if can(user, Incident, "view"):
            raise PermissionDenied
        raise Http404
    bureau = user_bureau(user)
    if bureau is None:
        raise PermissionDenied
    return bureau


class IntakeForm(forms.Form):
    category = forms.CharField(
        label=gettext_lazy("Category code"),
        max_length=8,
        error_messages={
            "required": gettext_lazy(
                "Choose a category from the suggestions (type its code, Chinese, pinyin or initials)."
            )
        },
    )
    received_at = forms.DateTimeField(label=gettext_lazy("Received"))
    source = forms.ChoiceField(label=gettext_lazy("Source"), choices=choices(vocab.INCIDENT_SOURCES))
    address = forms.CharField(label=gettext_lazy("Address"), max_length=200, required=False)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), required=False)
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    reporter_name = forms.CharField(label=gettext_lazy("Reporter"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=gettext_lazy("Reporter phone"), max_length=20, required=False)
    allow_duplicate = forms.BooleanField(label=gettext_lazy("Record it even so"), required=False)

    def clean_description(self):
        return self.cleaned_data["description"].replace("\r\n", "\n")  # a browser sends CRLF

    def clean(self):
        d = super().clean()
        if d.get("address") and (d.get("lon") is None or d.get("lat") is None):
            # a typed address the look-up did not place: the desk does not guess where it is
            self.add_error(
                "address",
                _(
                    "%(address)s matches none of the bureau's addresses: choose one from the "
                    "suggestions, click the map or type the coordinates."
                )
                % {"address": d["address"]},
            )
        return d


@login_required
def desk(request):
    bureau = _desk_user(request.user)
    tz = zone(bureau)
    duplicate = False
    if request.method == "POST":
        form = IntakeForm(request.POST)
        if form.is_valid():
            d = dict(form.cleaned_data)
            when = d.pop("received_at")
            if timezone.is_naive(when):
                when = timezone.make_aware(when, tz)
            try:
                incident = do_record_incident(actor=request.user, bureau=bureau, received_at=when, **d)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    duplicate = "allow_duplicate" in exc.error_dict
                    for key, errors in exc.error_dict.items():
                        form.add_error(key if key in form.fields else None, errors)
                else:
                    form.add_error(None, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Incident %(number)s recorded.") % {"number": incident.number})
                return redirect("incidents:incident_detail", incident.pk)
    else:
        now = timezone.now().astimezone(tz).replace(second=0, microsecond=0, tzinfo=None)
        form = IntakeForm(initial={"received_at": now, "source": "call_110"})
    hq = Unit.objects.filter(bureau=bureau, parent__isnull=True).first()
    bounds = _bounds(hq)
    code = form["category"].value() or ""
    known = IncidentCategory.objects.filter(code=code).first() if code else None
    category_label = f"{known.code} {pick(known.name_zh, known.name_en)}" if known else code
    return render(
        request,
        "cases/intake.html",
        {
            "form": form,
            "duplicate": duplicate,
            "bounds": bounds,
            "bureau": bureau,
            "category_label": category_label,
        },
        status=400 if request.method == "POST" else 200,
    )


def _bounds(unit) -> str:
    try:
        from shapely.geometry import shape

        x0, y0, x1, y1 = shape(unit.boundary).bounds
        return f"{x0:.6f},{y0:.6f},{x1:.6f},{y1:.6f}"
    except Exception:  # a bureau without a boundary: the map starts on the world
        return ""


@login_required
@require_GET
def categories(request):
    _desk_user(request.user)
    rows = IncidentCategory.objects.values_list("code", "name_zh", "name_en")
    hits = intake.search_categories(request.GET.get("q", ""), rows, LOOKUP_LIMIT)
    crim = set(IncidentCategory.objects.filter(criminal=True).values_list("code", flat=True))
    return JsonResponse(
        {
            "results": [
                {"code": h.code, "name": pick(h.zh, h.en), "pinyin": h.pinyin, "criminal": h.code in crim}
                for h in hits
            ]
        }
    )


@login_required
@require_GET
def addresses(request):
    """The bureau's addresses (key premises and recorded incidents) most alike the query."""
    bureau = _desk_user(request.user)
    q = request.GET.get("q", "").strip()
    grams = intake.query_bigrams(q)
    if not grams:
        return JsonResponse({"results": []})
    like_inc, like_prem = Q(), Q()
    for g in grams:
        like_inc |= Q(address__contains=g)
        like_prem |= Q(address__contains=g) | Q(name__contains=g)
    seen: dict[str, tuple[float, float]] = {}
    for name, address, lon, lat in Premises.objects.filter(like_prem, bureau=bureau).values_list(
        "name", "address", "lon", "lat"
    )[:CANDIDATES]:
        for text in (address, name):
            if text:
                seen.setdefault(text, (lon, lat))
    # recorded incidents' addresses (victims' homes among them) only from the user's own area
    inc = (
        restrict(Incident.objects.filter(like_inc, bureau=bureau, lon__isnull=False), request.user)
        .exclude(address="")
        .order_by("-received_at")
        .values_list("address", "lon", "lat")[:CANDIDATES]
    )
    for address, lon, lat in inc:
        seen.setdefault(address, (lon, lat))
    ranked = intake.rank_addresses(q, seen.items(), LOOKUP_LIMIT)
    return JsonResponse(
        {
            "results": [
                {
                    "address": a,
                    "lon": p[0],
                    "lat": p[1],
                    "score": round(score, 3),
                    **_where(bureau, p[0], p[1]),
                }
                for score, a, p in ranked
            ]
        }
    )


def _where(bureau, lon, lat) -> dict:
    try:
        grid_id, station_id = place(bureau.pk, lon, lat)
    except ValidationError as exc:
        return {"error": " ".join(exc.messages)}
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[i for i in (grid_id, station_id) if i])}
    grid, station = units.get(grid_id), units.get(station_id)
    zone_unit = grid.parent if grid is not None and grid.parent and grid.parent.kind == "zone" else None
    return {
        "grid": grid.name if grid else "",
        "zone": zone_unit.name if zone_unit else "",
        "station": station.name if station else "",
        "station_type": station.get_station_type_display() if station and station.station_type else "",
    }


@login_required
@require_GET
def where(request):
    """Grid, zone and station of a point (the map's pick), or why there is none."""
    bureau = _desk_user(request.user)
    return JsonResponse(_where(bureau, request.GET.get("lon"), request.GET.get("lat")))


@login_required
@require_GET
def duplicates(request):
    """Recorded incidents this one may duplicate (same category, nearby, close in time)."""
    bureau = _desk_user(request.user)
    g = request.GET
    category = IncidentCategory.objects.filter(code=g.get("category", "")).first()
    try:
        lon, lat = float(g.get("lon", "")), float(g.get("lat", ""))
        when = dt.datetime.fromisoformat(g.get("received_at", ""))
    except ValueError:
        return JsonResponse({"results": []})
    if category is None:
        return JsonResponse({"results": []})
    if timezone.is_naive(when):
        when = when.replace(tzinfo=zone(bureau))
    found = find_duplicates(bureau, category, lon, lat, when)
    tz = zone(bureau)
    mine = set(
        restrict(Incident.objects.filter(pk__in=[i.pk for i in found]), request.user).values_list(
            "pk", flat=True
        )
    )
    return JsonResponse(
        {
            "results": [
                {
                    # the number and address of an incident outside the user's area stay hidden
                    "number": i.number if i.pk in mine else "",
                    "address": i.address if i.pk in mine else "",
                    "received_at": i.received_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                    "metres": round(intake.metres(lon, lat, i.lon, i.lat)),
                }
                for i in found
            ]
        }
    )
