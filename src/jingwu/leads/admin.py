from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import Cluster, Entity, ExtractionRun, Mention


@admin.register(Entity)
class EntityAdmin(AuditedAdmin):
    list_display = ("kind", "masked", "detail", "bureau")
    list_filter = ("kind", "bureau")
    exclude = ("value",)
    readonly_fields = ("bureau", "kind", "detail")


@admin.register(ExtractionRun)
class ExtractionRunAdmin(AuditedAdmin):
    list_display = ("pk", "bureau", "status", "records", "mentions", "clusters", "created_at", "finished_at")
    list_filter = ("status", "bureau")
    readonly_fields = (
        "job",
        "started_by",
        "cursors",
        "records",
        "mentions",
        "clusters",
        "finished_at",
        "error",
    )


@admin.register(Cluster)
class ClusterAdmin(AuditedAdmin):
    list_display = ("number", "bureau", "records", "entities", "first", "last")
    list_filter = ("bureau",)
    readonly_fields = ("run", "number", "records", "entities", "first", "last", "evidence")


@admin.register(Mention)
class MentionAdmin(AuditedAdmin):
    list_display = ("record_number", "source", "entity", "on_date", "unit", "criminal")
    list_filter = ("source", "criminal", "bureau")
    readonly_fields = (
        "entity",
        "source",
        "record_id",
        "record_number",
        "unit",
        "criminal",
        "on_date",
        "start",
    )
    list_select_related = ("entity", "unit")
