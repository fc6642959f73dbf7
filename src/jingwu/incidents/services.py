"""Writes for incidents (calls for service)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from jingwu.core import audit
from jingwu.core.clock import zone
from jingwu.core.services import authorize, service
from jingwu.org.models import Unit
from jingwu.places.services import place

from .choices import CallbackResult
from .models import Callback, Incident, IncidentCategory


def next_number(bureau, received_at) -> str:
    """Incident numbers: J + bureau code + yyyymmdd + 5-digit sequence of that day, the
    bureau's local day (an incident at 23:30 in Chicago is numbered on Chicago's day)."""
    local = received_at.astimezone(zone(bureau))
    prefix = f"J{bureau.code}{local:%Y%m%d}"
    last = (
        Incident.objects.filter(bureau=bureau, number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    seq = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{seq:05d}"


def validate_times(incident: Incident) -> None:
    order = [
        ("received_at", incident.received_at),
        ("dispatched_at", incident.dispatched_at),
        ("arrived_at", incident.arrived_at),
        ("cleared_at", incident.cleared_at),
    ]
    last_name, last = order[0]
    for name, value in order[1:]:
        if value is None:
            continue
        if value < last:
            raise ValidationError(
                {
                    name: _("This time is earlier than the time before it (%(field)s).")
                    % {"field": Incident._meta.get_field(last_name).verbose_name}
                }
            )
        last_name, last = name, value
    if incident.received_at > timezone.now() + timezone.timedelta(minutes=5):
        raise ValidationError({"received_at": _("The received time is in the future.")})


def find_duplicates(bureau, category, lon, lat, received_at, *, exclude_pk=None):
    """Incidents of the same category within ``DUPLICATE_METRES`` and ``DUPLICATE_MINUTES``
    of this one (``jingwu.engine.intake``): the duty desk's duplicate warning."""
    from jingwu.engine.intake import DUPLICATE_METRES, DUPLICATE_MINUTES, bbox, metres

    lon, lat = float(lon), float(lat)
    x0, y0, x1, y1 = bbox(lon, lat, DUPLICATE_METRES)
    window = timezone.timedelta(minutes=DUPLICATE_MINUTES)
    near = Incident.objects.filter(
        bureau=bureau,
        category=category,
        received_at__gte=received_at - window,
        received_at__lte=received_at + window,
        lon__gte=x0,
        lon__lte=x1,
        lat__gte=y0,
        lat__lte=y1,
    ).exclude(pk=exclude_pk)
    return [i for i in near.order_by("received_at") if metres(lon, lat, i.lon, i.lat) <= DUPLICATE_METRES]


@service
def do_record_incident(
    *,
    actor,
    bureau,
    category: IncidentCategory | str,
    received_at,
    lon=None,
    lat=None,
    allow_duplicate: bool = True,
    **fields,
) -> Incident:
    """Record an incident; its grid, zone and station are derived from the location.

    With ``allow_duplicate=False`` (the duty desk, the API) an incident of the same category
    close in place and time to a recorded one is refused until confirmed."""
    if isinstance(category, str):
        try:
            category = IncidentCategory.objects.get(code=category)
        except IncidentCategory.DoesNotExist as exc:
            raise ValidationError(
                {"category": _("Unknown incident category code %(code)s.") % {"code": category}}
            ) from exc
    incident = Incident(bureau=bureau, category=category, received_at=received_at, **fields)
    if lon is None or lat is None:
        raise ValidationError({"lon": _("An incident needs a location (longitude and latitude).")})
    grid_id, station_id = place(bureau.pk, lon, lat)
    grid = Unit.objects.filter(pk=grid_id).first() if grid_id else None
    incident.lon, incident.lat = float(lon), float(lat)
    incident.grid_id = grid_id
    incident.zone_id = grid.parent_id if grid is not None and grid.parent.kind == "zone" else None
    incident.station_id = station_id
    authorize(actor, Incident, "add", unit=grid or Unit.objects.get(pk=station_id))
    validate_times(incident)
    if not allow_duplicate:
        dups = find_duplicates(bureau, category, incident.lon, incident.lat, received_at)
        if dups:
            raise ValidationError(
                {
                    "allow_duplicate": _(
                        "Possibly a duplicate of %(list)s (same category, nearby, close in time): "
                        "confirm to record it anyway."
                    )
                    % {"list": _duplicates_named_for(actor, dups)}
                },
                code="duplicate",
            )
    if not incident.number:
        incident.number = next_number(bureau, received_at)
    incident.full_clean(exclude=["bureau", "grid", "zone", "station", "category"])
    incident.save()
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=incident,
        unit_path=(grid.path if grid else ""),
        after=audit.snapshot(incident),
    )
    from .nearrepeat import BURGLARY, raise_alerts

    if category.code.startswith(BURGLARY):
        raise_alerts(bureau, [incident])
    return incident


def _duplicates_named_for(actor, dups: list[Incident]) -> str:
    """The possible duplicates by number, those outside the actor's area only counted."""
    from jingwu.core.scope import restrict

    if actor is None:  # an import or the system: no person's area to keep to
        seen = {i.pk for i in dups}
    else:
        seen = set(
            restrict(Incident.objects.filter(pk__in=[i.pk for i in dups]), actor).values_list("pk", flat=True)
        )
    named = [i.number for i in dups if i.pk in seen][:5]
    hidden = sum(1 for i in dups if i.pk not in seen)
    if hidden:
        named.append(
            ngettext("%(n)d incident outside your area", "%(n)d incidents outside your area", hidden)
            % {"n": hidden}
        )
    return ", ".join(named)


# --- callbacks to reporters (警情回访) ------------------------------------------------


def callback_unit(incident: Incident):
    """The unit a callback is recorded at: the incident's grid, else its zone, else its station."""
    unit_id = incident.grid_id or incident.zone_id or incident.station_id
    return Unit.objects.get(pk=unit_id) if unit_id else None


def may_record_callback(user, incident: Incident) -> bool:
    """Whether ``user`` may record a callback for ``incident`` (for showing the form)."""
    from django.core.exceptions import PermissionDenied

    try:
        authorize(user, Callback, "add", unit=callback_unit(incident), bureau=incident.bureau)
    except PermissionDenied:
        return False
    return getattr(user, "is_authenticated", False)


@service
def do_record_callback(
    incident: Incident,
    *,
    actor,
    result: str,
    called_at,
    note: str = "",
    complaint: bool = False,
    officer=None,
) -> Callback:
    """Record a call back to the incident's reporter (警情回访) and what they said.

    At most one completed callback (the reporter reached) per incident; an unreachable
    attempt may be repeated until then (and recorded later, when dated before it). A call is dated neither before the incident was
    received nor after the bureau's latest day (``core.clock.latest_day``)."""
    from jingwu.core.clock import latest_day, local_day

    unit = callback_unit(incident)
    authorize(actor, Callback, "add", unit=unit, bureau=incident.bureau)
    # one writer per incident at a time: the completed-callback check below holds
    Incident.objects.select_for_update().filter(pk=incident.pk).first()
    note = (note or "").strip()
    errors = {}
    if result not in CallbackResult.values:
        errors["result"] = _("Choose the result of the call.")
    if called_at is None:
        errors["called_at"] = _("Give the time of the call.")
    elif called_at < incident.received_at:
        errors["called_at"] = _(
            "The call is before the incident was received (%(time)s): check the date and time."
        ) % {
            "time": timezone.localtime(incident.received_at, zone(incident.bureau)).strftime("%Y-%m-%d %H:%M")
        }
    elif local_day(called_at, zone(incident.bureau)) > latest_day(incident.bureau):
        errors["called_at"] = _("A call cannot be dated after %(day)s, the bureau's latest day.") % {
            "day": latest_day(incident.bureau).isoformat()
        }
    if result == CallbackResult.UNSATISFIED and not note:
        errors["note"] = _("Say why the reporter is not satisfied.")
    if len(note) > 300:
        errors["note"] = _("The note is 300 characters at most.")
    if complaint and result == CallbackResult.UNREACHABLE:
        errors["complaint"] = _("A complaint is recorded only when the reporter was reached.")
    done = (
        Callback.objects.filter(bureau_id=incident.bureau_id, incident=incident)
        .exclude(result=CallbackResult.UNREACHABLE)
        .first()
    )
    # an attempt that did not reach the reporter before the completed call is its history
    # (a register imported newest first records it after the call): it is not refused
    earlier_attempt = (
        done is not None
        and result == CallbackResult.UNREACHABLE
        and called_at is not None
        and called_at < done.called_at
    )
    if done is not None and not earlier_attempt:
        errors["result"] = _(
            "The reporter of this incident was already called back (%(result)s, %(day)s): "
            "an incident has one completed callback."
        ) % {
            "result": done.get_result_display(),
            "day": local_day(done.called_at, zone(incident.bureau)).isoformat(),
        }
    if officer is not None and officer.bureau_id != incident.bureau_id:
        errors["officer"] = _("The officer is not of this bureau.")
    if errors:
        raise ValidationError(errors)
    if officer is None and getattr(actor, "pk", None):
        officer = getattr(actor, "officer", None)
    row = Callback(
        bureau_id=incident.bureau_id,
        incident=incident,
        called_at=called_at,
        result=result,
        note=note,
        complaint=bool(complaint),
        officer=officer,
        called_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():  # two completed calls at once: the unique constraint decides
            row.save()
    except IntegrityError as exc:
        raise ValidationError(
            {
                "result": _(
                    "The reporter of this incident was just called back by someone else: reload the page."
                )
            }
        ) from exc
    audit.record(
        "create",
        actor=actor,
        bureau=incident.bureau,
        obj=row,
        unit_path=unit.path if unit is not None else "",
        after={
            "incident": incident.number,
            "result": result,
            "called_at": called_at.isoformat(),
            "complaint": bool(complaint),
        },
    )
    return row
