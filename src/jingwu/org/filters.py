"""Filters of the unit tree: the unit filter every list and the API use, the API's unit list."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingwu.core.filters import IdFilter, StyledFilterSet

from .choices import UNIT_KIND_CHOICES
from .models import Unit


class UnitFilter(IdFilter):
    """Filter rows by a unit and everything below it; the choices are the units the user sees."""

    def __init__(self, *args, lookup_for=None, **kwargs):
        self.lookup_for = lookup_for
        kwargs.setdefault("label", _("Unit"))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _(
                    "This unit is outside your area or does not exist: choose one from the list."
                )
            },
        )
        kwargs.setdefault("queryset", self._units)
        kwargs.setdefault("method", self.filter_unit)
        super().__init__(*args, **kwargs)

    @staticmethod
    def _units(request):
        from .selectors import units_for

        if request is None:
            return Unit.objects.none()
        return units_for(request.user).current().exclude(kind="grid").order_by("path")

    def filter_unit(self, queryset, name, unit):
        if not unit:
            return queryset
        return queryset.filter(self.lookup_for(unit))


def _subtree(unit: Unit) -> Q:
    return Q(path__startswith=unit.path)


class AreaUnitFilter(UnitFilter):
    """The unit filter with grids among its choices (a grid's dashboard links to its own rows)."""

    @staticmethod
    def _units(request):
        from .selectors import units_for

        if request is None:
            return Unit.objects.none()
        return units_for(request.user).current().order_by("path")


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
