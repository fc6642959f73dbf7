"""Admin base class: changes made in the Django admin are audited like any other write."""

from __future__ import annotations

from django.contrib import admin

from . import audit


def _bureau_of(obj):
    from .models import Bureau

    if isinstance(obj, Bureau):
        return obj
    return getattr(obj, "bureau", None)


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        before = None
        if change and obj.pk:
            old = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = audit.snapshot(old) if old is not None else None
        super().save_model(request, obj, form, change)
        audit.record(
            "update" if change else "create",
            actor=request.user,
            bureau=_bureau_of(obj),
            obj=obj,
            before=before,
            after=audit.snapshot(obj),
            reason="admin",
            via="web",
        )

    def delete_model(self, request, obj):
        before = audit.snapshot(obj)
        bureau = _bureau_of(obj)
        label, pk, text = obj._meta.label_lower, str(obj.pk), str(obj)
        super().delete_model(request, obj)
        audit.record(
            "delete",
            actor=request.user,
            bureau=bureau,
            object_type=label,
            object_id=pk,
            object_repr=text,
            before=before,
            reason="admin",
            via="web",
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
