"""The REST API of officers and postings.

Officers are personal data: the ID number, phone, birth date and home can be written,
never read back. The masked ID number and phone go only to roles that may see them
(``PERSONAL_DATA`` in core/permissions.py; ``null`` for the others), and a read that
returns them is audited with the ids read: a list page as one event, one officer's
record like the officer page.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
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
from jingwu.core.models import Bureau
from jingwu.core.scope import personal_level, personal_q, restrict
from jingwu.org.filters import UnitFilter
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


PERSONAL_FIELDS = ["id_number_masked", "phone_masked"]


class OfficerSerializer(ServiceModelSerializer):
    age = serializers.SerializerMethodField()
    id_number_masked = serializers.SerializerMethodField(
        help_text=_("The masked ID number, for roles that may see it (else null).")
    )
    phone_masked = serializers.SerializerMethodField(
        help_text=_("The masked phone number, for roles that may see it (else null).")
    )
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
            "birth_date": {"write_only": True},
            "home_lon": {"write_only": True},
            "home_lat": {"write_only": True},
        }
        validators: list = []  # the services check uniqueness, with their own messages

    def get_age(self, obj: Officer) -> int:
        return obj.age()

    def _personal(self, obj: Officer) -> bool:
        ids = self.context.get("personal_ids")
        if ids is not None:
            return obj.pk in ids
        request = self.context.get("request")
        return request is not None and personal_level(request.user, obj) != ""

    @extend_schema_field(OpenApiTypes.STR)
    def get_id_number_masked(self, obj: Officer) -> str | None:
        return obj.id_number_masked if self._personal(obj) else None

    @extend_schema_field(OpenApiTypes.STR)
    def get_phone_masked(self, obj: Officer) -> str | None:
        return obj.phone_masked if self._personal(obj) else None

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

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self, "personal_ids", None) is not None:
            context["personal_ids"] = self.personal_ids
        return context

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        q = personal_q(request.user, "masked")
        shown = (
            list(Officer.objects.filter(q, pk__in=[o.pk for o in rows]).values_list("bureau_id", "pk"))
            if q is not None and rows
            else []
        )
        self.personal_ids = {pk for _bureau, pk in shown}
        if shown:  # personal data read: on record, with the ids
            by_bureau: dict[int, list[int]] = {}
            for bureau_id, pk in shown:
                by_bureau.setdefault(bureau_id, []).append(pk)
            bureaus = Bureau.objects.in_bulk(list(by_bureau))
            with transaction.atomic():
                for bureau_id, ids in sorted(by_bureau.items()):
                    audit.record(
                        "view",
                        actor=request.user,
                        bureau=bureaus[bureau_id],
                        object_type="personnel.officer",
                        object_repr=f"officer list: {len(ids)}",
                        after={"ids": sorted(ids), "fields": PERSONAL_FIELDS},
                    )
        serializer = self.get_serializer(rows, many=True)
        if page is not None:
            return self.get_paginated_response(serializer.data)
        return Response(serializer.data)

    def retrieve(self, request, *args, **kwargs):
        officer = self.get_object()
        personal = personal_level(request.user, officer) != ""
        self.personal_ids = {officer.pk} if personal else set()
        with transaction.atomic():  # looking at a person's details is on record
            audit.record(
                "view",
                actor=request.user,
                bureau=officer.bureau,
                obj=officer,
                after={"fields": PERSONAL_FIELDS} if personal else None,
            )
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
