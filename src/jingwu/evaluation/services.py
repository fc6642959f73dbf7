"""Writes of the evaluation: each checks scope, validates, records its audit event and
saves in one transaction (``jingwu.core.services.service``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import data_date
from jingwu.core.services import authorize, service

from .choices import AppealStatus, CycleStatus, FileStatus, ScoreKind
from .defaults import DEFAULT_STANDARDS
from .models import Appeal, Criterion, Cycle, Nomination, Objection, Score, Standard, StarAward

DEADLINES = ("nomination_deadline", "self_assessment_deadline", "scoring_deadline", "review_deadline")


def today(bureau) -> dt.date:
    """The evaluation's "today": the day the bureau's records reach."""
    return data_date(bureau)


def _check_deadlines(cycle: Cycle) -> None:
    days = [getattr(cycle, f) for f in DEADLINES]
    if any(d is None for d in days):
        raise ValidationError(_("Every deadline needs a date."))
    for i in range(1, len(DEADLINES)):
        a, b, da, db = DEADLINES[i - 1], DEADLINES[i], days[i - 1], days[i]
        if db < da:
            raise ValidationError(
                {
                    b: _("%(later)s cannot come before %(earlier)s.")
                    % {
                        "later": Cycle._meta.get_field(b).verbose_name,
                        "earlier": Cycle._meta.get_field(a).verbose_name,
                    }
                }
            )


def _refuse_frozen(cycle: Cycle) -> None:
    if cycle.rules_frozen:
        raise ValidationError(
            _("The cycle %(cycle)s is already open: its rules are kept as they were when it opened.")
            % {"cycle": cycle}
        )


def _rules_snapshot(cycle: Cycle) -> dict:
    return {
        s.code: {"pass_mark": s.pass_mark, "criteria": {c.code: c.weight for c in s.criteria.all()}}
        for s in cycle.standards.prefetch_related("criteria")
    }


@service
def do_create_cycle(
    *, actor, bureau, year: int, quarter: int, copy_from: Cycle | None = None, **fields
) -> Cycle:
    """A new quarterly cycle, in draft, with the rules of ``copy_from`` (by default the
    bureau's latest cycle; the four default standards for the first one)."""
    authorize(actor, Cycle, "add", bureau=bureau)
    cycle = Cycle(bureau=bureau, year=year, quarter=quarter, **fields)
    cycle.full_clean(exclude=["bureau", "copied_from"])
    if Cycle.objects.filter(bureau=bureau, year=year, quarter=quarter).exists():
        raise ValidationError(
            _("The bureau already has a cycle for %(year)s Q%(q)s.") % {"year": year, "q": quarter}
        )
    _check_deadlines(cycle)
    if copy_from is None:
        copy_from = Cycle.objects.filter(bureau=bureau).order_by("-year", "-quarter").first()
    elif copy_from.bureau_id != bureau.pk:
        raise ValidationError(_("Rules can only be copied from a cycle of the same bureau."))
    cycle.copied_from = copy_from
    cycle.save()
    if copy_from is not None:
        for s in copy_from.standards.prefetch_related("criteria"):
            crit = list(s.criteria.all())
            s.pk, s.cycle = None, cycle
            s.save()
            for c in crit:
                c.pk, c.standard = None, s
                c.save()
    else:
        for order, (code, zh, en, mark, criteria) in enumerate(DEFAULT_STANDARDS):
            s = Standard.objects.create(
                bureau=bureau, cycle=cycle, code=code, name_zh=zh, name_en=en, order=order, pass_mark=mark
            )
            for corder, (ccode, czh, cen, weight, evidence) in enumerate(criteria):
                Criterion.objects.create(
                    bureau=bureau,
                    standard=s,
                    code=ccode,
                    name_zh=czh,
                    name_en=cen,
                    weight=weight,
                    evidence=evidence,
                    order=corder,
                )
    after = audit.snapshot(cycle)
    after["rules"] = _rules_snapshot(cycle)
    audit.record("create", actor=actor, bureau=bureau, obj=cycle, after=after)
    return cycle


@service
def do_update_cycle(cycle: Cycle, *, actor, **changes) -> Cycle:
    """Change a cycle's deadlines or scale (any time before publication for the deadlines,
    in draft only for the scale)."""
    authorize(actor, Cycle, "change", bureau=cycle.bureau)
    if cycle.status == CycleStatus.PUBLISHED:
        raise ValidationError(
            _("The cycle %(cycle)s is published: it can no longer be changed.") % {"cycle": cycle}
        )
    allowed = set(DEADLINES) | {"notice_days", "appeal_days", "scale_max"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    if "scale_max" in changes and changes["scale_max"] != cycle.scale_max:
        _refuse_frozen(cycle)
    before = audit.snapshot(cycle)
    for k, v in changes.items():
        setattr(cycle, k, v)
    cycle.full_clean(exclude=["bureau", "copied_from"])
    _check_deadlines(cycle)
    cycle.save()
    audit.record(
        "update", actor=actor, bureau=cycle.bureau, obj=cycle, before=before, after=audit.snapshot(cycle)
    )
    return cycle


@service
def do_update_standard(standard: Standard, *, actor, **changes) -> Standard:
    """Rename a standard or change its pass mark (the cycle in draft)."""
    authorize(actor, Standard, "change", bureau=standard.bureau)
    _refuse_frozen(standard.cycle)
    unknown = set(changes) - {"name_zh", "name_en", "pass_mark", "order"}
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    before = audit.snapshot(standard)
    for k, v in changes.items():
        setattr(standard, k, v)
    standard.full_clean(exclude=["bureau", "cycle"])
    standard.save()
    audit.record(
        "update",
        actor=actor,
        bureau=standard.bureau,
        obj=standard,
        before=before,
        after=audit.snapshot(standard),
    )
    return standard


@service
def do_add_criterion(
    standard: Standard, *, actor, code: str, name_zh: str, weight: int, **fields
) -> Criterion:
    authorize(actor, Criterion, "add", bureau=standard.bureau)
    _refuse_frozen(standard.cycle)
    if standard.criteria.filter(code=code).exists():
        raise ValidationError({"code": _("The standard already has a criterion with this code.")})
    crit = Criterion(
        bureau=standard.bureau, standard=standard, code=code, name_zh=name_zh, weight=weight, **fields
    )
    crit.full_clean(exclude=["bureau", "standard"])
    crit.save()
    audit.record("create", actor=actor, bureau=standard.bureau, obj=crit, after=audit.snapshot(crit))
    return crit


@service
def do_update_criterion(criterion: Criterion, *, actor, **changes) -> Criterion:
    authorize(actor, Criterion, "change", bureau=criterion.bureau)
    _refuse_frozen(criterion.standard.cycle)
    unknown = set(changes) - {"name_zh", "name_en", "weight", "evidence", "order"}
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: %(f)s.") % {"f": ", ".join(sorted(unknown))}
        )
    before = audit.snapshot(criterion)
    for k, v in changes.items():
        setattr(criterion, k, v)
    criterion.full_clean(exclude=["bureau", "standard"])
    criterion.save()
    audit.record(
        "update",
        actor=actor,
        bureau=criterion.bureau,
        obj=criterion,
        before=before,
        after=audit.snapshot(criterion),
    )
    return criterion


@service
def do_remove_criterion(criterion: Criterion, *, actor) -> None:
    authorize(actor, Criterion, "change", bureau=criterion.bureau)
    _refuse_frozen(criterion.standard.cycle)
    before = audit.snapshot(criterion)
    audit.record("delete", actor=actor, bureau=criterion.bureau, obj=criterion, before=before)
    criterion.delete()


def rule_problems(cycle: Cycle) -> list[str]:
    """What keeps a cycle's rules from being opened (empty when they are sound)."""
    problems = []
    standards = list(cycle.standards.prefetch_related("criteria"))
    if len(standards) != 4:
        problems.append(_("A cycle has four standards; this one has %(n)d.") % {"n": len(standards)})
    for s in standards:
        crit = list(s.criteria.all())
        if not crit:
            problems.append(_("The standard %(s)s has no criteria.") % {"s": s.name})
        elif sum(c.weight for c in crit) != 100:
            problems.append(
                _("The weights of %(s)s add up to %(n)d, not 100.")
                % {"s": s.name, "n": sum(c.weight for c in crit)}
            )
    return problems


@service
def do_open_cycle(cycle: Cycle, *, actor) -> Cycle:
    """Open a cycle for nominations: its rules are frozen from now on."""
    authorize(actor, Cycle, "change", bureau=cycle.bureau)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != CycleStatus.DRAFT:
        raise ValidationError(_("The cycle %(cycle)s is not in draft.") % {"cycle": cycle})
    problems = rule_problems(cycle)
    if problems:
        raise ValidationError(problems)
    now = today(cycle.bureau)
    if cycle.nomination_deadline < now:
        raise ValidationError(
            {
                "nomination_deadline": _("The nomination deadline (%(d)s) has passed.")
                % {"d": cycle.nomination_deadline}
            }
        )
    before = audit.snapshot(cycle)
    cycle.status, cycle.opened_on = CycleStatus.OPEN, now
    cycle.save(update_fields=["status", "opened_on", "updated_at"])
    after = audit.snapshot(cycle)
    after["rules"] = _rules_snapshot(cycle)
    audit.record(
        "update", actor=actor, bureau=cycle.bureau, obj=cycle, before=before, after=after, reason="open"
    )
    return cycle


def can_read_rules(user) -> bool:
    from jingwu.core.scope import can

    return can(user, Cycle, "view")


# --- the workflow ------------------------------------------------------------------------

NOMINATING_KINDS = ("station", "investigation_center", "prevention_center", "headquarters")


def published_message(cycle: Cycle) -> str:
    return _(
        "The cycle %(cycle)s was published on %(day)s: its files can no longer be scored or changed."
    ) % {
        "cycle": cycle,
        "day": cycle.published_on,
    }


def _open_for_files(cycle: Cycle) -> None:
    """Refuse changing files of a cycle that is not open (clear about why)."""
    if cycle.status == CycleStatus.PUBLISHED:
        raise ValidationError(published_message(cycle))
    if cycle.status == CycleStatus.NOTICE:
        raise ValidationError(
            _("The cycle %(cycle)s is in its public notice: its files can no longer be scored or changed.")
            % {"cycle": cycle}
        )
    if cycle.status != CycleStatus.OPEN:
        raise ValidationError(_("The cycle %(cycle)s is not open yet.") % {"cycle": cycle})


def _before_deadline(cycle: Cycle, field: str) -> dt.date:
    now = today(cycle.bureau)
    deadline = getattr(cycle, field)
    if now > deadline:
        raise ValidationError(
            _("The deadline (%(what)s: %(day)s) has passed.")
            % {"what": Cycle._meta.get_field(field).verbose_name, "day": deadline}
        )
    return now


def officer_posted_in(officer, unit, on: dt.date) -> bool:
    """Whether ``officer`` holds a posting in ``unit`` or below it on ``on``."""
    from jingwu.personnel.models import Posting

    return (
        Posting.objects.current(on)
        .filter(bureau_id=unit.bureau_id, officer=officer, unit__path__startswith=unit.path)
        .exists()
    )


@service
def do_nominate(cycle: Cycle, *, actor, officer, unit, reason: str = "") -> Nomination:
    """A unit nominates one of its officers (posted in it on the data date)."""
    authorize(actor, Nomination, "add", unit=unit)
    if officer.bureau_id != cycle.bureau_id or unit.bureau_id != cycle.bureau_id:
        raise PermissionDenied(_("You do not have permission to do this here."))
    cycle = Cycle.objects.get(pk=cycle.pk)  # its state as stored
    _open_for_files(cycle)
    now = _before_deadline(cycle, "nomination_deadline")
    if unit.kind not in NOMINATING_KINDS:
        raise ValidationError(
            {"unit": _("Stations and centers nominate; %(unit)s is neither.") % {"unit": unit.name}}
        )
    if not officer_posted_in(officer, unit, now):
        raise ValidationError(
            {
                "officer": _("%(officer)s is not an officer of %(unit)s.")
                % {"officer": officer.name, "unit": unit.name}
            }
        )
    if Nomination.objects.filter(cycle=cycle, officer=officer).exists():
        raise ValidationError(
            {"officer": _("%(officer)s is already nominated in this cycle.") % {"officer": officer.name}}
        )
    n = Nomination(
        bureau=cycle.bureau,
        cycle=cycle,
        officer=officer,
        unit=unit,
        nominated_by=actor if actor else None,
        nominated_on=now,
        reason=reason.strip(),
    )
    n.full_clean(exclude=["bureau", "cycle", "officer", "unit", "nominated_by"])
    n.save()
    audit.record(
        "create", actor=actor, bureau=cycle.bureau, obj=n, unit_path=unit.path, after=audit.snapshot(n)
    )
    return n


def _criteria(cycle: Cycle) -> list[Criterion]:
    return list(Criterion.objects.filter(standard__cycle=cycle).select_related("standard"))


def _clean_scores(cycle: Cycle, scores: dict, *, complete: bool) -> dict[int, Decimal]:
    """Scores by criterion id, each on the cycle's scale (0 to ``scale_max``, tenths)."""
    crit = {c.pk: c for c in _criteria(cycle)}
    out: dict[int, Decimal] = {}
    errors: dict[str, str] = {}
    for key, raw in scores.items():
        cid = int(key)
        if cid not in crit:
            raise ValidationError(_("A score was given for a criterion of another cycle."))
        if raw in (None, ""):
            continue
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            errors[f"score_{cid}"] = _("%(c)s: a score is a number.") % {"c": crit[cid].name}
            continue
        if (
            not value.is_finite()
            or value < 0
            or value > cycle.scale_max
            or value != value.quantize(Decimal("0.1"))
        ):
            errors[f"score_{cid}"] = _("%(c)s: the score must be between 0 and %(max)s (tenths at most).") % {
                "c": crit[cid].name,
                "max": cycle.scale_max,
            }
            continue
        out[cid] = value
    if complete:
        for cid, c in crit.items():
            if cid not in out and f"score_{cid}" not in errors:
                errors[f"score_{cid}"] = _("%(c)s: a score is required.") % {"c": c.name}
    if errors:
        raise ValidationError(errors)
    return out


def _write_scores(n: Nomination, kind: str, values: dict[int, Decimal]) -> dict:
    before = {
        str(k): str(v)
        for k, v in Score.objects.filter(nomination=n, kind=kind).values_list("criterion_id", "value")
    }
    for cid, value in values.items():
        Score.objects.update_or_create(
            bureau=n.bureau, nomination=n, criterion_id=cid, kind=kind, defaults={"value": value}
        )
    return before


def is_own_file(actor, n: Nomination) -> bool:
    return bool(actor is not None and getattr(actor, "officer_id", None) and actor.officer_id == n.officer_id)


@service
def do_self_assess(n: Nomination, *, actor, text: str, scores: dict | None = None) -> Nomination:
    """The nominated officer's own assessment (text and, optionally, their own scores)."""
    if not is_own_file(actor, n):
        raise PermissionDenied(_("Only the nominated officer assesses themselves."))
    n = Nomination.objects.select_for_update().get(pk=n.pk)
    _open_for_files(n.cycle)
    now = _before_deadline(n.cycle, "self_assessment_deadline")
    if n.status not in (FileStatus.NOMINATED, FileStatus.SELF_ASSESSED):
        raise ValidationError(_("The unit has already scored this file: the self-assessment is closed."))
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationError({"self_text": _("Write at least ten characters about your work this quarter.")})
    values = _clean_scores(n.cycle, scores or {}, complete=False)
    before = audit.snapshot(n, ["status", "self_text"])
    before["scores"] = _write_scores(n, ScoreKind.SELF, values)
    n.self_text, n.self_on, n.status = text, now, FileStatus.SELF_ASSESSED
    n.save(update_fields=["self_text", "self_on", "status", "updated_at"])
    after = audit.snapshot(n, ["status", "self_text"])
    after["scores"] = {str(k): str(v) for k, v in values.items()}
    audit.record(
        "update",
        actor=actor,
        bureau=n.bureau,
        obj=n,
        unit_path=n.unit.path,
        before=before,
        after=after,
        reason="self-assessment",
    )
    return n


@service
def do_score(n: Nomination, *, actor, scores: dict, note: str = "") -> Nomination:
    """The nominating unit scores every criterion, on the cycle's scale (never an officer
    their own file: a chief's file is scored above the station)."""
    if is_own_file(actor, n):
        raise PermissionDenied(_("You do not score your own file: the level above you does."))
    authorize(actor, Nomination, "change", unit=n.unit)
    authorize(actor, Score, "add", unit=n.unit)
    n = Nomination.objects.select_for_update().get(pk=n.pk)
    _open_for_files(n.cycle)
    now = _before_deadline(n.cycle, "scoring_deadline")
    if n.status not in (FileStatus.NOMINATED, FileStatus.SELF_ASSESSED, FileStatus.SCORED):
        raise ValidationError(
            _("The political department has reviewed this file: the unit's scores are closed.")
        )
    if n.status == FileStatus.NOMINATED and now <= n.cycle.self_assessment_deadline:
        raise ValidationError(
            _(
                "The officer may assess themselves until %(day)s: score after their self-assessment or that day."
            )
            % {"day": n.cycle.self_assessment_deadline}
        )
    values = _clean_scores(n.cycle, scores, complete=True)
    before = audit.snapshot(n, ["status", "unit_note"])
    before["scores"] = _write_scores(n, ScoreKind.UNIT, values)
    n.unit_note, n.scored_on, n.status = (note or "").strip(), now, FileStatus.SCORED
    n.save(update_fields=["unit_note", "scored_on", "status", "updated_at"])
    after = audit.snapshot(n, ["status", "unit_note"])
    after["scores"] = {str(k): str(v) for k, v in values.items()}
    audit.record(
        "update",
        actor=actor,
        bureau=n.bureau,
        obj=n,
        unit_path=n.unit.path,
        before=before,
        after=after,
        reason="unit scoring",
    )
    return n


def _decision(value: str, choices, field: str) -> str:
    if value not in {c for c, _l in choices}:
        raise ValidationError({field: _("Choose a decision.")})
    return value


@service
def do_review(n: Nomination, *, actor, decision: str, note: str = "") -> Nomination:
    """The political department reviews a scored file (endorses or declines it)."""
    from .choices import ReviewDecision

    authorize(actor, Nomination, "change", bureau=n.bureau)
    if actor is not None and not _is_bureau_wide(actor, n):
        raise PermissionDenied(_("The political department reviews files."))
    n = Nomination.objects.select_for_update().get(pk=n.pk)
    _open_for_files(n.cycle)
    now = _before_deadline(n.cycle, "review_deadline")
    if n.status not in (FileStatus.SCORED, FileStatus.REVIEWED):
        raise ValidationError(_("Only a file the unit has scored can be reviewed."))
    decision = _decision(decision, ReviewDecision.choices, "review")
    if decision == ReviewDecision.DECLINED and len((note or "").strip()) < 5:
        raise ValidationError({"review_note": _("Say why the file is declined.")})
    before = audit.snapshot(n, ["status", "review", "review_note"])
    n.review, n.review_note, n.reviewed_on, n.status = (
        decision,
        (note or "").strip(),
        now,
        FileStatus.REVIEWED,
    )
    n.save(update_fields=["review", "review_note", "reviewed_on", "status", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=n.bureau,
        obj=n,
        unit_path=n.unit.path,
        before=before,
        after=audit.snapshot(n, ["status", "review", "review_note"]),
        reason="review",
    )
    return n


def _is_bureau_wide(actor, n: Nomination) -> bool:
    """Whether the actor holds a bureau-wide right on files (political department, command)."""
    from jingwu.core.permissions import allowed
    from jingwu.core.scope import current_memberships

    if getattr(actor, "is_superuser", False):
        return True
    return any(
        m.bureau_id == n.bureau_id and allowed(m.role, "evaluation.nomination", "view")[1] == "bureau"
        for m in current_memberships(actor)
    )


@service
def do_decide(n: Nomination, *, actor, decision: str, note: str = "") -> Nomination:
    """The committee approves or rejects a reviewed file."""
    from .choices import CommitteeDecision

    authorize(actor, Nomination, "approve", bureau=n.bureau)
    n = Nomination.objects.select_for_update().get(pk=n.pk)
    _open_for_files(n.cycle)
    if n.status not in (FileStatus.REVIEWED, FileStatus.APPROVED, FileStatus.REJECTED):
        raise ValidationError(_("The committee decides on files the political department has reviewed."))
    decision = _decision(decision, CommitteeDecision.choices, "committee")
    before = audit.snapshot(n, ["status", "committee", "committee_note"])
    n.committee, n.committee_note, n.decided_on = decision, (note or "").strip(), today(n.bureau)
    n.status = FileStatus.APPROVED if decision == CommitteeDecision.APPROVED else FileStatus.REJECTED
    n.save(update_fields=["committee", "committee_note", "decided_on", "status", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=n.bureau,
        obj=n,
        unit_path=n.unit.path,
        before=before,
        after=audit.snapshot(n, ["status", "committee", "committee_note"]),
        reason="committee",
    )
    return n


@service
def do_start_notice(cycle: Cycle, *, actor) -> Cycle:
    """Put the committee's approved files on public notice for ``notice_days`` days."""
    authorize(actor, Cycle, "change", bureau=cycle.bureau)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    _open_for_files(cycle)
    files = Nomination.objects.filter(cycle=cycle)
    pending = files.exclude(status__in=[FileStatus.APPROVED, FileStatus.REJECTED]).count()
    if pending:
        raise ValidationError(_("%(n)d files still wait for the committee's decision.") % {"n": pending})
    if not files.filter(status=FileStatus.APPROVED).exists():
        raise ValidationError(_("The committee approved no file: there is nothing to put on notice."))
    now = today(cycle.bureau)
    before = audit.snapshot(cycle)
    cycle.status, cycle.notice_start = CycleStatus.NOTICE, now
    cycle.notice_end = now + dt.timedelta(days=cycle.notice_days - 1)
    cycle.save(update_fields=["status", "notice_start", "notice_end", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=cycle.bureau,
        obj=cycle,
        before=before,
        after=audit.snapshot(cycle),
        reason="public notice",
    )
    return cycle


@service
def do_object(n: Nomination, *, actor, text: str) -> Objection:
    """Raise an objection to a file on public notice (until the notice's last day)."""
    authorize(actor, Objection, "add", bureau=n.bureau)
    n = Nomination.objects.select_related("cycle", "unit").get(pk=n.pk)
    cycle = n.cycle
    now = today(cycle.bureau)
    if cycle.status != CycleStatus.NOTICE or n.status != FileStatus.APPROVED:
        if cycle.status == CycleStatus.PUBLISHED:
            raise ValidationError(
                _("The public notice ended on %(day)s: objections are no longer accepted.")
                % {"day": cycle.notice_end}
            )
        raise ValidationError(_("Only a file on public notice can be objected to."))
    if now > cycle.notice_end:
        raise ValidationError(
            _("The public notice ended on %(day)s: objections are no longer accepted.")
            % {"day": cycle.notice_end}
        )
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationError({"text": _("Describe the objection in at least ten characters.")})
    o = Objection.objects.create(bureau=n.bureau, nomination=n, filed_on=now, filed_by=actor, text=text)
    audit.record(
        "create", actor=actor, bureau=n.bureau, obj=o, unit_path=n.unit.path, after=audit.snapshot(o)
    )
    return o


@service
def do_answer_objection(o: Objection, *, actor, answer: str) -> Objection:
    """The political department answers an objection (before publication)."""
    authorize(actor, Objection, "change", bureau=o.bureau)
    o = Objection.objects.select_for_update(of=("self",)).select_related("nomination__cycle").get(pk=o.pk)
    if o.nomination.cycle.status == CycleStatus.PUBLISHED:
        raise ValidationError(_("The cycle is published: its objections were answered before."))
    answer = (answer or "").strip()
    if len(answer) < 5:
        raise ValidationError({"answer": _("Write the answer (at least five characters).")})
    before = audit.snapshot(o)
    o.answer, o.answered_on, o.answered_by = answer, today(o.bureau), actor
    o.save(update_fields=["answer", "answered_on", "answered_by", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=o.bureau,
        obj=o,
        unit_path=o.nomination.unit.path,
        before=before,
        after=audit.snapshot(o),
    )
    return o


def standard_scores(n: Nomination) -> dict[int, Decimal]:
    """Each standard's weighted unit score out of 100 (standard id -> score); only
    standards whose every criterion is scored."""
    unit = dict(Score.objects.filter(nomination=n, kind=ScoreKind.UNIT).values_list("criterion_id", "value"))
    out: dict[int, Decimal] = {}
    by_std: dict[int, list[Criterion]] = {}
    for c in _criteria(n.cycle):
        by_std.setdefault(c.standard_id, []).append(c)
    for sid, crit in by_std.items():
        if all(c.pk in unit for c in crit):
            total = sum(Decimal(c.weight) * unit[c.pk] for c in crit)
            out[sid] = (total / Decimal(n.cycle.scale_max)).quantize(Decimal("0.1"))
    return out


@service
def do_publish(cycle: Cycle, *, actor) -> Cycle:
    """Publish the results after the notice, every objection answered: the stars are awarded."""
    authorize(actor, Cycle, "change", bureau=cycle.bureau)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status == CycleStatus.PUBLISHED:
        raise ValidationError(_("The cycle %(cycle)s is already published.") % {"cycle": cycle})
    if cycle.status != CycleStatus.NOTICE:
        raise ValidationError(_("A cycle is published after its public notice."))
    now = today(cycle.bureau)
    if now <= cycle.notice_end:
        raise ValidationError(
            _("The public notice runs until %(day)s: publish after it.") % {"day": cycle.notice_end}
        )
    open_objections = Objection.objects.filter(nomination__cycle=cycle, answered_on__isnull=True).count()
    if open_objections:
        raise ValidationError(
            _("%(n)d objections are not answered yet: answer every objection before publishing.")
            % {"n": open_objections}
        )
    marks = {s.pk: s for s in cycle.standards.all()}
    awarded = 0
    for n in Nomination.objects.filter(cycle=cycle, status=FileStatus.APPROVED).select_related("cycle"):
        for sid, score in standard_scores(n).items():
            if score >= marks[sid].pass_mark:
                StarAward.objects.create(
                    bureau=cycle.bureau,
                    nomination=n,
                    officer_id=n.officer_id,
                    cycle=cycle,
                    standard_id=sid,
                    score=score,
                )
                awarded += 1
    before = audit.snapshot(cycle)
    cycle.status, cycle.published_on = CycleStatus.PUBLISHED, now
    cycle.save(update_fields=["status", "published_on", "updated_at"])
    after = audit.snapshot(cycle)
    after["stars"] = awarded
    audit.record(
        "update", actor=actor, bureau=cycle.bureau, obj=cycle, before=before, after=after, reason="publish"
    )
    return cycle


@service
def do_appeal(n: Nomination, *, actor, text: str) -> Appeal:
    """The officer appeals against a published result, within the cycle's appeal period."""
    if not is_own_file(actor, n):
        raise PermissionDenied(_("Only the officer concerned appeals against their result."))
    n = Nomination.objects.select_related("cycle", "unit").get(pk=n.pk)
    cycle = n.cycle
    if cycle.status != CycleStatus.PUBLISHED:
        raise ValidationError(_("Appeals are made against published results."))
    now = today(cycle.bureau)
    last = cycle.published_on + dt.timedelta(days=cycle.appeal_days)
    if now > last:
        raise ValidationError(_("Appeals were accepted until %(day)s.") % {"day": last})
    if Appeal.objects.filter(nomination=n, status=AppealStatus.OPEN).exists():
        raise ValidationError(_("Your appeal is still open."))
    text = (text or "").strip()
    if len(text) < 10:
        raise ValidationError({"text": _("Describe the appeal in at least ten characters.")})
    a = Appeal.objects.create(bureau=n.bureau, nomination=n, filed_on=now, filed_by=actor, text=text)
    audit.record(
        "create", actor=actor, bureau=n.bureau, obj=a, unit_path=n.unit.path, after=audit.snapshot(a)
    )
    return a


@service
def do_decide_appeal(a: Appeal, *, actor, decision: str, answer: str, grant: list | None = None) -> Appeal:
    """The political department upholds (granting the stars named in ``grant``) or dismisses an appeal."""
    authorize(actor, Appeal, "change", bureau=a.bureau)
    a = Appeal.objects.select_for_update(of=("self",)).select_related("nomination__cycle").get(pk=a.pk)
    if a.status != AppealStatus.OPEN:
        raise ValidationError(_("This appeal was decided on %(day)s.") % {"day": a.decided_on})
    if decision not in (AppealStatus.UPHELD, AppealStatus.DISMISSED):
        raise ValidationError({"decision": _("Choose a decision.")})
    answer = (answer or "").strip()
    if len(answer) < 5:
        raise ValidationError({"answer": _("Write the answer (at least five characters).")})
    n = a.nomination
    granted = []
    if decision == AppealStatus.UPHELD:
        standards = {str(s.pk): s for s in n.cycle.standards.all()}
        have = set(StarAward.objects.filter(nomination=n).values_list("standard_id", flat=True))
        scores = standard_scores(n)
        for sid in grant or []:
            s = standards.get(str(sid))
            if s is None:
                raise ValidationError({"grant": _("A star of another cycle was chosen.")})
            if s.pk in have:
                continue
            StarAward.objects.create(
                bureau=a.bureau,
                nomination=n,
                officer_id=n.officer_id,
                cycle=n.cycle,
                standard=s,
                score=scores.get(s.pk, Decimal(0)),
                on_appeal=True,
            )
            granted.append(s.code)
    before = audit.snapshot(a)
    a.status, a.answer, a.decided_on, a.decided_by = decision, answer, today(a.bureau), actor
    a.save(update_fields=["status", "answer", "decided_on", "decided_by", "updated_at"])
    after = audit.snapshot(a)
    after["granted"] = granted
    audit.record(
        "update", actor=actor, bureau=a.bureau, obj=a, unit_path=n.unit.path, before=before, after=after
    )
    return a


# --- evidence ------------------------------------------------------------------------------

ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
# extension -> the bytes such a file begins with
ATTACHMENT_TYPES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
    "xlsx": (b"PK\x03\x04",),
}


def validate_attachment(upload) -> str:
    """The attachment's cleaned file name, or a clear error (type by name and content, size)."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:150]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ATTACHMENT_TYPES:
        raise ValidationError(
            {"attachment": _("Attach a PDF, PNG, JPEG, Word (.docx) or Excel (.xlsx) file.")}
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError({"attachment": _("The attachment is larger than 5 MB.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in ATTACHMENT_TYPES[ext]):
        raise ValidationError(
            {"attachment": _("The file's content is not a %(ext)s file.") % {"ext": ext.upper()}}
        )
    return name


@service
def do_add_own_evidence(n: Nomination, *, actor, criterion_id: int, text: str, attachment=None):
    """The officer adds evidence beside a criterion of their file (until the unit scores it)."""
    from .models import OwnEvidence

    if not is_own_file(actor, n):
        raise PermissionDenied(_("Only the officer adds evidence to their own file."))
    n = Nomination.objects.select_for_update(of=("self",)).select_related("cycle", "unit").get(pk=n.pk)
    _open_for_files(n.cycle)
    now = _before_deadline(n.cycle, "scoring_deadline")
    crit = Criterion.objects.filter(standard__cycle=n.cycle, pk=criterion_id).first()
    if crit is None:
        raise ValidationError({"criterion": _("Choose a criterion of this cycle.")})
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"text": _("Describe the evidence (at least five characters).")})
    name = validate_attachment(attachment) if attachment else ""
    ev = OwnEvidence(
        bureau=n.bureau, nomination=n, criterion=crit, text=text, added_on=now, attachment_name=name
    )
    if attachment:
        ev.attachment.save(f"{n.pk}-{crit.pk}.{name.rsplit('.', 1)[-1].lower()}", attachment, save=False)
    ev.save()
    audit.record(
        "create", actor=actor, bureau=n.bureau, obj=ev, unit_path=n.unit.path, after=audit.snapshot(ev)
    )
    return ev


@service
def do_record_conduct(*, actor, officer, kind: str, day: dt.date, title: str, substantiated: bool = True):
    """Record a commendation, complaint or discipline record of an officer in the actor's units."""
    from jingwu.core.scope import restrict
    from jingwu.personnel.models import Officer

    from .choices import ConductKind
    from .models import ConductRecord

    authorize(actor, ConductRecord, "add", bureau=officer.bureau)
    if actor is not None and not restrict(Officer, actor).filter(pk=officer.pk).exists():
        raise PermissionDenied(_("You do not have permission to do this here."))
    if kind not in ConductKind.values:
        raise ValidationError({"kind": _("Choose the kind of record.")})
    if day is None or day > today(officer.bureau):
        raise ValidationError(
            {"day": _("The date cannot be after today (%(d)s).") % {"d": today(officer.bureau)}}
        )
    title = (title or "").strip()
    if len(title) < 4:
        raise ValidationError({"title": _("Describe the record (at least four characters).")})
    r = ConductRecord(
        bureau=officer.bureau,
        officer=officer,
        kind=kind,
        day=day,
        title=title,
        substantiated=bool(substantiated),
        recorded_by=actor,
    )
    r.full_clean(exclude=["bureau", "officer", "recorded_by"])
    r.save()
    audit.record("create", actor=actor, bureau=officer.bureau, obj=r, after=audit.snapshot(r))
    return r


# --- officer care ---------------------------------------------------------------------------

NEW_OFFICER_YEARS = 3


def _care_checks(actor, model, officer, day: dt.date | None, field: str = "day") -> None:
    authorize(actor, model, "add", bureau=officer.bureau)
    if day is None:
        raise ValidationError({field: _("A date is required.")})
    if field == "day" and day > today(officer.bureau):
        raise ValidationError(
            {field: _("The date cannot be after today (%(d)s).") % {"d": today(officer.bureau)}}
        )


@service
def do_record_visit(*, actor, officer, day: dt.date, visitor: str, note: str):
    """Record a family visit to an officer (the political department)."""
    from .models import FamilyVisit

    _care_checks(actor, FamilyVisit, officer, day)
    visitor, note = (visitor or "").strip(), (note or "").strip()
    if not visitor:
        raise ValidationError({"visitor": _("Say who visited.")})
    if len(note) < 5:
        raise ValidationError({"note": _("Write a note of at least five characters.")})
    v = FamilyVisit.objects.create(
        bureau=officer.bureau, officer=officer, day=day, visitor=visitor[:100], note=note, recorded_by=actor
    )
    audit.record("create", actor=actor, bureau=officer.bureau, obj=v, after=audit.snapshot(v))
    return v


@service
def do_record_training(*, actor, officer, day: dt.date, topic: str, hours: int = 8):
    """Record a training day an officer attended."""
    from .models import TrainingDay

    _care_checks(actor, TrainingDay, officer, day)
    topic = (topic or "").strip()
    if len(topic) < 2:
        raise ValidationError({"topic": _("Name the training.")})
    if TrainingDay.objects.filter(officer=officer, day=day).exists():
        raise ValidationError(
            {
                "day": _("%(officer)s already has a training day on %(d)s.")
                % {"officer": officer.name, "d": day}
            }
        )
    t = TrainingDay(bureau=officer.bureau, officer=officer, day=day, topic=topic[:200], hours=hours)
    t.full_clean(exclude=["bureau", "officer"])
    t.save()
    audit.record("create", actor=actor, bureau=officer.bureau, obj=t, after=audit.snapshot(t))
    return t


@service
def do_save_career_plan(*, actor, officer, goals: str, review_on: dt.date, mentor=None):
    """Create or change a new officer's career plan (hired within the last three years)."""
    from .models import CareerPlan

    _care_checks(actor, CareerPlan, officer, review_on, "review_on")
    now = today(officer.bureau)
    if officer.hired is None or (now - officer.hired).days > 365 * NEW_OFFICER_YEARS:
        raise ValidationError(
            {
                "officer": _("Career plans are for new officers (hired in the last %(n)d years).")
                % {"n": NEW_OFFICER_YEARS}
            }
        )
    if review_on <= now:
        raise ValidationError({"review_on": _("The next review must be after today (%(d)s).") % {"d": now}})
    if mentor is not None and (mentor.pk == officer.pk or mentor.bureau_id != officer.bureau_id):
        raise ValidationError({"mentor": _("The mentor is another officer of the bureau.")})
    goals = (goals or "").strip()
    if len(goals) < 10:
        raise ValidationError({"goals": _("Write the goals (at least ten characters).")})
    plan = CareerPlan.objects.filter(officer=officer).first()
    before = audit.snapshot(plan) if plan else None
    if plan is None:
        plan = CareerPlan(bureau=officer.bureau, officer=officer)
    plan.goals, plan.review_on, plan.mentor = goals, review_on, mentor
    plan.save()
    audit.record(
        "update" if before else "create",
        actor=actor,
        bureau=officer.bureau,
        obj=plan,
        before=before,
        after=audit.snapshot(plan),
    )
    return plan


# --- early support ----------------------------------------------------------------------------


SUPPORT_JOB = "evaluation.support"


@service
def do_check_support(bureau, *, actor, progress=None) -> int:
    """Flag officers who need support (``support.py``'s rules) to their chief; an officer
    with an open flag gets no second one. Returns the number of flags raised.

    ``progress(done=, total=, phase=)`` is told how far the check is (the job's progress)."""
    from .models import SupportFlag
    from .support import find_reasons

    authorize(actor, SupportFlag, "add", bureau=bureau)
    on = today(bureau)
    if progress:
        progress(phase="find", percent=5)
    reasons, home = find_reasons(bureau, on)
    open_ids = set(
        SupportFlag.objects.filter(bureau=bureau, is_open=True).values_list("officer_id", flat=True)
    )
    raised = 0
    todo = sorted(reasons)
    for i, officer_id in enumerate(todo):
        if progress and i % 200 == 0:
            progress(done=i, total=len(todo), phase="flag")
        if officer_id in open_ids:
            continue
        f = SupportFlag.objects.create(
            bureau=bureau,
            officer_id=officer_id,
            unit=home[officer_id],
            raised_on=on,
            reasons=reasons[officer_id],
        )
        audit.record(
            "create", actor=actor, bureau=bureau, obj=f, unit_path=f.unit.path, after=audit.snapshot(f)
        )
        raised += 1
    return raised


def support_job(bureau):
    """The bureau's newest early-support check job (running, queued or ended), or None."""
    from jingwu.jobs.models import Job

    return (
        Job.objects.filter(bureau=bureau, kind=SUPPORT_JOB, target_type="core.bureau", target_id=bureau.pk)
        .order_by("-created_at", "-id")
        .first()
    )


@service
def do_start_support_check(bureau, *, actor, hand_out: bool = True):
    """Start the early-support check as a background job; a check already queued or
    running is returned instead of a second one (idempotent)."""
    from jingwu.jobs.models import LIVE
    from jingwu.jobs.services import do_start_job

    from .models import SupportFlag

    authorize(actor, SupportFlag, "add", bureau=bureau)
    job = support_job(bureau)
    if job is not None and job.state in LIVE:
        return job
    return do_start_job(SUPPORT_JOB, actor=actor, bureau=bureau, target=bureau, hand_out=hand_out)


def run_support_job(job, ctx) -> None:
    """The early-support check of the job's bureau (the job kind's ``run``); safe to run
    again: an officer with an open flag gets no second one."""
    from django.utils.translation import gettext as _

    n = do_check_support(job.bureau, actor=job.started_by, progress=ctx.progress)
    ctx.progress(phase="flag", percent=100, message=_("%(n)d officers flagged.") % {"n": n})


@service
def do_close_flag(flag, *, actor, note: str):
    """The chief (or the political department) closes a reviewed flag with a note."""
    from .models import SupportFlag

    authorize(actor, SupportFlag, "change", unit=flag.unit)
    flag = SupportFlag.objects.select_for_update().get(pk=flag.pk)
    if not flag.is_open:
        raise ValidationError(_("This flag was closed on %(d)s.") % {"d": flag.closed_on})
    note = (note or "").strip()
    if len(note) < 10:
        raise ValidationError({"note": _("Say what support was given (at least ten characters).")})
    before = audit.snapshot(flag)
    flag.is_open, flag.note, flag.closed_on, flag.closed_by = False, note, today(flag.bureau), actor
    flag.save(update_fields=["is_open", "note", "closed_on", "closed_by", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=flag.bureau,
        obj=flag,
        unit_path=flag.unit.path,
        before=before,
        after=audit.snapshot(flag),
    )
    return flag
