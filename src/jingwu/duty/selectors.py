"""Reads of the duty app for a user, through the scoping layer."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from jingwu.core.clock import data_date, zone
from jingwu.core.scope import restrict

from .choices import SOLVED
from .models import DutyPattern, Roster, RosterEntry, StationDuty


def patterns_for(user):
    return restrict(DutyPattern.objects.all(), user)


def rosters_for(user):
    return restrict(Roster.objects.select_related("station", "created_by"), user)


def setups_for(user):
    return restrict(StationDuty.objects.select_related("station", "pattern"), user)


def station_of(unit):
    """The station a station, zone or grid belongs to (None above stations)."""
    from jingwu.org.models import Unit

    if unit.kind == "station":
        return unit
    if unit.kind in ("zone", "grid"):
        return Unit.objects.filter(pk__in=unit.ancestor_ids, kind="station").first()
    return None


def roster_on(user, station, day: dt.date) -> Roster | None:
    """The station's roster for ``day`` the user sees: the published one, else the newest solved."""
    return (
        rosters_for(user)
        .filter(station=station, status__in=SOLVED, start__lte=day)
        .annotate(
            pub=Case(When(status="published", then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("pub", "-created_at", "-id")
        .filter(start__gt=day - dt.timedelta(days=60))
        .first()
        if station is not None
        else None
    )


def now_in_bureau(bureau) -> dt.datetime:
    """The bureau's "now": its data date at the wall clock's local time of day."""
    tz = zone(bureau)
    local = timezone.now().astimezone(tz)
    day = data_date(bureau)
    return dt.datetime.combine(day, local.time().replace(microsecond=0), tzinfo=tz)


def duty_today(user, unit) -> dict | None:
    """Today's duty of a station or zone (``today`` is the bureau's data date): entries and who is on now."""
    station = station_of(unit)
    if station is None:
        return None
    today = data_date(station.bureau_id)
    roster = roster_on(user, station, today)
    if roster is not None and not roster.covers(today):
        roster = None
    if roster is None:
        return {"station": station, "today": today, "roster": None, "entries": [], "now": []}
    now = now_in_bureau(station.bureau)
    entries = restrict(RosterEntry.objects.filter(roster=roster), user).select_related("officer", "zone")
    if unit.kind in ("zone", "grid"):
        zone_id = unit.pk if unit.kind == "zone" else unit.parent_id
        entries = entries.filter(zone_id=zone_id)
    on_today = [
        e for e in entries.filter(day=today).order_by("zone__code", "start", "-lead", "officer__name")
    ]
    on_now = [
        e
        for e in entries.filter(start__lte=now, end__gt=now).order_by("zone__code", "-lead", "officer__name")
    ]
    return {
        "station": station,
        "today": today,
        "roster": roster,
        "entries": on_today,
        "now": on_now,
        "at": now,
    }


def stations_for(user):
    """The police stations whose duty ``user`` sees (the same reach as their rosters)."""
    from django.db.models import Q

    from jingwu.core.permissions import allowed
    from jingwu.core.scope import current_memberships
    from jingwu.org.models import Unit

    qs = Unit.objects.filter(kind="station")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    q = None
    for m in current_memberships(user):
        ok, reach = allowed(m.role, "duty.roster", "view")
        if not ok:
            continue
        part = Q(bureau_id=m.bureau_id)
        if reach == "subtree":
            part &= Q(path__startswith=m.unit.path) | Q(pk__in=m.unit.ancestor_ids)
        q = part if q is None else q | part
    return qs.filter(q) if q is not None else qs.none()


def grid_workload(user, grid_ids, *, first: dt.date, last: dt.date) -> dict:
    """Hours of logged grid work per grid and kind (and per officer) from ``first`` to ``last``."""
    from django.db.models import Sum

    from .models import GridWork

    rows = (
        restrict(GridWork.objects.filter(grid_id__in=list(grid_ids), day__gte=first, day__lte=last), user)
        .values("grid_id", "kind", "officer_id")
        .annotate(m=Sum("minutes"), h=Sum("households"))
    )
    out: dict = {}
    for r in rows:
        g = out.setdefault(r["grid_id"], {"kinds": {}, "officers": {}, "hours": 0.0, "households": 0})
        g["kinds"][r["kind"]] = g["kinds"].get(r["kind"], 0) + r["m"] / 60
        g["officers"][r["officer_id"]] = g["officers"].get(r["officer_id"], 0) + r["m"] / 60
        g["hours"] += r["m"] / 60
        g["households"] += r["h"] or 0
    return out


def grids_for(user):
    """The grids whose duty and work log ``user`` sees."""
    from django.db.models import Q

    from jingwu.core.permissions import allowed
    from jingwu.core.scope import current_memberships
    from jingwu.org.models import Unit

    qs = Unit.objects.filter(kind="grid")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return qs.none()
    if user.is_superuser:
        return qs
    q = None
    for m in current_memberships(user):
        ok, reach = allowed(m.role, "duty.gridduty", "view")
        if not ok:
            continue
        part = Q(bureau_id=m.bureau_id)
        if reach == "subtree":
            part &= Q(path__startswith=m.unit.path)
        q = part if q is None else q | part
    return qs.filter(q) if q is not None else qs.none()


def may_see_leave_reason(user, leave) -> bool:
    """Why an officer asks for leave (possibly medical) is shown only to the one who asked
    (or the officer it is for) and to those who decide on leave: the station chief (who
    approves it) and bureau command. The station's other people see that leave exists."""
    from jingwu.accounts.choices import Role
    from jingwu.core.scope import can_object, current_memberships

    if not getattr(user, "is_authenticated", False):
        return False
    if leave.requested_by_id is not None and leave.requested_by_id == user.pk:
        return True
    if getattr(user, "officer_id", None) and user.officer_id == leave.officer_id:
        return True
    if any(
        m.role == Role.BUREAU_COMMAND and m.bureau_id == leave.bureau_id for m in current_memberships(user)
    ):
        return True
    return can_object(user, leave, "approve")
