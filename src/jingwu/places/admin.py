from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import ElementRequirement, InspectionElement, Premises


@admin.register(Premises)
class PremisesAdmin(AuditedAdmin):
    list_display = ["name", "category", "station", "grid", "status"]
    list_filter = ["bureau", "category", "status"]
    search_fields = ["name", "address", "external_id"]
    raw_id_fields = ["grid", "station"]


@admin.register(InspectionElement)
class InspectionElementAdmin(AuditedAdmin):
    list_display = ["code", "name_zh", "name_en"]
    list_filter = ["bureau"]


@admin.register(ElementRequirement)
class ElementRequirementAdmin(AuditedAdmin):
    list_display = ["category", "element", "visits_per_year"]
    list_filter = ["bureau", "category"]
