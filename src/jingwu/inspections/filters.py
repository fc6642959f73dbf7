import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingwu.core.filters import StyledFilterSet
from jingwu.core.scope import area_q
from jingwu.org.filters import AreaUnitFilter, UnitFilter
from jingwu.personnel.filters import officer_choice
from jingwu.places.choices import PREMISES_CATEGORY_CHOICES
from jingwu.places.models import Premises

from .choices import DUE_STATE_CHOICES, RISK_LEVEL_CHOICES, TIMER_KIND_CHOICES, VISIT_STATUS_CHOICES
from .models import LegalTimer, Visit
from .scope import by_premises


class DueFilter(StyledFilterSet):
    """Premises for the due-work page; ``state`` and ``risk`` are applied after the assessment."""

    q = django_filters.CharFilter(label=_("Name or address"), method="search")
    unit = UnitFilter(lookup_for=area_q)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=PREMISES_CATEGORY_CHOICES)
    state = django_filters.ChoiceFilter(label=_("Due"), choices=DUE_STATE_CHOICES, method="keep")
    risk = django_filters.ChoiceFilter(label=_("Risk"), choices=RISK_LEVEL_CHOICES, method="keep")

    class Meta:
        model = Premises
        fields = ["q", "unit", "category", "state", "risk"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else queryset

    def keep(self, queryset, name, value):
        return queryset


TIMER_VIEW_CHOICES = [
    ("alerts", _("Overdue or missing")),
    ("open", _("Running")),
    ("closed", _("Closed")),
]


class TimerFilter(StyledFilterSet):
    unit = UnitFilter(lookup_for=by_premises)
    kind = django_filters.ChoiceFilter(label=_("Obligation"), choices=TIMER_KIND_CHOICES)
    show = django_filters.ChoiceFilter(label=_("Show"), choices=TIMER_VIEW_CHOICES, method="by_state")

    class Meta:
        model = LegalTimer
        fields = ["unit", "kind", "show"]

    def by_state(self, queryset, name, value):
        from .selectors import alert_q
        from .services import bureau_now

        if not value:
            return queryset
        bureau = self.request and _one_bureau(queryset)
        if bureau is None:
            return queryset.none()
        now = bureau_now(bureau)
        if value == "alerts":
            return queryset.filter(alert_q(now))
        if value == "open":
            return queryset.filter(done_at__isnull=True).exclude(alert_q(now))
        return queryset.filter(done_at__isnull=False)


def _one_bureau(queryset):
    from jingwu.core.models import Bureau

    ids = list(queryset.order_by().values_list("bureau_id", flat=True).distinct()[:2])
    return Bureau.objects.get(pk=ids[0]) if len(ids) == 1 else None


class VisitFilter(StyledFilterSet):
    """Inspection visits: by the unit of their premises, status and day (the dashboard's visits done)."""

    unit = AreaUnitFilter(lookup_for=by_premises)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=VISIT_STATUS_CHOICES)
    day_from = django_filters.DateFilter(
        field_name="day",
        lookup_expr="gte",
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    day_to = django_filters.DateFilter(
        field_name="day",
        lookup_expr="lte",
        label=_("To"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    # the officer who recorded the visit (the dashboard's visits per officer)
    officer = officer_choice("recorded_by__officer")

    class Meta:
        model = Visit
        fields = ["unit", "status", "day_from", "day_to", "officer"]
