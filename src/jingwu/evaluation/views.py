"""Pages of the Four-Star Officer evaluation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from jingwu.core.clock import user_bureau
from jingwu.core.scope import can, can_object, restrict
from jingwu.org.models import Unit
from jingwu.personnel.models import Officer, Posting

from . import services
from .choices import ConductKind, CycleStatus, EvidenceSource
from .evidence import gather
from .forms import date_field, errors_of, int_field
from .models import (
    Appeal,
    ConductRecord,
    Cycle,
    FamilyVisit,
    Nomination,
    Objection,
    OwnEvidence,
    Score,
    StarAward,
    SupportFlag,
)
from .selectors import can_manage, cycles_for, files_for, nominating_units, on_notice, rules_of


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
        {
            "cycles": cycles,
            "manage": manage,
            "errors": errors,
            "form": form,
            "deadlines": services.DEADLINES,
            "see_results": can(request.user, StarAward, "view"),
            "see_care": can(request.user, FamilyVisit, "view"),
            "see_support": can(request.user, SupportFlag, "view"),
        },
    )


@login_required
def cycle_detail(request, pk: int):
    cycle = get_object_or_404(cycles_for(request.user), pk=pk)
    manage = can_manage(request.user)
    errors: dict[str, str] = {}
    units = nominating_units(request.user, cycle.bureau)
    if request.method == "POST" and request.POST.get("action") == "nominate":
        if not units:
            raise PermissionDenied
        try:
            unit = units.filter(pk=int_field(request.POST, "unit", _("Unit"))).first()
            officer_id = int_field(request.POST, "officer", _("Officer"))
            officer = restrict(Officer, request.user).filter(pk=officer_id).first()
            if unit is None or officer is None:
                raise ValidationError({"officer": _("Choose an officer and a unit from the lists.")})
            n = services.do_nominate(
                cycle, actor=request.user, officer=officer, unit=unit, reason=request.POST.get("reason", "")
            )
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("%(officer)s is nominated.") % {"officer": n.officer.name})
            return redirect("evaluation:cycle_detail", cycle.pk)
    elif request.method == "POST":
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
            elif action == "notice":
                services.do_start_notice(cycle, actor=request.user)
                messages.success(request, _("The approved files are on public notice."))
            elif action == "publish":
                services.do_publish(cycle, actor=request.user)
                messages.success(request, _("The results are published."))
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            return redirect("evaluation:cycle_detail", cycle.pk)
        cycle.refresh_from_db()
    standards = rules_of(cycle)
    files = (
        files_for(request.user)
        .filter(cycle=cycle)
        .select_related("officer", "unit")
        .order_by("unit__path", "officer__police_number")
    )
    candidates = []
    if units and cycle.status == CycleStatus.OPEN:
        on = services.today(cycle.bureau)
        posted = Posting.objects.current(on).filter(bureau=cycle.bureau, unit__in=_subtree_units(units))
        taken = Nomination.objects.filter(cycle=cycle).values("officer_id")
        candidates = (
            restrict(Officer, request.user)
            .filter(pk__in=posted.values("officer_id"), status="active")
            .exclude(pk__in=taken)
            .order_by("police_number")
        )
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
            "files": files,
            "units": units,
            "candidates": candidates,
            "form": request.POST if errors else {},
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


def _subtree_units(units):
    from django.db.models import Q

    q = Q(pk__in=[])
    for u in units:
        q |= Q(path__startswith=u.path)
    return Unit.objects.filter(q, bureau_id=units[0].bureau_id)


def _scores_from(post) -> dict[int, str]:
    return {int(k[6:]): v for k, v in post.items() if k.startswith("score_") and k[6:].isdigit()}


@login_required
def file_detail(request, pk: int):
    """An officer's evaluation file: criteria with evidence and scores, and the next step."""
    n = get_object_or_404(files_for(request.user).select_related("cycle", "officer", "unit"), pk=pk)
    cycle = n.cycle
    user = request.user
    own = services.is_own_file(user, n)
    rights = {
        "self": own and cycle.status == CycleStatus.OPEN and n.status in ("nominated", "self_assessed"),
        "score": not own
        and can_object(user, n, "change")
        and cycle.status == CycleStatus.OPEN
        and n.status in ("nominated", "self_assessed", "scored"),
        "review": can_manage(user)
        and cycle.status == CycleStatus.OPEN
        and n.status in ("scored", "reviewed"),
        "decide": can(user, Nomination, "approve")
        and can_object(user, n, "view")
        and cycle.status == CycleStatus.OPEN
        and n.status in ("reviewed", "approved", "rejected"),
        "answer": can(user, Objection, "change") and cycle.status == CycleStatus.NOTICE,
        "appeal": own and cycle.status == CycleStatus.PUBLISHED,
        "decide_appeal": can(user, Appeal, "change"),
        "own": own and cycle.status == CycleStatus.OPEN and n.status != "reviewed",
        "conduct": can(user, ConductRecord, "add")
        and restrict(Officer, user).filter(pk=n.officer_id).exists(),
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        post = request.POST
        if action not in rights or not rights[action]:
            if cycle.status == CycleStatus.PUBLISHED and action in ("score", "self", "review", "decide"):
                errors = {"form": services.published_message(cycle)}
            else:
                raise PermissionDenied
        else:
            try:
                if action == "self":
                    services.do_self_assess(
                        n, actor=user, text=post.get("self_text", ""), scores=_scores_from(post)
                    )
                elif action == "score":
                    services.do_score(
                        n, actor=user, scores=_scores_from(post), note=post.get("unit_note", "")
                    )
                elif action == "review":
                    services.do_review(
                        n, actor=user, decision=post.get("review", ""), note=post.get("review_note", "")
                    )
                elif action == "decide":
                    services.do_decide(
                        n, actor=user, decision=post.get("committee", ""), note=post.get("committee_note", "")
                    )
                elif action == "answer":
                    o = get_object_or_404(
                        restrict(Objection, user, "change").filter(nomination=n), pk=post.get("objection")
                    )
                    services.do_answer_objection(o, actor=user, answer=post.get("answer", ""))
                elif action == "own":
                    services.do_add_own_evidence(
                        n,
                        actor=user,
                        criterion_id=int_field(post, "criterion", _("Criterion")),
                        text=post.get("text", ""),
                        attachment=request.FILES.get("attachment"),
                    )
                elif action == "conduct":
                    services.do_record_conduct(
                        actor=user,
                        officer=n.officer,
                        kind=post.get("kind", ""),
                        day=date_field(post, "day", _("Date")),
                        title=post.get("title", ""),
                        substantiated=post.get("substantiated") == "on",
                    )
                elif action == "appeal":
                    services.do_appeal(n, actor=user, text=post.get("text", ""))
                elif action == "decide_appeal":
                    a = get_object_or_404(
                        restrict(Appeal, user, "change").filter(nomination=n), pk=post.get("appeal")
                    )
                    services.do_decide_appeal(
                        a,
                        actor=user,
                        decision=post.get("decision", ""),
                        answer=post.get("answer", ""),
                        grant=post.getlist("grant"),
                    )
            except ValidationError as exc:
                errors = errors_of(exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("evaluation:file_detail", n.pk)
    standards = rules_of(cycle)
    scores = {(s.criterion_id, s.kind): s.value for s in Score.objects.filter(nomination=n)}
    std_scores = services.standard_scores(n)
    stars = {s.standard_id: s for s in n.stars.all()}
    found = gather(n)
    for s in standards:
        s.score = std_scores.get(s.pk)
        s.star = stars.get(s.pk)
        for c in s.rows:
            c.self_score = scores.get((c.pk, "self"))
            c.unit_score = scores.get((c.pk, "unit"))
            c.found = found[c.evidence]
    objections = restrict(Objection, user).filter(nomination=n)
    appeals = Appeal.objects.filter(nomination=n) if own else restrict(Appeal, user).filter(nomination=n)
    return render(
        request,
        "evaluation/file_detail.html",
        {
            "n": n,
            "cycle": cycle,
            "standards": standards,
            "rights": rights,
            "own": own,
            "errors": errors,
            "form": request.POST if errors else {},
            "objections": objections,
            "appeals": appeals,
            "today": services.today(cycle.bureau),
            "own_evidence": OwnEvidence.objects.filter(nomination=n).select_related("criterion"),
            "conduct": restrict(ConductRecord, user).filter(officer_id=n.officer_id)[:20]
            if not own
            else ConductRecord.objects.filter(officer_id=n.officer_id)[:20],
            "conduct_kinds": ConductKind.choices,
            "found": found,
        },
    )


@login_required
def evidence_attachment(request, pk: int, eid: int):
    """An attachment of a file's own evidence, to whoever reads the file."""
    n = get_object_or_404(files_for(request.user), pk=pk)
    ev = get_object_or_404(OwnEvidence.objects.filter(nomination=n).exclude(attachment=""), pk=eid)
    return FileResponse(ev.attachment.open("rb"), as_attachment=True, filename=ev.attachment_name or None)


@login_required
def notice(request, pk: int):
    """The public notice (公示) of a cycle: the approved files, and objections to them."""
    cycle = get_object_or_404(cycles_for(request.user), pk=pk)
    errors: dict[str, str] = {}
    if request.method == "POST":
        n = get_object_or_404(on_notice(cycle), pk=request.POST.get("nomination") or 0)
        if not can(request.user, Objection, "add"):
            raise PermissionDenied
        try:
            services.do_object(n, actor=request.user, text=request.POST.get("text", ""))
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(
                request, _("Your objection is recorded; the political department will answer it.")
            )
            return redirect("evaluation:notice", cycle.pk)
    shown = cycle.status in (CycleStatus.NOTICE, CycleStatus.PUBLISHED)
    return render(
        request,
        "evaluation/notice.html",
        {
            "cycle": cycle,
            "files": on_notice(cycle) if shown else [],
            "shown": shown,
            "may_object": cycle.status == CycleStatus.NOTICE and can(request.user, Objection, "add"),
            "errors": errors,
            "form": request.POST if errors else {},
            "today": services.today(cycle.bureau),
        },
    )


@login_required
def results(request):
    """Published results: statistics by unit type, the honour roll of a cycle."""
    from .results import honour_roll, share_by_unit_type
    from .selectors import stars_for

    if not can(request.user, StarAward, "view"):
        raise Http404
    stars = stars_for(request.user).filter(cycle__status=CycleStatus.PUBLISHED)
    published = cycles_for(request.user).filter(status=CycleStatus.PUBLISHED).order_by("-year", "-quarter")
    chosen = published.filter(pk=request.GET.get("cycle") or 0).first() or published.first()
    share = share_by_unit_type(stars)
    return render(
        request,
        "evaluation/results.html",
        {
            "published": published,
            "chosen": chosen,
            "share": share,
            "roll": honour_roll(stars.filter(cycle=chosen)) if chosen else [],
            "four_star": _four_star_count(stars.filter(cycle=chosen)) if chosen else 0,
            "may_promote": can(request.user, ConductRecord, "view"),
        },
    )


def _four_star_count(stars) -> int:
    from collections import Counter

    per = Counter(stars.values_list("officer_id", flat=True))
    return sum(1 for n in per.values() if n >= 4)


@login_required
def officer_stars(request, pk: int):
    """An officer's star history: the stars of each published cycle, "all four stars"."""
    from .results import star_history
    from .selectors import officer_for, stars_for

    officer = officer_for(request.user, pk)
    if officer is None:
        raise Http404
    stars = stars_for(request.user).filter(officer=officer)
    cycles = list(
        Cycle.objects.filter(bureau_id=officer.bureau_id, status=CycleStatus.PUBLISHED).order_by(
            "-year", "-quarter"
        )
    )
    history = star_history(stars, cycles)
    return render(
        request,
        "evaluation/officer_stars.html",
        {
            "officer": officer,
            "history": history,
            "total": sum(h.count for h in history),
            "all_four": sum(1 for h in history if h.all_four),
        },
    )


@login_required
def promotion(request):
    """Promotion candidates: a documented score where stars are one factor among others."""
    from .results import PROMOTION_WEIGHTS, promotion_candidates
    from .selectors import stars_for

    if not (can(request.user, StarAward, "view") and can(request.user, ConductRecord, "view")):
        raise Http404
    bureau = _bureau_or_404(request.user)
    cycles = list(cycles_for(request.user).filter(status=CycleStatus.PUBLISHED).order_by("-year", "-quarter"))
    rows = promotion_candidates(
        restrict(Officer, request.user).filter(bureau=bureau),
        stars_for(request.user),
        restrict(ConductRecord, request.user),
        cycles,
        services.today(bureau),
    )
    return render(request, "evaluation/promotion.html", {"rows": rows, "weights": PROMOTION_WEIGHTS})


def _officer_by_number(user, bureau, number: str):
    officer = restrict(Officer, user).filter(bureau=bureau, police_number=(number or "").strip()).first()
    if officer is None:
        raise ValidationError({"police_number": _("No officer with this police number in your scope.")})
    return officer


@login_required
def care(request):
    """Officer care: recent family visits, training days and career plans; the political
    department records them."""
    from .models import CareerPlan, FamilyVisit, TrainingDay
    from .selectors import care_for

    user = request.user
    if not can(user, FamilyVisit, "view"):
        raise Http404
    bureau = _bureau_or_404(user)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not can(user, FamilyVisit, "add"):
            raise PermissionDenied
        post = request.POST
        action = post.get("action", "")
        try:
            officer = _officer_by_number(user, bureau, post.get("police_number", ""))
            if action == "visit":
                services.do_record_visit(
                    actor=user,
                    officer=officer,
                    day=date_field(post, "day", _("Date")),
                    visitor=post.get("visitor", ""),
                    note=post.get("note", ""),
                )
            elif action == "training":
                services.do_record_training(
                    actor=user,
                    officer=officer,
                    day=date_field(post, "day", _("Date")),
                    topic=post.get("topic", ""),
                    hours=int_field(post, "hours", _("Hours")),
                )
            elif action == "plan":
                mentor = None
                if (post.get("mentor") or "").strip():
                    mentor = _officer_by_number(user, bureau, post.get("mentor"))
                services.do_save_career_plan(
                    actor=user,
                    officer=officer,
                    goals=post.get("goals", ""),
                    review_on=date_field(post, "review_on", _("Next review")),
                    mentor=mentor,
                )
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("evaluation:care")
    return render(
        request,
        "evaluation/care.html",
        {
            "visits": care_for(user, FamilyVisit).filter(bureau=bureau).select_related("officer")[:30],
            "trainings": care_for(user, TrainingDay).filter(bureau=bureau).select_related("officer")[:30],
            "plans": care_for(user, CareerPlan)
            .filter(bureau=bureau)
            .select_related("officer", "mentor")[:30],
            "may_record": can(user, FamilyVisit, "add"),
            "errors": errors,
            "form": request.POST if errors else {},
            "action": request.POST.get("action", "") if errors else "",
        },
    )


@login_required
def officer_care(request, pk: int):
    """One officer's care record: for the political department (and command, auditors) and the officer."""
    from .models import CareerPlan, FamilyVisit, TrainingDay
    from .selectors import care_for

    user = request.user
    own = getattr(user, "officer_id", None) == pk
    if not own and not can(user, FamilyVisit, "view"):
        raise Http404
    officer = Officer.objects.filter(pk=pk).first() if own else restrict(Officer, user).filter(pk=pk).first()
    if officer is None:
        raise Http404
    visits = care_for(user, FamilyVisit).filter(officer_id=pk)
    return render(
        request,
        "evaluation/officer_care.html",
        {
            "officer": officer,
            "visits": visits,
            "trainings": care_for(user, TrainingDay).filter(officer_id=pk),
            "plan": care_for(user, CareerPlan).filter(officer_id=pk).select_related("mentor").first(),
        },
    )


@login_required
def support(request):
    """Early support flags: the chief's officers who may need support, with the reasons."""
    from .models import SupportFlag
    from .support import describe

    user = request.user
    if not can(user, SupportFlag, "view"):
        raise Http404
    errors: dict[str, str] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "check":
                if not can(user, SupportFlag, "add"):
                    raise PermissionDenied
                services.do_start_support_check(_bureau_or_404(user), actor=user)
                messages.success(request, _("The check runs in the background; its progress shows below."))
            elif action == "close":
                flag = get_object_or_404(
                    restrict(SupportFlag, user, "change"), pk=request.POST.get("flag") or 0
                )
                services.do_close_flag(flag, actor=user, note=request.POST.get("note", ""))
                messages.success(request, _("The flag is closed."))
            else:
                raise ValidationError(_("Unknown action."))
        except ValidationError as exc:
            errors = errors_of(exc)
        else:
            return redirect("evaluation:support")
    flags = list(restrict(SupportFlag, user).select_related("officer", "unit")[:200])
    for f in flags:
        f.described = [describe(r) for r in f.reasons]
    job = None
    if can(user, SupportFlag, "add"):
        from jingwu.jobs.views import decorate

        bureau = user_bureau(user)
        job = services.support_job(bureau) if bureau is not None else None
        job = decorate(job, user) if job is not None else None
    return render(
        request,
        "evaluation/support.html",
        {
            "flags": flags,
            "may_check": can(user, SupportFlag, "add"),
            "may_close": can(user, SupportFlag, "change"),
            "errors": errors,
            "job": job,
        },
    )
