"""The filters of the follow-up list (possible victims who never reported)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from jingwu.core.filters import StyledFilterSet

from .models import LeadSource, LeadStatus, UnreportedLead


class LeadFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(label=_("Follow-up"), choices=LeadStatus.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=LeadSource.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue")
    series = django_filters.NumberFilter(label=_("Series"), field_name="series_id")

    class Meta:
        model = UnreportedLead
        fields = ["status", "source", "overdue", "series"]

    def filter_overdue(self, qs, name, value):
        from .selectors import overdue_q

        if value is None:
            return qs
        ids = set(qs.values_list("bureau_id", flat=True).distinct().order_by())
        q = overdue_q(ids)
        return qs.filter(q) if value else qs.exclude(q)
