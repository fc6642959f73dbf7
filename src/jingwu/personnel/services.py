"""Writes for officers, skills and postings."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jingwu.core import audit
from jingwu.core.services import authorize, authorize_move, service
from jingwu.engine import vocab
from jingwu.engine.ids import birth_date_of, id_number_problem, phone_problem

from .models import Officer, OfficerSkill, Posting

ID_MESSAGES = {
    "length": gettext_noop("The ID number must have 18 characters."),
    "format": gettext_noop("The ID number must be 17 digits followed by a digit or X."),
    "birth_date": gettext_noop("The ID number contains an impossible birth date."),
    "check_digit": gettext_noop("The ID number's check digit is wrong: please check it for a typing error."),
    "other_length": gettext_noop("The ID number must have 4 to 32 characters."),
    "other_format": gettext_noop(
        "The ID number may hold letters, digits, spaces, dots, slashes and hyphens, "
        "and must begin and end with a letter or digit."
    ),
}
PHONE_MESSAGES = {
    "cn_phone": gettext_noop("A phone number has 11 digits."),
    "other_phone": gettext_noop(
        "A phone number has 4 to 15 digits, with an optional leading + and spaces, dots, "
        "slashes, hyphens or brackets (at most 20 characters)."
    ),
}


def validate_id_number(value: str, scheme: str = "cn") -> str:
    """The identity number as stored: a mainland number in capitals, any other as given (trimmed)."""
    value = (value or "").strip()
    if scheme == "cn":
        value = value.upper()
    problem = id_number_problem(value, scheme)
    if problem:
        raise ValidationError({"id_number": _(ID_MESSAGES[problem])})
    return value


def validate_officer(officer: Officer) -> None:
    """Check an officer against the bureau's identity scheme (mainland by default)."""
    scheme = officer.bureau.id_scheme
    officer.id_number = validate_id_number(officer.id_number, scheme)
    officer.phone = (officer.phone or "").strip()
    errors: dict[str, str] = {}
    if scheme == "cn":
        birth_in_id = birth_date_of(officer.id_number)
        if officer.birth_date and officer.birth_date != birth_in_id:
            errors["birth_date"] = _("The birth date does not match the ID number (%(date)s).") % {
                "date": birth_in_id.isoformat()
            }
        gender_in_id = "M" if int(officer.id_number[16]) % 2 else "F"
        if officer.gender and officer.gender != gender_in_id:
            errors["gender"] = _("The gender does not match the ID number.")
    phone = phone_problem(officer.phone, scheme)
    if phone:
        errors["phone"] = _(PHONE_MESSAGES[phone])
    if officer.kind == "auxiliary" and officer.rank not in ("", "none"):
        errors["rank"] = _("Auxiliary officers have no police rank.")
    dup = Officer.objects.filter(bureau_id=officer.bureau_id).exclude(pk=officer.pk)
    if dup.filter(police_number=officer.police_number).exists():
        errors["police_number"] = _("Another officer in this bureau has this police number.")
    if dup.filter(id_number=officer.id_number).exists():
        errors["id_number"] = _("Another officer in this bureau has this ID number.")
    if errors:
        raise ValidationError(errors)


@service
def do_create_officer(
    *, actor, bureau, skills: dict[str, int] | None = None, posting: dict | None = None, **fields
) -> Officer:
    """Create an officer; ``posting`` (unit, role, start) posts them in the same transaction.

    A station chief sees the officers posted in the station: creating and posting in
    one step is how they add a new officer to it (the posting is checked against the
    chief's units like any other).
    """
    authorize(actor, Officer, "add", bureau=bureau)
    officer = Officer(bureau=bureau, **fields)
    validate_officer(officer)
    officer.full_clean(exclude=["bureau"])
    officer.save()
    for code, level in (skills or {}).items():
        skill = OfficerSkill(bureau=bureau, officer=officer, skill=code, level=level)
        skill.full_clean(exclude=["bureau", "officer"])
        skill.save()
    after = audit.snapshot(officer)
    after["skills"] = dict(skills or {})
    audit.record("create", actor=actor, bureau=bureau, obj=officer, after=after)
    if posting is not None:
        do_create_posting(
            actor=actor,
            officer=officer,
            unit=posting["unit"],
            role=posting.get("role") or "staff",
            start=posting.get("start") or dt.date.today(),
        )
    return officer


def _skills(officer: Officer) -> dict[str, int]:
    return dict(officer.skills.order_by("skill").values_list("skill", "level"))


@service
def do_update_officer(
    officer: Officer, *, actor, reason: str = "", skills: dict[str, int] | None = None, **changes
) -> Officer:
    """Change an officer; ``skills`` (skill -> level), when given, replaces their skills."""
    authorize(actor, Officer, "change", bureau=officer.bureau)
    before = audit.snapshot(officer)
    for key, value in changes.items():
        if key in {"bureau", "bureau_id"}:
            raise ValidationError(_("An officer cannot be moved to another bureau."))
        setattr(officer, key, value)
    validate_officer(officer)
    officer.full_clean(exclude=["bureau"])
    officer.save()
    after = audit.snapshot(officer)
    if skills is not None:
        before["skills"] = _skills(officer)
        officer.skills.exclude(skill__in=list(skills)).delete()
        held = {s.skill: s for s in officer.skills.all()}
        for code, level in skills.items():
            skill = held.get(code) or OfficerSkill(bureau=officer.bureau, officer=officer, skill=code)
            skill.level = level
            skill.full_clean(exclude=["bureau", "officer"])
            skill.save()
        after["skills"] = _skills(officer)
    audit.record(
        "update",
        actor=actor,
        bureau=officer.bureau,
        obj=officer,
        before=before,
        after=after,
        reason=reason,
    )
    return officer


def validate_posting(posting: Posting) -> None:
    if posting.end and posting.end < posting.start:
        raise ValidationError({"end": _("The end date is before the start date.")})
    if posting.unit.bureau_id != posting.bureau_id or posting.officer.bureau_id != posting.bureau_id:
        raise ValidationError(_("The officer and the unit must belong to the same bureau."))
    if posting.unit.valid_to and posting.start > posting.unit.valid_to:
        raise ValidationError({"unit": _("The unit no longer existed on the posting's start date.")})
    clash = (
        Posting.objects.filter(bureau_id=posting.bureau_id, officer_id=posting.officer_id, role=posting.role)
        .exclude(pk=posting.pk)
        .filter(Q(end__isnull=True) | Q(end__gte=posting.start))
    )
    if posting.end:
        clash = clash.filter(start__lte=posting.end)
    other = clash.select_related("unit").first()
    if other is not None:
        raise ValidationError(
            {
                "start": _(
                    "This officer already holds this role in %(unit)s from %(start)s; the periods overlap."
                )
                % {"unit": other.unit.name, "start": other.start.isoformat()}
            }
        )


def _authorize_posted_officer(actor, officer: Officer, start: dt.date) -> None:
    """An officer posted elsewhere is moved only by someone who may change postings there.

    The units the officer holds today or on ``start`` are the old place; an officer
    with no current posting (a new officer, say) belongs to no unit yet.
    """
    if actor is None or getattr(actor, "is_superuser", False) or officer.pk is None:
        return
    today = dt.date.today()
    held = Posting.objects.filter(bureau_id=officer.bureau_id, officer=officer).select_related("unit")
    for p in (held.current(today) | held.current(start)).distinct():
        try:
            authorize(actor, Posting, "change", unit=p.unit)
        except PermissionDenied as exc:
            raise PermissionDenied(
                _("%(officer)s is posted in %(unit)s, outside your units: ask that unit or headquarters.")
                % {"officer": officer.name, "unit": p.unit.name}
            ) from exc


@service
def do_create_posting(
    *, actor, officer: Officer, unit, role: str, start: dt.date, end: dt.date | None = None, note: str = ""
) -> Posting:
    """Post an officer in ``unit`` (the new place); the actor must also hold the officer's
    current units (the old place)."""
    authorize_move(actor, Posting, unit, action="add")
    _authorize_posted_officer(actor, officer, start)
    posting = Posting(
        bureau_id=officer.bureau_id, officer=officer, unit=unit, role=role, start=start, end=end, note=note
    )
    validate_posting(posting)
    posting.full_clean(exclude=["bureau", "officer", "unit"])
    posting.save()
    audit.record(
        "create",
        actor=actor,
        bureau=officer.bureau,
        obj=posting,
        unit_path=unit.path,
        after=audit.snapshot(posting),
    )
    return posting


@service
def do_end_posting(posting: Posting, *, actor, end: dt.date, reason: str = "") -> Posting:
    authorize(actor, Posting, "change", unit=posting.unit)
    before = audit.snapshot(posting)
    posting.end = end
    validate_posting(posting)
    posting.save(update_fields=["end", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=posting.officer.bureau,
        obj=posting,
        unit_path=posting.unit.path,
        before=before,
        after=audit.snapshot(posting),
        reason=reason,
    )
    return posting


# A reveal needs a reason code and a text of substance: at least this many characters,
# with at least four different letters (Chinese characters count as letters).
REVEAL_REASON_MIN = 10


def validate_reveal_reason(reason_code: str, reason: str) -> str:
    """The reason's text as recorded, or a ValidationError keyed by field."""
    errors: dict[str, str] = {}
    if reason_code not in {t.code for t in vocab.REVEAL_REASONS}:
        errors["reason_code"] = _("Choose why you need the full ID number.")
    text = " ".join((reason or "").split())[:300]
    if len(text) < REVEAL_REASON_MIN or len({ch for ch in text if ch.isalpha()}) < 4:
        errors["reason"] = _(
            "Say in at least %(n)d characters what you need it for: the case, file or request, "
            "so that it can be checked later."
        ) % {"n": REVEAL_REASON_MIN}
    if errors:
        raise ValidationError(errors)
    return text


@service
def do_reveal_personal_data(officer: Officer, *, actor, reason_code: str, reason: str) -> dict:
    """The officer's full ID number and birth date, for a role that may reveal them, with a reason.

    Every reveal is an audit event (``reveal``) with the reason code and text, whoever
    reveals, auditors included.
    """
    from jingwu.core.scope import personal_level

    if actor is not None and personal_level(actor, officer) != "reveal":
        raise PermissionDenied(_("Your role may not reveal an officer's ID number."))
    text = validate_reveal_reason(reason_code, reason)
    audit.record(
        "reveal",
        actor=actor,
        bureau=officer.bureau,
        obj=officer,
        after={"fields": ["id_number", "birth_date"], "reason_code": reason_code},
        reason=text,
    )
    return {"id_number": officer.id_number, "birth_date": officer.birth_date}
