from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "jingwu.evaluation"
    label = "evaluation"
    verbose_name = _("Four-Star Officer evaluation")

    def ready(self) -> None:
        from django.urls import reverse

        from jingwu.jobs.registry import JobKind, register

        from . import rules
        from .services import SUPPORT_JOB, run_support_job

        rules.declare()
        register(
            JobKind(
                name=SUPPORT_JOB,
                label=_("Early support check"),
                run=run_support_job,
                phases={"find": _("Reading complaints, training and night work"), "flag": _("Flagging")},
                url=lambda job: reverse("evaluation:support"),
                cap=1,
                time_limit=1800,
                memory_limit=1024,
            )
        )
        post_migrate.connect(schedule_sweep, sender=self)


def schedule_sweep(sender, using="default", **kwargs) -> None:
    """Every day: the evaluation's reminders, and the early-support check (``tasks.sweep``)."""
    from django_q.models import Schedule

    Schedule.objects.using(using).update_or_create(
        name="jingwu-evaluation-sweep",
        defaults={
            "func": "jingwu.evaluation.tasks.sweep",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
        },
    )
