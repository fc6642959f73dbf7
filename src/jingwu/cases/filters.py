"""Filters of the case list (the API's)."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingwu.core.clock import local_day_filter
from jingwu.core.filters import StyledFilterSet
from jingwu.incidents.filters import CategoryFilter
from jingwu.incidents.models import IncidentCategory
from jingwu.org.filters import UnitFilter

from .choices import CASE_KIND_CHOICES, CASE_STATUS_CHOICES
from .models import Case


def _owned_under(unit) -> Q:
    return Q(owning_unit__path__startswith=unit.path)


UNSOLVED_CHOICES = [("yes", _("Unsolved and not ended"))]


class CaseFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Number or title"), method="search")
    unit = UnitFilter(lookup_for=_owned_under)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=CASE_KIND_CHOICES)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CASE_STATUS_CHOICES)
    # the dashboard's open cases: registered, under investigation or suspended
    unsolved = django_filters.ChoiceFilter(label=_("Open"), choices=UNSOLVED_CHOICES, method="only_unsolved")
    category = CategoryFilter(label=_("Category"), queryset=IncidentCategory.objects.order_by("code"))
    # the bureau's local days, as a range on the time
    opened_from = local_day_filter("opened_at", "from", _("From"))
    opened_to = local_day_filter("opened_at", "to", _("To"))

    class Meta:
        model = Case
        fields = ["q", "unit", "kind", "status", "unsolved", "category", "opened_from", "opened_to"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(number__icontains=value) | Q(title__icontains=value)) if value else queryset

    def only_unsolved(self, queryset, name, value):
        return queryset.exclude(status__in=Case.SETTLED_STATUSES) if value == "yes" else queryset
