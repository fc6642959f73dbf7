from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Jobs are written by the runner only: the admin reads them."""

    list_display = [
        "id",
        "kind",
        "bureau",
        "started_by",
        "state",
        "phase",
        "percent",
        "attempts",
        "created_at",
    ]
    list_filter = ["state", "kind", "bureau"]
    search_fields = ["kind", "target_type", "error"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
