"""The REST API of duty rosters and their entries (read-only; the same scoping as the pages)."""

from __future__ import annotations

import django_filters
from rest_framework import mixins, serializers

from jingwu.core.api import ScopedViewSet
from jingwu.core.scope import restrict

from .models import Roster, RosterEntry


def _rosters(user, action: str = "view"):
    return restrict(Roster.objects.select_related("station"), user, action)


def _entries(user, action: str = "view"):
    return restrict(RosterEntry.objects.select_related("officer", "zone"), user, action)


class RosterSerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    end = serializers.DateField(read_only=True)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = Roster
        fields = [
            "id",
            "bureau",
            "station",
            "station_name",
            "start",
            "end",
            "days",
            "status",
            "pattern",
            "summary",
        ]
        read_only_fields = fields

    def get_summary(self, obj) -> dict:
        r = obj.results or {}
        keys = (
            "status",
            "staff",
            "people_needed",
            "people_short",
            "leads_short",
            "coverage_share",
            "fairness",
        )
        return {k: r.get(k) for k in keys if k in r}


class RosterEntrySerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    police_number = serializers.CharField(source="officer.police_number", read_only=True)
    zone_name = serializers.CharField(source="zone.name", read_only=True)

    class Meta:
        model = RosterEntry
        fields = [
            "id",
            "roster",
            "officer",
            "officer_name",
            "police_number",
            "day",
            "shift",
            "start",
            "end",
            "zone",
            "zone_name",
            "lead",
        ]
        read_only_fields = fields


class RosterEntryFilter(django_filters.FilterSet):
    day = django_filters.DateFilter()
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = RosterEntry
        fields = ["roster", "zone", "officer", "day"]


class RosterViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Duty rosters of the caller's stations (headquarters and the auditor: every station)."""

    model = Roster
    selector = staticmethod(_rosters)
    ordering = ("-start", "-id")
    serializer_class = RosterSerializer
    filterset_fields = ["station", "status"]


class RosterEntryViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Who is on duty where and when: ``?roster=``, ``?zone=``, ``?day=`` or ``?day_from=&day_to=``."""

    model = RosterEntry
    selector = staticmethod(_entries)
    ordering = ("day", "start", "zone_id", "officer_id")
    serializer_class = RosterEntrySerializer
    filterset_class = RosterEntryFilter
