"""Pages of the inspections app: due work, legal timers, and their writes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingwu.core.clock import data_date, user_bureau
from jingwu.core.scope import can, restrict
from jingwu.places.selectors import premises_for

from .filters import DueFilter, TimerFilter, VisitFilter
from .forms import CloseTimerForm, PlanForm, TimerForm
from .models import InspectionPlan, LegalTimer
from .selectors import (
    STATE_ORDER,
    assess,
    element_names,
    timer_state_label,
    timers_for,
    visits_for,
    with_places,
)
from .services import bureau_now, do_close_timer, do_open_timer, do_start_plan

PAGE_SIZE = 50


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc) or _("You do not have permission to do this here.")


@login_required
@require_GET
def due_list(request):
    """Premises with inspection elements due or overdue, riskiest first (the prevention center's list)."""
    if not can(request.user, LegalTimer, "view"):
        raise Http404
    f = DueFilter(request.GET, queryset=premises_for(request.user).filter(status="active"), request=request)
    rows = assess(f.qs)
    state = f.form.cleaned_data.get("state") if f.is_valid() else ""
    risk = f.form.cleaned_data.get("risk") if f.is_valid() else ""
    counts = {
        "premises": len(rows),
        "overdue": sum(1 for r in rows if r.state == "overdue"),
        "due": sum(1 for r in rows if r.state == "due"),
        "elements_overdue": sum(1 for r in rows for e in r.elements if e.state == "overdue"),
        "alerts": sum(r.alerts for r in rows),
        "high": sum(1 for r in rows if r.risk.level == "high"),
    }
    if state:
        rows = [r for r in rows if r.state == state]
    else:
        rows = [r for r in rows if r.state != "later"]
    if risk:
        rows = [r for r in rows if r.risk.level == risk]
    rows.sort(key=lambda r: (STATE_ORDER[r.state], -r.risk.score, r.next_due or r.premises.created_at.date()))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    with_places(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "inspections/due_list.html",
        {"filter": f, "page": page, "query": query.urlencode(), "counts": counts},
    )


@login_required
@require_GET
def visit_list(request):
    """Inspection visits of the premises in the user's area, newest first (the rows behind the dashboard's visits)."""
    from .models import Visit

    if not can(request.user, Visit, "view"):
        raise Http404
    qs = (
        visits_for(request.user)
        .select_related("premises__grid__parent")
        .defer("premises__grid__boundary", "premises__grid__parent__boundary")
        .order_by("-day", "-pk")
    )
    f = VisitFilter(request.GET, queryset=qs, request=request)
    page = Paginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "inspections/visit_list.html", {"filter": f, "page": page, "query": query.urlencode()}
    )


@login_required
@require_GET
def timer_list(request):
    """Legal timers in the user's units; overdue ones and missing records are the zone's alerts."""
    if not can(request.user, LegalTimer, "view"):
        raise Http404
    data = request.GET.copy()
    data.setdefault("show", "alerts")
    qs = timers_for(request.user).order_by("-due_at", "pk")
    f = TimerFilter(data, queryset=qs, request=request)
    page = Paginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = bureau_now(page.object_list[0].bureau) if page.object_list else None
    rows = [(t, s, timer_state_label(s)) for t in page.object_list for s in [t.state(now)]]
    query = data.copy()
    query.pop("page", None)
    return render(
        request,
        "inspections/timer_list.html",
        {
            "filter": f,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "can_change": can(request.user, LegalTimer, "change"),
        },
    )


@login_required
@require_POST
def timer_add(request, pk: int):
    premises = get_object_or_404(premises_for(request.user), pk=pk)
    form = TimerForm(request.POST, premises=premises)
    back = reverse("places:premises_detail", args=[premises.pk]) + "#inspections"
    if not form.is_valid():
        messages.error(request, "; ".join(m for errs in form.errors.values() for m in errs))
        return redirect(back)
    try:
        do_open_timer(actor=request.user, premises=premises, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The legal timer is started."))
    return redirect(back)


@login_required
@require_POST
def timer_close(request, pk: int):
    timer = get_object_or_404(timers_for(request.user), pk=pk)
    form = CloseTimerForm(request.POST)
    nxt = request.POST.get("next", "")
    back = nxt if nxt.startswith("/") and not nxt.startswith("//") else reverse("inspections:timer_list")
    if not form.is_valid():
        messages.error(request, "; ".join(m for errs in form.errors.values() for m in errs))
        return redirect(back)
    try:
        do_close_timer(timer, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("The legal timer is closed."))
    return redirect(back)


def _plan_units(user):
    from jingwu.org.selectors import units_for

    from .services import PLAN_UNIT_KINDS

    bureau = user_bureau(user)
    on = data_date(bureau.pk) if bureau is not None else None
    return restrict(units_for(user).current(on).filter(kind__in=PLAN_UNIT_KINDS), user).order_by("path")


@login_required
def plan_list(request):
    """Planning runs the user sees, and the form to start one (for who may plan)."""
    if not can(request.user, InspectionPlan, "view"):
        raise Http404
    plans = restrict(InspectionPlan.objects.select_related("unit", "created_by"), request.user)
    may_plan = can(request.user, InspectionPlan, "add")
    form = None
    if may_plan:
        units = _plan_units(request.user)
        first = units.first()
        initial = {"start": data_date(first.bureau_id) + dt.timedelta(days=1)} if first else {}
        form = PlanForm(request.POST or None, units=units, initial=initial)
        if request.method == "POST":
            if form.is_valid():
                try:
                    plan = do_start_plan(actor=request.user, **form.cleaned_data)
                except ValidationError as exc:
                    messages.error(request, _errors(exc))
                else:
                    messages.success(request, _("The plan is being computed; this page follows it."))
                    return redirect("inspections:plan_detail", plan.pk)
    elif request.method == "POST":
        raise PermissionDenied
    page = Paginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inspections/plan_list.html", {"page": page, "form": form, "query": ""})


@login_required
@require_GET
def plan_detail(request, pk: int):
    from jingwu.jobs.services import latest_job
    from jingwu.personnel.models import Officer

    from .choices import UNAVAILABLE_REASONS, UNPLANNED_REASONS

    plan = get_object_or_404(restrict(InspectionPlan.objects.select_related("unit"), request.user), pk=pk)
    job = latest_job(plan)
    res = plan.results or {}
    teams = res.get("teams", [])
    people = {o.pk: o.name for o in Officer.objects.filter(pk__in={m for t in teams for m in t["members"]})}
    names = element_names(plan.bureau_id)
    visits = list(
        plan.visits.filter(status="planned")
        .select_related("premises")
        .order_by("day", "team", "start_minute")
    )
    days: dict = {}
    for v in visits:
        team = teams[v.team] if v.team is not None and v.team < len(teams) else {"members": []}
        key = (v.day, v.team)
        if key not in days:
            days[key] = {
                "day": v.day,
                "team": v.team,
                "members": [people.get(m, "") for m in team["members"]],
                "visits": [],
            }
        days[key]["visits"].append(
            {
                "visit": v,
                "arrive": f"{v.start_minute // 60:02d}:{v.start_minute % 60:02d}"
                if v.start_minute is not None
                else "",
                "elements": ", ".join(names.get(e, e) for e in v.elements),
            }
        )
    reasons = [(UNPLANNED_REASONS.get(k, k), n) for k, n in sorted(res.get("reasons", {}).items())]
    away = [
        (UNAVAILABLE_REASONS[k], res["unavailable"][k])
        for k in UNAVAILABLE_REASONS
        if res.get("unavailable", {}).get(k)
    ]
    share = (
        round(100 * res["visits_avoided"] / res["specialist_visits"])
        if res.get("specialist_visits")
        else None
    )
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": plan,
            "job": job,
            "res": res,
            "routes": list(days.values()),
            "reasons": reasons,
            "away": away,
            "share": share,
        },
    )


@login_required
@require_POST
def visit_begin(request, pk: int):
    """Start a visit at the door of premises in the user's area (every element due now)."""
    from .services import do_begin_visit

    premises = get_object_or_404(premises_for(request.user), pk=pk)
    try:
        visit = do_begin_visit(actor=request.user, premises=premises)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(reverse("places:premises_detail", args=[premises.pk]) + "#inspections")
    return redirect("inspections:visit_checklist", visit.pk)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
def visit_checklist(request, pk: int):
    """The checklist at the door: phone-sized, kept on the phone until it is sent."""
    from django.http import JsonResponse

    from jingwu.core.i18n import pick

    from .selectors import visits_for
    from .services import checklist_of, do_submit_checklist

    visit = get_object_or_404(visits_for(request.user).select_related("premises"), pk=pk)
    lists = checklist_of(visit)
    if request.method == "POST":
        answers = {
            i.code: (request.POST.get(f"r:{i.code}", ""), request.POST.get(f"n:{i.code}", ""))
            for c in lists
            for i in c.items
            if f"r:{i.code}" in request.POST or f"n:{i.code}" in request.POST
        }
        extra = {k[2:] for k in request.POST if k.startswith("r:")} - {i.code for c in lists for i in c.items}
        for code in extra:
            answers[code] = (request.POST.get(f"r:{code}", ""), "")
        photos = {k[2:]: request.FILES.getlist(k) for k in request.FILES if k.startswith("p:")}
        try:
            visit, again = do_submit_checklist(
                visit,
                actor=request.user,
                answers=answers,
                photos=photos,
                submission=request.POST.get("submission", ""),
            )
        except ValidationError as exc:
            if _wants_json(request):
                return JsonResponse({"ok": False, "errors": exc.messages}, status=400)
            for m in exc.messages:
                messages.error(request, m)
        else:
            text = (
                _("This checklist was already received; nothing was changed.")
                if again
                else _("The checklist is recorded; failed items: %(n)d.") % {"n": visit.failed_items}
            )
            back = reverse("places:premises_detail", args=[visit.premises_id]) + "#inspections"
            if _wants_json(request):
                return JsonResponse({"ok": True, "again": again, "message": text, "next": back})
            messages.success(request, text)
            return redirect(back)
    sections = [
        {
            "code": c.code,
            "title": pick(c.zh, c.en),
            "items": [
                {"code": i.code, "text": pick(i.zh, i.en), "answer": visit.answers.get(i.code, {})}
                for i in c.items
            ],
        }
        for c in lists
    ]
    return render(
        request,
        "inspections/visit_checklist.html",
        {
            "visit": visit,
            "sections": sections,
            "photos": list(visit.photos.all()),
            "can_record": visit.status == "planned" and can(request.user, type(visit), "change"),
            "results": [("pass", _("Pass")), ("fail", _("Fail")), ("na", _("Not applicable"))],
        },
    )


@login_required
@require_GET
def visit_photo(request, pk: int):
    """A photo of a visit, for who sees the visit (never a public media address)."""
    from django.http import FileResponse

    from .models import VisitPhoto

    photo = get_object_or_404(restrict(VisitPhoto.objects.all(), request.user), pk=pk)
    try:
        handle = photo.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, content_type=photo.content_type)


def _back_to_premises(premises_id: int) -> str:
    return reverse("places:premises_detail", args=[premises_id]) + "#inspections"


@login_required
@require_POST
def finding_close(request, pk: int):
    from .models import Finding
    from .services import do_close_finding

    finding = get_object_or_404(restrict(Finding.objects.all(), request.user), pk=pk)
    try:
        do_close_finding(finding, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("The finding is closed as put right."))
    return redirect(_back_to_premises(finding.premises_id))


@login_required
@require_POST
def sanction_add(request, pk: int):
    from jingwu.incidents.models import Incident

    from .models import Finding
    from .services import do_sanction

    finding = get_object_or_404(restrict(Finding.objects.all(), request.user), pk=pk)
    incident = None
    raw = request.POST.get("incident", "").strip()
    if raw:
        incident = (
            restrict(Incident.objects.all(), request.user).filter(pk=raw if raw.isdigit() else 0).first()
        )
        if incident is None:
            messages.error(request, _("The incident is not one you can see."))
            return redirect(_back_to_premises(finding.premises_id))
    try:
        s = do_sanction(
            actor=request.user, finding=finding, incident=incident, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Sanction decided: %(kind)s.") % {"kind": s.get_kind_display()})
    return redirect(_back_to_premises(finding.premises_id))


ROUTE_COLORS = ["#2471a3", "#c0392b", "#1e8449", "#d68910", "#7d3c98", "#17a589", "#a04000", "#5d6d7e"]


@login_required
@require_GET
def plan_routes(request, pk: int):
    """A day's routes of a plan, team by team, on the map and ready to print."""
    from jingwu.personnel.models import Officer

    plan = get_object_or_404(restrict(InspectionPlan.objects.select_related("unit"), request.user), pk=pk)
    planned = plan.visits.filter(status="planned").select_related("premises")
    days = sorted(set(planned.values_list("day", flat=True)))
    try:
        day = dt.date.fromisoformat(request.GET["day"]) if request.GET.get("day") else None
    except ValueError:
        day = None
    if day not in days:
        day = days[0] if days else None
    teams = (plan.results or {}).get("teams", [])
    people = {o.pk: o.name for o in Officer.objects.filter(pk__in={m for t in teams for m in t["members"]})}
    names = element_names(plan.bureau_id)
    routes: dict = {}
    for v in planned.filter(day=day).order_by("team", "start_minute") if day else []:
        team = teams[v.team] if v.team is not None and v.team < len(teams) else {"members": []}
        r = routes.setdefault(
            v.team,
            {
                "team": (v.team or 0) + 1,
                "color": ROUTE_COLORS[len(routes) % len(ROUTE_COLORS)],
                "members": [people.get(m, "") for m in team["members"]],
                "depot": team.get("depot"),
                "stops": [],
            },
        )
        r["stops"].append(
            {
                "id": v.premises_id,
                "name": v.premises.name,
                "address": v.premises.address,
                "lon": v.premises.lon,
                "lat": v.premises.lat,
                "arrive": f"{v.start_minute // 60:02d}:{v.start_minute % 60:02d}"
                if v.start_minute is not None
                else "",
                "elements": ", ".join(names.get(e, e) for e in v.elements),
            }
        )
    return render(
        request,
        "inspections/plan_routes.html",
        {"plan": plan, "day": day, "days": days, "routes": list(routes.values())},
    )


def _measures_context(request):
    """The measures of the period asked (or the last six months), or the reason there are none."""
    from jingwu.core.clock import user_bureau

    from .measures import LEVELS, default_period, measures

    if not can(request.user, LegalTimer, "view"):
        raise Http404
    bureau = user_bureau(request.user)
    if bureau is None:
        raise Http404
    first, last = default_period(bureau)
    by = request.GET.get("by") or "station"
    ctx = {"by": by if by in LEVELS else "station", "error": "", "m": None}
    try:
        if request.GET.get("first"):
            first = dt.datetime.strptime(request.GET["first"], "%Y-%m").date()
        if request.GET.get("last"):
            last = dt.datetime.strptime(request.GET["last"], "%Y-%m").date()
    except ValueError:
        ctx["error"] = _("Enter months as year and month, e.g. 2018-06.")
    ctx.update(first=f"{first:%Y-%m}", last=f"{last:%Y-%m}")
    if not ctx["error"]:
        try:
            ctx["m"] = measures(request.user, bureau, first=first, last=last, by=by)
        except ValidationError as exc:
            ctx["error"] = _errors(exc)
    if ctx["m"] is not None:
        ctx["chart"] = ctx["m"].chart()
    ctx["query"] = request.GET.urlencode()
    return ctx


@login_required
@require_GET
def measures_page(request):
    """Per unit and month: visits, elements per visit, visits avoided, deadlines missed, findings."""
    return render(request, "inspections/measures.html", _measures_context(request))


@login_required
@require_GET
def measures_export(request):
    """The table of the measures page as an Excel workbook (the page, with its message, if none)."""
    from django.http import HttpResponse

    from .measures import measures_xlsx

    ctx = _measures_context(request)
    if ctx["m"] is None:
        return render(request, "inspections/measures.html", ctx)
    title = _("Inspections measured, %(first)s to %(last)s") % {"first": ctx["first"], "last": ctx["last"]}
    response = HttpResponse(
        measures_xlsx(ctx["m"], title),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="inspections-{ctx["first"]}-{ctx["last"]}.xlsx"'
    from django.db import transaction

    from jingwu.core import audit

    with transaction.atomic():
        audit.record(
            "export",
            actor=request.user,
            bureau=user_bureau(request.user),
            object_type="inspections.measures",
            object_repr=title,
            after={"format": "xlsx", "first": ctx["first"], "last": ctx["last"], "by": ctx["by"]},
            via="web",
        )
    return response
