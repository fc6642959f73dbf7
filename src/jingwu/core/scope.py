"""The one scoping layer: every read for a user goes through ``restrict``.

An object outside the user's scope is simply absent from the queryset, so a detail
view that looks it up through ``restrict`` answers 404 rather than leaking it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import models
from django.db.models import Q

from . import clock
from .permissions import allowed, personal_allowed


def area_q(unit, zone_field: str = "grid__parent_id") -> Q:
    """Rows located by station/grid (incidents, premises) under ``unit``.

    ``zone_field`` says how a row knows its zone: incidents store it (``zone_id``, which
    their indexes use), premises through their grid. Lists, maps and filters use it too.
    """
    if unit.kind == "headquarters":
        return Q(bureau_id=unit.bureau_id)
    if unit.kind == "station":
        return Q(station_id=unit.pk)
    if unit.kind == "zone":
        return Q(**{zone_field: unit.pk})
    if unit.kind == "grid":
        return Q(grid_id=unit.pk)
    return Q(station__path__startswith=unit.path)


# How each model's rows hang off the unit tree: model label -> function(unit) -> Q. The
# apps say it for their own models (``register_scope`` in their ``ready()``).
_UNIT_SCOPES: dict[str, Callable] = {
    "core.auditevent": lambda u: Q(unit_path__startswith=u.path) if u.kind != "headquarters" else Q(),
}


def under_unit_q(model: type[models.Model], unit) -> Q:
    """Rows of ``model`` that hang off ``unit``: the rule a membership on that unit reaches by."""
    return Q(bureau_id=unit.bureau_id) & _UNIT_SCOPES[model._meta.label_lower](unit)


def register_scope(
    model_label: str, fn: Callable, *, owner: str | None = None, criminal: Q | None = None
) -> None:
    """Say how a model's rows hang off the unit tree: ``fn(unit) -> Q`` (an app's ``ready()``).

    ``owner`` names the field holding the user a row belongs to, for the ``own`` reach
    (rows of the membership's bureau that the user made: their own import jobs).
    ``criminal`` selects the model's criminal rows, for the ``criminal`` reach (without
    it that reach is the unit's subtree).
    """
    _UNIT_SCOPES[model_label] = fn
    if owner:
        _OWNERS[model_label] = owner
    if criminal is not None:
        _CRIMINAL[model_label] = criminal


# Models with an owner: model label -> the user field (for the ``own`` reach).
_OWNERS: dict[str, str] = {}
# Models with criminal rows: model label -> the filter selecting them (the ``criminal`` reach).
_CRIMINAL: dict[str, Q] = {}


def prefix_q(q: Q, prefix: str) -> Q:
    """Re-root a Q on a related model (``pk__in`` on officer becomes ``officer__pk__in``)."""
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    out.children = [prefix_q(c, prefix) if isinstance(c, Q) else (prefix + c[0], c[1]) for c in q.children]
    return out


def current_memberships(user) -> list:
    """The user's memberships valid today, each bureau's today in its own time zone (not the
    server's): a posting that starts on the 1st opens at midnight in the bureau (cached on the
    user object for the request)."""
    cached = getattr(user, "_jingwu_memberships", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False):
        return []
    # the server's date is within a day of every bureau's: narrow in SQL, decide per bureau
    server = dt.date.today()
    near = list(
        user.memberships.select_related("unit", "bureau")
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=server + dt.timedelta(days=1)))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=server - dt.timedelta(days=1)))
    )
    ms = []
    for m in near:
        today = clock.today(m.bureau)
        if (m.valid_from is None or m.valid_from <= today) and (m.valid_to is None or m.valid_to >= today):
            ms.append(m)
    user._jingwu_memberships = ms
    return ms


def scope_q(user, model: type[models.Model], action: str = "view") -> Q | None:
    """The filter selecting what ``user`` may ``action`` on ``model``; None means nothing."""
    label = model._meta.label_lower
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Q()
    unit_q = _UNIT_SCOPES.get(label)
    combined: Q | None = None
    for m in current_memberships(user):
        ok, reach = allowed(m.role, label, action)
        if not ok:
            continue
        q = Q(bureau_id=m.bureau_id)
        if reach == "criminal":
            crim = _CRIMINAL.get(label)
            q &= crim if crim is not None else (unit_q(m.unit) if unit_q else Q())
        elif reach == "own":
            q &= Q(**{f"{_OWNERS[label]}_id": user.pk})
        elif reach == "subtree" and unit_q is not None:
            q &= unit_q(m.unit)
        combined = q if combined is None else (combined | q)
    return combined


def restrict(qs: models.QuerySet | type[models.Model], user, action: str = "view") -> models.QuerySet:
    """Filter ``qs`` to the rows ``user`` may ``action``."""
    if isinstance(qs, type):
        qs = qs._default_manager.all()
    q = scope_q(user, qs.model, action)
    if q is None:
        return qs.none()
    return qs.filter(q)


def can(user, model: type[models.Model], action: str) -> bool:
    """Whether the user has ``action`` on ``model`` anywhere (for showing buttons)."""
    return scope_q(user, model, action) is not None


def can_object(user, obj: models.Model, action: str) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def user_bureau_ids(user) -> set[int]:
    return {m.bureau_id for m in current_memberships(user)}


def personal_q(user, level: str = "masked") -> Q | None:
    """The officers whose personal data ``user`` sees at ``level`` ("masked" or "reveal").

    Like ``scope_q`` for viewing officers, counting only the memberships whose role holds
    that level in ``PERSONAL_DATA``; None means no officer at all.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser:
        return Q()
    combined: Q | None = None
    for m in current_memberships(user):
        ok, reach = allowed(m.role, "personnel.officer", "view")
        if not ok or not personal_allowed(m.role, level):
            continue
        q = Q(bureau_id=m.bureau_id)
        if reach == "subtree":
            q &= _UNIT_SCOPES["personnel.officer"](m.unit)
        combined = q if combined is None else (combined | q)
    return combined


def personal_level(user, officer) -> str:
    """ "reveal", "masked" or "" : how much of ``officer``'s personal data ``user`` sees."""
    officers = type(officer)._default_manager
    for level in ("reveal", "masked"):
        q = personal_q(user, level)
        if q is not None and officers.filter(q, pk=officer.pk).exists():
            return level
    return ""
