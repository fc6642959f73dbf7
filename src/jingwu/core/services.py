"""Shared pieces of the service layer: authorisation of writes and the atomic wrapper."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from .permissions import FIELD_RIGHTS, allowed, field_allowed
from .scope import current_memberships

F = TypeVar("F", bound=Callable)


def _covering(actor, model: type[models.Model], action: str, unit=None, bureau=None) -> list:
    """The actor's memberships that allow ``action`` on ``model`` at ``unit`` (or in ``bureau``)."""
    label = model._meta.label_lower
    bureau_id = bureau.pk if bureau is not None else (unit.bureau_id if unit is not None else None)
    out = []
    for m in current_memberships(actor):
        ok, reach = allowed(m.role, label, action)
        if not ok or (bureau_id is not None and m.bureau_id != bureau_id):
            continue
        if reach in {"bureau", "criminal"} or unit is None or unit.path.startswith(m.unit.path):
            out.append(m)
    return out


def authorize(actor, model: type[models.Model], action: str, unit=None, bureau=None) -> None:
    """Refuse (PermissionDenied) unless ``actor`` may ``action`` ``model`` at ``unit``.

    ``actor=None`` is the system itself (the demo generator, migrations); commands run
    by people pass the user who ran them so the audit trail names them.
    """
    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not _covering(actor, model, action, unit, bureau):
        raise PermissionDenied(_("You do not have permission to do this here."))


def authorize_fields(
    actor, model: type[models.Model], fields, *, action: str = "change", unit=None, bureau=None
) -> None:
    """Refuse setting fields reserved to some roles (``FIELD_RIGHTS``) by an actor without them.

    ``fields`` are the fields the write sets or changes; the actor needs, for each
    reserved one, a membership that allows ``action`` at ``unit`` with a role holding
    the field.
    """
    if actor is None or getattr(actor, "is_superuser", False):
        return
    label = model._meta.label_lower
    reserved = [f for f in fields if f in FIELD_RIGHTS.get(label, {})]
    if not reserved:
        return
    ms = _covering(actor, model, action, unit, bureau)
    refused = [f for f in reserved if not any(field_allowed(m.role, label, f) for m in ms)]
    if refused:
        names = ", ".join(str(model._meta.get_field(f).verbose_name) for f in refused)
        raise PermissionDenied(
            _("Only headquarters planners and command may set these fields: %(fields)s.") % {"fields": names}
        )


def authorize_move(actor, model: type[models.Model], unit, *, action: str = "change") -> None:
    """Refuse a record's move to ``unit`` (its new place) unless ``actor`` may act there too.

    A service that can change where a record belongs (its location, its unit) calls
    ``authorize`` for the record's old place and this for the new one, so that no one
    moves a record out of their scope, or into it from someone else's.
    """
    try:
        authorize(actor, model, action, unit=unit)
    except PermissionDenied as exc:
        raise PermissionDenied(
            _("The new place (%(unit)s) is outside your units: you may not move the record there.")
            % {"unit": unit.name}
        ) from exc


def service(fn: F) -> F:
    """Run a write service in one transaction (its audit event included)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with transaction.atomic():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
