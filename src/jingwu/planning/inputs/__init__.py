"""From the bureau's records to the engine's inputs: parameters, the state on a date, arrays.

* ``params`` - ``ScenarioParams``, every setting of a scenario (stored as JSON on the
  scenario), with its defaults and checks;
* ``load`` - ``load_state`` reads the bureau as it was on ``as_of`` (who was posted where,
  from the postings history: ``people``) and the area structure in force from the reform
  date (grids and zones: ``units``), plus the incidents of the chosen period and the key
  premises (``records``), through the selectors (so a user's scope applies: ``scoped``);
  ``state`` holds the dataclasses it returns;
* ``arrays`` - the ``*_arrays`` helpers turn that state into the frozen dataclasses of
  ``jingwu.engine``.

Planning units: officers are planned at the level of stations, centers, departments
and headquarters. A posting in a zone or grid counts for its station, one in a squad
for the center, department or station above it. A unit that no longer exists on the
reform date (merged away) is a planning unit of its own that must be emptied.
"""

from __future__ import annotations

from .arrays import demand_policy, grid_arrays, incident_arrays, premises_arrays, station_profile
from .load import load_state
from .params import (
    DEFAULT_TYPE_TARGET_AGES,
    DEFAULT_WEIGHTS,
    LEADER_ROLES,
    PC_SKILLS,
    PLAN_KINDS,
    WEIGHT_NAMES,
    ScenarioParams,
)
from .state import BureauState, OfficerInfo, UnitInfo

__all__ = [
    "DEFAULT_TYPE_TARGET_AGES",
    "DEFAULT_WEIGHTS",
    "LEADER_ROLES",
    "PC_SKILLS",
    "PLAN_KINDS",
    "WEIGHT_NAMES",
    "BureauState",
    "OfficerInfo",
    "ScenarioParams",
    "UnitInfo",
    "demand_policy",
    "grid_arrays",
    "incident_arrays",
    "load_state",
    "premises_arrays",
    "station_profile",
]
