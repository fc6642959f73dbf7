"""Benchmark: districting on Chicago's police beats, and workload demand on a synthetic county.

1. **Chicago** (skipped with a message when the shared data folder is absent): the 277
   police beats (``chicago_police_beats.geojson``) with aggravated assaults 2010-2019 as
   workload (point in polygon), grouped into as many districts as the beats file names
   (23: 22 districts + the airport district 31) with :func:`plan_districts`; the plan's
   Gini, max/min ratio, isoperimetric quotient, contiguity and distances against the real
   districts'. Also the 22 regular districts without the airport's three polygons. Times:
   reading, graph building, planning (each seed).
2. **Demand**: the demo generator's county (``generate_county(seed=2019)``: about 800
   grids, 79,000 incidents over three years, 3,000 premises) through
   :func:`compute_demand`, against a naive baseline (a Python loop per incident and per
   premises, the same arithmetic) - the results must agree. Median of ``--repeats`` runs.
3. **Classification** of the county's 13 stations (200 bootstrap runs).

Usage (prints one JSON object):
    python bench/bench_districting.py
    python bench/bench_districting.py --seeds 0 1 2 --repeats 5
    JINGWU_SHARED_DATA=/path/to/shared/data python bench/bench_districting.py
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import math
import os
import platform
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np
from shapely.geometry import shape

from jingwu.engine.classify import StationProfile, classify_stations, urban_share_by_density
from jingwu.engine.demand import (
    DemandPolicy,
    GridArrays,
    IncidentArrays,
    PremisesArrays,
    compute_demand,
)
from jingwu.engine.districting import AreaGraph, DistrictingOptions, plan_districts, score_assignment
from jingwu.engine.geo import AreaIndex, area_km2, distance_m
from jingwu.engine.vocab import CATEGORY_BY_CODE

REFERENCE = {"published_gini": 0.036, "published_ipq": 0.7}


def shared_data() -> Path:
    return Path(
        os.environ.get("JINGWU_SHARED_DATA") or Path(__file__).resolve().parents[2] / "shared" / "data"
    )


# --- Chicago ------------------------------------------------------------------------------


def chicago(seeds: list[int]) -> dict[str, Any]:
    root = shared_data() / "chicago"
    if not (root / "chicago_police_beats.geojson").exists():
        return {"skipped": f"Chicago data not found in {root} (set JINGWU_SHARED_DATA)"}
    t0 = time.perf_counter()
    feats = json.loads((root / "chicago_police_beats.geojson").read_text())["features"]
    polys = [shape(f["geometry"]) for f in feats]
    districts = [f["properties"]["district"] for f in feats]
    lon, lat = [], []
    with gzip.open(root / "chicago_aggravated_assaults_2010_2019.csv.gz", "rt", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["longitude"] and row["latitude"]:
                lon.append(float(row["longitude"]))
                lat.append(float(row["latitude"]))
    t1 = time.perf_counter()
    found = AreaIndex(tuple(range(len(polys))), tuple(polys)).locate_many(lon, lat)
    located = np.array([i for i in found if i is not None], dtype=np.int64)
    workload = np.bincount(located, minlength=len(polys)).astype(float)
    t2 = time.perf_counter()
    graph = AreaGraph.from_polygons(
        polys, workload, codes=[f"{f['properties']['beat_num']}/{i}" for i, f in enumerate(feats)]
    )
    t3 = time.perf_counter()
    out: dict[str, Any] = {
        "beats": graph.n,
        "assaults": int(workload.sum()),
        "assaults_outside_beats": len(lon) - len(located),
        "adjacent_pairs": len(graph.edges),
        "read_seconds": round(t1 - t0, 3),
        "point_in_polygon_seconds": round(t2 - t1, 3),
        "graph_seconds": round(t3 - t2, 3),
        "reference": REFERENCE,
    }
    out["all_23"] = _compare(graph, districts, seeds)
    # without the airport district 31 (three polygons of beat 3100)
    keep = [i for i, d in enumerate(districts) if d != "31"]
    sub = AreaGraph.from_polygons(
        [polys[i] for i in keep], workload[keep], codes=[graph.codes[i] for i in keep]
    )
    out["without_airport_22"] = _compare(sub, [districts[i] for i in keep], seeds)
    return out


def _compare(graph: AreaGraph, real_labels: list[str], seeds: list[int]) -> dict[str, Any]:
    real = score_assignment(graph, real_labels)
    runs = []
    for seed in seeds:
        start = time.perf_counter()
        plan = plan_districts(graph, DistrictingOptions(k=real.k, seed=seed))
        seconds = time.perf_counter() - start
        runs.append(
            {
                "seed": seed,
                "seconds": round(seconds, 3),
                "objective": round(plan.objective, 5),
                **plan.metrics.summary(),
            }
        )
    return {
        "districts": real.k,
        "real": real.summary(),
        "planned": runs,
        "planned_median_seconds": round(statistics.median(r["seconds"] for r in runs), 3),
        "real_objective": round(real.objective(0.2, 0.2), 5),
    }


# --- demand -------------------------------------------------------------------------------


def county_arrays(seed: int):
    from jingwu.demo.synth import generate_county

    t0 = time.perf_counter()
    county = generate_county(seed=seed)
    t1 = time.perf_counter()
    units = {u.code: u for u in county.units}
    stations = [u for u in county.units if u.kind == "station"]
    zones = [u for u in county.units if u.kind == "zone"]
    grids = [u for u in county.units if u.kind == "grid"]
    si = {u.code: i for i, u in enumerate(stations)}
    zi = {u.code: i for i, u in enumerate(zones)}
    gi = {u.code: i for i, u in enumerate(grids)}
    ga = GridArrays(
        zone=[zi[g.parent_code] for g in grids],
        zone_station=[si[z.parent_code] for z in zones],
        station_type=tuple(s.station_type for s in stations),
        households=[g.households for g in grids],
        residents=[g.residents for g in grids],
        area_km2=[area_km2(g.boundary) for g in grids],
        base_lon=[units[g.parent_code].base[0] for g in grids],
        base_lat=[units[g.parent_code].base[1] for g in grids],
        centroid_lon=[g.boundary.centroid.x for g in grids],
        centroid_lat=[g.boundary.centroid.y for g in grids],
        codes=tuple(g.code for g in grids),
        zone_codes=tuple(z.code for z in zones),
        station_codes=tuple(s.code for s in stations),
    )
    inc = county.incidents
    years = ((county.end - county.start).days + 1) / 365.25
    ia = IncidentArrays.from_timestamps(
        np.array([gi[c] for c in inc.grid]), inc.category, inc.received, lon=inc.lon, lat=inc.lat, years=years
    )
    pa = PremisesArrays([gi[p.grid_code] for p in county.premises], [p.category for p in county.premises])
    return county, ga, ia, pa, t1 - t0, si


def naive_demand(
    grids: GridArrays, inc: IncidentArrays, prem: PremisesArrays, policy: DemandPolicy
) -> dict[str, Any]:
    """The baseline: one Python iteration per incident and per premises, dict lookups."""
    n = grids.n_grids
    station = grids.station.tolist()
    zone = grids.zone.tolist()
    service, travel = [0.0] * n, [0.0] * n
    how = [[0.0] * 168 for _ in range(grids.n_stations)]
    month = [[0.0] * 12 for _ in range(grids.n_stations)]
    tp = policy.travel
    per_year = 1.0 / inc.years
    base_lon, base_lat, urban = grids.base_lon.tolist(), grids.base_lat.tolist(), grids.urban.tolist()
    for g, cat, h, m, lo, la in zip(
        inc.grid.tolist(),
        inc.category.tolist(),
        inc.hour_of_week.tolist(),
        inc.month.tolist(),
        inc.lon.tolist(),
        inc.lat.tolist(),
        strict=True,
    ):
        t = policy.time_for(cat)
        hours = t.minutes / 60 * (1 + t.backup) * per_year
        km = distance_m(base_lon[g], base_lat[g], lo, la) / 1000 if not math.isnan(lo) else 0.0
        tr = km * tp.circuity * 2 / (tp.urban_kmh if urban[g] else tp.rural_kmh) * (1 + t.backup) * per_year
        service[g] += hours
        travel[g] += tr
        how[station[g]][h] += hours + tr
        month[station[g]][m - 1] += hours + tr
    insp = [0.0] * n
    ip = policy.inspection
    for g, cat in zip(prem.grid.tolist(), prem.category.tolist(), strict=True):
        insp[g] += max(ip.requirements[cat].values()) * ip.hours_per_visit * ip.officers_per_visit
    zone_total = [0.0] * grids.n_zones
    for g in range(n):
        zone_total[zone[g]] += service[g] + travel[g] + insp[g]
    return {
        "service": service,
        "travel": travel,
        "inspection": insp,
        "how": how,
        "month": month,
        "zone": zone_total,
    }


def demand(seed: int, repeats: int) -> tuple[dict[str, Any], Any]:
    county, ga, ia, pa, gen_seconds, si = county_arrays(seed)
    policy = DemandPolicy()
    result = compute_demand(ga, ia, pa, policy)
    vec_times, naive_times = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        compute_demand(ga, ia, pa, policy)
        vec_times.append(time.perf_counter() - t)
    naive = naive_demand(ga, ia, pa, policy)
    for _ in range(max(1, repeats // 2)):
        t = time.perf_counter()
        naive_demand(ga, ia, pa, policy)
        naive_times.append(time.perf_counter() - t)
    agree = (
        np.allclose(result.grids.service_hours, naive["service"])
        and np.allclose(result.grids.travel_hours, naive["travel"])
        and np.allclose(result.grids.inspection_hours, naive["inspection"])
        and np.allclose(result.station_hour_of_week, naive["how"])
        and np.allclose(result.station_month, naive["month"])
    )
    st = result.stations
    out = {
        "grids": ga.n_grids,
        "zones": ga.n_zones,
        "stations": ga.n_stations,
        "incidents": len(ia),
        "premises": len(pa),
        "years": round(ia.years, 3),
        "generate_county_seconds": round(gen_seconds, 3),
        "vectorised_seconds_median": round(statistics.median(vec_times), 4),
        "vectorised_seconds_best": round(min(vec_times), 4),
        "naive_loop_seconds_median": round(statistics.median(naive_times), 4),
        "speedup_median": round(statistics.median(naive_times) / statistics.median(vec_times), 1),
        "results_agree": bool(agree),
        "county_hours_per_year": {
            "service": round(float(st.service_hours.sum())),
            "travel": round(float(st.travel_hours.sum())),
            "inspection_consolidated": round(float(st.inspection_hours.sum())),
            "inspection_separate": round(float(st.inspection_hours_separate.sum())),
            "basic": round(float(st.basic_hours.sum())),
            "total": round(float(st.total_hours.sum())),
        },
        "stations_total_hours": {c: round(float(h)) for c, h in zip(st.codes, st.total_hours, strict=True)},
        "seasonality": {c: round(float(s), 2) for c, s in zip(st.codes, result.seasonality, strict=True)},
    }
    return out, (county, ga, ia, si)


def classification(county, ga: GridArrays, ia: IncidentArrays, si: dict[str, int]) -> dict[str, Any]:
    stations = [u for u in county.units if u.kind == "station"]
    grid_station = ga.station
    urban = urban_share_by_density(ga.residents, ga.area_km2, grid_station, len(stations))
    profile = StationProfile.from_incidents(
        tuple(si),
        station=grid_station[ia.grid],
        month=ia.month,
        criminal=[CATEGORY_BY_CODE[c].criminal for c in ia.category.tolist()],
        residents=[s.residents for s in stations],
        floating=[s.floating for s in stations],
        area_km2=[area_km2(s.boundary) for s in stations],
        premises=np.bincount(
            [si[p.grid_code.split("-")[0]] for p in county.premises], minlength=len(stations)
        ),
        urban_share=urban,
        years=ia.years,
    )
    t = time.perf_counter()
    result = classify_stations(profile, seed=1, bootstrap=200)
    seconds = time.perf_counter() - t
    truth = {s.code: s.station_type for s in stations}
    return {
        "seconds_with_200_bootstrap_runs": round(seconds, 3),
        "agree_with_generator_types": sum(s.station_type == truth[s.code] for s in result.stations),
        "stations": {
            s.code: {
                "proposed": s.station_type,
                "generator": truth[s.code],
                "stability": round(s.stability, 2),
                "reasons": [r.as_tuple() for r in s.reasons],
            }
            for s in result.stations
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--county-seed", type=int, default=2019)
    args = parser.parse_args()
    report: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "chicago": chicago(args.seeds),
    }
    report["demand"], context = demand(args.county_seed, args.repeats)
    report["classification"] = classification(*context)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
