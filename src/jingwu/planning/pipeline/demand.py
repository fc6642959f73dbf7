"""Step 2, demand: officer-hours a year per grid, zone and station (``demand.compute_demand``).

Calls (on-scene time by category, backup officers included), travel from the zone's post,
the consolidated inspections of the key premises and the basic work of each grid, by the
station types of step 1; and the criminal cases a year per station, which the staffing
step needs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from jingwu.engine.demand import DemandResult, compute_demand

from ..inputs import BureauState, demand_policy, grid_arrays, incident_arrays, premises_arrays
from ..inputs.arrays import grid_stations
from .common import names, rounded
from .run import PlanRun


def estimate_demand(run: PlanRun) -> PlanRun:
    """The demand by grid and station, and criminal cases a year per station; ``results["demand"]``."""
    state = run.state
    run.demand = compute_demand(
        grid_arrays(state, run.types),
        incident_arrays(state),
        premises_arrays(state),
        demand_policy(run.params),
    )
    run.criminal = criminal_cases_a_year(state)
    run.results["demand"] = demand_results(state, run.demand, run.criminal)
    return run


def criminal_cases_a_year(state: BureauState) -> np.ndarray:
    """Criminal incidents a year in each station's grids (index: ``state.stations``)."""
    per_station = grid_stations(state)[state.inc_grid][state.inc_criminal]
    return np.bincount(per_station, minlength=len(state.stations)) / state.years


def demand_results(state: BureauState, demand: DemandResult, criminal: np.ndarray) -> dict[str, Any]:
    return {
        "stations": station_rows(state, demand, criminal),
        "grids": grid_rows(state, demand),
        "totals": totals(demand, criminal),
    }


def hours_columns(w, i: int) -> dict[str, Any]:
    """The workload columns of row ``i`` of a demand table (grids or stations)."""
    return {
        "incidents": rounded(w.incidents[i], 1),
        "service": rounded(w.service_hours[i], 1),
        "travel": rounded(w.travel_hours[i], 1),
        "reactive": rounded(w.reactive_hours[i], 1),
        "inspection": rounded(w.inspection_hours[i], 1),
        "inspection_separate": rounded(w.inspection_hours_separate[i], 1),
        "basic": rounded(w.basic_hours[i], 1),
        "total": rounded(w.total_hours[i], 1),
    }


def station_rows(state: BureauState, demand: DemandResult, criminal: np.ndarray) -> list[dict[str, Any]]:
    units = state.units
    return [
        {"id": pk, "code": units[pk].code, "name": names(units[pk]), "criminal": rounded(criminal[i], 1)}
        | hours_columns(demand.stations, i)
        | {"seasonality": rounded(demand.seasonality[i], 2)}
        for i, pk in enumerate(state.stations)
    ]


def grid_rows(state: BureauState, demand: DemandResult) -> list[dict[str, Any]]:
    units = state.units
    rows = []
    for i, pk in enumerate(state.grids):
        z = state.zones[state.grid_zone[i]]
        s = state.stations[state.zone_station[state.grid_zone[i]]]
        rows.append(
            {
                "id": pk,
                "code": units[pk].code,
                "name": names(units[pk]),
                "zone": units[z].code,
                "station": units[s].code,
                "households": units[pk].households,
            }
            | hours_columns(demand.grids, i)
        )
    return rows


def totals(demand: DemandResult, criminal: np.ndarray) -> dict[str, Any]:
    w = demand.stations
    return {
        "incidents": rounded(w.incidents.sum(), 1),
        "criminal": rounded(criminal.sum(), 1),
        "reactive": rounded(w.reactive_hours.sum(), 1),
        "inspection": rounded(w.inspection_hours.sum(), 1),
        "inspection_separate": rounded(w.inspection_hours_separate.sum(), 1),
        "basic": rounded(w.basic_hours.sum(), 1),
        "total": rounded(w.total_hours.sum(), 1),
    }
