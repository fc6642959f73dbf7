"""Pages of the Four-Star Officer evaluation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jingwu.core.clock import user_bureau

from . import services
from .choices import CycleStatus, EvidenceSource
from .forms import date_field, errors_of, int_field
from .models import Cycle
from .selectors import can_manage, cycles_for, rules_of


def _bureau_or_404(user):
    bureau = user_bureau(user)
    if bureau is None:
        raise Http404
    return bureau


@login_required
def cycle_list(request):
    cycles = cycles_for(request.user).order_by("-year", "-quarter")
    if not services.can_read_rules(request.user):  # roles that take no part in the evaluation
        raise Http404
    manage = can_manage(request.user)
    errors, form = {}, {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        form = request.POST
        try:
            fields = {
                "year": int_field(form, "year", _("Year")),
                "quarter": int_field(form, "quarter", _("Quarter")),
            }
            for name in services.DEADLINES:
                fields[name] = date_field(form, name, Cycle._meta.get_field(name).verbose_name)
            cycle = services.do_create_cycle(
                actor=request.user, bureau=_bureau_or_404(request.user), **fields
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("The cycle %(cycle)s was created in draft.") % {"cycle": cycle})
            return redirect("evaluation:cycle_detail", cycle.pk)
    return render(
        request,
        "evaluation/cycle_list.html",
        {"cycles": cycles, "manage": manage, "errors": errors, "form": form, "deadlines": services.DEADLINES},
    )


@login_required
def cycle_detail(request, pk: int):
    cycle = get_object_or_404(cycles_for(request.user), pk=pk)
    manage = can_manage(request.user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        action = request.POST.get("action", "")
        try:
            if action == "rules":
                _save_rules(request, cycle)
                messages.success(request, _("The rules were saved."))
            elif action == "open":
                services.do_open_cycle(cycle, actor=request.user)
                messages.success(request, _("The cycle is open: units may nominate."))
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            return redirect("evaluation:cycle_detail", cycle.pk)
        cycle.refresh_from_db()
    standards = rules_of(cycle)
    return render(
        request,
        "evaluation/cycle_detail.html",
        {
            "cycle": cycle,
            "standards": standards,
            "manage": manage,
            "errors": errors,
            "problems": services.rule_problems(cycle) if cycle.status == CycleStatus.DRAFT else [],
            "evidence_choices": EvidenceSource.choices,
            "today": services.today(cycle.bureau),
        },
    )


def _save_rules(request, cycle: Cycle) -> None:
    """Pass marks and weights of every standard and criterion, all or nothing."""
    data = request.POST
    with transaction.atomic():
        for s in cycle.standards.prefetch_related("criteria"):
            mark = int_field(data, f"pass_{s.pk}", _("Pass mark"))
            if mark != s.pass_mark:
                services.do_update_standard(s, actor=request.user, pass_mark=mark)
            for c in s.criteria.all():
                weight = int_field(data, f"weight_{c.pk}", _("Weight"))
                evidence = data.get(f"evidence_{c.pk}", c.evidence)
                if weight != c.weight or evidence != c.evidence:
                    services.do_update_criterion(c, actor=request.user, weight=weight, evidence=evidence)
