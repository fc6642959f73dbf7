from django import template

register = template.Library()


@register.filter
def hover_on(indicator, d) -> str:
    """The indicator's hover text on dashboard ``d``: definition, source queries, unit."""
    return indicator.hover_for(d)
