"""Measurement pages: effect evaluation and the reform's claims."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from jingwu.core.scope import can, current_memberships, restrict
from jingwu.incidents.models import Incident
from jingwu.org.models import Unit
from jingwu.personnel.models import Officer

from .claims import reform_claims
from .dashboard import PERIODS, build
from .evaluation import evaluate_change
from .forms import EffectForm


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
    try:
        months = int(request.GET.get("months", 12))
    except ValueError:
        months = 12
    if months not in PERIODS:
        months = 12
    d = build(request.user, unit, months)
    crumbs = []
    parent = unit.parent
    visible = set(
        restrict(Unit.objects.filter(bureau=unit.bureau), request.user).values_list("pk", flat=True)
    )
    while parent is not None:
        if parent.pk in visible:
            crumbs.insert(0, parent)
        parent = parent.parent
    return render(request, "analytics/dashboard.html", {"d": d, "crumbs": crumbs, "periods": PERIODS})
