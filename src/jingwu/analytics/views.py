"""Measurement pages: effect evaluation and the reform's claims."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from jingwu.core.scope import can, current_memberships, restrict
from jingwu.incidents.models import Incident
from jingwu.jobs.services import latest_job
from jingwu.org.models import Unit
from jingwu.personnel.models import Officer

from .claims import reform_claims
from .dashboard import PERIODS, build
from .evaluation import evaluate_change
from .forms import EffectForm, ReportForm
from .models import Report
from .reports import do_request_report


def _needs_incidents(user) -> None:
    if not can(user, Incident, "view"):
        raise Http404


@login_required
def effect(request):
    """Before/after of a change at a unit against comparable units."""
    _needs_incidents(request.user)
    form = EffectForm(request.GET or None, user=request.user)
    result = None
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        try:
            result = evaluate_change(
                request.user, d["unit"], d["change"], d["measure"], d["months"], same_type=d["same_type"]
            )
        except ValidationError as e:
            if hasattr(e, "error_dict"):
                for name, errs in e.error_dict.items():
                    for err in errs:
                        form.add_error(name if name in form.fields else None, err)
            else:
                form.add_error(None, e)
    return render(request, "analytics/effect.html", {"form": form, "result": result})


@login_required
def claims(request):
    """The reform's claims beside the figures the bureau's data give."""
    user = request.user
    if not (can(user, Incident, "view") or can(user, Officer, "view")):
        raise Http404
    bureaus = {m.unit.bureau for m in current_memberships(user)} if not user.is_superuser else set()
    if user.bureau is not None:
        bureaus.add(user.bureau)
    rows = [(b, reform_claims(user, b)) for b in sorted(bureaus, key=lambda b: b.code)]
    return render(request, "analytics/claims.html", {"reports": rows})


@login_required
def dashboard_home(request):
    """The dashboard of the user's own unit (the highest of their posts)."""
    user = request.user
    units = sorted((m.unit for m in current_memberships(user)), key=lambda u: (u.depth, u.path))
    if not units and user.is_superuser:
        units = list(Unit.objects.filter(kind="headquarters").order_by("bureau__code")[:1])
    if not units:
        raise Http404
    return redirect("analytics:dashboard", pk=units[0].pk)


@login_required
def dashboard(request, pk: int):
    """A unit's own work: incidents by month, category and place, workload per officer, cases."""
    unit = get_object_or_404(restrict(Unit.objects.select_related("parent", "bureau"), request.user), pk=pk)
    d = build(request.user, unit, _months(request))
    crumbs = []
    parent = unit.parent
    visible = set(
        restrict(Unit.objects.filter(bureau=unit.bureau), request.user).values_list("pk", flat=True)
    )
    while parent is not None:
        if parent.pk in visible:
            crumbs.insert(0, parent)
        parent = parent.parent
    from .models import Report

    may_report = can(request.user, Report, "add")
    return render(
        request,
        "analytics/dashboard.html",
        {
            "d": d,
            "crumbs": crumbs,
            "periods": PERIODS,
            "report_form": ReportForm(initial={"start": d.last}) if may_report else None,
        },
    )


def _months(request) -> int:
    try:
        months = int(request.GET.get("months", 12))
    except ValueError:
        months = 12
    return months if months in PERIODS else 12


@login_required
def indicator_detail(request, pk: int, code: str):
    """One indicator of a unit's dashboard: its definition, unit, formula and the source
    queries it was computed from, readable and as SQL, with each one's figure."""
    from .indicators import CATALOGUE
    from .sources import unit_names

    unit = get_object_or_404(restrict(Unit.objects.select_related("parent", "bureau"), request.user), pk=pk)
    indicator = CATALOGUE.get(code)
    if indicator is None:
        raise Http404
    d = build(request.user, unit, _months(request))
    value = indicator.value(d)
    sources = d.sources.get(code, []) if getattr(d, "sees_" + indicator.needs, False) else []
    if not sources:
        raise Http404
    names = unit_names(sources)
    rows = [
        {"name": s.name, "readable": s.readable(names), "sql": s.sql(), "figure": s.run()} for s in sources
    ]
    return render(
        request,
        "analytics/indicator_detail.html",
        {"d": d, "i": indicator, "value": value, "url": indicator.url(d), "sources": rows},
    )


@login_required
@require_POST
def report_new(request, pk: int):
    """Ask for a monthly or quarterly report of a unit (from its dashboard)."""
    unit = get_object_or_404(restrict(Unit.objects.all(), request.user), pk=pk)
    form = ReportForm(request.POST)
    if not form.is_valid():
        for err in form.errors.values():
            messages.warning(request, " ".join(err))
        return redirect("analytics:dashboard", pk=unit.pk)
    try:
        report = do_request_report(
            actor=request.user,
            unit=unit,
            period=form.cleaned_data["period"],
            start=form.cleaned_data["start"],
        )
    except PermissionDenied:
        raise
    except ValidationError as e:
        messages.warning(request, " ".join(e.messages))
        return redirect("analytics:dashboard", pk=unit.pk)
    return redirect("analytics:report_detail", pk=report.pk)


def _report(request, pk: int) -> Report:
    return get_object_or_404(restrict(Report.objects.select_related("unit"), request.user), pk=pk)


@login_required
def report_detail(request, pk: int):
    report = _report(request, pk)
    return render(request, "analytics/report.html", {"report": report, "job": latest_job(report)})


@login_required
def report_file(request, pk: int, fmt: str):
    report = _report(request, pk)
    name = report.pdf if fmt == "pdf" else report.xlsx
    if not name:
        raise Http404
    path = Path(settings.MEDIA_ROOT) / name
    if not path.is_file():
        raise Http404
    content_type = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=content_type)


def _hotspot_unit(request, pk: int) -> Unit:
    return get_object_or_404(restrict(Unit.objects.select_related("bureau"), request.user), pk=pk)


@login_required
def hotspots(request, pk: int):
    """Tomorrow's hot cells of a unit's area, on the map and by sub-area."""
    from .hotspots import METHODS, forecast_for

    unit = _hotspot_unit(request, pk)
    method = request.GET.get("method", "kde")
    h = forecast_for(request.user, unit, method) if can(request.user, Incident, "view") else None
    from .models import PatrolTask

    return render(
        request,
        "analytics/hotspots.html",
        {"unit": unit, "h": h, "methods": METHODS, "may_patrol": can(request.user, PatrolTask, "view")},
    )


@login_required
def hotspots_map(request, pk: int):
    from django.http import JsonResponse

    from .hotspots import forecast_for, layers

    unit = _hotspot_unit(request, pk)
    if not can(request.user, Incident, "view"):
        return JsonResponse({"layers": {}})
    h = forecast_for(request.user, unit, request.GET.get("method", "kde"))
    return JsonResponse({"layers": layers(h) if h.cells else {}})


@login_required
def indicators(request):
    """The bureau's indicator sets per kind of unit (and station type); bureau command edits them."""
    from .forms import IndicatorSetForm
    from .indicators import CATALOGUE, DEFAULT_SETS, do_set_indicators, stored_sets
    from .models import IndicatorSet

    user = request.user
    if not can(user, IndicatorSet, "view"):
        raise Http404
    bureaus = sorted({m.bureau for m in current_memberships(user)}, key=lambda b: b.code)
    if not bureaus and user.is_superuser:
        from jingwu.core.models import Bureau

        bureaus = list(Bureau.objects.order_by("code")[:1])
    if not bureaus:
        raise Http404
    bureau = bureaus[0]
    may_change = can(user, IndicatorSet, "change")
    if request.method == "POST":
        if not may_change:
            raise PermissionDenied
        form = IndicatorSetForm(request.POST)
        if form.is_valid():
            try:
                do_set_indicators(
                    actor=user,
                    bureau=bureau,
                    unit_kind=form.cleaned_data["unit_kind"],
                    station_type=form.cleaned_data["station_type"] or "",
                    codes=form.cleaned_data["codes"],
                )
            except ValidationError as e:
                messages.warning(request, " ".join(e.messages))
            else:
                messages.success(request, _("The indicator set is saved."))
                return redirect("analytics:indicators")
        else:
            for err in form.errors.values():
                messages.warning(request, " ".join(err))
    stored = stored_sets(bureau)
    from jingwu.org.choices import STATION_TYPE_CHOICES, UNIT_KIND_CHOICES

    kinds, types = dict(UNIT_KIND_CHOICES), dict(STATION_TYPE_CHOICES)
    rows = []
    for key, default in DEFAULT_SETS.items():
        codes = stored.get(key, list(default))
        rows.append(
            {
                "kind": key[0],
                "type": key[1],
                "label": kinds.get(key[0], key[0]) + (f" · {types.get(key[1], key[1])}" if key[1] else ""),
                "codes": codes,
                "indicators": [CATALOGUE[c] for c in codes if c in CATALOGUE],
                "custom": key in stored,
                "fit": [i for i in CATALOGUE.values() if key[0] in i.kinds],
            }
        )
    return render(
        request,
        "analytics/indicators.html",
        {"bureau": bureau, "rows": rows, "catalogue": CATALOGUE.values(), "may_change": may_change},
    )


@login_required
def report_list(request):
    """The reports the user sees (newest first) and the report schedules, with a form to add one."""
    from django.core.paginator import Paginator

    from .forms import ScheduleForm
    from .models import ReportSchedule
    from .schedules import do_schedule_report, do_stop_schedule

    user = request.user
    if not can(user, Report, "view"):
        raise Http404
    may_schedule = can(user, ReportSchedule, "add")
    form = ScheduleForm(request.POST or None, user=user) if may_schedule else None
    if request.method == "POST":
        if not may_schedule:
            raise PermissionDenied
        stop = request.POST.get("stop")
        try:
            if stop:
                sched = get_object_or_404(
                    restrict(ReportSchedule.objects.select_related("unit"), user), pk=stop
                )
                do_stop_schedule(actor=user, schedule=sched)
                messages.success(request, _("The schedule is stopped."))
                return redirect("analytics:report_list")
            if form.is_valid():
                do_schedule_report(
                    actor=user, unit=form.cleaned_data["unit"], period=form.cleaned_data["period"]
                )
                messages.success(
                    request, _("The report is scheduled: it is written once its period is in the data.")
                )
                return redirect("analytics:report_list")
        except ValidationError as e:
            form.add_error(None, e if not hasattr(e, "error_dict") else " ".join(e.messages))
    reports = restrict(Report.objects.select_related("unit", "schedule", "requested_by"), user).order_by(
        "-start", "-id"
    )
    page = Paginator(reports, 50).get_page(request.GET.get("page"))
    schedules = list(
        restrict(ReportSchedule.objects.select_related("unit", "created_by"), user).order_by(
            "-active", "unit__path"
        )
    )
    from .schedules import due_start

    for s in schedules:
        s.due = due_start(s) if s.active else None
    return render(
        request,
        "analytics/report_list.html",
        {"page": page, "schedules": schedules, "form": form, "may_schedule": may_schedule},
    )


@login_required
def patrols(request, pk: int):
    """A zone's directed patrols from its hot-spot forecast, with the time spent in each cell's grid."""
    from .forms import PatrolForm
    from .models import PatrolTask
    from .patrols import do_create_patrol_tasks, tasks_with_dosage

    user = request.user
    unit = get_object_or_404(restrict(Unit.objects.select_related("bureau"), user), pk=pk)
    if unit.kind not in ("zone", "grid"):
        raise Http404
    sees = can(user, PatrolTask, "view")
    may_add = can(user, PatrolTask, "add") and unit.kind == "zone"
    form = PatrolForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                made = do_create_patrol_tasks(
                    actor=user,
                    zone=unit,
                    method=form.cleaned_data["method"],
                    start=form.cleaned_data["start"],
                    hours=form.cleaned_data["hours"],
                )
            except ValidationError as e:
                form.add_error(None, " ".join(e.messages))
            else:
                messages.success(
                    request,
                    ngettext("%(n)d directed patrol made.", "%(n)d directed patrols made.", len(made))
                    % {"n": len(made)},
                )
                return redirect("analytics:patrols", pk=unit.pk)
    tasks = tasks_with_dosage(user, unit) if sees else []
    return render(
        request, "analytics/patrols.html", {"unit": unit, "tasks": tasks, "form": form, "sees": sees}
    )
