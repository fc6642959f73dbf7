"""The REST API of key premises (the responsible person's phone is shown masked only)."""

from __future__ import annotations

from rest_framework import mixins, serializers

from jingwu.core.api import ScopedViewSet, ServiceModelSerializer, actor_bureau, reason_field

from .filters import PremisesFilter
from .models import Premises
from .selectors import premises_for
from .services import do_create_premises, do_update_premises


class PremisesSerializer(ServiceModelSerializer):
    phone_masked = serializers.CharField(read_only=True)
    reason = reason_field()

    class Meta:
        model = Premises
        fields = [
            "id",
            "bureau",
            "external_id",
            "category",
            "name",
            "address",
            "lon",
            "lat",
            "grid",
            "station",
            "responsible_person",
            "responsible_phone",
            "phone_masked",
            "licence_no",
            "status",
            "employees",
            "reason",
        ]
        read_only_fields = ["bureau", "grid", "station"]
        extra_kwargs = {"responsible_phone": {"write_only": True}}
        validators: list = []  # the services check uniqueness, with their own messages


class PremisesViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Key premises in the caller's area; grid and station follow from the location."""

    model = Premises
    selector = staticmethod(premises_for)
    ordering = ("station__code", "name", "id")
    serializer_class = PremisesSerializer
    filterset_class = PremisesFilter

    def create_object(self, data):
        return do_create_premises(actor=self.request.user, bureau=actor_bureau(self.request.user), **data)

    def update_object(self, premises, data, reason):
        return do_update_premises(premises, actor=self.request.user, reason=reason, **data)
