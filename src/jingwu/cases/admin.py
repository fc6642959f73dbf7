from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import CalendarDay, Case, CaseIncident, Petition, PetitionIncident, Series, SeriesIncident


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
