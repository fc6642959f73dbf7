"""Daily routes with time windows (VRPTW): PyVRP, and OR-Tools routing as a second opinion.

A :class:`RoutingProblem` is a depot (the station or center), stops (premises to visit,
each with opening hours as a time window, a visit duration, optionally a demand and a
prize when a visit may be left for another day) and a number of vehicles (teams) with a
capacity and the depot's working hours. Distances and durations are integer matrices
over ``[depot, *stops]``: :func:`euclidean_problem` builds them from planar coordinates
with the DIMACS convention of the Solomon benchmark (distance truncated to one decimal,
i.e. ``floor(10 * d)`` in tenths, travel time = distance), :func:`geo_problem` from
longitude/latitude in metres and minutes at a travel speed.

:func:`solve_pyvrp` (hybrid genetic search) and :func:`solve_ortools` (OR-Tools routing:
path-cheapest-arc start, guided local search) solve the same problem at the same time
limit and return a :class:`RoutingSolution`; :func:`check_routes` recomputes every
route's times, loads and length independently of both solvers (a route that misses a
window, overloads, runs past the depot's closing or repeats a stop is reported), so
neither solver is trusted for feasibility. Solomon files (the original text layout) and
VRPLIB files (the PyVRP dialect with ``SERVICE_TIME`` and ``TIME_WINDOW_SECTION``) are read
by :func:`read_solomon` and :func:`read_vrplib`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from jingwu.engine.geo import distance_m

INF_TIME = 10**9


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


@dataclass(frozen=True)
class Stop:
    """A place to visit: ``tw_early``..``tw_late`` is when a visit may *start*."""

    id: str
    service: int
    tw_early: int = 0
    tw_late: int = INF_TIME
    demand: int = 0
    required: bool = True
    prize: int = 0

    def __post_init__(self) -> None:
        _check(bool(self.id), "stop id must be non-empty")
        _check(self.service >= 0, f"stop {self.id}: visit duration must be >= 0")
        _check(0 <= self.tw_early <= self.tw_late, f"stop {self.id}: time window must have early <= late")
        _check(self.demand >= 0 and self.prize >= 0, f"stop {self.id}: demand and prize must be >= 0")


@dataclass(frozen=True)
class RoutingProblem:
    """``distance`` and ``duration`` are square integer matrices over ``[depot, *stops]``;
    ``depot_open``..``depot_close`` the working hours (routes leave and return within
    them); ``capacity`` per vehicle (``None`` = no capacity)."""

    name: str
    stops: tuple[Stop, ...]
    distance: tuple[tuple[int, ...], ...]
    duration: tuple[tuple[int, ...], ...]
    vehicles: int
    capacity: int | None = None
    depot_open: int = 0
    depot_close: int = INF_TIME
    scale: int = 1  # distance units per reported unit (10 for Solomon tenths)
    ids: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "stops", tuple(self.stops))
        n = len(self.stops) + 1
        _check(self.vehicles >= 1, "at least one vehicle (team) is needed")
        _check(
            len(self.distance) == n and all(len(r) == n for r in self.distance), f"distance must be {n} x {n}"
        )
        _check(
            len(self.duration) == n and all(len(r) == n for r in self.duration), f"duration must be {n} x {n}"
        )
        _check(self.depot_open <= self.depot_close, "depot must open before it closes")
        ids = tuple(s.id for s in self.stops)
        _check(len(set(ids)) == len(ids), "stop ids repeat")
        object.__setattr__(self, "ids", ids)
        if self.capacity is not None:
            _check(self.capacity >= 0, "capacity must be >= 0")


@dataclass(frozen=True)
class Route:
    stops: tuple[str, ...]
    starts: tuple[int, ...]  # service start time at each stop
    distance: int
    end: int  # back at the depot


@dataclass(frozen=True)
class RoutingSolution:
    solver: str
    routes: tuple[Route, ...]
    distance: int
    unserved: tuple[str, ...]
    feasible: bool
    violations: tuple[str, ...]
    runtime_s: float

    @property
    def length(self) -> float:
        """Total distance in reported units (e.g. the Solomon distance)."""
        return self.distance / self._scale

    _scale: int = 1


@dataclass(frozen=True)
class RouteProgress:
    elapsed_s: float
    best_cost: float


# --------------------------------------------------------------------------- builders


def euclidean_problem(
    name: str,
    depot_xy: tuple[float, float],
    stops: Sequence[tuple[Stop, tuple[float, float]]],
    vehicles: int,
    capacity: int | None = None,
    depot_open: int = 0,
    depot_close: int = INF_TIME,
    scale: int = 10,
) -> RoutingProblem:
    """Planar coordinates; distance = travel time = ``floor(scale * euclidean)`` (the DIMACS
    convention for Solomon instances at ``scale=10``); windows and durations must already
    be in the same units."""
    pts = [depot_xy, *[xy for _s, xy in stops]]
    mat = tuple(
        tuple(int(math.floor(scale * math.hypot(a[0] - b[0], a[1] - b[1]) + 1e-9)) for b in pts) for a in pts
    )
    return RoutingProblem(
        name=name,
        stops=tuple(s for s, _ in stops),
        distance=mat,
        duration=mat,
        vehicles=vehicles,
        capacity=capacity,
        depot_open=depot_open,
        depot_close=depot_close,
        scale=scale,
    )


def geo_problem(
    name: str,
    depot_lonlat: tuple[float, float],
    stops: Sequence[tuple[Stop, tuple[float, float]]],
    vehicles: int,
    speed_kmh: float = 30.0,
    detour: float = 1.3,
    capacity: int | None = None,
    depot_open: int = 0,
    depot_close: int = INF_TIME,
) -> RoutingProblem:
    """Longitude/latitude; distance in metres (great circle times ``detour`` for the road
    network), travel time in minutes at ``speed_kmh`` (rounded up)."""
    _check(speed_kmh > 0 and detour >= 1, "speed must be > 0 and detour >= 1")
    pts = [depot_lonlat, *[ll for _s, ll in stops]]
    dist = tuple(tuple(int(round(detour * distance_m(a[0], a[1], b[0], b[1]))) for b in pts) for a in pts)
    per_min = speed_kmh * 1000 / 60
    dur = tuple(tuple(int(math.ceil(d / per_min)) for d in row) for row in dist)
    return RoutingProblem(
        name=name,
        stops=tuple(s for s, _ in stops),
        distance=dist,
        duration=dur,
        vehicles=vehicles,
        capacity=capacity,
        depot_open=depot_open,
        depot_close=depot_close,
        scale=1000,
    )


def read_solomon(path: str | Path, scale: int = 10) -> RoutingProblem:
    """A Solomon instance in its original text layout (name, VEHICLE, CUSTOMER table)."""
    lines = [ln.split() for ln in Path(path).read_text(encoding="utf-8").splitlines()]
    name = lines[0][0]
    vehicles = capacity = None
    rows = []
    for i, parts in enumerate(lines):
        if parts[:2] == ["NUMBER", "CAPACITY"]:
            vehicles, capacity = (int(v) for v in lines[i + 1][:2])
        if len(parts) == 7 and all(p.replace(".", "", 1).isdigit() for p in parts):
            rows.append([float(p) for p in parts])
    _check(vehicles is not None and rows, f"{path}: not a Solomon instance")
    depot = rows[0]
    stops = [
        (
            Stop(str(int(r[0])), int(r[6] * scale), int(r[4] * scale), int(r[5] * scale), int(r[3])),
            (r[1], r[2]),
        )
        for r in rows[1:]
    ]
    return euclidean_problem(
        name,
        (depot[1], depot[2]),
        stops,
        vehicles,
        capacity,
        int(depot[4] * scale),
        int(depot[5] * scale),
        scale,
    )


def read_vrplib(path: str | Path, scale: int = 10) -> RoutingProblem:
    """A VRPTW in VRPLIB layout (``NODE_COORD_SECTION``, ``DEMAND_SECTION``,
    ``TIME_WINDOW_SECTION``, ``SERVICE_TIME`` or ``SERVICE_TIME_SECTION``, ``DEPOT_SECTION``)."""
    header: dict[str, str] = {}
    sections: dict[str, list[list[str]]] = {}
    current = None
    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line == "EOF":
            continue
        if ":" in line and not line[0].isdigit():
            k, v = line.split(":", 1)
            header[k.strip()] = v.strip()
            current = None
        elif line.endswith("_SECTION"):
            current = line
            sections[current] = []
        elif current:
            sections[current].append(line.split())
    coords = {int(r[0]): (float(r[1]), float(r[2])) for r in sections["NODE_COORD_SECTION"]}
    demand = {int(r[0]): int(r[1]) for r in sections.get("DEMAND_SECTION", [])}
    tw = {int(r[0]): (int(r[1]), int(r[2])) for r in sections["TIME_WINDOW_SECTION"]}
    service_all = float(header.get("SERVICE_TIME", 0))
    service = {int(r[0]): float(r[1]) for r in sections.get("SERVICE_TIME_SECTION", [])}
    depot = int(sections["DEPOT_SECTION"][0][0])
    nodes = [n for n in sorted(coords) if n != depot]
    stops = [
        (
            Stop(
                str(n),
                int(service.get(n, service_all) * scale),
                tw[n][0] * scale,
                tw[n][1] * scale,
                demand.get(n, 0),
            ),
            coords[n],
        )
        for n in nodes
    ]
    return euclidean_problem(
        header.get("NAME", Path(path).stem),
        coords[depot],
        stops,
        int(header.get("VEHICLES", len(nodes))),
        int(header["CAPACITY"]) if "CAPACITY" in header else None,
        tw[depot][0] * scale,
        tw[depot][1] * scale,
        scale,
    )


# --------------------------------------------------------------------------- checking


def check_routes(
    problem: RoutingProblem, routes: Sequence[Sequence[str]]
) -> tuple[int, list[str], list[Route]]:
    """Recompute ``routes`` (lists of stop ids) from the matrices alone: total distance,
    the violations found (missed window, over capacity, late back at the depot, a stop
    visited twice, a required stop not visited, too many routes), and each route's times
    (service starts as early as allowed, waiting when early)."""
    index = {sid: i + 1 for i, sid in enumerate(problem.ids)}
    stops = {s.id: s for s in problem.stops}
    seen: set[str] = set()
    out: list[str] = []
    total = 0
    done: list[Route] = []
    used = [r for r in routes if r]
    if len(used) > problem.vehicles:
        out.append(f"{len(used)} routes for {problem.vehicles} vehicles")
    for k, route in enumerate(used):
        t, prev, dist, load, starts = problem.depot_open, 0, 0, 0, []
        for sid in route:
            if sid not in index:
                out.append(f"route {k}: unknown stop {sid}")
                continue
            if sid in seen:
                out.append(f"stop {sid} visited twice")
            seen.add(sid)
            i, s = index[sid], stops[sid]
            dist += problem.distance[prev][i]
            t = max(t + problem.duration[prev][i], s.tw_early)
            if t > s.tw_late:
                out.append(f"route {k}: stop {sid} starts at {t}, after its window closes at {s.tw_late}")
            starts.append(t)
            t += s.service
            load += s.demand
            prev = i
        dist += problem.distance[prev][0]
        t += problem.duration[prev][0]
        if t > problem.depot_close:
            out.append(f"route {k}: back at the depot at {t}, after it closes at {problem.depot_close}")
        if problem.capacity is not None and load > problem.capacity:
            out.append(f"route {k}: load {load} over capacity {problem.capacity}")
        total += dist
        done.append(Route(tuple(route), tuple(starts), dist, t))
    for s in problem.stops:
        if s.required and s.id not in seen:
            out.append(f"required stop {s.id} not visited")
    return total, out, done


def _solution(
    problem: RoutingProblem, solver: str, routes: list[list[str]], runtime: float
) -> RoutingSolution:
    total, bad, done = check_routes(problem, routes)
    served = {sid for r in routes for sid in r}
    return RoutingSolution(
        solver=solver,
        routes=tuple(done),
        distance=total,
        unserved=tuple(s for s in problem.ids if s not in served),
        feasible=not bad,
        violations=tuple(bad),
        runtime_s=runtime,
        _scale=problem.scale,
    )


# --------------------------------------------------------------------------- PyVRP


class _PyVRPStop:
    """PyVRP stopping criterion: the time limit, plus the progress callback (which stops
    the search when it returns ``False``), called at most every ``every`` seconds."""

    def __init__(
        self, limit: float, progress: Callable[[RouteProgress], bool | None] | None, every: float = 0.5
    ):
        self.limit, self.progress, self.every = limit, progress, every
        self.start = time.perf_counter()
        self.last = self.start

    def __call__(self, best_cost: float) -> bool:
        now = time.perf_counter()
        if self.progress is not None and now - self.last >= self.every:
            self.last = now
            if self.progress(RouteProgress(now - self.start, best_cost)) is False:
                return True
        return now - self.start >= self.limit


def solve_pyvrp(
    problem: RoutingProblem,
    time_limit_s: float = 10.0,
    seed: int = 0,
    progress: Callable[[RouteProgress], bool | None] | None = None,
) -> RoutingSolution:
    """Solve with PyVRP's hybrid genetic search (minimises distance; optional stops are
    left out when their prize is below the cost of visiting)."""
    import pyvrp

    _check(time_limit_s > 0, "time limit must be > 0 seconds")
    m = pyvrp.Model()
    n = len(problem.stops) + 1
    locs = [m.add_location(0.0, 0.0, name="depot")] + [
        m.add_location(0.0, 0.0, name=s.id) for s in problem.stops
    ]
    depot = m.add_depot(locs[0], tw_early=problem.depot_open, tw_late=problem.depot_close)
    cap = [problem.capacity] if problem.capacity is not None else []
    m.add_vehicle_type(
        num_available=problem.vehicles,
        capacity=cap,
        start_depot=depot,
        end_depot=depot,
        tw_early=problem.depot_open,
        tw_late=problem.depot_close,
    )
    for loc, s in zip(locs[1:], problem.stops, strict=True):
        m.add_client(
            loc,
            delivery=[s.demand] if cap else [],
            service_duration=s.service,
            tw_early=s.tw_early,
            tw_late=s.tw_late,
            required=s.required,
            prize=s.prize,
            name=s.id,
        )
    for i in range(n):
        for j in range(n):
            if i != j:
                m.add_edge(locs[i], locs[j], distance=problem.distance[i][j], duration=problem.duration[i][j])
    t0 = time.perf_counter()
    result = m.solve(stop=_PyVRPStop(time_limit_s, progress), seed=seed, display=False, collect_stats=False)
    runtime = time.perf_counter() - t0
    routes = []
    for r in result.best.routes():
        routes.append([problem.ids[a.idx] for a in r.schedule() if a.type == pyvrp.ActivityType.CLIENT])
    return _solution(problem, "pyvrp", routes, runtime)


# --------------------------------------------------------------------------- OR-Tools


def solve_ortools(
    problem: RoutingProblem,
    time_limit_s: float = 10.0,
    seed: int = 0,
    progress: Callable[[RouteProgress], bool | None] | None = None,
) -> RoutingSolution:
    """Solve with OR-Tools routing: a time dimension (travel plus visit duration, waiting
    allowed), a capacity dimension, optional stops as disjunctions with their prize as the
    penalty (required stops with a prohibitive one); path-cheapest-arc then guided local search until the time limit. OR-Tools'
    routing search is deterministic (``seed`` is accepted for a uniform call)."""
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    _check(time_limit_s > 0, "time limit must be > 0 seconds")
    del seed
    n = len(problem.stops) + 1
    mgr = pywrapcp.RoutingIndexManager(n, problem.vehicles, 0)
    routing = pywrapcp.RoutingModel(mgr)
    dist, dur = problem.distance, problem.duration
    service = [0] + [s.service for s in problem.stops]

    def d_cb(i: int, j: int) -> int:
        return dist[mgr.IndexToNode(i)][mgr.IndexToNode(j)]

    def t_cb(i: int, j: int) -> int:
        a, b = mgr.IndexToNode(i), mgr.IndexToNode(j)
        return service[a] + dur[a][b]

    d_idx = routing.RegisterTransitCallback(d_cb)
    routing.SetArcCostEvaluatorOfAllVehicles(d_idx)
    t_idx = routing.RegisterTransitCallback(t_cb)
    horizon = problem.depot_close
    big = 1000 * (1 + max(max(r) for r in dist))
    routing.AddDimension(t_idx, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    for k, s in enumerate(problem.stops, start=1):
        idx = mgr.NodeToIndex(k)
        tdim.CumulVar(idx).SetRange(s.tw_early, min(s.tw_late, horizon))
        # Required stops get a prohibitive drop penalty rather than a hard rule, so a first
        # solution always exists with tight windows; one left out is reported infeasible.
        routing.AddDisjunction([idx], s.prize if not s.required else big)
    for v in range(problem.vehicles):
        tdim.CumulVar(routing.Start(v)).SetRange(problem.depot_open, horizon)
        tdim.CumulVar(routing.End(v)).SetRange(problem.depot_open, horizon)
    if problem.capacity is not None:
        demand = [0] + [s.demand for s in problem.stops]
        q_idx = routing.RegisterUnaryTransitCallback(lambda i: demand[mgr.IndexToNode(i)])
        routing.AddDimensionWithVehicleCapacity(q_idx, 0, [problem.capacity] * problem.vehicles, True, "load")
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    t0 = time.perf_counter()
    if progress is not None:

        def at_solution() -> None:
            cost = routing.CostVar().Max()
            if progress(RouteProgress(time.perf_counter() - t0, float(cost))) is False:
                routing.solver().FinishCurrentSearch()

        routing.AddAtSolutionCallback(at_solution)
    sol = routing.SolveWithParameters(params)
    runtime = time.perf_counter() - t0
    routes: list[list[str]] = []
    if sol is not None:
        for v in range(problem.vehicles):
            idx = sol.Value(routing.NextVar(routing.Start(v)))
            route = []
            while not routing.IsEnd(idx):
                route.append(problem.ids[mgr.IndexToNode(idx) - 1])
                idx = sol.Value(routing.NextVar(idx))
            if route:
                routes.append(route)
    return _solution(problem, "ortools", routes, runtime)


def gap(value: float, best_known: float) -> float:
    """Relative gap ``(value - best) / best`` (0.012 = 1.2 %)."""
    _check(best_known > 0, "best known value must be > 0")
    return (value - best_known) / best_known
