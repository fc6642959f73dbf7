from django.contrib import admin

from .models import ElementRequirement, InspectionElement, Premises


@admin.register(Premises)
class PremisesAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "station", "grid", "status"]
    list_filter = ["bureau", "category", "status"]
    search_fields = ["name", "address", "external_id"]
    raw_id_fields = ["grid", "station"]


@admin.register(InspectionElement)
class InspectionElementAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en"]
    list_filter = ["bureau"]


@admin.register(ElementRequirement)
class ElementRequirementAdmin(admin.ModelAdmin):
    list_display = ["category", "element", "visits_per_year"]
    list_filter = ["bureau", "category"]
