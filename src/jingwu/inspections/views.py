"""Pages of the inspections app: due work, legal timers, and their writes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingwu.core.scope import can
from jingwu.places.selectors import premises_for

from .filters import DueFilter, TimerFilter
from .forms import CloseTimerForm, TimerForm
from .models import LegalTimer
from .selectors import STATE_ORDER, assess, timer_state_label, timers_for, with_places
from .services import bureau_now, do_close_timer, do_open_timer

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
