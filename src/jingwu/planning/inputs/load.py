"""``load_state``: the bureau as it was on ``as_of``, with the areas in force from the reform date.

Read through the selectors and the scoping layer of the user who runs the plan (``user``;
``None``: the system), in this order: the units, the people (postings, skills, officers),
the planning units, the areas, the incidents of the period and the key premises.
"""

from __future__ import annotations

import datetime as dt

from .people import read_officers
from .records import read_incidents, read_premises
from .scoped import visible
from .state import BureauState, UnitInfo
from .units import UNIT_FIELDS, areas_in_force, planning_unit_of, planning_units, units_from_rows

#: Days in a year, for incidents a year (the period's days / this).
DAYS_A_YEAR = 365.25


def load_state(
    bureau,
    *,
    as_of: dt.date,
    reform_date: dt.date,
    incidents_from: dt.date,
    incidents_to: dt.date,
    user=None,
) -> BureauState:
    """Read the bureau's units, the postings current on ``as_of``, incidents and premises."""
    check_dates(as_of, reform_date, incidents_from, incidents_to)
    units = read_units(bureau, user)
    officers = read_officers(bureau, user, as_of, units, planning_unit_of(units, as_of, reform_date))
    plan = planning_units(units, officers, reform_date)
    areas = areas_in_force(units, plan.continuing, reform_date)
    grid_index = areas.grid_index
    incidents = read_incidents(bureau, user, incidents_from, incidents_to, grid_index)
    premises = read_premises(bureau, user, grid_index)
    return BureauState(
        bureau_id=bureau.pk,
        as_of=as_of,
        reform_date=reform_date,
        incidents_from=incidents_from,
        incidents_to=incidents_to,
        units=units,
        plan_units=plan.all,
        closing=plan.closing,
        officers=officers,
        stations=areas.stations,
        zones=areas.zones,
        grids=areas.grids,
        grid_zone=areas.grid_zone,
        zone_station=areas.zone_station,
        inc_grid=incidents.grid,
        inc_category=incidents.category,
        inc_received=incidents.received,
        inc_lon=incidents.lon,
        inc_lat=incidents.lat,
        inc_criminal=incidents.criminal,
        inc_dropped=incidents.dropped,
        prem_grid=premises.grid,
        prem_category=premises.category,
        years=((incidents_to - incidents_from).days + 1) / DAYS_A_YEAR,
    )


def check_dates(as_of: dt.date, reform_date: dt.date, incidents_from: dt.date, incidents_to: dt.date) -> None:
    if reform_date <= as_of:
        raise ValueError("the reform date must come after the day of the state")
    if incidents_to < incidents_from:
        raise ValueError("the incident period ends before it starts")


def read_units(bureau, user) -> dict[int, UnitInfo]:
    """Every unit of the bureau (of any date), with a location each."""
    from jingwu.org.models import Unit

    rows = list(visible(Unit, user).filter(bureau_id=bureau.pk).values(*UNIT_FIELDS))
    if not rows:
        raise ValueError("the bureau has no units")
    return units_from_rows(rows)
