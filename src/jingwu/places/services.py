"""Writes for key premises and the inspection catalogue."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.services import authorize, authorize_move, service
from jingwu.org.models import Unit
from jingwu.org.selectors import locate

from .models import Premises


def place(bureau_id: int, lon, lat) -> tuple[Unit | None, Unit | None]:
    """The grid and station for a location, or a ValidationError when it is outside the bureau."""
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"lon": _("Longitude and latitude must be numbers.")}) from exc
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({"lon": _("Longitude must be within -180..180 and latitude within -90..90.")})
    found = locate(bureau_id, lon, lat)
    if found is None:
        raise ValidationError(
            {
                "lon": _("The location (%(lon).5f, %(lat).5f) is outside the bureau's area.")
                % {"lon": lon, "lat": lat}
            }
        )
    return found.grid_id, found.station_id


@service
def do_create_premises(*, actor, bureau, category: str, name: str, lon, lat, **fields) -> Premises:
    grid_id, station_id = place(bureau.pk, lon, lat)
    station = Unit.objects.get(pk=station_id)
    authorize(actor, Premises, "add", unit=Unit.objects.get(pk=grid_id) if grid_id else station)
    premises = Premises(
        bureau=bureau,
        category=category,
        name=name.strip(),
        lon=float(lon),
        lat=float(lat),
        grid_id=grid_id,
        station_id=station_id,
        **fields,
    )
    if (
        premises.external_id
        and Premises.objects.filter(bureau=bureau, external_id=premises.external_id)
        .exclude(external_id="")  # the partial unique index's condition: SQLite uses it only so
        .exists()
    ):
        raise ValidationError({"external_id": _("Premises with this external id already exist.")})
    premises.full_clean(exclude=["bureau", "grid", "station"])
    premises.save()
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=premises,
        unit_path=station.path,
        after=audit.snapshot(premises),
    )
    return premises


# Where premises are is their location: grid and station follow from it and are not set apart.
_DERIVED = {"bureau", "bureau_id", "grid", "grid_id", "station", "station_id"}


@service
def do_update_premises(premises: Premises, *, actor, reason: str = "", **changes) -> Premises:
    """Change premises; a new location moves them to its grid and station.

    The actor must be allowed to change premises where they are and where they go: a
    station chief cannot move premises out of the station (nor in from elsewhere).
    """
    authorize(actor, Premises, "change", unit=premises.grid or premises.station)
    before = audit.snapshot(premises)
    if _DERIVED & set(changes):
        raise ValidationError(_("The grid and station of premises follow from their location."))
    for key, value in changes.items():
        setattr(premises, key, value)
    if "lon" in changes or "lat" in changes:
        premises.grid_id, premises.station_id = place(premises.bureau_id, premises.lon, premises.lat)
        new_unit = Unit.objects.get(pk=premises.grid_id or premises.station_id)
        authorize_move(actor, Premises, new_unit)
    premises.full_clean(exclude=["bureau", "grid", "station"])
    premises.save()
    station = Unit.objects.get(pk=premises.station_id)
    audit.record(
        "update",
        actor=actor,
        bureau=premises.bureau,
        obj=premises,
        unit_path=station.path,
        before=before,
        after=audit.snapshot(premises),
        reason=reason,
    )
    return premises
