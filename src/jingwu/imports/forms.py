from __future__ import annotations

import json
from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from jingwu.imports.reading import size_error

from .mapping import FIELDS, MappingError, MappingSpec
from .models import KIND_CHOICES, ImportMapping
from .services import import_bureaus, importable_kinds

ALLOWED_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".geojson", ".json", ".gz"}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"))
    bureau = forms.ModelChoiceField(label=_("Bureau"), queryset=None)
    mapping = forms.ModelChoiceField(
        label=_("Column mapping"),
        queryset=None,
        required=False,
        empty_label=_("Our own column names (and their usual Chinese names)"),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV or TSV (UTF-8, UTF-16 or GBK; may be gzipped), Excel (.xlsx), or GeoJSON for units."
        ),
    )
    dry_run = forms.BooleanField(label=_("Dry run: check every row and report, save nothing"), required=False)
    skip_invalid = forms.BooleanField(
        label=_("Import the valid rows and set the bad ones aside (otherwise: all or nothing)"),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        kinds = importable_kinds(user)
        self.fields["kind"].choices = [(k, label) for k, label in KIND_CHOICES if k in kinds]
        bureaus = import_bureaus(user)
        from jingwu.core.models import Bureau

        self.fields["bureau"].queryset = Bureau.objects.filter(pk__in=[b.pk for b in bureaus])
        if len(bureaus) == 1:
            self.fields["bureau"].initial = bureaus[0].pk
            self.fields["bureau"].widget = forms.HiddenInput()
        self.fields["mapping"].queryset = ImportMapping.objects.filter(
            bureau__in=[b.pk for b in bureaus], kind__in=kinds
        ).order_by("kind", "name")
        self.fields["mapping"].label_from_instance = lambda m: f"{m.name} · {m.get_kind_display()}"
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select"
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs["class"] = "form-control"
            if name == "file":
                widget.attrs["accept"] = ",".join(sorted(ALLOWED_SUFFIXES))

    def clean_file(self):
        f = self.cleaned_data["file"]
        suffixes = {s.lower() for s in Path(f.name).suffixes}
        if not suffixes & ALLOWED_SUFFIXES:
            raise forms.ValidationError(_("Choose a CSV, TSV, Excel (.xlsx) or GeoJSON file."))
        too_large = size_error(f.size)  # the setting IMPORT_MAX_BYTES (JINGWU_IMPORT_MAX_MB)
        if too_large:
            raise forms.ValidationError(too_large)
        return f

    def clean(self):
        data = super().clean()
        mapping, kind, bureau = data.get("mapping"), data.get("kind"), data.get("bureau")
        if mapping is not None and kind and mapping.kind != kind:
            self.add_error("mapping", _("This mapping is for another kind of file."))
        if mapping is not None and bureau is not None and mapping.bureau_id != bureau.pk:
            self.add_error("mapping", _("This mapping belongs to another bureau."))
        return data


class JSONText(forms.CharField):
    """A JSON value edited as text."""

    def __init__(self, *args, empty=dict, **kwargs):
        self.empty = empty
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 6, "class": "form-control font-monospace"}))
        super().__init__(*args, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value or not value.strip():
            return self.empty()
        try:
            return json.loads(value)
        except ValueError as exc:
            raise forms.ValidationError(_("Not valid JSON: %(error)s") % {"error": exc}) from exc


class MappingForm(forms.Form):
    name = forms.SlugField(label=_("Name"), max_length=60, allow_unicode=True)
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES)
    bureau = forms.ModelChoiceField(label=_("Bureau"), queryset=None)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    source_system = forms.CharField(label=_("Source system"), max_length=32, required=False)
    columns = JSONText(label=_("Columns (our field → their column)"))
    category_map = JSONText(label=_("Category map (their value → our code)"))
    value_maps = JSONText(label=_("Value maps (per field: their value → our code)"))
    coordinate_system = forms.CharField(label=_("Coordinate system"), max_length=80, initial="wgs84")
    datetime_formats = JSONText(label=_("Date and time formats (a JSON list)"), empty=list)
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        required=False,
        help_text=_("The time zone of the file's times; empty: the bureau's."),
    )
    options = JSONText(label=_("Options"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from jingwu.core.models import Bureau

        bureaus = import_bureaus(user)
        self.fields["bureau"].queryset = Bureau.objects.filter(pk__in=[b.pk for b in bureaus])
        if len(bureaus) == 1:
            self.fields["bureau"].initial = bureaus[0].pk
            self.fields["bureau"].widget = forms.HiddenInput()
        kinds = importable_kinds(user)
        self.fields["kind"].choices = [(k, label) for k, label in KIND_CHOICES if k in kinds]
        for field in self.fields.values():
            w = field.widget
            if isinstance(w, forms.Select):
                w.attrs["class"] = "form-select"
            elif not isinstance(w, forms.HiddenInput | forms.Textarea):
                w.attrs["class"] = "form-control"

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["spec"] = MappingSpec.from_dict({k: v for k, v in data.items() if k != "bureau"})
        except (MappingError, TypeError, AttributeError) as exc:
            raise forms.ValidationError(
                _("The mapping cannot work: %(error)s. Fields of this kind: %(fields)s.")
                % {"error": exc, "fields": ", ".join(FIELDS.get(data.get("kind", ""), ()))}
            ) from exc
        return data
