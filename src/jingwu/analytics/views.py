"""Measurement pages: effect evaluation and the reform's claims."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render

from jingwu.core.scope import can, current_memberships
from jingwu.incidents.models import Incident
from jingwu.personnel.models import Officer

from .claims import reform_claims
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
