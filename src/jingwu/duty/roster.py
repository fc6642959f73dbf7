"""From a station's records to the roster engine and back: the problem, the job, the entries.

``build_problem`` reads who is posted in the station on the roster's first day (a person
posted in a zone or one of its grids works in that zone; one posted at the station may
work in any of its zones), their skills and whether they may lead a shift (chiefs,
instructors, deputies and zone leads), and turns the station's coverage needs into the
engine's needs: for each day, shift and zone, the largest hourly need over the hours the
shift covers, and a leader per zone on duty. Hard rules: one shift a day, the pattern's
minimum rest, the most hours a week and days in a row of the station's set-up, leave.
Soft goals: coverage first, then a fair share of nights, weekends and holidays.

``run_roster_job`` is the job (``duty.roster``): it solves and writes every entry and
the reasons for every need left unmet in one transaction, so a run that stops leaves
the roster as it was.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from jingwu.engine.roster import Leave, Need, RosterParams, RosterProblem, Staff, Weights, solve_roster

from .choices import ACTIVE, RosterStatus
from .coverage import shift_need
from .patterns import shift_types

LEADER_ROLES = ("chief", "political_instructor", "deputy_chief", "zone_lead")
LEAD_WEIGHT = 2000
NEED_WEIGHT = 1000
OVER_WEIGHT = 1
FAIR_WEIGHT = 20


@dataclass
class Built:
    problem: RosterProblem
    officers: dict[str, object]  # staff id -> Officer
    zones: dict[str, object]  # zone id -> Unit
    roles: dict[str, str] = field(default_factory=dict)
    days: list[dt.date] = field(default_factory=list)


def station_staff(station, on: dt.date):
    """``[(officer, zone ids or None for any zone, role)]`` of the people posted in ``station`` on ``on``."""
    from jingwu.personnel.models import Posting

    postings = (
        Posting.objects.current(on)
        .filter(bureau_id=station.bureau_id, unit__path__startswith=station.path)
        .exclude(officer__status="retired")
        .select_related("officer", "unit")
        .order_by("officer_id", "-unit__depth")
    )
    out, seen = [], set()
    for p in postings:
        if p.officer_id in seen:
            continue
        seen.add(p.officer_id)
        unit = p.unit
        if unit.kind == "zone":
            zone_ids = [unit.pk]
        elif unit.kind == "grid":
            zone_ids = [unit.parent_id]
        else:
            zone_ids = None
        out.append((p.officer, zone_ids, p.role))
    return out


def build_problem(roster, setup, *, leave: dict[str, set[int]] | None = None) -> Built:
    from jingwu.demo.synth.holidays import holiday_flags
    from jingwu.org.models import Unit
    from jingwu.personnel.models import OfficerSkill

    pattern = roster.pattern
    types = shift_types(pattern["shifts"])
    zones = {
        str(z.pk): z
        for z in Unit.objects.filter(parent=roster.station, kind="zone")
        .current(roster.start)
        .order_by("code")
    }
    staff, officers, roles = [], {}, {}
    people = station_staff(roster.station, roster.start)
    skills: dict[int, set[str]] = {}
    for oid, sk in OfficerSkill.objects.filter(officer_id__in=[o.pk for o, _, _ in people]).values_list(
        "officer_id", "skill"
    ):
        skills.setdefault(oid, set()).add(sk)
    zone_ids = list(zones)
    for officer, zids, role in people:
        own = [str(z) for z in zids if str(z) in zones] if zids else []
        allowed = own or zone_ids
        if not allowed:
            continue
        sid = str(officer.pk)
        officers[sid], roles[sid] = officer, role
        staff.append(
            Staff(
                sid,
                tuple(allowed),
                skills=frozenset(skills.get(officer.pk, ())),
                lead=role in LEADER_ROLES,
                max_week_minutes=setup.max_week_hours * 60,
                max_consecutive=setup.max_consecutive_days,
            )
        )
    days = [roster.start + dt.timedelta(days=i) for i in range(roster.days)]
    leaves = []
    for sid, officer in officers.items():
        off = set((leave or {}).get(sid, set()))
        if officer.status == "leave":
            off |= set(range(roster.days))
        leaves += [Leave(sid, d) for d in sorted(off)]
    needs = []
    cycle_days = pattern.get("weekdays_only")
    for i, day in enumerate(days):
        wd = day.weekday()
        if cycle_days and wd >= 5:
            continue
        for t in types:
            for zid in zone_ids:
                row = setup.coverage.get(zid) or [setup.min_on_duty] * 168
                count = shift_need(row, t.start_minute or 0, t.minutes, wd)
                if count:
                    needs.append(
                        Need(i, t.code, zid, count, under_weight=NEED_WEIGHT, over_weight=OVER_WEIGHT)
                    )
                if setup.lead_per_zone:
                    needs.append(Need(i, t.code, zid, 1, lead=True, under_weight=LEAD_WEIGHT))
    flags = holiday_flags(roster.start, roster.days)
    holidays = {i for arr in flags.values() for i, v in enumerate(arr) if v}
    problem = RosterProblem(
        horizon=roster.days,
        shifts=types,
        staff=tuple(staff),
        needs=tuple(needs),
        leave=tuple(leaves),
        start_weekday=roster.start.weekday(),
        holidays=frozenset(holidays),
        min_rest_minutes=int(pattern.get("min_rest_hours", 8)) * 60,
        weights=Weights(nights=FAIR_WEIGHT, weekends=FAIR_WEIGHT, holidays=FAIR_WEIGHT),
    )
    return Built(problem, officers, zones, roles, days)


def _results(result, built: Built) -> dict:
    met = sum(n.count for n in built.problem.needs if not n.lead)
    short = sum(u.missing for u in result.unmet if not u.need.lead)
    return {
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "wall_s": round(result.wall_s, 2),
        "staff": len(built.problem.staff),
        "needs": len(built.problem.needs),
        "people_needed": met,
        "people_short": short,
        "coverage_share": round(1 - short / met, 4) if met else 1.0,
        "leads_short": sum(u.missing for u in result.unmet if u.need.lead),
        "fairness": dict(result.fairness),
        "unmet": [
            {
                "day": built.days[u.need.day].isoformat(),
                "shift": u.need.shift,
                "zone": int(u.need.zone),
                "kind": u.need.kind,
                "skill": u.need.skill or "",
                "need": u.need.count,
                "missing": u.missing,
                "eligible": u.eligible,
                "reason": u.reason,
                "reasons": [list(r) for r in u.reasons],
            }
            for u in result.unmet
        ],
        "conflicts": [{"officer": int(c.staff), "rule": c.rule} for c in result.conflicts],
    }


def entries_for(roster, built: Built, assignments) -> list:
    """``RosterEntry`` rows (unsaved) of ``assignments``, one leader marked per zone's shift."""
    from jingwu.core.clock import zone as tz_of

    from .models import RosterEntry

    tz = tz_of(roster.station.bureau)
    types = {t.code: t for t in built.problem.shifts}
    staff = {p.id: p for p in built.problem.staff}
    by_slot: dict[tuple, list] = {}
    for a in assignments:
        by_slot.setdefault((a.day, a.shift, a.zone), []).append(a)
    out = []
    for (d, code, zid), group in by_slot.items():
        leaders = [a for a in group if staff[a.staff].lead]
        leaders.sort(key=lambda a: (built.roles.get(a.staff) != "zone_lead", int(a.staff)))
        lead = leaders[0].staff if leaders else None
        t = types[code]
        for a in group:
            start = dt.datetime.combine(built.days[d], dt.time.min, tzinfo=tz) + dt.timedelta(
                minutes=t.start_minute or 0
            )
            out.append(
                RosterEntry(
                    bureau_id=roster.bureau_id,
                    roster=roster,
                    officer_id=int(a.staff),
                    day=built.days[d],
                    shift=code,
                    start=start,
                    end=start + dt.timedelta(minutes=t.minutes),
                    zone_id=int(zid),
                    lead=a.staff == lead,
                )
            )
    return out


def run_roster_job(job, ctx) -> None:
    """Solve the roster (the job's target) and write its entries and results in one transaction."""
    from jingwu.core import audit

    from .models import Roster, RosterEntry, StationDuty

    roster = Roster.objects.select_related("station", "station__bureau").get(pk=job.target_id)
    Roster.objects.filter(pk=roster.pk).update(status=RosterStatus.RUNNING, error="")
    ctx.progress(phase="load", percent=2)
    setup = StationDuty.objects.get(bureau_id=roster.bureau_id, station=roster.station)
    built = build_problem(roster, setup, leave=_approved_leave(roster))
    result = _solve_watched(built.problem, roster, ctx)
    ctx.progress(phase="save", percent=97)
    with transaction.atomic():
        roster = Roster.objects.select_for_update().get(pk=roster.pk)
        RosterEntry.objects.filter(roster=roster).delete()
        RosterEntry.objects.bulk_create(entries_for(roster, built, result.assignments), batch_size=1000)
        roster.results = _results(result, built)
        roster.status = RosterStatus.DONE
        roster.save(update_fields=["results", "status", "updated_at"])
        audit.record(
            "update",
            actor=job.started_by,
            bureau=roster.bureau,
            obj=roster,
            unit_path=roster.station.path,
            after={
                k: roster.results[k]
                for k in ("status", "staff", "people_needed", "people_short", "leads_short")
            },
            reason="roster solved",
        )


def _solve_watched(problem, roster, ctx):
    """Solve in a thread of its own while this one reports progress to the job.

    CP-SAT calls back from its own threads, which must not touch the database (the job's
    progress and cancel live there): the callback only notes the best roster so far and
    reads the stop flag this thread sets when the job must stop.
    """
    import threading

    limit = float(roster.time_limit)
    seen: dict = {"elapsed": 0.0, "objective": None}
    stop = threading.Event()
    out: dict = {}

    def progress(p) -> bool:
        seen["elapsed"], seen["objective"] = p.elapsed_s, p.objective
        return not stop.is_set()

    def work() -> None:
        try:
            out["result"] = solve_roster(
                problem, RosterParams(time_limit_s=limit, seed=roster.pk % 1000, workers=2, progress=progress)
            )
        except BaseException as exc:  # handed to the job's thread
            out["error"] = exc

    t0 = time.monotonic()
    thread = threading.Thread(target=work, name=f"roster-{roster.pk}", daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.5)
            objective = seen["objective"]
            ctx.progress(
                phase="solve",
                percent=5 + int(90 * min(1.0, (time.monotonic() - t0) / limit)),
                message="" if objective is None else f"{objective:.0f}",
            )
    except BaseException:
        stop.set()
        thread.join()
        raise
    if "error" in out:
        raise out["error"]
    return out["result"]


def _approved_leave(roster) -> dict[str, set[int]]:
    from .services import _leave_days

    return _leave_days(roster)


def mark_roster_ended(job) -> None:
    """A run that failed or was cancelled leaves its roster saying so (its entries stay as they were)."""
    from .models import Roster

    state = {"failed": RosterStatus.FAILED, "cancelled": RosterStatus.CANCELLED}.get(job.state)
    if state is None:
        return
    Roster.objects.filter(pk=job.target_id, status__in=ACTIVE).update(
        status=state, error=job.error[:2000], updated_at=timezone.now()
    )
