"""The REST API of the Four-Star Officer evaluation (reads scoped, writes through the services).

- ``/api/v1/eval-cycles/``: cycles with their standards and criteria; ``POST`` creates a
  draft cycle (rules copied from the latest), ``PATCH`` changes deadlines or the scale;
  ``POST …/{id}/open/``, ``…/notice/`` and ``…/publish/`` move it on;
- ``/api/v1/eval-standards/``: a cycle's standards (``?cycle=``); ``PATCH`` while in draft;
- ``/api/v1/eval-files/``: evaluation files (nominations) with their scores; ``POST`` nominates
  (``cycle``, ``officer``, ``unit``, ``reason``); ``POST …/{id}/self-assess/`` (``text``,
  ``scores``), ``…/score/`` (``scores``, ``note``), ``…/review/`` and ``…/decide/``
  (``decision``, ``note``), ``…/object/`` (``text``) and ``…/appeal/`` (``text``);
- ``/api/v1/eval-objections/``: ``POST …/{id}/answer/`` (``answer``);
- ``/api/v1/eval-appeals/``: ``POST …/{id}/decide/`` (``decision``, ``answer``, ``grant``);
- ``/api/v1/eval-stars/``: the stars awarded (read only);
- ``/api/v1/eval-family-visits/``, ``…/eval-training-days/``, ``…/eval-career-plans/``: officer
  care (``POST`` records one).

An officer reads their own file, stars, appeals and care records, and nothing else of
anyone's. ``scores`` is an object: criterion id -> score (0 to the cycle's scale, tenths).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jingwu.core.api import (
    NOT_HERE,
    ScopedPrimaryKeyRelatedField,
    ScopedViewSet,
    ServiceModelSerializer,
    actor_bureau,
    service_errors,
)
from jingwu.core.scope import can_object, restrict
from jingwu.org.models import Unit
from jingwu.personnel.models import Officer

from . import services as sv
from .choices import AppealDecision, CommitteeDecision, ReviewDecision
from .models import (
    Appeal,
    CareerPlan,
    Criterion,
    Cycle,
    FamilyVisit,
    Nomination,
    Objection,
    Score,
    Standard,
    StarAward,
    TrainingDay,
)
from .selectors import care_for, cycles_for, files_for, stars_for


def _cycles(user, action: str = "view"):
    return restrict(Cycle.objects.all(), user, action)


def _standards(user, action: str = "view"):
    return Standard.objects.filter(cycle__in=cycles_for(user)).select_related("cycle")


def _files(user, action: str = "view"):
    return files_for(user).select_related("cycle", "officer", "unit")


def _objections(user, action: str = "view"):
    return restrict(Objection.objects.select_related("nomination"), user, action)


def _appeals(user, action: str = "view"):
    q = Q(pk__in=restrict(Appeal.objects.all(), user, action).values("pk"))
    officer_id = getattr(user, "officer_id", None)
    if officer_id and action == "view":
        q |= Q(nomination__officer_id=officer_id)
    return Appeal.objects.filter(q).select_related("nomination")


def _stars(user, action: str = "view"):
    return stars_for(user).select_related("standard", "cycle")


def _officers(user, action: str = "view"):
    return restrict(Officer.objects.all(), user)


def _units(user, action: str = "view"):
    return restrict(Unit.objects.all(), user)


# --- serializers ----------------------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = ["id", "code", "name_zh", "name_en", "weight", "evidence", "order"]
        read_only_fields = fields


class StandardSerializer(ServiceModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = Standard
        fields = ["id", "cycle", "code", "name_zh", "name_en", "order", "pass_mark", "criteria"]
        read_only_fields = ["cycle", "code", "criteria"]
        extra_kwargs = {"name_zh": {"required": False}}


class CycleSerializer(ServiceModelSerializer):
    standards = StandardSerializer(many=True, read_only=True)

    class Meta:
        model = Cycle
        fields = [
            "id",
            "bureau",
            "year",
            "quarter",
            "status",
            "scale_max",
            "nomination_deadline",
            "self_assessment_deadline",
            "scoring_deadline",
            "review_deadline",
            "notice_days",
            "appeal_days",
            "opened_on",
            "notice_start",
            "notice_end",
            "published_on",
            "copied_from",
            "standards",
        ]
        read_only_fields = [
            "bureau",
            "status",
            "opened_on",
            "notice_start",
            "notice_end",
            "published_on",
            "copied_from",
            "standards",
        ]
        validators: list = []


class ScoreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Score
        fields = ["criterion", "kind", "value"]
        read_only_fields = fields


class FileSerializer(ServiceModelSerializer):
    cycle = ScopedPrimaryKeyRelatedField(selector=_cycles, model=Cycle)
    officer = ScopedPrimaryKeyRelatedField(selector=_officers, model=Officer)
    unit = ScopedPrimaryKeyRelatedField(selector=_units, model=Unit)
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    police_number = serializers.CharField(source="officer.police_number", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    scores = ScoreSerializer(many=True, read_only=True)

    class Meta:
        model = Nomination
        fields = [
            "id",
            "bureau",
            "cycle",
            "officer",
            "officer_name",
            "police_number",
            "unit",
            "unit_name",
            "nominated_on",
            "reason",
            "status",
            "self_text",
            "self_on",
            "unit_note",
            "scored_on",
            "review",
            "review_note",
            "reviewed_on",
            "committee",
            "committee_note",
            "decided_on",
            "scores",
        ]
        read_only_fields = [f for f in fields if f not in ("cycle", "officer", "unit", "reason")]
        validators: list = []


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "nomination", "filed_on", "text", "answer", "answered_on"]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer):
    class Meta:
        model = Appeal
        fields = ["id", "nomination", "filed_on", "text", "status", "answer", "decided_on"]
        read_only_fields = fields


class StarSerializer(serializers.ModelSerializer):
    standard_code = serializers.CharField(source="standard.code", read_only=True)
    standard_name = serializers.CharField(source="standard.name", read_only=True)
    year = serializers.IntegerField(source="cycle.year", read_only=True)
    quarter = serializers.IntegerField(source="cycle.quarter", read_only=True)

    class Meta:
        model = StarAward
        fields = [
            "id",
            "officer",
            "nomination",
            "cycle",
            "year",
            "quarter",
            "standard",
            "standard_code",
            "standard_name",
            "score",
            "on_appeal",
        ]
        read_only_fields = fields


class FamilyVisitSerializer(ServiceModelSerializer):
    officer = ScopedPrimaryKeyRelatedField(selector=_officers, model=Officer)

    class Meta:
        model = FamilyVisit
        fields = ["id", "officer", "day", "visitor", "note"]


class TrainingDaySerializer(ServiceModelSerializer):
    officer = ScopedPrimaryKeyRelatedField(selector=_officers, model=Officer)

    class Meta:
        model = TrainingDay
        fields = ["id", "officer", "day", "topic", "hours"]
        validators: list = []


class CareerPlanSerializer(ServiceModelSerializer):
    officer = ScopedPrimaryKeyRelatedField(selector=_officers, model=Officer)
    mentor = ScopedPrimaryKeyRelatedField(selector=_officers, model=Officer, required=False, allow_null=True)

    class Meta:
        model = CareerPlan
        fields = ["id", "officer", "mentor", "goals", "review_on"]
        validators: list = []


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000, allow_blank=True)


class ScoresSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True),
        help_text=_("Criterion id -> score (0 to the cycle's scale, tenths at most)."),
    )
    note = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")


class SelfSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000, allow_blank=True)
    scores = serializers.DictField(
        child=serializers.CharField(allow_blank=True, allow_null=True), required=False, default=dict
    )


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    note = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=CommitteeDecision.choices)
    note = serializers.CharField(max_length=4000, allow_blank=True, required=False, default="")


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000, allow_blank=True)


class AppealDecisionSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=AppealDecision.choices)
    answer = serializers.CharField(max_length=4000, allow_blank=True)
    grant = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=_("Ids of the standards whose stars an upheld appeal grants."),
    )


# --- viewsets -------------------------------------------------------------------------------


def _step(view, request, serializer_class, call, *, out=None):
    """Run a workflow step (a service) on the viewset's object and answer with the object."""
    obj = view.get_object()
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    with service_errors():
        result = call(obj, **s.validated_data)
    if out is not None:
        return Response(out(result).data, status=201)
    return Response(view.get_serializer(view.reload(result)).data)


class CycleViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """The bureau's evaluation cycles with their rules (the political department runs them)."""

    model = Cycle
    selector = staticmethod(_cycles)
    ordering = ("-year", "-quarter")
    serializer_class = CycleSerializer
    filterset_fields = ["year", "quarter", "status"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("standards__criteria")

    def create_object(self, data):
        return sv.do_create_cycle(actor=self.request.user, bureau=actor_bureau(self.request.user), **data)

    def update_object(self, cycle, data, reason):
        for fixed in ("year", "quarter"):
            if fixed in data and data[fixed] != getattr(cycle, fixed):
                raise exceptions.ValidationError({fixed: [str(_FIXED)]})
            data.pop(fixed, None)
        return sv.do_update_cycle(cycle, actor=self.request.user, **data)

    def _move(self, request, call):
        cycle = self.get_object()
        if not can_object(request.user, cycle, "change"):
            raise exceptions.PermissionDenied(NOT_HERE)
        with service_errors():
            cycle = call(cycle, actor=request.user)
        return Response(self.get_serializer(self.reload(cycle)).data)

    @extend_schema(request=None, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        return self._move(request, sv.do_open_cycle)

    @extend_schema(request=None, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def notice(self, request, pk=None):
        return self._move(request, sv.do_start_notice)

    @extend_schema(request=None, responses=CycleSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        return self._move(request, sv.do_publish)


class StandardViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin
):
    """The standards of the cycles the caller reads (``?cycle=``); changed while the cycle is in draft."""

    model = Standard
    selector = staticmethod(_standards)
    ordering = ("cycle_id", "order", "code")
    serializer_class = StandardSerializer
    filterset_fields = ["cycle"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("criteria")

    def get_object(self):
        obj = super().get_object()
        if self.action in {"update", "partial_update"} and not can_object(
            self.request.user, obj.cycle, "change"
        ):
            raise exceptions.PermissionDenied(NOT_HERE)
        return obj

    def update_object(self, standard, data, reason):
        return sv.do_update_standard(standard, actor=self.request.user, **data)


class FileViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    """Evaluation files: the caller's units' (through the scoping layer) and an officer's own."""

    model = Nomination
    selector = staticmethod(_files)
    ordering = ("cycle_id", "unit__path", "officer__police_number")
    serializer_class = FileSerializer
    filterset_fields = ["cycle", "unit", "officer", "status"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("scores")

    def create_object(self, data):
        cycle = data.pop("cycle")
        return sv.do_nominate(cycle, actor=self.request.user, **data)

    @extend_schema(request=SelfSerializer, responses=FileSerializer)
    @action(detail=True, methods=["post"], url_path="self-assess")
    def self_assess(self, request, pk=None):
        return _step(
            self,
            request,
            SelfSerializer,
            lambda n, text, scores: sv.do_self_assess(n, actor=request.user, text=text, scores=scores),
        )

    @extend_schema(request=ScoresSerializer, responses=FileSerializer)
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        return _step(
            self,
            request,
            ScoresSerializer,
            lambda n, scores, note: sv.do_score(n, actor=request.user, scores=scores, note=note),
        )

    @extend_schema(request=ReviewSerializer, responses=FileSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return _step(
            self,
            request,
            ReviewSerializer,
            lambda n, decision, note: sv.do_review(n, actor=request.user, decision=decision, note=note),
        )

    @extend_schema(request=DecideSerializer, responses=FileSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return _step(
            self,
            request,
            DecideSerializer,
            lambda n, decision, note: sv.do_decide(n, actor=request.user, decision=decision, note=note),
        )

    @extend_schema(request=TextSerializer, responses={201: ObjectionSerializer})
    @action(detail=True, methods=["post"], url_path="object", url_name="object")
    def object_to(self, request, pk=None):
        return _step(
            self,
            request,
            TextSerializer,
            lambda n, text: sv.do_object(n, actor=request.user, text=text),
            out=ObjectionSerializer,
        )

    @extend_schema(request=TextSerializer, responses={201: AppealSerializer})
    @action(detail=True, methods=["post"])
    def appeal(self, request, pk=None):
        return _step(
            self,
            request,
            TextSerializer,
            lambda n, text: sv.do_appeal(n, actor=request.user, text=text),
            out=AppealSerializer,
        )

    def get_object(self):
        # objections are raised on files on public notice, which the whole bureau reads
        if self.action == "object_to":
            from .choices import CycleStatus, FileStatus

            user = self.request.user
            on_notice = Nomination.objects.filter(
                cycle__in=cycles_for(user), cycle__status=CycleStatus.NOTICE, status=FileStatus.APPROVED
            )
            n = (_files(user) | on_notice).filter(pk=self.kwargs.get("pk")).first()
            if n is None:
                raise exceptions.NotFound()
            return n
        return super().get_object()


class ObjectionViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Objections raised during public notices (the political department answers them)."""

    model = Objection
    selector = staticmethod(_objections)
    ordering = ("filed_on", "pk")
    serializer_class = ObjectionSerializer
    filterset_fields = ["nomination"]

    @extend_schema(request=AnswerSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        return _step(
            self,
            request,
            AnswerSerializer,
            lambda o, answer: sv.do_answer_objection(o, actor=request.user, answer=answer),
        )


class AppealViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Appeals against published results: the officer's own, and those the caller reads."""

    model = Appeal
    selector = staticmethod(_appeals)
    ordering = ("filed_on", "pk")
    serializer_class = AppealSerializer
    filterset_fields = ["nomination", "status"]

    @extend_schema(request=AppealDecisionSerializer, responses=AppealSerializer)
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        return _step(
            self,
            request,
            AppealDecisionSerializer,
            lambda a, decision, answer, grant: sv.do_decide_appeal(
                a, actor=request.user, decision=decision, answer=answer, grant=grant
            ),
        )


class StarViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Stars awarded in published cycles (and on appeal): the caller's units' and their own."""

    model = StarAward
    selector = staticmethod(_stars)
    ordering = ("cycle_id", "officer_id", "standard__order")
    serializer_class = StarSerializer
    filterset_fields = ["officer", "cycle", "standard", "on_appeal"]


class _CareViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin):
    ordering = ("-pk",)
    filterset_fields = ["officer"]
    service = None

    def create_object(self, data):
        return type(self).service(actor=self.request.user, **data)


class FamilyVisitViewSet(_CareViewSet):
    """Family visits (officer care): the political department's, command's, auditors', an officer's own."""

    model = FamilyVisit
    selector = staticmethod(lambda user, action="view": care_for(user, FamilyVisit))
    serializer_class = FamilyVisitSerializer
    service = staticmethod(sv.do_record_visit)


class TrainingDayViewSet(_CareViewSet):
    """Training days attended (officer care)."""

    model = TrainingDay
    selector = staticmethod(lambda user, action="view": care_for(user, TrainingDay))
    serializer_class = TrainingDaySerializer
    service = staticmethod(sv.do_record_training)


class CareerPlanViewSet(_CareViewSet):
    """New officers' career plans (``POST`` creates or replaces the officer's plan)."""

    model = CareerPlan
    selector = staticmethod(lambda user, action="view": care_for(user, CareerPlan))
    serializer_class = CareerPlanSerializer
    service = staticmethod(sv.do_save_career_plan)


_FIXED = _("A cycle's year and quarter are set when it is created.")
