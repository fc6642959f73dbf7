"""The card of the home page: the deadlines of the user's own cases falling due and overdue."""

from __future__ import annotations

from django import template

from jingwu.core.clock import latest_day, user_bureau
from jingwu.core.scope import can

from ..models import Case
from ..selectors import cases_for

register = template.Library()
SHOWN = 8


@register.inclusion_tag("cases/_home_card.html", takes_context=True)
def cases_home(context):
    from .. import deadlines

    user = context["request"].user
    if not can(user, Case, "view"):
        return {"show": False}
    bureau = user_bureau(user)
    if bureau is None:
        return {"show": False}
    mine = cases_for(user).filter(bureau=bureau)
    as_of = latest_day(bureau)
    soon = deadlines.reminders(mine, bureau, as_of)
    late = deadlines.overdue(mine, bureau, as_of)
    return {
        "show": True,
        "as_of": as_of,
        "remind_days": deadlines.REMIND_DAYS,
        "soon": list(soon[:SHOWN]),
        "soon_count": soon.count(),
        "late": list(late[:SHOWN]),
        "late_count": late.count(),
    }
