from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "jingwu.leads"
    label = "leads"
    verbose_name = _("Leads")

    def ready(self) -> None:
        from django.db.models import Exists, OuterRef, Q
        from django.urls import reverse

        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import grant
        from jingwu.core.scope import register_scope
        from jingwu.jobs.registry import JobKind, register

        from .jobs import mark_run_ended, run_extraction
        from .models import Mention

        # Mentions hang off the unit of the record that named the entity (the incident's
        # grid or station, the case's owning unit, the petition's handling unit); an entity
        # is seen by who sees one of its mentions. The investigation center reads the
        # criminal ones anywhere in the bureau (criminal incidents and cases, and every
        # petition, as it reads petitions), never a station's non-criminal work.
        register_scope("leads.mention", lambda u: Q(unit__path__startswith=u.path), criminal=Q(criminal=True))
        criminal_named = Exists(
            Mention.objects.filter(bureau_id=OuterRef("bureau_id"), entity_id=OuterRef("pk"), criminal=True)
        )  # through the (bureau, entity, date) index
        register_scope("leads.entity", entities_under, criminal=Q(criminal_named))
        register_scope("leads.cluster", lambda u: Q())
        register_scope("leads.extractionrun", lambda u: Q())
        for role in (Role.INVESTIGATION_CENTER,):
            grant(role, "leads.mention", "v", "criminal")
            grant(role, "leads.entity", "v", "criminal")
            grant(role, "leads.cluster", "v", "bureau")
            grant(role, "leads.extractionrun", "va", "bureau")
        for role in (Role.BUREAU_COMMAND, Role.AUDITOR):
            grant(role, "leads.mention", "v", "bureau")
            grant(role, "leads.entity", "v", "bureau")
            grant(role, "leads.cluster", "v", "bureau")
            grant(role, "leads.extractionrun", "v", "bureau")
        for role in (Role.STATION_CHIEF, Role.ZONE_LEAD):
            grant(role, "leads.mention", "v")
            grant(role, "leads.entity", "v")

        register(
            JobKind(
                name="leads",
                label=_("Leads extraction"),
                run=run_extraction,
                on_ended=mark_run_ended,
                phases={"extract": _("Reading records"), "cluster": _("Finding clusters")},
                url=lambda job: reverse("leads:run_detail", args=[job.target_id]),
                cap=1,
                time_limit=3 * 3600,
                memory_limit=2048,
            )
        )


def entities_under(unit):
    """Entities named by a record in ``unit``'s area (every entity at headquarters)."""
    from django.db.models import Q

    from .models import Mention

    if unit.kind == "headquarters":
        return Q()
    return Q(
        pk__in=Mention.objects.filter(bureau_id=unit.bureau_id, unit__path__startswith=unit.path).values(
            "entity_id"
        )
    )
