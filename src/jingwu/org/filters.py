"""Filters of the unit tree (the API's unit list)."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingwu.core.filters import StyledFilterSet, UnitFilter

from .choices import UNIT_KIND_CHOICES
from .models import Unit


def _subtree(unit: Unit) -> Q:
    return Q(path__startswith=unit.path)


class UnitListFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Code or name"), method="search")
    unit = UnitFilter(lookup_for=_subtree, label=_("Within unit"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=UNIT_KIND_CHOICES)
    current = django_filters.BooleanFilter(label=_("Valid today"), method="valid_today")

    class Meta:
        model = Unit
        fields = ["q", "unit", "kind", "current"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value)
        )

    def valid_today(self, queryset, name, value):
        if value is None:
            return queryset
        current = queryset.current(dt.date.today())
        return current if value else queryset.exclude(pk__in=current.values("pk"))
