from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyConfig(AppConfig):
    name = "jingwu.duty"
    label = "duty"
    verbose_name = _("Duty")

    def ready(self) -> None:
        from django.db.models import Q
        from django.db.models.signals import post_save
        from django.urls import reverse

        from jingwu.accounts.choices import Role
        from jingwu.core.models import Bureau
        from jingwu.core.permissions import grant
        from jingwu.core.scope import register_scope
        from jingwu.jobs.registry import JobKind, register

        from .roster import mark_roster_ended, run_roster_job

        post_save.connect(seed_patterns, sender=Bureau, dispatch_uid="duty-seed-patterns")

        # Duty patterns are the bureau's templates: headquarters edits them, stations read them.
        grant(Role.PLANNER, "duty.dutypattern", "vacd", "bureau")
        grant(Role.BUREAU_COMMAND, "duty.dutypattern", "vac", "bureau")
        for role in (Role.STATION_CHIEF, Role.ZONE_LEAD, Role.AUDITOR, Role.PREVENTION_CENTER):
            grant(role, "duty.dutypattern", "v", "bureau")
        register_scope("duty.dutypattern", lambda unit: Q())

        # A station's duty set-up, its rosters and their entries: the station chief runs
        # them; the zone lead, community and auxiliary officers of the station read them;
        # headquarters and the auditor read every station's.
        def station_q(unit, field="station"):
            return Q(**{f"{field}__path__startswith": unit.path}) | Q(
                **{f"{field}_id__in": unit.ancestor_ids}
            )

        for label in ("duty.stationduty", "duty.roster"):
            grant(Role.STATION_CHIEF, label, "vac", "subtree")
            grant(Role.PLANNER, label, "vac", "bureau")
            for role in (Role.BUREAU_COMMAND, Role.AUDITOR):
                grant(role, label, "v", "bureau")
            for role in (Role.ZONE_LEAD, Role.COMMUNITY_OFFICER, Role.AUXILIARY_OFFICER):
                grant(role, label, "v", "subtree")
            register_scope(label, station_q)
        # Leave and swaps: the station's people ask, the station chief approves (p).
        for label in ("duty.leaverequest", "duty.swaprequest"):
            grant(Role.STATION_CHIEF, label, "vacp", "subtree")
            grant(Role.PLANNER, label, "v", "bureau")
            for role in (Role.BUREAU_COMMAND, Role.AUDITOR):
                grant(role, label, "v", "bureau")
            for role in (Role.ZONE_LEAD, Role.COMMUNITY_OFFICER, Role.AUXILIARY_OFFICER):
                grant(role, label, "va", "subtree")
        register_scope("duty.leaverequest", station_q)
        register_scope("duty.swaprequest", lambda unit: station_q(unit, "roster__station"))
        # Grids: the chief and the zone lead name each grid's officer; the grid's people log work.
        grant(Role.STATION_CHIEF, "duty.gridduty", "vac", "subtree")
        grant(Role.ZONE_LEAD, "duty.gridduty", "vac", "subtree")
        grant(Role.STATION_CHIEF, "duty.gridwork", "va", "subtree")
        grant(Role.ZONE_LEAD, "duty.gridwork", "va", "subtree")
        for role in (Role.COMMUNITY_OFFICER, Role.AUXILIARY_OFFICER):
            grant(role, "duty.gridduty", "v", "subtree")
            grant(role, "duty.gridwork", "va", "subtree")
        for role in (Role.BUREAU_COMMAND, Role.AUDITOR, Role.PLANNER):
            grant(role, "duty.gridduty", "v", "bureau")
            grant(role, "duty.gridwork", "v", "bureau")
        register_scope("duty.gridduty", lambda unit: Q(grid__path__startswith=unit.path))
        register_scope("duty.gridwork", lambda unit: Q(grid__path__startswith=unit.path))
        # Seasonal re-tasking: the station chief proposes, command (or a planner) approves.
        grant(Role.STATION_CHIEF, "duty.retasking", "va", "subtree")
        grant(Role.ZONE_LEAD, "duty.retasking", "v", "subtree")
        grant(Role.BUREAU_COMMAND, "duty.retasking", "vp", "bureau")
        grant(Role.PLANNER, "duty.retasking", "vap", "bureau")
        grant(Role.AUDITOR, "duty.retasking", "v", "bureau")
        register_scope("duty.retasking", station_q)
        grant(Role.STATION_CHIEF, "duty.rosterentry", "v", "subtree")
        grant(Role.PLANNER, "duty.rosterentry", "v", "bureau")
        for role in (Role.BUREAU_COMMAND, Role.AUDITOR):
            grant(role, "duty.rosterentry", "v", "bureau")
        for role in (Role.ZONE_LEAD, Role.COMMUNITY_OFFICER, Role.AUXILIARY_OFFICER):
            grant(role, "duty.rosterentry", "v", "subtree")
        register_scope("duty.rosterentry", lambda unit: station_q(unit, "roster__station"))

        register(
            JobKind(
                name="duty.roster",
                label=_("Duty roster"),
                run=run_roster_job,
                on_ended=mark_roster_ended,
                phases={"load": _("Reading the station"), "solve": _("Solving"), "save": _("Saving")},
                url=lambda job: reverse("duty:roster_detail", args=[job.target_id]),
                cap=1,
                time_limit=1800,
                memory_limit=2048,
            )
        )


def seed_patterns(sender, instance, created, raw=False, **kwargs) -> None:
    """A new bureau starts with the built-in duty patterns (its to edit)."""
    if created and not raw:
        from .models import DutyPattern
        from .patterns import builtin_rows

        DutyPattern.objects.bulk_create([DutyPattern(bureau=instance, **row) for row in builtin_rows()])
