"""Write audit events: in the caller's transaction, chained by hash per bureau."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from .middleware import current_context
from .models import AuditEvent, AuditHead, Bureau


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of a model instance's concrete field values."""
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if fields is not None and f.name not in fields:
            continue
        if f.name in {"created_at", "updated_at", "password"}:
            continue
        data[f.attname] = _jsonable(getattr(obj, f.attname))
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def _digest(event: AuditEvent) -> str:
    payload = {
        "bureau": event.bureau_id,
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "unit_path": event.unit_path,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
        "via": event.via,
        "ip": event.ip,
        "user_agent": event.user_agent,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
    }
    blob = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def record(
    action: str,
    *,
    actor,
    bureau: Bureau | None,
    obj: models.Model | None = None,
    object_type: str | None = None,
    object_id: str = "",
    object_repr: str = "",
    unit_path: str = "",
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    via: str | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event. Must run inside the transaction of the change it records.

    ``actor_label`` names someone who is not a user of the bureau (the user name a failed
    log-in gave); by default it is the actor's user name, or "system".
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside transaction.atomic")
    ctx = current_context()
    bureau_id = bureau.pk if bureau is not None else None
    # Serialise writers per bureau on the chain head, so the chain has no forks.
    head = _head_for_update(bureau_id)
    event = AuditEvent(
        bureau_id=bureau_id,
        seq=head.seq + 1,
        at=timezone.now(),
        actor=actor if (actor is not None and getattr(actor, "pk", None)) else None,
        actor_label=(
            actor_label[:150]
            if actor_label is not None
            else ((getattr(actor, "username", "") or "system") if actor is not None else "system")
        ),
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=object_id or (str(obj.pk) if obj is not None and obj.pk is not None else ""),
        object_repr=(object_repr or (str(obj) if obj is not None else ""))[:200],
        unit_path=unit_path,
        before=before,
        after=after,
        reason=reason,
        via=via or (ctx.via if ctx else "cli"),
        ip=ctx.ip if ctx else "",
        user_agent=ctx.user_agent if ctx else "",
        request_id=ctx.request_id if ctx else "",
        prev_hash=head.hash,
    )
    event.hash = _digest(event)
    event.save(force_insert=True)
    head.seq, head.hash = event.seq, event.hash
    head.save(update_fields=["seq", "hash"])
    return event


def _head_for_update(bureau_id: int | None) -> AuditHead:
    """The chain's head row, locked for this transaction (created with the chain's first event).

    A chain with events but no head lost its head: it is rebuilt from the newest event
    and marked, so that verification keeps reporting it.
    """
    head = AuditHead.objects.select_for_update().filter(bureau_id=bureau_id).first()
    if head is not None:
        return head
    last = AuditEvent.objects.filter(bureau_id=bureau_id).order_by("-seq").only("seq", "hash").first()
    try:
        with transaction.atomic():  # a savepoint: a concurrent first event may create it too
            return AuditHead.objects.create(
                bureau_id=bureau_id,
                seq=last.seq if last else 0,
                hash=last.hash if last else "",
                rebuilt_at=timezone.now() if last else None,
            )
    except IntegrityError:
        return AuditHead.objects.select_for_update().get(bureau_id=bureau_id)


def verify_chain(bureau: Bureau | None) -> list[str]:
    """Return a list of problems in a bureau's chain (empty when intact).

    The chain shows an altered or removed event; the head row shows removed newest
    events, which leave no gap behind them.
    """
    problems: list[str] = []
    prev_hash = ""
    expected_seq = 1
    qs = AuditEvent.objects.filter(bureau=bureau).order_by("seq")
    for event in qs.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            problems.append(f"missing events before seq {event.seq} (expected {expected_seq})")
        if event.prev_hash != prev_hash:
            problems.append(f"seq {event.seq}: previous hash does not match")
        if _digest(event) != event.hash:
            problems.append(f"seq {event.seq}: content altered")
        prev_hash = event.hash
        expected_seq = event.seq + 1
    last_seq = expected_seq - 1
    head = AuditHead.objects.filter(bureau=bureau).first()
    if head is None:
        if last_seq:
            problems.append(f"the chain head is missing (the trail ends at seq {last_seq})")
        return problems
    if head.seq > last_seq:
        problems.append(
            f"the newest events were removed: the chain head is at seq {head.seq}, "
            f"the trail ends at seq {last_seq}"
        )
    elif head.seq < last_seq:
        problems.append(f"events after the chain head (seq {head.seq}); the trail ends at seq {last_seq}")
    elif head.hash != prev_hash:
        problems.append(f"seq {last_seq}: the chain head's hash does not match the event")
    if head.rebuilt_at is not None:
        problems.append(
            f"the chain head went missing and was rebuilt at {head.rebuilt_at.isoformat()} "
            f"(seq {head.seq}): newer events may have been removed before that"
        )
    return problems
