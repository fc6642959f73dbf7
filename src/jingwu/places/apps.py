from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacesConfig(AppConfig):
    name = "jingwu.places"
    label = "places"
    verbose_name = _("Key premises")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.core.scope import area_q, register_scope

        register_scope("places.premises", area_q)
        register_scope("places.inspectionelement", lambda u: Q())
        register_scope("places.elementrequirement", lambda u: Q())
