"""Shared pieces of the service layer: authorisation of writes and the atomic wrapper."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from .permissions import allowed
from .scope import current_memberships

F = TypeVar("F", bound=Callable)


def authorize(actor, model: type[models.Model], action: str, unit=None, bureau=None) -> None:
    """Refuse (PermissionDenied) unless ``actor`` may ``action`` ``model`` at ``unit``.

    ``actor=None`` is the system itself (the demo generator, migrations); commands run
    by people pass the user who ran them so the audit trail names them.
    """
    if actor is None or getattr(actor, "is_superuser", False):
        return
    label = model._meta.label_lower
    bureau_id = bureau.pk if bureau is not None else (unit.bureau_id if unit is not None else None)
    for m in current_memberships(actor):
        ok, reach = allowed(m.role, label, action)
        if not ok or (bureau_id is not None and m.bureau_id != bureau_id):
            continue
        if reach in {"bureau", "criminal"} or unit is None or unit.path.startswith(m.unit.path):
            return
    raise PermissionDenied(_("You do not have permission to do this here."))


def service(fn: F) -> F:
    """Run a write service in one transaction (its audit event included)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with transaction.atomic():
            return fn(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
