from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, render

from jingwu.core import audit

from .filters import IncidentFilter
from .selectors import incidents_for

PAGE_SIZE = 50


class _FastCountPaginator(Paginator):
    """Paginator that counts without the ORDER BY (cheaper on large tables)."""

    @property
    def count(self):  # type: ignore[override]
        if not hasattr(self, "_count"):
            self._count = self.object_list.order_by().count()
        return self._count


@login_required
def incident_list(request):
    f = IncidentFilter(
        request.GET, queryset=incidents_for(request.user).order_by("-received_at", "-id"), request=request
    )
    page = _FastCountPaginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "incidents/incident_list.html", {"filter": f, "page": page, "query": query.urlencode()}
    )


@login_required
def incident_detail(request, pk: int):
    incident = get_object_or_404(incidents_for(request.user), pk=pk)
    with transaction.atomic():  # the reporter is a person: looking is on record
        audit.record(
            "view",
            actor=request.user,
            bureau=incident.bureau,
            obj=incident,
            unit_path=incident.grid.path if incident.grid else "",
        )
    series = incident.series.all()
    from jingwu.cases.models import Case
    from jingwu.core.scope import can

    return render(
        request,
        "incidents/incident_detail.html",
        {"incident": incident, "series": series, "can_open_case": can(request.user, Case, "add")},
    )


# --- near repeats of burglaries ----------------------------------------------------------


def _near_repeat_bureau(user):
    from django.http import Http404

    from jingwu.core.clock import user_bureau
    from jingwu.core.scope import can

    from .models import NearRepeatAlert

    if not can(user, NearRepeatAlert, "view"):
        raise Http404
    bureau = user_bureau(user)
    if bureau is None:
        raise Http404
    return bureau


@login_required
def near_repeats(request):
    """The near-repeat alerts of the user's zones on a map, and the Knox evidence behind them."""
    from jingwu.core.scope import can

    from . import nearrepeat
    from .models import NearRepeatProfile

    bureau = _near_repeat_bureau(request.user)
    profile = nearrepeat.current_profile(bureau, compute=False)
    alerts = list(nearrepeat.alerts_for(request.user, bureau)[:500])
    features = [
        {
            "id": a.pk,
            "lon": a.lon,
            "lat": a.lat,
            "radius": a.radius,
            "zone": a.zone.name,
            "number": a.incident.number,
            "ends": a.ends.isoformat(),
        }
        for a in alerts
    ]
    table = None
    if profile is not None and profile.table:
        t = profile.table
        table = [
            (label, list(zip(ratios, ps, strict=True)))
            for label, ratios, ps in zip(t["distance_bands"], t["ratios"], t["p_values"], strict=True)
        ]
    return render(
        request,
        "incidents/near_repeats.html",
        {
            "profile": profile,
            "verdict": nearrepeat.verdict(profile),
            "alerts": alerts,
            "features": features,
            "table": table,
            "time_bands": (profile.table or {}).get("time_bands", []) if profile else [],
            "can_compute": can(request.user, NearRepeatProfile, "add"),
        },
    )


@login_required
def near_repeats_compute(request):
    from django.contrib import messages
    from django.core.exceptions import PermissionDenied
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from jingwu.core.scope import can

    from . import nearrepeat
    from .models import NearRepeatProfile

    if request.method != "POST":
        from django.http import HttpResponseNotAllowed

        return HttpResponseNotAllowed(["POST"])
    bureau = _near_repeat_bureau(request.user)
    if not can(request.user, NearRepeatProfile, "add"):
        raise PermissionDenied
    profile = nearrepeat.do_compute_profile(actor=request.user, bureau=bureau)
    messages.success(request, nearrepeat.verdict(profile))
    if not profile.supported:
        messages.info(request, _("No near-repeat alert is raised until the bureau's data support a pattern."))
    return redirect("incidents:near_repeats")


@login_required
def near_repeat_profiles(request):
    """Every run of the bureau's near-repeat test, newest first: what each one supported."""
    from jingwu.core.scope import restrict

    from . import nearrepeat
    from .models import NearRepeatProfile

    bureau = _near_repeat_bureau(request.user)
    profiles = list(
        restrict(NearRepeatProfile.objects.filter(bureau=bureau), request.user).order_by(
            "-computed_at", "-id"
        )[:200]
    )
    return render(
        request,
        "incidents/near_repeat_profiles.html",
        {"profiles": profiles, "rows": [(p, nearrepeat.verdict(p)) for p in profiles]},
    )
