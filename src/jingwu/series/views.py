"""The series board (the investigation center's) and the series pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingwu.cases.models import Series
from jingwu.core.clock import user_bureau
from jingwu.core.scope import can, restrict
from jingwu.jobs.services import latest_job
from jingwu.places.models import Premises

from . import selectors, services
from .models import CandidateLink, LinkRun, LinkStatus

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
        {"page": page, "can_board": can(request.user, CandidateLink, "view")},
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
            "follow_up": selectors.follow_up(request.user, series, incidents),
            "sees_premises": can(request.user, Premises, "view"),
        },
    )
