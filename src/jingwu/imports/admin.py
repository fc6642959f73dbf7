from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import ImportJob, ImportMapping, ImportRow


@admin.register(ImportMapping)
class ImportMappingAdmin(AuditedAdmin):
    list_display = ["name", "kind", "bureau", "source_system", "coordinate_system", "timezone"]
    list_filter = ["kind", "bureau"]
    search_fields = ["name", "description", "source_system"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "kind",
        "file_name",
        "bureau",
        "user",
        "status",
        "rows_done",
        "created",
        "unchanged",
        "rows_invalid",
        "created_at",
    ]
    list_filter = ["status", "kind", "bureau"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportRow)
class ImportRowAdmin(admin.ModelAdmin):
    """Staged rows of import jobs (transient: the valid ones go when their job is done)."""

    list_display = ["job", "row_no", "status", "key"]
    list_filter = ["status"]
    list_select_related = ["job"]
    readonly_fields = [f.name for f in ImportRow._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
