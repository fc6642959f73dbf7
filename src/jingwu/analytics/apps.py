from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "jingwu.analytics"
    label = "analytics"
    verbose_name = _("Measurement")

    def ready(self) -> None:
        from django.db.models import Q
        from django.urls import reverse

        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import grant
        from jingwu.core.scope import register_scope
        from jingwu.jobs.registry import JobKind, register

        from .reports import run_report_job

        # Reports hang off their unit; who sees incidents there may ask for one.
        register_scope("analytics.report", lambda u: Q(unit__path__startswith=u.path), owner="requested_by")
        for role in (
            Role.BUREAU_COMMAND,
            Role.PLANNER,
            Role.INVESTIGATION_CENTER,
            Role.STATION_CHIEF,
            Role.ZONE_LEAD,
            Role.COMMUNITY_OFFICER,
        ):
            grant(role, "analytics.report", "va")
        grant(Role.AUDITOR, "analytics.report", "v")
        register(
            JobKind(
                name="measure_report",
                label=_("Report"),
                run=run_report_job,
                phases={"figures": _("Counting"), "write": _("Writing the files")},
                url=lambda job: reverse("analytics:report_detail", args=[job.target_id]),
                cap=2,
                time_limit=600,
                memory_limit=1024,
            )
        )
