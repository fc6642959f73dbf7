"""The effect question: a unit, the day of its change, a measure and the months on each side."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from jingwu.core.scope import restrict
from jingwu.org.models import Unit

from .evaluation import MAX_MONTHS, MIN_MONTHS
from .measures import MEASURE_CHOICES


class UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.get_kind_display()}"


class EffectForm(forms.Form):
    unit = UnitChoice(
        label=_("Unit that changed"),
        queryset=Unit.objects.none(),
        error_messages={
            "invalid_choice": _("This unit is outside your area or does not exist: choose one from the list.")
        },
    )
    change = forms.DateField(
        label=_("Date of the change"),
        help_text=_("The first day under the new arrangement (a reorganisation, a new duty model)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    measure = forms.ChoiceField(label=_("Measure"), choices=MEASURE_CHOICES, initial="incidents")
    months = forms.IntegerField(
        label=_("Months on each side"), min_value=MIN_MONTHS, max_value=MAX_MONTHS, initial=12
    )
    same_type = forms.BooleanField(label=_("Compare with stations of the same type only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = restrict(
            Unit.objects.filter(kind__in=("station", "zone")), user
        ).order_by("path", "valid_from")
        for name, field in self.fields.items():
            css = (
                "form-check-input"
                if name == "same_type"
                else ("form-select" if name in ("unit", "measure") else "form-control")
            )
            field.widget.attrs.setdefault("class", css)


class ReportForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Report"), choices=[("month", _("Monthly")), ("quarter", _("Quarterly"))]
    )
    start = forms.DateField(label=_("A day in the period"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["start"].widget.attrs["class"] = "form-control form-control-sm"


class ScheduleForm(forms.Form):
    unit = UnitChoice(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        error_messages={
            "invalid_choice": _("This unit is outside your area or does not exist: choose one from the list.")
        },
    )
    period = forms.ChoiceField(
        label=_("Report"), choices=[("month", _("Monthly")), ("quarter", _("Quarterly"))]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import ReportSchedule

        self.fields["unit"].queryset = (
            restrict(Unit.objects.all(), user)
            .filter(kind__in=("headquarters", "investigation_center", "prevention_center", "station", "zone"))
            .filter(pk__in=_units_allowed(user, ReportSchedule))
            .order_by("path")
        )
        self.fields["unit"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["period"].widget.attrs["class"] = "form-select form-select-sm"


def _units_allowed(user, model):
    """Units where the user may add rows of ``model`` (their memberships' subtrees)."""
    from django.db.models import Q

    from jingwu.core.permissions import allowed
    from jingwu.core.scope import current_memberships

    if user.is_superuser:
        return Unit.objects.values("pk")
    q = None
    for m in current_memberships(user):
        ok, reach = allowed(m.role, model._meta.label_lower, "add")
        if not ok:
            continue
        part = Q(bureau_id=m.bureau_id)
        if reach == "subtree":
            part &= Q(path__startswith=m.unit.path)
        q = part if q is None else q | part
    return Unit.objects.filter(q).values("pk") if q is not None else Unit.objects.none().values("pk")


class IndicatorSetForm(forms.Form):
    unit_kind = forms.CharField(widget=forms.HiddenInput)
    station_type = forms.CharField(widget=forms.HiddenInput, required=False)
    codes = forms.MultipleChoiceField(
        label=_("Indicators"), choices=(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .indicators import CATALOGUE

        self.fields["codes"].choices = [(c, i.label) for c, i in CATALOGUE.items()]


class PatrolForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Forecast"),
        choices=[
            ("etas", _("Self-exciting point process (ETAS)")),
            ("kde", _("Kernel density")),
            ("prospective", _("Prospective hot-spotting")),
            ("naive", _("Counts of the past year")),
        ],
        initial="etas",
    )
    start = forms.TimeField(
        label=_("Patrol from"), initial="19:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    hours = forms.IntegerField(label=_("Hours"), min_value=1, max_value=12, initial=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["start"].widget.attrs["class"] = "form-control form-control-sm"
        self.fields["hours"].widget.attrs["class"] = "form-control form-control-sm"
