from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import DutyPattern, Roster, StationDuty


@admin.register(DutyPattern)
class DutyPatternAdmin(AuditedAdmin):
    list_display = ("code", "name_zh", "name_en", "bureau", "min_rest_hours")
    list_filter = ("bureau",)


@admin.register(StationDuty)
class StationDutyAdmin(AuditedAdmin):
    list_display = ("station", "pattern", "min_on_duty", "max_week_hours", "coverage_at")
    raw_id_fields = ("station", "pattern")


@admin.register(Roster)
class RosterAdmin(AuditedAdmin):
    list_display = ("station", "start", "days", "status", "created_by", "created_at")
    list_filter = ("bureau", "status")
    raw_id_fields = ("station", "created_by")
