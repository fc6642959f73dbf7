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
