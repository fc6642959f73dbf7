import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingwu.core.clock import local_day_filter
from jingwu.core.filters import StyledFilterSet
from jingwu.core.scope import area_q
from jingwu.org.filters import AreaUnitFilter
from jingwu.personnel.filters import officer_choice

from .choices import SOURCE_CHOICES, STATUS_CHOICES, CallbackResult
from .models import Callback, Incident, IncidentCategory


class CategoryFilter(django_filters.ModelChoiceFilter):
    """A family (two-digit code) selects all its categories."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(Q(category=value) | Q(category__parent=value))


NIGHT_CHOICES = [("yes", _("Night call-outs (received 22:00-06:00, an officer arrived)"))]


class IncidentFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Number or address"), method="search")
    # grids among the choices: a grid's dashboard opens its own incidents
    unit = AreaUnitFilter(lookup_for=area_q)
    category = CategoryFilter(label=_("Category"), queryset=IncidentCategory.objects.order_by("code"))
    source = django_filters.ChoiceFilter(label=_("Source"), choices=SOURCE_CHOICES)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES)
    # the bureau's local days, as a range on the time (the bureau's time index serves it)
    received_from = local_day_filter("received_at", "from", _("From"))
    received_to = local_day_filter("received_at", "to", _("To"))
    # the dashboards' night call-outs, by each row's bureau's local hour
    night = django_filters.ChoiceFilter(label=_("Night"), choices=NIGHT_CHOICES, method="only_night")

    class Meta:
        model = Incident
        fields = ["q", "unit", "category", "source", "status", "received_from", "received_to", "night"]

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(number__icontains=value) | Q(address__icontains=value)) if value else queryset
        )

    def only_night(self, queryset, name, value):
        from jingwu.core.clock import zone, zones_of_bureaus
        from jingwu.core.scope import user_bureau_ids

        from .selectors import night_callouts

        if value != "yes":
            return queryset
        user = getattr(getattr(self, "request", None), "user", None)
        ids = None
        if user is not None and not getattr(user, "is_superuser", False):
            ids = user_bureau_ids(user)
        groups = zones_of_bureaus(ids)
        if len(groups) <= 1:
            return night_callouts(queryset, zone(next(iter(groups), None)))
        q = Q(pk__in=[])
        for name_, bureau_ids in groups.items():
            rows = night_callouts(Incident.objects.filter(bureau_id__in=bureau_ids), zone(name_))
            q |= Q(pk__in=rows.values("pk"))
        return queryset.filter(q)


def _callbacks_in_area(unit) -> Q:
    """Callbacks of the incidents in ``unit``'s area (a grid too)."""
    from jingwu.core.scope import prefix_q

    return prefix_q(area_q(unit, "zone_id"), "incident__")


class CallbackFilter(StyledFilterSet):
    """Callbacks to reporters: by the unit of the incident's area, the local days of the call,
    the result and complaints (the dashboard's public satisfaction opens this list)."""

    unit = AreaUnitFilter(lookup_for=_callbacks_in_area)
    result = django_filters.ChoiceFilter(label=_("Result"), choices=CallbackResult.choices)
    complaint = django_filters.BooleanFilter(label=_("Complaint"))
    called_from = local_day_filter("called_at", "from", _("From"))
    called_to = local_day_filter("called_at", "to", _("To"))

    officer = officer_choice()  # who made the call (the dashboard's callbacks per officer)

    class Meta:
        model = Callback
        fields = ["unit", "result", "complaint", "called_from", "called_to", "officer"]
