"""Reads of the inspections app, always through the scoping layer."""

from __future__ import annotations

import datetime as dt
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.db.models.base import ModelState
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingwu.core.clock import data_date
from jingwu.core.i18n import label
from jingwu.core.models import Bureau
from jingwu.core.scope import restrict
from jingwu.engine import inspection_rules as rules
from jingwu.places.models import ElementRequirement, InspectionElement, Premises

from . import duetable
from .models import LegalTimer, Visit
from .services import bureau_now

STATE_ORDER = {"overdue": 0, "due": 1, "later": 2}


def visits_for(user, action: str = "view"):
    return restrict(Visit.objects.select_related("premises"), user, action)


def timers_for(user, action: str = "view"):
    return restrict(
        LegalTimer.objects.select_related("premises__grid__parent", "premises__station").defer(
            "premises__grid__boundary", "premises__grid__parent__boundary", "premises__station__boundary"
        ),
        user,
        action,
    )


def alert_q(now: dt.datetime) -> Q:
    """Timers that alert the responsible zone: deliver timers past their deadline, records missing."""
    deliver = [k for k, r in rules.TIMER_RULES.items() if r.mode == "deliver"]
    return Q(kind__in=deliver, done_at__isnull=True, due_at__lt=now) | Q(missing=True)


@dataclass
class PremisesDue:
    premises: Premises
    elements: list[rules.ElementDue]
    risk: rules.Risk
    alerts: int
    last_visit: dt.date | None
    names: dict = field(default_factory=dict)

    @functools.cached_property
    def state(self) -> str:
        return min((e.state for e in self.elements), key=STATE_ORDER.__getitem__, default="later")

    @property
    def next_due(self) -> dt.date | None:
        return min((e.due for e in self.elements), default=None)

    @property
    def due_now(self) -> list[rules.ElementDue]:
        return [e for e in self.elements if e.state != "later"]

    def element_name(self, code: str) -> str:
        return self.names.get(code, code)


def element_names(bureau_id: int) -> dict[str, str]:
    return {e.code: str(e) for e in InspectionElement.objects.filter(bureau_id=bureau_id)}


#: The fields of a premises the assessment reads.
_ASSESSED = ("id", "bureau_id", "category", "name", "lon", "lat", "created_at")


def _light(model, names, values, db: str):
    """A model instance from ``values`` of the fields ``names`` (the others deferred),
    without the per-instance work of ``Model.from_db`` (signals, ``__init__``): a county's
    due list builds thousands."""
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, values, strict=True))
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = db
    return obj


def assess(premises_qs, *, horizon_days: int = 30) -> list[PremisesDue]:
    """Elements due, risk and alerts for each premises of ``premises_qs`` (already scoped).

    The premises carry only what the assessment needs; :func:`with_places` loads the
    rest for the rows a page shows."""
    premises = [
        _light(Premises, _ASSESSED, values, premises_qs.db)
        for values in premises_qs.select_related(None).values_list(*_ASSESSED)
    ]
    by_bureau: dict[int, list[Premises]] = defaultdict(list)
    for p in premises:
        by_bureau[p.bureau_id].append(p)
    out: list[PremisesDue] = []
    for bureau_id, group in by_bureau.items():
        out += _assess_bureau(Bureau.objects.get(pk=bureau_id), group, horizon_days)
    return out


def with_places(rows: list[PremisesDue]) -> list[PremisesDue]:
    """Load the grid, zone and station of the premises of ``rows`` (the rows of one page)."""
    full = (
        Premises.objects.select_related("grid", "station")
        .defer("grid__boundary", "station__boundary")
        .in_bulk([r.premises.pk for r in rows])
    )
    for r in rows:
        r.premises = full[r.premises.pk]
    return rows


def _assess_bureau(bureau: Bureau, group: list[Premises], horizon_days: int) -> list[PremisesDue]:
    today = data_date(bureau)
    now = bureau_now(bureau)
    reqs: dict[str, dict[str, int]] = defaultdict(dict)
    for cat, code, n in ElementRequirement.objects.filter(bureau=bureau).values_list(
        "category", "element__code", "visits_per_year"
    ):
        reqs[cat][code] = n
    rows = duetable.rows_for(bureau, group, today)
    timers = LegalTimer.objects.filter(bureau=bureau).filter(alert_q(now))
    if len(group) <= duetable.FEW:
        timers = timers.filter(premises_id__in=[p.pk for p in group])
    alerts: dict[int, int] = defaultdict(int)
    for pid in timers.values_list("premises_id", flat=True):
        alerts[pid] += 1
    names = element_names(bureau.pk)
    out = []
    for p in group:
        row = rows[p.pk]
        lv = row.last_visit
        risk = rules.risk_score(
            None if lv is None else (today - lv).days, row.failed, row.near, alerts.get(p.pk, 0)
        )
        due = duetable.due_today(row, reqs.get(p.category, {}), today, horizon_days)
        out.append(PremisesDue(p, due, risk, alerts.get(p.pk, 0), lv, names))
    return out


def due_counts(premises_qs, *, horizon_days: int = 30) -> dict[str, int]:
    """How many premises of ``premises_qs`` (already scoped) there are, and how many are
    overdue and due, as the due list (:func:`assess`) counts them, from the due table alone:
    no risk, alerts or element names, and the premises read as (id, category, place) only."""
    by_bureau: dict[int, list[Premises]] = defaultdict(list)
    fields = ("id", "bureau_id", "category", "lon", "lat")
    for values in premises_qs.select_related(None).order_by().values_list(*fields):
        p = _light(Premises, fields, values, premises_qs.db)
        by_bureau[p.bureau_id].append(p)
    counts = {"premises": 0, "overdue": 0, "due": 0}
    for bureau_id, group in by_bureau.items():
        bureau = Bureau.objects.get(pk=bureau_id)
        today = data_date(bureau)
        reqs: dict[str, dict[str, int]] = defaultdict(dict)
        for cat, code, n in ElementRequirement.objects.filter(bureau=bureau).values_list(
            "category", "element__code", "visits_per_year"
        ):
            reqs[cat][code] = n
        rows = duetable.rows_for(bureau, group, today)
        for p in group:
            due = duetable.due_today(rows[p.pk], reqs.get(p.category, {}), today, horizon_days)
            state = min((e.state for e in due), key=STATE_ORDER.__getitem__, default="later")
            if state != "later":
                counts[state] += 1
        counts["premises"] += len(group)
    return counts


def risk_reason_text(reason: rules.RiskReason) -> str:
    """A risk reason in the user's language."""
    if reason.code == "never_visited":
        return _("Never inspected")
    if reason.code == "since_visit":
        return ngettext("Last inspected %(n)d day ago", "Last inspected %(n)d days ago", reason.value) % {
            "n": reason.value
        }
    if reason.code == "findings":
        return ngettext(
            "%(n)d failed checklist item in the last two years",
            "%(n)d failed checklist items in the last two years",
            reason.value,
        ) % {"n": reason.value}
    if reason.code == "incidents":
        return ngettext(
            "%(n)d incident within %(m)d m in the last %(d)d days",
            "%(n)d incidents within %(m)d m in the last %(d)d days",
            reason.value,
        ) % {"n": reason.value, "m": rules.NEARBY_METRES, "d": rules.INCIDENT_DAYS}
    if reason.code == "timers":
        return ngettext(
            "%(n)d legal deadline overdue or record missing",
            "%(n)d legal deadlines overdue or records missing",
            reason.value,
        ) % {"n": reason.value}
    return reason.code


def state_label(code: str) -> str:
    return label(rules.DUE_STATES, code)


def risk_label(code: str) -> str:
    return label(rules.RISK_LEVELS, code)


def timer_state_label(code: str) -> str:
    return label(rules.TIMER_STATES, code)


def summary(user) -> dict | None:
    """Counts for the home page: overdue elements, premises overdue, timer alerts in the user's units."""
    from jingwu.core.scope import can

    if not can(user, LegalTimer, "view"):
        return None
    bureaus = set(
        restrict(Premises.objects.order_by(), user).values_list("bureau_id", flat=True).distinct()[:2]
    )
    if len(bureaus) != 1:
        return None
    bureau = Bureau.objects.get(pk=next(iter(bureaus)))
    now = bureau_now(bureau)
    alerts = timers_for(user).filter(bureau=bureau).filter(alert_q(now))
    from .models import Finding

    today = data_date(bureau)
    findings = restrict(Finding.objects.filter(bureau=bureau), user)
    return {
        "findings_open": findings.filter(closed_on__isnull=True).count(),
        "findings_overdue": findings.filter(closed_on__isnull=True, deadline__lt=today).count(),
        "alerts": alerts.count(),
        "recent_alerts": list(alerts.order_by("-due_at")[:5]),
        "as_of": data_date(bureau),
    }
