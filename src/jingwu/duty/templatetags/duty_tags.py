"""``{% duty_today unit %}``: today's duty of a station or zone (its card on the unit page)."""

from __future__ import annotations

from django import template

from jingwu.core.scope import can

register = template.Library()


@register.inclusion_tag("duty/_today.html", takes_context=True)
def duty_today(context, unit):
    from jingwu.duty.models import Roster
    from jingwu.duty.selectors import duty_today as today

    user = context["request"].user
    if unit.kind not in ("station", "zone", "grid") or not can(user, Roster, "view"):
        return {"duty": None}
    duty = today(user, unit)
    if duty and duty["roster"] is not None:
        pattern = duty["roster"].pattern or {}
        from jingwu.core.i18n import pick

        names = {
            s["code"]: pick(s.get("name_zh") or s["code"], s.get("name_en") or s["code"])
            for s in pattern.get("shifts", [])
        }
        for e in duty["entries"]:
            e.shift_name = names.get(e.shift, e.shift)
    return {"duty": duty}


@register.filter
def can_see_duty(user) -> bool:
    from jingwu.duty.models import Roster

    return bool(getattr(user, "is_authenticated", False)) and can(user, Roster, "view")
