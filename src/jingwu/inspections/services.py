"""Writes of the inspections app: legal timers and visits (scope, validation, audit, one transaction)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import data_date, day_start, latest_day, zone
from jingwu.core.i18n import pick
from jingwu.core.services import authorize, service
from jingwu.engine import inspection_rules as rules
from jingwu.places.models import ElementRequirement

from . import duetable
from .models import LegalTimer, Visit


def bureau_now(bureau) -> dt.datetime:
    """The bureau's "now": the wall clock while its records are live, else the end of its
    data date (see ``clock.latest_day``)."""
    end = day_start(latest_day(bureau) + dt.timedelta(days=1), zone(bureau))
    return min(timezone.now(), end)


def _place(premises):
    return premises.grid or premises.station


def _unit_path(premises) -> str:
    unit = _place(premises)
    return unit.path if unit is not None else ""


def _aware(value, bureau, field: str) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.strip())
        except ValueError as exc:
            raise ValidationError({field: _("Enter a date and time such as 2018-12-30 14:30.")}) from exc
    if not isinstance(value, dt.datetime):
        raise ValidationError({field: _("Enter a date and time such as 2018-12-30 14:30.")})
    if timezone.is_naive(value):
        value = value.replace(tzinfo=zone(bureau))
    return value


@service
def do_open_timer(*, actor, premises, kind: str, event_at, reference: str = "", note: str = "") -> LegalTimer:
    """Start a legal timer at ``premises``: its deadline follows from the obligation's rule."""
    authorize(actor, LegalTimer, "add", unit=_place(premises))
    bureau = premises.bureau
    rule = rules.TIMER_RULES.get(kind)
    if rule is None:
        raise ValidationError({"kind": _("Choose an obligation from the list.")})
    if premises.category not in rule.categories:
        raise ValidationError(
            {
                "kind": _("This obligation does not apply to premises of the category %(category)s.")
                % {"category": premises.get_category_display()}
            }
        )
    event_at = _aware(event_at, bureau, "event_at")
    if event_at > bureau_now(bureau):
        raise ValidationError({"event_at": _("The start of a timer cannot lie in the future.")})
    timer = LegalTimer(
        bureau=bureau,
        premises=premises,
        kind=kind,
        event_at=event_at,
        due_at=rules.deadline(kind, event_at),
        reference=(reference or "").strip(),
        note=(note or "").strip(),
    )
    timer.full_clean(exclude=["bureau", "premises"])
    timer.save()
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=timer,
        unit_path=_unit_path(premises),
        after=audit.snapshot(timer),
    )
    return timer


@service
def do_close_timer(timer: LegalTimer, *, actor, done_at=None, missing: bool = False) -> LegalTimer:
    """Close a timer: delivered (a deliver timer), or a kept record released or found missing."""
    timer = (
        LegalTimer.objects.select_for_update(of=("self",))
        .select_related("premises__grid", "premises__station")
        .get(pk=timer.pk)
    )
    authorize(actor, LegalTimer, "change", unit=_place(timer.premises))
    if timer.done_at is not None:
        raise ValidationError(_("This timer is already closed."))
    now = bureau_now(timer.bureau)
    done_at = now if done_at in (None, "") else _aware(done_at, timer.bureau, "done_at")
    if done_at < timer.event_at:
        raise ValidationError({"done_at": _("A timer cannot close before it started.")})
    if done_at > now:
        raise ValidationError({"done_at": _("A timer cannot close in the future.")})
    if missing and timer.mode != "keep":
        raise ValidationError(_("Only a record that must be kept can be found missing."))
    before = audit.snapshot(timer)
    timer.done_at, timer.missing = done_at, bool(missing)
    timer.save(update_fields=["done_at", "missing", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=timer.bureau,
        obj=timer,
        unit_path=_unit_path(timer.premises),
        before=before,
        after=audit.snapshot(timer),
    )
    return timer


def required_elements(premises) -> dict[str, int]:
    return dict(
        ElementRequirement.objects.filter(
            bureau_id=premises.bureau_id, category=premises.category
        ).values_list("element__code", "visits_per_year")
    )


@service
def do_record_visit(
    *, actor, premises, day: dt.date, elements, failed_items: int = 0, notes: str = ""
) -> Visit:
    """Record a visit made (history): the elements it covered and the checklist items failed."""
    authorize(actor, Visit, "add", unit=_place(premises))
    bureau = premises.bureau
    required = required_elements(premises)
    elements = sorted(set(elements or []))
    if not elements:
        raise ValidationError({"elements": _("Name at least one inspection element the visit covered.")})
    unknown = [e for e in elements if e not in required]
    if unknown:
        raise ValidationError(
            {
                "elements": _("These elements are not required for these premises: %(codes)s.")
                % {"codes": ", ".join(unknown)}
            }
        )
    if day > latest_day(bureau):
        raise ValidationError({"day": _("A visit made cannot lie in the future.")})
    if failed_items < 0:
        raise ValidationError({"failed_items": _("The number of failed items cannot be negative.")})
    visit = Visit(
        bureau=bureau,
        premises=premises,
        status="done",
        day=day,
        elements=elements,
        failed_items=failed_items,
        notes=(notes or "").strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
        done_at=timezone.now(),
    )
    visit.full_clean(exclude=["bureau", "premises", "recorded_by"])
    visit.save()
    duetable.refresh([premises.pk], bureau)
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=visit,
        unit_path=_unit_path(premises),
        after=audit.snapshot(visit),
    )
    return visit


PLAN_UNIT_KINDS = ("headquarters", "station", "zone")
MAX_PLAN_DAYS = 31


@service
def do_start_plan(
    *,
    actor,
    unit,
    start: dt.date,
    days: int,
    min_team: int = 2,
    max_team: int = 3,
    visits_per_team_day: int = 6,
    solver: str = "pyvrp",
    leave: dict | None = None,
    hand_out: bool = True,
):
    """Queue a planning run for the premises of ``unit`` (the county, a station or a zone)."""
    from jingwu.jobs.services import do_start_job
    from jingwu.personnel.models import Officer

    from .models import InspectionPlan

    authorize(actor, InspectionPlan, "add", unit=unit)
    errors = {}
    if unit.kind not in PLAN_UNIT_KINDS:
        errors["unit"] = _("Plan for the county, a station or a zone.")
    if not 1 <= int(days) <= MAX_PLAN_DAYS:
        errors["days"] = _("A plan covers 1 to %(n)d days.") % {"n": MAX_PLAN_DAYS}
    if not 1 <= int(min_team) <= int(max_team) <= 3:
        errors["max_team"] = _("Teams have 1 to 3 officers, the smallest no larger than the largest.")
    if not 1 <= int(visits_per_team_day) <= 20:
        errors["visits_per_team_day"] = _("A team makes 1 to 20 visits a day.")
    if solver not in ("pyvrp", "ortools"):
        errors["solver"] = _("Choose a routing solver from the list.")
    clean_leave: dict[str, list[str]] = {}
    for officer_id, day_list in (leave or {}).items():
        if not Officer.objects.filter(bureau_id=unit.bureau_id, pk=officer_id).exists():
            errors["leave"] = _("An officer on leave is not one of the bureau's.")
            break
        clean_leave[str(officer_id)] = sorted(
            {d.isoformat() if hasattr(d, "isoformat") else str(d) for d in day_list}
        )
    if errors:
        raise ValidationError(errors)
    plan = InspectionPlan.objects.create(
        bureau_id=unit.bureau_id,
        unit=unit,
        start=start,
        days=int(days),
        min_team=int(min_team),
        max_team=int(max_team),
        visits_per_team_day=int(visits_per_team_day),
        solver=solver,
        leave=clean_leave,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        "create", actor=actor, bureau=plan.bureau, obj=plan, unit_path=unit.path, after=audit.snapshot(plan)
    )
    do_start_job("inspection_plan", actor=actor, bureau=plan.bureau, target=plan, hand_out=hand_out)
    return plan


PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
RESULTS = ("pass", "fail", "na")


def checklist_of(visit) -> list:
    from jingwu.engine.checklists import checklists_for

    return checklists_for(visit.premises.category, visit.elements)


def check_photo(upload, item_label: str) -> str:
    """The photo's content type, or a ValidationError: an image (JPEG, PNG, WebP) of at most 5 MB."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo for “%(item)s” is %(mb).1f MB; at most 5 MB is accepted.")
            % {"item": item_label, "mb": upload.size / 1024 / 1024}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as img:
            kind = img.format
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(
            _("The file for “%(item)s” is not a photo (JPEG, PNG or WebP).") % {"item": item_label}
        ) from exc
    finally:
        upload.seek(0)
    if kind not in PHOTO_TYPES:
        raise ValidationError(
            _("The file for “%(item)s” is not a photo (JPEG, PNG or WebP).") % {"item": item_label}
        )
    return PHOTO_TYPES[kind]


@service
def do_begin_visit(*, actor, premises) -> Visit:
    """A visit at the door today, of every element due now (or every element required)."""
    from .selectors import assess

    authorize(actor, Visit, "add", unit=_place(premises))
    (row,) = assess(type(premises).objects.filter(pk=premises.pk))
    elements = sorted(e.element for e in row.due_now) or sorted(e.element for e in row.elements)
    if not elements:
        raise ValidationError(_("No inspection element is required for these premises."))
    visit = Visit.objects.create(
        bureau=premises.bureau,
        premises=premises,
        status="planned",
        day=data_date(premises.bureau),
        elements=elements,
    )
    audit.record(
        "create",
        actor=actor,
        bureau=premises.bureau,
        obj=visit,
        unit_path=_unit_path(premises),
        after=audit.snapshot(visit),
    )
    return visit


@service
def do_submit_checklist(
    visit: Visit, *, actor, answers: dict, photos: dict | None = None, submission: str = ""
):
    """Record the checklist of a visit at the door; returns (visit, already_received).

    Every item needs pass, fail or not applicable, a failed item a note; photos are
    images of at most 5 MB. The same submission sent again (a retry after a lost
    connection) is recognised and changes nothing; another submission for a visit
    already recorded is refused.
    """
    from jingwu.engine.checklists import item_codes

    from .models import VisitPhoto

    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("premises__grid", "premises__station")
        .get(pk=visit.pk)
    )
    # recording a visit at the door is adding its record (auxiliary officers record too)
    authorize(actor, Visit, "add", unit=_place(visit.premises))
    submission = (submission or "").strip()[:64]
    if visit.status == "done":
        if submission and submission == visit.submission:
            return visit, True
        raise ValidationError(
            _("This visit was already recorded on %(day)s: it cannot be recorded twice.")
            % {"day": visit.day.isoformat()}
        )
    if visit.status != "planned":
        raise ValidationError(_("This visit was cancelled."))
    lists = checklist_of(visit)
    labels = {i.code: pick(i.zh, i.en) for c in lists for i in c.items}
    codes = item_codes(lists)
    clean: dict[str, dict] = {}
    missing, no_note = [], []
    for code in codes:
        result, note = answers.get(code, ("", ""))
        result, note = (result or "").strip(), (note or "").strip()[:500]
        if result not in RESULTS:
            missing.append(code)
            continue
        if result == "fail" and not note:
            no_note.append(code)
        clean[code] = {"result": result, "note": note}
    errors = []
    if missing:
        errors.append(
            _("Answer every item (pass, fail or not applicable): %(n)d not answered, the first “%(item)s”.")
            % {"n": len(missing), "item": labels[missing[0]]}
        )
    if no_note:
        errors.append(_("Say what failed in a note: “%(item)s”.") % {"item": labels[no_note[0]]})
    unknown = set(answers) - set(codes)
    if unknown:
        errors.append(_("The answers name items that are not on this visit's checklist."))
    checked = []
    for code, files in (photos or {}).items():
        if code not in labels:
            errors.append(_("The answers name items that are not on this visit's checklist."))
            continue
        for f in files:
            try:
                checked.append((code, f, check_photo(f, labels[code])))
            except ValidationError as exc:
                errors += exc.messages
    if errors:
        raise ValidationError(errors)
    before = audit.snapshot(visit, ["status", "day", "failed_items"])
    visit.answers = clean
    visit.failed_items = sum(1 for a in clean.values() if a["result"] == "fail")
    visit.status = "done"
    visit.done_at = timezone.now()
    visit.recorded_by = actor if getattr(actor, "pk", None) else None
    visit.submission = submission
    visit.save()
    duetable.refresh([visit.premises_id], visit.bureau)
    for code, f, ctype in checked:
        VisitPhoto.objects.create(
            bureau=visit.bureau, visit=visit, item=code, file=f, content_type=ctype, size=f.size
        )
    audit.record(
        "update",
        actor=actor,
        bureau=visit.bureau,
        obj=visit,
        unit_path=_unit_path(visit.premises),
        before=before,
        after={
            "status": "done",
            "day": visit.day.isoformat(),
            "failed_items": visit.failed_items,
            "photos": len(checked),
        },
    )
    _follow_up(visit, actor)
    return visit, False


def _follow_up(visit, actor) -> None:
    """After a checklist: close the findings this visit re-inspected and found put right;
    open a finding (a rectification order) per failed item, and schedule one re-inspection."""
    from .models import Finding

    for f in Finding.objects.filter(reinspection=visit, closed_on__isnull=True):
        if visit.answers.get(f.item, {}).get("result") in ("pass", "na"):
            f.closed_on = visit.day
            f.save(update_fields=["closed_on", "updated_at"])
            audit.record(
                "update",
                actor=actor,
                bureau=visit.bureau,
                obj=f,
                unit_path=_unit_path(visit.premises),
                after={"closed_on": f.closed_on.isoformat(), "by": "re-inspection"},
            )
    failed = [(code, a["note"]) for code, a in visit.answers.items() if a["result"] == "fail"]
    if not failed:
        return
    deadline = visit.day + dt.timedelta(days=rules.RECTIFY_DAYS)
    again = Visit.objects.create(
        bureau=visit.bureau,
        premises=visit.premises,
        status="planned",
        day=deadline + dt.timedelta(days=1),
        elements=list(visit.elements),
    )
    for code, note in failed:
        f = Finding.objects.create(
            bureau=visit.bureau,
            visit=visit,
            premises=visit.premises,
            item=code,
            note=note,
            deadline=deadline,
            reinspection=again,
        )
        audit.record(
            "create",
            actor=actor,
            bureau=visit.bureau,
            obj=f,
            unit_path=_unit_path(visit.premises),
            after=audit.snapshot(f),
        )
    audit.record(
        "create",
        actor=actor,
        bureau=visit.bureau,
        obj=again,
        unit_path=_unit_path(visit.premises),
        after=audit.snapshot(again),
        reason="re-inspection",
    )


@service
def do_close_finding(finding, *, actor, closed_on=None):
    """A finding put right (seen by an officer without a re-inspection visit)."""
    from .models import Finding

    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("visit", "premises__grid", "premises__station")
        .get(pk=finding.pk)
    )
    authorize(actor, Finding, "change", unit=_place(finding.premises))
    today = data_date(finding.bureau)
    closed_on = closed_on or today
    if finding.closed_on is not None:
        raise ValidationError(_("This finding is already closed."))
    if not finding.visit.day <= closed_on <= today:
        raise ValidationError({"closed_on": _("A finding is closed between its visit and today.")})
    finding.closed_on = closed_on
    finding.save(update_fields=["closed_on", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=finding.bureau,
        obj=finding,
        unit_path=_unit_path(finding.premises),
        after={"closed_on": closed_on.isoformat()},
    )
    return finding


def sanction_ladder():
    import os

    text = os.environ.get("JINGWU_SANCTION_LADDER", "")
    return rules.parse_ladder(text) if text.strip() else rules.DEFAULT_LADDER


@service
def do_sanction(*, actor, finding, reason: str, incident=None):
    """The next step of the sanction ladder for ``finding``'s premises.

    The rules: a sanction needs a finding of the premises that was not put right by its
    deadline, or an incident at the premises the finding concerns (a fight the venue did
    not report); each sanction in the last year moves the premises one step up the ladder
    (``JINGWU_SANCTION_LADDER``, default warning, fine 5,000 yuan, 15 days' suspension).
    """
    from jingwu.places.models import Premises

    from .models import Finding, Sanction

    if finding is None:
        raise ValidationError({"finding": _("A sanction needs the finding it follows from.")})
    finding = Finding.objects.select_related("premises__grid", "premises__station").get(pk=finding.pk)
    authorize(actor, Sanction, "add", unit=_place(finding.premises))
    premises = Premises.objects.select_for_update().get(pk=finding.premises_id)
    today = data_date(finding.bureau)
    reason = (reason or "").strip()
    errors = {}
    if not reason:
        errors["reason"] = _("Give the reason for the sanction.")
    if incident is not None and (
        incident.bureau_id != finding.bureau_id or incident.station_id != premises.station_id
    ):
        errors["incident"] = _("The incident must have happened in the premises' station.")
    overdue = finding.closed_on is None and finding.deadline < today
    late = finding.closed_on is not None and finding.closed_on > finding.deadline
    if incident is None and not (overdue or late):
        errors["finding"] = _(
            "The finding was put right in time (or its deadline has not passed): the rules allow no sanction."
        )
    if not errors and Sanction.objects.filter(finding=finding, incident=incident).exists():
        # one violation, one sanction: a form sent twice must not climb the ladder
        errors["finding"] = (
            _("This finding was already sanctioned for this incident.")
            if incident is not None
            else _("This finding was already sanctioned: a further sanction needs a new incident.")
        )
    if errors:
        raise ValidationError(errors)
    previous = Sanction.objects.filter(
        premises=premises, decided_on__gt=today - dt.timedelta(days=365)
    ).count()
    step_no, step = rules.ladder_step(sanction_ladder(), previous)
    sanction = Sanction.objects.create(
        bureau=finding.bureau,
        premises=premises,
        finding=finding,
        incident=incident,
        kind=step.kind,
        step=step_no,
        fine=step.fine,
        suspension_days=step.days,
        decided_on=today,
        reason=reason[:300],
    )
    audit.record(
        "create",
        actor=actor,
        bureau=finding.bureau,
        obj=sanction,
        unit_path=_unit_path(premises),
        after=audit.snapshot(sanction),
    )
    if step.kind == "suspension" and premises.status == "active":
        before = audit.snapshot(premises, ["status"])
        premises.status = "rectification"
        premises.save(update_fields=["status", "updated_at"])
        audit.record(
            "update",
            actor=actor,
            bureau=finding.bureau,
            obj=premises,
            unit_path=_unit_path(premises),
            before=before,
            after={"status": "rectification"},
            reason=f"suspension {step.days} days",
        )
    return sanction
