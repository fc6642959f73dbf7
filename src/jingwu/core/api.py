"""Shared pieces of the REST API: scoped viewsets, service-error mapping, scoped relations.

Every app's ``api.py`` builds on these, so reads go through the scoping layer and
writes through the service functions, exactly as the pages do.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers, viewsets
from rest_framework.settings import api_settings

from .clock import activate_for
from .filters import IdFilter
from .models import Bureau
from .scope import can, can_object, user_bureau_ids

NOT_HERE = _("You do not have permission to do this here.")


# --- shared pieces -------------------------------------------------------------------


# The largest id a database column holds (a signed 64-bit integer): a larger number in a
# query string is no row's id, not a server error.
MAX_ROW_ID = 2**63 - 1


def filter_by_id(qs, params, name: str, field: str):
    """``qs`` narrowed to ``field = params[name]`` when the parameter is an id (ASCII
    digits); an id no column can hold finds no row; any other text is ignored."""
    text = params.get(name, "")
    if not (text.isascii() and text.isdigit()):
        return qs
    value = int(text)
    if value > MAX_ROW_ID:
        return qs.none()
    return qs.filter(**{field: value})


def _validation_detail(exc: DjangoValidationError) -> dict:
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if hasattr(exc, "error_dict"):
        return {
            (non_field if key == NON_FIELD_ERRORS else key): msgs for key, msgs in exc.message_dict.items()
        }
    return {non_field: exc.messages}


@contextmanager
def service_errors():
    """Turn a service's refusals into API errors (400 with field errors, 403)."""
    try:
        yield
    except DjangoValidationError as exc:
        raise exceptions.ValidationError(_validation_detail(exc)) from exc
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
    except IntegrityError as exc:  # a race with a concurrent write, or a constraint no service checks
        raise exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("This conflicts with an existing record.")]}
        ) from exc


def actor_bureau(user) -> Bureau:
    """The bureau a new record of ``user`` belongs to."""
    if getattr(user, "bureau_id", None):
        return user.bureau
    ids = user_bureau_ids(user)
    if len(ids) == 1:
        return Bureau.objects.get(pk=next(iter(ids)))
    raise exceptions.ValidationError(
        {api_settings.NON_FIELD_ERRORS_KEY: [_("Your account belongs to no single bureau.")]}
    )


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object given by id, chosen among those the caller may see.

    An id outside the caller's scope is answered like an id that does not exist.
    """

    def __init__(self, *, selector: Callable, model: type[models.Model], **kwargs):
        self.selector = selector
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", model._default_manager.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return self.queryset.none()
        return self.selector(request.user)


def reason_field():
    return serializers.CharField(
        label=_("reason"),
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=500,
        help_text=_("Why the record is changed (kept in the audit trail)."),
    )


class ServiceModelSerializer(serializers.ModelSerializer):
    """A model serializer that validates only: saving is the services' business."""

    def create(self, validated_data):
        raise NotImplementedError("API writes go through the viewset's service call")

    def update(self, instance, validated_data):
        raise NotImplementedError("API writes go through the viewset's service call")


class ScopedViewSet(viewsets.GenericViewSet):
    """Reads through ``selector``; writes through ``create_object``/``update_object`` (services).

    Subclasses list ScopedViewSet first, then the DRF list/retrieve/create/update mixins
    they offer (so ``perform_create``/``perform_update`` here replace the mixins' saving);
    anything not mixed in (delete in particular) answers 405.
    """

    model: type[models.Model]
    selector: Callable  # (user, action="view") -> QuerySet
    ordering: tuple[str, ...] = ("pk",)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model._default_manager.none()
        return type(self).selector(self.request.user).order_by(*self.ordering)

    def get_object(self):
        obj = super().get_object()
        if self.action in {"update", "partial_update"} and not can_object(self.request.user, obj, "change"):
            raise exceptions.PermissionDenied(NOT_HERE)
        return obj

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        activate_for(request.user)  # times in the caller's bureau's zone (token users too)
        # Refuse an add before validating it (a "create" method here would route POST
        # even on read-only viewsets, so the check sits in ``initial``).
        if self.action == "create" and not can(request.user, self.model, "add"):
            raise exceptions.PermissionDenied(NOT_HERE)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("reason", None)
        with service_errors():
            obj = self.create_object(data)
        serializer.instance = self.reload(obj)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        reason = data.pop("reason", "")
        with service_errors():
            obj = self.update_object(serializer.instance, data, reason)
        serializer.instance = self.reload(obj)

    def reload(self, obj):
        """The saved object as the list would show it (with its related rows loaded)."""
        return type(self).selector(self.request.user).filter(pk=obj.pk).first() or obj

    def create_object(self, data: dict):  # pragma: no cover - every writable viewset overrides
        raise NotImplementedError

    def update_object(self, obj, data: dict, reason: str):  # pragma: no cover
        raise NotImplementedError


class ScopedUnitFilterExtension(DjangoFilterExtension):
    """Document an ``IdFilter`` (such as ``UnitFilter``: an id, filtered by a method) as an integer parameter."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if isinstance(filter_field, IdFilter):
            return [
                build_parameter_type(
                    name=field_name,
                    required=filter_field.extra["required"],
                    location=OpenApiParameter.QUERY,
                    description=self._get_field_description(filter_field, None),
                    schema=build_basic_type(OpenApiTypes.INT),
                )
            ]
        return super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)


# --- units ---------------------------------------------------------------------------


# --- errors in the caller's language ---------------------------------------------------


def exception_handler(exc, context):
    """DRF's handler, with the English messages that reach it from outside DRF put in words.

    Django's ``get_object_or_404`` says "No Incident matches the given query." and the JSON
    parser "JSON parse error - Expecting ..." (neither translated): an API caller gets the
    translated "Not found." and "The request body is not valid JSON." instead.
    """
    from django.http import Http404
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, exceptions.ParseError) and str(exc.detail).startswith("JSON parse error"):
        exc = exceptions.ParseError(_("The request body is not valid JSON."))
    return drf_exception_handler(exc, context)
