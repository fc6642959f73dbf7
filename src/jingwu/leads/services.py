"""Writes of the leads: starting an extraction run, revealing a personal value (audited)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.scope import current_memberships
from jingwu.core.services import authorize, service
from jingwu.engine import vocab

from .models import REVEAL_ROLES, Entity, ExtractionRun

# A reveal needs a reason code and a text of substance (as for an officer's ID number).
REVEAL_REASON_MIN = 10


def do_start_extraction(bureau, *, actor, sync: bool = False, progress=None) -> ExtractionRun:
    """Start reading the bureau's incidents, cases and petitions for leads (a ``leads`` job).

    Refused while a run is queued or running, and when the bureau has no record to read.
    ``sync=True`` runs it now in this process (command line, tests) through the same runner.
    """
    from jingwu.cases.models import Case, Petition
    from jingwu.incidents.models import Incident
    from jingwu.jobs.services import do_start_job, run_now

    authorize(actor, ExtractionRun, "add", bureau=bureau)
    with transaction.atomic():
        if (
            ExtractionRun.objects.select_for_update()
            .filter(bureau=bureau, status__in=["queued", "running"])
            .exists()
        ):
            raise ValidationError(_("An extraction is already queued or running for this bureau."))
        if not any(m.objects.filter(bureau=bureau).exists() for m in (Incident, Case, Petition)):
            raise ValidationError(_("The bureau has no incidents, cases or petitions to read."))
        run = ExtractionRun.objects.create(
            bureau=bureau, started_by=actor if getattr(actor, "pk", None) else None
        )
        run.job = do_start_job("leads", actor=actor, bureau=bureau, target=run, hand_out=not sync)
        run.save(update_fields=["job", "updated_at"])
        audit.record("create", actor=actor, bureau=bureau, obj=run, after={"job": run.job_id})
    if sync:
        run_now(run.job, progress=progress)
        run.refresh_from_db()
    return run


def may_reveal(user, entity: Entity) -> bool:
    """Whether ``user`` may see ``entity``'s personal value in full (with a reason)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(m.role in REVEAL_ROLES and m.bureau_id == entity.bureau_id for m in current_memberships(user))


def validate_reason(reason_code: str, reason: str) -> str:
    errors: dict[str, str] = {}
    if reason_code not in {t.code for t in vocab.LEAD_REVEAL_REASONS}:
        errors["reason_code"] = _("Choose why you need the full value.")
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
def do_reveal_entity(entity: Entity, *, actor, reason_code: str, reason: str) -> str:
    """The full phone number, plate or ID number of an entity the actor sees, with a reason.

    Every reveal is an audit event (``reveal``) with the reason code and text.
    """
    if not entity.personal:
        return entity.value
    if actor is not None and not may_reveal(actor, entity):
        raise PermissionDenied(_("Your role may not reveal this value."))
    text = validate_reason(reason_code, reason)
    audit.record(
        "reveal",
        actor=actor,
        bureau=entity.bureau,
        obj=entity,
        after={"kind": entity.kind, "reason_code": reason_code},
        reason=text,
    )
    return entity.value
