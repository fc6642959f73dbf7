"""The Four-Star evaluation in the admin: read only. Every step of the workflow goes through
the services (scope, deadlines, audit), never through the admin's forms."""

from django.apps import apps
from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    list_filter = ["bureau"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model in apps.get_app_config("evaluation").get_models():
    admin.site.register(model, ReadOnlyAdmin)
