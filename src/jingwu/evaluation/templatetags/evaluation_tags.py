"""The evaluation's card on the home page: the user's open reminders of deadlines."""

from __future__ import annotations

from django import template

from ..reminders import open_reminders

register = template.Library()


@register.inclusion_tag("evaluation/_home_card.html", takes_context=True)
def evaluation_home(context):
    user = context["request"].user
    rows = list(open_reminders(user)[:20])
    return {"show": bool(rows), "reminders": rows}
