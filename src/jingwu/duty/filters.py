"""Filters of the grid work log."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jingwu.core.filters import StyledFilterSet
from jingwu.org.filters import AreaUnitFilter
from jingwu.personnel.filters import officer_choice

from .choices import WorkKind
from .models import GridWork, RosterEntry


def _in_grids_under(unit) -> Q:
    return Q(grid__path__startswith=unit.path)


def _day(lookup: str, label) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        field_name="day",
        lookup_expr=lookup,
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class WorkFilter(StyledFilterSet):
    """Grid work logged: by the unit its grid lies under, kind and day (the dashboard's grid work hours)."""

    unit = AreaUnitFilter(lookup_for=_in_grids_under)
    kind = django_filters.ChoiceFilter(label=_("Kind of work"), choices=WorkKind.choices)
    day_from = _day("gte", _("From"))
    day_to = _day("lte", _("To"))
    officer = officer_choice()

    class Meta:
        model = GridWork
        fields = ["unit", "kind", "day_from", "day_to", "officer"]


class EntryFilter(StyledFilterSet):
    """Duty in the published rosters: by officer and day (the dashboard's shifts per officer)."""

    officer = officer_choice()
    day_from = _day("gte", _("From"))
    day_to = _day("lte", _("To"))

    class Meta:
        model = RosterEntry
        fields = ["officer", "day_from", "day_to"]
