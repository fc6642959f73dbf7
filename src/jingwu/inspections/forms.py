from django import forms
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import pick_lazy
from jingwu.engine import inspection_rules as rules


def kinds_for(category: str) -> list[tuple[str, str]]:
    return [
        (t.code, pick_lazy(t.zh, t.en))
        for t in rules.TIMER_KINDS
        if category in rules.TIMER_RULES[t.code].categories
    ]


class TimerForm(forms.Form):
    kind = forms.ChoiceField(label=_("Obligation"))
    event_at = forms.DateTimeField(
        label=_("Started at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    reference = forms.CharField(label=_("Reference"), max_length=60, required=False)

    def __init__(self, *args, premises, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds_for(premises.category)
        for f in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(f.widget, forms.Select)
                else "form-control form-control-sm"
            )
            f.widget.attrs["class"] = css


class CloseTimerForm(forms.Form):
    done_at = forms.DateTimeField(
        label=_("Closed at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    missing = forms.BooleanField(label=_("Found missing"), required=False)


class PlanForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    start = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=31, initial=7)
    min_team = forms.IntegerField(label=_("Smallest team"), min_value=1, max_value=3, initial=2)
    max_team = forms.IntegerField(label=_("Largest team"), min_value=1, max_value=3, initial=2)
    visits_per_team_day = forms.IntegerField(
        label=_("Visits a team a day"), min_value=1, max_value=20, initial=6
    )
    solver = forms.ChoiceField(
        label=_("Routing solver"), choices=[("pyvrp", "PyVRP"), ("ortools", "OR-Tools")]
    )
    leave = forms.CharField(
        label=_("Leave"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "100003 2018-12-03 2018-12-04"}),
        help_text=_("One officer a line: police number, then the days off."),
    )

    def __init__(self, *args, units, bureau_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.bureau_id = bureau_id
        self.fields["solver"].widget.attrs["translate"] = "no"  # the libraries' own names
        for f in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(f.widget, forms.Select)
                else "form-control form-control-sm"
            )
            f.widget.attrs["class"] = css

    def clean_leave(self):
        import datetime as dt

        from jingwu.personnel.models import Officer

        out: dict[int, list[dt.date]] = {}
        for n, line in enumerate((self.cleaned_data.get("leave") or "").splitlines(), 1):
            parts = line.split()
            if not parts:
                continue
            unit = self.cleaned_data.get("unit")
            officer = Officer.objects.filter(
                bureau_id=unit.bureau_id if unit else self.bureau_id, police_number=parts[0]
            ).first()
            if officer is None:
                raise forms.ValidationError(
                    _("Line %(n)d: no officer with the police number %(number)s.")
                    % {"n": n, "number": parts[0]}
                )
            try:
                days = [dt.date.fromisoformat(p) for p in parts[1:]]
            except ValueError as exc:
                raise forms.ValidationError(
                    _("Line %(n)d: write the days off as 2018-12-03.") % {"n": n}
                ) from exc
            out.setdefault(officer.pk, []).extend(days)
        return out
