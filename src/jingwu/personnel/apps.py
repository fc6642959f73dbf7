from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonnelConfig(AppConfig):
    name = "jingwu.personnel"
    label = "personnel"
    verbose_name = _("Personnel")

    def ready(self) -> None:
        from django.db.models import Q

        from jingwu.core.clock import register_data_date_source
        from jingwu.core.scope import prefix_q, register_scope

        register_scope("personnel.officer", officers_under)
        register_scope("personnel.officerskill", lambda u: prefix_q(officers_under(u), "officer__"))
        register_scope("personnel.posting", lambda u: Q(unit__path__startswith=u.path))
        register_data_date_source(posting_days)


def officers_under(unit):
    """Officers posted today in ``unit`` or below it (everyone at headquarters)."""
    import datetime as dt

    from django.db.models import Q

    from .models import Posting

    if unit.kind == "headquarters":
        return Q()
    today = dt.date.today()
    posted = Posting.objects.filter(
        bureau_id=unit.bureau_id, unit__path__startswith=unit.path, start__lte=today
    ).filter(Q(end__isnull=True) | Q(end__gte=today))
    return Q(pk__in=posted.values("officer_id"))


def posting_days(bureau, today):
    """For the data date: the latest posting start and end up to the bureau's today."""
    from django.db.models import Max

    from .models import Posting

    postings = Posting.objects.filter(bureau_id=bureau.pk)
    agg = postings.filter(start__lte=today).aggregate(s=Max("start"))
    agg |= postings.filter(end__lte=today).aggregate(e=Max("end"))
    return list(agg.values())
