from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import Scenario, ScenarioMove


class ScenarioMoveInline(admin.TabularInline):
    model = ScenarioMove
    extra = 0
    fields = ("officer", "from_unit", "to_unit", "role", "posting")
    raw_id_fields = ("officer", "from_unit", "to_unit", "posting")
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Scenario)
class ScenarioAdmin(AuditedAdmin):
    list_display = (
        "name",
        "bureau",
        "status",
        "as_of",
        "reform_date",
        "progress",
        "created_by",
        "created_at",
    )
    list_filter = ("bureau", "status")
    search_fields = ("name", "note")
    date_hierarchy = "created_at"
    raw_id_fields = ("created_by", "approved_by", "applied_by")
    readonly_fields = (
        "run",
        "step",
        "progress",
        "error",
        "results",
        "started_at",
        "finished_at",
        "approved_by",
        "approved_at",
        "applied_by",
        "applied_at",
    )
    inlines = [ScenarioMoveInline]


@admin.register(ScenarioMove)
class ScenarioMoveAdmin(AuditedAdmin):
    list_display = ("scenario", "officer", "from_unit", "to_unit", "role", "posting")
    list_filter = ("bureau", "scenario")
    search_fields = ("officer__name", "officer__police_number")
    raw_id_fields = ("scenario", "officer", "from_unit", "to_unit", "posting")
