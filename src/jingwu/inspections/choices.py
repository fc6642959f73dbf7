from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import choices
from jingwu.engine import inspection_rules as rules

TIMER_KIND_CHOICES = choices(rules.TIMER_KINDS)
TIMER_STATE_CHOICES = choices(rules.TIMER_STATES)
DUE_STATE_CHOICES = choices(rules.DUE_STATES)
RISK_LEVEL_CHOICES = choices(rules.RISK_LEVELS)

VISIT_STATUS_CHOICES = [
    ("planned", _("Planned")),
    ("done", _("Done")),
    ("cancelled", _("Cancelled")),
]

PLAN_STATUS_CHOICES = [
    ("queued", _("Queued")),
    ("running", _("Running")),
    ("done", _("Done")),
    ("failed", _("Failed")),
    ("cancelled", _("Cancelled")),
]
SOLVER_CHOICES = [("pyvrp", "PyVRP"), ("ortools", "OR-Tools")]

# Why a visit due could not be placed (codes of jingwu.engine.inspection).
UNPLANNED_REASONS = {
    "no_skills": _("No team that day holds every skill needed"),
    "capacity": _("The teams able to go were full"),
    "day_too_short": _("Did not fit in a working day's route"),
    "no_team_day": _("No team on any day of its window"),
    "stopped": _("The run was stopped"),
}

# Why an officer did not inspect on a working day of a plan (jingwu.inspections.availability).
UNAVAILABLE_REASONS = {
    "leave": _("On leave"),
    "retasked": _("Re-tasked"),
    "duty": _("On a duty shift"),
}

SANCTION_CHOICES = [
    ("warning", _("Warning")),
    ("fine", _("Fine")),
    ("suspension", _("Suspension for rectification")),
]
