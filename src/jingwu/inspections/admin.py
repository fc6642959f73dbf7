from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import LegalTimer, Visit


@admin.register(Visit)
class VisitAdmin(AuditedAdmin):
    list_display = ["premises", "day", "status", "failed_items"]
    list_filter = ["bureau", "status"]
    raw_id_fields = ["premises", "recorded_by"]


@admin.register(LegalTimer)
class LegalTimerAdmin(AuditedAdmin):
    list_display = ["premises", "kind", "event_at", "due_at", "done_at", "missing"]
    list_filter = ["bureau", "kind", "missing"]
    raw_id_fields = ["premises"]
