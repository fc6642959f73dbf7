"""Who may do what: the one permission table of the project.

``PERMISSIONS[role][model_label]`` is a pair (actions, reach):
- actions: a string of letters, v = view, a = add, c = change, d = delete, p = approve;
- reach: how far from the membership's unit the role sees rows of that model:
  ``subtree`` (the unit and everything below it), ``bureau`` (the whole bureau), or
  ``criminal`` (criminal incidents and cases anywhere in the bureau: the
  investigation center takes routed criminal work wherever it happened), or ``own``
  (the rows of the bureau the user made, such as their import jobs).

Everything not listed is refused. Enforcement is in ``jingwu.core.scope.restrict``.
"""

from __future__ import annotations

from .roles import Role

V, VA, VAC, VACD = "v", "va", "vac", "vacd"

_ORG = ("org.unit",)
_PEOPLE = ("personnel.officer", "personnel.officerskill", "personnel.posting")
_PLACES = ("places.premises", "places.inspectionelement", "places.elementrequirement")
_INCIDENTS = ("incidents.incident",)
_CASES = ("cases.case", "cases.series", "cases.petition")
_AUDIT = ("core.auditevent",)


def _grant(models: tuple[str, ...], actions: str, reach: str = "subtree") -> dict[str, tuple[str, str]]:
    return {m: (actions, reach) for m in models}


PERMISSIONS: dict[str, dict[str, tuple[str, str]]] = {
    Role.BUREAU_COMMAND: {
        **_grant(_ORG + _PEOPLE + _PLACES + _INCIDENTS + _CASES, V),
    },
    Role.PLANNER: {
        **_grant(_ORG + _PEOPLE, VACD),
        **_grant(_PLACES + _INCIDENTS, VAC),
    },
    Role.INVESTIGATION_CENTER: {
        **_grant(_ORG, V, "bureau"),
        **_grant(_PEOPLE, V),
        **_grant(_INCIDENTS, V, "criminal"),
        **_grant(_CASES, VAC, "criminal"),
    },
    Role.PREVENTION_CENTER: {
        **_grant(_ORG, V, "bureau"),
        **_grant(_PEOPLE, V),
        **_grant(_PLACES, VAC, "bureau"),
    },
    Role.STATION_CHIEF: {
        **_grant(_ORG, VAC),
        **_grant(_PEOPLE, VAC),
        **_grant(_PLACES + _INCIDENTS, VAC),
        **_grant(_CASES, VAC),
    },
    Role.ZONE_LEAD: {
        **_grant(_ORG, V),
        **_grant(_PEOPLE, V),
        **_grant(_PLACES + _INCIDENTS, VAC),
        **_grant(_CASES, V),
    },
    Role.COMMUNITY_OFFICER: {
        **_grant(_ORG, V),
        **_grant(_PLACES + _INCIDENTS, VA),
    },
    Role.AUXILIARY_OFFICER: {
        **_grant(_ORG, V),
        **_grant(_PLACES + _INCIDENTS, VA),
    },
    Role.POLITICAL_DEPARTMENT: {
        **_grant(_ORG, V),
        **_grant(_PEOPLE, VAC),
    },
    Role.AUDITOR: {
        **_grant(_ORG + _PEOPLE + _PLACES + _INCIDENTS + _CASES + _AUDIT, V),
    },
    Role.SYSADMIN: {
        **_grant(_ORG, V),
    },
}


# Fields that only some roles may set or change, on top of the row's "add"/"change" right:
# model label -> field -> the roles. A station's type, the area statistics the station
# types and staffing are computed from, and boundaries are headquarters' decisions
# (planners and command): a station chief changes the rest of the station's units.
# Enforced by ``jingwu.core.services.authorize_fields`` in the services, so pages, API,
# imports and the command line obey alike.
_HQ_DECISIONS = frozenset({Role.PLANNER, Role.BUREAU_COMMAND})
FIELD_RIGHTS: dict[str, dict[str, frozenset[str]]] = {
    "org.unit": {
        "station_type": _HQ_DECISIONS,
        "households": _HQ_DECISIONS,
        "residents": _HQ_DECISIONS,
        "floating": _HQ_DECISIONS,
        "boundary": _HQ_DECISIONS,
    },
}


def field_allowed(role: str, model_label: str, field: str) -> bool:
    """Whether ``role`` may set ``field`` of ``model_label`` (fields not reserved: always)."""
    roles = FIELD_RIGHTS.get(model_label, {}).get(field)
    return roles is None or role in roles


# Officers' personal data (ID number, phone, full birth date), per role, for the officers the
# role sees: "masked" shows the masked ID number and phone; "reveal" shows them too and may
# reveal the full ID number and birth date of one officer with a reason (audited). A role
# not listed sees neither (an officer's age at most), on pages, in exports and in the API.
PERSONAL_DATA: dict[str, str] = {
    Role.BUREAU_COMMAND: "reveal",
    Role.PLANNER: "reveal",
    Role.STATION_CHIEF: "reveal",
    Role.POLITICAL_DEPARTMENT: "reveal",
    Role.AUDITOR: "reveal",
    Role.ZONE_LEAD: "masked",
}
PERSONAL_LEVELS = ("masked", "reveal")  # each includes the ones before it


def personal_allowed(role: str, level: str) -> bool:
    """Whether ``role`` sees officers' personal data at ``level`` ("masked" or "reveal")."""
    held = PERSONAL_DATA.get(role, "")
    return bool(held) and PERSONAL_LEVELS.index(held) >= PERSONAL_LEVELS.index(level)


# Letters of the actions in the table: view, add, change, delete, and approve (command's
# approval of a plan before it is applied).
ACTION_LETTERS = {"view": "v", "add": "a", "change": "c", "delete": "d", "approve": "p"}


def allowed(role: str, model_label: str, action: str) -> tuple[bool, str]:
    """Whether ``role`` may do ``action`` ("view", "add", "change", "delete", "approve") on a model."""
    actions, reach = PERMISSIONS.get(role, {}).get(model_label, ("", "subtree"))
    return (ACTION_LETTERS[action] in actions, reach)


def grant(role: str, model_label: str, actions: str, reach: str = "subtree") -> None:
    """Add a row to the permission table (an app's ``ready()`` declares its own models here)."""
    PERMISSIONS.setdefault(role, {})[model_label] = (actions, reach)
