"""The bureau's case routing: which rule decides the owner of a new case, and whether the
rules leave some type of case without an owner.

A *case type* is a kind × category × station type × suspected series. Amounts need no
enumeration: a rule without ``min_amount`` matches every amount, so a type covered at
"no amount" is covered at every amount.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jingwu.core.i18n import label
from jingwu.engine import vocab
from jingwu.incidents.models import Incident, IncidentCategory
from jingwu.org.models import Unit

from .models import RoutingRule


@dataclass(frozen=True)
class CaseFacts:
    """What the rules look at."""

    kind: str
    category_code: str
    station_type: str
    suspected_series: bool
    amount: decimal.Decimal | None = None


def matches(rule: RoutingRule, facts: CaseFacts, category_code_of_rule: str | None = None) -> bool:
    code = (
        category_code_of_rule
        if category_code_of_rule is not None
        else (rule.category.code if rule.category_id else "")
    )
    if rule.kind and rule.kind != facts.kind:
        return False
    if code and not facts.category_code.startswith(code):
        return False
    if rule.min_amount is not None and (facts.amount is None or facts.amount < rule.min_amount):
        return False
    if rule.suspected_series is not None and rule.suspected_series != facts.suspected_series:
        return False
    return not (rule.station_type and rule.station_type != facts.station_type)


def active_rules(bureau) -> list[RoutingRule]:
    return list(
        RoutingRule.objects.filter(bureau=bureau, active=True)
        .select_related("category", "unit")
        .order_by("priority")
    )


def first_match(rules: list[RoutingRule], facts: CaseFacts) -> RoutingRule | None:
    return next((r for r in rules if matches(r, facts)), None)


def owner_of(rule: RoutingRule, bureau, station: Unit | None) -> Unit | None:
    if rule.target == "station":
        return station
    if rule.target == "center":
        return Unit.objects.filter(bureau=bureau, kind="investigation_center", valid_to__isnull=True).first()
    return rule.unit


def facts_of(
    incidents: list[Incident], *, kind: str, category: IncidentCategory, amount, series: bool
) -> CaseFacts:
    station = incidents[0].station
    return CaseFacts(
        kind=kind,
        category_code=category.code,
        station_type=(station.station_type if station is not None else "") or "",
        suspected_series=series,
        amount=amount,
    )


def route(bureau, incidents: list[Incident], *, kind, category, amount=None, series=False):
    """``(owner, rule)`` by the bureau's first matching active rule; ``(None, None)`` without rules."""
    rules = active_rules(bureau)
    if not rules:
        return None, None
    facts = facts_of(incidents, kind=kind, category=category, amount=amount, series=series)
    rule = first_match(rules, facts)
    if rule is None:
        return None, None
    return owner_of(rule, bureau, incidents[0].station), rule


def uncovered(rules: list[RoutingRule]) -> list[CaseFacts]:
    """The case types no active rule gives an owner (empty when every type has one)."""
    rules = [r for r in rules if r.active]
    leaves = list(
        IncidentCategory.objects.filter(children__isnull=True).order_by("code").values_list("code", flat=True)
    )
    codes = {r.pk: (r.category.code if r.category_id else "") for r in rules}
    out = []
    for kind in ("criminal", "administrative"):
        for code in leaves:
            for st in [t.code for t in vocab.STATION_TYPES]:
                for series in (False, True):
                    facts = CaseFacts(kind, code, st, series)
                    if not any(matches(r, facts, codes[r.pk]) for r in rules):
                        out.append(facts)
    return out


def check_coverage(bureau) -> None:
    """Refuse a rule set that leaves a case type without an owner (the bureau has rules)."""
    rules = list(RoutingRule.objects.filter(bureau=bureau).select_related("category"))
    if not any(r.active for r in rules):
        if rules:
            raise ValidationError(_("At least one rule must stay active: cases would have no owner."))
        return
    gaps = uncovered(rules)
    if gaps:
        names = dict(IncidentCategory.objects.values_list("code", "name_zh"))
        series, no_series = _("suspected series"), _("no series")
        shown = "; ".join(
            f"{label(vocab.CASE_KINDS, g.kind)} {g.category_code} {names.get(g.category_code, '')}"
            f" / {label(vocab.STATION_TYPES, g.station_type)}"
            f" / {series if g.suspected_series else no_series}"
            for g in gaps[:3]
        )
        raise ValidationError(
            _(
                "No rule gives an owner to %(n)s types of case, such as: %(list)s. Add a rule that covers them."
            )
            % {"n": len(gaps), "list": shown}
        )


# The demo bureau's rules: the reform's "relatively centralised" handling.
DEFAULT_RULES = (
    (10, "系列案件交中心", {"kind": "criminal", "suspected_series": True, "target": "center"}),
    (
        20,
        "涉案五万元以上交中心",
        {"kind": "criminal", "min_amount": decimal.Decimal(50000), "target": "center"},
    ),
    (
        30,
        "全攻全守型派出所保留打击力量",
        {"kind": "criminal", "station_type": "full_spectrum", "target": "station"},
    ),
    (40, "其余刑事案件交中心", {"kind": "criminal", "target": "center"}),
    (50, "行政案件由派出所办理", {"kind": "administrative", "target": "station"}),
)
