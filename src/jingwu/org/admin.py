from django.contrib import admin

from .models import Unit


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
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
