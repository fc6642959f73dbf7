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
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from jingwu.core.api import (
    NOT_HERE,
    ScopedViewSet,
    ServiceModelSerializer,
    actor_bureau,
    filter_by_id,
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
    do_delete_rule,
    do_open_case,
    do_reopen_case,
    do_save_rule,
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


# --- routing rules, time limits, deadlines and quality reviews -----------------------------

from drf_spectacular.utils import OpenApiParameter  # noqa: E402
from rest_framework import status  # noqa: E402

from jingwu.core.clock import latest_day  # noqa: E402
from jingwu.core.scope import can, restrict  # noqa: E402

from .models import CaseDeadline, CaseReview, DeadlineLimit, Escalation, RoutingRule  # noqa: E402


class RoutingRuleSerializer(ServiceModelSerializer):
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=IncidentCategory.objects.all(), required=False, allow_null=True
    )
    reason = reason_field()

    class Meta:
        model = RoutingRule
        fields = [
            "id",
            "bureau",
            "priority",
            "name",
            "kind",
            "category",
            "min_amount",
            "suspected_series",
            "station_type",
            "target",
            "unit",
            "active",
            "reason",
        ]
        read_only_fields = ["bureau"]
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        from jingwu.org.models import Unit

        fields["unit"] = serializers.PrimaryKeyRelatedField(
            queryset=Unit.objects.all(), required=False, allow_null=True
        )
        return fields


class RoutingRuleViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
):
    """The bureau's case routing rules (first match wins); planners add, change and delete them.

    A save that would leave a type of case without an owner is refused (400)."""

    model = RoutingRule
    selector = staticmethod(
        lambda user, action="view": restrict(
            RoutingRule.objects.select_related("category", "unit"), user, action
        )
    )
    ordering = ("priority", "id")
    serializer_class = RoutingRuleSerializer

    def create_object(self, data):
        return do_save_rule(actor=self.request.user, bureau=actor_bureau(self.request.user), **data)

    def update_object(self, rule, data, reason):
        return do_save_rule(actor=self.request.user, bureau=rule.bureau, rule=rule, reason=reason, **data)

    def perform_destroy(self, rule):
        if not can_object(self.request.user, rule, "delete"):
            raise exceptions.PermissionDenied(NOT_HERE)
        with service_errors():
            do_delete_rule(rule, actor=self.request.user)


class DeadlineLimitSerializer(ServiceModelSerializer):
    reason = reason_field()

    class Meta:
        model = DeadlineLimit
        fields = ["id", "bureau", "kind", "stage", "days", "working", "reason"]
        read_only_fields = ["bureau"]
        validators: list = []


class DeadlineLimitViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """The time limits the bureau set per case kind and stage (a stage not listed keeps the
    default limit). POST sets a kind and stage (again: replaces it); bureau command only."""

    model = DeadlineLimit
    selector = staticmethod(lambda user, action="view": restrict(DeadlineLimit.objects.all(), user, action))
    ordering = ("kind", "stage")
    serializer_class = DeadlineLimitSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if self.action == "create" and not can(request.user, DeadlineLimit, "change"):
            raise exceptions.PermissionDenied(NOT_HERE)

    def create_object(self, data):
        from .deadlines import do_set_limit

        return do_set_limit(
            actor=self.request.user,
            bureau=actor_bureau(self.request.user),
            reason=self.request.data.get("reason", ""),
            **data,
        )

    def update_object(self, row, data, reason):
        from .deadlines import do_set_limit

        if data.get("kind", row.kind) != row.kind or data.get("stage", row.stage) != row.stage:
            raise exceptions.ValidationError({"stage": [str(_LIMIT_FIXED)]})
        return do_set_limit(
            actor=self.request.user,
            bureau=row.bureau,
            kind=row.kind,
            stage=row.stage,
            days=data.get("days", row.days),
            working=data.get("working", row.working),
            reason=reason,
        )


_LIMIT_FIXED = _("A time limit's kind and stage are fixed: set another one with POST.")


def deadlines_for(user, action: str = "view"):
    """Deadlines of the cases the user sees."""
    return CaseDeadline.objects.filter(case__in=cases_for(user).values("pk")).select_related(
        "case", "case__owning_unit"
    )


class CaseDeadlineSerializer(serializers.ModelSerializer):
    case_number = serializers.CharField(source="case.number", read_only=True)
    owning_unit = serializers.IntegerField(source="case.owning_unit_id", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CaseDeadline
        fields = [
            "id",
            "case",
            "case_number",
            "owning_unit",
            "stage",
            "due",
            "met_at",
            "level",
            "last_escalated",
            "overdue",
        ]
        read_only_fields = fields

    def get_overdue(self, obj) -> bool:
        as_of = self.context.get("as_of")
        return bool(
            obj.met_at is None
            and as_of is not None
            and obj.due < as_of
            and obj.case.status in Case.OPEN_STATUSES
        )


class CaseDeadlineViewSet(ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Deadlines of the caller's cases. ``?state=overdue`` (past due on the bureau's data date,
    the case being worked on) or ``?state=due_soon`` (the reminders); ``?case=ID``.
    ``POST …/escalate/`` escalates every overdue deadline due for it (督办; bureau command)."""

    model = CaseDeadline
    selector = staticmethod(deadlines_for)
    ordering = ("due", "id")
    serializer_class = CaseDeadlineSerializer

    def _as_of(self):
        from jingwu.core.clock import user_bureau

        bureau = user_bureau(self.request.user)
        return (bureau, latest_day(bureau)) if bureau is not None else (None, None)

    def get_serializer_context(self):
        ctx = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and self.request is not None:
            ctx["as_of"] = self._as_of()[1]
        return ctx

    @extend_schema(
        parameters=[
            OpenApiParameter("state", str, enum=["overdue", "due_soon"], required=False),
            OpenApiParameter("case", int, required=False),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        if getattr(self, "swagger_fake_view", False) or self.action != "list":
            return qs
        from . import deadlines

        p = self.request.query_params
        qs = filter_by_id(qs, p, "case", "case_id")
        state = p.get("state", "")
        if state in ("overdue", "due_soon"):
            bureau, as_of = self._as_of()
            if bureau is None:
                return qs.none()
            cases = Case.objects.filter(pk__in=qs.values("case_id"))
            pick = deadlines.overdue if state == "overdue" else deadlines.reminders
            qs = qs.filter(pk__in=pick(cases, bureau, as_of).values("pk"))
        elif state:
            raise exceptions.ValidationError({"state": [str(_BAD_STATE)]})
        return qs

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "Escalated",
                {"escalated": serializers.IntegerField(help_text=_("How many deadlines were escalated."))},
            )
        },
    )
    @action(detail=False, methods=["post"])
    def escalate(self, request):
        from jingwu.core.clock import user_bureau

        from .deadlines import do_escalate_overdue

        bureau = user_bureau(request.user)
        if bureau is None or not can(request.user, Escalation, "add"):
            raise exceptions.PermissionDenied(NOT_HERE)
        with service_errors():
            n = do_escalate_overdue(actor=request.user, bureau=bureau)
        return Response({"escalated": n}, status=status.HTTP_200_OK)


_BAD_STATE = _("state is overdue or due_soon.")


def reviews_for(user, action: str = "view"):
    """Quality reviews of the cases the user sees, for those who may read reviews."""
    if not can(user, CaseReview, "view"):
        return CaseReview.objects.none()
    return CaseReview.objects.filter(case__in=cases_for(user).values("pk")).select_related("case")


class CaseReviewSerializer(ServiceModelSerializer):
    case = serializers.IntegerField(source="case_id")
    items = serializers.DictField(
        child=serializers.BooleanField(), help_text=_("Each checklist item: whether it holds.")
    )

    class Meta:
        model = CaseReview
        fields = ["id", "case", "owning_unit", "reviewer", "at", "outcome", "items", "notes"]
        read_only_fields = ["owning_unit", "reviewer", "at"]


class CaseReviewViewSet(
    ScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin
):
    """Quality reviews of case files (bureau command); ``?case=ID``. POST reviews a solved
    case: ``items`` (the checklist of its kind), ``outcome`` passed or returned, ``notes``."""

    model = CaseReview
    selector = staticmethod(reviews_for)
    ordering = ("-at", "-id")
    serializer_class = CaseReviewSerializer

    def get_queryset(self):
        qs = super().get_queryset()
        if self.action == "list" and not getattr(self, "swagger_fake_view", False):
            qs = filter_by_id(qs, self.request.query_params, "case", "case_id")
        return qs

    def create_object(self, data):
        from .review import do_review_case

        case = cases_for(self.request.user).filter(pk=data["case_id"]).first()
        if case is None:
            raise exceptions.ValidationError({"case": [str(_NO_CASE)]})
        return do_review_case(
            case,
            actor=self.request.user,
            items=data["items"],
            outcome=data["outcome"],
            notes=data.get("notes", ""),
        )


_NO_CASE = _("There is no such case.")
