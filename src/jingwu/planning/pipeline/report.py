"""Step 6, figures: the moves, the baselines, before and after per unit, the reform's shape.

Each move gets the role the officer takes at the destination (``roles.new_role``). The
plan is compared with today's posting and the two baselines (proportional rounding,
greedy) on imbalance, moves and hard rules broken.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from jingwu.engine.reassign import (
    Prepared,
    ReassignmentPlan,
    greedy_baseline,
    imbalance,
    proportional_baseline,
    rule_violations,
)

from ..inputs import BureauState
from .common import names, rounded
from .roles import new_role
from .run import PlanRun


def report_figures(run: PlanRun) -> PlanRun:
    """The moves; ``results`` ``reassign``, ``figures``, ``state`` and ``shape``."""
    state, plan = run.state, run.plan
    run.moves = plan_moves(state, plan)
    started = time.perf_counter()
    baselines = compare_baselines(run.prepared, plan)
    run.timings["baselines"] = time.perf_counter() - started
    run.results["reassign"] = reassign_results(plan, baselines)
    run.results["figures"] = unit_figures(state, plan)
    run.results["state"] = state_summary(state)
    run.results["shape"] = reform_shape(state, run.results["figures"], run.moves)
    return run


def plan_moves(state: BureauState, plan: ReassignmentPlan) -> list[dict[str, Any]]:
    """The plan's moves as rows to store: who, from which posting, to where, in what role, why."""
    officers = {o.id: o for o in state.officers}
    moves = []
    for m in plan.moves:
        oid, src, dst = int(m.officer), int(m.from_unit), int(m.to_unit)
        o = officers[oid]
        moves.append(
            {
                "officer": oid,
                "from_unit": src,
                "to_unit": dst,
                "from_posting": o.posting_id,
                "role": new_role(state.units[dst].kind, o.kind, o.role),
                "reasons": [list(r) for r in m.reasons],
            }
        )
    return moves


def compare_baselines(prepared: Prepared, plan: ReassignmentPlan) -> dict[str, Any]:
    """Today, the two baselines and the plan: imbalance, moves and hard rules broken."""
    current = {o.id: o.unit for o in prepared.problem.officers}
    out = {}
    for name, assign in (
        ("current", current),
        ("proportional", proportional_baseline(prepared)),
        ("greedy", greedy_baseline(prepared)),
        ("plan", dict(plan.assignment)),
    ):
        out[name] = {
            "imbalance": rounded(imbalance(prepared, assign), 4),
            "moves": sum(1 for o in prepared.problem.officers if assign[o.id] != o.unit),
            "rule_violations": len(rule_violations(prepared, assign)),
        }
    return out


def reassign_results(plan: ReassignmentPlan, baselines: dict) -> dict[str, Any]:
    """CP-SAT's outcome: status, objective and bound, terms, conflicts when infeasible."""
    return {
        "status": plan.status,
        "feasible": plan.feasible,
        "objective": rounded(plan.objective, 3),
        "best_bound": rounded(plan.best_bound, 3),
        "gap": rounded(plan.gap, 5),
        "terms": {k: rounded(v, 3) for k, v in plan.terms.items()},
        "moves": len(plan.moves),
        "imbalance_before": rounded(plan.imbalance_before, 4),
        "imbalance_after": rounded(plan.imbalance_after, 4),
        "conflicts": [
            {
                "group": c.group,
                "rule": c.rule,
                "unit": c.unit,
                "required": c.required,
                "available": c.available,
                "message": c.message,
                "message_zh": c.message_zh,
            }
            for c in plan.conflicts
        ],
        "minimal_conflict": plan.minimal_conflict,
        "wall_seconds": rounded(plan.wall_seconds, 2),
        "deterministic_seconds": rounded(plan.deterministic_seconds, 2),
        "variables": plan.variables,
        "stages": {k: rounded(v, 3) for k, v in dict(getattr(plan, "stage_seconds", {}) or {}).items()},
        "baselines": baselines,
    }


def unit_figures(state: BureauState, plan: ReassignmentPlan) -> list[dict[str, Any]]:
    """Per planning unit: its targets and workload, and its figures before and after."""
    units = state.units
    after = {f.unit: f for f in plan.after}
    out = []
    for b in plan.before:
        pk = int(b.unit)
        out.append(
            {
                "id": pk,
                "code": units[pk].code,
                "name": names(units[pk]),
                "kind": units[pk].kind,
                "closing": pk in state.closing,
                "target_police": rounded(b.target_police, 1),
                "target_auxiliary": rounded(b.target_auxiliary, 1),
                "workload_hours": rounded(b.workload_hours, 0),
                "before": figure_columns(b),
                "after": figure_columns(after[b.unit]),
            }
        )
    return out


def figure_columns(f) -> dict[str, Any]:
    """One unit's figures (``engine.reassign.UnitFigures``) for the results."""
    return {
        "police": f.police,
        "auxiliary": f.auxiliary,
        "headcount": f.headcount,
        "hours_per_officer": rounded(f.hours_per_officer, 0),
        "officers_per_1000_hours": rounded(f.officers_per_1000_hours, 3),
        "mean_age": rounded(f.mean_age, 1),
        "share_female": rounded(f.share_female, 3),
        "skills": list(f.skills_covered),
        "requirements": [list(r) for r in f.requirements],
        "requirements_met": f.requirements_met,
    }


def state_summary(state: BureauState) -> dict[str, Any]:
    """What the plan stood on: the dates, the people, the units and the records."""
    units = state.units
    return {
        "as_of": state.as_of.isoformat(),
        "reform_date": state.reform_date.isoformat(),
        "incidents_from": state.incidents_from.isoformat(),
        "incidents_to": state.incidents_to.isoformat(),
        "years": rounded(state.years, 3),
        "officers": len(state.officers),
        "police": sum(1 for o in state.officers if o.kind == "police"),
        "auxiliary": sum(1 for o in state.officers if o.kind == "auxiliary"),
        "plan_units": len(state.plan_units),
        "closing_units": [
            {"id": pk, "code": units[pk].code, "name": names(units[pk])} for pk in sorted(state.closing)
        ],
        "stations": len(state.stations),
        "zones": len(state.zones),
        "grids": len(state.grids),
        "incidents": int(len(state.inc_grid)),
        "incidents_without_grid": state.inc_dropped,
        "premises": int(len(state.prem_grid)),
    }


def reform_shape(state: BureauState, figures: list[dict], moves: list[dict]) -> dict[str, Any]:
    """The reform's headline figures: the center's age, who it drew from, the stations' changes."""
    ic = [f for f in figures if f["kind"] == "investigation_center"]
    return {
        "ic_police_after": sum(f["after"]["police"] for f in ic),
        "ic_mean_age_after": ic[0]["after"]["mean_age"] if len(ic) == 1 else None,
        "stations": [
            {
                "id": f["id"],
                "code": f["code"],
                "name": f["name"],
                "police_before": f["before"]["police"],
                "police_after": f["after"]["police"],
                "mean_age_before": f["before"]["mean_age"],
                "mean_age_after": f["after"]["mean_age"],
            }
            for f in figures
            if f["kind"] == "station"
        ],
        "county_mean_age_police": rounded(
            np.mean([o.age for o in state.officers if o.kind == "police"]) if state.officers else None, 1
        ),
        "ic_drawn_from": drawn_from(state, {f["id"] for f in ic}, moves),
    }


def drawn_from(state: BureauState, ic_ids: set[int], moves: list[dict]) -> dict[str, int]:
    """Moves into the investigation center by the kind of unit they came from ("closing": merged away)."""
    drawn: dict[str, int] = {}
    for m in moves:
        if m["to_unit"] in ic_ids:
            kind = "closing" if m["from_unit"] in state.closing else state.units[m["from_unit"]].kind
            drawn[kind] = drawn.get(kind, 0) + 1
    return drawn
