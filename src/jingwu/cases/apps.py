from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jingwu.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import grant
        from jingwu.core.scope import register_scope

        register_scope(
            "cases.case", lambda u: Q(owning_unit__path__startswith=u.path), criminal=Q(kind="criminal")
        )
        register_scope("cases.series", series_under, criminal=Q())
        register_scope("cases.petition", lambda u: Q(unit__path__startswith=u.path), criminal=Q())

        # The bureau's routing rules: planners edit them (headquarters' decision, like the
        # plans); command, the investigation center, station chiefs and auditors read them.
        grant(Role.PLANNER, "cases.routingrule", "vacd", "bureau")
        for role in (Role.BUREAU_COMMAND, Role.INVESTIGATION_CENTER, Role.STATION_CHIEF, Role.AUDITOR):
            grant(role, "cases.routingrule", "v", "bureau")
        register_scope("cases.routingrule", lambda unit: Q())
        # Escalation of overdue deadlines (督办): command orders it for the whole bureau.
        grant(Role.BUREAU_COMMAND, "cases.escalation", "va", "bureau")
        grant(Role.AUDITOR, "cases.escalation", "v", "bureau")
        # The bureau's time limits per case kind and stage: command sets them; those who
        # work cases to deadlines, and auditors, read them.
        grant(Role.BUREAU_COMMAND, "cases.deadlinelimit", "vac", "bureau")
        for role in (Role.INVESTIGATION_CENTER, Role.STATION_CHIEF, Role.AUDITOR, Role.PLANNER):
            grant(role, "cases.deadlinelimit", "v", "bureau")
        register_scope("cases.deadlinelimit", lambda unit: Q())
        # The quality review of case files: command reviews (with its legal staff); auditors read.
        grant(Role.BUREAU_COMMAND, "cases.casereview", "va", "bureau")
        grant(Role.AUDITOR, "cases.casereview", "v", "bureau")

        from django.db.models.signals import post_migrate

        post_migrate.connect(schedule_escalation, sender=self)


def schedule_escalation(sender, using="default", **kwargs) -> None:
    """Every hour, escalate (督办) the overdue deadlines of every bureau as of its data date
    (idempotent: a deadline escalates once per level and ``ESCALATE_EVERY`` days)."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name="jingwu-cases-escalation",
        defaults={
            "func": "jingwu.cases.tasks.escalate_overdue",
            "schedule_type": Schedule.HOURLY,
            "repeats": -1,
        },
    )


def series_under(unit):
    """Series with an incident in ``unit``'s area (every series at headquarters)."""
    from django.db.models import Q

    from jingwu.core.scope import area_q
    from jingwu.incidents.models import Incident

    from .models import SeriesIncident

    if unit.kind == "headquarters":
        return Q()
    inc = Incident.objects.filter(area_q(unit, "zone_id"), bureau_id=unit.bureau_id).values("pk")
    return Q(pk__in=SeriesIncident.objects.filter(incident_id__in=inc).values("series_id"))
