"""The near-repeat card of the home page: the open alerts of the user's zones."""

from __future__ import annotations

from django import template

from jingwu.core.clock import user_bureau
from jingwu.core.scope import can

from ..models import NearRepeatAlert

register = template.Library()
SHOWN = 8


@register.inclusion_tag("incidents/_near_repeat_card.html", takes_context=True)
def near_repeat_home(context):
    from ..nearrepeat import alerts_for

    user = context["request"].user
    if not can(user, NearRepeatAlert, "view"):
        return {"show": False}
    bureau = user_bureau(user)
    if bureau is None:
        return {"show": False}
    alerts = alerts_for(user, bureau)
    shown = list(alerts[:SHOWN])
    if not shown:
        return {"show": False}
    return {"show": True, "alerts": shown, "count": alerts.count()}
