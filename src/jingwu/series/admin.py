from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import CandidateLink, LinkRun, UnreportedLead


@admin.register(LinkRun)
class LinkRunAdmin(AuditedAdmin):
    list_display = ["first_day", "last_day", "method", "status", "created_at"]
    list_filter = ["bureau", "status"]
    readonly_fields = ["results", "error"]


@admin.register(CandidateLink)
class CandidateLinkAdmin(AuditedAdmin):
    list_display = ["incident_a", "incident_b", "probability", "status"]
    list_filter = ["bureau", "status"]
    raw_id_fields = ["run", "incident_a", "incident_b", "decided_by"]


@admin.register(UnreportedLead)
class UnreportedLeadAdmin(AuditedAdmin):
    list_display = ["series", "first_day", "address", "station", "due", "status"]
    list_filter = ["bureau", "status", "source"]
    raw_id_fields = [
        "series",
        "premises",
        "station",
        "zone",
        "grid",
        "incident",
        "followed_up_by",
        "added_by",
    ]
