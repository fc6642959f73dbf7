"""The REST API of cases: read-only (cases are written by no service yet)."""

from __future__ import annotations

from rest_framework import mixins, serializers

from jingwu.core.api import ScopedViewSet

from .filters import CaseFilter
from .models import Case
from .selectors import cases_for


class CaseSerializer(serializers.ModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True, allow_null=True)
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    owning_unit_name = serializers.CharField(source="owning_unit.name", read_only=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "bureau",
            "number",
            "kind",
            "category",
            "category_code",
            "category_name",
            "title",
            "summary",
            "owning_unit",
            "owning_unit_name",
            "status",
            "opened_at",
            "deadline",
            "closed_at",
        ]
        read_only_fields = fields


class CaseViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
):
    """Cases owned by the caller's units (the investigation center: criminal cases bureau-wide)."""

    model = Case
    selector = staticmethod(cases_for)
    ordering = ("-opened_at", "-id")
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
