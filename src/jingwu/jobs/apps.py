from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jingwu.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.accounts.choices import Role
        from jingwu.core.permissions import PERMISSIONS, grant
        from jingwu.core.scope import register_scope

        # Everyone sees (and may cancel) the jobs they started; auditors and command
        # see every job of their bureau. A job's own page is its target's (an import,
        # a scenario), which is scoped by its own model.
        for role in list(PERMISSIONS):
            grant(role, "jobs.job", "vc", "own")
        grant(Role.AUDITOR, "jobs.job", "v", "bureau")
        grant(Role.BUREAU_COMMAND, "jobs.job", "v", "bureau")
        register_scope("jobs.job", lambda unit: Q(), owner="started_by")
        post_migrate.connect(schedule_sweep, sender=self)


def schedule_sweep(sender, using="default", **kwargs) -> None:
    """The worker cluster's minute: resume jobs whose worker died, hand out queued ones."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name="jingwu-jobs-sweep",
        defaults={
            "func": "jingwu.jobs.tasks.sweep",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
        },
    )
