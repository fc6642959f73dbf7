"""The series board (the investigation center's) and the series pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingwu.cases.models import Series
from jingwu.core.api import filter_by_id
from jingwu.core.clock import user_bureau
from jingwu.core.scope import can, current_memberships, restrict
from jingwu.jobs.services import latest_job
from jingwu.places.models import Premises

from . import selectors, services
from .models import CandidateLink, LeadSource, LeadStatus, LinkRun, LinkStatus, UnreportedLead

PAGE_SIZE = 50


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You do not have permission to do this here.")


def _board_visible(user) -> None:
    if not can(user, CandidateLink, "view"):
        raise Http404


def _refusal(run: LinkRun | None) -> str:
    if run is None or not run.error:
        return ""
    if run.error.startswith("too_few_links"):
        return _(
            "The run was refused: the bureau has too few confirmed series in the window to learn from "
            "(at least ten linked pairs are needed). Build series from known cases first."
        )
    return run.error


@login_required
@require_GET
def board(request):
    _board_visible(request.user)
    page = Paginator(selectors.open_links(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for link in page:
        link.reasons = selectors.reasons_of(link)
    run = selectors.latest_run(request.user)
    return render(
        request,
        "series/board.html",
        {
            "page": page,
            "run": run,
            "job": latest_job(run) if run else None,
            "refusal": _refusal(run),
            "confirmed": selectors.confirmed_links(request.user)[:200],
            "can_score": can(request.user, LinkRun, "add"),
            "can_decide": can(request.user, CandidateLink, "change"),
            "can_build": can(request.user, CandidateLink, "change") and can(request.user, Series, "add"),
        },
    )


@login_required
@require_POST
def score(request):
    bureau = user_bureau(request.user)
    if bureau is None or not can(request.user, LinkRun, "add"):
        raise PermissionDenied
    try:
        services.do_start_scoring(bureau, actor=request.user)
        messages.success(request, _("Scoring started; the board fills when it ends."))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
    return redirect("series:board")


@login_required
@require_POST
def decide(request, pk: int, decision: str):
    if decision not in (LinkStatus.CONFIRMED, LinkStatus.REJECTED):
        raise Http404
    link = get_object_or_404(restrict(CandidateLink, request.user, "change"), pk=pk)
    error = ""
    try:
        link = services.do_decide_link(
            link, actor=request.user, decision=decision, note=request.POST.get("note", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        error = _errors(exc)
    if request.headers.get("HX-Request"):
        link.reasons = selectors.reasons_of(link)
        return render(request, "series/_link_row.html", {"link": link, "error": error, "can_decide": True})
    if error:
        messages.error(request, error)
    return redirect("series:board")


@login_required
@require_POST
def build(request):
    bureau = user_bureau(request.user)
    if bureau is None or not can(request.user, CandidateLink, "change"):
        raise PermissionDenied
    try:
        ids = [int(x) for x in request.POST.getlist("links")]
    except ValueError:
        ids = []
    try:
        series = services.do_build_series(
            bureau,
            actor=request.user,
            name=request.POST.get("name", ""),
            link_ids=ids,
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _errors(exc))
        return redirect("series:board")
    messages.success(request, _("Series %(code)s built.") % {"code": series.code})
    return redirect("series:series_detail", pk=series.pk)


@login_required
@require_GET
def series_list(request):
    if not can(request.user, Series, "view"):
        raise Http404
    page = Paginator(selectors.series_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "series/series_list.html",
        {
            "page": page,
            "can_board": can(request.user, CandidateLink, "view"),
            "can_follow_up": can(request.user, UnreportedLead, "view"),
        },
    )


@login_required
@require_GET
def series_detail(request, pk: int):
    series = get_object_or_404(selectors.series_for(request.user), pk=pk)
    incidents, hidden = selectors.members(request.user, series)
    points = [
        {
            "lon": i.lon,
            "lat": i.lat,
            "number": i.number,
            "when": localtime(i.received_at).strftime("%Y-%m-%d %H:%M"),
            "order": n + 1,
        }
        for n, i in enumerate(incidents)
        if i.lon is not None and i.lat is not None
    ]
    timeline = {
        "labels": [p["number"] for p in points],
        "times": [p["when"] for p in points],
    }
    return render(
        request,
        "series/series_detail.html",
        {
            "series": series,
            "incidents": incidents,
            "hidden": hidden,
            "points": points,
            "timeline": timeline,
            "sees_premises": can(request.user, Premises, "view"),
            **_follow_up_context(request.user, series, incidents),
        },
    )


# --- possible victims who never reported: the follow-up ----------------------------------


def _follow_up_context(user, series, incidents) -> dict:
    from jingwu.org.models import Unit

    leads, counts = selectors.series_leads(user, series)
    proxy = selectors.follow_up(user, series, incidents)
    added = set(
        UnreportedLead.objects.filter(series=series, premises__isnull=False).values_list(
            "premises_id", flat=True
        )
    )
    for row in proxy:
        row["added"] = row["premises"].pk in added
    can_add = can(user, UnreportedLead, "add")
    return {
        "follow_up": proxy,
        "leads": leads,
        "lead_counts": counts,
        "can_add_lead": can_add,
        "can_record": can(user, UnreportedLead, "change"),
        "can_change_series": can(user, Series, "change"),
        "lead_sources": [c for c in LeadSource.choices if c[0] != LeadSource.DOOR_TO_DOOR]
        + [(LeadSource.DOOR_TO_DOOR, LeadSource.DOOR_TO_DOOR.label)],
        "outcomes": [c for c in LeadStatus.choices if c[0] != LeadStatus.TO_CONTACT],
        "stations": (
            restrict(Unit.objects.filter(bureau_id=series.bureau_id, kind="station"), user)
            .only("pk", "name_zh", "name_en", "code")
            .order_by("code")
            if can_add
            else []
        ),
    }


def _follow_up_answer(request, series, done: str, error: str):
    """HTMX: the series' follow-up section again, with the message; else back to the page."""
    if request.headers.get("HX-Request"):
        incidents, _hidden = selectors.members(request.user, series)
        ctx = {
            "series": series,
            "sees_premises": can(request.user, Premises, "view"),
            "lead_done": done,
            "lead_error": error,
            **_follow_up_context(request.user, series, incidents),
        }
        return render(request, "series/_follow_up.html", ctx)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(f"{reverse('series:series_detail', args=[series.pk])}#jw-follow-up")


def _day(raw: str, field: str):
    import datetime as dt

    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({field: _("Enter a date as year-month-day, e.g. 2018-06-01.")}) from None


def _number(raw: str, field: str):
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        raise ValidationError({field: _("Enter a number.")}) from None


@login_required
@require_POST
def lead_add(request, pk: int):
    """Add a possible victim to the series' follow-up (an admission, an analyst's, other)."""
    from jingwu.org.models import Unit

    series = get_object_or_404(selectors.series_for(request.user), pk=pk)
    if not can(request.user, UnreportedLead, "add"):
        raise PermissionDenied
    p = request.POST
    try:
        station = None
        if p.get("station", ""):
            if p["station"].isascii() and p["station"].isdigit():
                stations = restrict(Unit.objects.filter(kind="station"), request.user)
                station = filter_by_id(stations, p, "station", "pk").first()
            if station is None:
                raise ValidationError({"station": _("Choose a station of this bureau.")})
        services.do_add_lead(
            series,
            actor=request.user,
            source=p.get("source", ""),
            first_day=_day(p.get("first_day", ""), "first_day"),
            last_day=_day(p.get("last_day", ""), "last_day"),
            approximate=bool(p.get("approximate")),
            description=p.get("description", ""),
            address=p.get("address", ""),
            lon=_number(p.get("lon", ""), "lon"),
            lat=_number(p.get("lat", ""), "lat"),
            station=station,
            contact_note=p.get("contact_note", ""),
        )
        done, error = _("The lead was added to the follow-up."), ""
    except (ValidationError, PermissionDenied) as exc:
        done, error = "", _errors(exc)
    return _follow_up_answer(request, series, done, error)


@login_required
@require_POST
def lead_from_premises(request, pk: int, premises: int):
    """One click on the proxy list: the premises become a door-to-door lead of the series."""
    series = get_object_or_404(selectors.series_for(request.user), pk=pk)
    prem = get_object_or_404(restrict(Premises, request.user), pk=premises)
    if not can(request.user, UnreportedLead, "add"):
        raise PermissionDenied
    try:
        services.do_add_lead_from_premises(series, prem, actor=request.user)
        done, error = _("%(name)s was added to the follow-up.") % {"name": prem.name}, ""
    except (ValidationError, PermissionDenied) as exc:
        done, error = "", _errors(exc)
    return _follow_up_answer(request, series, done, error)


@login_required
@require_POST
def lead_outcome(request, pk: int):
    """Record the outcome of a follow-up (HTMX: the lead's row comes back)."""
    from jingwu.incidents.models import Incident

    lead = get_object_or_404(selectors.leads_for(request.user), pk=pk)
    if not restrict(UnreportedLead.objects.filter(pk=lead.pk), request.user, "change").exists():
        raise PermissionDenied
    p = request.POST
    error = ""
    try:
        incident = None
        number = p.get("incident", "").strip()
        if number:
            incident = (
                restrict(Incident, request.user).filter(bureau_id=lead.bureau_id, number=number).first()
            )
            if incident is None:
                raise ValidationError(
                    {"incident": _("No incident numbered %(number)s that you may see.") % {"number": number}}
                )
        lead = services.do_record_outcome(
            lead,
            actor=request.user,
            status=p.get("status", ""),
            day=_day(p.get("day", ""), "day"),
            note=p.get("note", ""),
            incident=incident,
            add_to_series=bool(p.get("add_to_series")),
        )
        lead = selectors.leads_for(request.user).get(pk=lead.pk)
    except (ValidationError, PermissionDenied) as exc:
        error = _errors(exc)
    if request.headers.get("HX-Request"):
        selectors.mark_overdue([lead])
        return render(
            request,
            "series/_lead_row.html",
            {
                "lead": lead,
                "error": error,
                "can_record": True,
                "can_change_series": can(request.user, Series, "change"),
                "outcomes": [c for c in LeadStatus.choices if c[0] != LeadStatus.TO_CONTACT],
                "with_series": request.POST.get("with_series") == "1",
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The outcome was recorded."))
    from django.utils.http import url_has_allowed_host_and_scheme

    nxt = request.POST.get("next", "")
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return redirect(nxt)
    return redirect("series:lead_list")


@login_required
@require_GET
def lead_list(request):
    """The follow-ups the user sees (a station: the doors of its area), due first."""
    from .filters import LeadFilter

    if not can(request.user, UnreportedLead, "view"):
        raise Http404
    qs = selectors.leads_for(request.user).order_by("due", "id")
    f = LeadFilter(request.GET, queryset=qs, request=request)
    bureau_ids = {m.bureau_id for m in current_memberships(request.user)}
    counts = selectors.lead_counts(f.qs, bureau_ids or set(f.qs.values_list("bureau_id", flat=True)))
    page = Paginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.mark_overdue(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "series/lead_list.html",
        {
            "filter": f,
            "page": page,
            "query": query.urlencode(),
            "counts": counts,
            "can_record": can(request.user, UnreportedLead, "change"),
            "can_change_series": can(request.user, Series, "change"),
            "outcomes": [c for c in LeadStatus.choices if c[0] != LeadStatus.TO_CONTACT],
        },
    )
