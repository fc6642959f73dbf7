"""Reads of the evaluation for a user, through the scoping layer."""

from __future__ import annotations

from jingwu.core.scope import can, restrict

from .models import Criterion, Cycle, Standard


def cycles_for(user):
    return restrict(Cycle, user)


def can_manage(user) -> bool:
    """Whether the user sets up and runs cycles (the political department)."""
    return can(user, Cycle, "change")


def rules_of(cycle: Cycle):
    """The standards of a cycle (read through ``cycles_for``) with their criteria."""
    crit = Criterion.objects.filter(standard__cycle=cycle).order_by("order", "code")
    standards = list(Standard.objects.filter(cycle=cycle).order_by("order", "code"))
    by_std: dict[int, list] = {}
    for c in crit:
        by_std.setdefault(c.standard_id, []).append(c)
    for s in standards:
        s.rows = by_std.get(s.pk, [])
        s.weight_total = sum(c.weight for c in s.rows)
    return standards
