from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "jingwu.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.core.scope import register_scope

        register_scope(
            "cases.case", lambda u: Q(owning_unit__path__startswith=u.path), criminal=Q(kind="criminal")
        )
        register_scope("cases.series", series_under, criminal=Q())
        register_scope("cases.petition", lambda u: Q(unit__path__startswith=u.path), criminal=Q())


def series_under(unit):
    """Series with an incident in ``unit``'s area (every series at headquarters)."""
    from django.db.models import Q

    from jingwu.core.scope import area_q
    from jingwu.incidents.models import Incident

    from .models import SeriesIncident

    if unit.kind == "headquarters":
        return Q()
    inc = Incident.objects.filter(area_q(unit, "zone_id"), bureau_id=unit.bureau_id).values("pk")
    return Q(pk__in=SeriesIncident.objects.filter(incident_id__in=inc).values("series_id"))
