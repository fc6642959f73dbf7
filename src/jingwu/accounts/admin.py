from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from jingwu.core.admin_base import AuditedAdmin

from .models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["unit"]
    fields = ["bureau", "unit", "role", "valid_from", "valid_to"]


@admin.register(User)
class JingwuUserAdmin(UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("Jingwu", {"fields": ("bureau", "officer")}),)
    list_display = ["username", "first_name", "last_name", "bureau", "is_active", "is_superuser"]
    list_filter = ["bureau", "is_active", "is_superuser"]
    raw_id_fields = ["officer"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    list_display = ["user", "unit", "role", "valid_from", "valid_to"]
    list_filter = ["bureau", "role"]
    raw_id_fields = ["user", "unit"]
