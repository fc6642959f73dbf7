"""Scheduled reports: a unit's monthly or quarterly report, started once its period is in the data.

``do_schedule_report`` stores a schedule (the unit, monthly or quarterly); ``sweep`` runs
every hour in the worker cluster (a django-q schedule set after ``migrate``) and by
``jingwu reports sweep``. For each active schedule it finds the latest period that the
bureau's data calendar has closed (the period's last day on or before the bureau's data
date, never the server's today) and, if no report of the schedule covers it yet, records
the report and starts its ``measure_report`` job on behalf of whoever scheduled it. A
report is written once per schedule and period (a unique constraint), so sweeping again,
or two sweeps at once, creates nothing more.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import data_date
from jingwu.core.services import authorize, service

from .reports import period_bounds


def last_closed_period(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The latest month or quarter whose last day is on or before ``today``."""
    first, last = period_bounds(period, today)
    if last > today:
        first, last = period_bounds(period, first - dt.timedelta(days=1))
    return first, last


@service
def do_schedule_report(*, actor, unit, period: str):
    from .models import ReportSchedule

    authorize(actor, ReportSchedule, "add", unit=unit)
    if period not in ("month", "quarter"):
        raise ValidationError({"period": _("Choose a monthly or a quarterly report.")})
    if unit.kind not in (
        "headquarters",
        "investigation_center",
        "prevention_center",
        "station",
        "zone",
        "grid",
    ):
        raise ValidationError(
            {"unit": _("Reports are written for headquarters, centers, stations, zones and grids.")}
        )
    existing = ReportSchedule.objects.filter(bureau=unit.bureau, unit=unit, period=period).first()
    if existing is not None and existing.active:
        raise ValidationError({"period": _("This unit already has this report scheduled.")})
    if existing is not None:
        existing.active = True
        existing.created_by = actor if getattr(actor, "pk", None) else existing.created_by
        existing.save(update_fields=["active", "created_by", "updated_at"])
        sched = existing
    else:
        sched = ReportSchedule.objects.create(
            bureau=unit.bureau,
            unit=unit,
            period=period,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    audit.record(
        "create",
        actor=actor,
        bureau=unit.bureau,
        obj=sched,
        unit_path=unit.path,
        after={"unit": unit.code, "period": period, "active": True},
    )
    return sched


@service
def do_stop_schedule(*, actor, schedule):
    from .models import ReportSchedule

    authorize(actor, ReportSchedule, "change", unit=schedule.unit)
    if not schedule.active:
        raise ValidationError(_("This schedule is already stopped."))
    schedule.active = False
    schedule.save(update_fields=["active", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=schedule.bureau,
        obj=schedule,
        unit_path=schedule.unit.path,
        before={"active": True},
        after={"active": False},
    )
    return schedule


def due_start(schedule) -> dt.date | None:
    """The first day of the period the schedule owes a report for now, or None."""
    first, _last = last_closed_period(schedule.period, data_date(schedule.bureau))
    if schedule.reports.filter(start=first).exists():
        return None
    return first


def sweep(bureau=None) -> dict:
    """Start the reports that have come due (see the module docstring); counts of what happened."""
    from .models import ReportSchedule
    from .reports import do_request_report

    out = {"created": 0, "already": 0, "refused": 0}
    qs = ReportSchedule.objects.filter(active=True).select_related("unit", "bureau", "created_by")
    if bureau is not None:
        qs = qs.filter(bureau=bureau)
    for sched in qs.order_by("bureau_id", "id"):
        start = due_start(sched)
        if start is None:
            out["already"] += 1
            continue
        if sched.created_by is None:
            out["refused"] += 1  # nobody to write it for: whose view would it show?
            continue
        try:
            # the bureau's language: the report is written in the default language
            with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
                do_request_report(
                    actor=sched.created_by, unit=sched.unit, period=sched.period, start=start, schedule=sched
                )
        except IntegrityError:
            out["already"] += 1  # another sweep wrote it first
        except (PermissionDenied, ValidationError):
            out["refused"] += 1
        else:
            out["created"] += 1
    return out
