"""Step 1, station types: the method's proposal per station, the planner's overrides last.

``classify.classify_stations`` (k-means on the stations' area character, with reasons and
a bootstrap stability) needs at least three stations to form the three types; with fewer
the recorded types are kept. Either way an override of the planner wins and is shown
next to what it replaced.
"""

from __future__ import annotations

from typing import Any

from jingwu.engine.classify import Override, classify_stations

from ..inputs import BureauState, ScenarioParams, UnitInfo, station_profile
from .common import names, rounded
from .run import PlanRun

#: The classification forms three types (full-spectrum, proactive, preventive).
MIN_STATIONS_TO_CLASSIFY = 3
#: Type of a station with no recorded type when there are too few to classify.
FALLBACK_STATION_TYPE = "proactive"
#: Reason recorded for an override the planner gave without one.
DEFAULT_OVERRIDE_REASON = "planner override"


def apply_station_types(run: PlanRun) -> PlanRun:
    """The type applied to each station; ``results["stations"]``, one row each."""
    state, params = run.state, run.params
    overrides = planner_overrides(state, params)
    by_code, features = classification(state, params, overrides)
    rows = []
    for pk in state.stations:
        u = state.units[pk]
        row = type_row(u, by_code.get(u.code), overrides) | identity_columns(u, features)
        run.types[u.code] = row["type"]
        rows.append(row)
    run.results["stations"] = rows
    return run


def planner_overrides(state: BureauState, params: ScenarioParams) -> dict[str, Override]:
    """The planner's overrides of stations that exist in the state."""
    codes = state.station_codes
    return {
        code: Override(ov["type"], ov.get("reason") or DEFAULT_OVERRIDE_REASON)
        for code, ov in params.station_overrides.items()
        if code in codes
    }


def classification(
    state: BureauState, params: ScenarioParams, overrides: dict[str, Override]
) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """The method's result per station code and the features it used (empty when too few)."""
    if len(state.station_codes) < MIN_STATIONS_TO_CLASSIFY:
        return {}, {}
    cls = classify_stations(
        station_profile(state),
        seed=int(params.seed),
        bootstrap=int(params.bootstrap),
        overrides=overrides,
    )
    return cls.by_code(), cls.features.as_dict()


def type_row(u: UnitInfo, c, overrides: dict[str, Override]) -> dict[str, Any]:
    """The type columns of a station: classified (``c``) or, without a classification, recorded."""
    if c is None:
        return recorded_type_row(u, overrides)
    return {
        "type": c.station_type,
        "original_type": c.original_type,
        "overridden": c.overridden,
        "override_reason": c.override_reason or "",
        "reasons": [{"code": r.code, "z": rounded(r.z), "value": rounded(r.value, 4)} for r in c.reasons],
        "stability": rounded(c.stability, 3),
        "shares": {k: rounded(v, 3) for k, v in c.type_shares.items()},
    }


def recorded_type_row(u: UnitInfo, overrides: dict[str, Override]) -> dict[str, Any]:
    """A station not classified keeps its recorded type, unless the planner overrides it."""
    override = overrides.get(u.code)
    applied = override.station_type if override is not None else (u.station_type or FALLBACK_STATION_TYPE)
    return {
        "type": applied,
        "original_type": u.station_type or applied,
        "overridden": override is not None,
        "override_reason": override.reason if override is not None else "",
        "reasons": [],
        "stability": None,
        "shares": {},
    }


def identity_columns(u: UnitInfo, features: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Which station the row is, its recorded type and the features the method saw."""
    return {
        "id": u.id,
        "code": u.code,
        "name": names(u),
        "recorded_type": u.station_type,
        "features": {k: rounded(v, 4) for k, v in features.get(u.code, {}).items()},
    }
