from django import template

register = template.Library()


@register.filter
def can_see_imports(user) -> bool:
    """Whether the Import menu item shows: the user may import, or audits a bureau."""
    if not getattr(user, "is_authenticated", False):
        return False
    from jingwu.imports.views import _can_see_jobs

    return _can_see_jobs(user)
