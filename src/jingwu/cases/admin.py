from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import (
    CalendarDay,
    Case,
    CaseDeadline,
    CaseIncident,
    CaseReview,
    CaseTransfer,
    DeadlineLimit,
    Escalation,
    Petition,
    PetitionIncident,
    RoutingRule,
    Series,
    SeriesIncident,
)


class CaseIncidentInline(admin.TabularInline):
    model = CaseIncident
    extra = 0
    raw_id_fields = ["incident"]


class SeriesIncidentInline(admin.TabularInline):
    model = SeriesIncident
    extra = 0
    raw_id_fields = ["incident"]


class PetitionIncidentInline(admin.TabularInline):
    model = PetitionIncident
    extra = 0
    raw_id_fields = ["incident"]


@admin.register(Case)
class CaseAdmin(AuditedAdmin):
    list_display = ["number", "title", "kind", "owning_unit", "status", "opened_at"]
    list_filter = ["bureau", "kind", "status"]
    search_fields = ["number", "title"]
    raw_id_fields = ["owning_unit"]
    inlines = [CaseIncidentInline]


@admin.register(Series)
class SeriesAdmin(AuditedAdmin):
    list_display = ["code", "name", "origin"]
    list_filter = ["bureau", "origin"]
    inlines = [SeriesIncidentInline]


@admin.register(Petition)
class PetitionAdmin(AuditedAdmin):
    list_display = ["number", "subject", "unit", "status", "received_at"]
    list_filter = ["bureau", "status"]
    raw_id_fields = ["unit"]
    inlines = [PetitionIncidentInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ["day", "kind", "name", "bureau"]
    list_filter = ["bureau", "kind"]
    date_hierarchy = "day"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the services write (with their checks and audit): shown here, changed there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseTransfer)
class CaseTransferAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "from_unit", "to_unit", "at", "actor"]
    list_filter = ["bureau", "kind"]
    raw_id_fields = ["case"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(ReadOnlyAdmin):
    list_display = ["priority", "name", "kind", "category", "min_amount", "station_type", "target", "active"]
    list_filter = ["bureau", "active"]


@admin.register(CaseDeadline)
class CaseDeadlineAdmin(ReadOnlyAdmin):
    list_display = ["case", "stage", "due", "met_at", "level"]
    list_filter = ["bureau", "stage"]
    raw_id_fields = ["case"]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["case", "level", "to_unit", "as_of", "actor"]
    list_filter = ["bureau", "level"]
    raw_id_fields = ["case", "deadline"]


@admin.register(CaseReview)
class CaseReviewAdmin(ReadOnlyAdmin):
    list_display = ["case", "outcome", "owning_unit", "reviewer", "at"]
    list_filter = ["bureau", "outcome"]
    raw_id_fields = ["case"]


@admin.register(DeadlineLimit)
class DeadlineLimitAdmin(ReadOnlyAdmin):
    list_display = ["kind", "stage", "days", "working"]
    list_filter = ["bureau", "kind"]
