from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "jingwu.planning"
    label = "planning"
    verbose_name = _("Planning")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import grant
        from jingwu.core.scope import register_scope

        # Scenarios are bureau-wide: the planner builds them, command approves, the auditor reads.
        grant(Role.PLANNER, "planning.scenario", "vacd", "bureau")
        grant(Role.BUREAU_COMMAND, "planning.scenario", "vp", "bureau")
        grant(Role.AUDITOR, "planning.scenario", "v", "bureau")
        register_scope("planning.scenario", lambda unit: Q())
