from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "jingwu.imports"
    label = "imports"
    verbose_name = _("Imports and exports")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import PERMISSIONS, allowed, grant
        from jingwu.core.scope import register_scope

        from .kinds import HANDLERS

        # Whoever may add rows of a kind that imports may import: they see and start
        # their own jobs and use (and edit) the bureau's saved mappings. Auditors read
        # every job of their bureau. Derived from the table, so it follows it.
        labels = [h.model()._meta.label_lower for h in HANDLERS.values()]
        for role in list(PERMISSIONS):
            if any(allowed(role, label, "add")[0] for label in labels):
                grant(role, "imports.importjob", "va", "own")
                grant(role, "imports.importmapping", "vac", "bureau")
        grant(Role.AUDITOR, "imports.importjob", "v", "bureau")
        register_scope("imports.importjob", lambda unit: Q(), owner="user")
        register_scope("imports.importmapping", lambda unit: Q())
        register_job_kind()


def register_job_kind() -> None:
    """Imports run as jobs of the kind ``import`` (two at once; two hours and 2 GB each)."""
    from django.urls import reverse

    from jingwu.jobs.registry import JobKind, register

    from .services import import_run_ended, run_import_job

    register(
        JobKind(
            name="import",
            label=_("Import"),
            run=run_import_job,
            on_ended=import_run_ended,
            phases={"check": _("Checking rows"), "apply": _("Saving")},
            url=lambda job: reverse("imports:job_detail", args=[job.target_id]),
            cap=2,
            time_limit=2 * 3600,
            memory_limit=2048,
        )
    )
