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

from .models import InspectionPlan, Visit
from .selectors import assess

#: Who inspects: the prevention center's inspectors, and the zone leads and community
#: officers of the planned area.
INSPECTOR_ROLES = ("inspector", "zone_lead", "community")


def plan_inputs(plan: InspectionPlan):
    """The engine's inputs for ``plan``: premises, due elements, inspectors, depot, days."""
    unit = plan.unit
    qs = Premises.objects.filter(area_q(unit), bureau_id=plan.bureau_id, status="active")
    rows = assess(qs)
    end = plan.start + dt.timedelta(days=plan.days - 1)
    due: list[engine.DueElement] = []
    where: list[engine.Premises] = []
    for r in rows:
        els = []
        for e in r.elements:
            w = rules.due_window(e.due, plan.start, plan.days)
            if w is not None:
                els.append(engine.DueElement(str(r.premises.pk), e.element, *w))
        if els:
            due += els
            opens, closes = rules.OPENING_HOURS.get(r.premises.category, rules.DEFAULT_HOURS)
            where.append(engine.Premises(str(r.premises.pk), r.premises.lon, r.premises.lat, opens, closes))
    # inspectors: current postings in the area (or at the prevention center) with a qualifying skill
    pc = Unit.objects.filter(bureau_id=plan.bureau_id, kind="prevention_center").first()
    area = Q(unit__path__startswith=unit.path)
    if pc is not None and unit.kind == "headquarters":
        area |= Q(unit__path__startswith=pc.path)
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
    workdays = [k for k in range(plan.days) if (plan.start + dt.timedelta(days=k)).weekday() < 5]
    leave = {int(k): {dt.date.fromisoformat(d) for d in v} for k, v in (plan.leave or {}).items()}
    inspectors = []
    for oid in officer_ids:
        covers = rules.elements_of(skills.get(oid, ()))
        if not covers:
            continue
        off = leave.get(oid, set())
        days = frozenset(k for k in workdays if plan.start + dt.timedelta(days=k) not in off)
        inspectors.append(engine.Inspector(str(oid), covers, days))
    base = (
        unit
        if unit.base_lon is not None
        else Unit.objects.filter(bureau_id=plan.bureau_id, kind="headquarters").first()
    )
    if base is not None and base.base_lon is not None:
        depot = (base.base_lon, base.base_lat)
    elif where:
        depot = (sum(p.lon for p in where) / len(where), sum(p.lat for p in where) / len(where))
    else:
        depot = (0.0, 0.0)
    return where, due, inspectors, depot, workdays


def run_plan_job(job, ctx) -> None:
    plan = InspectionPlan.objects.select_related("unit").get(pk=job.target_id)
    InspectionPlan.objects.filter(pk=plan.pk).update(status="running")
    ctx.progress(0, 1, phase="inputs")
    where, due, inspectors, depot, workdays = plan_inputs(plan)

    def progress(stage: str, done: int, total: int):
        ctx.progress(done, total, phase=stage)
        return None

    params = engine.PlanParams(
        min_team=plan.min_team,
        max_team=plan.max_team,
        visits_per_team_day=plan.visits_per_team_day,
        solver=plan.solver,
        route_time_s=0.5,
        team_time_s=2.0,
        day_end=21 * 60,
        seed=plan.pk,
        progress=progress,
    )
    result = engine.plan_inspections(where, due, inspectors, depot, workdays, params) if due else None
    ctx.progress(1, 1, phase="save")
    with transaction.atomic():
        plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
        plan.visits.filter(status="planned").delete()
        rows = []
        if result is not None:
            for v in result.planned:
                rows.append(
                    Visit(
                        bureau_id=plan.bureau_id,
                        premises_id=int(v.premises),
                        plan=plan,
                        status="planned",
                        day=plan.start + dt.timedelta(days=v.day),
                        elements=sorted(v.elements),
                        team=v.team,
                        start_minute=v.start,
                    )
                )
        Visit.objects.bulk_create(rows, batch_size=2000)
        plan.results = summarise(result, len(inspectors), len(workdays))
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


def summarise(result, inspectors: int, workdays: int) -> dict:
    if result is None:
        return {
            "visits": 0,
            "specialist_visits": 0,
            "visits_avoided": 0,
            "planned": 0,
            "unplanned": 0,
            "route_km": 0.0,
            "inspectors": inspectors,
            "workdays": workdays,
            "teams": [],
            "reasons": {},
        }
    reasons: dict[str, int] = {}
    for _p, why in result.unplanned:
        reasons[why] = reasons.get(why, 0) + 1
    elements = sum(len(v.elements) for v in result.visits)
    return {
        "visits": len(result.visits),
        "elements": elements,
        "specialist_visits": result.specialist_visits,
        "visits_avoided": result.visits_avoided,
        "planned": len(result.planned),
        "unplanned": len(result.unplanned),
        "reasons": reasons,
        "route_km": round(result.route_km, 1),
        "runtime_s": round(result.runtime_s, 1),
        "inspectors": inspectors,
        "workdays": workdays,
        "teams": [
            {"day": t.day, "members": [int(m) for m in t.members], "skills": sorted(t.skills)}
            for t in result.teams
        ],
    }


def mark_plan_ended(job) -> None:
    if job.state != "done":
        InspectionPlan.objects.filter(pk=job.target_id).exclude(status="done").update(status=job.state)
