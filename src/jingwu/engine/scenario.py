"""What-if scenarios for the reform: where do the hours go, and how many officers follow?

Each unit's yearly workload is split into components (:class:`Workload`): criminal case
hours, other call hours, inspection hours, basic (community) work and travel. A
:class:`Scenario` applies operations in order and reports every unit before and after:

* :class:`Centralise` - move a share (e.g. 80 %) of the stations' criminal case hours
  (and optionally the travel that goes with them) to the investigation center, with an
  ``efficiency`` factor for centralised handling (0.85: the center needs 0.85 h for each
  hour the stations spent);
* :class:`Merge` - merge two or more units into one;
* :class:`Split` - split a unit into parts, by grid lists (each grid's share of the
  unit's workload comes from ``UnitLoad.grids``) or by explicit shares;
* :class:`SetStationType` - change a station's type (full-spectrum, proactive,
  preventive), and with ``policy_after`` the proactive share of each type.

FTE before and after come from :func:`jingwu.engine.staffing.workload_fte`
(``total = obligated / (1 - proactive share - admin share)``): the obligated hours are
the components in ``Scenario.obligated_components`` (all five by default), the
proactive share that of the unit's station type in the policy
(``Scenario.non_station_proactive_share`` for centers and departments).

**No hour is lost.** Every transfer is recorded in a ledger (:class:`Transfer`, hours out
of one unit and hours into another); the totals reconcile as
``total before - efficiency savings = total after`` (:attr:`ScenarioResult.reconciles`),
per component as well.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from jingwu.engine.staffing import StaffingPolicy, round_up, workload_fte
from jingwu.engine.vocab import STATION_TYPES, UNIT_KINDS, codes

__all__ = [
    "COMPONENTS",
    "Centralise",
    "Merge",
    "Operation",
    "Scenario",
    "ScenarioResult",
    "ScenarioRow",
    "SetStationType",
    "Split",
    "SplitPart",
    "Transfer",
    "UnitLoad",
    "Workload",
    "run_scenario",
]

#: Workload components, in reporting order.
COMPONENTS = (
    "criminal_case_hours",
    "other_call_hours",
    "inspection_hours",
    "basic_work_hours",
    "travel_hours",
)
_TOL = 1e-9


def _hours(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def _share(name: str, value: float, *, allow_one: bool = True) -> float:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value < 0 or value > 1 or (value == 1 and not allow_one):
        raise ValueError(f"{name} must be in [0, 1{']' if allow_one else ')'}, got {value!r}")
    return float(value)


def _ident(name: str, value: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def _kind(name: str, value: str) -> str:
    if value not in codes(UNIT_KINDS):
        raise ValueError(f"{name}: unknown unit kind {value!r}; known: {list(codes(UNIT_KINDS))}")
    return value


def _station_type(name: str, value: str | None) -> str | None:
    if value is not None and value not in codes(STATION_TYPES):
        raise ValueError(f"{name}: unknown station type {value!r}; known: {list(codes(STATION_TYPES))}")
    return value


@dataclass(frozen=True)
class Workload:
    """A unit's yearly hours by component (all finite and >= 0)."""

    criminal_case_hours: float = 0.0
    other_call_hours: float = 0.0
    inspection_hours: float = 0.0
    basic_work_hours: float = 0.0
    travel_hours: float = 0.0

    def __post_init__(self) -> None:
        for name in COMPONENTS:
            object.__setattr__(self, name, _hours(name, getattr(self, name)))

    @property
    def total(self) -> float:
        return math.fsum(getattr(self, c) for c in COMPONENTS)

    def get(self, component: str) -> float:
        if component not in COMPONENTS:
            raise ValueError(f"unknown workload component {component!r}; known: {list(COMPONENTS)}")
        return getattr(self, component)

    def scaled(self, factor: float) -> Workload:
        return Workload(**{c: getattr(self, c) * factor for c in COMPONENTS})

    def plus(self, other: Workload) -> Workload:
        return Workload(**{c: getattr(self, c) + getattr(other, c) for c in COMPONENTS})

    def with_component(self, component: str, hours: float) -> Workload:
        self.get(component)
        return Workload(**{c: (hours if c == component else getattr(self, c)) for c in COMPONENTS})

    def as_dict(self) -> dict[str, float]:
        return {c: getattr(self, c) for c in COMPONENTS}


@dataclass(frozen=True)
class UnitLoad:
    """A unit and its workload before the scenario.

    ``grids`` maps grid ids to weights (e.g. incident counts or hours) giving each grid's
    share of the unit's workload; needed only to split the unit by grid lists. A mapping
    or ``(grid, weight)`` pairs; stored as sorted pairs.
    """

    unit: str
    kind: str
    workload: Workload
    station_type: str | None = None
    grids: Mapping[str, float] | tuple[tuple[str, float], ...] = ()

    def __post_init__(self) -> None:
        _ident("unit", self.unit)
        _kind(f"unit {self.unit!r} kind", self.kind)
        _station_type(f"unit {self.unit!r}", self.station_type)
        if not isinstance(self.workload, Workload):
            raise ValueError(f"unit {self.unit!r} workload must be a Workload")
        object.__setattr__(self, "grids", _grid_pairs(f"unit {self.unit!r}", self.grids))


def _grid_pairs(who: str, grids) -> tuple[tuple[str, float], ...]:
    pairs = grids.items() if isinstance(grids, Mapping) else grids
    out: dict[str, float] = {}
    for pair in pairs:
        if not (isinstance(pair, tuple | list) and len(pair) == 2):
            raise ValueError(f"{who} grids must be (grid, weight) pairs, got {pair!r}")
        grid, weight = pair
        _ident(f"{who} grid id", grid)
        if grid in out:
            raise ValueError(f"{who} lists grid {grid!r} twice")
        out[grid] = _hours(f"{who} grid {grid!r} weight", weight)
    return tuple(sorted(out.items()))


@dataclass(frozen=True)
class Centralise:
    """Move ``share`` of the criminal case hours of every unit of ``from_kinds`` to ``center``.

    ``efficiency`` is the center's hours per hour moved (0.85: handling cases centrally
    saves 15 %; above 1 would mean coordination overhead). ``travel_share`` of each
    source unit's travel hours moves with the cases (same efficiency). A ``center`` not
    yet in the scenario is created with ``center_kind``.
    """

    center: str
    share: float = 0.8
    efficiency: float = 1.0
    from_kinds: tuple[str, ...] = ("station", "zone")
    travel_share: float = 0.0
    center_kind: str = "investigation_center"

    def __post_init__(self) -> None:
        _ident("center", self.center)
        _share("share", self.share)
        eff = self.efficiency
        if isinstance(eff, bool) or not isinstance(eff, int | float) or not math.isfinite(eff) or eff <= 0:
            raise ValueError(f"efficiency must be a finite number > 0, got {eff!r}")
        kinds = tuple(self.from_kinds)
        if not kinds:
            raise ValueError("from_kinds must list at least one unit kind")
        for k in kinds:
            _kind("from_kinds", k)
        object.__setattr__(self, "from_kinds", kinds)
        _share("travel_share", self.travel_share)
        _kind("center_kind", self.center_kind)


@dataclass(frozen=True)
class Merge:
    """Merge ``units`` (two or more) into ``into`` (a new id or one of them).

    The merged unit takes the kind and station type of the first unit unless given.
    """

    units: tuple[str, ...]
    into: str
    kind: str | None = None
    station_type: str | None = None

    def __post_init__(self) -> None:
        units = tuple(self.units)
        if len(units) < 2:
            raise ValueError(f"a merge needs at least two units, got {list(units)}")
        if len(set(units)) != len(units):
            raise ValueError(f"a merge lists a unit twice: {list(units)}")
        for u in units:
            _ident("merged unit", u)
        object.__setattr__(self, "units", units)
        _ident("into", self.into)
        if self.kind is not None:
            _kind("merge kind", self.kind)
        _station_type("merge", self.station_type)


@dataclass(frozen=True)
class SplitPart:
    """One part of a split: its grids, or its share of the unit's workload."""

    unit: str
    grids: tuple[str, ...] = ()
    share: float | None = None
    kind: str | None = None
    station_type: str | None = None

    def __post_init__(self) -> None:
        _ident("split part unit", self.unit)
        grids = tuple(self.grids)
        if bool(grids) == (self.share is not None):
            raise ValueError(f"split part {self.unit!r} needs either grids or a share (not both)")
        for g in grids:
            _ident(f"split part {self.unit!r} grid", g)
        object.__setattr__(self, "grids", grids)
        if self.share is not None:
            _share(f"split part {self.unit!r} share", self.share)
        if self.kind is not None:
            _kind(f"split part {self.unit!r} kind", self.kind)
        _station_type(f"split part {self.unit!r}", self.station_type)


@dataclass(frozen=True)
class Split:
    """Split ``unit`` into ``parts`` (all by grids, covering each grid once, or all by shares adding to 1)."""

    unit: str
    parts: tuple[SplitPart, ...]

    def __post_init__(self) -> None:
        _ident("split unit", self.unit)
        parts = tuple(self.parts)
        if len(parts) < 2:
            raise ValueError(f"splitting {self.unit!r} needs at least two parts")
        names = [p.unit for p in parts]
        if len(set(names)) != len(names):
            raise ValueError(f"splitting {self.unit!r}: part ids must be unique, got {names}")
        by_grid = [bool(p.grids) for p in parts]
        if any(by_grid) and not all(by_grid):
            raise ValueError(f"splitting {self.unit!r}: give grids for every part or shares for every part")
        if not any(by_grid):
            total = math.fsum(p.share for p in parts)  # type: ignore[misc]
            if not math.isclose(total, 1.0, abs_tol=1e-9):
                raise ValueError(f"splitting {self.unit!r}: part shares add up to {total:g}, not 1")
        object.__setattr__(self, "parts", parts)


@dataclass(frozen=True)
class SetStationType:
    """Change a unit's station type (its proactive share follows the policy)."""

    unit: str
    station_type: str

    def __post_init__(self) -> None:
        _ident("unit", self.unit)
        if self.station_type is None:
            raise ValueError("station_type is required")
        _station_type(f"unit {self.unit!r}", self.station_type)


Operation = Centralise | Merge | Split | SetStationType


@dataclass(frozen=True)
class Scenario:
    """Operations applied in order, and the staffing settings before and after.

    ``policy_after`` (default: ``policy_before``) carries the new proactive shares per
    station type. ``non_station_proactive_share`` is used for units without a station
    type (centers, departments). ``obligated_components`` are the hours that count as
    obligated workload for FTE.
    """

    operations: tuple[Operation, ...] = ()
    policy_before: StaffingPolicy = field(default_factory=StaffingPolicy)
    policy_after: StaffingPolicy | None = None
    non_station_proactive_share: float = 0.0
    obligated_components: tuple[str, ...] = COMPONENTS

    def __post_init__(self) -> None:
        ops = tuple(self.operations)
        for op in ops:
            if not isinstance(op, Centralise | Merge | Split | SetStationType):
                raise ValueError(f"unknown scenario operation {op!r}")
        object.__setattr__(self, "operations", ops)
        for name in ("policy_before", "policy_after"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, StaffingPolicy):
                raise ValueError(f"{name} must be a StaffingPolicy")
        _share("non_station_proactive_share", self.non_station_proactive_share, allow_one=False)
        comps = tuple(self.obligated_components)
        if not comps:
            raise ValueError("obligated_components must list at least one component")
        for c in comps:
            if c not in COMPONENTS:
                raise ValueError(f"unknown workload component {c!r}; known: {list(COMPONENTS)}")
        object.__setattr__(self, "obligated_components", comps)


@dataclass(frozen=True)
class Transfer:
    """Hours moved by operation number ``operation`` (0-based): out of one unit, into another.

    ``hours_in`` differs from ``hours_out`` only for centralisation with an efficiency
    other than 1; the difference is the saving.
    """

    operation: int
    action: str
    from_unit: str
    to_unit: str
    component: str
    hours_out: float
    hours_in: float


@dataclass(frozen=True)
class ScenarioRow:
    """One unit before and after. ``status``: unchanged, changed, new, or removed."""

    unit: str
    kind: str
    status: str
    station_type_before: str | None
    station_type_after: str | None
    before: Workload | None
    after: Workload | None
    hours_before: float
    hours_after: float
    delta_hours: float
    fte_before: float
    fte_after: float
    officers_before: int
    officers_after: int
    delta_officers: int


@dataclass(frozen=True)
class ScenarioResult:
    """The per-unit table, the transfer ledger and the totals."""

    rows: tuple[ScenarioRow, ...]
    transfers: tuple[Transfer, ...]
    total_before: float
    total_after: float
    efficiency_saving_hours: float
    components_before: Mapping[str, float]
    components_after: Mapping[str, float]
    fte_before: float
    fte_after: float
    officers_before: int
    officers_after: int

    @property
    def reconciles(self) -> bool:
        """Total before less the efficiency savings equals the total after (and per component)."""
        scale = max(1.0, self.total_before)
        if abs(self.total_before - self.efficiency_saving_hours - self.total_after) > 1e-9 * scale:
            return False
        for c in COMPONENTS:
            saved = math.fsum(t.hours_out - t.hours_in for t in self.transfers if t.component == c)
            if abs(self.components_before[c] - saved - self.components_after[c]) > 1e-9 * scale:
                return False
        return True

    def row(self, unit: str) -> ScenarioRow:
        for r in self.rows:
            if r.unit == unit:
                return r
        raise KeyError(unit)


@dataclass
class _State:
    kind: str
    station_type: str | None
    workload: Workload
    grids: dict[str, float]


def _fte(state: _State | None, policy: StaffingPolicy, scenario: Scenario) -> float:
    if state is None:
        return 0.0
    obligated = math.fsum(state.workload.get(c) for c in scenario.obligated_components)
    if state.station_type is None:
        share = scenario.non_station_proactive_share
    else:
        share = policy.proactive_share(state.station_type)
    if share + policy.admin_share >= 1.0:
        raise ValueError(f"proactive share {share} plus admin share {policy.admin_share} must be < 1")
    return workload_fte(
        obligated, policy.availability, proactive_share=share, admin_share=policy.admin_share
    ).total_fte


def _need(states: Mapping[str, _State], unit: str, i: int) -> _State:
    if unit not in states:
        raise ValueError(f"operation {i}: unit {unit!r} does not exist at this point of the scenario")
    return states[unit]


def run_scenario(units: Sequence[UnitLoad], scenario: Scenario) -> ScenarioResult:
    """Apply ``scenario`` to ``units`` and tabulate hours and FTE per unit before and after."""
    units = tuple(units)
    if not units:
        raise ValueError("at least one unit is needed")
    if not isinstance(scenario, Scenario):
        raise ValueError("scenario must be a Scenario")
    ids = [u.unit for u in units]
    if len(set(ids)) != len(ids):
        raise ValueError(f"unit ids must be unique; repeated: {sorted({i for i in ids if ids.count(i) > 1})}")
    states: dict[str, _State] = {
        u.unit: _State(u.kind, u.station_type, u.workload, dict(u.grids)) for u in units
    }
    order = list(ids)
    ledger: list[Transfer] = []

    def create(uid: str, state: _State) -> None:
        states[uid] = state
        if uid not in order:
            order.append(uid)

    def move(i: int, action: str, src: str, dst: str, component: str, out: float, into: float) -> None:
        if out == 0 and into == 0:
            return
        s, d = states[src], states[dst]
        s.workload = s.workload.with_component(component, max(0.0, s.workload.get(component) - out))
        d.workload = d.workload.with_component(component, d.workload.get(component) + into)
        ledger.append(Transfer(i, action, src, dst, component, out, into))

    for i, op in enumerate(scenario.operations):
        if isinstance(op, Centralise):
            if op.center not in states:
                create(op.center, _State(op.center_kind, None, Workload(), {}))
            for uid in list(order):
                st = states.get(uid)
                if st is None or uid == op.center or st.kind not in op.from_kinds:
                    continue
                for comp, share in (("criminal_case_hours", op.share), ("travel_hours", op.travel_share)):
                    out = st.workload.get(comp) * share
                    move(i, "centralise", uid, op.center, comp, out, out * op.efficiency)
        elif isinstance(op, Merge):
            first = _need(states, op.units[0], i)
            for uid in op.units:
                _need(states, uid, i)
            if op.into in states and op.into not in op.units:
                raise ValueError(f"operation {i}: merge target {op.into!r} already exists")
            grids: dict[str, float] = {}
            for uid in op.units:
                for g, w in states[uid].grids.items():
                    if g in grids:
                        raise ValueError(f"operation {i}: grid {g!r} belongs to two merged units")
                    grids[g] = w
            kind = op.kind or first.kind
            stype = op.station_type if op.station_type is not None else first.station_type
            if op.into not in states:
                create(op.into, _State(kind, stype, Workload(), {}))
            for uid in op.units:
                if uid == op.into:
                    continue
                for comp in COMPONENTS:
                    h = states[uid].workload.get(comp)
                    move(i, "merge", uid, op.into, comp, h, h)
                del states[uid]
            target = states[op.into]
            target.kind, target.station_type, target.grids = kind, stype, grids
        elif isinstance(op, Split):
            src = _need(states, op.unit, i)
            for p in op.parts:
                if p.unit in states and p.unit != op.unit:
                    raise ValueError(f"operation {i}: split part {p.unit!r} already exists")
            if op.parts[0].grids:
                listed = [g for p in op.parts for g in p.grids]
                if len(set(listed)) != len(listed):
                    raise ValueError(f"operation {i}: a grid is listed in two parts of {op.unit!r}")
                if set(listed) != set(src.grids):
                    missing = sorted(set(src.grids) - set(listed))
                    extra = sorted(set(listed) - set(src.grids))
                    raise ValueError(
                        f"operation {i}: the parts must cover the grids of {op.unit!r} exactly "
                        f"(missing {missing}, unknown {extra})"
                    )
                weight = math.fsum(src.grids.values())
                if weight <= 0:
                    raise ValueError(f"operation {i}: the grid weights of {op.unit!r} add up to 0")
                shares = [math.fsum(src.grids[g] for g in p.grids) / weight for p in op.parts]
            else:
                shares = [p.share for p in op.parts]  # type: ignore[misc]
            original = src.workload
            for p in op.parts:
                if p.unit != op.unit:
                    create(
                        p.unit,
                        _State(
                            p.kind or src.kind,
                            p.station_type if p.station_type is not None else src.station_type,
                            Workload(),
                            {g: src.grids[g] for g in p.grids},
                        ),
                    )
            for p, share in zip(op.parts, shares, strict=True):
                if p.unit == op.unit:
                    continue
                for comp in COMPONENTS:
                    h = original.get(comp) * share  # type: ignore[operator]
                    move(i, "split", op.unit, p.unit, comp, h, h)
            keep = next((p for p in op.parts if p.unit == op.unit), None)
            if keep is None:
                # rounding dust goes to the last part so the unit ends at exactly zero
                last = op.parts[-1].unit
                for comp in COMPONENTS:
                    rest = states[op.unit].workload.get(comp)
                    if rest > 0:
                        move(i, "split", op.unit, last, comp, rest, rest)
                del states[op.unit]
            else:
                src.grids = {g: src.grids[g] for g in keep.grids} if keep.grids else src.grids
                if keep.kind:
                    src.kind = keep.kind
                if keep.station_type is not None:
                    src.station_type = keep.station_type
        elif isinstance(op, SetStationType):
            _need(states, op.unit, i).station_type = op.station_type

    before = {u.unit: _State(u.kind, u.station_type, u.workload, dict(u.grids)) for u in units}
    policy_b = scenario.policy_before
    policy_a = scenario.policy_after or scenario.policy_before
    rows = []
    for uid in order:
        b, a = before.get(uid), states.get(uid)
        if b is None and a is None:
            continue  # created and removed within the scenario
        fte_b, fte_a = _fte(b, policy_b, scenario), _fte(a, policy_a, scenario)
        hb = b.workload.total if b else 0.0
        ha = a.workload.total if a else 0.0
        if b is None:
            status = "new"
        elif a is None:
            status = "removed"
        elif (
            a.workload == b.workload
            and a.station_type == b.station_type
            and a.kind == b.kind
            and math.isclose(fte_a, fte_b, rel_tol=1e-12, abs_tol=1e-12)
        ):
            status = "unchanged"
        else:
            status = "changed"
        ob, oa = round_up(fte_b), round_up(fte_a)
        rows.append(
            ScenarioRow(
                unit=uid,
                kind=(a or b).kind,  # type: ignore[union-attr]
                status=status,
                station_type_before=b.station_type if b else None,
                station_type_after=a.station_type if a else None,
                before=b.workload if b else None,
                after=a.workload if a else None,
                hours_before=hb,
                hours_after=ha,
                delta_hours=ha - hb,
                fte_before=fte_b,
                fte_after=fte_a,
                officers_before=ob,
                officers_after=oa,
                delta_officers=oa - ob,
            )
        )
    comp_b = {c: math.fsum(u.workload.get(c) for u in units) for c in COMPONENTS}
    comp_a = {c: math.fsum(s.workload.get(c) for s in states.values()) for c in COMPONENTS}
    return ScenarioResult(
        rows=tuple(rows),
        transfers=tuple(ledger),
        total_before=math.fsum(comp_b.values()),
        total_after=math.fsum(comp_a.values()),
        efficiency_saving_hours=math.fsum(t.hours_out - t.hours_in for t in ledger),
        components_before=MappingProxyType(comp_b),
        components_after=MappingProxyType(comp_a),
        fte_before=math.fsum(r.fte_before for r in rows),
        fte_after=math.fsum(r.fte_after for r in rows),
        officers_before=sum(r.officers_before for r in rows),
        officers_after=sum(r.officers_after for r in rows),
    )
