"""Filter pieces shared by lists and the API."""

from __future__ import annotations

import django_filters


class IdFilter(django_filters.ModelChoiceFilter):
    """A choice of one row, given by its id and applied by a method (``org.filters.UnitFilter``).

    The API documents it as an integer parameter (``core.api.ScopedUnitFilterExtension``).
    """


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
