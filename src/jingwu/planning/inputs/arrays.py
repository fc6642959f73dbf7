"""From the bureau's state to the engine's inputs: station profiles, grid, incident and
premises arrays, the demand policy (the frozen dataclasses of ``jingwu.engine``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .params import ScenarioParams
from .state import BureauState
from .units import centroid

#: Smallest area a grid counts with (km²): a grid recorded without one must not divide by zero.
MIN_GRID_AREA_KM2 = 1e-6
#: Smallest area of a station without grids with an area (km²), for its densities.
MIN_STATION_AREA_KM2 = 1e-3


def grid_stations(state: BureauState) -> np.ndarray:
    """Index (into ``state.stations``) of each grid's station."""
    return np.array([state.zone_station[z] for z in state.grid_zone], dtype=np.int64)


def station_profile(state: BureauState):
    """``classify.StationProfile`` of the stations (residents, floating, area, premises, incidents)."""
    from jingwu.engine.classify import StationProfile, urban_share_by_density

    n = len(state.stations)
    g_station = grid_stations(state)
    res = np.array([state.units[g].residents for g in state.grids], dtype=float)
    area = np.array([max(state.units[g].area_km2, MIN_GRID_AREA_KM2) for g in state.grids], dtype=float)
    residents, floating, area_km2 = station_population(state, g_station, res, area)
    urban = urban_share_by_density(res, area, g_station, n) if len(state.grids) else np.zeros(n, dtype=float)
    return StationProfile.from_incidents(
        tuple(state.station_codes),
        g_station[state.inc_grid] if len(state.inc_grid) else np.zeros(0, dtype=np.int64),
        incident_months(state),
        state.inc_criminal,
        residents=residents,
        floating=floating,
        area_km2=area_km2,
        premises=station_premises(state, g_station),
        urban_share=np.clip(urban, 0.0, 1.0),
        years=state.years,
    )


def station_population(
    state: BureauState, g_station: np.ndarray, res: np.ndarray, area: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Residents, floating population and area per station: the sums of its grids in force,
    else the station's own figures."""
    n = len(state.stations)
    # 0: no resident data (the classification then says so instead of dividing by one resident)
    st_res = np.array([max(state.units[s].residents, 0) for s in state.stations], dtype=float)
    st_float = np.array([state.units[s].floating for s in state.stations], dtype=float)
    st_area = np.array([state.units[s].area_km2 or 0.0 for s in state.stations], dtype=float)
    grid_res = np.bincount(g_station, weights=res, minlength=n)
    grid_area = np.bincount(g_station, weights=area, minlength=n)
    grid_float = np.bincount(
        g_station, weights=np.array([state.units[g].floating for g in state.grids], dtype=float), minlength=n
    )
    residents = np.where(grid_res > 0, grid_res, st_res)
    floating = np.where(grid_res > 0, grid_float, st_float)
    area_km2 = np.where(grid_area > 0, grid_area, np.maximum(st_area, MIN_STATION_AREA_KM2))
    return residents, floating, area_km2


def station_premises(state: BureauState, g_station: np.ndarray) -> np.ndarray:
    """Key premises per station."""
    n = len(state.stations)
    if not len(state.prem_grid):
        return np.zeros(n)
    return np.bincount(g_station[state.prem_grid], minlength=n).astype(float)


def incident_months(state: BureauState) -> np.ndarray:
    """The month (1-12) of each incident."""
    if not len(state.inc_grid):
        return np.zeros(0, dtype=int)
    return state.inc_received.astype("datetime64[M]").astype(int) % 12 + 1


def grid_arrays(state: BureauState, station_types: Mapping[str, str]):
    """``demand.GridArrays``: each grid's zone (travel starts at the zone's post) and station type."""
    from jingwu.engine.demand import GridArrays

    units = state.units
    base = [units[state.zones[z]] for z in state.grid_zone]
    cent = []
    for g in state.grids:
        c = centroid(units[g].boundary)
        cent.append(c if c is not None else (units[g].lon, units[g].lat))
    return GridArrays(
        zone=state.grid_zone,
        zone_station=state.zone_station,
        station_type=tuple(station_types[units[s].code] for s in state.stations),
        households=[units[g].households for g in state.grids],
        residents=[units[g].residents for g in state.grids],
        area_km2=[units[g].area_km2 for g in state.grids],
        base_lon=[u.lon for u in base],
        base_lat=[u.lat for u in base],
        centroid_lon=[c[0] for c in cent],
        centroid_lat=[c[1] for c in cent],
        codes=tuple(units[g].code for g in state.grids),
        zone_codes=tuple(units[z].code for z in state.zones),
        station_codes=tuple(state.station_codes),
    )


def incident_arrays(state: BureauState):
    from jingwu.engine.demand import IncidentArrays

    return IncidentArrays.from_timestamps(
        state.inc_grid,
        state.inc_category,
        state.inc_received,
        lon=state.inc_lon,
        lat=state.inc_lat,
        years=state.years,
    )


def premises_arrays(state: BureauState):
    from jingwu.engine.demand import PremisesArrays

    return PremisesArrays(state.prem_grid, state.prem_category)


def demand_policy(params: ScenarioParams):
    from jingwu.engine.demand import CategoryTime, DemandPolicy, default_category_times

    times = dict(default_category_times())
    for code, minutes in params.category_minutes.items():
        times[code] = CategoryTime(float(minutes), times[code].backup if code in times else 0.0)
    return DemandPolicy(category_times=times)
