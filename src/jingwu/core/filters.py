"""Filter pieces shared by lists and the API."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from jingwu.org.models import Unit


class UnitFilter(django_filters.ModelChoiceFilter):
    """Filter rows by a unit and everything below it; the choices are the units the user sees."""

    def __init__(self, *args, lookup_for=None, **kwargs):
        self.lookup_for = lookup_for
        kwargs.setdefault("label", _("Unit"))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid_choice": _(
                    "This unit is outside your area or does not exist: choose one from the list."
                )
            },
        )
        kwargs.setdefault("queryset", self._units)
        kwargs.setdefault("method", self.filter_unit)
        super().__init__(*args, **kwargs)

    @staticmethod
    def _units(request):
        from jingwu.org.selectors import units_for

        if request is None:
            return Unit.objects.none()
        return units_for(request.user).current().exclude(kind="grid").order_by("path")

    def filter_unit(self, queryset, name, unit):
        if not unit:
            return queryset
        return queryset.filter(self.lookup_for(unit))


class StyledFilterSet(django_filters.FilterSet):
    """A FilterSet whose form fields carry Bootstrap classes.

    A filter that does not validate (a unit outside the user's area, a date that is not
    one) selects nothing and the form says why: dropping it silently would show every
    row as if it had been applied.
    """

    @property
    def qs(self):
        if not hasattr(self, "_qs") and self.is_bound and not self.is_valid():
            self._qs = self.queryset.none()
        return super().qs

    @property
    def form(self):
        form = super().form
        if not getattr(form, "_jw_styled", False):
            from django import forms

            for field in form.fields.values():
                widget = field.widget
                css = (
                    "form-select form-select-sm"
                    if isinstance(widget, forms.Select)
                    else "form-control form-control-sm"
                )
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            form._jw_styled = True
        return form
