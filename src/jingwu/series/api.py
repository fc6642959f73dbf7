"""The REST API of series (串并案): candidate links, scoring runs and the series built from them.

- ``GET /api/v1/series-links/`` (``?run=ID``, ``?decision=open|confirmed|rejected``,
  ``?min_probability=0.5``), ``POST …/{id}/confirm/`` and ``…/{id}/reject/`` (``note``);
- ``GET /api/v1/series-runs/``; ``POST /api/v1/series-runs/`` (``days``, ``method``)
  starts a scoring run as a job;
- ``GET /api/v1/series/`` and ``…/{id}/`` (with the member incidents the caller sees);
  ``POST /api/v1/series/`` (``name``, ``links``, ``note``) builds a series from confirmed links.

The same scoping as the pages: the investigation center decides; command and auditors
read the board; stations see the series touching their area; nobody else sees anything.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jingwu.cases.models import Series
from jingwu.core.api import NOT_HERE, ScopedViewSet, ServiceModelSerializer, actor_bureau, service_errors
from jingwu.core.scope import can, can_object, restrict

from . import selectors, services
from .models import CandidateLink, LinkRun, LinkStatus


def links_for(user, action: str = "view"):
    return restrict(CandidateLink, user, action).select_related("incident_a", "incident_b")


def runs_for(user, action: str = "view"):
    return restrict(LinkRun, user, action)


class CandidateLinkSerializer(serializers.ModelSerializer):
    incident_a_number = serializers.CharField(source="incident_a.number", read_only=True)
    incident_b_number = serializers.CharField(source="incident_b.number", read_only=True)
    decision = serializers.CharField(source="status", read_only=True)
    reasons = serializers.SerializerMethodField()

    class Meta:
        model = CandidateLink
        fields = [
            "id",
            "bureau",
            "run",
            "incident_a",
            "incident_a_number",
            "incident_b",
            "incident_b_number",
            "probability",
            "features",
            "reasons",
            "decision",
            "decided_by",
            "decided_at",
            "note",
        ]
        read_only_fields = fields

    def get_reasons(self, obj) -> list[str]:
        return [str(r) for r in selectors.reasons_of(obj)]


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")


_BAD_DECISION = _("decision is open, confirmed or rejected.")
_BAD_PROBABILITY = _("min_probability is a number between 0 and 1.")


class CandidateLinkViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Candidate links of the series board, most probable first (investigation center,
    command and auditors). ``POST …/confirm/`` or ``…/reject/`` decides a link once
    (investigation center)."""

    model = CandidateLink
    selector = staticmethod(links_for)
    ordering = ("-probability", "id")
    serializer_class = CandidateLinkSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("run", int, required=False),
            OpenApiParameter("decision", str, enum=list(LinkStatus.values), required=False),
            OpenApiParameter("min_probability", float, required=False),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return qs
        p = self.request.query_params
        if p.get("run", "").isdigit():
            qs = qs.filter(run_id=int(p["run"]))
        decision = p.get("decision", "")
        if decision:
            if decision not in LinkStatus.values:
                raise exceptions.ValidationError({"decision": [str(_BAD_DECISION)]})
            qs = qs.filter(status=decision)
        raw = p.get("min_probability", "")
        if raw:
            try:
                low = float(raw)
            except ValueError:
                low = -1.0
            if not 0.0 <= low <= 1.0:
                raise exceptions.ValidationError({"min_probability": [str(_BAD_PROBABILITY)]})
            qs = qs.filter(probability__gte=low)
        return qs

    def _decide(self, request, decision: str):
        link = self.get_object()
        if not can_object(request.user, link, "change"):
            raise exceptions.PermissionDenied(NOT_HERE)
        s = NoteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        with service_errors():
            link = services.do_decide_link(
                link, actor=request.user, decision=decision, note=s.validated_data["note"]
            )
        return Response(self.get_serializer(self.reload(link)).data)

    @extend_schema(request=NoteSerializer, responses=CandidateLinkSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        return self._decide(request, LinkStatus.CONFIRMED)

    @extend_schema(request=NoteSerializer, responses=CandidateLinkSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, LinkStatus.REJECTED)


class LinkRunSerializer(ServiceModelSerializer):
    days = serializers.IntegerField(
        write_only=True,
        required=False,
        default=365,
        help_text=_("Days scored, up to the bureau's data date (30 to three years)."),
    )

    class Meta:
        model = LinkRun
        fields = [
            "id",
            "bureau",
            "started_by",
            "first_day",
            "last_day",
            "method",
            "status",
            "results",
            "error",
            "created_at",
            "days",
        ]
        read_only_fields = [
            "bureau",
            "started_by",
            "first_day",
            "last_day",
            "status",
            "results",
            "error",
            "created_at",
        ]
        extra_kwargs = {"method": {"required": False, "default": "boosting"}}


class LinkRunViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Scoring runs of the series board, newest first. POST (``days``, ``method``: logistic
    or boosting) starts one as a job over the days up to the bureau's data date
    (investigation center; one run at a time)."""

    model = LinkRun
    selector = staticmethod(runs_for)
    ordering = ("-created_at", "-id")
    serializer_class = LinkRunSerializer

    def create_object(self, data):
        return services.do_start_scoring(
            actor_bureau(self.request.user),
            actor=self.request.user,
            days=data.get("days", 365),
            method=data.get("method", "boosting"),
        )


class SeriesSerializer(ServiceModelSerializer):
    links = serializers.ListField(
        child=serializers.IntegerField(),
        write_only=True,
        help_text=_("Ids of the confirmed links the series is built from."),
    )

    class Meta:
        model = Series
        fields = ["id", "bureau", "code", "name", "origin", "note", "created_at", "links"]
        read_only_fields = ["bureau", "code", "origin", "created_at"]
        extra_kwargs = {"note": {"required": False}}
        validators: list = []


class SeriesMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    received_at = serializers.DateTimeField()
    category = serializers.CharField(source="category.code", allow_null=True)
    station = serializers.IntegerField(source="station_id", allow_null=True)
    lon = serializers.FloatField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)


class SeriesDetailSerializer(SeriesSerializer):
    incidents = serializers.SerializerMethodField()
    hidden_incidents = serializers.SerializerMethodField(
        help_text=_("Incidents of the series outside the caller's area.")
    )

    class Meta(SeriesSerializer.Meta):
        fields = [*SeriesSerializer.Meta.fields, "incidents", "hidden_incidents"]

    def _members(self, obj):
        if getattr(obj, "_members", None) is None:
            obj._members = selectors.members(self.context["request"].user, obj)
        return obj._members

    @extend_schema_field(SeriesMemberSerializer(many=True))
    def get_incidents(self, obj):
        return SeriesMemberSerializer(self._members(obj)[0], many=True).data

    def get_hidden_incidents(self, obj) -> int:
        return self._members(obj)[1]


class SeriesViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """Series (串并案) the caller sees (stations: those touching their area); the detail lists
    the member incidents the caller sees. POST (``name``, ``links``, ``note``) builds a series
    of the incidents of confirmed links (investigation center)."""

    model = Series
    selector = staticmethod(lambda user, action="view": restrict(Series, user, action))
    ordering = ("-id",)
    serializer_class = SeriesSerializer

    def get_serializer_class(self):
        return SeriesDetailSerializer if self.action in ("retrieve", "create") else SeriesSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "create" and not can(request.user, CandidateLink, "change"):
            raise exceptions.PermissionDenied(NOT_HERE)

    def create_object(self, data):
        return services.do_build_series(
            actor_bureau(self.request.user),
            actor=self.request.user,
            name=data.get("name", ""),
            link_ids=data.get("links", []),
            note=data.get("note", ""),
        )
