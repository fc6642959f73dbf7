from django import template

register = template.Library()


@register.filter
def query_hover_on(indicator, d) -> str:
    """The indicator's source query on dashboard ``d`` (shown on the information icon)."""
    return indicator.query_hover(d)
