"""The REST API of series (串并案): candidate links, scoring runs and the series built from them.

- ``GET /api/v1/series-links/`` (``?run=ID``, ``?decision=open|confirmed|rejected``,
  ``?min_probability=0.5``), ``POST …/{id}/confirm/`` and ``…/{id}/reject/`` (``note``);
- ``GET /api/v1/series-runs/``; ``POST /api/v1/series-runs/`` (``days``, ``method``)
  starts a scoring run as a job;
- ``GET /api/v1/series/`` and ``…/{id}/`` (with the member incidents the caller sees);
  ``POST /api/v1/series/`` (``name``, ``links``, ``note``) builds a series from confirmed links;
- ``GET /api/v1/series-leads/`` (``?series=ID``, ``?status=``, ``?overdue=true|false``) and
  ``…/{id}/``: possible victims of the series who never reported (未报案被害人/余罪线索);
  ``POST /api/v1/series-leads/`` adds one (``series`` and ``premises`` alone: the one click
  of the proxy list); ``POST …/{id}/outcome/`` records the follow-up's outcome.

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
from jingwu.core.api import (
    NOT_HERE,
    ScopedViewSet,
    ServiceModelSerializer,
    actor_bureau,
    filter_by_id,
    service_errors,
)
from jingwu.core.scope import can, can_object, restrict

from . import selectors, services
from .models import CandidateLink, LeadStatus, LinkRun, LinkStatus, UnreportedLead


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
        qs = filter_by_id(qs, p, "run", "run_id")
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


# --- possible victims who never reported -------------------------------------------------


class UnreportedLeadSerializer(ServiceModelSerializer):
    series = serializers.IntegerField(source="series_id", help_text=_("The series' id."))
    series_code = serializers.CharField(source="series.code", read_only=True)
    premises = serializers.IntegerField(
        source="premises_id",
        required=False,
        allow_null=True,
        help_text=_("Key premises of the proxy list: given alone, a door-to-door lead dated by the series."),
    )
    station = serializers.IntegerField(
        source="station_id",
        required=False,
        allow_null=True,
        help_text=_("The station following up; by default the station of the place."),
    )
    incident_number = serializers.CharField(source="incident.number", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(
        help_text=_("Still to follow up and due before the bureau's data date.")
    )

    class Meta:
        model = UnreportedLead
        fields = [
            "id",
            "bureau",
            "series",
            "series_code",
            "source",
            "first_day",
            "last_day",
            "approximate",
            "description",
            "address",
            "lon",
            "lat",
            "premises",
            "contact_note",
            "station",
            "zone",
            "grid",
            "due",
            "overdue",
            "status",
            "followed_up_by",
            "followed_up_on",
            "outcome_note",
            "incident",
            "incident_number",
            "created_at",
        ]
        read_only_fields = [
            "bureau",
            "zone",
            "grid",
            "status",
            "followed_up_by",
            "followed_up_on",
            "outcome_note",
            "incident",
            "created_at",
        ]
        extra_kwargs = {
            "source": {"required": False},
            "first_day": {"required": False},
            "due": {"required": False},
        }

    def get_overdue(self, obj) -> bool:
        if getattr(obj, "overdue", None) is None:
            selectors.mark_overdue([obj], self.context.setdefault("data_dates", {}))
        return obj.overdue


class OutcomeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[c for c in LeadStatus.choices if c[0] != LeadStatus.TO_CONTACT],
        help_text=_("What the follow-up found."),
    )
    day = serializers.DateField(
        required=False, allow_null=True, help_text=_("By default the bureau's latest day.")
    )
    note = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")
    incident = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("The incident recorded for the report (a report taken).")
    )
    add_to_series = serializers.BooleanField(required=False, default=False)


_BAD_STATUS = _("status is one of: %(values)s.")
_BAD_OVERDUE = _("overdue is true or false.")


class UnreportedLeadViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Possible victims of series who never reported, due first: the center sees all, a station
    the leads of its area (the doors to knock on). POST adds one (the center, station chiefs);
    ``POST …/{id}/outcome/`` records the follow-up (chiefs, community officers, the center)."""

    model = UnreportedLead
    selector = staticmethod(lambda user, action="view": selectors.leads_for(user, action))
    ordering = ("due", "id")
    serializer_class = UnreportedLeadSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("series", int, required=False),
            OpenApiParameter("status", str, enum=list(LeadStatus.values), required=False),
            OpenApiParameter("overdue", bool, required=False),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return qs
        p = self.request.query_params
        qs = filter_by_id(qs, p, "series", "series_id")
        status = p.get("status", "")
        if status:
            if status not in LeadStatus.values:
                raise exceptions.ValidationError(
                    {"status": [str(_BAD_STATUS) % {"values": ", ".join(LeadStatus.values)}]}
                )
            qs = qs.filter(status=status)
        overdue = p.get("overdue", "").lower()
        if overdue:
            if overdue not in ("true", "false"):
                raise exceptions.ValidationError({"overdue": [str(_BAD_OVERDUE)]})
            q = selectors.overdue_q(set(qs.values_list("bureau_id", flat=True).distinct().order_by()))
            qs = qs.filter(q) if overdue == "true" else qs.exclude(q)
        return qs

    def create_object(self, data):
        from jingwu.org.models import Unit
        from jingwu.places.models import Premises

        series = restrict(Series, self.request.user).filter(pk=data.get("series_id")).first()
        if series is None:
            raise exceptions.ValidationError({"series": [str(_("No such series that you may see."))]})
        premises = None
        if data.get("premises_id") is not None:
            premises = restrict(Premises, self.request.user).filter(pk=data["premises_id"]).first()
            if premises is None:
                raise exceptions.ValidationError({"premises": [str(_("No such premises that you may see."))]})
        keys = ("source", "first_day", "description", "address", "lon", "lat", "contact_note")
        if premises is not None and not any(data.get(k) not in (None, "") for k in keys):
            return services.do_add_lead_from_premises(series, premises, actor=self.request.user)
        station = None
        if data.get("station_id") is not None:
            station = Unit.objects.filter(pk=data["station_id"], bureau_id=series.bureau_id).first()
            if station is None:
                raise exceptions.ValidationError({"station": [str(_("Choose a station of this bureau."))]})
        return services.do_add_lead(
            series,
            actor=self.request.user,
            source=data.get("source", ""),
            first_day=data.get("first_day"),
            last_day=data.get("last_day"),
            approximate=data.get("approximate", False),
            description=data.get("description", ""),
            address=data.get("address", ""),
            lon=data.get("lon"),
            lat=data.get("lat"),
            station=station,
            premises=premises,
            contact_note=data.get("contact_note", ""),
            due=data.get("due"),
        )

    @extend_schema(request=OutcomeSerializer, responses=UnreportedLeadSerializer)
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        from jingwu.incidents.models import Incident

        lead = self.get_object()
        if not can_object(request.user, lead, "change"):
            raise exceptions.PermissionDenied(NOT_HERE)
        s = OutcomeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        incident = None
        if d.get("incident") is not None:
            incident = Incident.objects.filter(pk=d["incident"]).first()
            if incident is None:
                raise exceptions.ValidationError({"incident": [str(_("No such incident."))]})
        with service_errors():
            lead = services.do_record_outcome(
                lead,
                actor=request.user,
                status=d["status"],
                day=d.get("day"),
                note=d.get("note", ""),
                incident=incident,
                add_to_series=d.get("add_to_series", False),
            )
        return Response(self.get_serializer(self.reload(lead)).data)
