"""The REST API of cases: read, open, change, and the steps of a case (through the services).

- ``POST /api/v1/cases/`` opens a case from ``incidents`` (ids);
- ``PATCH /api/v1/cases/{id}/`` changes title, summary, category, deadline or status;
- ``POST /api/v1/cases/{id}/transfer/`` (``to_unit``, ``reason``), ``…/suspend/``
  (``reason``), ``…/close/`` (``outcome``: closed or withdrawn, ``reason``) and
  ``…/reopen/`` (``reason``).

Nothing is deleted; the owner changes by a hand-off only.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jingwu.core.api import (
    NOT_HERE,
    ScopedViewSet,
    ServiceModelSerializer,
    actor_bureau,
    reason_field,
    service_errors,
)
from jingwu.core.scope import can_object
from jingwu.incidents.models import IncidentCategory

from .filters import CaseFilter
from .models import Case
from .selectors import cases_for
from .services import (
    do_close_case,
    do_open_case,
    do_reopen_case,
    do_suspend_case,
    do_transfer_case,
    do_update_case,
)


class CaseSerializer(ServiceModelSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=IncidentCategory.objects.all(), required=False, allow_null=True
    )
    category_code = serializers.CharField(source="category.code", read_only=True, allow_null=True)
    category_name = serializers.CharField(source="category.name", read_only=True, allow_null=True)
    owning_unit_name = serializers.CharField(source="owning_unit.name", read_only=True)
    incidents = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        write_only=True,
        help_text=_("Ids of the incidents the case is opened from."),
    )
    reason = reason_field()

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
            "amount_lost",
            "suspected_series",
            "incidents",
            "reason",
        ]
        read_only_fields = ["bureau", "number", "opened_at", "closed_at"]
        extra_kwargs = {
            "kind": {"required": False},
            "title": {"required": False},
            "owning_unit": {"required": False},
            "status": {"required": False},
            "suspected_series": {"required": False, "allow_null": True, "default": None},
        }
        validators: list = []


class TransferSerializer(serializers.Serializer):
    to_unit = serializers.IntegerField()
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class CloseSerializer(ReasonSerializer):
    outcome = serializers.ChoiceField(choices=list(Case.ENDED_STATUSES), default="closed")


class CaseViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Cases owned by the caller's units (the investigation center: criminal cases bureau-wide)."""

    model = Case
    selector = staticmethod(cases_for)
    ordering = ("-opened_at", "-id")
    serializer_class = CaseSerializer
    filterset_class = CaseFilter

    def create_object(self, data):
        return do_open_case(actor=self.request.user, bureau=actor_bureau(self.request.user), **data)

    def update_object(self, case, data, reason):
        data.pop("incidents", None)
        owner = data.pop("owning_unit", None)
        if owner is not None and owner.pk != case.owning_unit_id:
            raise exceptions.ValidationError({"owning_unit": [str(_HAND_OFF)]})
        if "kind" in data and data["kind"] != case.kind:
            raise exceptions.ValidationError({"kind": [str(_KIND_FIXED)]})
        data.pop("kind", None)
        return do_update_case(case, actor=self.request.user, reason=reason, **data)

    def _step(self, request, serializer_class, call):
        case = self.get_object()
        if not can_object(request.user, case, "change"):
            raise exceptions.PermissionDenied(NOT_HERE)
        s = serializer_class(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            case = call(case, **s.validated_data)
        return Response(self.get_serializer(self.reload(case)).data)

    @extend_schema(request=TransferSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        return self._step(
            request,
            TransferSerializer,
            lambda case, to_unit, reason: do_transfer_case(
                case, actor=request.user, to_unit=to_unit, reason=reason
            ),
        )

    @extend_schema(request=ReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._step(
            request,
            ReasonSerializer,
            lambda case, reason: do_suspend_case(case, actor=request.user, reason=reason),
        )

    @extend_schema(request=CloseSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._step(
            request,
            CloseSerializer,
            lambda case, outcome, reason: do_close_case(
                case, actor=request.user, outcome=outcome, reason=reason
            ),
        )

    @extend_schema(request=ReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._step(
            request,
            ReasonSerializer,
            lambda case, reason: do_reopen_case(case, actor=request.user, reason=reason),
        )


_HAND_OFF = _("The owner changes by a hand-off: POST …/transfer/ with to_unit and reason.")
_KIND_FIXED = _("A case's kind is set when it is opened.")
