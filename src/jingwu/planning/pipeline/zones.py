"""Step 4, zones: one station's grids redesigned into ``zone_k`` zones (optional).

``districting.plan_districts`` (contiguous, balanced, compact zones from the grids'
workload), polished by CP-SAT (``refine_exact``) when the station has few enough grids,
scored against today's zones. Each proposed zone gets its share of the station's targets
by workload. A failure here is reported in the zone section, not raised: the plan goes on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..inputs import BureauState, ScenarioParams
from .common import names, rounded
from .run import PlanRun

#: Starts of the districting heuristic (the best one is kept).
DISTRICTING_STARTS = 4
#: Largest station (in grids) whose zones CP-SAT polishes after the heuristic.
EXACT_REFINE_MAX_GRIDS = 150
#: CP-SAT's deterministic time for that polish (seconds).
EXACT_REFINE_SECONDS = 1.0


@dataclass
class Districts:
    """The proposed zones of the station's grids and their scores against today's."""

    graph: Any  # districting.AreaGraph of the station's grids
    work: np.ndarray  # workload hours a year per grid
    labels: np.ndarray  # proposed zone per grid (0 .. k-1)
    method: str
    planned: Any  # districting scores of the proposal
    today: Any  # ... and of today's zones
    existing: list[str]  # today's zone code per grid
    kept: Any  # how much of today's zones the proposal keeps (None without zones today)


def redesign_zones(run: PlanRun) -> PlanRun:
    """``results["zones"]``: the redesign of ``zone_station``, or ``None`` when none is asked."""
    run.results["zones"] = zone_redesign(run.state, run.params, run.demand, run.targets)
    return run


def zone_redesign(state: BureauState, params: ScenarioParams, demand, targets) -> dict[str, Any] | None:
    if not params.zone_station:
        return None
    units = state.units
    code = params.zone_station
    st = next((pk for pk in state.stations if units[pk].code == code), None)
    out: dict[str, Any] = {"station": code, "k": int(params.zone_k), "error": ""}
    if st is None:
        out["error"] = "no_station"
        return out
    out["station_id"] = st
    out["station_name"] = names(units[st])
    idx = station_grids(state, st)
    if len(idx) < int(params.zone_k):
        out["error"] = "too_few_grids"
        return out
    try:
        d = districts(state, params, demand, idx)
    except Exception as exc:
        out["error"] = str(exc)
        return out
    out.update(zone_results(state, params, targets, st, idx, d))
    return out


def station_grids(state: BureauState, st: int) -> list[int]:
    """Indexes (into ``state.grids``) of the station's grids."""
    s_idx = state.stations.index(st)
    return [i for i in range(len(state.grids)) if state.zone_station[state.grid_zone[i]] == s_idx]


def districts(state: BureauState, params: ScenarioParams, demand, idx: list[int]) -> Districts:
    """Plan ``zone_k`` zones of the grids ``idx`` by their workload and score them."""
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
    k, seed = int(params.zone_k), int(params.seed)
    polys = [polygon_from_geojson(units[state.grids[i]].boundary) for i in idx]
    work = np.array([demand.grids.total_hours[i] for i in idx], dtype=float)
    graph = AreaGraph.from_polygons(polys, work, codes=[units[state.grids[i]].code for i in idx])
    plan = plan_districts(graph, DistrictingOptions(k=k, seed=seed, starts=DISTRICTING_STARTS))
    labels = np.asarray(plan.labels)
    method = "heuristic"
    if graph.n <= EXACT_REFINE_MAX_GRIDS:
        ref = refine_exact(graph, labels, max_deterministic_time=EXACT_REFINE_SECONDS, seed=seed)
        labels, method = np.asarray(ref.labels), f"heuristic + CP-SAT ({ref.status})"
    existing = [units[state.zones[state.grid_zone[i]]].code for i in idx]
    return Districts(
        graph=graph,
        work=work,
        labels=labels,
        method=method,
        planned=score_assignment(graph, labels),
        today=score_assignment(graph, existing),
        existing=existing,
        kept=compare_assignments(graph, existing, labels) if len(set(existing)) > 0 else None,
    )


def zone_results(
    state: BureauState, params: ScenarioParams, targets, st: int, idx: list[int], d: Districts
) -> dict[str, Any]:
    grid_zone = {state.grids[idx[j]]: int(d.labels[j]) + 1 for j in range(len(idx))}
    return {
        "method": d.method,
        "zones": zone_rows(state, params, targets, st, idx, d),
        "grid_zone": {str(k_): v for k_, v in grid_zone.items()},
        "planned": d.planned.summary(),
        "today": d.today.summary() | {"zones": len(set(d.existing))},
        "kept_workload_share": rounded(d.kept.kept_workload_share, 3) if d.kept else None,
        "kept_area_share": rounded(d.kept.kept_area_share, 3) if d.kept else None,
    }


def zone_rows(
    state: BureauState, params: ScenarioParams, targets, st: int, idx: list[int], d: Districts
) -> list[dict[str, Any]]:
    """Each proposed zone: its grids, households, workload and share of the station's targets."""
    units = state.units
    police = targets.get((st, "police"), 0.0)
    aux = targets.get((st, "auxiliary"), 0.0)
    total = float(d.work.sum()) or 1.0
    rows = []
    for z in range(int(params.zone_k)):
        members = [j for j in range(len(idx)) if d.labels[j] == z]
        w = float(d.work[members].sum())
        rows.append(
            {
                "name": z + 1,
                "grids": [
                    {
                        "id": state.grids[idx[j]],
                        "code": d.graph.codes[j],
                        "name": names(units[state.grids[idx[j]]]),
                    }
                    for j in members
                ],
                "households": int(sum(units[state.grids[idx[j]]].households for j in members)),
                "workload": rounded(w, 0),
                "share": rounded(w / total, 3),
                "ipq": rounded(d.planned.ipq[z], 3),
                "police": rounded(police * w / total, 1),
                "auxiliary": rounded(aux * w / total, 1),
            }
        )
    return rows
