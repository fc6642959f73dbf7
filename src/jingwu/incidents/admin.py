from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import Incident, IncidentCategory


@admin.register(IncidentCategory)
class IncidentCategoryAdmin(AuditedAdmin):
    list_display = ["code", "name_zh", "name_en", "criminal", "minutes", "backup"]
    list_filter = ["criminal"]


@admin.register(Incident)
class IncidentAdmin(AuditedAdmin):
    list_display = ["number", "received_at", "category", "source", "station", "grid", "status"]
    list_filter = ["bureau", "source", "status", "category"]
    search_fields = ["number", "address", "external_id"]
    raw_id_fields = ["grid", "zone", "station"]
    date_hierarchy = "received_at"
    list_select_related = ["category", "station", "grid"]
