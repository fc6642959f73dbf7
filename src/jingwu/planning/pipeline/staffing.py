"""Step 3, staffing: what the reform does to each unit's workload, and each unit's targets.

1. the what-if (``engine.scenario``): each station's workload before, the reform's
   operations (station types as applied, ``centralised_share`` of the criminal case
   hours to the investigation center), and after;
2. the officers each station needs for its hours after (Wilson & Weiss, ``staffing.plan_units``)
   and those the investigation center needs for the cases it takes over;
3. the targets by the reform's rules (``targets``);
4. the staffing table: per planning unit, needed by workload against today, and the
   targets with their basis.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from jingwu.engine.demand import DemandResult
from jingwu.engine.scenario import (
    Centralise,
    Scenario,
    ScenarioResult,
    ScenarioRow,
    SetStationType,
    UnitLoad,
    Workload,
    run_scenario,
)
from jingwu.engine.staffing import StaffingPolicy, UnitStaffing, UnitWorkload, plan_units

from ..inputs import BureauState, ScenarioParams
from .common import names, rounded
from .run import PlanRun
from .targets import CenterNeed, TargetInputs, Targets, UnitGroups, headcounts_today, reform_targets

#: Slack when rounding the center's FTE up to officers (``2.0000000000004`` is 2, not 3).
ROUNDING_SLACK = 1e-9


def set_targets(run: PlanRun) -> PlanRun:
    """Targets and workload hours per planning unit; ``results["staffing"]`` and ``["what_if"]``."""
    state, params = run.state, run.params
    policy = StaffingPolicy(proactive_shares=params.proactive_shares, admin_share=params.admin_share)
    what_if = reform_what_if(state, params, run.types, run.demand, run.criminal, policy)
    after = {r.unit: r for r in what_if.rows}
    inp = TargetInputs(
        state=state,
        params=params,
        groups=UnitGroups.of(state),
        now=headcounts_today(state),
        station_needs=station_needs(state, params, run.types, after, policy),
        criminal=run.criminal,
        center=center_need(state, params, after),
    )
    targets = reform_targets(inp)
    for r, pk in zip(inp.station_needs, state.stations, strict=True):
        targets.workload_hours[pk] = r.fte * policy.availability.net_hours
    run.targets, run.workload_hours = targets.heads, targets.workload_hours
    run.results["staffing"] = staffing_table(inp, targets, run.types, after)
    run.results["what_if"] = what_if_results(what_if, state)
    return run


def obligated_components(params: ScenarioParams) -> tuple[str, ...]:
    """The workload components staffed by Wilson & Weiss (inspections: the prevention center's)."""
    comps = ("criminal_case_hours", "other_call_hours", "travel_hours")
    return comps if params.inspections_by_center else (*comps, "inspection_hours")


def station_loads(
    state: BureauState,
    params: ScenarioParams,
    types: dict[str, str],
    demand: DemandResult,
    criminal: np.ndarray,
) -> list[UnitLoad]:
    """Each station's workload today, under its recorded type.

    Components: criminal case hours (cases a year x ``case_hours``), other call hours
    (every call's on-scene time), travel, inspections and basic work.
    """
    units = state.units
    w = demand.stations
    return [
        UnitLoad(
            unit=units[pk].code,
            kind="station",
            station_type=units[pk].station_type or types[units[pk].code],
            workload=Workload(
                criminal_case_hours=float(criminal[i] * params.case_hours),
                other_call_hours=float(w.service_hours[i]),
                inspection_hours=float(w.inspection_hours[i]),
                basic_work_hours=float(w.basic_hours[i]),
                travel_hours=float(w.travel_hours[i]),
            ),
        )
        for i, pk in enumerate(state.stations)
    ]


def live_investigation_centers(state: BureauState) -> list[int]:
    units = state.units
    return [
        pk for pk in state.plan_units if units[pk].kind == "investigation_center" and pk not in state.closing
    ]


def reform_what_if(
    state: BureauState,
    params: ScenarioParams,
    types: dict[str, str],
    demand: DemandResult,
    criminal: np.ndarray,
    policy: StaffingPolicy,
) -> ScenarioResult:
    """``engine.scenario``: the stations' workload before, the reform's operations, after.

    The operations: the recorded station types change to the applied ones, and
    ``centralised_share`` of the criminal case hours move to the investigation center
    (``ic_efficiency`` hours there per hour moved).
    """
    loads = station_loads(state, params, types, demand, criminal)
    ops: list[Any] = [
        SetStationType(load.unit, types[load.unit]) for load in loads if load.station_type != types[load.unit]
    ]
    ic = live_investigation_centers(state)
    if ic:
        code = state.units[ic[0]].code
        loads.append(UnitLoad(unit=code, kind="investigation_center", workload=Workload()))
        if params.centralised_share > 0:
            ops.append(
                Centralise(
                    code, share=float(params.centralised_share), efficiency=float(params.ic_efficiency)
                )
            )
    scenario = Scenario(
        operations=tuple(ops),
        policy_before=policy,
        non_station_proactive_share=float(params.ic_proactive_share),
        obligated_components=obligated_components(params),
    )
    return run_scenario(loads, scenario)


def station_needs(
    state: BureauState,
    params: ScenarioParams,
    types: dict[str, str],
    after: dict[str, ScenarioRow],
    policy: StaffingPolicy,
) -> list[UnitStaffing]:
    """Wilson & Weiss per station on its obligated hours after the reform (index: ``state.stations``)."""
    comps = obligated_components(params)
    codes = [state.units[pk].code for pk in state.stations]
    return plan_units(
        [
            UnitWorkload(code, types[code], math.fsum(after[code].after.get(c) for c in comps))
            for code in codes
        ],
        policy,
    )


def center_need(state: BureauState, params: ScenarioParams, after: dict[str, ScenarioRow]) -> CenterNeed:
    """The investigation center's hours after the reform and the officers they need."""
    ic = live_investigation_centers(state)
    row = after.get(state.units[ic[0]].code) if ic else None
    comps = obligated_components(params)
    hours = math.fsum(row.after.get(c) for c in comps) if row is not None and row.after is not None else 0.0
    return CenterNeed(
        hours=hours,
        gross_hours=hours / (1.0 - params.ic_proactive_share - params.admin_share),
        fte=row.fte_after if row is not None else 0.0,
    )


def staffing_table(
    inp: TargetInputs, targets: Targets, types: dict[str, str], after: dict[str, ScenarioRow]
) -> list[dict[str, Any]]:
    """Per planning unit: needed by workload against today, and the targets with their basis."""
    units = inp.state.units
    by_station = dict(zip(inp.groups.stations, inp.station_needs, strict=True))
    ic = inp.groups.investigation_centers
    rows = []
    for pk in inp.groups.plan_units:
        u = units[pk]
        row = staffing_row(inp, targets, types, pk)
        if pk in by_station:
            row.update(station_columns(by_station[pk], after[u.code]))
        elif pk in ic:
            row.update(center_columns(inp, after.get(u.code), len(ic)))
        rows.append(row)
    return rows


def staffing_row(inp: TargetInputs, targets: Targets, types: dict[str, str], pk: int) -> dict[str, Any]:
    """The columns every unit has (the workload columns empty)."""
    u = inp.state.units[pk]
    return {
        "id": pk,
        "code": u.code,
        "name": names(u),
        "kind": u.kind,
        "type": types.get(u.code, ""),
        "basis": targets.basis.get(pk, ""),
        "obligated_hours": None,
        "proactive_share": None,
        "fte_before": None,
        "fte": None,
        "officers_needed": None,
        "committed_share": None,
        "cap_violated": False,
        "police_now": inp.today(pk, "police"),
        "auxiliary_now": inp.today(pk, "auxiliary"),
        "target_police": rounded(targets.heads[(pk, "police")], 1),
        "target_auxiliary": rounded(targets.heads[(pk, "auxiliary")], 1),
    }


def station_columns(r: UnitStaffing, what_if_row: ScenarioRow) -> dict[str, Any]:
    return {
        "fte_before": rounded(what_if_row.fte_before, 2),
        "obligated_hours": rounded(r.obligated_hours, 0),
        "proactive_share": rounded(r.proactive_share, 2),
        "fte": rounded(r.fte, 2),
        "officers_needed": r.officers,
        "committed_share": rounded(r.committed_share, 3),
        "cap_violated": bool(r.cap_violated),
    }


def center_columns(inp: TargetInputs, what_if_row: ScenarioRow | None, n_centers: int) -> dict[str, Any]:
    """An investigation center's share of the center's need (the hours split evenly)."""
    fte = inp.center.fte / n_centers
    return {
        "fte_before": rounded(what_if_row.fte_before, 2) if what_if_row is not None else 0.0,
        "obligated_hours": rounded(inp.center.hours / n_centers, 0),
        "proactive_share": inp.params.ic_proactive_share,
        "fte": rounded(fte, 2),
        "officers_needed": math.ceil(fte - ROUNDING_SLACK),
    }


def what_if_results(result: ScenarioResult, state: BureauState) -> dict[str, Any]:
    """The what-if table and its totals, for the results."""
    units = state.units
    by_code = {units[pk].code: units[pk] for pk in state.plan_units}
    return {
        "rows": [what_if_row(r, by_code) for r in result.rows],
        "total_before": rounded(result.total_before, 0),
        "total_after": rounded(result.total_after, 0),
        "saving_hours": rounded(result.efficiency_saving_hours, 0),
        "fte_before": rounded(result.fte_before, 2),
        "fte_after": rounded(result.fte_after, 2),
        "moved_hours": rounded(math.fsum(t.hours_out for t in result.transfers), 0),
        "reconciles": bool(result.reconciles),
    }


def what_if_row(r: ScenarioRow, by_code: dict) -> dict[str, Any]:
    return {
        "code": r.unit,
        "name": names(by_code[r.unit]) if r.unit in by_code else {"zh": r.unit, "en": r.unit},
        "kind": r.kind,
        "status": r.status,
        "type_before": r.station_type_before,
        "type_after": r.station_type_after,
        "hours_before": rounded(r.hours_before, 0),
        "hours_after": rounded(r.hours_after, 0),
        "criminal_before": rounded(r.before.criminal_case_hours, 0) if r.before else 0.0,
        "criminal_after": rounded(r.after.criminal_case_hours, 0) if r.after else 0.0,
        "fte_before": rounded(r.fte_before, 2),
        "fte_after": rounded(r.fte_after, 2),
        "officers_before": r.officers_before,
        "officers_after": r.officers_after,
    }
