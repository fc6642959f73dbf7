"""Writes to the unit tree. Each checks scope, validates, audits and saves in one transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jingwu.core import audit
from jingwu.core.permissions import FIELD_RIGHTS
from jingwu.core.services import authorize, authorize_fields, service
from jingwu.engine.geo import (
    AREA_TOLERANCE,
    GeometryError,
    area_km2,
    outside_share,
    overlap_share,
    polygon_from_geojson,
    to_geojson,
)

from .choices import ALLOWED_PARENTS, UnitKind
from .models import Unit

# The unit's fields reserved to headquarters (core/permissions.py).
RESERVED = tuple(FIELD_RIGHTS["org.unit"])

AREA_KINDS = {UnitKind.HEADQUARTERS, UnitKind.STATION, UnitKind.ZONE, UnitKind.GRID}

GEOMETRY_MESSAGES = {
    "not_geojson": gettext_noop("The boundary is not readable GeoJSON."),
    "not_polygon": gettext_noop("The boundary must be a polygon."),
    "empty": gettext_noop("The boundary is empty."),
    "out_of_range": gettext_noop(
        "The boundary has coordinates outside longitude -180..180 / latitude -90..90."
    ),
    "invalid": gettext_noop("The boundary is not a valid polygon (it crosses itself or is malformed)."),
}


def geometry_error(exc: GeometryError) -> ValidationError:
    msg = _(GEOMETRY_MESSAGES.get(exc.code, "The boundary is not a valid polygon."))
    if exc.detail and exc.code == "invalid":
        msg = f"{msg} ({exc.detail})"
    return ValidationError({"boundary": msg})


def _periods_overlap(a_from, a_to, b_from, b_to) -> bool:
    lo = dt.date.min
    hi = dt.date.max
    return (a_from or lo) <= (b_to or hi) and (b_from or lo) <= (a_to or hi)


def validate_unit(unit: Unit) -> None:
    """Check a unit's place in the tree and its boundary against its parent and siblings."""
    errors: dict[str, list[str]] = {}
    parent = unit.parent
    parent_kind = parent.kind if parent is not None else None
    if parent_kind not in ALLOWED_PARENTS.get(unit.kind, ()):
        errors.setdefault("parent", []).append(_("This kind of unit cannot sit under that parent."))
    if parent is not None and parent.bureau_id != unit.bureau_id:
        errors.setdefault("parent", []).append(_("The parent unit belongs to another bureau."))
    if unit.kind == UnitKind.STATION and not unit.station_type:
        errors.setdefault("station_type", []).append(_("A police station needs a station type."))
    if unit.kind != UnitKind.STATION and unit.station_type:
        errors.setdefault("station_type", []).append(_("Only police stations have a station type."))
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        errors.setdefault("valid_to", []).append(_("The end date is before the start date."))
    dup = Unit.objects.filter(bureau_id=unit.bureau_id, code=unit.code).exclude(pk=unit.pk)
    for other in dup:
        if _periods_overlap(unit.valid_from, unit.valid_to, other.valid_from, other.valid_to):
            errors.setdefault("code", []).append(_("Another unit uses this code in the same period."))
            break
    if errors:
        raise ValidationError(errors)
    if unit.boundary is None:
        if unit.kind in {UnitKind.ZONE, UnitKind.GRID}:
            raise ValidationError({"boundary": _("A zone or grid needs a boundary.")})
        return
    if unit.kind not in AREA_KINDS:
        raise ValidationError(
            {"boundary": _("Only area units (bureau, station, zone, grid) have a boundary.")}
        )
    try:
        geom = polygon_from_geojson(unit.boundary)
    except GeometryError as exc:
        raise geometry_error(exc) from exc
    if parent is not None and parent.boundary is not None:
        share = outside_share(geom, polygon_from_geojson(parent.boundary))
        if share > AREA_TOLERANCE:
            raise ValidationError(
                {
                    "boundary": _("The boundary extends outside its parent unit (%(share).1f%% of its area).")
                    % {"share": share * 100}
                }
            )
    siblings = (
        Unit.objects.filter(bureau_id=unit.bureau_id, parent_id=unit.parent_id, kind=unit.kind)
        .exclude(pk=unit.pk)
        .exclude(boundary__isnull=True)
    )
    if unit.valid_from:
        siblings = siblings.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=unit.valid_from))
    if unit.valid_to:
        siblings = siblings.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=unit.valid_to))
    minx, miny, maxx, maxy = geom.bounds
    siblings = siblings.filter(min_lon__lte=maxx, max_lon__gte=minx, min_lat__lte=maxy, max_lat__gte=miny)
    for sib in siblings:
        if overlap_share(geom, polygon_from_geojson(sib.boundary)) > AREA_TOLERANCE:
            raise ValidationError(
                {"boundary": _("The boundary overlaps the neighbouring unit %(name)s.") % {"name": sib.name}}
            )


def apply_geometry(unit: Unit) -> None:
    """Normalise the boundary and fill the derived columns (area, bounding box)."""
    if unit.boundary is None:
        unit.area_km2 = unit.min_lon = unit.min_lat = unit.max_lon = unit.max_lat = None
        return
    geom = polygon_from_geojson(unit.boundary)
    unit.boundary = to_geojson(geom)
    unit.area_km2 = round(area_km2(geom), 4)
    unit.min_lon, unit.min_lat, unit.max_lon, unit.max_lat = geom.bounds


def _normalised(boundary: dict | None) -> dict | None:
    """A stored boundary as ``apply_geometry`` writes it (to compare one with a new one)."""
    if boundary is None:
        return None
    try:
        return to_geojson(polygon_from_geojson(boundary))
    except GeometryError:
        return boundary


def set_path(unit: Unit) -> None:
    parent_path = unit.parent.path if unit.parent is not None else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = parent_path.count("/") - 1


@service
def do_create_unit(
    *, actor, bureau, parent: Unit | None, kind: str, code: str, name_zh: str, **fields
) -> Unit:
    """Create a unit under ``parent``. Fields: name_en, station_type, boundary, base_lon, ...

    The station type, area statistics and boundary are headquarters' (``FIELD_RIGHTS``).
    """
    authorize(actor, Unit, "add", unit=parent, bureau=bureau)
    given = [f for f in RESERVED if fields.get(f) not in (None, "", 0)]
    authorize_fields(actor, Unit, given, action="add", unit=parent, bureau=bureau)
    unit = Unit(bureau=bureau, parent=parent, kind=kind, code=code.strip(), name_zh=name_zh.strip(), **fields)
    validate_unit(unit)
    apply_geometry(unit)
    unit.full_clean(exclude=["path", "bureau", "parent"])
    unit.save()
    set_path(unit)
    unit.save(update_fields=["path", "depth"])
    audit.record(
        "create", actor=actor, bureau=bureau, obj=unit, unit_path=unit.path, after=audit.snapshot(unit)
    )
    return unit


@service
def do_update_unit(unit: Unit, *, actor, reason: str = "", **changes) -> Unit:
    """Change a unit's fields (not its place in the tree).

    A change of the station type, the area statistics or the boundary is headquarters'
    (``FIELD_RIGHTS``); giving them unchanged is fine.
    """
    authorize(actor, Unit, "change", unit=unit)
    before = audit.snapshot(unit)
    for key, value in changes.items():
        if key in {"bureau", "bureau_id", "path", "parent", "parent_id", "kind"}:
            raise ValidationError(
                _("A unit's bureau, parent and kind cannot be changed; end it and create a new one.")
            )
        setattr(unit, key, value)
    validate_unit(unit)
    apply_geometry(unit)
    after = audit.snapshot(unit)
    changed = [f for f in RESERVED if f != "boundary" and before.get(f) != after.get(f)]
    if _normalised(before.get("boundary")) != unit.boundary:
        changed.append("boundary")
    authorize_fields(actor, Unit, changed, unit=unit)
    unit.full_clean(exclude=["path", "bureau", "parent"])
    unit.save()
    audit.record(
        "update",
        actor=actor,
        bureau=unit.bureau,
        obj=unit,
        unit_path=unit.path,
        before=before,
        after=audit.snapshot(unit),
        reason=reason,
    )
    return unit
