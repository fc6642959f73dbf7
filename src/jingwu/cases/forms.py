"""Forms of the case pages: they collect input only; the services validate and save."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from jingwu.incidents.models import IncidentCategory

from .choices import CASE_KIND_CHOICES
from .models import Case, RoutingRule

_DATE = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"})


def _styled(form: forms.Form) -> None:
    for f in form.fields.values():
        css = (
            "form-select form-select-sm"
            if isinstance(f.widget, forms.Select)
            else "form-control form-control-sm"
        )
        f.widget.attrs.setdefault("class", css)


class CaseOpenForm(forms.Form):
    incidents = forms.CharField(
        label=_("Incidents"),
        help_text=_("Incident numbers (or ids), separated by commas or spaces."),
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("From the incidents"))] + list(CASE_KIND_CHOICES),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    owning_unit = forms.ModelChoiceField(
        label=_("Owning unit"),
        queryset=None,
        required=False,
        empty_label=_("By the bureau's rules"),
    )
    deadline = forms.DateField(label=_("Deadline"), required=False, widget=_DATE)
    amount_lost = forms.DecimalField(
        label=_("Amount lost (yuan)"), required=False, min_value=0, decimal_places=2
    )
    suspected_series = forms.NullBooleanField(
        label=_("Suspected series"),
        required=False,
        widget=forms.Select(
            choices=[
                ("unknown", _("When an incident is in a series")),
                ("true", _("Yes")),
                ("false", _("No")),
            ]
        ),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owning_unit"].queryset = owners
        _styled(self)

    def incident_tokens(self) -> list[str]:
        return [t for t in re.split(r"[\s,，;；]+", self.cleaned_data["incidents"]) if t]


class CaseEditForm(forms.ModelForm):
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=IncidentCategory.objects.order_by("code"), required=False
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    class Meta:
        model = Case
        fields = ["title", "summary", "category", "status", "deadline", "amount_lost", "suspected_series"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3}), "deadline": _DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .services import STATUS_MOVES

        current = self.instance.status
        allowed = {current} | STATUS_MOVES.get(current, set())
        self.fields["status"].choices = [
            (c, label) for c, label in self.fields["status"].choices if c in allowed
        ]
        _styled(self)


class TransferForm(forms.Form):
    to_unit = forms.ModelChoiceField(label=_("Hand over to"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=2000)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = owners
        _styled(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class CloseForm(ReasonForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("closed", _("Close the case")), ("withdrawn", _("Withdraw the case"))]
    )


class RuleForm(forms.ModelForm):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=IncidentCategory.objects.order_by("code"),
        required=False,
        help_text=_("The category and every category under it; empty: any."),
    )
    suspected_series = forms.NullBooleanField(
        label=_("Suspected series"),
        required=False,
        widget=forms.Select(choices=[("unknown", _("Any")), ("true", _("Yes")), ("false", _("No"))]),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)

    class Meta:
        model = RoutingRule
        fields = [
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
        ]

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["kind"].choices = [("", _("Any"))] + list(CASE_KIND_CHOICES)
        self.fields["station_type"].choices = [("", _("Any"))] + [
            c for c in self.fields["station_type"].choices if c[0]
        ]
        _styled(self)
        self.fields["active"].widget.attrs["class"] = "form-check-input"

    def _post_clean(self):  # the service validates and saves (with its own messages)
        pass
