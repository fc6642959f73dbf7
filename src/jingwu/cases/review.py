"""The quality review of case files (案件审核): a checklist per case kind with the
reviewer's notes, before the file goes on (to the prosecutor, or to the decision)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.i18n import pick
from jingwu.core.scope import restrict
from jingwu.core.services import authorize, service
from jingwu.engine import vocab
from jingwu.org.models import Unit

from .models import Case, CaseDeadline, CaseReview


def checklist(kind: str) -> list[tuple[str, str]]:
    """``(code, label)`` of the review items of a case kind, in the active language."""
    return [(t.code, pick(t.zh, t.en)) for t in vocab.REVIEW_ITEMS[kind]]


def latest_review(case: Case) -> CaseReview | None:
    return CaseReview.objects.filter(case=case).order_by("-at", "-pk").first()


def may_review(actor) -> bool:
    from jingwu.core.scope import can

    return can(actor, CaseReview, "add")


@service
def do_review_case(case: Case, *, actor, items: dict, outcome: str, notes: str = "") -> CaseReview:
    """Review a solved case's file. ``items`` maps each checklist item to whether it holds.

    Passed: every item holds; the file may go on (the case may be closed). Sent back: the
    reviewer's notes say what is missing; the case returns to investigation.
    """
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("owning_unit", "bureau").get(pk=case.pk)
    )
    authorize(actor, CaseReview, "add", bureau=case.bureau)
    if actor is not None and not getattr(actor, "is_superuser", False):
        if not restrict(Case.objects.filter(pk=case.pk), actor).exists():
            raise ValidationError(_("There is no such case."))
    if case.status != "solved":
        raise ValidationError(
            _("Only a solved case's file is reviewed; this one is %(status)s.")
            % {"status": case.get_status_display()}
        )
    codes = [c for c, _label in checklist(case.kind)]
    unknown = sorted(set(items) - set(codes))
    if unknown:
        raise ValidationError(
            {"items": _("Unknown checklist items: %(items)s.") % {"items": ", ".join(unknown)}}
        )
    marks = {c: bool(items.get(c)) for c in codes}
    notes = (notes or "").strip()
    if outcome not in ("passed", "returned"):
        raise ValidationError({"outcome": _("A review passes the file or sends it back.")})
    if outcome == "passed" and not all(marks.values()):
        missing = ", ".join(label for c, label in checklist(case.kind) if not marks[c])
        raise ValidationError(
            {
                "items": _("The file passes only when every item holds; not yet: %(items)s.")
                % {"items": missing}
            }
        )
    if outcome == "returned" and not notes:
        raise ValidationError({"notes": _("Say what the file lacks: the notes go back with it.")})
    now = timezone.now()
    review = CaseReview.objects.create(
        bureau=case.bureau,
        case=case,
        owning_unit=case.owning_unit,
        reviewer=actor if getattr(actor, "pk", None) else None,
        at=now,
        outcome=outcome,
        items=marks,
        notes=notes,
    )
    CaseDeadline.objects.filter(case=case, stage="review", met_at__isnull=True).update(
        met_at=now, updated_at=now
    )
    before_status = case.status
    if outcome == "returned":
        case.status = "investigating"
        case.save(update_fields=["status", "updated_at"])
        CaseDeadline.objects.filter(case=case, stage="investigation").update(met_at=None, updated_at=now)
    audit.record(
        "update",
        actor=actor,
        bureau=case.bureau,
        obj=case,
        unit_path=case.owning_unit.path,
        before={"status": before_status},
        after={"step": "review", "status": case.status, "outcome": outcome, "items": marks},
        reason=notes,
    )
    return review


def passed_since_solved(case: Case) -> bool:
    """Whether the file passed a review since the case last became solved, and no review
    sent it back since (a file sent back, or solved again after a reopening, is reviewed
    again). Read from the case's audit trail, which orders every step."""
    from jingwu.core.models import AuditEvent

    trail = AuditEvent.objects.filter(
        bureau_id=case.bureau_id, object_type="cases.case", object_id=str(case.pk)
    )
    solved = (
        trail.filter(after__status="solved")
        .exclude(before__status="solved")
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    review = trail.filter(after__step="review").order_by("-seq").values_list("seq", "after").first()
    if review is None:
        return False
    seq, after = review
    return after.get("outcome") == "passed" and (solved is None or seq > solved)


@dataclass
class ReturnRow:
    unit: Unit
    reviewed: int
    returned: int

    @property
    def share(self) -> float | None:
        return self.returned / self.reviewed if self.reviewed else None


def returned_by_owner(user, bureau) -> list[ReturnRow]:
    """Reviews and files sent back per owning unit (at the time of the review), of the cases
    the user sees."""
    cases = restrict(Case.objects.filter(bureau=bureau), user).values("pk")
    rows = (
        CaseReview.objects.filter(bureau=bureau, case__in=cases)
        .values("owning_unit")
        .annotate(n=Count("pk"), r=Count("pk", filter=Q(outcome="returned")))
        .order_by()
    )
    units = Unit.objects.in_bulk([r["owning_unit"] for r in rows])
    out = [ReturnRow(units[r["owning_unit"]], r["n"], r["r"]) for r in rows]
    out.sort(key=lambda x: (-x.returned, x.unit.path))
    return out
