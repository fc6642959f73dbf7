"""The REST API of officers and postings.

Officers are personal data: the API shows the ID number and phone masked only (they
can be written, never read back), and reading one officer's record is audited like
the officer page.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.response import Response

from jingwu.core import audit
from jingwu.core.api import (
    ScopedPrimaryKeyRelatedField,
    ScopedViewSet,
    ServiceModelSerializer,
    actor_bureau,
    reason_field,
)
from jingwu.core.filters import UnitFilter
from jingwu.core.scope import restrict
from jingwu.org.models import Unit
from jingwu.org.selectors import units_for

from .choices import ROLE_CHOICES
from .filters import OfficerFilter
from .models import Officer, OfficerSkill, Posting
from .selectors import officers_for, postings_for
from .services import do_create_officer, do_create_posting, do_update_officer


def _officers_in_scope(user):
    return restrict(Officer.objects.all(), user)


class SkillSerializer(serializers.ModelSerializer):
    class Meta:
        model = OfficerSkill
        fields = ["skill", "level"]
        validators: list = []


class CurrentPostingSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Posting
        fields = ["id", "unit", "unit_name", "role", "start", "end"]
        read_only_fields = fields


class OfficerSerializer(ServiceModelSerializer):
    age = serializers.SerializerMethodField()
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)
    skills = SkillSerializer(
        many=True,
        required=False,
        help_text=_("The officer's skills and levels; on a change, the list given replaces them."),
    )
    current_postings = serializers.SerializerMethodField()
    reason = reason_field()
    # on creation only: post the new officer at once (a station chief's way to add one)
    unit = ScopedPrimaryKeyRelatedField(
        selector=units_for,
        model=Unit,
        label=_("Unit"),
        write_only=True,
        required=False,
        help_text=_("On creation: the unit to post the new officer in."),
    )
    role = serializers.ChoiceField(
        choices=ROLE_CHOICES,
        write_only=True,
        required=False,
        help_text=_("On creation: the role of the posting."),
    )
    start = serializers.DateField(
        write_only=True,
        required=False,
        help_text=_("On creation: the first day of the posting (default today)."),
    )

    class Meta:
        model = Officer
        fields = [
            "id",
            "bureau",
            "police_number",
            "name",
            "kind",
            "gender",
            "birth_date",
            "age",
            "id_number",
            "id_number_masked",
            "rank",
            "phone",
            "phone_masked",
            "hired",
            "status",
            "home_lon",
            "home_lat",
            "skills",
            "current_postings",
            "reason",
            "unit",
            "role",
            "start",
        ]
        read_only_fields = ["bureau"]
        # Personal data goes in, never out: reads show the masked forms only.
        extra_kwargs = {
            "id_number": {"write_only": True},
            "phone": {"write_only": True},
            "home_lon": {"write_only": True},
            "home_lat": {"write_only": True},
        }
        validators: list = []  # the services check uniqueness, with their own messages

    def get_age(self, obj: Officer) -> int:
        return obj.age()

    @extend_schema_field(CurrentPostingSerializer(many=True))
    def get_current_postings(self, obj: Officer):
        postings = getattr(obj, "current_postings", None)
        if postings is None:
            postings = obj.postings.current().select_related("unit")
        return CurrentPostingSerializer(postings, many=True, context=self.context).data

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.instance is not None and {"unit", "role", "start"} & set(attrs):
            raise serializers.ValidationError(_("Postings change through the postings API."))
        if self.instance is None and ({"role", "start"} & set(attrs)) and "unit" not in attrs:
            raise serializers.ValidationError({"unit": _("A posting needs a unit.")})
        return attrs

    def validate_skills(self, value):
        codes = [s["skill"] for s in value]
        if len(codes) != len(set(codes)):
            raise serializers.ValidationError(_("Each skill may be given once."))
        return value


class OfficerViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
):
    """Officers and auxiliaries currently posted in the caller's units."""

    model = Officer
    selector = staticmethod(officers_for)
    ordering = ("police_number",)
    serializer_class = OfficerSerializer
    filterset_class = OfficerFilter

    def retrieve(self, request, *args, **kwargs):
        officer = self.get_object()
        with transaction.atomic():  # looking at a person's details is on record
            audit.record("view", actor=request.user, bureau=officer.bureau, obj=officer)
        return Response(self.get_serializer(officer).data)

    def create_object(self, data):
        skills = {s["skill"]: s["level"] for s in data.pop("skills", [])}
        posting = None
        if "unit" in data:
            posting = {
                "unit": data.pop("unit"),
                "role": data.pop("role", None),
                "start": data.pop("start", None),
            }
        return do_create_officer(
            actor=self.request.user,
            bureau=actor_bureau(self.request.user),
            skills=skills,
            posting=posting,
            **data,
        )

    def update_object(self, officer, data, reason):
        if "skills" in data:
            data["skills"] = {s["skill"]: s["level"] for s in data["skills"]}
        return do_update_officer(officer, actor=self.request.user, reason=reason, **data)


class PostingFilter(django_filters.FilterSet):
    officer = django_filters.ModelChoiceFilter(
        label=_("Officer"),
        queryset=lambda request: _officers_in_scope(request.user) if request else Officer.objects.none(),
    )
    unit = UnitFilter(lookup_for=lambda unit: Q(unit__path__startswith=unit.path), label=_("Within unit"))
    role = django_filters.ChoiceFilter(label=_("Role"), choices=ROLE_CHOICES)
    current = django_filters.BooleanFilter(label=_("Valid today"), method="valid_today")

    class Meta:
        model = Posting
        fields = ["officer", "unit", "role", "current"]

    def valid_today(self, queryset, name, value):
        if value is None:
            return queryset
        current = Posting.objects.current(dt.date.today()).values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)


class PostingSerializer(ServiceModelSerializer):
    officer = ScopedPrimaryKeyRelatedField(selector=_officers_in_scope, model=Officer, label=_("Officer"))
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    unit = ScopedPrimaryKeyRelatedField(selector=units_for, model=Unit, label=_("Unit"))
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Posting
        fields = [
            "id",
            "bureau",
            "officer",
            "officer_name",
            "unit",
            "unit_name",
            "role",
            "start",
            "end",
            "note",
        ]
        read_only_fields = ["bureau"]


class PostingViewSet(
    ScopedViewSet,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
):
    """Who holds which post where, and when (postings are created here; none is deleted)."""

    model = Posting
    selector = staticmethod(postings_for)
    ordering = ("-start", "-id")
    serializer_class = PostingSerializer
    filterset_class = PostingFilter

    def create_object(self, data):
        return do_create_posting(actor=self.request.user, **data)
