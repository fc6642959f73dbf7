from django.contrib import admin

from .admin_base import AuditedAdmin
from .models import AuditEvent, AuditHead, Bureau


@admin.register(Bureau)
class BureauAdmin(AuditedAdmin):
    list_display = ["code", "name_zh", "name_en", "region_code", "time_zone", "id_scheme"]
    search_fields = ["code", "name_zh", "name_en"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted through the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit trail is append-only."""

    list_display = ["at", "bureau", "actor_label", "action", "object_type", "object_repr", "via", "ip"]
    list_filter = ["bureau", "action", "object_type", "via"]
    search_fields = ["actor_label", "object_repr", "object_id", "request_id"]
    date_hierarchy = "at"


@admin.register(AuditHead)
class AuditHeadAdmin(ReadOnlyAdmin):
    """Read-only: each chain's newest event, checked by ``jingwu audit verify``."""

    list_display = ["bureau", "seq", "hash", "rebuilt_at"]
