from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "jingwu.evaluation"
    label = "evaluation"
    verbose_name = _("Four-Star Officer evaluation")

    def ready(self) -> None:
        from . import rules

        rules.declare()
