"""Deadlines of cases per kind and stage, from the bureau's calendar; reminders, the
overdue list and escalation (督办) to the next level of the unit tree until the case moves.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import latest_day, local_day, zone
from jingwu.core.services import authorize, service
from jingwu.engine.deadlines import LIMITS, STAGES, Limit, due_date, escalation_due
from jingwu.org.models import Unit

from .models import CalendarDay, Case, CaseDeadline, DeadlineLimit, Escalation

REMIND_DAYS = 2  # deadlines due within this many days are reminded of
ESCALATE_EVERY = 3  # days between escalations of a deadline that stays overdue
MAX_LIMIT_DAYS = 365


def calendar(bureau) -> tuple[set[dt.date], set[dt.date]]:
    rows = CalendarDay.objects.filter(bureau=bureau).values_list("day", "kind")
    return {d for d, k in rows if k == "holiday"}, {d for d, k in rows if k == "workday"}


def limits(bureau) -> dict[str, dict[str, Limit]]:
    """The bureau's limits per case kind and stage: its own rows over the defaults."""
    out = {kind: dict(stages) for kind, stages in LIMITS.items()}
    for kind, stage, days, working in DeadlineLimit.objects.filter(bureau=bureau).values_list(
        "kind", "stage", "days", "working"
    ):
        if kind in out and stage in out[kind]:
            out[kind][stage] = Limit(days, working)
    return out


def limit_rows(bureau) -> list[dict]:
    """Every kind × stage with its limit and whether the bureau set it (for the page and the API)."""
    own = {(r.kind, r.stage): r for r in DeadlineLimit.objects.filter(bureau=bureau)}
    table = limits(bureau)
    return [
        {
            "kind": kind,
            "stage": stage,
            "days": table[kind][stage].days,
            "working": table[kind][stage].working,
            "own": (kind, stage) in own,
            "row": own.get((kind, stage)),
        }
        for kind in LIMITS
        for stage in STAGES
    ]


def _due(bureau, kind: str, stage: str, start: dt.date, cal=None, table=None) -> dt.date:
    holidays, workdays = cal or calendar(bureau)
    table = table or limits(bureau)
    return due_date(start, table[kind][stage], holidays, workdays)


def _limit_unit_path(bureau) -> str:
    hq = Unit.objects.filter(bureau=bureau, parent__isnull=True).first()
    return hq.path if hq else ""


@service
def do_set_limit(
    *, actor, bureau, kind: str, stage: str, days, working: bool, reason: str = ""
) -> DeadlineLimit:
    """Set the bureau's time limit of a stage of a kind of case (bureau command). Deadlines
    set from now on follow it; those already set keep their day. Audited, before and after."""
    authorize(actor, DeadlineLimit, "change", bureau=bureau)
    if kind not in LIMITS:
        raise ValidationError({"kind": _("A case is criminal or administrative.")})
    if stage not in STAGES:
        raise ValidationError({"stage": _("Unknown stage %(stage)s.") % {"stage": stage}})
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= MAX_LIMIT_DAYS:
        raise ValidationError({"days": _("A time limit is 1 to %(n)d days.") % {"n": MAX_LIMIT_DAYS}})
    working = bool(working)
    row = DeadlineLimit.objects.select_for_update().filter(bureau=bureau, kind=kind, stage=stage).first()
    old = limits(bureau)[kind][stage]
    before = {"kind": kind, "stage": stage, "days": old.days, "working": old.working, "own": row is not None}
    if row is None:
        row = DeadlineLimit(bureau=bureau, kind=kind, stage=stage)
    if row.pk is not None and (row.days, row.working) == (days, working):
        return row
    row.days, row.working = days, working
    row.save()
    audit.record(
        "create" if not before["own"] else "update",
        actor=actor,
        bureau=bureau,
        obj=row,
        unit_path=_limit_unit_path(bureau),
        before=before,
        after={"kind": kind, "stage": stage, "days": days, "working": working, "own": True},
        reason=reason,
    )
    return row


def set_opening_deadlines(case: Case) -> None:
    """Filing decision, first action and investigation, from the day the case was opened."""
    cal, table = calendar(case.bureau), limits(case.bureau)
    start = local_day(case.opened_at, zone(case.bureau))
    rows = [
        CaseDeadline(
            bureau_id=case.bureau_id,
            case=case,
            stage=s,
            due=_due(case.bureau, case.kind, s, start, cal, table),
        )
        for s in ("filing", "first_action", "investigation")
    ]
    CaseDeadline.objects.bulk_create(rows)
    if case.deadline is None:
        case.deadline = rows[-1].due
        case.save(update_fields=["deadline", "updated_at"])


def after_step(case: Case, step: str, old_status: str) -> None:
    """Mark the stages the step completes; a solved case gets its review deadline."""
    now = timezone.now()
    open_rows = CaseDeadline.objects.filter(case=case, met_at__isnull=True)
    met: set[str] = set()
    if step != "open":
        met.add("first_action")
    if case.status != "registered":
        met.add("filing")
    if case.status in ("solved", "closed", "withdrawn"):
        met.add("investigation")
    if case.status in ("closed", "withdrawn"):
        met.add("review")
    open_rows.filter(stage__in=met).update(met_at=now, updated_at=now)
    if case.status == "investigating" and old_status in ("solved", "suspended", "closed", "withdrawn"):
        # back at work: the investigation (and no review yet) is open again, its due day kept
        CaseDeadline.objects.filter(case=case, stage="investigation").update(met_at=None, updated_at=now)
        CaseDeadline.objects.filter(case=case, stage="review", met_at__isnull=True).update(
            met_at=now, updated_at=now
        )
    if case.status == "solved" and old_status != "solved":
        due = _due(case.bureau, case.kind, "review", local_day(now, zone(case.bureau)))
        CaseDeadline.objects.update_or_create(
            bureau_id=case.bureau_id,
            case=case,
            stage="review",
            defaults={"due": due, "met_at": None, "level": 0, "last_escalated": None},
        )


def _pending(bureau):
    """Deadlines not met of cases still being worked on (a suspended case waits)."""
    return CaseDeadline.objects.filter(
        bureau=bureau, met_at__isnull=True, case__status__in=Case.OPEN_STATUSES
    ).select_related("case", "case__owning_unit")


def overdue(cases, bureau, as_of: dt.date | None = None):
    """Deadlines past due (before ``as_of``, the bureau's latest day: its own today while
    its records are live, else its data date) of the given cases."""
    as_of = as_of or latest_day(bureau)
    return _pending(bureau).filter(case__in=cases, due__lt=as_of).order_by("due", "pk")


def reminders(cases, bureau, as_of: dt.date | None = None):
    as_of = as_of or latest_day(bureau)
    return (
        _pending(bureau)
        .filter(case__in=cases, due__gte=as_of, due__lte=as_of + dt.timedelta(days=REMIND_DAYS))
        .order_by("due", "pk")
    )


def _next_unit(owner: Unit, level: int) -> Unit | None:
    """The unit ``level`` steps above the owner (1: its parent); None above the root."""
    ids = owner.ancestor_ids[:-1]  # the owner's ancestors, root first
    if level > len(ids):
        return None
    return Unit.objects.get(pk=ids[-level])


@service
def do_escalate_overdue(*, actor, bureau, as_of: dt.date | None = None) -> int:
    """Escalate every overdue deadline due for it to the next level (督办); returns how many.

    A deadline escalates at once when it is overdue, then every ``ESCALATE_EVERY`` days one
    level higher, until the case moves past the stage or the top of the tree is reached.
    Each escalation is a row on the case and an audit event of the case.
    """
    authorize(actor, Escalation, "add", bureau=bureau)
    as_of = as_of or latest_day(bureau)
    now = timezone.now()
    done = 0
    for d in _pending(bureau).filter(due__lt=as_of).select_for_update(of=("self",)):
        if not escalation_due(d.level, d.last_escalated, d.due, as_of, ESCALATE_EVERY):
            continue
        target = _next_unit(d.case.owning_unit, d.level + 1)
        if target is None:
            continue
        d.level += 1
        d.last_escalated = as_of
        d.save(update_fields=["level", "last_escalated", "updated_at"])
        Escalation.objects.create(
            bureau=bureau,
            case=d.case,
            deadline=d,
            level=d.level,
            to_unit=target,
            as_of=as_of,
            at=now,
            actor=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            "update",
            actor=actor,
            bureau=bureau,
            obj=d.case,
            unit_path=d.case.owning_unit.path,
            after={
                "step": "escalate",
                "status": d.case.status,
                "stage": d.stage,
                "due": d.due.isoformat(),
                "level": d.level,
                "to_unit_id": target.pk,
            },
            reason=_("Overdue since %(day)s: escalated to %(unit)s.")
            % {"day": d.due.isoformat(), "unit": target.name},
        )
        done += 1
    return done


def seed_demo_deadlines(bureau) -> int:
    """Deadline rows of the demo's open cases (loaded in bulk, without the services): the
    investigation of cases under investigation, the review of solved ones, due on the
    case's deadline."""
    rows = []
    for pk, status, deadline in Case.objects.filter(
        bureau=bureau, status__in=("investigating", "solved"), deadline__isnull=False
    ).values_list("pk", "status", "deadline"):
        stage = "review" if status == "solved" else "investigation"
        rows.append(CaseDeadline(bureau=bureau, case_id=pk, stage=stage, due=deadline))
    CaseDeadline.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def escalate_every_bureau() -> dict[str, int]:
    """The periodic sweep (``tasks.escalate_overdue``): escalate the overdue deadlines of every
    bureau as of its own data date, as the system. Running it again on the same data date
    escalates nothing more."""
    from jingwu.core.models import Bureau

    out = {}
    for bureau in Bureau.objects.order_by("code"):
        out[bureau.code] = do_escalate_overdue(actor=None, bureau=bureau, as_of=latest_day(bureau))
    return out
