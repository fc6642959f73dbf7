import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingwu.core.filters import StyledFilterSet
from jingwu.core.scope import area_q
from jingwu.org.filters import UnitFilter

from .choices import PREMISES_CATEGORY_CHOICES, PREMISES_STATUS_CHOICES
from .models import Premises


class PremisesFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Name or address"), method="search")
    unit = UnitFilter(lookup_for=area_q)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=PREMISES_CATEGORY_CHOICES)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PREMISES_STATUS_CHOICES)

    class Meta:
        model = Premises
        fields = ["q", "unit", "category", "status"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value)) if value else queryset
