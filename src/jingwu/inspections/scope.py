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
