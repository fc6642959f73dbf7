"""The posting role an officer takes at the unit the plan moves them to."""

from __future__ import annotations

from ..inputs import LEADER_ROLES

# Roles an officer keeps when moved to a unit of this kind; else the first one applies.
DEST_ROLES = {
    ("station", "police"): (
        "community",
        "deputy_chief",
        "zone_lead",
        "patrol",
        "case_handler",
        "traffic",
        "back_office",
    ),
    ("station", "auxiliary"): ("patrol", "grid_auxiliary", "traffic", "staff"),
    ("investigation_center", "police"): ("investigator", "deputy_chief", "case_handler"),
    ("investigation_center", "auxiliary"): ("staff",),
    ("prevention_center", "police"): ("inspector", "deputy_chief", "patrol", "traffic"),
    ("prevention_center", "auxiliary"): ("patrol", "traffic", "staff"),
    ("department", "police"): ("staff", "deputy_chief", "back_office", "traffic"),
    ("department", "auxiliary"): ("staff", "traffic"),
    ("headquarters", "police"): ("staff", "deputy_chief", "back_office"),
    ("headquarters", "auxiliary"): ("staff",),
}


def new_role(dest_kind: str, officer_kind: str, old_role: str) -> str:
    """The posting role at the destination: the old one when it fits there, else the default.

    Chiefs and political instructors become deputy chiefs (the destination has its own).
    """
    allowed = DEST_ROLES.get((dest_kind, officer_kind), ("staff",))
    if old_role in LEADER_ROLES and "deputy_chief" in allowed:
        return "deputy_chief"
    return old_role if old_role in allowed else allowed[0]
