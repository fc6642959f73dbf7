"""How inspection rows hang off the unit tree: through their premises' station, zone and grid."""

from __future__ import annotations

from django.db.models import Q


def by_premises(unit) -> Q:
    if unit.kind == "headquarters":
        return Q(bureau_id=unit.bureau_id)
    if unit.kind == "station":
        return Q(premises__station_id=unit.pk)
    if unit.kind == "zone":
        return Q(premises__grid__parent_id=unit.pk)
    if unit.kind == "grid":
        return Q(premises__grid_id=unit.pk)
    return Q(premises__station__path__startswith=unit.path)


def by_visit(unit) -> Q:
    """Photos: through their visit's premises."""
    q = by_premises(unit)
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    out.children = [("visit__" + c[0] if not c[0].startswith("bureau") else c[0], c[1]) for c in q.children]
    return out
