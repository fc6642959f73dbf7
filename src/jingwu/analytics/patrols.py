"""Directed patrols: a zone's forecast hot cells become patrol tasks, and the time spent there is read back.

``do_create_patrol_tasks`` turns the hot cells of a zone's forecast (``hotspots.forecast_for``,
the day after the bureau's data date) into one task per cell, with the grid the cell's
centre lies in and the time window asked for. ``tasks_with_dosage`` lists a zone's tasks
with their dosage: the minutes of patrol the duty app's grid work log holds for the task's
grid on the task's day (read-only; the log records days, not hours, so the dosage is the
day's patrol time in that grid, whatever the window).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.prepared import prep

from jingwu.core import audit
from jingwu.core.clock import zone as tz_of
from jingwu.core.scope import restrict
from jingwu.core.services import authorize, service
from jingwu.org.models import Unit

from .hotspots import CELL_M, METHODS, forecast_for

MAX_HOURS = 12


def _grid_of(zone: Unit, day: dt.date, lon: float, lat: float) -> Unit | None:
    for g in Unit.objects.current(day).filter(parent=zone, kind="grid").exclude(boundary__isnull=True):
        if prep(shape(g.boundary)).contains(Point(lon, lat)):
            return g
    return None


@service
def do_create_patrol_tasks(*, actor, zone: Unit, method: str = "etas", start: dt.time, hours: int):
    """One directed-patrol task per hot cell of the zone's forecast; refused when there is none."""
    from .models import PatrolTask

    authorize(actor, PatrolTask, "add", unit=zone)
    if zone.kind != "zone":
        raise ValidationError({"unit": _("Directed patrols are made for a zone: open a zone's hot spots.")})
    if method not in METHODS:
        raise ValidationError({"method": _("Choose a forecast method from the list.")})
    if not 1 <= int(hours) <= MAX_HOURS:
        raise ValidationError({"hours": _("A patrol window lasts from 1 to %(n)d hours.") % {"n": MAX_HOURS}})
    h = forecast_for(actor, zone, method)
    if h.reason:
        raise ValidationError(h.reason)
    if not h.cells:
        raise ValidationError(_("The forecast has no hot cell in this zone: there is nothing to patrol."))
    if PatrolTask.objects.filter(bureau=zone.bureau, zone=zone, day=h.day, method=method).exists():
        raise ValidationError(
            _("Directed patrols of this zone for %(day)s from this forecast already exist.")
            % {"day": h.day.isoformat()}
        )
    tz = tz_of(zone.bureau)
    begin = dt.datetime.combine(h.day, start, tzinfo=tz)
    end = begin + dt.timedelta(hours=int(hours))
    out = []
    for c in h.cells:
        task = PatrolTask.objects.create(
            bureau=zone.bureau,
            zone=zone,
            grid=_grid_of(zone, h.day, c["lon"], c["lat"]),
            day=h.day,
            start=begin,
            end=end,
            method=method,
            rank=c["rank"],
            lon=round(c["lon"], 6),
            lat=round(c["lat"], 6),
            cell_m=int(CELL_M),
            share=round(c["share"], 6),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(
            "create",
            actor=actor,
            bureau=zone.bureau,
            obj=task,
            unit_path=(task.grid or zone).path,
            after={
                "zone": zone.code,
                "grid": task.grid.code if task.grid else None,
                "day": h.day.isoformat(),
                "start": begin.isoformat(),
                "end": end.isoformat(),
                "method": method,
                "rank": task.rank,
                "lon": task.lon,
                "lat": task.lat,
            },
        )
        out.append(task)
    return out


def tasks_with_dosage(user, zone: Unit) -> list:
    """The tasks of the zone (or of the grid, for a grid) the user sees, newest day first, each with ``dosage_minutes`` (None
    when the user does not see the grid work log or the task has no grid)."""
    from jingwu.core.scope import can
    from jingwu.duty.models import GridWork

    from .models import PatrolTask

    where = {"grid": zone} if zone.kind == "grid" else {"zone": zone}
    tasks = list(
        restrict(PatrolTask.objects.filter(bureau=zone.bureau, **where), user)
        .select_related("grid")
        .defer("grid__boundary")
        .order_by("-day", "method", "rank")[:200]
    )
    sees_log = can(user, GridWork, "view")
    minutes: dict = {}
    if sees_log and tasks:
        days = {t.day for t in tasks}
        grids = {t.grid_id for t in tasks if t.grid_id}
        for g, d, m in (
            restrict(GridWork.objects.filter(bureau=zone.bureau), user)
            .filter(kind="patrol", grid_id__in=grids, day__in=days)
            .order_by()
            .values_list("grid_id", "day")
            .annotate(m=Sum("minutes"))
        ):
            minutes[(g, d)] = m
    for t in tasks:
        t.dosage_minutes = minutes.get((t.grid_id, t.day), 0) if sees_log and t.grid_id else None
    return tasks
