"""Pages of cases: the list (a station's own cases), the board, a case and its steps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingwu.core.clock import latest_day, user_bureau
from jingwu.core.scope import can, can_object, restrict
from jingwu.incidents.models import Incident
from jingwu.org.models import Unit

from . import review, services
from .filters import CaseFilter
from .forms import CaseEditForm, CaseOpenForm, CloseForm, ReasonForm, RuleForm, TransferForm
from .models import Case, DeadlineLimit, Escalation, RoutingRule
from .selectors import (
    board,
    board_units,
    case_history,
    case_transfers,
    cases_for,
    center_share_by_month,
    rules_for,
    share_chart,
)

PAGE_SIZE = 50


def _visible(user) -> None:
    if not can(user, Case, "view"):
        raise Http404


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You do not have permission to do this here.")


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@require_GET
def case_list(request):
    _visible(request.user)
    f = CaseFilter(
        request.GET, queryset=cases_for(request.user).order_by("-opened_at", "-id"), request=request
    )
    page = Paginator(f.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {"filter": f, "page": page, "query": query.urlencode(), "can_open": can(request.user, Case, "add")},
    )


@login_required
@require_GET
def case_board(request):
    _visible(request.user)
    bureau = user_bureau(request.user)
    units = board_units(request.user, bureau) if bureau else []
    if not units:
        raise Http404
    picked = request.GET.get("unit")
    unit = next((u for u in units if str(u.pk) == picked), None)
    if unit is None:
        mine = {m.unit_id for m in request.user.memberships.all()}
        unit = next((u for u in units if u.pk in mine), None) or units[0]
    ctx = {"board": board(request.user, unit), "units": units}
    if unit.kind == "investigation_center":
        shares = center_share_by_month(request.user, bureau)
        ctx["shares"] = shares[-24:]
        ctx["share_chart"] = share_chart(shares)
    return render(request, "cases/board.html", ctx)


@login_required
@require_GET
def case_detail(request, pk: int):
    case = get_object_or_404(cases_for(request.user), pk=pk)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


def _detail_context(request, case: Case, **forms) -> dict:
    may_change = can_object(request.user, case, "change")
    ctx = {
        "case": case,
        "incidents": restrict(
            Incident.objects.filter(cases=case).select_related("category", "station"), request.user
        ),
        "hidden_incidents": Incident.objects.filter(cases=case).count(),
        "transfers": case_transfers(case),
        "history": case_history(case),
        "deadlines": case.deadlines.order_by("due", "pk"),
        "escalations": case.escalations.select_related("to_unit", "deadline").order_by("at", "pk"),
        "as_of": latest_day(case.bureau_id),
        "reviews": case.reviews.select_related("reviewer", "owning_unit").order_by("at", "pk"),
        "review_items": review.checklist(case.kind),
        "may_change": may_change,
    }
    ctx["hidden_incidents"] -= ctx["incidents"].count()
    ctx["may_review"] = case.status == "solved" and review.may_review(request.user)
    ctx["review_error"] = forms.get("review_error", "")
    if may_change:
        owners = services.reachable_owners(request.user, case.bureau, case).exclude(pk=case.owning_unit_id)
        ctx["transfer_form"] = forms.get("transfer_form") or TransferForm(owners=owners, prefix="t")
        ctx["suspend_form"] = forms.get("suspend_form") or ReasonForm(prefix="s")
        ctx["close_form"] = forms.get("close_form") or CloseForm(prefix="c")
        ctx["reopen_form"] = forms.get("reopen_form") or ReasonForm(prefix="r")
    return ctx


def _resolve_incidents(user, bureau, tokens: list[str]) -> tuple[list[int], list[str]]:
    """Incident ids from numbers or ids typed in; the tokens that match none of the user's incidents."""
    mine = restrict(Incident.objects.filter(bureau=bureau), user)
    ids, unknown = [], []
    for t in tokens:
        q = Q(number=t) | (Q(pk=int(t)) if t.isdigit() and len(t) < 12 else Q(pk__in=[]))
        pk = mine.filter(q).values_list("pk", flat=True).first()
        (ids.append(pk) if pk is not None else unknown.append(t))
    return ids, unknown


@login_required
def case_new(request):
    _visible(request.user)
    if not can(request.user, Case, "add"):
        raise PermissionDenied
    bureau = user_bureau(request.user)
    if bureau is None:
        raise PermissionDenied
    owners = services.reachable_owners(request.user, bureau)
    if request.method == "POST":
        form = CaseOpenForm(request.POST, owners=owners)
        if form.is_valid():
            d = form.cleaned_data
            ids, unknown = _resolve_incidents(request.user, bureau, form.incident_tokens())
            if unknown:
                form.add_error(
                    "incidents",
                    _("No incident of yours has the number %(list)s.") % {"list": ", ".join(unknown)},
                )
            else:
                try:
                    case = services.do_open_case(
                        actor=request.user,
                        bureau=bureau,
                        incidents=ids,
                        kind=d["kind"] or None,
                        title=d["title"],
                        summary=d["summary"],
                        owning_unit=d["owning_unit"],
                        deadline=d["deadline"],
                        amount_lost=d["amount_lost"],
                        suspected_series=d["suspected_series"],
                    )
                except ValidationError as exc:
                    _form_errors(form, exc)
                except PermissionDenied as exc:
                    form.add_error(None, _errors(exc))
                except IntegrityError:  # another opening got there first (same incident or number)
                    form.add_error(
                        None,
                        _(
                            "Another case was opened at the same moment from these incidents "
                            "or with the same number: check the incidents and try again."
                        ),
                    )
                else:
                    messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                    return redirect("cases:case_detail", case.pk)
    else:
        initial = {}
        picked = request.GET.getlist("incident")
        if picked:
            rows = restrict(Incident.objects.filter(pk__in=[p for p in picked if p.isdigit()]), request.user)
            initial["incidents"] = ", ".join(rows.values_list("number", flat=True))
        form = CaseOpenForm(initial=initial, owners=owners)
    return render(request, "cases/case_form.html", {"form": form, "case": None})


@login_required
def case_edit(request, pk: int):
    case = get_object_or_404(cases_for(request.user), pk=pk)
    if not can_object(request.user, case, "change"):
        raise PermissionDenied
    if request.method == "POST":
        form = CaseEditForm(request.POST, instance=Case.objects.get(pk=case.pk))
        if form.is_valid():
            d = dict(form.cleaned_data)
            reason = d.pop("reason", "")
            try:
                services.do_update_case(case, actor=request.user, reason=reason, **d)
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("Case %(number)s saved.") % {"number": case.number})
                return redirect("cases:case_detail", case.pk)
    else:
        form = CaseEditForm(instance=case)
    return render(request, "cases/case_form.html", {"form": form, "case": case})


def _step(request, pk: int, form_key: str, make_form, call, done: str):
    case = get_object_or_404(cases_for(request.user), pk=pk)
    if not can_object(request.user, case, "change"):
        raise PermissionDenied
    form = make_form(request, case)
    if form.is_valid():
        try:
            call(case, form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, _errors(exc))
        else:
            messages.success(request, done % {"number": case.number})
            return redirect(reverse("cases:case_detail", args=[case.pk]))
    case.refresh_from_db()
    ctx = _detail_context(request, case, **{form_key: form})
    ctx["failed"] = form_key
    # the case may have moved on since the page was loaded (ended, reopened by someone
    # else): a step whose form the page no longer shows says why above the steps
    ended = case.status in Case.ENDED_STATUSES
    shown = {
        "transfer_form": not ended,
        "close_form": not ended,
        "suspend_form": case.is_open,
        "reopen_form": not case.is_open,
    }
    if not shown.get(form_key, True):
        ctx["step_error"] = " ".join(str(e) for errors in form.errors.values() for e in errors)
    return render(request, "cases/case_detail.html", ctx, status=400)


@login_required
@require_POST
def case_transfer(request, pk: int):
    def make(request, case):
        owners = services.reachable_owners(request.user, case.bureau, case).exclude(pk=case.owning_unit_id)
        return TransferForm(request.POST, owners=owners, prefix="t")

    return _step(
        request,
        pk,
        "transfer_form",
        make,
        lambda case, d: services.do_transfer_case(
            case, actor=request.user, to_unit=d["to_unit"], reason=d["reason"]
        ),
        _("Case %(number)s handed over."),
    )


@login_required
@require_POST
def case_suspend(request, pk: int):
    return _step(
        request,
        pk,
        "suspend_form",
        lambda request, case: ReasonForm(request.POST, prefix="s"),
        lambda case, d: services.do_suspend_case(case, actor=request.user, reason=d["reason"]),
        _("Case %(number)s suspended."),
    )


@login_required
@require_POST
def case_close(request, pk: int):
    return _step(
        request,
        pk,
        "close_form",
        lambda request, case: CloseForm(request.POST, prefix="c"),
        lambda case, d: services.do_close_case(
            case, actor=request.user, outcome=d["outcome"], reason=d["reason"]
        ),
        _("Case %(number)s ended."),
    )


@login_required
@require_POST
def case_reopen(request, pk: int):
    return _step(
        request,
        pk,
        "reopen_form",
        lambda request, case: ReasonForm(request.POST, prefix="r"),
        lambda case, d: services.do_reopen_case(case, actor=request.user, reason=d["reason"]),
        _("Case %(number)s reopened."),
    )


# --- routing rules ---------------------------------------------------------------------------


def _rules_visible(user) -> None:
    if not can(user, RoutingRule, "view"):
        raise Http404


@login_required
@require_GET
def rule_list(request):
    _rules_visible(request.user)
    from .routing import uncovered

    rules = list(rules_for(request.user))
    bureau = user_bureau(request.user)
    mine = [r for r in rules if bureau is None or r.bureau_id == bureau.pk]
    return render(
        request,
        "cases/rule_list.html",
        {
            "rules": mine,
            "gaps": len(uncovered(mine)) if mine else None,
            "can_add": can(request.user, RoutingRule, "add"),
            "can_change": can(request.user, RoutingRule, "change"),
        },
    )


def _rule_form_page(request, rule: RoutingRule | None):
    bureau = rule.bureau if rule is not None else user_bureau(request.user)
    if bureau is None:
        raise PermissionDenied
    units = restrict(Unit.objects.filter(bureau=bureau, kind__in=services.OWNER_KINDS), request.user)
    if request.method == "POST":
        form = RuleForm(request.POST, instance=rule, units=units)
        if form.is_valid():
            d = dict(form.cleaned_data)
            reason = d.pop("reason", "")
            try:
                services.do_save_rule(actor=request.user, bureau=bureau, rule=rule, reason=reason, **d)
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, _errors(exc))
            else:
                messages.success(request, _("Routing rules saved."))
                return redirect("cases:rule_list")
    else:
        form = RuleForm(instance=rule, units=units)
    return render(request, "cases/rule_form.html", {"form": form, "rule": rule})


@login_required
def rule_new(request):
    _rules_visible(request.user)
    if not can(request.user, RoutingRule, "add"):
        raise PermissionDenied
    return _rule_form_page(request, None)


@login_required
def rule_edit(request, pk: int):
    rule = get_object_or_404(rules_for(request.user), pk=pk)
    if not can_object(request.user, rule, "change"):
        raise PermissionDenied
    return _rule_form_page(request, rule)


@login_required
@require_POST
def rule_delete(request, pk: int):
    rule = get_object_or_404(rules_for(request.user), pk=pk)
    if not can_object(request.user, rule, "delete"):
        raise PermissionDenied
    try:
        services.do_delete_rule(rule, actor=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Routing rules saved."))
    return redirect("cases:rule_list")


# --- deadlines and escalation (督办) ---------------------------------------------------------


@login_required
@require_GET
def deadline_list(request):
    _visible(request.user)
    from . import deadlines

    bureau = user_bureau(request.user)
    if bureau is None:
        raise Http404
    mine = cases_for(request.user).filter(bureau=bureau)
    as_of = latest_day(bureau)
    late = list(deadlines.overdue(mine, bureau, as_of)[:200])
    soon = list(deadlines.reminders(mine, bureau, as_of)[:200])
    return render(
        request,
        "cases/deadlines.html",
        {
            "as_of": as_of,
            "overdue": late,
            "overdue_count": deadlines.overdue(mine, bureau, as_of).count(),
            "reminders": soon,
            "can_escalate": can(request.user, Escalation, "add"),
            "remind_days": deadlines.REMIND_DAYS,
            "can_limits": can(request.user, DeadlineLimit, "view"),
        },
    )


@login_required
@require_POST
def deadline_escalate(request):
    _visible(request.user)
    from . import deadlines

    bureau = user_bureau(request.user)
    if bureau is None or not can(request.user, Escalation, "add"):
        raise PermissionDenied
    n = deadlines.do_escalate_overdue(actor=request.user, bureau=bureau)
    messages.success(request, _("%(n)s overdue deadlines escalated.") % {"n": n})
    return redirect("cases:deadline_list")


@login_required
def deadline_limits(request):
    """The bureau's time limits per case kind and stage; command changes them here."""
    from . import deadlines

    if not can(request.user, DeadlineLimit, "view"):
        raise Http404
    bureau = user_bureau(request.user)
    if bureau is None:
        raise Http404
    editable = can(request.user, DeadlineLimit, "change")
    error = None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied
        try:
            deadlines.do_set_limit(
                actor=request.user,
                bureau=bureau,
                kind=request.POST.get("kind", ""),
                stage=request.POST.get("stage", ""),
                days=request.POST.get("days", ""),
                working=request.POST.get("working") == "on",
                reason=request.POST.get("reason", ""),
            )
        except (ValidationError, PermissionDenied) as exc:
            error = _errors(exc)
        else:
            messages.success(request, _("The time limit is saved; deadlines set from now on follow it."))
            return redirect("cases:deadline_limits")
    return render(
        request,
        "cases/deadline_limits.html",
        {
            "rows": (rows := deadlines.limit_rows(bureau)),
            "limits": [r["row"] for r in rows if r["row"] is not None],
            "editable": editable,
            "error": error,
        },
        status=400 if error else 200,
    )


# --- the quality review of case files -----------------------------------------------------------


@login_required
@require_POST
def case_review(request, pk: int):
    case = get_object_or_404(cases_for(request.user), pk=pk)
    if not review.may_review(request.user):
        raise PermissionDenied
    items = {code: True for code, _label in review.checklist(case.kind) if request.POST.get(f"item-{code}")}
    try:
        review.do_review_case(
            case,
            actor=request.user,
            items=items,
            outcome=request.POST.get("outcome", ""),
            notes=request.POST.get("notes", ""),
        )
    except ValidationError as exc:
        case.refresh_from_db()
        ctx = _detail_context(request, case, review_error=_errors(exc))
        return render(request, "cases/case_detail.html", ctx, status=400)
    messages.success(request, _("Review of case %(number)s recorded.") % {"number": case.number})
    return redirect("cases:case_detail", case.pk)


@login_required
@require_GET
def review_report(request):
    _visible(request.user)
    bureau = user_bureau(request.user)
    if bureau is None:
        raise Http404
    return render(request, "cases/reviews.html", {"rows": review.returned_by_owner(request.user, bureau)})
