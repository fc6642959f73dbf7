"""Writes of the duty app. Each checks scope, validates, audits and saves in one transaction.

Patterns are the bureau's (planners and command edit them); a station's set-up, its
coverage needs and its rosters are the station chief's (and the planners'). A roster
is solved as a background job (``duty.roster``) started in the same transaction as the
roster row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import data_date
from jingwu.core.services import authorize, service

from .choices import ACTIVE, RosterStatus
from .coverage import compute_station_coverage
from .models import DutyPattern, Roster, StationDuty
from .patterns import builtin_rows, check_pattern

MAX_DAYS = 42
MAX_TIME_LIMIT = 600
DEFAULT_PATTERN = {
    "full_spectrum": "day_night_2",
    "proactive": "day_night_2",
    "preventive": "duty_24h_1on2off",
}


def _pattern_snap(p: DutyPattern) -> dict:
    return {
        "code": p.code,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "shifts": p.shifts,
        "cycle": p.cycle,
        "weekdays_only": p.weekdays_only,
        "min_rest_hours": p.min_rest_hours,
    }


def ensure_patterns(bureau) -> list[DutyPattern]:
    """The bureau's duty patterns, the built-in ones added if missing (a bureau made before
    the duty app; new bureaus get them when created)."""
    have = set(DutyPattern.objects.filter(bureau=bureau).values_list("code", flat=True))
    missing = [r for r in builtin_rows() if r["code"] not in have]
    if missing:
        with transaction.atomic():
            for row in missing:
                p = DutyPattern.objects.create(bureau=bureau, **row)
                audit.record(
                    "create", actor=None, bureau=bureau, obj=p, after=_pattern_snap(p), reason="built-in"
                )
    return list(DutyPattern.objects.filter(bureau=bureau).order_by("code"))


@service
def do_save_pattern(*, actor, bureau, data: dict, pattern: DutyPattern | None = None) -> DutyPattern:
    """Create or change a duty pattern; an impossible one is refused naming the rule, nothing saved."""
    authorize(actor, DutyPattern, "change" if pattern else "add", bureau=bureau)
    code = str(data.get("code") or (pattern.code if pattern else "")).strip()
    name_zh = str(data.get("name_zh") or "").strip()
    if not code or len(code) > 32:
        raise ValidationError({"code": _("Give the pattern a code of up to 32 characters.")})
    if not name_zh:
        raise ValidationError({"name_zh": _("Give the pattern a Chinese name.")})
    try:
        rest = int(data.get("min_rest_hours", 8))
    except (TypeError, ValueError):
        rest = -1
    if not 0 <= rest <= 48:
        raise ValidationError({"min_rest_hours": _("The minimum rest is 0 to 48 hours.")})
    shifts = data.get("shifts")
    cycle = data.get("cycle")
    weekdays_only = bool(data.get("weekdays_only"))
    check_pattern(shifts, cycle, min_rest_hours=rest, weekdays_only=weekdays_only)
    clean_shifts = [
        {
            "code": s["code"].strip(),
            "name_zh": str(s.get("name_zh") or s["code"]).strip()[:20],
            "name_en": str(s.get("name_en") or s.get("name_zh") or s["code"]).strip()[:40],
            "start": str(s["start"]).strip().zfill(5),
            "hours": float(s["hours"]),
            "night": bool(s.get("night")),
        }
        for s in shifts
    ]
    dup = DutyPattern.objects.filter(bureau=bureau, code=code)
    if pattern is not None:
        dup = dup.exclude(pk=pattern.pk)
    if dup.exists():
        raise ValidationError({"code": _("Another duty pattern of the bureau uses this code.")})
    before = _pattern_snap(pattern) if pattern else None
    p = pattern or DutyPattern(bureau=bureau)
    p.code, p.name_zh, p.name_en = code, name_zh, str(data.get("name_en") or "").strip()
    p.shifts, p.cycle, p.weekdays_only, p.min_rest_hours = clean_shifts, list(cycle), weekdays_only, rest
    p.save()
    audit.record(
        "update" if before else "create",
        actor=actor,
        bureau=bureau,
        obj=p,
        before=before,
        after=_pattern_snap(p),
    )
    return p


def _setup_snap(s: StationDuty) -> dict:
    return {
        "pattern": s.pattern.code,
        "min_on_duty": s.min_on_duty,
        "lead_per_zone": s.lead_per_zone,
        "max_week_hours": s.max_week_hours,
        "max_consecutive_days": s.max_consecutive_days,
    }


def station_setup(station) -> StationDuty:
    """The station's duty set-up, created with the defaults of its type the first time (by the system)."""
    existing = (
        StationDuty.objects.filter(bureau_id=station.bureau_id, station=station)
        .select_related("pattern")
        .first()
    )
    if existing is not None:
        return existing
    if station.kind != "station":
        raise ValidationError(_("Duty rosters are made for police stations."))
    ensure_patterns(station.bureau)
    code = DEFAULT_PATTERN.get(station.station_type, "day_night_2")
    pattern = DutyPattern.objects.get(bureau_id=station.bureau_id, code=code)
    with transaction.atomic():
        s = StationDuty.objects.create(bureau_id=station.bureau_id, station=station, pattern=pattern)
        audit.record(
            "create", actor=None, bureau=station.bureau, obj=s, unit_path=station.path, after=_setup_snap(s)
        )
    return s


@service
def do_set_station_duty(
    station,
    *,
    actor,
    pattern: DutyPattern,
    min_on_duty: int,
    lead_per_zone: bool,
    max_week_hours: int,
    max_consecutive_days: int,
) -> StationDuty:
    """Change a station's duty set-up (pattern and rules); the coverage needs are recomputed."""
    authorize(actor, StationDuty, "change", unit=station)
    setup = station_setup(station)
    setup = StationDuty.objects.select_for_update().get(pk=setup.pk)
    errors = {}
    if pattern.bureau_id != station.bureau_id:
        errors["pattern"] = _("The duty pattern belongs to another bureau.")
    if not 0 <= int(min_on_duty) <= 20:
        errors["min_on_duty"] = _("The least people on duty per zone is 0 to 20.")
    if not 8 <= int(max_week_hours) <= 168:
        errors["max_week_hours"] = _("The most hours a week is 8 to 168.")
    if not 1 <= int(max_consecutive_days) <= 14:
        errors["max_consecutive_days"] = _("The most days in a row is 1 to 14.")
    if errors:
        raise ValidationError(errors)
    before = _setup_snap(setup)
    setup.pattern, setup.min_on_duty, setup.lead_per_zone = pattern, int(min_on_duty), bool(lead_per_zone)
    setup.max_week_hours, setup.max_consecutive_days = int(max_week_hours), int(max_consecutive_days)
    _fill_coverage(setup)
    setup.save()
    audit.record(
        "update",
        actor=actor,
        bureau=station.bureau,
        obj=setup,
        unit_path=station.path,
        before=before,
        after=_setup_snap(setup),
    )
    return setup


def _fill_coverage(setup: StationDuty) -> None:
    on = data_date(setup.bureau_id)
    setup.coverage, setup.coverage_basis = compute_station_coverage(
        setup.station, on=on, least=setup.min_on_duty
    )
    setup.coverage_at = timezone.now()


@service
def do_compute_coverage(station, *, actor) -> StationDuty:
    """Recompute a station's coverage needs per zone and hour from the year before the data date."""
    authorize(actor, StationDuty, "change", unit=station)
    setup = StationDuty.objects.select_for_update().get(pk=station_setup(station).pk)
    _fill_coverage(setup)
    setup.save()
    audit.record(
        "update",
        actor=actor,
        bureau=station.bureau,
        obj=setup,
        unit_path=station.path,
        after={
            "coverage_basis": {k: setup.coverage_basis.get(k) for k in ("from", "to", "incidents", "peak")}
        },
        reason="coverage computed",
    )
    return setup


@service
def do_start_roster(
    station, *, actor, start: dt.date, days: int = 28, time_limit: int = 30, hand_out: bool = True
) -> Roster:
    """Create a roster for the station and queue its solve (a background job)."""
    from jingwu.jobs.services import do_start_job

    authorize(actor, Roster, "add", unit=station)
    errors = {}
    if not 1 <= int(days) <= MAX_DAYS:
        errors["days"] = _("A roster covers 1 to %(n)s days.") % {"n": MAX_DAYS}
    if not 1 <= int(time_limit) <= MAX_TIME_LIMIT:
        errors["time_limit"] = _("The solver's time limit is 1 to %(n)s seconds.") % {"n": MAX_TIME_LIMIT}
    if errors:
        raise ValidationError(errors)
    setup = station_setup(station)
    if not setup.coverage:
        _fill_coverage(setup)
        setup.save()
    if not setup.coverage:
        raise ValidationError(_("The station has no zones to put people on duty in."))
    busy = Roster.objects.filter(bureau_id=station.bureau_id, station=station, status__in=ACTIVE)
    if busy.exists():
        raise ValidationError(_("A roster of this station is being solved; wait for it to finish."))
    roster = Roster.objects.create(
        bureau_id=station.bureau_id,
        station=station,
        start=start,
        days=int(days),
        time_limit=int(time_limit),
        pattern=_pattern_snap(setup.pattern),
        status=RosterStatus.QUEUED,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        "create",
        actor=actor,
        bureau=station.bureau,
        obj=roster,
        unit_path=station.path,
        after={"start": start.isoformat(), "days": roster.days, "pattern": setup.pattern.code},
    )
    do_start_job("duty.roster", actor=actor, bureau=station.bureau, target=roster, hand_out=hand_out)
    return roster


@service
def do_publish_roster(roster: Roster, *, actor) -> Roster:
    """Make a solved roster the station's duty (the one "today's duty" shows for its days)."""
    authorize(actor, Roster, "change", unit=roster.station)
    roster = Roster.objects.select_for_update().get(pk=roster.pk)
    if roster.status != RosterStatus.DONE:
        raise ValidationError(_("Only a solved roster can be published."))
    roster.status = RosterStatus.PUBLISHED
    roster.save(update_fields=["status", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=roster.bureau,
        obj=roster,
        unit_path=roster.station.path,
        before={"status": "done"},
        after={"status": "published"},
    )
    return roster
