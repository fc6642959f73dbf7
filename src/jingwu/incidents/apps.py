from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "jingwu.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.core.clock import register_data_date_source
        from jingwu.core.scope import area_q, prefix_q, register_scope

        register_scope(
            "incidents.incident", lambda u: area_q(u, "zone_id"), criminal=Q(category__criminal=True)
        )
        register_data_date_source(incident_days)

        # Near repeats of burglaries: the bureau's profile (a statistic, no person in it) is
        # read by whoever reads incidents; command, planners and the center recompute it. An
        # alert belongs to its zone: the zone's lead, its station, its grids' officers see it.
        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import grant

        for role in (Role.BUREAU_COMMAND, Role.PLANNER, Role.INVESTIGATION_CENTER):
            grant(role, "incidents.nearrepeatprofile", "va", "bureau")
        for role in (Role.STATION_CHIEF, Role.ZONE_LEAD, Role.COMMUNITY_OFFICER, Role.AUXILIARY_OFFICER):
            grant(role, "incidents.nearrepeatprofile", "v", "bureau")
        grant(Role.AUDITOR, "incidents.nearrepeatprofile", "v", "bureau")
        register_scope("incidents.nearrepeatprofile", lambda unit: Q())
        for role in (Role.BUREAU_COMMAND, Role.PLANNER, Role.AUDITOR):
            grant(role, "incidents.nearrepeatalert", "v", "bureau")
        grant(Role.INVESTIGATION_CENTER, "incidents.nearrepeatalert", "v", "criminal")
        for role in (Role.STATION_CHIEF, Role.ZONE_LEAD, Role.COMMUNITY_OFFICER, Role.AUXILIARY_OFFICER):
            grant(role, "incidents.nearrepeatalert", "v", "subtree")
        register_scope("incidents.nearrepeatalert", alert_area, criminal=Q())
        # Callbacks to reporters (警情回访) follow their incident: who sees the incident sees
        # its callbacks (the center: criminal incidents'); the station chief, the zone lead and
        # the community officer of the incident's area record them, and command anywhere.
        for role in (Role.STATION_CHIEF, Role.ZONE_LEAD, Role.COMMUNITY_OFFICER):
            grant(role, "incidents.callback", "va", "subtree")
        grant(Role.BUREAU_COMMAND, "incidents.callback", "va", "bureau")
        for role in (Role.PLANNER, Role.AUXILIARY_OFFICER):
            grant(role, "incidents.callback", "v", "subtree")
        grant(Role.AUDITOR, "incidents.callback", "v", "bureau")
        grant(Role.INVESTIGATION_CENTER, "incidents.callback", "v", "criminal")
        register_scope(
            "incidents.callback",
            lambda u: prefix_q(area_q(u, "zone_id"), "incident__"),
            criminal=Q(incident__category__criminal=True),
        )

        from django.db.models.signals import post_migrate

        post_migrate.connect(schedule_near_repeats, sender=self)


def alert_area(unit):
    """Alerts of the zones under ``unit``; a grid's officers see those of their zone."""
    from django.db.models import Q

    if unit.kind == "headquarters":
        return Q(bureau_id=unit.bureau_id)
    if unit.kind == "grid":
        return Q(zone_id=unit.parent_id)
    return Q(zone__path__startswith=unit.path)


def schedule_near_repeats(sender, using="default", **kwargs) -> None:
    """Every hour, each bureau's near-repeat profile for its data date (computed when missing)."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name="jingwu-near-repeats",
        defaults={
            "func": "jingwu.incidents.tasks.refresh_near_repeats",
            "schedule_type": Schedule.HOURLY,
            "repeats": -1,
        },
    )


def incident_days(bureau, today):
    """For the data date: the local day of the bureau's last incident received."""
    from .selectors import last_incident_day

    return [last_incident_day(bureau)]
