from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "jingwu.inspections"
    label = "inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import grant
        from jingwu.core.scope import register_scope

        from .scope import by_premises, by_visit

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
        for model in (
            "inspections.visit",
            "inspections.legaltimer",
            "inspections.visitphoto",
            "inspections.finding",
            "inspections.sanction",
        ):
            for role, (actions, reach) in rows.items():
                grant(role, model, actions, reach)
            register_scope(model, by_visit if model == "inspections.visitphoto" else by_premises)
        # Plans belong to the unit they plan for (the county, a station, a zone).
        for role, (actions, reach) in rows.items():
            if role not in (Role.COMMUNITY_OFFICER, Role.AUXILIARY_OFFICER):
                grant(role, "inspections.inspectionplan", actions, reach)
        register_scope("inspections.inspectionplan", lambda unit: Q(unit__path__startswith=unit.path))

        from django.urls import reverse

        from jingwu.jobs.registry import JobKind, register

        from .planning import mark_plan_ended, run_plan_job

        register(
            JobKind(
                name="inspection_plan",
                label=_("Inspection plan"),
                run=run_plan_job,
                on_ended=mark_plan_ended,
                phases={
                    "inputs": _("Reading what is due"),
                    "teams": _("Forming teams"),
                    "routes": _("Routing"),
                    "save": _("Saving"),
                },
                url=lambda job: reverse("inspections:plan_detail", args=[job.target_id]),
                cap=1,
                time_limit=3600,
                memory_limit=2048,
            )
        )
