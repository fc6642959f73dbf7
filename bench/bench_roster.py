"""Benchmark: CP-SAT duty rosters, on the Curtois & Qu instances and on synthetic stations.

**Curtois & Qu.** Every ``Instance*.txt`` under tests/engine/data/curtois is read into the
general roster model (:mod:`jingwu.engine.roster.curtois`) and solved with a limit of
``--curtois-time`` seconds (default 600) and CP-SAT's ``--subsolvers`` (default
``max_lp``); reported: the objective reached, the lower bound and gap, the objective
recomputed from the roster by ``curtois.penalty``, the published best value, the time it
was first reached, the wall time and whether optimality was proven. The baseline, side by
side, is the model as it was before the window cuts (``window_cuts=False``) with CP-SAT's
default portfolio, for ``--baseline-time`` seconds (default 120; 0 skips it). ``--stop-at-best`` ends a run once the published best value is
reached (then optimality is not proven). The machine is shared: runs one after another.

**Stations.** A seeded synthetic station: ``--staff`` officers (default 40) in zones of
10, each zone needing per day 3 on the day shift (08:00-20:00), 2 on the night shift
(20:00-08:00), a zone lead on the day shift, and in zone 0 a traffic post; 12 hours rest
after a shift, at most 48 hours a week, at most 4 days in a row, about 5 % leave, random
requests; fairness weights on nights, weekends and holidays. The county run is
``--county-staff`` (default 1,000) officers in stations of 40 (stations are independent
parts of one problem). Reported for each: wall time, status, unmet coverage (people
missing / people needed), fairness spreads, peak resident memory, next to the baseline
of laying the day-night-off-off template over each zone and of the greedy roster the
solver starts from (their unmet coverage, spreads and rule violations).

Usage (prints one JSON object):
    python bench/bench_roster.py
    python bench/bench_roster.py --skip-curtois --staff 40 --station-time 30 --county-staff 1000 --county-time 300
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import time
from pathlib import Path

from jingwu.engine.roster import (
    Assignment,
    Leave,
    Need,
    Request,
    RosterParams,
    RosterProblem,
    ShiftType,
    Staff,
    Weights,
    fairness,
    solve_roster,
    violations,
)
from jingwu.engine.roster.curtois import penalty, read, to_problem
from jingwu.engine.roster.solve import _parts, greedy_start
from jingwu.engine.roster.templates import pattern, pattern_assignments

DATA = Path(__file__).resolve().parent.parent / "tests" / "engine" / "data" / "curtois"
# Curtois & Qu (2014), best known values (all proven optimal for instances 1-7).
BEST = {1: 607, 2: 828, 3: 1001, 4: 1716, 5: 1143, 6: 1950, 7: 1056}


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def curtois_run(
    path: Path, limit: float, stop_at_best: bool, workers: int, subsolvers: tuple[str, ...], cuts: bool = True
) -> dict:
    n = int(path.stem[8:])
    inst = read(path)
    problem = to_problem(inst)
    best = BEST.get(n)
    t0 = time.perf_counter()
    first_best: list[float] = []

    def progress(ev, best=best, t0=t0, first_best=first_best):
        if best is not None and ev.objective <= best and not first_best:
            first_best.append(time.perf_counter() - t0)
            return not stop_at_best
        return True

    r = solve_roster(
        problem,
        RosterParams(
            time_limit_s=limit,
            workers=workers,
            seed=0,
            progress=progress,
            linearization_level=2,
            subsolvers=subsolvers,
            window_cuts=cuts,
            explain_unmet=False,
        ),
    )
    return {
        "instance": path.stem,
        "days": inst.horizon,
        "staff": len(inst.staff),
        "shift_types": len(inst.shifts),
        "subsolvers": list(subsolvers) or "default portfolio",
        "window_cuts": cuts,
        "objective": r.objective,
        "bound": r.bound,
        "gap": round((r.objective - r.bound) / r.objective, 4) if r.objective else None,
        "recomputed": penalty(inst, r.assignments),
        "best_known": best,
        "reached_best": best is not None and r.objective is not None and r.objective <= best,
        "time_to_best_s": round(first_best[0], 2) if first_best else None,
        "wall_s": round(r.wall_s, 2),
        "status": r.status,
        "hard_violations": len(violations(problem, r.assignments)),
    }


def curtois(
    limit: float,
    stop_at_best: bool,
    workers: int,
    subsolvers: tuple[str, ...],
    baseline_limit: float,
    cuts: bool = True,
) -> list[dict]:
    """Each instance with the chosen subsolvers, then (``baseline_limit`` > 0) the baseline:
    the model as it was before the window cuts, with CP-SAT's default portfolio."""
    out = []
    for path in sorted(DATA.glob("Instance*.txt"), key=lambda p: int(p.stem[8:])):
        row = curtois_run(path, limit, stop_at_best, workers, subsolvers, cuts)
        if baseline_limit > 0:
            base = curtois_run(path, baseline_limit, stop_at_best, workers, (), cuts=False)
            keys = ("subsolvers", "window_cuts", "objective", "bound", "time_to_best_s", "wall_s", "status")
            row["baseline"] = {k: base[k] for k in keys}
        out.append(row)
        print(json.dumps(row), flush=True)
    return out


DAY = ShiftType("day", 720, start_minute=8 * 60)
NIGHT = ShiftType("night", 720, start_minute=20 * 60, night=True)


def station(prefix: str, staff_n: int, horizon: int, rng: random.Random) -> tuple[list, list, list, list]:
    zones = [f"{prefix}z{i}" for i in range(max(1, staff_n // 10))]
    staff, needs, leave, requests = [], [], [], []
    for i in range(staff_n):
        z = i % len(zones)
        home = zones[z]
        floater = i % 10 in (8, 9) and len(zones) > 1
        zs = (home, zones[(z + 1) % len(zones)]) if floater else (home,)
        skills = {"traffic"} if i % 7 == 0 else set()
        staff.append(
            Staff(
                f"{prefix}p{i}",
                zs,
                skills=frozenset(skills),
                lead=(i // len(zones)) < 2,
                team=f"{prefix}t{i % 8}",
                max_week_minutes=48 * 60,
                max_consecutive=4,
            )
        )
        for d in range(horizon):
            if rng.random() < 0.05:
                leave.append(Leave(staff[-1].id, d))
            elif rng.random() < 0.04:
                requests.append(Request(staff[-1].id, d, None, rng.choice((1, 2, 3)), on=False))
    for z in zones:
        for d in range(horizon):
            needs.append(Need(d, "day", z, 3, under_weight=1000, over_weight=1))
            needs.append(Need(d, "night", z, 2, under_weight=1000, over_weight=1))
            needs.append(Need(d, "day", z, 1, lead=True, under_weight=2000))
    for d in range(horizon):
        needs.append(Need(d, "day", zones[0], 1, skill="traffic", under_weight=1500))
    return staff, needs, leave, requests


def problem_for(staff_n: int, per_station: int, horizon: int, seed: int) -> RosterProblem:
    rng = random.Random(seed)
    staff, needs, leave, requests = [], [], [], []
    k = 0
    while len(staff) < staff_n:
        n = min(per_station, staff_n - len(staff))
        s, nd, lv, rq = station(f"s{k}", n, horizon, rng)
        staff += s
        needs += nd
        leave += lv
        requests += rq
        k += 1
    return RosterProblem(
        horizon=horizon,
        shifts=(DAY, NIGHT),
        staff=tuple(staff),
        needs=tuple(needs),
        leave=tuple(leave),
        requests=tuple(requests),
        holidays=frozenset({0, 1, 2}),
        min_rest_minutes=12 * 60,
        weights=Weights(nights=50, weekends=30, holidays=30),
    )


def coverage(problem: RosterProblem, assignments) -> dict:
    on: dict = {}
    staff = {p.id: p for p in problem.staff}
    for a in assignments:
        p = staff[a.staff]
        keys = [(a.day, a.shift, a.zone, None, False)]
        keys += [(a.day, a.shift, a.zone, s, False) for s in p.skills]
        if p.lead:
            keys.append((a.day, a.shift, a.zone, None, True))
        for k in keys:
            on[k] = on.get(k, 0) + 1
    need = sum(n.count for n in problem.needs)
    missing = sum(
        max(0, n.count - on.get((n.day, n.shift, n.zone, n.skill, n.lead), 0)) for n in problem.needs
    )
    return {"needed": need, "missing": missing, "unmet_share": round(missing / need, 4) if need else 0}


def baseline(problem: RosterProblem) -> dict:
    """The day-night-off-off template over each zone's staff (leave simply skipped)."""
    pat = pattern("day_night_2")
    leave = {(lv.staff, lv.day) for lv in problem.leave}
    by_zone: dict[str, list[str]] = {}
    for p in problem.staff:
        by_zone.setdefault(p.zones[0], []).append(p.id)
    out = []
    for z, ids in by_zone.items():
        for (sid, d), code in pattern_assignments(pat, ids, problem.horizon).items():
            if (sid, d) not in leave:
                out.append(Assignment(sid, d, code, z))
    return {
        **coverage(problem, out),
        "fairness": fairness(problem, out),
        "hard_violations": len(violations(problem, out)),
    }


def greedy(problem: RosterProblem) -> dict:
    """The solver's own starting roster (greedy, rule-keeping), as a second baseline."""
    t0 = time.perf_counter()
    out = [a for staff, needs in _parts(problem) for a in greedy_start(problem, staff, needs)]
    return {
        "wall_s": round(time.perf_counter() - t0, 1),
        **coverage(problem, out),
        "fairness": fairness(problem, out),
        "hard_violations": len(violations(problem, out)),
    }


def run_station(staff_n: int, limit: float, workers: int, seed: int) -> dict:
    problem = problem_for(staff_n, 40, 28, seed)
    t0 = time.perf_counter()
    r = solve_roster(problem, RosterParams(time_limit_s=limit, workers=workers, seed=seed))
    wall = time.perf_counter() - t0
    reasons: dict[str, int] = {}
    for u in r.unmet:
        reasons[u.reason] = reasons.get(u.reason, 0) + u.missing
    return {
        "staff": staff_n,
        "days": 28,
        "needs": len(problem.needs),
        "parts": r.parts,
        "status": r.status,
        "wall_s": round(wall, 1),
        "objective": r.objective,
        "bound": r.bound,
        **coverage(problem, r.assignments),
        "unmet_reasons": reasons,
        "fairness": r.fairness,
        "hard_violations": len(violations(problem, r.assignments)),
        "peak_rss_mb": round(rss_mb(), 1),
        "baseline_template": baseline(problem),
        "baseline_greedy": greedy(problem),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--curtois-time", type=float, default=600)
    ap.add_argument("--stop-at-best", action="store_true")
    ap.add_argument("--subsolvers", default="max_lp", help="comma-separated CP-SAT subsolvers")
    ap.add_argument("--no-window-cuts", action="store_true")
    ap.add_argument("--baseline-time", type=float, default=120, help="0 skips the default-portfolio runs")
    ap.add_argument("--skip-curtois", action="store_true")
    ap.add_argument("--skip-stations", action="store_true")
    ap.add_argument("--staff", type=int, default=40)
    ap.add_argument("--station-time", type=float, default=30)
    ap.add_argument("--county-staff", type=int, default=1000)
    ap.add_argument("--county-time", type=float, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    out: dict = {"machine": {"python": platform.python_version(), "cpus_shared": 2}}
    if not a.skip_curtois:
        subs = tuple(x for x in a.subsolvers.split(",") if x)
        out["curtois"] = curtois(
            a.curtois_time, a.stop_at_best, a.workers, subs, a.baseline_time, not a.no_window_cuts
        )
    if not a.skip_stations:
        out["station"] = run_station(a.staff, a.station_time, a.workers, a.seed)
        print(json.dumps({"station": out["station"]}), flush=True)
        if a.county_staff:
            out["county"] = run_station(a.county_staff, a.county_time, a.workers, a.seed)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
