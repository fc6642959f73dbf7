from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import DueRow, Finding, InspectionPlan, LegalTimer, Sanction, Visit, VisitPhoto


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


@admin.register(InspectionPlan)
class InspectionPlanAdmin(AuditedAdmin):
    list_display = ["unit", "start", "days", "status"]
    list_filter = ["bureau", "status"]
    raw_id_fields = ["unit", "created_by"]


@admin.register(VisitPhoto)
class VisitPhotoAdmin(AuditedAdmin):
    list_display = ["visit", "item", "content_type", "size"]
    list_filter = ["bureau"]
    raw_id_fields = ["visit"]


@admin.register(Finding)
class FindingAdmin(AuditedAdmin):
    list_display = ["premises", "item", "deadline", "closed_on"]
    list_filter = ["bureau"]
    raw_id_fields = ["visit", "premises", "reinspection"]


@admin.register(Sanction)
class SanctionAdmin(AuditedAdmin):
    list_display = ["premises", "kind", "step", "decided_on"]
    list_filter = ["bureau", "kind"]
    raw_id_fields = ["premises", "finding", "incident"]


@admin.register(DueRow)
class DueRowAdmin(AuditedAdmin):
    """The due table is computed (``jingwu inspections sweep``): read only here."""

    list_display = ["premises", "as_of", "last_visit", "failed", "near"]
    list_filter = ["bureau", "as_of"]
    raw_id_fields = ["premises"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
