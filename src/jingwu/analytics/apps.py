from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "jingwu.analytics"
    label = "analytics"
    verbose_name = _("Measurement")

    def ready(self) -> None:
        from django.db.models import Q
        from django.db.models.signals import post_migrate
        from django.urls import reverse

        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import grant
        from jingwu.core.scope import register_scope
        from jingwu.jobs.registry import JobKind, register

        from .reports import run_report_job

        # Reports hang off their unit; who sees incidents there may ask for one, and the
        # centers for their own unit (the investigation center its cases, the prevention
        # center its inspections).
        register_scope("analytics.report", lambda u: Q(unit__path__startswith=u.path), owner="requested_by")
        for role in (
            Role.BUREAU_COMMAND,
            Role.PLANNER,
            Role.INVESTIGATION_CENTER,
            Role.PREVENTION_CENTER,
            Role.STATION_CHIEF,
        ):
            grant(role, "analytics.report", "va")
        # A report holds its requester's view (cases, postings): zone leads and community
        # officers, who may see less than a chief of the same unit, read their own only.
        for role in (Role.ZONE_LEAD, Role.COMMUNITY_OFFICER):
            grant(role, "analytics.report", "va", "own")
        grant(Role.AUDITOR, "analytics.report", "v")
        # Indicator sets are the bureau's: everyone who reads a dashboard reads them;
        # bureau command edits them.
        register_scope("analytics.indicatorset", lambda u: Q())
        for role in (
            Role.PLANNER,
            Role.INVESTIGATION_CENTER,
            Role.PREVENTION_CENTER,
            Role.STATION_CHIEF,
            Role.ZONE_LEAD,
            Role.COMMUNITY_OFFICER,
            Role.POLITICAL_DEPARTMENT,
            Role.AUDITOR,
        ):
            grant(role, "analytics.indicatorset", "v", "bureau")
        grant(Role.BUREAU_COMMAND, "analytics.indicatorset", "vac", "bureau")
        # Report schedules hang off their unit like reports; command and planners set them
        # for any unit, station chiefs for their station.
        register_scope("analytics.reportschedule", lambda u: Q(unit__path__startswith=u.path))
        for role in (Role.BUREAU_COMMAND, Role.PLANNER, Role.STATION_CHIEF):
            grant(role, "analytics.reportschedule", "vac")
        for role in (Role.INVESTIGATION_CENTER, Role.PREVENTION_CENTER, Role.ZONE_LEAD, Role.AUDITOR):
            grant(role, "analytics.reportschedule", "v")
        # Directed patrols hang off their zone (and grid): the zone lead, the station and
        # command create them; the grid's community officer reads them.
        register_scope(
            "analytics.patroltask",
            lambda u: (
                Q(grid__path__startswith=u.path) if u.kind == "grid" else Q(zone__path__startswith=u.path)
            ),
        )
        for role in (Role.BUREAU_COMMAND, Role.STATION_CHIEF, Role.ZONE_LEAD):
            grant(role, "analytics.patroltask", "va")
        for role in (Role.COMMUNITY_OFFICER, Role.AUDITOR):
            grant(role, "analytics.patroltask", "v")
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
        post_migrate.connect(schedule_report_sweep, sender=self)


def schedule_report_sweep(sender, using="default", **kwargs) -> None:
    """The worker cluster's hour: start the scheduled reports that have come due."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name="jingwu-report-schedules",
        defaults={
            "func": "jingwu.analytics.schedules.sweep",
            "schedule_type": Schedule.HOURLY,
            "repeats": -1,
        },
    )
