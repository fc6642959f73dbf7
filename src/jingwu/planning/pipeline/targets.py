"""The reform's rules for each planning unit's target, police and auxiliary officers alike.

Where the people go:

* the **investigation center** takes ``centralised_share`` of the criminal cases; its
  police target is the officers those case hours need (``case_hours`` per case, its own
  proactive share and the admin share);
* ``ic_from_stations`` of what it grows by comes out of the stations, each giving in
  proportion to the criminal cases it hands over; the rest comes from the units that
  close (merged away);
* the **prevention center** takes the staff of the units that close that the
  investigation center does not take;
* **departments** and headquarters keep their staff;
* each **station** moves ``workload_tilt`` of the way from today's staff (less what it
  gives the center) to its share by workload (Wilson & Weiss FTE);
* units that close are emptied.

``unit_targets`` sets the police target of any unit by code and wins over every rule.
Auxiliary officers follow the same rules without the draw (the center takes police).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from jingwu.engine.staffing import UnitStaffing

from ..inputs import BureauState, ScenarioParams

#: The two kinds of staff every target is set for, in this order.
OFFICER_KINDS = ("police", "auxiliary")


@dataclass(frozen=True)
class UnitGroups:
    """The planning units by their part in the reform (lists in the state's order)."""

    plan_units: list[int]
    investigation_centers: list[int]
    prevention_centers: list[int]
    offices: list[int]  # departments and headquarters: they keep their staff
    stations: list[int]
    closing: set[int]

    @classmethod
    def of(cls, state: BureauState) -> UnitGroups:
        units = state.units
        live = [pk for pk in state.plan_units if pk not in state.closing]
        return cls(
            plan_units=state.plan_units,
            investigation_centers=[pk for pk in live if units[pk].kind == "investigation_center"],
            prevention_centers=[pk for pk in live if units[pk].kind == "prevention_center"],
            offices=[pk for pk in live if units[pk].kind in ("department", "headquarters")],
            stations=state.stations,
            closing=state.closing,
        )


@dataclass(frozen=True)
class CenterNeed:
    """What the investigation center's share of the cases asks for (from the what-if)."""

    hours: float  # obligated hours a year (the cases it takes over)
    gross_hours: float  # grossed up by its proactive and admin shares
    fte: float  # officers those hours need


@dataclass(frozen=True)
class TargetInputs:
    """Everything the rules read."""

    state: BureauState
    params: ScenarioParams
    groups: UnitGroups
    now: dict[tuple[int, str], int]  # headcount today by (planning unit, officer kind)
    station_needs: list[UnitStaffing]  # Wilson & Weiss by station (index: ``state.stations``)
    criminal: np.ndarray  # criminal cases a year by station
    center: CenterNeed

    def given(self, pk: int, kind: str) -> float | None:
        """The planner's target for the unit (``unit_targets``: police only), or ``None``."""
        return self.params.unit_targets.get(self.state.units[pk].code) if kind == "police" else None

    def today(self, pk: int, kind: str) -> int:
        return self.now.get((pk, kind), 0)


@dataclass
class Targets:
    """Target per (planning unit, officer kind), the rule it came from, workload hours per unit."""

    heads: dict[tuple[int, str], float] = field(default_factory=dict)
    basis: dict[int, str] = field(default_factory=dict)
    workload_hours: dict[int, float] = field(default_factory=dict)


def headcounts_today(state: BureauState) -> dict[tuple[int, str], int]:
    """Officers per (planning unit, officer kind) on the day of the state."""
    now: dict[tuple[int, str], int] = {}
    for o in state.officers:
        now[(o.unit, o.kind)] = now.get((o.unit, o.kind), 0) + 1
    return now


def reform_targets(inp: TargetInputs) -> Targets:
    """Every planning unit's targets, by the rules above, for police then auxiliaries."""
    out = Targets()
    for kind in OFFICER_KINDS:
        closing_targets(inp, kind, out)
        office_targets(inp, kind, out)
        growth = investigation_center_targets(inp, kind, out)
        prevention_center_targets(inp, kind, out, growth)
        station_targets(inp, kind, out)
    return out


def closing_targets(inp: TargetInputs, kind: str, out: Targets) -> None:
    """Units that close are emptied."""
    for pk in inp.groups.closing:
        out.heads[(pk, kind)] = 0.0
        out.basis[pk] = "closing"


def office_targets(inp: TargetInputs, kind: str, out: Targets) -> None:
    """Departments and headquarters keep today's staff."""
    for pk in inp.groups.offices:
        t = inp.given(pk, kind)
        out.heads[(pk, kind)] = float(inp.today(pk, kind) if t is None else t)
        out.basis[pk] = "kept" if inp.given(pk, "police") is None else "set"


def investigation_center_targets(inp: TargetInputs, kind: str, out: Targets) -> float:
    """The center's police follow its cases, its auxiliaries stay; returns how much it grows."""
    ic = inp.groups.investigation_centers
    growth = 0.0
    for pk in ic:
        t = inp.given(pk, kind)
        if t is None:
            t = inp.center.fte / len(ic) if kind == "police" else float(inp.today(pk, kind))
        out.basis[pk] = "cases" if inp.given(pk, "police") is None else "set"
        out.heads[(pk, kind)] = float(t)
        growth += float(t) - inp.today(pk, kind)
        out.workload_hours[pk] = inp.center.gross_hours / len(ic)
    return growth


def prevention_center_targets(inp: TargetInputs, kind: str, out: Targets, ic_growth: float) -> None:
    """The prevention center takes the closing units' staff the investigation center does not."""
    pc = inp.groups.prevention_centers
    draw = inp.params.ic_from_stations * max(0.0, ic_growth) if kind == "police" else 0.0
    closing_staff = sum(inp.today(pk, kind) for pk in inp.groups.closing)
    for pk in pc:
        t = inp.given(pk, kind)
        if t is None:
            t = inp.today(pk, kind) + max(0.0, closing_staff - (max(0.0, ic_growth) - draw)) / len(pc)
        out.basis[pk] = "merged" if inp.given(pk, "police") is None else "set"
        out.heads[(pk, kind)] = float(t)


def station_targets(inp: TargetInputs, kind: str, out: Targets) -> None:
    """The stations share the rest: today's staff less what they give, tilted towards workload."""
    stations = inp.groups.stations
    set_here = [i for i, pk in enumerate(stations) if inp.given(pk, kind) is not None]
    for i in set_here:
        out.heads[(stations[i], kind)] = float(inp.given(stations[i], kind))
        out.basis[stations[i]] = "set"
    free = [i for i in range(len(stations)) if i not in set_here]
    rest = staff_left_for_stations(inp, kind, out, set_here)
    now_s = [float(inp.today(stations[i], kind)) for i in free]
    # what the stations lose, shared in proportion to the criminal cases they hand over
    loss = math.fsum(now_s) - rest
    cases = [float(inp.criminal[i]) for i in free] if kind == "police" and loss > 0 else now_s
    base = [n - x for n, x in zip(now_s, proportional(cases, loss), strict=True)]
    by_work = proportional([inp.station_needs[i].fte for i in free], rest)
    tilt = float(inp.params.workload_tilt)
    for i, b, wk in zip(free, base, by_work, strict=True):
        out.heads[(stations[i], kind)] = max(0.0, (1.0 - tilt) * b + tilt * wk)
        if kind == "police":
            out.basis[stations[i]] = "workload"


def staff_left_for_stations(inp: TargetInputs, kind: str, out: Targets, set_here: list[int]) -> float:
    """The bureau's staff of this kind less every target already fixed (other units, set stations)."""
    stations = inp.groups.stations
    total = sum(1 for o in inp.state.officers if o.kind == kind)
    fixed = math.fsum(out.heads[(pk, kind)] for pk in inp.groups.plan_units if pk not in stations)
    fixed += math.fsum(out.heads[(stations[i], kind)] for i in set_here)
    return max(0.0, total - fixed)


def proportional(weights: list[float], total: float) -> list[float]:
    """Exact proportional shares of ``total`` (targets may be fractional; the engine rounds)."""
    s = math.fsum(weights)
    if s <= 0:
        return [total / len(weights)] * len(weights) if weights else []
    return [w * total / s for w in weights]
