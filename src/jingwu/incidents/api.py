"""The REST API of incidents (calls for service).

The reporter is a person: the API shows the name and phone masked only, and reading
one incident is audited like the incident page. Incidents are recorded here; there
is no service to change one, so they are not changed through the API.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers
from rest_framework.response import Response

from jingwu.core import audit
from jingwu.core.api import ScopedViewSet, ServiceModelSerializer, actor_bureau

from .filters import CallbackFilter, IncidentFilter
from .models import Callback, Incident
from .selectors import callbacks_for, incidents_for
from .services import do_record_callback, do_record_incident


class IncidentSerializer(ServiceModelSerializer):
    category_code = serializers.CharField(source="category.code", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    reporter_masked = serializers.CharField(read_only=True)
    reporter_phone_masked = serializers.CharField(read_only=True)
    allow_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_(
            "Record even when an incident of the same category was recorded nearby shortly before or after."
        ),
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "bureau",
            "number",
            "source_system",
            "external_id",
            "received_at",
            "category",
            "category_code",
            "category_name",
            "source",
            "lon",
            "lat",
            "address",
            "description",
            "reporter_name",
            "reporter_phone",
            "reporter_masked",
            "reporter_phone_masked",
            "grid",
            "zone",
            "station",
            "dispatched_at",
            "arrived_at",
            "cleared_at",
            "status",
            "allow_duplicate",
        ]
        read_only_fields = ["bureau", "number", "grid", "zone", "station"]
        extra_kwargs = {
            "reporter_name": {"write_only": True},
            "reporter_phone": {"write_only": True},
            "lon": {"required": True, "allow_null": False},
            "lat": {"required": True, "allow_null": False},
        }
        validators: list = []  # the services check uniqueness, with their own messages


class IncidentViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    """Incidents in the caller's area (the investigation center: criminal ones bureau-wide)."""

    model = Incident
    selector = staticmethod(incidents_for)
    ordering = ("-received_at", "-id")
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter

    def retrieve(self, request, *args, **kwargs):
        incident = self.get_object()
        with transaction.atomic():  # the reporter is a person: looking is on record
            audit.record(
                "view",
                actor=request.user,
                bureau=incident.bureau,
                obj=incident,
                unit_path=incident.grid.path if incident.grid else "",
            )
        return Response(self.get_serializer(incident).data)

    def create_object(self, data):
        return do_record_incident(actor=self.request.user, bureau=actor_bureau(self.request.user), **data)


class CallbackSerializer(ServiceModelSerializer):
    incident = serializers.IntegerField(source="incident_id", help_text=_("The incident's id."))
    incident_number = serializers.CharField(source="incident.number", read_only=True)
    officer = serializers.IntegerField(source="officer_id", read_only=True, allow_null=True)

    class Meta:
        model = Callback
        fields = [
            "id",
            "bureau",
            "incident",
            "incident_number",
            "called_at",
            "result",
            "note",
            "complaint",
            "officer",
        ]
        read_only_fields = ["bureau", "officer"]
        validators: list = []


class CallbackViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    """Callbacks to the reporters of the incidents the caller sees (警情回访); recorded through
    ``do_record_callback`` (the incident's area, one completed callback per incident)."""

    model = Callback
    selector = staticmethod(callbacks_for)
    ordering = ("-called_at", "-id")
    serializer_class = CallbackSerializer
    filterset_class = CallbackFilter

    def create_object(self, data):
        from rest_framework.exceptions import NotFound

        incident = incidents_for(self.request.user).filter(pk=data.pop("incident_id")).first()
        if incident is None:
            raise NotFound()
        return do_record_callback(incident, actor=self.request.user, **data)
