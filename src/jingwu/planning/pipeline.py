"""The whole plan, step by step: station types, demand, staffing, zones, reassignment, figures.

``run_pipeline(state, params, progress)`` takes the bureau's state (``inputs.load_state``)
and a scenario's parameters and returns a JSON-safe ``results`` dict, the list of moves
and the engine objects (for the benchmark). ``progress(step, percent)`` is called at the
start of every step. Nothing here writes to the database.

Where the people go:

* the **investigation center** takes ``centralised_share`` of the criminal cases; its
  police target is the officers those case hours need (``case_hours`` per case, its own
  proactive share and the admin share), steered to a young mean age;
* the **prevention center** takes the police of the units that close (merged away) that
  the investigation center does not take, and must hold every inspection specialism;
* **departments** and headquarters keep their staff (``unit_targets`` overrides);
* the **stations** share the rest in proportion to their workload (Wilson & Weiss FTE of
  calls, travel, consolidated inspections and the cases they keep, with the proactive
  share of their type);
* units that close are emptied. Auxiliary officers follow the same rules.

CP-SAT (``engine.reassign``) then chooses who moves, within +/- ``band`` of each target,
balancing ages and genders (the investigation center and, by default, the full-spectrum
stations steered younger), an even workload per officer across the stations, few moves,
short commutes.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from jingwu.engine import vocab
from jingwu.engine.classify import Override, classify_stations
from jingwu.engine.demand import compute_demand
from jingwu.engine.reassign import (
    Headcount,
    ObjectiveWeights,
    Officer,
    Prepared,
    ReassignmentPlan,
    ReassignParams,
    ReassignProblem,
    SkillRequirement,
    Unit,
    greedy_baseline,
    imbalance,
    plan_reassignment,
    prepare,
    proportional_baseline,
    rule_violations,
)
from jingwu.engine.staffing import StaffingPolicy, UnitWorkload, plan_units

from .choices import STEP_START, Step
from .inputs import (
    LEADER_ROLES,
    PC_SKILLS,
    BureauState,
    ScenarioParams,
    demand_policy,
    grid_arrays,
    incident_arrays,
    premises_arrays,
    station_profile,
)

Progress = Callable[[str, int], None]
RESULTS_VERSION = 1

_SKILLS = set(vocab.codes(vocab.SKILLS))
_RANKS = set(vocab.codes(vocab.RANKS))
_ROLES = set(vocab.codes(vocab.POSTING_ROLES))

# Roles an officer keeps when moved to a unit of this kind; else the first one applies.
_DEST_ROLES = {
    ("station", "police"): (
        "community",
        "deputy_chief",
        "zone_lead",
        "patrol",
        "case_handler",
        "traffic",
        "back_office",
    ),
    ("station", "auxiliary"): ("patrol", "grid_auxiliary", "traffic", "staff"),
    ("investigation_center", "police"): ("investigator", "deputy_chief", "case_handler"),
    ("investigation_center", "auxiliary"): ("staff",),
    ("prevention_center", "police"): ("inspector", "deputy_chief", "patrol", "traffic"),
    ("prevention_center", "auxiliary"): ("patrol", "traffic", "staff"),
    ("department", "police"): ("staff", "deputy_chief", "back_office", "traffic"),
    ("department", "auxiliary"): ("staff", "traffic"),
    ("headquarters", "police"): ("staff", "deputy_chief", "back_office"),
    ("headquarters", "auxiliary"): ("staff",),
}


def new_role(dest_kind: str, officer_kind: str, old_role: str) -> str:
    """The posting role at the destination: the old one when it fits there, else the default.

    Chiefs and political instructors become deputy chiefs (the destination has its own).
    """
    allowed = _DEST_ROLES.get((dest_kind, officer_kind), ("staff",))
    if old_role in LEADER_ROLES and "deputy_chief" in allowed:
        return "deputy_chief"
    return old_role if old_role in allowed else allowed[0]


@dataclass
class PipelineOutput:
    results: dict[str, Any]
    moves: list[dict[str, Any]]
    problem: ReassignProblem | None = None
    plan: ReassignmentPlan | None = None


def _r(x: float | None, n: int = 2) -> float | None:
    if x is None:
        return None
    x = float(x)
    return round(x, n) if math.isfinite(x) else None


def _name(u) -> dict[str, str]:
    return {"zh": u.name_zh, "en": u.name_en}


def run_pipeline(
    state: BureauState, params: ScenarioParams, progress: Progress | None = None
) -> PipelineOutput:
    """Run every step on ``state`` with ``params`` (see the module docstring)."""
    timings: dict[str, float] = {}

    def step(code: str) -> float:
        if progress is not None:
            progress(code, STEP_START[code])
        return time.perf_counter()

    if not state.stations:
        raise ValueError("the bureau has no police stations in force on the reform date")
    if not state.grids:
        raise ValueError("the stations have no grids: the demand is computed per grid")
    if not state.officers:
        raise ValueError("no one was posted in the bureau on the day of the state")
    units = state.units
    results: dict[str, Any] = {"version": RESULTS_VERSION}

    # 1. station types --------------------------------------------------------------------
    t0 = step(Step.CLASSIFY)
    types = _classify(state, params, results)
    timings["classify"] = time.perf_counter() - t0

    # 2. demand ---------------------------------------------------------------------------
    t0 = step(Step.DEMAND)
    demand = compute_demand(
        grid_arrays(state, types), incident_arrays(state), premises_arrays(state), demand_policy(params)
    )
    timings["demand"] = time.perf_counter() - t0
    n_st = len(state.stations)
    g_station = np.array([state.zone_station[z] for z in state.grid_zone], dtype=np.int64)
    crim = np.bincount(g_station[state.inc_grid][state.inc_criminal], minlength=n_st) / state.years
    _demand_results(state, demand, crim, results)

    # 3. staffing -------------------------------------------------------------------------
    t0 = step(Step.STAFFING)
    targets, workload_hours, staffing_rows, what_if = _staffing(state, params, types, demand, crim)
    results["staffing"] = staffing_rows
    results["what_if"] = what_if
    timings["staffing"] = time.perf_counter() - t0

    # 4. zones ----------------------------------------------------------------------------
    t0 = step(Step.ZONES)
    results["zones"] = _zones(state, params, demand, targets)
    timings["zones"] = time.perf_counter() - t0

    # 5. reassignment ---------------------------------------------------------------------
    t0 = step(Step.REASSIGN)
    problem = _problem(state, params, types, targets, workload_hours)
    prepared = prepare(problem)  # once: the plan and the baselines share it
    plan = plan_reassignment(prepared)
    timings["reassign"] = time.perf_counter() - t0

    # 6. figures --------------------------------------------------------------------------
    t0 = step(Step.REPORT)
    moves = []
    for m in plan.moves:
        oid, src, dst = int(m.officer), int(m.from_unit), int(m.to_unit)
        o = _officer(state, oid)
        moves.append(
            {
                "officer": oid,
                "from_unit": src,
                "to_unit": dst,
                "from_posting": o.posting_id,
                "role": new_role(units[dst].kind, o.kind, o.role),
                "reasons": [list(r) for r in m.reasons],
            }
        )
    t_base = time.perf_counter()
    baselines = _baselines(prepared, plan)
    timings["baselines"] = time.perf_counter() - t_base
    results["reassign"] = _reassign_results(plan, baselines)
    results["figures"] = _figures(state, plan, targets)
    results["state"] = {
        "as_of": state.as_of.isoformat(),
        "reform_date": state.reform_date.isoformat(),
        "incidents_from": state.incidents_from.isoformat(),
        "incidents_to": state.incidents_to.isoformat(),
        "years": _r(state.years, 3),
        "officers": len(state.officers),
        "police": sum(1 for o in state.officers if o.kind == "police"),
        "auxiliary": sum(1 for o in state.officers if o.kind == "auxiliary"),
        "plan_units": len(state.plan_units),
        "closing_units": [
            {"id": pk, "code": units[pk].code, "name": _name(units[pk])} for pk in sorted(state.closing)
        ],
        "stations": n_st,
        "zones": len(state.zones),
        "grids": len(state.grids),
        "incidents": int(len(state.inc_grid)),
        "incidents_without_grid": state.inc_dropped,
        "premises": int(len(state.prem_grid)),
    }
    results["shape"] = _shape(state, results, moves)
    timings["report"] = time.perf_counter() - t0
    results["timings"] = {k: round(v, 3) for k, v in timings.items()}
    if progress is not None:
        progress(Step.DONE, STEP_START[Step.DONE])
    return PipelineOutput(results=results, moves=moves, problem=problem, plan=plan)


def _officer(state: BureauState, pk: int):
    index = getattr(state, "_officer_index", None)
    if index is None:
        index = {o.id: o for o in state.officers}
        state._officer_index = index  # type: ignore[attr-defined]
    return index[pk]


# --- steps ---------------------------------------------------------------------------------


def _classify(state: BureauState, params: ScenarioParams, results: dict) -> dict[str, str]:
    units = state.units
    codes = state.station_codes
    overrides = {}
    for code, ov in params.station_overrides.items():
        if code in codes:
            overrides[code] = Override(ov["type"], ov.get("reason") or "planner override")
    if len(codes) >= 3:
        cls = classify_stations(
            station_profile(state),
            seed=int(params.seed),
            bootstrap=int(params.bootstrap),
            overrides=overrides,
        )
        by_code = cls.by_code()
        features = cls.features.as_dict()
    else:  # too few stations to form three types: keep the recorded ones (and overrides)
        by_code, features = {}, {}
    rows, types = [], {}
    for pk in state.stations:
        u = units[pk]
        c = by_code.get(u.code)
        if c is None:
            applied = (
                overrides[u.code].station_type if u.code in overrides else (u.station_type or "proactive")
            )
            row = {
                "type": applied,
                "original_type": u.station_type or applied,
                "overridden": u.code in overrides,
                "override_reason": overrides[u.code].reason if u.code in overrides else "",
                "reasons": [],
                "stability": None,
                "shares": {},
            }
        else:
            row = {
                "type": c.station_type,
                "original_type": c.original_type,
                "overridden": c.overridden,
                "override_reason": c.override_reason or "",
                "reasons": [{"code": r.code, "z": _r(r.z), "value": _r(r.value, 4)} for r in c.reasons],
                "stability": _r(c.stability, 3),
                "shares": {k: _r(v, 3) for k, v in c.type_shares.items()},
            }
        row.update(
            {
                "id": pk,
                "code": u.code,
                "name": _name(u),
                "recorded_type": u.station_type,
                "features": {k: _r(v, 4) for k, v in features.get(u.code, {}).items()},
            }
        )
        types[u.code] = row["type"]
        rows.append(row)
    results["stations"] = rows
    return types


def _demand_results(state: BureauState, demand, crim: np.ndarray, results: dict) -> None:
    units = state.units

    def row(w, i) -> dict[str, Any]:
        return {
            "incidents": _r(w.incidents[i], 1),
            "service": _r(w.service_hours[i], 1),
            "travel": _r(w.travel_hours[i], 1),
            "reactive": _r(w.reactive_hours[i], 1),
            "inspection": _r(w.inspection_hours[i], 1),
            "inspection_separate": _r(w.inspection_hours_separate[i], 1),
            "basic": _r(w.basic_hours[i], 1),
            "total": _r(w.total_hours[i], 1),
        }

    stations = []
    for i, pk in enumerate(state.stations):
        stations.append(
            {"id": pk, "code": units[pk].code, "name": _name(units[pk]), "criminal": _r(crim[i], 1)}
            | row(demand.stations, i)
            | {"seasonality": _r(demand.seasonality[i], 2)}
        )
    grids = []
    for i, pk in enumerate(state.grids):
        z = state.zones[state.grid_zone[i]]
        s = state.stations[state.zone_station[state.grid_zone[i]]]
        grids.append(
            {
                "id": pk,
                "code": units[pk].code,
                "name": _name(units[pk]),
                "zone": units[z].code,
                "station": units[s].code,
                "households": units[pk].households,
            }
            | row(demand.grids, i)
        )
    w = demand.stations
    results["demand"] = {
        "stations": stations,
        "grids": grids,
        "totals": {
            "incidents": _r(w.incidents.sum(), 1),
            "criminal": _r(crim.sum(), 1),
            "reactive": _r(w.reactive_hours.sum(), 1),
            "inspection": _r(w.inspection_hours.sum(), 1),
            "inspection_separate": _r(w.inspection_hours_separate.sum(), 1),
            "basic": _r(w.basic_hours.sum(), 1),
            "total": _r(w.total_hours.sum(), 1),
        },
    }


def _proportional(weights: list[float], total: float) -> list[float]:
    """Exact proportional shares of ``total`` (targets may be fractional; the engine rounds)."""
    s = math.fsum(weights)
    if s <= 0:
        return [total / len(weights)] * len(weights) if weights else []
    return [w * total / s for w in weights]


def _staffing(state: BureauState, params: ScenarioParams, types: dict[str, str], demand, crim: np.ndarray):
    """Targets per planning unit and officer kind; workload hours; the staffing table.

    Police: units that close get 0; departments and headquarters keep their staff; the
    investigation center gets the officers its share of the criminal cases needs
    (``I``), ``ic_from_stations`` of them drawn from the stations (each station gives in
    proportion to the cases it hands over), the rest from the units that close; the
    prevention center gets the other staff of the units that close. Each station's
    target moves ``workload_tilt`` of the way from that to its share by workload.
    Auxiliary officers: the same without the draw (the center takes police).
    """
    units = state.units
    policy = StaffingPolicy(proactive_shares=params.proactive_shares, admin_share=params.admin_share)
    net = policy.availability.net_hours
    what_if = _what_if(state, params, types, demand, crim, policy)
    after = {r.unit: r for r in what_if.rows}
    comps = _obligated_components(params)
    station_rows = plan_units(
        [
            UnitWorkload(
                units[pk].code,
                types[units[pk].code],
                math.fsum(after[units[pk].code].after.get(c) for c in comps),
            )
            for pk in state.stations
        ],
        policy,
    )
    ic_code = next(
        (
            units[pk].code
            for pk in state.plan_units
            if units[pk].kind == "investigation_center" and pk not in state.closing
        ),
        None,
    )
    ic_row = after.get(ic_code) if ic_code else None
    ic_hours = math.fsum(ic_row.after.get(c) for c in comps) if ic_row and ic_row.after else 0.0
    ic_gross = ic_hours / (1.0 - params.ic_proactive_share - params.admin_share)
    ic_fte = ic_row.fte_after if ic_row else 0.0

    now: dict[tuple[int, str], int] = {}
    for o in state.officers:
        now[(o.unit, o.kind)] = now.get((o.unit, o.kind), 0) + 1
    plan_ids = state.plan_units
    live = [pk for pk in plan_ids if pk not in state.closing]
    ic = [pk for pk in live if units[pk].kind == "investigation_center"]
    pc = [pk for pk in live if units[pk].kind == "prevention_center"]
    fixed_units = [pk for pk in live if units[pk].kind in ("department", "headquarters")]
    stations = state.stations
    targets: dict[tuple[int, str], float] = {}
    basis: dict[int, str] = {}
    workload_hours: dict[int, float] = {}

    def given(pk: int, kind: str) -> float | None:
        return params.unit_targets.get(units[pk].code) if kind == "police" else None

    for kind in ("police", "auxiliary"):
        for pk in state.closing:
            targets[(pk, kind)] = 0.0
            basis[pk] = "closing"
        for pk in fixed_units:
            t = given(pk, kind)
            targets[(pk, kind)] = float(now.get((pk, kind), 0) if t is None else t)
            basis[pk] = "kept" if given(pk, "police") is None else "set"
        ic_total = 0.0
        for pk in ic:
            t = given(pk, kind)
            if t is None:
                t = ic_fte / len(ic) if kind == "police" else float(now.get((pk, kind), 0))
            basis[pk] = "cases" if given(pk, "police") is None else "set"
            targets[(pk, kind)] = float(t)
            ic_total += float(t) - now.get((pk, kind), 0)
            workload_hours[pk] = ic_gross / len(ic)
        draw = params.ic_from_stations * max(0.0, ic_total) if kind == "police" else 0.0
        closing_staff = sum(now.get((pk, kind), 0) for pk in state.closing)
        for pk in pc:
            t = given(pk, kind)
            if t is None:
                t = now.get((pk, kind), 0) + max(0.0, closing_staff - (max(0.0, ic_total) - draw)) / len(pc)
            basis[pk] = "merged" if given(pk, "police") is None else "set"
            targets[(pk, kind)] = float(t)
        total = sum(1 for o in state.officers if o.kind == kind)
        set_here = [i for i, pk in enumerate(stations) if given(pk, kind) is not None]
        for i in set_here:
            targets[(stations[i], kind)] = float(given(stations[i], kind))
            basis[stations[i]] = "set"
        free = [i for i in range(len(stations)) if i not in set_here]
        fixed = math.fsum(targets[(pk, kind)] for pk in plan_ids if pk not in stations)
        fixed += math.fsum(targets[(stations[i], kind)] for i in set_here)
        rest = max(0.0, total - fixed)
        now_s = [float(now.get((stations[i], kind), 0)) for i in free]
        # what the stations lose, shared in proportion to the criminal cases they hand over
        loss = math.fsum(now_s) - rest
        cases = [float(crim[i]) for i in free] if kind == "police" and loss > 0 else now_s
        base = [n - x for n, x in zip(now_s, _proportional(cases, loss), strict=True)]
        by_work = _proportional([station_rows[i].fte for i in free], rest)
        tilt = float(params.workload_tilt)
        for i, b, wk in zip(free, base, by_work, strict=True):
            targets[(stations[i], kind)] = max(0.0, (1.0 - tilt) * b + tilt * wk)
            if kind == "police":
                basis[stations[i]] = "workload"
    for r, pk in zip(station_rows, stations, strict=True):
        workload_hours[pk] = r.fte * net
    rows = []
    by_station = dict(zip(stations, station_rows, strict=True))
    for pk in plan_ids:
        u = units[pk]
        r = by_station.get(pk)
        row = {
            "id": pk,
            "code": u.code,
            "name": _name(u),
            "kind": u.kind,
            "type": types.get(u.code, ""),
            "basis": basis.get(pk, ""),
            "obligated_hours": None,
            "proactive_share": None,
            "fte_before": None,
            "fte": None,
            "officers_needed": None,
            "committed_share": None,
            "cap_violated": False,
            "police_now": now.get((pk, "police"), 0),
            "auxiliary_now": now.get((pk, "auxiliary"), 0),
            "target_police": _r(targets[(pk, "police")], 1),
            "target_auxiliary": _r(targets[(pk, "auxiliary")], 1),
        }
        if r is not None:
            row.update(
                fte_before=_r(after[u.code].fte_before, 2),
                obligated_hours=_r(r.obligated_hours, 0),
                proactive_share=_r(r.proactive_share, 2),
                fte=_r(r.fte, 2),
                officers_needed=r.officers,
                committed_share=_r(r.committed_share, 3),
                cap_violated=bool(r.cap_violated),
            )
        elif pk in ic:
            row.update(
                fte_before=_r(after[u.code].fte_before, 2) if u.code in after else 0.0,
                obligated_hours=_r(ic_hours / len(ic), 0),
                proactive_share=params.ic_proactive_share,
                fte=_r(ic_fte / len(ic), 2),
                officers_needed=math.ceil(ic_fte / len(ic) - 1e-9),
            )
        rows.append(row)
    return targets, workload_hours, rows, _what_if_results(what_if, units, state)


def _obligated_components(params: ScenarioParams) -> tuple[str, ...]:
    comps = ("criminal_case_hours", "other_call_hours", "travel_hours")
    return comps if params.inspections_by_center else (*comps, "inspection_hours")


def _what_if(state: BureauState, params: ScenarioParams, types: dict[str, str], demand, crim, policy):
    """``engine.scenario``: the stations' workload before, the reform's operations, after.

    Components per station: criminal case hours (cases a year x ``case_hours``), other
    call hours (every call's on-scene time), travel, inspections and basic work. The
    operations: the recorded station types change to the applied ones, and
    ``centralised_share`` of the criminal case hours move to the investigation center
    (``ic_efficiency`` hours there per hour moved).
    """
    from jingwu.engine.scenario import Centralise, Scenario, SetStationType, UnitLoad, Workload, run_scenario

    units = state.units
    w = demand.stations
    loads, ops = [], []
    for i, pk in enumerate(state.stations):
        code = units[pk].code
        recorded = units[pk].station_type or types[code]
        loads.append(
            UnitLoad(
                unit=code,
                kind="station",
                station_type=recorded,
                workload=Workload(
                    criminal_case_hours=float(crim[i] * params.case_hours),
                    other_call_hours=float(w.service_hours[i]),
                    inspection_hours=float(w.inspection_hours[i]),
                    basic_work_hours=float(w.basic_hours[i]),
                    travel_hours=float(w.travel_hours[i]),
                ),
            )
        )
        if recorded != types[code]:
            ops.append(SetStationType(code, types[code]))
    ic = [
        pk for pk in state.plan_units if units[pk].kind == "investigation_center" and pk not in state.closing
    ]
    if ic:
        code = units[ic[0]].code
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
        obligated_components=_obligated_components(params),
    )
    return run_scenario(loads, scenario)


def _what_if_results(result, units, state: BureauState) -> dict[str, Any]:
    by_code = {units[pk].code: units[pk] for pk in state.plan_units}
    return {
        "rows": [
            {
                "code": r.unit,
                "name": _name(by_code[r.unit]) if r.unit in by_code else {"zh": r.unit, "en": r.unit},
                "kind": r.kind,
                "status": r.status,
                "type_before": r.station_type_before,
                "type_after": r.station_type_after,
                "hours_before": _r(r.hours_before, 0),
                "hours_after": _r(r.hours_after, 0),
                "criminal_before": _r(r.before.criminal_case_hours, 0) if r.before else 0.0,
                "criminal_after": _r(r.after.criminal_case_hours, 0) if r.after else 0.0,
                "fte_before": _r(r.fte_before, 2),
                "fte_after": _r(r.fte_after, 2),
                "officers_before": r.officers_before,
                "officers_after": r.officers_after,
            }
            for r in result.rows
        ],
        "total_before": _r(result.total_before, 0),
        "total_after": _r(result.total_after, 0),
        "saving_hours": _r(result.efficiency_saving_hours, 0),
        "fte_before": _r(result.fte_before, 2),
        "fte_after": _r(result.fte_after, 2),
        "moved_hours": _r(math.fsum(t.hours_out for t in result.transfers), 0),
        "reconciles": bool(result.reconciles),
    }


def _zones(state: BureauState, params: ScenarioParams, demand, targets) -> dict[str, Any] | None:
    """Redesign one station's zones from its grids' workload (districting + CP-SAT polish)."""
    if not params.zone_station:
        return None
    from jingwu.engine.districting import (
        AreaGraph,
        DistrictingOptions,
        compare_assignments,
        plan_districts,
        refine_exact,
        score_assignment,
    )
    from jingwu.engine.geo import polygon_from_geojson

    units = state.units
    code = params.zone_station
    st = next((pk for pk in state.stations if units[pk].code == code), None)
    out: dict[str, Any] = {"station": code, "k": int(params.zone_k), "error": ""}
    if st is None:
        out["error"] = "no_station"
        return out
    s_idx = state.stations.index(st)
    out["station_id"] = st
    out["station_name"] = _name(units[st])
    idx = [i for i in range(len(state.grids)) if state.zone_station[state.grid_zone[i]] == s_idx]
    k = int(params.zone_k)
    if len(idx) < k:
        out["error"] = "too_few_grids"
        return out
    try:
        polys = [polygon_from_geojson(units[state.grids[i]].boundary) for i in idx]
        work = np.array([demand.grids.total_hours[i] for i in idx], dtype=float)
        graph = AreaGraph.from_polygons(polys, work, codes=[units[state.grids[i]].code for i in idx])
        plan = plan_districts(graph, DistrictingOptions(k=k, seed=int(params.seed), starts=4))
        labels = np.asarray(plan.labels)
        status = "heuristic"
        if graph.n <= 150:
            ref = refine_exact(graph, labels, max_deterministic_time=1.0, seed=int(params.seed))
            labels, status = np.asarray(ref.labels), f"heuristic + CP-SAT ({ref.status})"
        existing = [units[state.zones[state.grid_zone[i]]].code for i in idx]
        planned = score_assignment(graph, labels)
        today = score_assignment(graph, existing)
        cmp = compare_assignments(graph, existing, labels) if len(set(existing)) > 0 else None
    except Exception as exc:
        out["error"] = str(exc)
        return out
    police = targets.get((st, "police"), 0.0)
    aux = targets.get((st, "auxiliary"), 0.0)
    total = float(work.sum()) or 1.0
    zones = []
    for d in range(k):
        members = [j for j in range(len(idx)) if labels[j] == d]
        w = float(work[members].sum())
        zones.append(
            {
                "name": d + 1,
                "grids": [
                    {
                        "id": state.grids[idx[j]],
                        "code": graph.codes[j],
                        "name": _name(units[state.grids[idx[j]]]),
                    }
                    for j in members
                ],
                "households": int(sum(units[state.grids[idx[j]]].households for j in members)),
                "workload": _r(w, 0),
                "share": _r(w / total, 3),
                "ipq": _r(planned.ipq[d], 3),
                "police": _r(police * w / total, 1),
                "auxiliary": _r(aux * w / total, 1),
            }
        )
    grid_zone = {state.grids[idx[j]]: int(labels[j]) + 1 for j in range(len(idx))}
    out.update(
        {
            "method": status,
            "zones": zones,
            "grid_zone": {str(k_): v for k_, v in grid_zone.items()},
            "planned": planned.summary(),
            "today": today.summary() | {"zones": len(set(existing))},
            "kept_workload_share": _r(cmp.kept_workload_share, 3) if cmp else None,
            "kept_area_share": _r(cmp.kept_area_share, 3) if cmp else None,
        }
    )
    return out


def _problem(
    state: BureauState,
    params: ScenarioParams,
    types: dict[str, str],
    targets: dict[tuple[int, str], float],
    workload_hours: dict[int, float],
) -> ReassignProblem:
    units = state.units
    band = float(params.band)
    locked: dict[tuple[int, str], int] = {}
    officers = []
    for o in state.officers:
        continuing = o.unit not in state.closing
        leader = o.role in LEADER_ROLES or (units[o.unit].kind == "headquarters" and o.role == "deputy_chief")
        pinned = continuing and (o.age >= params.retire_lock_age or (params.pin_leaders and leader))
        on_leave = continuing and o.status == "leave"
        if pinned or on_leave:
            locked[(o.unit, o.kind)] = locked.get((o.unit, o.kind), 0) + 1
        officers.append(
            Officer(
                id=str(o.id),
                kind=o.kind,
                age=o.age,
                gender=o.gender if o.gender in ("M", "F") else "M",
                unit=str(o.unit),
                lon=o.lon,
                lat=o.lat,
                skills={c: min(5, max(1, lvl)) for c, lvl in o.skills.items() if c in _SKILLS},
                rank=(o.rank if o.rank in _RANKS else "none") if o.kind == "police" else "none",
                role=o.role if o.role in _ROLES else "staff",
                on_leave=on_leave,
                pinned=pinned,
            )
        )
    plan_units_ = []
    for pk in state.plan_units:
        u = units[pk]
        heads = {}
        for kind in ("police", "auxiliary"):
            t = targets.get((pk, kind), 0.0)
            if pk in state.closing:
                heads[kind] = Headcount(0.0, 0, 0)
                continue
            h = Headcount.around(t, band)
            lock = locked.get((pk, kind), 0)
            if h.maximum is not None and h.maximum < lock:
                h = Headcount(max(h.target, float(lock)), h.minimum, lock)
            heads[kind] = h
        skills: tuple[SkillRequirement, ...] = ()
        target_age = None
        weight = 1.0
        if pk not in state.closing and u.kind == "investigation_center":
            n = max(1, round(params.ic_investigators * targets.get((pk, "police"), 0.0)))
            skills = (
                (SkillRequirement("investigation", n, 3, "police"),) if params.ic_investigators > 0 else ()
            )
            target_age = float(params.ic_target_mean_age)
            weight = float(params.ic_age_weight)
        elif pk not in state.closing and u.kind == "prevention_center" and params.pc_specialists > 0:
            skills = tuple(SkillRequirement(s, int(params.pc_specialists), 2) for s in PC_SKILLS)
        elif u.kind in ("department", "headquarters"):
            weight = float(params.office_age_weight)
        elif u.kind == "station" and types.get(u.code) in params.type_target_ages:
            target_age = float(params.type_target_ages[types[u.code]])
        if pk not in state.closing and u.code in params.unit_target_ages:
            target_age = float(params.unit_target_ages[u.code])
            weight = max(weight, 1.0)
        plan_units_.append(
            Unit(
                id=str(pk),
                kind=u.kind,
                lon=u.lon,
                lat=u.lat,
                police=heads["police"],
                auxiliary=heads["auxiliary"],
                station_type=types.get(u.code) if u.kind == "station" else None,
                skills=skills,
                leads=0,
                min_on_duty=int(params.min_on_duty) if u.kind == "station" and pk not in state.closing else 0,
                workload_hours=workload_hours.get(pk),
                target_mean_age=target_age,
                balance_weight=weight,
                label=vocab.Term(u.code, u.name_en, u.name_zh),
            )
        )
    rp = ReassignParams(
        weights=ObjectiveWeights(**params.weights, workload=float(params.workload_weight)),
        # workload per officer is compared across the stations: their hours are on one
        # basis (calls, travel and the cases they keep, grossed up by their type's
        # proactive share). The investigation center's target *is* its hours, so it sits
        # at one officer's net hours whatever the plan (see docs/planning.md).
        workload_units=tuple(str(pk) for pk in state.stations if pk not in state.closing),
        lock_age=71,  # the pipeline pins near-retirement officers itself (not in units that close)
        max_deterministic_time=float(params.time_limit),
        lns_budget=float(params.time_limit),
        num_workers=int(params.workers),
        seed=int(params.seed),
        local_search_passes=int(params.local_search_passes),
    )
    return ReassignProblem(tuple(plan_units_), tuple(officers), rp)


def _baselines(prepared: Prepared, plan: ReassignmentPlan) -> dict[str, Any]:
    current = {o.id: o.unit for o in prepared.problem.officers}
    out = {}
    for name, assign in (
        ("current", current),
        ("proportional", proportional_baseline(prepared)),
        ("greedy", greedy_baseline(prepared)),
        ("plan", dict(plan.assignment)),
    ):
        out[name] = {
            "imbalance": _r(imbalance(prepared, assign), 4),
            "moves": sum(1 for o in prepared.problem.officers if assign[o.id] != o.unit),
            "rule_violations": len(rule_violations(prepared, assign)),
        }
    return out


def _reassign_results(plan: ReassignmentPlan, baselines: dict) -> dict[str, Any]:
    return {
        "status": plan.status,
        "feasible": plan.feasible,
        "objective": _r(plan.objective, 3),
        "best_bound": _r(plan.best_bound, 3),
        "gap": _r(plan.gap, 5),
        "terms": {k: _r(v, 3) for k, v in plan.terms.items()},
        "moves": len(plan.moves),
        "imbalance_before": _r(plan.imbalance_before, 4),
        "imbalance_after": _r(plan.imbalance_after, 4),
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
        "wall_seconds": _r(plan.wall_seconds, 2),
        "deterministic_seconds": _r(plan.deterministic_seconds, 2),
        "variables": plan.variables,
        "stages": {k: _r(v, 3) for k, v in dict(getattr(plan, "stage_seconds", {}) or {}).items()},
        "baselines": baselines,
    }


def _figures(state: BureauState, plan: ReassignmentPlan, targets) -> list[dict[str, Any]]:
    units = state.units
    after = {f.unit: f for f in plan.after}
    out = []
    for b in plan.before:
        a = after[b.unit]
        pk = int(b.unit)

        def fig(f) -> dict[str, Any]:
            return {
                "police": f.police,
                "auxiliary": f.auxiliary,
                "headcount": f.headcount,
                "hours_per_officer": _r(f.hours_per_officer, 0),
                "officers_per_1000_hours": _r(f.officers_per_1000_hours, 3),
                "mean_age": _r(f.mean_age, 1),
                "share_female": _r(f.share_female, 3),
                "skills": list(f.skills_covered),
                "requirements": [list(r) for r in f.requirements],
                "requirements_met": f.requirements_met,
            }

        out.append(
            {
                "id": pk,
                "code": units[pk].code,
                "name": _name(units[pk]),
                "kind": units[pk].kind,
                "closing": pk in state.closing,
                "target_police": _r(b.target_police, 1),
                "target_auxiliary": _r(b.target_auxiliary, 1),
                "workload_hours": _r(b.workload_hours, 0),
                "before": fig(b),
                "after": fig(a),
            }
        )
    return out


def _shape(state: BureauState, results: dict, moves: list[dict]) -> dict[str, Any]:
    """The reform's headline figures: the center's age, who it drew from, the stations' changes."""
    units = state.units
    figs = results["figures"]
    ic = [f for f in figs if f["kind"] == "investigation_center"]
    ic_ids = {f["id"] for f in ic}
    drawn: dict[str, int] = {}
    for m in moves:
        if m["to_unit"] in ic_ids:
            kind = "closing" if m["from_unit"] in state.closing else units[m["from_unit"]].kind
            drawn[kind] = drawn.get(kind, 0) + 1
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
            for f in figs
            if f["kind"] == "station"
        ],
        "county_mean_age_police": _r(
            np.mean([o.age for o in state.officers if o.kind == "police"]) if state.officers else None, 1
        ),
        "ic_drawn_from": drawn,
    }
