from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SeriesConfig(AppConfig):
    name = "jingwu.series"
    label = "series"
    verbose_name = _("Series")

    def ready(self) -> None:
        from django.db.models import Q
        from django.urls import reverse

        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import grant
        from jingwu.core.scope import area_q, register_scope
        from jingwu.jobs.registry import JobKind, register

        from .jobs import mark_run_ended, run_scoring_job

        # The board is the investigation center's: it scores, confirms and rejects links
        # across the bureau (thefts are criminal work, wherever they happened). Command
        # and auditors read it. Stations see the series touching their area
        # (cases.series), not the candidate links.
        grant(Role.INVESTIGATION_CENTER, "series.candidatelink", "vac", "bureau")
        grant(Role.INVESTIGATION_CENTER, "series.linkrun", "va", "bureau")
        for role in (Role.BUREAU_COMMAND, Role.AUDITOR):
            grant(role, "series.candidatelink", "v", "bureau")
            grant(role, "series.linkrun", "v", "bureau")
        register_scope("series.candidatelink", lambda unit: Q())
        register_scope("series.linkrun", lambda unit: Q())
        # Possible victims who never reported (未报案被害人/余罪线索): the series' owner (the
        # center) adds them and sees every one; each is the doors of the station (zone,
        # grid) whose area it is in: the chief adds and records, the community officer
        # records the outcomes of the grid's, the zone lead reads the zone's; command and
        # auditors read them all.
        grant(Role.INVESTIGATION_CENTER, "series.unreportedlead", "vac", "criminal")
        grant(Role.STATION_CHIEF, "series.unreportedlead", "vac", "subtree")
        grant(Role.COMMUNITY_OFFICER, "series.unreportedlead", "vc", "subtree")
        grant(Role.ZONE_LEAD, "series.unreportedlead", "v", "subtree")
        for role in (Role.BUREAU_COMMAND, Role.AUDITOR):
            grant(role, "series.unreportedlead", "v", "bureau")
        register_scope("series.unreportedlead", lambda unit: area_q(unit, "zone_id"), criminal=Q())

        register(
            JobKind(
                name="series.score",
                label=_("Scoring series links"),
                run=run_scoring_job,
                on_ended=mark_run_ended,
                phases={
                    "load": _("Reading incidents"),
                    "candidates": _("Finding candidate pairs"),
                    "features": _("Comparing incidents"),
                    "train": _("Learning from confirmed series"),
                    "save": _("Saving"),
                },
                url=lambda job: reverse("series:board"),
                cap=1,
                time_limit=1800,
                memory_limit=2048,
            )
        )
