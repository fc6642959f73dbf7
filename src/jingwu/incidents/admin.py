from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import Callback, Incident, IncidentCategory, NearRepeatAlert, NearRepeatProfile


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


class _ReadOnly(admin.ModelAdmin):
    """Rows the near-repeat computation writes (with its audit): shown here, not changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NearRepeatProfile)
class NearRepeatProfileAdmin(_ReadOnly):
    list_display = ["as_of", "events", "supported", "distance", "days", "ratio", "p_value", "computed_at"]
    list_filter = ["bureau", "supported"]


@admin.register(NearRepeatAlert)
class NearRepeatAlertAdmin(_ReadOnly):
    list_display = ["incident", "zone", "radius", "starts", "ends"]
    list_filter = ["bureau"]
    raw_id_fields = ["incident", "zone", "profile"]


@admin.register(Callback)
class CallbackAdmin(_ReadOnly):
    """Callbacks are recorded through ``do_record_callback`` (audited): shown here, not changed."""

    list_display = ["incident", "called_at", "result", "complaint", "officer"]
    list_filter = ["bureau", "result", "complaint"]
    raw_id_fields = ["incident", "officer", "called_by"]
