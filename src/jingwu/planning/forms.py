"""The scenario form: dates, the reform's levers, zones, solver settings, station-type overrides."""

from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import choices
from jingwu.engine import vocab

from .inputs import DEFAULT_WEIGHTS, ScenarioParams

WEIGHT_LABELS = {
    "target": _("Weight: distance from the targets (per officer)"),
    "age": _("Weight: age balance (per year and officer)"),
    "gender": _("Weight: gender balance (per officer)"),
    "female_operational": _("Reward: woman from back office to operations"),
    "moves": _("Weight: each move"),
    "commute": _("Weight: commuting (per km)"),
}


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    bureau = forms.ModelChoiceField(label=_("Bureau"), queryset=None)
    as_of = forms.DateField(
        label=_("State as of"), help_text=_("Who was posted where on this day (from the postings history).")
    )
    reform_date = forms.DateField(
        label=_("Reform date"),
        help_text=_("The new structure applies, and the new postings start, on this day."),
    )
    incidents_from = forms.DateField(label=_("Incidents from"))
    incidents_to = forms.DateField(label=_("Incidents to"))
    thin_data_reason = forms.CharField(
        label=_("Reason to plan from few incidents"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when the incident period holds none, or fewer than half of the bureau's usual "
            "year: say why the plan should be made from it anyway (recorded and shown at approval)."
        ),
    )
    centralised_share = forms.FloatField(
        label=_("Share of criminal cases centralised in the investigation center"),
        min_value=0,
        max_value=0.99,
        initial=0.8,
    )
    case_hours = forms.FloatField(
        label=_("Investigation hours per criminal case"), min_value=0, max_value=500, initial=24.0
    )
    ic_target_mean_age = forms.FloatField(
        label=_("Investigation center: target mean age"), min_value=18, max_value=60, initial=32.0
    )
    ic_from_stations = forms.FloatField(
        label=_("Share of the investigation center drawn from the stations"),
        min_value=0,
        max_value=1,
        initial=0.6,
    )
    workload_tilt = forms.FloatField(
        label=_("Stations: move towards staffing by workload (0 = keep today's proportions, 1 = fully)"),
        min_value=0,
        max_value=1,
        initial=0.1,
    )
    proactive_full_spectrum = forms.FloatField(
        label=_("Proactive share: full-spectrum stations"), min_value=0, max_value=0.9, initial=0.30
    )
    proactive_proactive = forms.FloatField(
        label=_("Proactive share: proactive stations"), min_value=0, max_value=0.9, initial=0.35
    )
    proactive_preventive = forms.FloatField(
        label=_("Proactive share: preventive stations"), min_value=0, max_value=0.9, initial=0.40
    )
    category_minutes = forms.CharField(
        label=_("Minutes per call by incident category (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "0101=80\n0301=60"}),
        help_text=_("One category code and minutes per line, e.g. 0101=80."),
    )
    zone_station = forms.ChoiceField(label=_("Redesign the zones of"), required=False)
    zone_k = forms.IntegerField(label=_("Number of zones"), min_value=2, max_value=12, initial=3)
    time_limit = forms.FloatField(
        label=_("Solver time limit (deterministic seconds)"), min_value=0.5, max_value=3600, initial=8.0
    )
    advanced = forms.CharField(
        label=_("Advanced settings (JSON)"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "class": "font-monospace",
                "translate": "no",
                "placeholder": '{"band": 0.2, "unit_targets": {"FK": 70}}',
            }
        ),
        help_text=_("Any other parameter of the plan, as a JSON object like the example in the field."),
    )

    def __init__(self, *args, bureaus, stations, **kwargs):
        super().__init__(*args, **kwargs)
        from jingwu.core.models import Bureau

        self.fields["bureau"].queryset = Bureau.objects.filter(pk__in=[b.pk for b in bureaus])
        if len(bureaus) == 1:
            self.fields["bureau"].initial = bureaus[0].pk
            self.fields["bureau"].widget = forms.HiddenInput()
        self.stations = stations
        self.fields["zone_station"].choices = [("", _("(no zone redesign)"))] + [
            (s.code, s.name) for s in stations
        ]
        for name, value in DEFAULT_WEIGHTS.items():
            self.fields[f"w_{name}"] = forms.FloatField(
                label=WEIGHT_LABELS[name], min_value=0, max_value=100000, initial=value
            )
        types = [("", _("(as proposed)"))] + choices(vocab.STATION_TYPES)
        for s in stations:
            self.fields[f"type_{s.code}"] = forms.ChoiceField(label=s.name, choices=types, required=False)
            self.fields[f"reason_{s.code}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=200
            )
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            elif not isinstance(widget, forms.HiddenInput | forms.CheckboxInput):
                widget.attrs["class"] = (widget.attrs.get("class", "") + " form-control").strip()
            if isinstance(field, forms.DateField):
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"
            if isinstance(field, forms.FloatField):
                widget.attrs["step"] = "any"

    @property
    def override_rows(self):
        return [(self[f"type_{s.code}"], self[f"reason_{s.code}"]) for s in self.stations]

    @property
    def weight_fields(self):
        return [self[f"w_{n}"] for n in DEFAULT_WEIGHTS]

    def clean_category_minutes(self):
        out = {}
        for line in (self.cleaned_data.get("category_minutes") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            code, sep, minutes = line.partition("=")
            try:
                if not sep:
                    raise ValueError
                out[code.strip()] = float(minutes)
            except ValueError:
                raise forms.ValidationError(_("Write one code=minutes per line, e.g. 0101=80.")) from None
        return out

    def clean_advanced(self):
        text = (self.cleaned_data.get("advanced") or "").strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc.msg}) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(_('Write a JSON object, e.g. {"band": 0.2}.'))
        return data

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        overrides = {}
        for s in self.stations:
            t = data.get(f"type_{s.code}")
            if t:
                reason = (data.get(f"reason_{s.code}") or "").strip()
                if not reason:
                    self.add_error(f"reason_{s.code}", _("Say why the type is overridden."))
                overrides[s.code] = {"type": t, "reason": reason}
        params = {
            "centralised_share": data["centralised_share"],
            "case_hours": data["case_hours"],
            "ic_target_mean_age": data["ic_target_mean_age"],
            "ic_from_stations": data["ic_from_stations"],
            "workload_tilt": data["workload_tilt"],
            "proactive_shares": {
                "full_spectrum": data["proactive_full_spectrum"],
                "proactive": data["proactive_proactive"],
                "preventive": data["proactive_preventive"],
            },
            "category_minutes": data.get("category_minutes") or {},
            "zone_station": data.get("zone_station") or "",
            "zone_k": data["zone_k"],
            "time_limit": data["time_limit"],
            "weights": {n: data[f"w_{n}"] for n in DEFAULT_WEIGHTS},
            "station_overrides": overrides,
        }
        params.update(data.get("advanced") or {})
        try:
            data["params"] = ScenarioParams.from_dict(params).to_dict()
        except (TypeError, ValueError) as exc:
            raise forms.ValidationError(str(exc)) from None
        if data["reform_date"] <= data["as_of"]:
            self.add_error("reform_date", _("The reform date must come after the day of the state."))
        if data["incidents_to"] < data["incidents_from"]:
            self.add_error("incidents_to", _("The incident period ends before it starts."))
        return data

    @staticmethod
    def initial_from(scenario=None, *, bureau=None) -> dict:
        """Initial values: a copy of ``scenario``'s settings, or the defaults on the state of
        the bureau's data date."""
        if scenario is not None:
            p = ScenarioParams.from_dict(scenario.params)
            initial = {
                "name": f"{scenario.name} (2)",
                "note": scenario.note,
                "bureau": scenario.bureau_id,
                "as_of": scenario.as_of,
                "reform_date": scenario.reform_date,
                "incidents_from": scenario.incidents_from,
                "incidents_to": scenario.incidents_to,
                "thin_data_reason": scenario.thin_data_reason,
            }
        else:
            from .services import default_dates

            p = ScenarioParams()
            # the bureau's data, not today: the state on its data date, the year of
            # incidents up to its last one
            initial = {"bureau": bureau.pk if bureau else None, **(default_dates(bureau) if bureau else {})}
        initial.update(
            {
                "centralised_share": p.centralised_share,
                "case_hours": p.case_hours,
                "ic_target_mean_age": p.ic_target_mean_age,
                "ic_from_stations": p.ic_from_stations,
                "workload_tilt": p.workload_tilt,
                "proactive_full_spectrum": p.proactive_shares["full_spectrum"],
                "proactive_proactive": p.proactive_shares["proactive"],
                "proactive_preventive": p.proactive_shares["preventive"],
                "category_minutes": "\n".join(f"{k}={v:g}" for k, v in p.category_minutes.items()),
                "zone_station": p.zone_station,
                "zone_k": p.zone_k,
                "time_limit": p.time_limit,
            }
        )
        for n in DEFAULT_WEIGHTS:
            initial[f"w_{n}"] = p.weights[n]
        for code, ov in p.station_overrides.items():
            initial[f"type_{code}"] = ov["type"]
            initial[f"reason_{code}"] = ov["reason"]
        shown = {
            "centralised_share",
            "case_hours",
            "ic_target_mean_age",
            "ic_from_stations",
            "workload_tilt",
            "proactive_shares",
            "category_minutes",
            "zone_station",
            "zone_k",
            "time_limit",
            "weights",
            "station_overrides",
        }
        defaults = ScenarioParams().to_dict()
        extra = {k: v for k, v in p.to_dict().items() if k not in shown and v != defaults[k]}
        if extra:
            initial["advanced"] = json.dumps(extra, ensure_ascii=False)
        return initial


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class ApplyForm(forms.Form):
    # a date input shows only an ISO date: never the language's format (2017/05/01)
    apply_date = forms.DateField(
        label=_("New postings start on"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
