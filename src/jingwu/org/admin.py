from django import forms
from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import Unit
from .services import apply_geometry, set_path, validate_unit


class UnitAdminForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = [
            "bureau",
            "parent",
            "kind",
            "code",
            "name_zh",
            "name_en",
            "station_type",
            "boundary",
            "base_lon",
            "base_lat",
            "households",
            "residents",
            "floating",
            "valid_from",
            "valid_to",
        ]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            validate_unit(self.instance)  # the same rules as the unit service
        return cleaned


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    form = UnitAdminForm
    list_display = [
        "code",
        "name_zh",
        "kind",
        "station_type",
        "parent",
        "area_km2",
        "households",
        "valid_from",
        "valid_to",
    ]
    list_filter = ["bureau", "kind", "station_type"]
    search_fields = ["code", "name_zh", "name_en"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth", "area_km2"]

    def save_model(self, request, obj, form, change):
        apply_geometry(obj)
        if obj.pk is None:
            obj.save()
        set_path(obj)
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request, obj=None):
        # A unit's place in the tree is fixed: reorganise by ending it and creating a new one.
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["bureau", "parent", "kind"] if obj is not None else fields
