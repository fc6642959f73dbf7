"""The inspections section of a premises page and the card of the home page."""

from __future__ import annotations

from django import template

from jingwu.core.scope import can, can_object
from jingwu.places.models import Premises

from ..forms import TimerForm
from ..models import Finding, LegalTimer, Sanction, Visit
from ..selectors import assess, risk_label, risk_reason_text, state_label, summary, timer_state_label
from ..services import bureau_now

register = template.Library()


@register.inclusion_tag("inspections/_premises_section.html", takes_context=True)
def premises_inspections(context, premises):
    user = context["request"].user
    if not can(user, LegalTimer, "view"):
        return {"show": False}
    (row,) = assess(Premises.objects.filter(pk=premises.pk))
    now = bureau_now(premises.bureau)
    timers = list(premises.legal_timers.order_by("-event_at")[:20])
    can_add = can_object(user, premises, "view") and _may(user, premises, "add")
    return {
        "show": True,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "premises": premises,
        "row": row,
        "risk_label": risk_label(row.risk.level),
        "reasons": [(risk_reason_text(r), r.points) for r in row.risk.reasons],
        "elements": [(row.element_name(e.element), e, state_label(e.state)) for e in row.elements],
        "timers": [(t, t.state(now), timer_state_label(t.state(now))) for t in timers],
        "visits": list(premises.inspection_visits.filter(status="done").order_by("-day")[:10]),
        "planned": list(premises.inspection_visits.filter(status="planned").order_by("day")[:10]),
        "findings": _findings(premises, row),
        "sanctions": list(premises.inspection_sanctions.select_related("finding", "incident")[:10]),
        "can_sanction": _may(user, premises, "add", Sanction),
        "can_close": _may(user, premises, "change", Finding),
        "incidents": _incidents_near(user, premises),
        "can_visit": _may(user, premises, "add", Visit),
        "names": row.names,
        "can_add": can_add,
        "can_change": _may(user, premises, "change"),
        "form": TimerForm(premises=premises) if can_add else None,
    }


def _may(user, premises, action: str, model=None) -> bool:
    from django.core.exceptions import PermissionDenied

    from jingwu.core.services import authorize

    try:
        authorize(user, model or LegalTimer, action, unit=premises.grid or premises.station)
    except PermissionDenied:
        return False
    return True


@register.inclusion_tag("inspections/_home_card.html", takes_context=True)
def inspections_home(context):
    user = context["request"].user
    data = summary(user)
    if data is None:
        return {"show": False}
    now = None
    alerts = []
    for t in data["recent_alerts"]:
        now = now or bureau_now(t.bureau)
        alerts.append((t, timer_state_label(t.state(now))))
    return {"show": True, "data": data, "alerts": alerts}


@register.filter
def element_names(codes, names):
    return ", ".join(names.get(c, c) for c in codes or [])


@register.filter
def lookup(mapping, key):
    return mapping.get(key, key) if mapping else key


def _findings(premises, row):
    from jingwu.core.clock import data_date
    from jingwu.core.i18n import pick
    from jingwu.engine.checklists import ELEMENT_LISTS, ENTERTAINMENT

    texts = {i.code: pick(i.zh, i.en) for c in (*ENTERTAINMENT, *ELEMENT_LISTS.values()) for i in c.items}
    today = data_date(premises.bureau)
    out = []
    for f in premises.inspection_findings.order_by("closed_on", "deadline")[:20]:
        late = (f.closed_on is None and f.deadline < today) or (
            f.closed_on is not None and f.closed_on > f.deadline
        )
        out.append({"f": f, "text": texts.get(f.item, f.item), "late": late})
    return out


def _incidents_near(user, premises):
    """Incidents of the premises' grid in the last 180 days (to link to a sanction)."""
    import datetime as dt

    from jingwu.core.clock import data_date, day_start, zone
    from jingwu.core.scope import restrict
    from jingwu.incidents.models import Incident

    since = day_start(data_date(premises.bureau) - dt.timedelta(days=180), zone(premises.bureau))
    qs = restrict(Incident.objects.select_related("category"), user).filter(
        station_id=premises.station_id, received_at__gte=since
    )
    if premises.grid_id:
        qs = qs.filter(grid_id=premises.grid_id)
    return list(qs.order_by("-received_at")[:30])
