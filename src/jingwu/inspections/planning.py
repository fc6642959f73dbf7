"""The planning run (a job of kind ``inspection_plan``): due elements -> one visit per
premises -> teams from the skills matrix -> daily routes (jingwu.engine.inspection)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q

from jingwu.core import audit
from jingwu.core.scope import area_q
from jingwu.engine import inspection as engine
from jingwu.engine import inspection_rules as rules
from jingwu.org.models import Unit
from jingwu.personnel.models import OfficerSkill, Posting
from jingwu.places.models import Premises

from .availability import unavailable
from .models import InspectionPlan, Visit
from .selectors import assess

#: Who inspects: the prevention center's inspectors, and the zone leads and community
#: officers of the planned area.
INSPECTOR_ROLES = ("inspector", "zone_lead", "community")
#: Inspection hours (minutes after midnight): teams leave at 08:30 and are back by 21:00.
DAY_START, DAY_END = 8 * 60 + 30, 21 * 60


def _due(plan: InspectionPlan, premises_qs):
    """The engine's premises and due elements of ``premises_qs`` in the plan's window."""
    due: list[engine.DueElement] = []
    where: list[engine.Premises] = []
    for r in assess(premises_qs):
        els = []
        for e in r.elements:
            w = rules.due_window(e.due, plan.start, plan.days)
            if w is not None:
                els.append(engine.DueElement(str(r.premises.pk), e.element, *w))
        if els:
            due += els
            opens, closes = rules.OPENING_HOURS.get(r.premises.category, rules.DEFAULT_HOURS)
            where.append(engine.Premises(str(r.premises.pk), r.premises.lon, r.premises.lat, opens, closes))
    return where, due


def workdays_of(plan: InspectionPlan) -> list[int]:
    return [k for k in range(plan.days) if (plan.start + dt.timedelta(days=k)).weekday() < 5]


def _inspectors(plan: InspectionPlan, units, off: dict[str, int] | None = None) -> list[engine.Inspector]:
    """Police officers posted as inspectors, zone leads or community officers under ``units``
    during the window, with a qualifying skill, on their working days less the days they
    are on leave, re-tasked or on a duty shift (:mod:`.availability`) and the plan's own
    leave lines. ``off`` counts the officer-days taken out, by reason."""
    end = plan.start + dt.timedelta(days=plan.days - 1)
    area = Q()
    for u in units:
        area |= Q(unit__path__startswith=u.path)
    postings = (
        Posting.objects.filter(bureau_id=plan.bureau_id, role__in=INSPECTOR_ROLES, start__lte=end)
        .filter(Q(end__isnull=True) | Q(end__gte=plan.start))
        .filter(area)
        .filter(officer__kind="police", officer__status="active")
    )
    officer_ids = sorted(set(postings.values_list("officer_id", flat=True)))
    skills: dict[int, set[str]] = {}
    for oid, skill in OfficerSkill.objects.filter(officer_id__in=officer_ids).values_list(
        "officer_id", "skill"
    ):
        skills.setdefault(oid, set()).add(skill)
    officer_ids = [oid for oid in officer_ids if rules.elements_of(skills.get(oid, ()))]
    workdays = workdays_of(plan)
    dates = {k: plan.start + dt.timedelta(days=k) for k in workdays}
    leave = {int(k): {dt.date.fromisoformat(d) for d in v} for k, v in (plan.leave or {}).items()}
    duty = unavailable(plan.bureau_id, officer_ids, dates.values(), day_start=DAY_START, day_end=DAY_END)
    out = []
    for oid in officer_ids:
        away = duty.get(oid, {})
        days = []
        for k in workdays:
            day = dates[k]
            why = away.get(day) or ("leave" if day in leave.get(oid, ()) else None)
            if why is None:
                days.append(k)
            elif off is not None:
                off[why] = off.get(why, 0) + 1
        out.append(engine.Inspector(str(oid), rules.elements_of(skills[oid]), frozenset(days)))
    return out


def _depot(unit, where) -> tuple[float, float]:
    if unit is not None and unit.base_lon is not None:
        return (unit.base_lon, unit.base_lat)
    if where:
        return (sum(p.lon for p in where) / len(where), sum(p.lat for p in where) / len(where))
    return (0.0, 0.0)


def plan_parts(plan: InspectionPlan):
    """The parts a plan is solved in: (label, premises queryset, inspector units, depot unit).

    A station or zone is one part. The county is one part per station (its premises, its
    officers, from its office), then the prevention center's inspectors take, from the
    county seat, what the stations could not place.
    """
    unit = plan.unit
    premises = Premises.objects.filter(bureau_id=plan.bureau_id, status="active")
    if unit.kind != "headquarters":
        return [(unit.name, premises.filter(area_q(unit)), [unit], unit)]
    # the stations of the plan's first day (a station retired since still has its premises planned)
    stations = (
        Unit.objects.current(plan.start).filter(bureau_id=plan.bureau_id, kind="station").order_by("code")
    )
    parts = [(s.name, premises.filter(area_q(s)), [s], s) for s in stations]
    pc = Unit.objects.filter(bureau_id=plan.bureau_id, kind="prevention_center").first()
    if pc is not None:
        parts.append((pc.name, None, [pc], unit))
    return parts


def run_plan_job(job, ctx) -> None:
    plan = InspectionPlan.objects.select_related("unit").get(pk=job.target_id)
    InspectionPlan.objects.filter(pk=plan.pk).update(status="running")
    parts = plan_parts(plan)
    workdays = workdays_of(plan)
    planned: list[tuple[engine.PlannedVisit, int]] = []  # (visit, team offset)
    teams: list[engine.Team] = []
    visits: dict[str, engine.Visit] = {}
    left: dict[str, str] = {}
    left_due: list[engine.DueElement] = []
    left_where: dict[str, engine.Premises] = {}
    km = 0.0
    n_inspectors = 0
    off: dict[str, int] = {}  # officer-days not available, by reason
    depots: list[tuple[float, float]] = []  # where each team leaves from
    for k, (label, premises_qs, inspector_units, depot_unit) in enumerate(parts):
        ctx.progress(k, len(parts), phase="inputs", message=label)
        if premises_qs is None:  # the prevention center: what the stations left
            where, due = list(left_where.values()), [d for d in left_due if d.premises in left]
        else:
            where, due = _due(plan, premises_qs)
        inspectors = _inspectors(plan, inspector_units, off)
        n_inspectors += len(inspectors)
        if not due or (premises_qs is None and not inspectors):
            continue

        def progress(stage: str, done: int, total: int, k=k, label=label):
            ctx.progress(k, len(parts), phase=stage, message=f"{label} {done}/{total}")

        params = engine.PlanParams(
            min_team=plan.min_team,
            max_team=plan.max_team,
            visits_per_team_day=plan.visits_per_team_day,
            solver=plan.solver,
            route_time_s=0.5,
            team_time_s=5.0,
            day_start=DAY_START,
            day_end=DAY_END,
            seed=plan.pk,
            progress=progress,
        )
        depot = _depot(depot_unit, where)
        result = engine.plan_inspections(where, due, inspectors, depot, workdays, params)
        offset = len(teams)
        teams += result.teams
        depots += [depot] * len(result.teams)
        planned += [(v, offset) for v in result.planned]
        km += result.route_km
        placed = {v.premises for v in result.planned}
        for v in result.visits:
            visits.setdefault(v.premises, v)
        for pid, why in result.unplanned:
            if pid not in placed:
                left[pid] = why
        if premises_qs is not None:
            left_due += [d for d in due if d.premises not in placed]
            left_where.update({p.id: p for p in where if p.id not in placed})
        else:
            for pid in placed:
                left.pop(pid, None)
    ctx.progress(len(parts), len(parts), phase="save")
    specialist = sum(len(v.elements) for v in visits.values())
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        plan.visits.filter(status="planned").delete()
        Visit.objects.bulk_create(
            [
                Visit(
                    bureau_id=plan.bureau_id,
                    premises_id=int(v.premises),
                    plan=plan,
                    status="planned",
                    day=plan.start + dt.timedelta(days=v.day),
                    elements=sorted(v.elements),
                    team=v.team + offset,
                    start_minute=v.start,
                )
                for v, offset in planned
            ],
            batch_size=2000,
        )
        reasons: dict[str, int] = {}
        for why in left.values():
            reasons[why] = reasons.get(why, 0) + 1
        plan.results = {
            "visits": len(visits),
            "specialist_visits": specialist,
            "visits_avoided": specialist - len(visits),
            "planned": len(planned),
            "unplanned": len(left),
            "reasons": reasons,
            "route_km": round(km, 1),
            "inspectors": n_inspectors,
            "workdays": len(workdays),
            "parts": len(parts),
            "unavailable": off,
            "teams": [
                {
                    "day": t.day,
                    "members": [int(m) for m in t.members],
                    "skills": sorted(t.skills),
                    "depot": [round(depots[i][0], 6), round(depots[i][1], 6)],
                }
                for i, t in enumerate(teams)
            ],
        }
        plan.status = "done"
        plan.save(update_fields=["results", "status", "updated_at"])
        audit.record(
            "update",
            actor=job.started_by,
            bureau=plan.bureau,
            obj=plan,
            unit_path=plan.unit.path,
            after={
                "status": "done",
                **{k: v for k, v in plan.results.items() if not isinstance(v, list | dict)},
            },
            via="job",
        )


def mark_plan_ended(job) -> None:
    if job.state != "done":
        InspectionPlan.objects.filter(pk=job.target_id).exclude(status="done").update(status=job.state)
