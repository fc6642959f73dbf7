from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "jingwu.incidents"
    label = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.core.clock import register_data_date_source
        from jingwu.core.scope import area_q, register_scope

        from .selectors import last_incident_day

        register_scope(
            "incidents.incident", lambda u: area_q(u, "zone_id"), criminal=Q(category__criminal=True)
        )
        register_data_date_source(lambda bureau, today: [last_incident_day(bureau)])
