from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "jingwu.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import grant
        from jingwu.core.scope import register_scope

        from .scope import by_premises

        # As for the premises themselves: the prevention center inspects bureau-wide, the
        # stations, zones and grids in their own area; command and auditors read.
        rows = {
            Role.BUREAU_COMMAND: ("v", "subtree"),
            Role.PLANNER: ("vac", "subtree"),
            Role.PREVENTION_CENTER: ("vac", "bureau"),
            Role.STATION_CHIEF: ("vac", "subtree"),
            Role.ZONE_LEAD: ("vac", "subtree"),
            Role.COMMUNITY_OFFICER: ("vac", "subtree"),
            Role.AUXILIARY_OFFICER: ("va", "subtree"),
            Role.AUDITOR: ("v", "subtree"),
        }
        for model in ("inspections.visit", "inspections.legaltimer"):
            for role, (actions, reach) in rows.items():
                grant(role, model, actions, reach)
            register_scope(model, by_premises)
