from django import template

register = template.Library()


@register.filter
def can_see_imports(user) -> bool:
    """Whether the Import menu item shows: the user may import, or audits a bureau."""
    if not getattr(user, "is_authenticated", False):
        return False
    from jingwu.core.scope import can
    from jingwu.imports.models import ImportJob

    return can(user, ImportJob, "view")


@register.filter
def import_kind_label(kind: str) -> str:
    """An import kind in words (``incidents`` is 警情)."""
    from jingwu.imports.models import KIND_CHOICES

    return str(dict(KIND_CHOICES).get(kind, kind))
