"""The REST API of the unit tree, and the pieces every app's API is built from.

Reads go through each app's selector (the scoping layer), so an object outside the
caller's scope is absent: 404, exactly as on the pages. Writes go through the service
functions with ``actor=request.user``; their ``ValidationError`` becomes a 400 with the
field errors and their ``PermissionDenied`` a 403. Nothing is deleted through the API.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers

from jingwu.core.api import (
    ScopedPrimaryKeyRelatedField,
    ScopedViewSet,
    ServiceModelSerializer,
    actor_bureau,
    reason_field,
)

from .filters import UnitListFilter
from .models import Unit
from .selectors import units_for

# --- shared pieces -------------------------------------------------------------------


class UnitSerializer(ServiceModelSerializer):
    parent = ScopedPrimaryKeyRelatedField(
        selector=units_for, model=Unit, required=False, allow_null=True, label=_("parent unit")
    )
    name = serializers.CharField(read_only=True, help_text=_("The name in the active language."))
    reason = reason_field()

    class Meta:
        model = Unit
        fields = [
            "id",
            "bureau",
            "parent",
            "path",
            "depth",
            "kind",
            "code",
            "name",
            "name_zh",
            "name_en",
            "station_type",
            "boundary",
            "area_km2",
            "base_lon",
            "base_lat",
            "households",
            "residents",
            "floating",
            "valid_from",
            "valid_to",
            "reason",
        ]
        read_only_fields = ["bureau", "path", "depth", "area_km2"]
        validators: list = []  # the services check uniqueness, with their own messages


class UnitViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Units of the bureau the caller may see (the unit and everything below it)."""

    model = Unit
    selector = staticmethod(units_for)
    ordering = ("path",)
    serializer_class = UnitSerializer
    filterset_class = UnitListFilter

    def create_object(self, data):
        from .services import do_create_unit

        parent = data.pop("parent", None)
        bureau = parent.bureau if parent is not None else actor_bureau(self.request.user)
        return do_create_unit(actor=self.request.user, bureau=bureau, parent=parent, **data)

    def update_object(self, unit, data, reason):
        from .services import do_update_unit

        for key in ("parent", "kind"):  # unchanged values are fine; the service refuses changes
            if key in data and data[key] == getattr(unit, key):
                del data[key]
        return do_update_unit(unit, actor=self.request.user, reason=reason, **data)
