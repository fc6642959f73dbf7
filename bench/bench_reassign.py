"""Benchmark: CP-SAT reassignment of a synthetic county vs two baselines, and a province loop.

**County.** A seeded synthetic bureau (``synthetic_county``) shaped like the reform: 13
stations (2 urban full-spectrum, 5 central-town proactive, 6 rural preventive), zones
under the urban and town stations (each needs a lead), an investigation center (new,
empty, needs investigators level >= 3 and steers to a mean age of 32), a prevention
center (needs each inspection specialism), headquarters departments and old brigades
being dissolved. Before the reform the staff sit where history put them: old officers
in one urban station and in the brigades, female officers in the back offices, young
investigators in the stations, too few officers where the workload is. Targets come
from the workload through :mod:`jingwu.engine.staffing`. The default size is about
1,000 staff in 60 units.

Reported for the county: CP-SAT wall time (and this process's CPU seconds, which the
machine's load changes less), deterministic time, status, objective, best bound and gap,
number of moves, hard-rule violations and the imbalance (coefficient of variation of
workload hours per officer) of the CP-SAT plan next to the proportional-rounding and
greedy baselines and the current state. The problem is prepared once
(``reassign.prepare``) and passed to the plan, the baselines and every figure.

**Province.** ``--bureaus`` synthetic bureaus (default 5; ``--bureaus 100`` for the
province run: about 100 x the per-bureau limit) planned one after another with a short
deterministic limit each (``--bureau-time``, default 5), reporting time per bureau and
peak memory (tracemalloc peak per bureau, and the process's maximum resident set size,
which must stay flat as bureaus go by).

Usage (prints one JSON object):
    python bench/bench_reassign.py
    python bench/bench_reassign.py --staff 1000 --time 20 --workers 2
    python bench/bench_reassign.py --skip-county --bureaus 100 --bureau-time 5 --bureau-staff 600
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import resource
import statistics
import time
import tracemalloc
from dataclasses import replace
from typing import Any

from jingwu.engine.reassign import (
    Headcount,
    Officer,
    ReassignParams,
    ReassignProblem,
    SkillRequirement,
    Unit,
    greedy_baseline,
    imbalance,
    plan_reassignment,
    prepare,
    proportional_baseline,
    rule_violations,
)
from jingwu.engine.staffing import workload_fte

CENTER = (120.60, 30.00)  # county seat (lon, lat)
KM_LON = 1 / 96.3  # degrees of longitude per km at 30 N
KM_LAT = 1 / 111.2
INSPECTION_SKILLS = ("hazardous_chemicals", "fire_safety", "floating_population", "public_order")
PROACTIVE = {"full_spectrum": 0.30, "proactive": 0.35, "preventive": 0.40}
HOURS = 1700.0  # net hours per officer and year used to turn workload into targets


def _at(rng: random.Random, x_km: float, y_km: float, spread_km: float) -> tuple[float, float]:
    return (
        round(CENTER[0] + (x_km + rng.gauss(0, spread_km)) * KM_LON, 6),
        round(CENTER[1] + (y_km + rng.gauss(0, spread_km)) * KM_LAT, 6),
    )


def _rank(age: int, rng: random.Random) -> str:
    if age < 26:
        return "constable_2"
    if age < 30:
        return "constable_1"
    if age < 36:
        return rng.choice(("sergeant_3", "sergeant_2"))
    if age < 45:
        return rng.choice(("sergeant_1", "inspector_3" if rng.random() < 0.3 else "sergeant_1"))
    return rng.choice(("sergeant_1", "inspector_3", "inspector_2"))


def synthetic_county(seed: int, staff: int = 1000) -> tuple[list[Unit], list[Officer]]:
    """A pre-reform county of about ``staff`` officers (police 65 %, auxiliary 35 %)."""
    rng = random.Random(seed)
    scale = staff / 1000.0
    units: list[Unit] = []
    # (unit id, kind, station type, parent, x km, y km, workload hours, zones)
    plan: list[tuple[str, str, str | None, str | None, float, float, float]] = []
    stations = [("U1", "full_spectrum", 1.5, 0.5), ("U2", "full_spectrum", -2.0, -1.0)]
    stations += [(f"T{i}", "proactive", 14 * math.cos(i * 1.3), 14 * math.sin(i * 1.3)) for i in range(1, 6)]
    stations += [
        (f"R{i}", "preventive", 26 * math.cos(i * 1.05 + 0.4), 26 * math.sin(i * 1.05 + 0.4))
        for i in range(1, 7)
    ]
    for sid, stype, x, y in stations:
        zones = {"full_spectrum": 4, "proactive": 3, "preventive": 2}[stype]
        base = {"full_spectrum": 9000, "proactive": 6500, "preventive": 7000}[stype]
        plan.append((sid, "station", stype, None, x, y, base * rng.uniform(0.7, 1.3) * scale / (1 + zones)))
        for z in range(zones):
            ang = z * 2 * math.pi / zones
            plan.append(
                (
                    f"{sid}-Z{z + 1}",
                    "zone",
                    stype,
                    sid,
                    x + 3 * math.cos(ang),
                    y + 3 * math.sin(ang),
                    base * rng.uniform(0.6, 1.4) * scale / (1 + zones) * 1.6,
                )
            )
    plan.append(("IC", "investigation_center", None, None, 0.5, 1.0, 26000 * scale))
    plan.append(("PC", "prevention_center", None, None, -0.5, 1.5, 14000 * scale))
    depts = ["HQ-office", "HQ-political", "HQ-logistics", "HQ-legal", "HQ-command", "HQ-intel"]
    old = ["OLD-crime", "OLD-order", "OLD-patrol", "OLD-water"]
    for i, d in enumerate(depts + old):
        plan.append((d, "department", None, None, 0.3 * i - 1.5, -0.5, 0.0))

    police_share = 0.65
    n_police = round(staff * police_share)
    n_aux = staff - n_police
    raw = []
    for uid, kind, stype, _parent, *_ in plan:
        w = next(p[6] for p in plan if p[0] == uid)
        if kind == "department":
            t = 0.0 if uid.startswith("OLD") else 6 * scale
        else:
            share = PROACTIVE.get(stype or "", 0.20)
            t = workload_fte(w, HOURS, proactive_share=share, admin_share=0.05).total_fte
        raw.append(t)
    total = sum(raw)
    for (uid, kind, stype, parent, x, y, w), t in zip(plan, raw, strict=True):
        tp = t / total * n_police * 1.02
        ta = t / total * n_aux * 1.02 if kind in ("station", "zone", "prevention_center") else 0.0
        if kind == "department":
            ta = 1.5 * scale
        if uid.startswith("OLD"):
            police = Headcount(0, 0, 0)
            aux = Headcount(0, 0, 0)
        else:
            police = Headcount.around(
                tp, 0.25, floor=5 if kind == "station" else (2 if kind == "zone" else 0)
            )
            aux = Headcount.around(ta, 0.35)
        skills: tuple[SkillRequirement, ...] = ()
        target_age = None
        if kind == "investigation_center":
            skills = (SkillRequirement("investigation", max(4, round(0.6 * tp)), 3, "police"),)
            target_age = 32.0
        elif kind == "prevention_center":
            skills = tuple(SkillRequirement(s, 2, 2) for s in INSPECTION_SKILLS)
        units.append(
            Unit(
                id=uid,
                kind=kind,
                lon=round(CENTER[0] + x * KM_LON, 6),
                lat=round(CENTER[1] + y * KM_LAT, 6),
                police=police,
                auxiliary=aux,
                station_type=stype,
                parent=parent,
                skills=skills,
                min_on_duty=1 if kind == "station" else 0,
                # total hours: obligated hours grossed up by the proactive and admin shares,
                # so an ideal plan carries the same hours per officer in every unit
                workload_hours=round(t * HOURS, 1) if w > 0 else None,
                target_mean_age=target_age,
                balance_weight=4.0 if kind == "investigation_center" else 1.0,
            )
        )

    # Pre-reform placement: weights per unit that differ from the targets.
    def pre_weight(u: Unit) -> float:
        if u.id.startswith("OLD"):
            return 12 * scale
        if u.kind == "department":
            return 10 * scale
        if u.kind in ("investigation_center",):
            return 0.0
        if u.kind == "prevention_center":
            return 0.3 * u.police.target
        if u.id == "U1" or (u.parent == "U1"):
            return 1.5 * u.police.target
        if u.station_type == "preventive":
            return 0.7 * u.police.target
        return u.police.target

    weights = [pre_weight(u) for u in units]
    unit_xy = {u.id: ((u.lon - CENTER[0]) / KM_LON, (u.lat - CENTER[1]) / KM_LAT) for u in units}
    officers: list[Officer] = []
    police_units = rng.choices(units, weights=weights, k=n_police)
    aux_weights = [
        w if u.kind in ("station", "zone") else 0.15 * w for u, w in zip(units, weights, strict=True)
    ]
    aux_units = rng.choices(units, weights=aux_weights, k=n_aux)
    for i, u in enumerate(police_units + aux_units):
        kind = "police" if i < n_police else "auxiliary"
        closing = u.id.startswith("OLD")  # no one is locked in a brigade being dissolved
        old_unit = u.id == "U1" or u.parent == "U1" or u.id.startswith("OLD") or u.kind == "department"
        if kind == "auxiliary":
            age = rng.randint(22, 45)
        elif old_unit:
            age = min(56 if closing else 60, max(24, round(rng.gauss(48, 7))))
        else:
            age = min(60, max(23, round(rng.gauss(35, 8))))
        backoffice = u.kind == "department"
        female = rng.random() < (0.45 if backoffice else 0.12)
        skills: dict[str, int] = {}
        if kind == "police":
            if u.id == "OLD-crime" or (age < 40 and rng.random() < 0.35):
                skills["investigation"] = rng.choice((2, 3, 3, 4))
            elif rng.random() < 0.25:
                skills["investigation"] = rng.choice((1, 2))
            for s in INSPECTION_SKILLS:
                if rng.random() < (0.35 if u.id == "OLD-order" else 0.08):
                    skills[s] = rng.choice((1, 2, 3))
            if backoffice:
                skills["admin"] = rng.choice((2, 3, 4))
            else:
                skills["community_work"] = rng.choice((1, 2, 3))
        else:
            skills["patrol"] = rng.choice((1, 2))
        rank = _rank(age, rng) if kind == "police" else "none"
        if backoffice:
            role = "back_office" if rng.random() < 0.7 else "staff"
        elif kind == "auxiliary":
            role = "grid_auxiliary"
        else:
            role = rng.choice(("community", "patrol", "investigator", "case_handler"))
            if age >= 35 and rng.random() < 0.10:
                role = "deputy_chief"
        hx, hy = unit_xy[u.id]
        lon, lat = _at(rng, hx, hy, 4.0)
        officers.append(
            Officer(
                id=f"P{i:05d}" if kind == "police" else f"A{i:05d}",
                kind=kind,
                age=age,
                gender="F" if female else "M",
                unit=u.id,
                lon=lon,
                lat=lat,
                skills=skills,
                rank=rank,
                role=role,
                on_leave=not closing and rng.random() < 0.02,
                pinned=not closing and rng.random() < 0.01,
            )
        )
    return units, officers


def _round(x: float | None, n: int = 4) -> float | None:
    return None if x is None else round(x, n)


def run_county(staff: int, seed: int, det_time: float, workers: int) -> dict[str, Any]:
    units, officers = synthetic_county(seed, staff)
    params = ReassignParams(max_deterministic_time=det_time, num_workers=workers, seed=seed)
    problem = ReassignProblem(tuple(units), tuple(officers), params)
    t0 = time.perf_counter()
    prepared = prepare(problem)
    t_prepare = time.perf_counter() - t0
    t0 = time.perf_counter()
    prop = proportional_baseline(prepared)
    t_prop = time.perf_counter() - t0
    t0 = time.perf_counter()
    greedy = greedy_baseline(prepared)
    t_greedy = time.perf_counter() - t0
    cpu0 = time.process_time()
    plan = plan_reassignment(prepared)
    cpu_plan = time.process_time() - cpu0
    current = {o.id: o.unit for o in officers}

    def summary(assign: dict[str, str] | Any, seconds: float | None) -> dict[str, Any]:
        return {
            "imbalance": _round(imbalance(prepared, assign)),
            "moves": sum(1 for o in officers if assign[o.id] != o.unit),
            "rule_violations": len(rule_violations(prepared, assign)),
            "seconds": _round(seconds, 3),
        }

    ic_after = next(f for f in plan.after if f.unit == "IC")
    u1_before = next(f for f in plan.before if f.unit == "U1")
    u1_after = next(f for f in plan.after if f.unit == "U1")
    police = [o for o in officers if o.kind == "police"]
    return {
        "staff": len(officers),
        "units": len(units),
        "variables": plan.variables,
        "cp_sat": {
            "status": plan.status,
            "wall_seconds": round(plan.wall_seconds, 2),
            "cpu_seconds": round(cpu_plan, 2),
            "prepare_seconds": round(t_prepare, 3),
            "stage_seconds": dict(plan.stage_seconds),
            "deterministic_seconds": round(plan.deterministic_seconds, 2),
            "start_objective": _round(plan.start_objective, 2),
            "objective": _round(plan.objective, 2),
            "best_bound": _round(plan.best_bound, 2),
            "gap": _round(plan.gap, 5),
            "terms": dict(plan.terms),
            **summary(dict(plan.assignment), None),
        },
        "proportional_rounding": summary(prop, t_prop),
        "greedy": summary(greedy, t_greedy),
        "current": summary(current, None),
        "reform_shape": {
            "county_mean_age_police": round(statistics.fmean(o.age for o in police), 1),
            "ic_mean_age_after": _round(ic_after.mean_age, 1),
            "u1_mean_age_before": _round(u1_before.mean_age, 1),
            "u1_mean_age_after": _round(u1_after.mean_age, 1),
            "female_back_office_to_operational": sum(
                1 for m in plan.moves for r in m.reasons if r[0] == "female_to_operational"
            ),
        },
    }


def run_infeasible(staff: int, seed: int, workers: int) -> dict[str, Any]:
    """The county with an investigation center asking for more investigators than exist."""
    units, officers = synthetic_county(seed, staff)
    qualified = sum(1 for o in officers if o.kind == "police" and o.level("investigation") >= 3)
    units = [
        replace(
            u,
            skills=(SkillRequirement("investigation", qualified + 5, 3, "police"),),
            police=Headcount(qualified + 5, qualified + 5, qualified + 40),
        )
        if u.kind == "investigation_center"
        else u
        for u in units
    ]
    params = ReassignParams(max_deterministic_time=5.0, num_workers=workers, seed=seed)
    plan = plan_reassignment(ReassignProblem(tuple(units), tuple(officers), params))
    return {
        "status": plan.status,
        "wall_seconds": round(plan.wall_seconds, 2),
        "stage_seconds": dict(plan.stage_seconds),
        "minimal": plan.minimal_conflict,
        "conflicts": [c.message for c in plan.conflicts],
    }


def run_province(
    bureaus: int, staff: int, det_time: float, workers: int, seed: int, lns: int
) -> dict[str, Any]:
    times, cpus, peaks, rss, statuses, gaps = [], [], [], [], [], []
    infeasible: list[dict[str, Any]] = []
    for b in range(bureaus):
        units, officers = synthetic_county(seed + b, staff)
        params = ReassignParams(
            max_deterministic_time=det_time,
            num_workers=workers,
            seed=b,
            lns_iterations=lns,
            local_search_passes=4,
        )
        tracemalloc.start()
        t0, cpu0 = time.perf_counter(), time.process_time()
        plan = plan_reassignment(ReassignProblem(tuple(units), tuple(officers), params))
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - cpu0)
        peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
        rss.append(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        statuses.append(plan.status)
        gaps.append(plan.gap if plan.gap is not None else float("nan"))
        if plan.status == "INFEASIBLE":  # the synthetic draw broke a rule: say which, as a planner sees it
            infeasible.append({"bureau": b, "seconds": round(times[-1], 2), "why": plan.conflict_summary})
        del plan, units, officers
    return {
        "bureaus": bureaus,
        "staff_per_bureau": staff,
        "deterministic_limit_per_bureau": det_time,
        "seconds_per_bureau_mean": round(statistics.fmean(times), 2),
        "seconds_per_bureau_max": round(max(times), 2),
        "cpu_seconds_per_bureau_mean": round(statistics.fmean(cpus), 2),
        "seconds_total": round(sum(times), 1),
        "python_peak_mib_max": round(max(peaks), 1),
        "seconds_per_bureau_median": round(statistics.median(times), 2),
        "max_rss_mib_first": round(rss[0], 1),
        "max_rss_mib_last": round(rss[-1], 1),
        # the process's maximum resident set after 1, 10, 25, 50, 75 and all bureaus
        "max_rss_mib_by_bureau": {
            str(n): round(rss[n - 1], 1) for n in sorted({1, 10, 25, 50, 75, bureaus}) if n <= bureaus
        },
        "statuses": {s: statuses.count(s) for s in sorted(set(statuses))},
        "gap_max": round(max(g for g in gaps if g == g), 5) if any(g == g for g in gaps) else None,
        "infeasible": infeasible,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--time", type=float, default=8.0, help="deterministic time limit for the county")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--bureaus", type=int, default=5)
    parser.add_argument("--bureau-staff", type=int, default=600)
    parser.add_argument("--bureau-time", type=float, default=5.0)
    parser.add_argument("--bureau-lns", type=int, default=20, help="LNS steps per bureau")
    parser.add_argument("--skip-county", action="store_true")
    args = parser.parse_args()
    out: dict[str, Any] = {"machine": {"python": platform.python_version(), "processor": platform.machine()}}
    if not args.skip_county:
        out["county"] = run_county(args.staff, args.seed, args.time, args.workers)
        out["infeasible_county"] = run_infeasible(args.staff, args.seed, args.workers)
    if args.bureaus > 0:
        out["province"] = run_province(
            args.bureaus, args.bureau_staff, args.bureau_time, args.workers, args.seed, args.bureau_lns
        )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
