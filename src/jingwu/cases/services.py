"""Writes for cases: open from incidents, change, hand over, suspend, close, reopen.

Every function checks the actor's scope, validates (a clear message, nothing saved),
writes its audit event and saves in one transaction; pages, the API and the command
line call them alike. ``actor=None`` is the system itself (the demo generator).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.scope import restrict
from jingwu.core.services import authorize, service
from jingwu.incidents.models import Incident, IncidentCategory
from jingwu.org.models import Unit

from .models import Case, CaseIncident, CaseTransfer, Petition, PetitionIncident, RoutingRule, SeriesIncident

# Kinds of unit that may own a case: a station, the investigation center, a squad of either.
OWNER_KINDS = ("station", "investigation_center", "squad")
# Fields a change may set (the owner moves by a hand-off, the status by the steps below).
EDITABLE = ("title", "summary", "category", "deadline", "status", "amount_lost", "suspected_series")
# Status moves a plain change may make; the rest are steps of their own.
STATUS_MOVES = {
    "registered": {"investigating", "solved"},
    "investigating": {"solved"},
    "solved": {"investigating"},
}
SNAPSHOT = [
    "number",
    "kind",
    "category",
    "title",
    "summary",
    "owning_unit",
    "status",
    "deadline",
    "closed_at",
]


def _is_system(actor) -> bool:
    return actor is None or getattr(actor, "is_superuser", False)


def _require_case_right(actor, case: Case, action: str = "change") -> None:
    """Refuse unless ``actor`` may ``action`` this very case (its owner and kind in their scope)."""
    if _is_system(actor):
        return
    if not restrict(Case.objects.filter(pk=case.pk), actor, action).exists():
        raise PermissionDenied(_("You may not change this case."))


def _reason_required(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the case is %(what)s.") % {"what": what}})
    return reason


def next_case_number(bureau) -> str:
    """Case numbers: A + bureau code + a 7-digit sequence of the bureau (the demo's form)."""
    prefix = f"A{bureau.code}"
    numbers = Case.objects.filter(bureau=bureau, number__startswith=prefix).values_list("number", flat=True)
    last = numbers.filter(number__regex=rf"^{prefix}[0-9]{{7}}$").order_by("-number").first()
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:07d}"


def reachable_owners(actor, bureau, case: Case | None = None):
    """Units ``actor`` may give a case to: owner kinds among the units they see; for a
    criminal case also the bureau's investigation center and its squads (it takes criminal
    work from every station)."""
    units = Unit.objects.filter(bureau=bureau, kind__in=OWNER_KINDS, valid_to__isnull=True)
    if _is_system(actor):
        return units.order_by("path")
    seen = Q(pk__in=restrict(Unit.objects.filter(bureau=bureau), actor).values("pk"))
    if case is None or case.kind == "criminal":
        centres = Unit.objects.filter(bureau=bureau, kind="investigation_center")
        for c in centres:
            seen |= Q(path__startswith=c.path)
    return units.filter(seen).order_by("path")


def _check_owner(actor, bureau, unit, case: Case | None = None, field: str = "owning_unit") -> Unit:
    if unit is None:
        raise ValidationError({field: _("Choose the unit that will own the case.")})
    if not isinstance(unit, Unit):
        found = Unit.objects.filter(pk=unit).first() if str(unit).isdigit() else None
        if found is None:
            raise ValidationError({field: _("There is no such unit.")})
        unit = found
    if unit.bureau_id != bureau.pk:
        raise ValidationError({field: _("There is no such unit.")})
    if unit.kind not in OWNER_KINDS:
        raise ValidationError(
            {
                field: _("%(unit)s cannot own cases: choose a station, the investigation center or a squad.")
                % {"unit": unit.name}
            }
        )
    if not reachable_owners(actor, bureau, case).filter(pk=unit.pk).exists():
        raise ValidationError(
            {field: _("%(unit)s is not a unit you may hand cases to.") % {"unit": unit.name}}
        )
    return unit


def _default_owner(bureau, incidents: list[Incident], **facts) -> tuple[Unit | None, RoutingRule | None]:
    """The owner when none is given: by the bureau's routing rules (``routing.py``); without
    rules, the station where the first incident happened."""
    from .routing import route

    owner, rule = route(bureau, incidents, **facts)
    if rule is not None:
        return owner, rule
    return incidents[0].station, None


def _may_open_here(actor, bureau, place: Unit, kind: str) -> None:
    """Refuse unless the actor opens cases where the incidents happened: a station its own
    (whoever the rules then give the case to), the center criminal cases anywhere."""
    if _is_system(actor):
        return
    from jingwu.core.permissions import allowed
    from jingwu.core.scope import current_memberships

    for m in current_memberships(actor):
        ok, reach = allowed(m.role, "cases.case", "add")
        if not ok or m.bureau_id != bureau.pk:
            continue
        if reach == "bureau" or (reach == "criminal" and kind == "criminal"):
            return
        if reach == "subtree" and place.path.startswith(m.unit.path):
            return
    raise PermissionDenied(_("You may not open this kind of case for %(unit)s.") % {"unit": place.name})


def _hand_off(case: Case, *, actor, kind: str, from_unit, to_unit, reason: str = "") -> CaseTransfer:
    return CaseTransfer.objects.create(
        bureau_id=case.bureau_id,
        case=case,
        kind=kind,
        from_unit=from_unit,
        to_unit=to_unit,
        at=timezone.now(),
        actor=actor if (actor is not None and getattr(actor, "pk", None)) else None,
        reason=reason,
    )


def _record(step: str, case: Case, *, actor, before: dict | None, reason: str = "") -> None:
    from .deadlines import after_step

    after_step(case, step, (before or {}).get("status", ""))
    after = audit.snapshot(case, SNAPSHOT)
    after["step"] = step
    audit.record(
        "create" if step == "open" else "update",
        actor=actor,
        bureau=case.bureau,
        obj=case,
        unit_path=case.owning_unit.path,
        before=before,
        after=after,
        reason=reason,
    )


@service
def do_open_case(
    *,
    actor,
    bureau,
    incidents=None,
    kind: str | None = None,
    title: str = "",
    summary: str = "",
    category: IncidentCategory | str | None = None,
    owning_unit=None,
    deadline=None,
    amount_lost=None,
    suspected_series: bool | None = None,
    reason: str = "",
) -> Case:
    """Open a case from one or more incidents of the bureau (none already in an open case).

    The kind follows the incidents (criminal when one of them is) unless given; the owner
    is the given unit or, by default, the one the bureau's routing rules choose.
    """
    authorize(actor, Case, "add", bureau=bureau)  # anyone who opens no case at all: refused first
    # One opening at a time per bureau (the service runs in one transaction): the busy check
    # below and the next case number must not race with another opening. SQLite serializes
    # writes anyway and ignores the lock.
    type(bureau).objects.select_for_update().filter(pk=bureau.pk).values_list("pk", flat=True).first()
    ids = [i.pk if isinstance(i, Incident) else i for i in (incidents or [])]
    if not ids:
        raise ValidationError({"incidents": _("A case is opened from at least one incident.")})
    visible = Incident.objects.filter(bureau=bureau, pk__in=ids).select_related("category", "station")
    if not _is_system(actor):
        visible = restrict(visible, actor)
    found = {i.pk: i for i in visible}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {"incidents": _("No incident of yours has the id %(ids)s.") % {"ids": ", ".join(missing)}}
        )
    rows = [found[i] for i in dict.fromkeys(ids)]
    busy = (
        CaseIncident.objects.filter(bureau=bureau, incident_id__in=[r.pk for r in rows])
        .exclude(case__status__in=Case.ENDED_STATUSES)
        .select_related("case", "incident")
    )
    taken = [f"{ci.incident.number} ({ci.case.number})" for ci in busy]
    if taken:
        raise ValidationError(
            {"incidents": _("Already in an open case: %(list)s.") % {"list": ", ".join(sorted(taken))}}
        )
    if kind is None or kind == "":
        kind = "criminal" if any(r.category.criminal for r in rows) else "administrative"
    if kind not in ("criminal", "administrative"):
        raise ValidationError({"kind": _("A case is criminal or administrative.")})
    if isinstance(category, str) and category:
        category = IncidentCategory.objects.filter(code=category).first() or _bad_category(category)
    category = category or rows[0].category
    if amount_lost is not None and amount_lost < 0:
        raise ValidationError({"amount_lost": _("The amount lost cannot be negative.")})
    if suspected_series is None:  # an incident already linked in a series
        suspected_series = SeriesIncident.objects.filter(
            bureau=bureau, incident_id__in=[r.pk for r in rows]
        ).exists()
    rule = None
    if owning_unit is None:
        owning_unit, rule = _default_owner(
            bureau, rows, kind=kind, category=category, amount=amount_lost, series=suspected_series
        )
        if owning_unit is None and rule is not None:
            raise ValidationError(
                {
                    "owning_unit": _("Rule “%(rule)s” names no unit here: choose the owner.")
                    % {"rule": rule.name}
                }
            )
    owner = _check_owner(actor, bureau, owning_unit, Case(kind=kind))
    _may_open_here(actor, bureau, rows[0].station or owner, kind)
    title = (title or "").strip() or _default_title(category, rows[0])
    case = Case(
        bureau=bureau,
        number=next_case_number(bureau),
        kind=kind,
        category=category,
        title=title,
        summary=summary or "",
        owning_unit=owner,
        status="registered",
        opened_at=timezone.now(),
        deadline=deadline,
        amount_lost=amount_lost,
        suspected_series=bool(suspected_series),
    )
    case.full_clean(exclude=["bureau", "owning_unit", "category"])
    case.save()
    CaseIncident.objects.bulk_create([CaseIncident(bureau=bureau, case=case, incident=r) for r in rows])
    from .deadlines import set_opening_deadlines

    set_opening_deadlines(case)
    if rule is not None:
        _hand_off(case, actor=actor, kind="routed", from_unit=None, to_unit=owner, reason=rule.name)
    else:
        _hand_off(case, actor=actor, kind="opened", from_unit=None, to_unit=owner, reason=reason)
    _record("open", case, actor=actor, before=None, reason=reason)
    return case


def _bad_category(code: str):
    raise ValidationError({"category": _("Unknown incident category code %(code)s.") % {"code": code}})


def _default_title(category: IncidentCategory, incident: Incident) -> str:
    where = incident.address or (incident.station.name if incident.station else "")
    return f"{category.name} {where}".strip()[:200]


@service
def do_update_case(case: Case, *, actor, reason: str = "", **fields) -> Case:
    """Change a case's title, summary, category, deadline, or move its status along
    (registered → investigating → solved, and back from solved to investigating)."""
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("owning_unit", "bureau").get(pk=case.pk)
    )
    _require_case_right(actor, case)
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError(
            _("These fields are not changed here: %(fields)s (the owner by a hand-off).")
            % {"fields": ", ".join(unknown)}
        )
    before = audit.snapshot(case, SNAPSHOT)
    if "status" in fields and fields["status"] != case.status:
        new = fields["status"]
        if new not in STATUS_MOVES.get(case.status, set()):
            raise ValidationError(
                {
                    "status": _(
                        "A case %(old)s cannot become %(new)s by a change: suspend, close or reopen it instead."
                    )
                    % {"old": case.get_status_display(), "new": _status_label(new)}
                }
            )
    category = fields.get("category")
    if isinstance(category, str):
        fields["category"] = IncidentCategory.objects.filter(code=category).first() or _bad_category(category)
    for name, value in fields.items():
        setattr(case, name, value)
    if "title" in fields:
        case.title = (case.title or "").strip()
    case.full_clean(exclude=["bureau", "owning_unit", "category"])
    if audit.snapshot(case, SNAPSHOT) == before:
        return case
    case.save()
    _record("change", case, actor=actor, before=before, reason=reason)
    return case


def _status_label(code: str) -> str:
    from jingwu.core.i18n import label
    from jingwu.engine.vocab import CASE_STATUSES

    return label(CASE_STATUSES, code)


@service
def do_transfer_case(case: Case, *, actor, to_unit, reason: str = "") -> Case:
    """Hand a case to another unit the actor may reach; the hand-off is recorded."""
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("owning_unit", "bureau").get(pk=case.pk)
    )
    _require_case_right(actor, case)
    if case.status in Case.ENDED_STATUSES:
        raise ValidationError(_("A closed case is not handed over: reopen it first."))
    target = _check_owner(actor, case.bureau, to_unit, case, field="to_unit")
    if target.pk == case.owning_unit_id:
        raise ValidationError(
            {"to_unit": _("The case is already owned by %(unit)s.") % {"unit": target.name}}
        )
    reason = _reason_required(reason, _("handed over"))
    before = audit.snapshot(case, SNAPSHOT)
    source = case.owning_unit
    case.owning_unit = target
    case.save(update_fields=["owning_unit", "updated_at"])
    _hand_off(case, actor=actor, kind="transfer", from_unit=source, to_unit=target, reason=reason)
    _record("transfer", case, actor=actor, before=before, reason=reason)
    return case


@service
def do_suspend_case(case: Case, *, actor, reason: str = "") -> Case:
    """Suspend a case being worked on (the suspect cannot be found, a party is ill): reason required."""
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("owning_unit", "bureau").get(pk=case.pk)
    )
    _require_case_right(actor, case)
    if case.status not in Case.OPEN_STATUSES:
        raise ValidationError(
            _("Only a case being worked on is suspended; this one is %(status)s.")
            % {"status": case.get_status_display()}
        )
    reason = _reason_required(reason, _("suspended"))
    before = audit.snapshot(case, SNAPSHOT)
    case.status = "suspended"
    case.save(update_fields=["status", "updated_at"])
    _record("suspend", case, actor=actor, before=before, reason=reason)
    return case


@service
def do_close_case(case: Case, *, actor, outcome: str = "closed", reason: str = "") -> Case:
    """Close a case (结案) or withdraw it (撤案, reason required).

    A criminal case is closed once solved and its file passed the quality review
    (``review.py``); otherwise it is withdrawn.
    """
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("owning_unit", "bureau").get(pk=case.pk)
    )
    _require_case_right(actor, case)
    if outcome not in Case.ENDED_STATUSES:
        raise ValidationError({"outcome": _("A case ends closed or withdrawn.")})
    if case.status in Case.ENDED_STATUSES:
        raise ValidationError(
            _("The case has already ended (%(status)s).") % {"status": case.get_status_display()}
        )
    if outcome == "closed" and case.kind == "criminal" and case.status != "solved":
        raise ValidationError(
            {"outcome": _("A criminal case is closed once solved; withdraw it if it is not a crime.")}
        )
    if outcome == "withdrawn":
        reason = _reason_required(reason, _("withdrawn"))
    if outcome == "closed" and case.kind == "criminal":
        from .review import passed_since_solved

        if not passed_since_solved(case):
            raise ValidationError(
                {"outcome": _("The file has not passed its quality review: it cannot be closed yet.")}
            )
    before = audit.snapshot(case, SNAPSHOT)
    case.status = outcome
    case.closed_at = timezone.now()
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _record("close" if outcome == "closed" else "withdraw", case, actor=actor, before=before, reason=reason)
    return case


@service
def do_reopen_case(case: Case, *, actor, reason: str = "") -> Case:
    """Reopen a suspended, closed or withdrawn case: it is under investigation again."""
    case = (
        Case.objects.select_for_update(of=("self",)).select_related("owning_unit", "bureau").get(pk=case.pk)
    )
    _require_case_right(actor, case)
    if case.status in Case.OPEN_STATUSES:
        raise ValidationError(
            _("The case is being worked on (%(status)s): there is nothing to reopen.")
            % {"status": case.get_status_display()}
        )
    reason = _reason_required(reason, _("reopened"))
    before = audit.snapshot(case, SNAPSHOT)
    case.status = "investigating"
    case.closed_at = None
    case.save(update_fields=["status", "closed_at", "updated_at"])
    _record("reopen", case, actor=actor, before=before, reason=reason)
    return case


# --- routing rules -----------------------------------------------------------------------

RULE_FIELDS = (
    "priority",
    "name",
    "kind",
    "category",
    "min_amount",
    "suspected_series",
    "station_type",
    "target",
    "unit",
    "active",
)
RULE_SNAPSHOT = list(RULE_FIELDS)


def _rule_unit_path(bureau) -> str:
    hq = Unit.objects.filter(bureau=bureau, parent__isnull=True).first()
    return hq.path if hq else ""


def _validate_rule(rule: RoutingRule) -> None:
    if rule.target == "unit":
        if rule.unit is None:
            raise ValidationError({"unit": _("Name the unit this rule gives cases to.")})
        if rule.unit.bureau_id != rule.bureau_id or rule.unit.kind not in OWNER_KINDS:
            raise ValidationError(
                {
                    "unit": _(
                        "%(unit)s cannot own cases: choose a station, the investigation center or a squad."
                    )
                    % {"unit": rule.unit.name}
                }
            )
    elif rule.unit_id is not None:
        rule.unit = None
    if (
        rule.target == "center"
        and not Unit.objects.filter(
            bureau_id=rule.bureau_id, kind="investigation_center", valid_to__isnull=True
        ).exists()
    ):
        raise ValidationError({"target": _("The bureau has no investigation center to give cases to.")})
    if rule.min_amount is not None and rule.min_amount < 0:
        raise ValidationError({"min_amount": _("The amount lost cannot be negative.")})
    clash = RoutingRule.objects.filter(bureau_id=rule.bureau_id, priority=rule.priority).exclude(pk=rule.pk)
    if rule.priority is not None and clash.exists():
        raise ValidationError({"priority": _("Another rule has priority %(n)s.") % {"n": rule.priority}})
    rule.full_clean(exclude=["bureau", "category", "unit"])


@service
def do_save_rule(
    *, actor, bureau, rule: RoutingRule | None = None, reason: str = "", **fields
) -> RoutingRule:
    """Add or change a routing rule; refused when the rules would leave a case type without an owner."""
    from .routing import check_coverage

    authorize(actor, RoutingRule, "change" if rule is not None else "add", bureau=bureau)
    unknown = sorted(set(fields) - set(RULE_FIELDS))
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    if rule is not None:
        rule = RoutingRule.objects.select_for_update().get(pk=rule.pk, bureau=bureau)
        before = audit.snapshot(rule, RULE_SNAPSHOT)
    else:
        rule, before = RoutingRule(bureau=bureau), None
    if isinstance(fields.get("category"), str):
        code = fields["category"]
        fields["category"] = (
            IncidentCategory.objects.filter(code=code).first() or _bad_category(code) if code else None
        )
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.kind = rule.kind or ""
    rule.station_type = rule.station_type or ""
    _validate_rule(rule)
    rule.save()
    check_coverage(bureau)
    audit.record(
        "create" if before is None else "update",
        actor=actor,
        bureau=bureau,
        obj=rule,
        unit_path=_rule_unit_path(bureau),
        before=before,
        after=audit.snapshot(rule, RULE_SNAPSHOT),
        reason=reason,
    )
    return rule


@service
def do_delete_rule(rule: RoutingRule, *, actor, reason: str = "") -> None:
    from .routing import check_coverage

    authorize(actor, RoutingRule, "delete", bureau=rule.bureau)
    before = audit.snapshot(rule, RULE_SNAPSHOT)
    bureau, pk, text = rule.bureau, rule.pk, str(rule)
    rule.delete()
    check_coverage(bureau)
    audit.record(
        "delete",
        actor=actor,
        bureau=bureau,
        object_type="cases.routingrule",
        object_id=str(pk),
        object_repr=text,
        unit_path=_rule_unit_path(bureau),
        before=before,
        reason=reason,
    )


@service
def seed_default_rules(bureau, *, actor=None) -> list[RoutingRule]:
    """Give a bureau without rules the reform's default rules (the demo's)."""
    from .routing import DEFAULT_RULES, check_coverage

    if RoutingRule.objects.filter(bureau=bureau).exists():
        return list(RoutingRule.objects.filter(bureau=bureau))
    rules = RoutingRule.objects.bulk_create(
        [RoutingRule(bureau=bureau, priority=p, name=name, **fields) for p, name, fields in DEFAULT_RULES]
    )
    check_coverage(bureau)
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        object_type="cases.routingrule",
        object_repr=_("Default routing rules"),
        unit_path=_rule_unit_path(bureau),
        after={"rules": [r.name for r in rules]},
    )
    return rules


@service
def do_record_petition(
    *,
    actor,
    bureau,
    unit: Unit,
    number: str,
    received_at,
    petitioner_name: str,
    subject: str,
    petitioner_phone: str = "",
    content: str = "",
    incidents=(),
) -> Petition:
    """Record a petition (信访件) handled by ``unit``, optionally about some incidents."""
    authorize(actor, Petition, "add", unit=unit)
    errors: dict[str, str] = {}
    if unit.bureau_id != bureau.pk:
        errors["unit"] = _("The handling unit belongs to another bureau.")
    if not (number or "").strip():
        errors["number"] = _("A petition needs its number.")
    elif Petition.objects.filter(bureau=bureau, number=number.strip()).exists():
        errors["number"] = _("A petition with this number is already recorded.")
    if not (petitioner_name or "").strip():
        errors["petitioner_name"] = _("Name the petitioner.")
    if not (subject or "").strip():
        errors["subject"] = _("Say what the petition is about.")
    if received_at is None:
        errors["received_at"] = _("Say when the petition was received.")
    elif received_at > timezone.now():
        errors["received_at"] = _("A petition cannot be received in the future.")
    linked = list(incidents)
    if any(i.bureau_id != bureau.pk for i in linked):
        errors["incidents"] = _("A related incident belongs to another bureau.")
    if errors:
        raise ValidationError(errors)
    petition = Petition(
        bureau=bureau,
        number=number.strip(),
        received_at=received_at,
        petitioner_name=petitioner_name.strip(),
        petitioner_phone=(petitioner_phone or "").strip(),
        subject=subject.strip(),
        content=content or "",
        unit=unit,
    )
    petition.full_clean(exclude=["bureau", "unit"])
    petition.save()
    PetitionIncident.objects.bulk_create(
        [PetitionIncident(bureau=bureau, petition=petition, incident=i) for i in linked]
    )
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=petition,
        unit_path=unit.path,
        after={"number": petition.number, "unit": unit.pk, "subject": petition.subject},
    )
    return petition
