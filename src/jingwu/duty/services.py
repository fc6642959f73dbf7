"""Writes of the duty app. Each checks scope, validates, audits and saves in one transaction.

Patterns are the bureau's (planners and command edit them); a station's set-up, its
coverage needs and its rosters are the station chief's (and the planners'). A roster
is solved as a background job (``duty.roster``) started in the same transaction as the
roster row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import data_date, latest_day
from jingwu.core.services import authorize, service

from .choices import ACTIVE, RequestStatus, RosterStatus
from .coverage import compute_station_coverage
from .models import DutyPattern, GridDuty, GridWork, LeaveRequest, Retasking, Roster, StationDuty, SwapRequest
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


def ensure_patterns(bureau, actor=None) -> list[DutyPattern]:
    """The bureau's duty patterns, the built-in ones added if missing (a bureau made before
    the duty app; new bureaus get them when created). Called from services only (a write)."""
    have = set(DutyPattern.objects.filter(bureau=bureau).values_list("code", flat=True))
    missing = [r for r in builtin_rows() if r["code"] not in have]
    if missing:
        with transaction.atomic():
            for row in missing:
                p = DutyPattern.objects.create(bureau=bureau, **row)
                audit.record(
                    "create", actor=actor, bureau=bureau, obj=p, after=_pattern_snap(p), reason="built-in"
                )
    return list(DutyPattern.objects.filter(bureau=bureau).order_by("code"))


@service
def do_add_builtin_patterns(*, actor, bureau) -> list[DutyPattern]:
    """Add the built-in duty patterns the bureau lacks (headquarters)."""
    authorize(actor, DutyPattern, "add", bureau=bureau)
    return ensure_patterns(bureau, actor)


def missing_builtin_patterns(bureau) -> list[str]:
    have = set(DutyPattern.objects.filter(bureau=bureau).values_list("code", flat=True))
    return [r["code"] for r in builtin_rows() if r["code"] not in have]


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


def default_setup(station) -> StationDuty:
    """The duty set-up a station not set up yet would get (its type's defaults), unsaved."""
    code = DEFAULT_PATTERN.get(station.station_type, "day_night_2")
    pattern = DutyPattern.objects.filter(bureau_id=station.bureau_id, code=code).first()
    return StationDuty(bureau_id=station.bureau_id, station=station, pattern=pattern)


def station_setup(station, actor=None) -> StationDuty:
    """The station's duty set-up, created with the defaults of its type the first time (by
    the service that needs it, whose actor the audit event names)."""
    existing = (
        StationDuty.objects.filter(bureau_id=station.bureau_id, station=station)
        .select_related("pattern")
        .first()
    )
    if existing is not None:
        return existing
    if station.kind != "station":
        raise ValidationError(_("Duty rosters are made for police stations."))
    ensure_patterns(station.bureau, actor)
    code = DEFAULT_PATTERN.get(station.station_type, "day_night_2")
    pattern = DutyPattern.objects.get(bureau_id=station.bureau_id, code=code)
    with transaction.atomic():
        s = StationDuty.objects.create(bureau_id=station.bureau_id, station=station, pattern=pattern)
        audit.record(
            "create", actor=actor, bureau=station.bureau, obj=s, unit_path=station.path, after=_setup_snap(s)
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
    setup = station_setup(station, actor)
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
    setup = StationDuty.objects.select_for_update().get(pk=station_setup(station, actor).pk)
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
    setup = station_setup(station, actor)
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


# --- leave and swaps -----------------------------------------------------------------


def _posting_unit(officer, station, on: dt.date):
    from jingwu.personnel.models import Posting

    p = (
        Posting.objects.current(on)
        .filter(officer=officer, unit__path__startswith=station.path)
        .select_related("unit")
        .order_by("-unit__depth")
        .first()
    )
    return p.unit if p else None


def _authorize_for(actor, model, action: str, station, officer, on: dt.date) -> None:
    """The station chief for anyone of the station; a zone lead or community officer for the
    people posted in their zone or grid (themselves included)."""
    try:
        authorize(actor, model, action, unit=station)
    except PermissionDenied:
        unit = _posting_unit(officer, station, on)
        if unit is None or unit.pk == station.pk:
            raise
        authorize(actor, model, action, unit=unit)


def _rule_error(field: str, rule: str, detail: str) -> ValidationError:
    from jingwu.core.i18n import is_chinese
    from jingwu.engine.roster.reasons import rule_name

    return ValidationError(
        {
            field: _("%(detail)s It breaks the rule: %(rule)s.")
            % {"detail": detail, "rule": rule_name(rule, "zh" if is_chinese() else "en")}
        }
    )


@service
def do_request_leave(
    officer, *, actor, station, first: dt.date, last: dt.date, reason: str = ""
) -> LeaveRequest:
    """Ask for leave. Refused, naming the rule, when it overlaps the officer's other leave, a day
    of duty in a published roster on or before the data date (ask for a swap), or a roster
    being solved. Days of published duty after the data date are re-planned when approved."""
    from .models import RosterEntry

    _authorize_for(actor, LeaveRequest, "add", station, officer, first)
    if last < first:
        raise ValidationError({"last": _("The last day of leave is before the first.")})
    if (last - first).days > 90:
        raise ValidationError({"last": _("A leave request covers at most 91 days.")})
    if _posting_unit(officer, station, first) is None:
        raise ValidationError(
            {"officer": _("The officer is not posted in this station on the first day of leave.")}
        )
    clash = LeaveRequest.objects.filter(
        bureau_id=station.bureau_id, officer=officer, first__lte=last, last__gte=first
    ).exclude(status=RequestStatus.REFUSED)
    if clash.exists():
        raise _rule_error(
            "first", "leave", _("The officer already has leave requested or approved on these days.")
        )
    today = data_date(station.bureau_id)
    duty = (
        RosterEntry.objects.filter(
            roster__station=station,
            roster__status=RosterStatus.PUBLISHED,
            officer=officer,
            day__gte=first,
            day__lte=min(last, today),
        )
        .order_by("day")
        .first()
    )
    if duty is not None:
        raise ValidationError(
            {
                "first": _(
                    "The officer is on duty on %(day)s in the published roster, on or before today. It breaks the "
                    "rule: no leave on a day of published duty that has begun; ask for a swap."
                )
                % {"day": duty.day.isoformat()}
            }
        )
    if Roster.objects.filter(station=station, status__in=ACTIVE, start__lte=last).exists():
        raise ValidationError(
            {"first": _("A roster of this station is being solved; wait for it to finish.")}
        )
    req = LeaveRequest.objects.create(
        bureau_id=station.bureau_id,
        station=station,
        officer=officer,
        first=first,
        last=last,
        reason=reason.strip()[:200],
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        "create",
        actor=actor,
        bureau=station.bureau,
        obj=req,
        unit_path=station.path,
        after={"officer": officer.pk, "first": first.isoformat(), "last": last.isoformat()},
    )
    return req


def _engine_roster(roster, built):
    """The roster's saved entries as the engine's ``Roster`` (the starting point of a re-plan)."""
    from jingwu.engine.roster import Roster as EngineRoster
    from jingwu.engine.roster.model import Assignment

    from .models import RosterEntry

    index = {d: i for i, d in enumerate(built.days)}
    rows = RosterEntry.objects.filter(roster=roster).values_list("officer_id", "day", "shift", "zone_id")
    assignments = tuple(
        Assignment(str(o), index[d], s, str(z)) for o, d, s, z in rows if str(o) in built.officers
    )
    return EngineRoster("FEASIBLE", assignments, None, None)


def _leave_days(roster) -> dict[str, set[int]]:
    """Approved leave of the roster's people, and approved re-tasking away from it, as engine days."""
    out: dict[str, set[int]] = {}
    for r in Retasking.objects.filter(
        station=roster.station, status=RequestStatus.APPROVED, first__lte=roster.end, last__gte=roster.start
    ).prefetch_related("officers"):
        for i in range(roster.days):
            if r.first <= roster.start + dt.timedelta(days=i) <= r.last:
                for o in r.officers.all():
                    out.setdefault(str(o.pk), set()).add(i)
    for lv in LeaveRequest.objects.filter(
        station=roster.station, status=RequestStatus.APPROVED, first__lte=roster.end, last__gte=roster.start
    ):
        for i in range(roster.days):
            if lv.first <= roster.start + dt.timedelta(days=i) <= lv.last:
                out.setdefault(str(lv.officer_id), set()).add(i)
    return out


REPLAN_TIME_LIMIT = 10


def replan_for_leave(roster, req, *, time_limit: float = REPLAN_TIME_LIMIT) -> dict | None:
    """Re-plan what an approved leave changes in a solved or published roster, and only that.

    The window is the leave's days inside the roster (for a published roster, only the days
    after the data date: duty that has begun stays as it was). Only the zones the officer
    on leave worked in those days are re-planned, by the people who may work there and who
    work in no other zone in those days; everyone else, and every other day, stays fixed.
    Returns what changed and the needs of the window left unmet (``None``: nothing to do).
    """
    from dataclasses import replace

    from jingwu.engine.roster import Roster as EngineRoster
    from jingwu.engine.roster import RosterParams, changes, fairness, resolve_window
    from jingwu.engine.roster.model import Weights

    from .models import RosterEntry
    from .roster import Built, _results, build_problem, entries_for

    first = max(req.first, roster.start)
    if roster.status == RosterStatus.PUBLISHED:
        first = max(first, data_date(roster.bureau_id) + dt.timedelta(days=1))
    last = min(req.last, roster.end)
    if first > last:
        return None
    setup = station_setup(roster.station)
    built = build_problem(roster, setup, leave=_leave_days(roster))
    lo, hi = (first - roster.start).days, (last - roster.start).days
    previous = _engine_roster(roster, built)
    sid = str(req.officer_id)
    zones = {a.zone for a in previous.assignments if a.staff == sid and lo <= a.day <= hi}
    out = {
        "roster": roster.pk,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "zones": sorted(int(z) for z in zones),
        "changes": 0,
        "unmet": [],
        "wall_s": 0.0,
    }
    if not zones:  # the leave falls on the officer's days off: nothing to re-plan
        return out
    problem = built.problem
    elsewhere = {a.staff for a in previous.assignments if lo <= a.day <= hi and a.zone not in zones}
    part = {p.id for p in problem.staff if set(p.zones) & zones and p.id not in elsewhere}
    worked = {(a.staff, a.zone) for a in previous.assignments}
    staff = tuple(
        replace(p, zones=tuple(z for z in p.zones if z in zones or (p.id, z) in worked))
        for p in problem.staff
        if p.id in part
    )
    sub = replace(
        problem,
        staff=staff,
        needs=tuple(n for n in problem.needs if n.zone in zones and lo <= n.day <= hi),
        leave=tuple(lv for lv in problem.leave if lv.staff in part),
        requests=tuple(r for r in problem.requests if r.staff in part),
        weights=Weights(**{**problem.weights.__dict__, "change": 50}),
    )
    mine = EngineRoster("FEASIBLE", tuple(a for a in previous.assignments if a.staff in part), None, None)
    try:
        result = resolve_window(
            sub, mine, (lo, hi), RosterParams(time_limit_s=time_limit, seed=roster.pk % 1000)
        )
    except ValueError:
        result = None
    if result is None or not result.feasible:
        raise ValidationError(_("The roster cannot be re-planned for these days under its hard rules."))
    kept = [a for a in previous.assignments if a.staff not in part]
    merged = tuple(sorted(kept + list(result.assignments), key=lambda a: (a.day, a.shift, a.zone, a.staff)))
    window = _results(result, Built(sub, built.officers, built.zones, built.roles, built.days))
    RosterEntry.objects.filter(
        roster=roster, day__gte=first, day__lte=last, officer_id__in=[int(x) for x in built.officers]
    ).delete()
    RosterEntry.objects.bulk_create(
        entries_for(roster, built, [a for a in merged if lo <= a.day <= hi]), batch_size=1000
    )
    old = roster.results or {}
    day_in = {d.isoformat() for d in built.days[lo : hi + 1]}
    unmet = [u for u in old.get("unmet", []) if not (u["day"] in day_in and str(u["zone"]) in zones)]
    unmet = sorted(unmet + window["unmet"], key=lambda u: (u["day"], u["shift"], u["zone"], u["kind"]))
    needed = old.get("people_needed") or sum(n.count for n in problem.needs if not n.lead)
    short = sum(u["missing"] for u in unmet if u["kind"] != "lead")
    roster.results = {
        **old,
        "unmet": unmet,
        "people_short": short,
        "leads_short": sum(u["missing"] for u in unmet if u["kind"] == "lead"),
        "coverage_share": round(1 - short / needed, 4) if needed else 1.0,
        "fairness": fairness(problem, list(merged)),
    }
    roster.save(update_fields=["results", "updated_at"])
    out.update(
        changes=len(changes(previous, EngineRoster("FEASIBLE", merged, None, None))),
        unmet=window["unmet"],
        wall_s=round(result.wall_s, 2),
        people=len(part),
    )
    return out


@service
def do_decide_leave(req: LeaveRequest, *, actor, approve: bool) -> LeaveRequest:
    """Approve or refuse leave; approving re-plans the leave's days of the station's solved rosters."""
    from django.utils import timezone

    authorize(actor, LeaveRequest, "approve", unit=req.station)
    req = LeaveRequest.objects.select_for_update().get(pk=req.pk)
    if req.status != RequestStatus.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    req.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    req.decided_by = actor if getattr(actor, "pk", None) else None
    req.decided_at = timezone.now()
    req.save()
    replanned = []
    if approve:
        for roster in Roster.objects.filter(
            station=req.station,
            status__in=[RosterStatus.DONE, RosterStatus.PUBLISHED],
            start__lte=req.last,
        ).select_related("station", "station__bureau"):
            if roster.end < req.first or (roster.results or {}).get("status") not in ("OPTIMAL", "FEASIBLE"):
                continue  # outside the leave, or no roster was found: nothing to re-plan
            done = replan_for_leave(roster, req, time_limit=min(REPLAN_TIME_LIMIT, roster.time_limit))
            if done is not None:
                replanned.append(done)
        req.replan = replanned
        req.save(update_fields=["replan", "updated_at"])
    audit.record(
        "update",
        reason="approved" if approve else "refused",
        actor=actor,
        bureau=req.station.bureau,
        obj=req,
        unit_path=req.station.path,
        before={"status": "requested"},
        after={
            "status": req.status,
            "replanned": [
                {k: r[k] for k in ("roster", "first", "last", "zones", "changes")} for r in replanned
            ],
        },
    )
    req.replanned = replanned
    return req


@service
def do_request_swap(roster, *, actor, day: dt.date, officer_a, officer_b) -> SwapRequest:
    """Ask to swap two people's duty on a day. A swap that breaks a hard rule (rest, hours a
    week, days in a row, leave ...) for either of them is refused naming the rule; nothing saved."""
    _authorize_for(actor, SwapRequest, "add", roster.station, officer_a, day)
    if roster.status not in (RosterStatus.DONE, RosterStatus.PUBLISHED):
        raise ValidationError(_("Only a solved roster's duty can be swapped."))
    if not roster.covers(day):
        raise ValidationError({"day": _("The day is outside the roster.")})
    if officer_a.pk == officer_b.pk:
        raise ValidationError({"officer_b": _("Choose someone else to swap with.")})
    _check_swap(roster, day, officer_a, officer_b)
    req = SwapRequest.objects.create(
        bureau_id=roster.bureau_id,
        roster=roster,
        day=day,
        officer_a=officer_a,
        officer_b=officer_b,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        "create",
        actor=actor,
        bureau=roster.bureau,
        obj=req,
        unit_path=roster.station.path,
        after={"day": day.isoformat(), "a": officer_a.pk, "b": officer_b.pk},
    )
    return req


def _check_swap(roster, day, officer_a, officer_b) -> list:
    from jingwu.engine.roster import RosterRuleError, check_swap

    from .roster import build_problem

    built = build_problem(roster, station_setup(roster.station), leave=_leave_days(roster))
    for o in (officer_a, officer_b):
        if str(o.pk) not in built.officers:
            raise ValidationError(
                {"officer_b": _("%(name)s is not on this station's roster.") % {"name": o.name}}
            )
    previous = _engine_roster(roster, built)
    d = (day - roster.start).days
    mine = {a.staff for a in previous.assignments if a.day == d}
    if str(officer_a.pk) not in mine and str(officer_b.pk) not in mine:
        raise ValidationError({"day": _("Neither of them is on duty that day: there is nothing to swap.")})
    try:
        swapped = check_swap(built.problem, previous.assignments, str(officer_a.pk), str(officer_b.pk), d)
    except RosterRuleError as exc:
        who = built.officers[exc.staff].name
        raise _rule_error("day", exc.rule, _("Swap refused for %(name)s.") % {"name": who}) from None
    _check_swap_coverage(roster, built, previous.assignments, swapped, d)
    return built, swapped


def _short_by_need(problem, assignments, day: int) -> dict:
    """People missing per need of ``day`` (a leader, a skill, or plain people) under ``assignments``."""
    from collections import Counter

    staff = {p.id: p for p in problem.staff}
    on: Counter = Counter()
    for a in assignments:
        if a.day != day:
            continue
        p = staff[a.staff]
        on[a.shift, a.zone, None, False] += 1
        for sk in p.skills:
            on[a.shift, a.zone, sk, False] += 1
        if p.lead:
            on[a.shift, a.zone, None, True] += 1
    return {
        n: max(0, n.count - on[n.shift, n.zone, n.skill, n.lead])
        for n in problem.needs
        if n.day == day and n.count
    }


def _check_swap_coverage(roster, built, before, after, day: int) -> None:
    """Refuse a swap that leaves a zone's shift without a leader, without a skill it needs,
    or with fewer people than it needs (more short than before the swap), naming the rule."""
    was = _short_by_need(built.problem, before, day)
    now = _short_by_need(built.problem, after, day)
    worse = [n for n in now if now[n] > was.get(n, 0)]
    if not worse:
        return
    n = sorted(worse, key=lambda n: (not n.lead, n.skill or "", n.zone, n.shift))[0]
    zone = built.zones[n.zone].name
    from jingwu.core.i18n import pick

    names = {s["code"]: s for s in (roster.pattern or {}).get("shifts", [])}
    row = names.get(n.shift, {})
    shift_name = pick(row.get("name_zh") or n.shift, row.get("name_en") or row.get("name_zh") or n.shift)
    where = {"zone": zone, "shift": shift_name, "day": built.days[day].isoformat()}
    if n.lead:
        rule = _("a leader per zone on duty")
        detail = _("After the swap, %(zone)s has nobody to lead the %(shift)s shift on %(day)s.") % where
    elif n.skill:
        rule = _("skills for special posts")
        detail = _(
            "After the swap, %(zone)s has nobody with the skill %(skill)s on the %(shift)s shift on %(day)s."
        ) % {
            **where,
            "skill": n.skill,
        }
    else:
        rule = _("coverage of the zone's needs")
        detail = (
            _("After the swap, %(zone)s has fewer people than it needs on the %(shift)s shift on %(day)s.")
            % where
        )
    raise ValidationError(
        {"day": _("%(detail)s It breaks the rule: %(rule)s.") % {"detail": detail, "rule": rule}}
    )


@service
def do_decide_swap(req: SwapRequest, *, actor, approve: bool) -> SwapRequest:
    """Approve (the two entries of the day change hands, checked again) or refuse a swap."""
    from django.utils import timezone

    from .models import RosterEntry

    authorize(actor, SwapRequest, "approve", unit=req.roster.station)
    req = (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("roster", "roster__station")
        .get(pk=req.pk)
    )
    if req.status != RequestStatus.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    if approve:
        from .roster import entries_for

        # checked again: the roster may have changed since it was asked
        built, swapped = _check_swap(req.roster, req.day, req.officer_a, req.officer_b)
        d = (req.day - req.roster.start).days
        pair = {str(req.officer_a_id), str(req.officer_b_id)}
        slots = {(a.shift, a.zone) for a in swapped if a.day == d and a.staff in pair}
        RosterEntry.objects.filter(
            roster=req.roster, day=req.day, officer__in=[req.officer_a, req.officer_b]
        ).delete()
        for shift, zone in slots:  # the leader of each slot the swap touches is marked again
            RosterEntry.objects.filter(
                roster=req.roster,
                day=req.day,
                shift=shift,
                zone_id=int(zone),
                officer_id__in=[int(x) for x in built.officers],
            ).delete()
        redo = [a for a in swapped if a.day == d and (a.shift, a.zone) in slots]
        RosterEntry.objects.bulk_create(entries_for(req.roster, built, redo))
    req.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    req.decided_by = actor if getattr(actor, "pk", None) else None
    req.decided_at = timezone.now()
    req.save()
    audit.record(
        "update",
        reason="approved" if approve else "refused",
        actor=actor,
        bureau=req.roster.bureau,
        obj=req,
        unit_path=req.roster.station.path,
        before={"status": "requested"},
        after={"status": req.status},
    )
    return req


# --- grids ---------------------------------------------------------------------------


def grid_duty(grid) -> GridDuty:
    """The grid's duty row (made empty the first time it is looked at, by the system)."""
    row = GridDuty.objects.filter(bureau_id=grid.bureau_id, grid=grid).select_related("officer").first()
    if row is None:
        if grid.kind != "grid":
            raise ValidationError(_("Only grids have a responsible officer."))
        row, _created = GridDuty.objects.get_or_create(bureau_id=grid.bureau_id, grid=grid)
    return row


@service
def do_assign_grid(grid, *, actor, officer, auxiliaries=()) -> GridDuty:
    """Name the grid's responsible community officer and its auxiliaries (people of its station)."""
    from jingwu.personnel.models import Posting

    from .selectors import station_of

    authorize(actor, GridDuty, "change", unit=grid)
    auxiliaries = list(auxiliaries)
    station = station_of(grid)
    on = data_date(grid.bureau_id)
    asked = [o.pk for o in [officer, *auxiliaries] if o is not None]
    staff = (  # of the people named, those posted in the grid's station (as station_staff reads it)
        set(
            Posting.objects.current(on)
            .filter(bureau_id=grid.bureau_id, unit__path__startswith=station.path, officer_id__in=asked)
            .exclude(officer__status="retired")
            .values_list("officer_id", flat=True)
        )
        if station and asked
        else set()
    )
    errors = {}
    if officer is not None and (officer.pk not in staff or officer.kind != "police"):
        errors["officer"] = _("The responsible officer is a police officer posted in the grid's station.")
    bad = [a.name for a in auxiliaries if a.pk not in staff or a.kind != "auxiliary"]
    if bad:
        errors["auxiliaries"] = _("Not an auxiliary officer of the grid's station: %(names)s.") % {
            "names": ", ".join(bad)
        }
    if errors:
        raise ValidationError(errors)
    row = GridDuty.objects.select_for_update().get(pk=grid_duty(grid).pk)
    before = {"officer": row.officer_id, "auxiliaries": sorted(row.auxiliaries.values_list("pk", flat=True))}
    row.officer = officer
    row.save()
    row.auxiliaries.set(list(auxiliaries))
    audit.record(
        "update",
        actor=actor,
        bureau=grid.bureau,
        obj=row,
        unit_path=grid.path,
        before=before,
        after={"officer": getattr(officer, "pk", None), "auxiliaries": sorted(a.pk for a in auxiliaries)},
    )
    return row


MAX_WORK_MINUTES = 720


@service
def do_log_work(
    grid, *, actor, officer, kind: str, day: dt.date, minutes: int, households: int = 0, note: str = ""
) -> GridWork:
    """Log a piece of grid work for the grid's responsible officer or one of its auxiliaries."""
    from .choices import WorkKind

    authorize(actor, GridWork, "add", unit=grid)
    row = grid_duty(grid)
    people = {row.officer_id} | set(row.auxiliaries.values_list("pk", flat=True))
    errors = {}
    if officer is None or officer.pk not in people:
        errors["officer"] = _("Work is logged for the grid's responsible officer or its auxiliaries.")
    if kind not in WorkKind.values:
        errors["kind"] = _("Choose the kind of work.")
    if day > latest_day(grid.bureau_id):
        errors["day"] = _("Work cannot be logged for a day after today.")
    if not 1 <= int(minutes) <= MAX_WORK_MINUTES:
        errors["minutes"] = _("The time is 1 to %(n)s minutes.") % {"n": MAX_WORK_MINUTES}
    if not 0 <= int(households) <= 500 or (households and kind != WorkKind.VISIT):
        errors["households"] = _("Households are counted for door-to-door visits only (0 to 500).")
    if errors:
        raise ValidationError(errors)
    work = GridWork.objects.create(
        bureau_id=grid.bureau_id,
        grid=grid,
        officer=officer,
        kind=kind,
        day=day,
        minutes=int(minutes),
        households=int(households),
        note=note.strip()[:300],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        "create",
        actor=actor,
        bureau=grid.bureau,
        obj=work,
        unit_path=grid.path,
        after={"kind": kind, "day": day.isoformat(), "minutes": work.minutes, "officer": officer.pk},
    )
    return work


# --- seasonal re-tasking -------------------------------------------------------------


@service
def do_propose_retasking(station, *, actor, name: str, first: dt.date, last: dt.date, officers) -> Retasking:
    """Propose moving people of a station to traffic posts for a period, with the forecast
    traffic demand and the cost to the station's coverage computed for the approver."""
    from .retasking import coverage_cost, forecast
    from .roster import station_staff

    authorize(actor, Retasking, "add", unit=station)
    on = data_date(station.bureau_id)
    errors = {}
    if not name.strip():
        errors["name"] = _("Give the period a name (e.g. the National Day holiday).")
    if last < first:
        errors["last"] = _("The last day is before the first.")
    elif (last - first).days > 122:
        errors["last"] = _("A re-tasking period is at most four months.")
    staff = {o.pk: o for o, _z, _r in station_staff(station, first)}
    officers = list(officers)
    if not officers:
        errors["officers"] = _("Choose the people who move to traffic posts.")
    bad = [o.name for o in officers if o.pk not in staff]
    if bad:
        errors["officers"] = _("Not posted in this station: %(names)s.") % {"names": ", ".join(bad)}
    if errors:
        raise ValidationError(errors)
    busy = Retasking.objects.filter(
        station=station,
        status__in=[RequestStatus.REQUESTED, RequestStatus.APPROVED],
        first__lte=last,
        last__gte=first,
        officers__in=officers,
    ).distinct()
    if busy.exists():
        raise ValidationError(
            {"officers": _("Some of them are already in another re-tasking of these days.")}
        )
    setup = station_setup(station, actor)
    if not setup.coverage:
        _fill_coverage(setup)
        setup.save()
    r = Retasking.objects.create(
        bureau_id=station.bureau_id,
        station=station,
        name=name.strip()[:80],
        first=first,
        last=last,
        forecast=forecast(station, first, last, on=on),
        cost=coverage_cost(setup, len(staff), len(officers), first, last),
        proposed_by=actor if getattr(actor, "pk", None) else None,
    )
    r.officers.set(officers)
    audit.record(
        "create",
        actor=actor,
        bureau=station.bureau,
        obj=r,
        unit_path=station.path,
        after={
            "first": first.isoformat(),
            "last": last.isoformat(),
            "officers": sorted(o.pk for o in officers),
            "cost": r.cost,
        },
    )
    return r


@service
def do_decide_retasking(r: Retasking, *, actor, approve: bool) -> Retasking:
    """Command approves or refuses; approved, the people are off the station's rosters for the period."""
    from django.utils import timezone

    authorize(actor, Retasking, "approve", unit=r.station)
    r = Retasking.objects.select_for_update().get(pk=r.pk)
    if r.status != RequestStatus.REQUESTED:
        raise ValidationError(_("This request has already been decided."))
    r.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    r.decided_by = actor if getattr(actor, "pk", None) else None
    r.decided_at = timezone.now()
    r.save()
    audit.record(
        "update",
        reason="approved" if approve else "refused",
        actor=actor,
        bureau=r.station.bureau,
        obj=r,
        unit_path=r.station.path,
        before={"status": "requested"},
        after={"status": r.status},
    )
    return r
