"""The roles a membership gives (``jingwu.accounts`` re-exports them as ``choices.Role``).

They live here because the permission table (``jingwu.core.permissions``) is written
in terms of them, and the core imports no app.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_COMMAND = "bureau_command", _("Bureau command")
    PLANNER = "planner", _("Headquarters planner")
    INVESTIGATION_CENTER = "investigation_center", _("Investigation center")
    PREVENTION_CENTER = "prevention_center", _("Prevention center")
    STATION_CHIEF = "station_chief", _("Station chief")
    ZONE_LEAD = "zone_lead", _("Zone lead")
    COMMUNITY_OFFICER = "community_officer", _("Community officer")
    AUXILIARY_OFFICER = "auxiliary_officer", _("Auxiliary officer")
    POLITICAL_DEPARTMENT = "political_department", _("Political department")
    AUDITOR = "auditor", _("Auditor")
    SYSADMIN = "sysadmin", _("System administrator")
