from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import (
    DutyPattern,
    GridDuty,
    GridWork,
    LeaveRequest,
    Retasking,
    Roster,
    RosterEntry,
    StationDuty,
    SwapRequest,
)


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


@admin.register(RosterEntry)
class RosterEntryAdmin(AuditedAdmin):
    list_display = ("roster", "officer", "day", "shift", "zone", "lead")
    list_filter = ("bureau",)
    raw_id_fields = ("roster", "officer", "zone")


@admin.register(LeaveRequest)
class LeaveRequestAdmin(AuditedAdmin):
    list_display = ("officer", "station", "first", "last", "status", "decided_by")
    list_filter = ("bureau", "status")
    raw_id_fields = ("station", "officer", "requested_by", "decided_by")


@admin.register(SwapRequest)
class SwapRequestAdmin(AuditedAdmin):
    list_display = ("roster", "day", "officer_a", "officer_b", "status", "decided_by")
    list_filter = ("bureau", "status")
    raw_id_fields = ("roster", "officer_a", "officer_b", "requested_by", "decided_by")


@admin.register(GridDuty)
class GridDutyAdmin(AuditedAdmin):
    list_display = ("grid", "officer", "bureau")
    raw_id_fields = ("grid", "officer", "auxiliaries")


@admin.register(GridWork)
class GridWorkAdmin(AuditedAdmin):
    list_display = ("grid", "officer", "kind", "day", "minutes", "households")
    list_filter = ("bureau", "kind")
    raw_id_fields = ("grid", "officer", "created_by")


@admin.register(Retasking)
class RetaskingAdmin(AuditedAdmin):
    list_display = ("name", "station", "first", "last", "status", "decided_by")
    list_filter = ("bureau", "status")
    raw_id_fields = ("station", "officers", "proposed_by", "decided_by")
