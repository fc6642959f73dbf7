"""Consolidated inspections: one visit per premises, teams from the skills matrix, daily routes.

The reform's "one visit instead of four": every inspection element due at a premises in a
planning window (hazardous chemicals, internal security, floating population, fire
safety, public order; codes of :data:`jingwu.engine.vocab.INSPECTION_ELEMENTS`) is merged
into one visit, and that visit goes to a team whose members together hold every element's
skill ("one specialist, many skills").

1. :func:`consolidate` - one :class:`Visit` per premises with all elements due in the
   window; its duration is a base time plus each element's minutes. ``visits_avoided`` is
   the number of visits one specialist per element would have made minus the visits.
2. :func:`form_teams` - each working day, pairs (or larger teams) of available inspectors
   chosen by CP-SAT to maximise the due visits they can cover (each element set a team's
   skills contain), every inspector in at most one team a day. A team may not exceed
   ``max_team``; a team of one is allowed only if ``min_team`` is 1 (the law usually wants
   two officers at an inspection).
3. :func:`plan_inspections` - day by day, earliest deadline first: each visit open that
   day goes to a team whose skills cover it with room left (visits and visit minutes a
   team-day), preferring the team whose visits lie in the same direction; each team-day
   is a VRPTW (opening hours as windows, visit durations) solved by
   :mod:`jingwu.engine.routing` and re-checked independently; a visit that does not fit
   waits for a later day of its window. What is never placed is reported with the last
   reason it waited (``no_skills``, ``capacity``, ``day_too_short``, ``no_team_day``).

Everything is seeded and bounded in time; ``progress`` receives ``(stage, done, total)``
and returning ``False`` stops the run with what is planned so far.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from jingwu.engine.geo import distance_m
from jingwu.engine.routing import Stop, check_routes, geo_problem, solve_ortools, solve_pyvrp

#: Minutes one element adds to a visit (documented defaults, editable per bureau).
ELEMENT_MINUTES: Mapping[str, int] = {
    "hazardous_chemicals": 40,
    "security": 25,
    "floating_population": 20,
    "fire_safety": 30,
    "public_order": 25,
}


def _check(cond: bool, message: str) -> None:
    if not cond:
        raise ValueError(message)


@dataclass(frozen=True)
class DueElement:
    """Element ``element`` due at ``premises`` between ``earliest`` and ``latest`` (days)."""

    premises: str
    element: str
    earliest: int
    latest: int

    def __post_init__(self) -> None:
        _check(
            0 <= self.earliest <= self.latest,
            f"{self.premises}/{self.element}: due window must have earliest <= latest",
        )


@dataclass(frozen=True)
class Premises:
    id: str
    lon: float
    lat: float
    opens: int = 8 * 60  # minutes after midnight
    closes: int = 18 * 60
    zone: str = ""

    def __post_init__(self) -> None:
        _check(
            0 <= self.opens < self.closes <= 1440,
            f"premises {self.id}: opening hours must have opens < closes",
        )


@dataclass(frozen=True)
class Inspector:
    id: str
    skills: frozenset[str]
    days: frozenset[int]  # working days available for inspections
    home: str = ""  # zone or station code (teams prefer visits near it)

    def __post_init__(self) -> None:
        object.__setattr__(self, "skills", frozenset(self.skills))
        object.__setattr__(self, "days", frozenset(self.days))
        _check(bool(self.id), "inspector id must be non-empty")


@dataclass(frozen=True)
class Visit:
    premises: str
    elements: frozenset[str]
    earliest: int
    latest: int
    minutes: int


@dataclass(frozen=True)
class Team:
    day: int
    members: tuple[str, ...]
    skills: frozenset[str]


@dataclass(frozen=True)
class PlannedVisit:
    premises: str
    day: int
    team: int  # index into the plan's teams
    start: int  # minutes after midnight
    elements: frozenset[str]


@dataclass(frozen=True)
class PlanParams:
    base_minutes: int = 15
    element_minutes: Mapping[str, int] = field(default_factory=lambda: dict(ELEMENT_MINUTES))
    min_team: int = 2
    max_team: int = 3
    visits_per_team_day: int = 8
    day_start: int = 8 * 60 + 30
    day_end: int = 17 * 60 + 30
    speed_kmh: float = 30.0
    solver: str = "pyvrp"  # or "ortools"
    route_time_s: float = 1.0
    team_time_s: float = 5.0
    seed: int = 0
    progress: Callable[[str, int, int], bool | None] | None = None

    def __post_init__(self) -> None:
        _check(1 <= self.min_team <= self.max_team, "team size must have 1 <= min <= max")
        _check(self.visits_per_team_day >= 1, "visits a team-day must be >= 1")
        _check(self.day_start < self.day_end, "the working day must start before it ends")
        _check(self.solver in ("pyvrp", "ortools"), f"unknown routing solver {self.solver!r}")


@dataclass(frozen=True)
class InspectionPlan:
    visits: tuple[Visit, ...]
    teams: tuple[Team, ...]
    planned: tuple[PlannedVisit, ...]
    unplanned: tuple[tuple[str, str], ...]  # (premises, reason code)
    specialist_visits: int  # one visit per element due (the old way)
    visits_avoided: int
    route_km: float
    runtime_s: float
    stopped: bool = False


def consolidate(due: Sequence[DueElement], params: PlanParams | None = None) -> tuple[list[Visit], int]:
    """One visit per premises with every element due (window = the intersection of the
    elements' windows, or the earliest element's window when they do not overlap: the
    visit is then early for the later ones). Returns the visits and the number of
    specialist visits (one per element due) they replace."""
    params = params or PlanParams()
    by: dict[str, list[DueElement]] = defaultdict(list)
    for d in due:
        by[d.premises].append(d)
    visits = []
    for pid in sorted(by):
        items = by[pid]
        lo = max(d.earliest for d in items)
        hi = min(d.latest for d in items)
        if lo > hi:
            first = min(items, key=lambda d: d.latest)
            lo, hi = first.earliest, first.latest
        elements = frozenset(d.element for d in items)
        minutes = params.base_minutes + sum(params.element_minutes.get(e, 30) for e in elements)
        visits.append(Visit(pid, elements, lo, hi, minutes))
    return visits, len({(d.premises, d.element) for d in due})


def form_teams(
    inspectors: Sequence[Inspector], visits: Sequence[Visit], day: int, params: PlanParams | None = None
) -> list[Team]:
    """Teams for ``day`` from the inspectors available that day (see the module docstring)."""
    params = params or PlanParams()
    avail = sorted((i for i in inspectors if day in i.days), key=lambda i: i.id)
    if len(avail) < params.min_team:
        return []
    demand: dict[frozenset[str], int] = defaultdict(int)
    for v in visits:
        if v.earliest <= day <= v.latest:
            demand[v.elements] += 1
    m = cp_model.CpModel()
    # Candidate teams: all pairs (and triples when allowed and small enough).
    cands: list[tuple[int, ...]] = []
    n = len(avail)
    sizes = [s for s in range(params.min_team, params.max_team + 1)]
    for s in sizes:
        if s == 1:
            cands += [(i,) for i in range(n)]
        elif s == 2:
            cands += [(i, j) for i in range(n) for j in range(i + 1, n)]
        elif s == 3 and n <= 24:
            cands += [(i, j, k) for i in range(n) for j in range(i + 1, n) for k in range(j + 1, n)]
    if not cands:
        return []
    x = [m.NewBoolVar("") for _ in cands]
    for i in range(n):
        m.AddAtMostOne(x[c] for c, team in enumerate(cands) if i in team)
    value = []
    for team in cands:
        skills = frozenset().union(*(avail[i].skills for i in team))
        covered = sum(cnt for els, cnt in demand.items() if els <= skills)
        # Value: visits it can take (capped by a day's capacity), a bonus per skill, less a
        # cost per extra member (people are better used in more teams).
        value.append(
            (
                100 * min(covered, params.visits_per_team_day)
                + len(skills)
                - 50 * (len(team) - params.min_team),
                skills,
            )
        )
    m.Maximize(sum(v * xv for (v, _s), xv in zip(value, x, strict=True)))
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = params.team_time_s
    s.parameters.random_seed = params.seed
    s.parameters.num_workers = 1
    status = s.Solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return []
    teams = []
    for c, team in enumerate(cands):
        if s.BooleanValue(x[c]):
            teams.append(Team(day, tuple(avail[i].id for i in team), value[c][1]))
    return teams


def plan_inspections(
    premises: Sequence[Premises],
    due: Sequence[DueElement],
    inspectors: Sequence[Inspector],
    depot_lonlat: tuple[float, float],
    days: Sequence[int],
    params: PlanParams | None = None,
) -> InspectionPlan:
    """Consolidate, form teams each day, assign visits to team-days and route them."""
    params = params or PlanParams()
    t0 = time.perf_counter()
    where = {p.id: p for p in premises}
    missing = {d.premises for d in due} - set(where)
    _check(not missing, f"due elements name unknown premises: {sorted(missing)[:5]}")
    visits, specialist = consolidate(due, params)
    days = sorted(days)
    teams: list[Team] = []
    stopped = False
    for k, d in enumerate(days):
        teams.extend(form_teams(inspectors, visits, d, params))
        if params.progress and params.progress("teams", k + 1, len(days)) is False:
            stopped = True
            break
    by_day: dict[int, list[int]] = defaultdict(list)
    for t, team in enumerate(teams):
        by_day[team.day].append(t)
    # Team "home": the centroid of the members' homes is unknown here; teams take visits
    # in angular sectors around the depot, so a team-day's visits lie close together.
    lon0, lat0 = depot_lonlat

    def angle(pid: str) -> float:
        p = where[pid]
        return math.atan2(p.lat - lat0, (p.lon - lon0) * math.cos(math.radians(lat0)))

    unplanned: list[tuple[str, str]] = []
    planned: list[PlannedVisit] = []
    total_m = 0
    solve = solve_pyvrp if params.solver == "pyvrp" else solve_ortools
    budget = 0.85 * (params.day_end - params.day_start)  # visit minutes a team-day; the rest is travel
    why: dict[str, str] = {}  # the last reason a visit waited
    total_team_days = sum(len(by_day.get(d, [])) for d in days)
    routed = 0

    def order(v: Visit) -> tuple:
        return (v.latest, v.earliest, angle(v.premises))

    pending = sorted(visits, key=order)
    for d in days:
        if stopped:
            break
        load: dict[int, list[Visit]] = defaultdict(list)
        carry: list[Visit] = []
        for v in pending:
            if v.latest < d:  # its window has passed
                unplanned.append((v.premises, why.get(v.premises, "no_team_day")))
                continue
            if v.earliest > d:
                carry.append(v)
                continue
            able = [t for t in by_day.get(d, []) if v.elements <= teams[t].skills]
            if not able:
                why[v.premises] = "no_skills" if by_day.get(d) else "no_team_day"
                carry.append(v)
                continue
            free = [
                t
                for t in able
                if len(load[t]) < params.visits_per_team_day
                and sum(x.minutes for x in load[t]) + v.minutes <= budget
            ]
            if not free:
                why[v.premises] = "capacity"
                carry.append(v)
                continue
            # Prefer the team whose visits that day lie in the same direction, else the emptiest.
            a = angle(v.premises)

            def closeness(t: int, a: float = a, load: dict = load) -> tuple[float, int]:
                if not load[t]:
                    return (math.pi, 0)
                mean = sum(angle(x.premises) for x in load[t]) / len(load[t])
                return (abs(math.atan2(math.sin(a - mean), math.cos(a - mean))), len(load[t]))

            load[min(free, key=closeness)].append(v)
        for t in sorted(load):
            team = teams[t]
            stops = [
                (
                    Stop(
                        v.premises,
                        v.minutes,
                        max(params.day_start, where[v.premises].opens),
                        max(params.day_start, min(params.day_end, where[v.premises].closes) - v.minutes),
                        required=False,
                        prize=200_000,  # worth a 200 km detour: left out only if it cannot fit
                    ),
                    (where[v.premises].lon, where[v.premises].lat),
                )
                for v in load[t]
            ]
            prob = geo_problem(
                f"team{t}-day{team.day}",
                depot_lonlat,
                stops,
                vehicles=1,
                speed_kmh=params.speed_kmh,
                depot_open=params.day_start,
                depot_close=params.day_end,
            )
            sol = solve(prob, params.route_time_s, params.seed)
            visits_by_id = {v.premises: v for v in load[t]}
            kept: list[str] = []
            for r in sol.routes:
                kept = _feasible_prefix(prob, list(r.stops))
                if kept:
                    dist, _bad, (route,) = check_routes(prob, [kept])
                    total_m += dist
                    for pid, begin in zip(route.stops, route.starts, strict=True):
                        planned.append(PlannedVisit(pid, team.day, t, begin, visits_by_id[pid].elements))
            served = set(kept)
            for v in load[t]:
                if v.premises not in served:  # did not fit this day: try a later one
                    why[v.premises] = "day_too_short"
                    carry.append(v)
            routed += 1
            if params.progress and params.progress("routes", routed, total_team_days) is False:
                stopped = True
        pending = sorted(carry, key=order)
    unplanned.extend(
        (v.premises, "stopped" if stopped else why.get(v.premises, "no_team_day")) for v in pending
    )
    return InspectionPlan(
        visits=tuple(visits),
        teams=tuple(teams),
        planned=tuple(planned),
        unplanned=tuple(unplanned),
        specialist_visits=specialist,
        visits_avoided=specialist - len(visits),
        route_km=total_m / 1000,
        runtime_s=time.perf_counter() - t0,
        stopped=stopped,
    )


def _feasible_prefix(problem, stops: list[str]) -> list[str]:
    """Drop stops from a route until the independent check passes (a solver's route that
    misses a window keeps the visits that still fit)."""
    kept = list(stops)
    while kept:
        _d, bad, _r = check_routes(problem, [kept])
        bad = [b for b in bad if "not visited" not in b]
        if not bad:
            return kept
        kept.pop()  # the last visit of the day goes first
    return kept


def straight_km(a: Premises, b: Premises) -> float:
    return distance_m(a.lon, a.lat, b.lon, b.lat) / 1000
