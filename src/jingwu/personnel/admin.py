from django.contrib import admin

from jingwu.core.admin_base import AuditedAdmin

from .models import Officer, OfficerSkill, Posting


class SkillInline(admin.TabularInline):
    model = OfficerSkill
    extra = 0
    fields = ["bureau", "skill", "level"]


class PostingInline(admin.TabularInline):
    model = Posting
    extra = 0
    raw_id_fields = ["unit"]
    fields = ["bureau", "unit", "role", "start", "end"]


@admin.register(Officer)
class OfficerAdmin(AuditedAdmin):
    list_display = ["police_number", "name", "kind", "gender", "birth_date", "rank", "status"]
    list_filter = ["bureau", "kind", "gender", "status", "rank"]
    search_fields = ["police_number", "name"]
    inlines = [SkillInline, PostingInline]


@admin.register(Posting)
class PostingAdmin(AuditedAdmin):
    list_display = ["officer", "unit", "role", "start", "end"]
    list_filter = ["bureau", "role"]
    raw_id_fields = ["officer", "unit"]


@admin.register(OfficerSkill)
class OfficerSkillAdmin(AuditedAdmin):
    list_display = ["officer", "skill", "level"]
    list_filter = ["bureau", "skill", "level"]
    raw_id_fields = ["officer"]
