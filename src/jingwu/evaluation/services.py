"""Writes of the evaluation: each checks scope, validates, records its audit event and
saves in one transaction (``jingwu.core.services.service``)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import data_date
from jingwu.core.services import authorize, service

from .choices import CycleStatus
from .defaults import DEFAULT_STANDARDS
from .models import Criterion, Cycle, Standard

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
