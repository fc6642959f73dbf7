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
        register_job_kind()


def register_job_kind() -> None:
    """Plans are computed as jobs of the kind ``planning`` (one at a time; an hour and 4 GB)."""
    from django.urls import reverse

    from jingwu.jobs.registry import JobKind, register

    from .choices import Step
    from .services import run_scenario_job, scenario_run_ended

    register(
        JobKind(
            name="planning",
            label=_("Planning run"),
            run=run_scenario_job,
            on_ended=scenario_run_ended,
            phases=dict(Step.choices),
            url=lambda job: reverse("planning:scenario_detail", args=[job.target_id]),
            cap=1,
            time_limit=3600,
            memory_limit=4096,
        )
    )
