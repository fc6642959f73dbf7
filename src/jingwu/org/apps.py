from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "jingwu.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.core.scope import register_scope

        register_scope("org.unit", lambda u: Q(path__startswith=u.path))
