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

        register_scope(
            "incidents.incident", lambda u: area_q(u, "zone_id"), criminal=Q(category__criminal=True)
        )
        register_data_date_source(incident_days)


def incident_days(bureau, today):
    """For the data date: the local day of the bureau's last incident received."""
    from .selectors import last_incident_day

    return [last_incident_day(bureau)]
