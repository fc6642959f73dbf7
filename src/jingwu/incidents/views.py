import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

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
    from django.apps import apps

    from jingwu.core.scope import can

    from .models import Callback

    return render(
        request,
        "incidents/incident_list.html",
        {
            "filter": f,
            "page": page,
            "query": query.urlencode(),
            "sees_callbacks": can(request.user, Callback, "view"),
            "sees_follow_ups": can(request.user, apps.get_model("series", "UnreportedLead"), "view"),
        },
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
    return _detail(request, incident)


def _detail(request, incident, *, form=None, errors=None, status=200):
    """The incident page; after a refused callback, with the posted values and the errors."""
    from jingwu.cases.models import Case
    from jingwu.core.clock import latest_day, local_day, zone
    from jingwu.core.scope import can, restrict

    from .choices import CallbackResult
    from .models import Callback
    from .services import may_record_callback

    tz = zone(incident.bureau)
    callbacks = list(
        restrict(Callback.objects.filter(incident=incident), request.user).select_related("officer")
    )
    completed = next((c for c in callbacks if c.completed), None)
    may_call = completed is None and may_record_callback(request.user, incident)
    if form is None and may_call:
        # a historical county's "now" is its last day: propose a time on the latest day
        now = timezone.localtime(timezone.now(), tz)
        last = latest_day(incident.bureau)
        if local_day(now, tz) > last:
            now = now.replace(year=last.year, month=last.month, day=last.day)
        form = {"called_at": now.strftime("%Y-%m-%dT%H:%M"), "result": "", "note": "", "complaint": ""}
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "series": incident.series.all(),
            "can_open_case": can(request.user, Case, "add"),
            "callbacks": callbacks,
            "may_call": may_call,
            "form": form,
            "errors": errors or {},
            "results": CallbackResult.choices,
        },
        status=status,
    )


@login_required
@require_POST
def callback_record(request, pk: int):
    """Record a callback to the incident's reporter from the incident page (a phone form)."""
    from django.contrib import messages
    from django.core.exceptions import ValidationError
    from django.shortcuts import redirect
    from django.utils.translation import gettext as _

    from jingwu.core.clock import zone

    from .services import do_record_callback

    incident = get_object_or_404(incidents_for(request.user), pk=pk)
    form = {k: request.POST.get(k, "") for k in ("called_at", "result", "note", "complaint")}
    called_at = None
    try:
        parsed = dt.datetime.fromisoformat(form["called_at"]) if form["called_at"] else None
    except ValueError:
        parsed = None
    if parsed is not None:
        called_at = parsed if parsed.tzinfo else parsed.replace(tzinfo=zone(incident.bureau))
    try:
        do_record_callback(
            incident,
            actor=request.user,
            result=form["result"],
            called_at=called_at,
            note=form["note"],
            complaint=bool(form["complaint"]),
        )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"all": exc.messages}
        errors = {("all" if k == "__all__" else k): v for k, v in errors.items()}
        if form["called_at"] and parsed is None:
            errors["called_at"] = [_("Give the date and time of the call as 2019-04-07 09:30.")]
        return _detail(request, incident, form=form, errors=errors, status=400)
    messages.success(request, _("The callback is recorded."))
    return redirect("incidents:incident_detail", pk=incident.pk)


@login_required
@require_GET
def callback_list(request):
    """Callbacks to reporters in the user's area, newest first, with the satisfaction of the rows
    (the rows behind the dashboard's public satisfaction)."""
    from django.db.models import Count, Q
    from django.http import Http404

    from jingwu.core.scope import can, restrict

    from .choices import COMPLETED_RESULTS, SATISFIED_RESULTS
    from .filters import CallbackFilter
    from .models import Callback

    if not can(request.user, Callback, "view"):
        raise Http404
    qs = restrict(
        Callback.objects.select_related(
            "incident", "incident__category", "incident__station", "officer"
        ).defer("incident__station__boundary"),
        request.user,
    ).order_by("-called_at", "-id")
    f = CallbackFilter(request.GET, queryset=qs, request=request)
    agg = f.qs.aggregate(
        n=Count("id"),
        completed=Count("id", filter=Q(result__in=COMPLETED_RESULTS)),
        satisfied=Count("id", filter=Q(result__in=SATISFIED_RESULTS)),
        complaints=Count("id", filter=Q(complaint=True)),
    )
    share = round(100 * agg["satisfied"] / agg["completed"], 1) if agg["completed"] else None
    page = _FastCountPaginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "incidents/callback_list.html",
        {"filter": f, "page": page, "query": query.urlencode(), "agg": agg, "share": share},
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
