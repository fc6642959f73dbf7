"""Benchmark: 4-week duty rosters through the app's path, side by side with a greedy fill.

A synthetic bureau is made with the app's services (units, officers, postings): one
station of ``--staff`` people (default 40) in zones of 10 (a zone lead and nine
community officers and auxiliaries each, plus the chief at the station), and a county of
``--county-staff`` people (default 1,000) in stations of 40. Every station's coverage
needs per zone and hour are set by hand (3 people 08:00-20:00, 2 at night, one more on
Friday and Saturday evenings): the demand model needs a year of incidents, which is not
what is measured here. Then, per station, the app's roster path: ``do_start_roster``
(the station's set-up, the ``duty.roster`` job), the job run in this process
(``build_problem`` from the records, CP-SAT, every entry and the reasons for every need
left unmet written in one transaction), as the worker runs it.

Baseline, in the same script and on the very same problems (``build_problem``): the
greedy fill the solver starts from (day by day, heaviest needs first, each need filled
by the eligible people with the fewest hours and nights so far, keeping the hard rules).

Reported per run: wall time (whole app path, and the solver's own), people missing /
people needed, shifts without a leader, fairness spreads (most minus fewest nights,
weekend days, holiday shifts), entries written, peak resident memory.

Usage (prints one JSON object):
    nice -n 10 python bench/bench_duty.py
    nice -n 10 python bench/bench_duty.py --staff 40 --station-time 30 --county-staff 1000 --county-time 10
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import sys
import tempfile
import time


def setup() -> None:
    if "JINGWU_DATA_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        os.environ["JINGWU_DATA_DIR"] = tempfile.mkdtemp(prefix="jingwu-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    os.environ.setdefault("JINGWU_DEBUG", "0")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


START = dt.date(2026, 3, 2)  # a Monday
HIRED = dt.date(2020, 1, 1)


def coverage_row() -> list[int]:
    row = []
    for d in range(7):
        for h in range(24):
            n = 3 if 8 <= h < 20 else 2
            if d in (4, 5) and 18 <= h < 24:
                n += 1
            row.append(n)
    return row


def make_station(bureau, hq, index: int, staff: int):
    """A station of ``staff`` people in zones of 10, made with the app's services."""
    from shapely.geometry import box, mapping

    from jingwu.engine.ids import make_id_number
    from jingwu.org.services import do_create_unit
    from jingwu.personnel.services import do_create_officer, do_create_posting

    code = f"S{index:03d}"
    nz = max(1, (staff - 1) // 10)
    x0, y0, w = 119.0 + 0.05 * (index % 20), 31.0 + 0.05 * (index // 20), 0.04
    station = do_create_unit(
        actor=None,
        bureau=bureau,
        parent=hq,
        kind="station",
        code=code,
        name_zh=f"第{index + 1}派出所",
        name_en=f"Station {index + 1}",
        station_type="proactive",
        boundary=mapping(box(x0, y0, x0 + w, y0 + w)),
    )
    zones = [
        do_create_unit(
            actor=None,
            bureau=bureau,
            parent=station,
            kind="zone",
            code=f"{code}-Z{z + 1}",
            name_zh=f"{index + 1}所{z + 1}片",
            name_en=f"Zone {z + 1}",
            boundary=mapping(box(x0 + w * z / nz, y0, x0 + w * (z + 1) / nz, y0 + w)),
        )
        for z in range(nz)
    ]
    n = 0

    def person(unit, role, kind="police"):
        nonlocal n
        n += 1
        num = f"{index:03d}{n:03d}"
        birth = dt.date(1970 + (index * 7 + n) % 30, 1 + n % 12, 1 + n % 28)
        o = do_create_officer(
            actor=None,
            bureau=bureau,
            police_number=num,
            name=f"警员{num}",
            kind=kind,
            gender="F" if n % 4 == 0 else "M",
            birth_date=birth,
            id_number=make_id_number("330522", birth, n % 100, n % 4 == 0),
            rank="sergeant_1" if kind == "police" else "none",
            phone="139" + num.rjust(8, "0"),
            skills={},
        )
        do_create_posting(actor=None, officer=o, unit=unit, role=role, start=HIRED)

    person(station, "chief")
    for i in range(staff - 1):
        zone = zones[i % len(zones)]
        k = i // len(zones)
        if k == 0:
            person(zone, "zone_lead")
        elif k % 3 == 0:
            person(zone, "grid_auxiliary", kind="auxiliary")
        else:
            person(zone, "community")
    return station, zones


def app_roster(station, zones, *, time_limit: int, actor) -> dict:
    """The app's path: set-up with hand-set needs, do_start_roster, the job run as the worker runs it."""
    from jingwu.duty.models import RosterEntry, StationDuty
    from jingwu.duty.services import do_start_roster, station_setup
    from jingwu.jobs.services import latest_job, run_now

    setup = station_setup(station)
    row = coverage_row()
    StationDuty.objects.filter(pk=setup.pk).update(
        coverage={str(z.pk): row for z in zones}, max_week_hours=48, max_consecutive_days=5
    )
    t0 = time.perf_counter()
    roster = do_start_roster(
        station, actor=actor, start=START, days=28, time_limit=time_limit, hand_out=False
    )
    job = run_now(latest_job(roster))
    wall = time.perf_counter() - t0
    roster.refresh_from_db()
    r = roster.results or {}
    return {
        "state": job.state,
        "wall_s": round(wall, 2),
        "solver_s": r.get("wall_s"),
        "status": r.get("status"),
        "staff": r.get("staff"),
        "people_needed": r.get("people_needed"),
        "people_short": r.get("people_short"),
        "leads_short": r.get("leads_short"),
        "fairness": r.get("fairness"),
        "entries": RosterEntry.objects.filter(roster=roster).count(),
        "roster": roster,
    }


def greedy(roster) -> dict:
    """The baseline on the very same problem: the greedy rule-keeping fill."""
    from collections import Counter

    from jingwu.duty.roster import build_problem
    from jingwu.duty.services import _leave_days, station_setup
    from jingwu.engine.roster import fairness, violations
    from jingwu.engine.roster.solve import greedy_start

    t0 = time.perf_counter()
    built = build_problem(roster, station_setup(roster.station), leave=_leave_days(roster))
    p = built.problem
    out = greedy_start(p, list(p.staff), list(p.needs))
    wall = time.perf_counter() - t0
    staff = {s.id: s for s in p.staff}
    on: Counter = Counter()
    for a in out:
        on[a.day, a.shift, a.zone, False] += 1
        if staff[a.staff].lead:
            on[a.day, a.shift, a.zone, True] += 1
    short = sum(max(0, n.count - on[n.day, n.shift, n.zone, n.lead]) for n in p.needs if not n.lead)
    leads = sum(max(0, n.count - on[n.day, n.shift, n.zone, True]) for n in p.needs if n.lead)
    return {
        "wall_s": round(wall, 2),
        "people_needed": sum(n.count for n in p.needs if not n.lead),
        "people_short": short,
        "leads_short": leads,
        "fairness": fairness(p, out),
        "violations": len(violations(p, out)),
    }


def share(short, needed) -> float:
    return round(short / needed, 4) if needed else 0.0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--staff", type=int, default=40)
    ap.add_argument("--station-time", type=int, default=30)
    ap.add_argument("--county-staff", type=int, default=1000)
    ap.add_argument("--county-time", type=int, default=10, help="solver seconds per station of the county")
    args = ap.parse_args()
    setup()
    from jingwu.core.models import Bureau
    from jingwu.org.services import do_create_unit

    out: dict = {"machine": platform.processor() or platform.machine(), "python": sys.version.split()[0]}
    bureau = Bureau.objects.create(
        code="990001", name_zh="基准县公安局", name_en="Bench County PSB", region_code="990001"
    )
    hq = do_create_unit(
        actor=None, bureau=bureau, parent=None, kind="headquarters", code="HQ", name_zh="局机关", name_en="HQ"
    )
    t0 = time.perf_counter()
    station, zones = make_station(bureau, hq, 0, args.staff)
    out["setup_station_s"] = round(time.perf_counter() - t0, 2)
    rss0 = rss_mb()
    res = app_roster(station, zones, time_limit=args.station_time, actor=None)
    base = greedy(res.pop("roster"))
    res["unmet_share"] = share(res["people_short"], res["people_needed"])
    base["unmet_share"] = share(base["people_short"], base["people_needed"])
    out["station"] = {
        "app": res,
        "greedy": base,
        "rss_mb_before": round(rss0, 1),
        "rss_mb_peak": round(rss_mb(), 1),
    }
    print(json.dumps({"station": out["station"]}), flush=True)

    per = 40
    stations = []
    t0 = time.perf_counter()
    for i in range(args.county_staff // per):
        stations.append(make_station(bureau, hq, i + 1, per))
    out["setup_county_s"] = round(time.perf_counter() - t0, 2)
    app_tot = {
        "wall_s": 0.0,
        "solver_s": 0.0,
        "people_needed": 0,
        "people_short": 0,
        "leads_short": 0,
        "entries": 0,
    }
    base_tot = {"wall_s": 0.0, "people_needed": 0, "people_short": 0, "leads_short": 0, "violations": 0}
    spreads_app: dict[str, int] = {}
    spreads_base: dict[str, int] = {}
    statuses: dict[str, int] = {}
    staff = 0
    for st, zs in stations:
        r = app_roster(st, zs, time_limit=args.county_time, actor=None)
        b = greedy(r.pop("roster"))
        staff += r["staff"] or 0
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
        for k in app_tot:
            app_tot[k] += r[k] or 0
        for k in base_tot:
            base_tot[k] += b[k] or 0
        for k, v in (r["fairness"] or {}).items():
            spreads_app[k] = max(spreads_app.get(k, 0), v)
        for k, v in b["fairness"].items():
            spreads_base[k] = max(spreads_base.get(k, 0), v)
    app_tot.update(
        staff=staff,
        stations=len(stations),
        statuses=statuses,
        unmet_share=share(app_tot["people_short"], app_tot["people_needed"]),
        worst_station_spread=spreads_app,
        wall_s=round(app_tot["wall_s"], 1),
        solver_s=round(app_tot["solver_s"], 1),
    )
    base_tot.update(
        unmet_share=share(base_tot["people_short"], base_tot["people_needed"]),
        worst_station_spread=spreads_base,
        wall_s=round(base_tot["wall_s"], 2),
    )
    out["county"] = {"app": app_tot, "greedy": base_tot, "rss_mb_peak": round(rss_mb(), 1)}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
