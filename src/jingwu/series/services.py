"""Writes of the series board: start a scoring run, decide a link, build a series."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.cases.models import Series, SeriesIncident
from jingwu.core import audit, clock
from jingwu.core.services import authorize, service
from jingwu.jobs.services import do_start_job

from . import linking
from .models import (
    OPEN_STATUSES,
    CandidateLink,
    LeadSource,
    LeadStatus,
    LinkRun,
    LinkStatus,
    RunStatus,
    UnreportedLead,
)

# A new lead is to be followed up within this many days of the bureau's latest day.
FOLLOW_UP_WITHIN = 14


@service
def do_start_scoring(bureau, *, actor, days: int = 365, method: str = "boosting") -> LinkRun:
    """Queue a scoring run over the ``days`` up to the bureau's data date."""
    authorize(actor, LinkRun, "add", bureau=bureau)
    if method not in ("logistic", "boosting"):
        raise ValidationError({"method": _("Unknown model.")})
    if not 30 <= days <= 3 * 366:
        raise ValidationError({"days": _("The window must be between 30 days and three years.")})
    if LinkRun.objects.filter(bureau=bureau, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
        raise ValidationError(_("A scoring run is already under way."))
    last = clock.data_date(bureau)
    first = last - dt.timedelta(days=days - 1)
    run = LinkRun.objects.create(
        bureau=bureau, started_by=actor, first_day=first, last_day=last, method=method
    )
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=run,
        after={"from": str(first), "to": str(last), "method": method},
    )
    do_start_job("series.score", actor=actor, bureau=bureau, target=run)
    return run


@service
def do_decide_link(link: CandidateLink, *, actor, decision: str, note: str = "") -> CandidateLink:
    """Confirm or reject a candidate link (once)."""
    link = CandidateLink.objects.select_for_update().get(pk=link.pk)
    authorize(actor, CandidateLink, "change", bureau=link.bureau)
    if decision not in (LinkStatus.CONFIRMED, LinkStatus.REJECTED):
        raise ValidationError({"decision": _("Choose confirm or reject.")})
    if link.status != LinkStatus.OPEN:
        raise ValidationError(_("This link has already been decided."))
    link.status = decision
    link.note = note[:200]
    link.decided_by = actor if getattr(actor, "pk", None) else None
    link.decided_at = timezone.now()
    link.save(update_fields=["status", "note", "decided_by", "decided_at", "updated_at"])
    audit.record(
        "update", actor=actor, bureau=link.bureau, obj=link, after={"status": decision, "note": link.note}
    )
    return link


def _next_code(bureau) -> str:
    n = Series.objects.filter(bureau=bureau, code__startswith="CB").count() + 1
    while Series.objects.filter(bureau=bureau, code=f"CB{n:05d}").exists():
        n += 1
    return f"CB{n:05d}"


@service
def do_build_series(bureau, *, actor, name: str, link_ids: list[int], note: str = "") -> Series:
    """A series (串并案) of the incidents of confirmed links (at least one link)."""
    authorize(actor, Series, "add", bureau=bureau)
    authorize(actor, CandidateLink, "change", bureau=bureau)
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the series a name.")})
    if not link_ids:
        raise ValidationError({"links": _("Choose at least one confirmed link.")})
    links = list(CandidateLink.objects.filter(pk__in=link_ids).select_related("incident_a", "incident_b"))
    if len(links) != len(set(link_ids)) or any(lk.bureau_id != bureau.pk for lk in links):
        raise ValidationError({"links": _("A chosen link does not exist in this bureau.")})
    if any(lk.status != LinkStatus.CONFIRMED for lk in links):
        raise ValidationError(
            {"links": _("Only confirmed links can make a series: confirm or drop the others.")}
        )
    incidents = {lk.incident_a_id: lk.incident_a for lk in links} | {
        lk.incident_b_id: lk.incident_b for lk in links
    }
    if any(i.bureau_id != bureau.pk for i in incidents.values()):
        raise ValidationError({"links": _("A series may only hold incidents of its own bureau.")})
    series = Series.objects.create(
        bureau=bureau, code=_next_code(bureau), name=name[:120], origin="analyst", note=note
    )
    SeriesIncident.objects.bulk_create(
        [SeriesIncident(bureau=bureau, series=series, incident_id=pk) for pk in sorted(incidents)]
    )
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=series,
        after={"incidents": sorted(incidents), "links": sorted(link_ids)},
        reason="series built from confirmed links",
    )
    return series


# --- possible victims who never reported (未报案被害人/余罪线索) ------------------------------


def _series_seen(series: Series, actor, action: str = "view") -> None:
    from jingwu.core.scope import restrict

    if actor is None or getattr(actor, "is_superuser", False):
        return
    if not restrict(Series.objects.filter(pk=series.pk), actor, action).exists():
        raise PermissionDenied(_("You do not have permission to do this here."))


def lead_unit(lead: UnreportedLead):
    """The unit whose people follow a lead up: its grid, else its zone, else its station."""
    return lead.grid or lead.zone or lead.station


def _place(bureau, *, lon, lat, station):
    """(station, zone, grid) of a lead: from the point when located, else the station chosen.

    A station chosen other than the point's keeps the choice (and no zone or grid)."""
    from jingwu.org.models import Unit
    from jingwu.org.selectors import locate

    found = locate(bureau.pk, lon, lat) if lon is not None and lat is not None else None
    if station is not None:
        if station.bureau_id != bureau.pk or station.kind != "station":
            raise ValidationError({"station": _("Choose a station of this bureau.")})
        if found is None or found.station_id != station.pk:
            return station, None, None
    if found is None or found.station_id is None:
        if lon is not None:
            raise ValidationError(
                {"station": _("The place is outside every station of the bureau: choose the station.")}
            )
        raise ValidationError({"station": _("Choose the station that follows this up, or give the place.")})
    units = Unit.objects.in_bulk([u for u in (found.station_id, found.zone_id, found.grid_id) if u])
    return units[found.station_id], units.get(found.zone_id), units.get(found.grid_id)


@service
def do_add_lead(
    series: Series,
    *,
    actor,
    source: str,
    first_day: dt.date | None,
    last_day: dt.date | None = None,
    approximate: bool = False,
    description: str = "",
    address: str = "",
    lon: float | None = None,
    lat: float | None = None,
    station=None,
    premises=None,
    contact_note: str = "",
    due: dt.date | None = None,
) -> UnreportedLead:
    """Add a possible victim of ``series`` who never reported, assigned to the station (zone,
    grid) of its place, or to the station chosen when it has none."""
    bureau = series.bureau
    authorize(actor, UnreportedLead, "add", bureau=bureau)
    _series_seen(series, actor)
    description, address, contact_note = (
        (description or "").strip(),
        (address or "").strip(),
        (contact_note or "").strip(),
    )
    latest = clock.latest_day(bureau)
    errors: dict[str, str] = {}
    if source not in LeadSource.values:
        errors["source"] = _("Choose where the lead comes from.")
    if first_day is None:
        errors["first_day"] = _("Give the day it happened (an approximate day will do).")
    elif first_day > latest:
        errors["first_day"] = _("The day cannot be after %(day)s, the bureau's latest day.") % {
            "day": latest.isoformat()
        }
    if last_day is not None and first_day is not None:
        if last_day < first_day:
            errors["last_day"] = _("The end of the period is before its start.")
        elif last_day > latest:
            errors["last_day"] = _("The day cannot be after %(day)s, the bureau's latest day.") % {
                "day": latest.isoformat()
            }
    if (lon is None) != (lat is None):
        errors["lon"] = _("Give both longitude and latitude, or neither.")
    if premises is not None:
        if premises.bureau_id != bureau.pk:
            errors["premises"] = _("The premises are not of this bureau.")
        else:
            address = address or premises.address or premises.name
            if lon is None and lat is None:
                lon, lat = premises.lon, premises.lat
            if UnreportedLead.objects.filter(
                bureau=bureau, series=series, premises=premises, status__in=OPEN_STATUSES
            ).exists():
                errors["premises"] = _("These premises are already on the series' follow-up list.")
    if not description and not address:
        errors["description"] = _("Say where it happened or what happened.")
    if len(address) > 200 or len(contact_note) > 200:
        errors["address"] = _("The address and the contact note are 200 characters at most.")
    if due is not None and due < latest:
        errors["due"] = _("The follow-up cannot be due before %(day)s, the bureau's latest day.") % {
            "day": latest.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    station, zone, grid = _place(bureau, lon=lon, lat=lat, station=station)
    try:
        authorize(actor, UnreportedLead, "add", unit=grid or zone or station, bureau=bureau)
    except PermissionDenied as exc:
        raise PermissionDenied(
            _("%(unit)s is outside your units: you may not assign the follow-up there.")
            % {"unit": station.name}
        ) from exc
    lead = UnreportedLead.objects.create(
        bureau=bureau,
        series=series,
        source=source,
        first_day=first_day,
        last_day=last_day if last_day != first_day else None,
        approximate=bool(approximate),
        description=description,
        address=address,
        lon=lon,
        lat=lat,
        premises=premises,
        contact_note=contact_note,
        station=station,
        zone=zone,
        grid=grid,
        due=due or latest + dt.timedelta(days=FOLLOW_UP_WITHIN),
        added_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=lead,
        unit_path=lead_unit(lead).path,
        after={
            "series": series.code,
            "source": source,
            "first_day": str(first_day),
            "station": station.code,
            "due": str(lead.due),
            "premises": premises.pk if premises is not None else None,
        },
    )
    return lead


def series_span(series: Series) -> tuple[dt.date | None, dt.date | None]:
    """The bureau's local days of the series' first and last incident."""
    from django.db.models import Max, Min

    from jingwu.incidents.models import Incident

    span = Incident.objects.filter(
        pk__in=SeriesIncident.objects.filter(series=series).values("incident_id")
    ).aggregate(first=Min("received_at"), last=Max("received_at"))
    tz = clock.zone(series.bureau)
    return tuple(clock.local_day(span[k], tz) if span[k] else None for k in ("first", "last"))  # type: ignore[return-value]


def do_add_lead_from_premises(series: Series, premises, *, actor) -> UnreportedLead:
    """One click from the proxy list: the key premises, on the series' path with nothing
    reported while it ran, become a door-to-door lead dated by the series' span."""
    first, last = series_span(series)
    return do_add_lead(
        series,
        actor=actor,
        source=LeadSource.DOOR_TO_DOOR,
        first_day=first,
        last_day=last,
        approximate=True,
        description=_("On the series' path, nothing reported while it ran: ask whether anything happened."),
        premises=premises,
    )


@service
def do_add_to_series(series: Series, *, actor, incident) -> bool:
    """Add an incident to a series (True; False when it is already in it)."""
    from jingwu.core.scope import restrict
    from jingwu.incidents.models import Incident

    authorize(actor, Series, "change", bureau=series.bureau)
    _series_seen(series, actor, "change")
    if incident.bureau_id != series.bureau_id:
        raise ValidationError({"incident": _("A series may only hold incidents of its own bureau.")})
    if actor is not None and not getattr(actor, "is_superuser", False):
        if not restrict(Incident.objects.filter(pk=incident.pk), actor).exists():
            raise ValidationError({"incident": _("You may not see this incident.")})
    if SeriesIncident.objects.filter(series=series, incident=incident).exists():
        return False
    SeriesIncident.objects.create(bureau=series.bureau, series=series, incident=incident)
    audit.record(
        "update",
        actor=actor,
        bureau=series.bureau,
        obj=series,
        after={"added_incident": incident.number},
        reason="incident added to the series",
    )
    return True


@service
def do_record_outcome(
    lead: UnreportedLead,
    *,
    actor,
    status: str,
    day: dt.date | None = None,
    note: str = "",
    incident=None,
    add_to_series: bool = False,
) -> UnreportedLead:
    """Record what the follow-up found. "Report taken" links the incident recorded for it
    (of the bureau, seen by the actor), and may add it to the series."""
    from jingwu.core.scope import restrict
    from jingwu.incidents.models import Incident

    lead = (
        UnreportedLead.objects.select_for_update(of=("self",))
        .select_related("station", "zone", "grid")
        .get(pk=lead.pk)
    )
    bureau = lead.bureau
    authorize(actor, UnreportedLead, "change", unit=lead_unit(lead), bureau=bureau)
    latest = clock.latest_day(bureau)
    day = day or latest
    note = (note or "").strip()
    errors: dict[str, str] = {}
    if lead.status not in OPEN_STATUSES:
        errors["status"] = _("This lead was already followed up (%(status)s).") % {
            "status": lead.get_status_display()
        }
    elif status not in LeadStatus.values or status == LeadStatus.TO_CONTACT:
        errors["status"] = _("Choose the outcome of the follow-up.")
    if day > latest:
        errors["day"] = _("The day cannot be after %(day)s, the bureau's latest day.") % {
            "day": latest.isoformat()
        }
    if len(note) > 300:
        errors["note"] = _("The note is 300 characters at most.")
    if status == LeadStatus.REPORTED:
        if incident is None:
            errors["incident"] = _("A report taken needs the incident recorded for it.")
        elif incident.bureau_id != bureau.pk:
            errors["incident"] = _("The incident is not of this bureau.")
        elif (
            actor is not None
            and not getattr(actor, "is_superuser", False)
            and not restrict(Incident.objects.filter(pk=incident.pk), actor).exists()
        ):
            errors["incident"] = _("You may not see this incident.")
    elif incident is not None:
        errors["incident"] = _("Only a report taken links an incident.")
    if errors:
        raise ValidationError(errors)
    before = {"status": lead.status}
    lead.status = status
    lead.followed_up_on = day
    lead.followed_up_by = actor if getattr(actor, "pk", None) else None
    lead.outcome_note = note
    lead.incident = incident if status == LeadStatus.REPORTED else None
    lead.save(
        update_fields=["status", "followed_up_on", "followed_up_by", "outcome_note", "incident", "updated_at"]
    )
    audit.record(
        "update",
        actor=actor,
        bureau=bureau,
        obj=lead,
        unit_path=lead_unit(lead).path,
        before=before,
        after={
            "status": status,
            "day": str(day),
            "note": note,
            "incident": incident.number if lead.incident_id else None,
        },
    )
    if add_to_series and lead.incident_id:
        do_add_to_series(lead.series, actor=actor, incident=incident)
    return lead


__all__ = [
    "do_add_lead",
    "do_add_lead_from_premises",
    "do_add_to_series",
    "do_build_series",
    "do_decide_link",
    "do_record_outcome",
    "do_start_scoring",
    "linking",
]
