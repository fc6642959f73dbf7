"""Reports in the admin: read only (they are asked for on the dashboards and written by jobs)."""

from django.contrib import admin

from .models import IndicatorSet, PatrolTask, Report, ReportSchedule


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_filter = ["bureau"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportSchedule, IndicatorSet, PatrolTask)
class MeasureReadOnlyAdmin(admin.ModelAdmin):
    """Schedules, indicator sets and directed patrols: read only (set through their pages and services)."""

    list_filter = ["bureau"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
