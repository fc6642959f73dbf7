"""Districting: adjacency, metrics, the heuristic, CP-SAT refinement, Chicago (engine/districting.py)."""

from __future__ import annotations

import csv
import gzip
import json
import math
import os
import time
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Polygon, box, shape

from jingwu.engine.districting import (
    AreaGraph,
    DistrictingOptions,
    compare_assignments,
    gini,
    plan_districts,
    refine_exact,
    score_assignment,
)
from jingwu.engine.geo import AreaIndex

DATA = Path(__file__).parent / "data"
FIXTURE = DATA / "chicago_beats_d05_d06_d22.geojson"
LON, LAT = 119.90, 31.00
STEP = 0.01  # lattice cell in degrees (about 950 m x 1,110 m at 31° N)


def shared_data() -> Path:
    return Path(os.environ.get("JINGWU_SHARED_DATA") or Path(__file__).parents[3] / "shared" / "data")


def lattice(rows: int, cols: int, workload=None) -> AreaGraph:
    """rows x cols square cells in lon/lat, numbered row by row."""
    polys = [
        box(LON + c * STEP, LAT + r * STEP, LON + (c + 1) * STEP, LAT + (r + 1) * STEP)
        for r in range(rows)
        for c in range(cols)
    ]
    w = np.ones(rows * cols) if workload is None else np.asarray(workload, dtype=float)
    return AreaGraph.from_polygons(polys, w, codes=[f"r{r}c{c}" for r in range(rows) for c in range(cols)])


def load_fixture() -> tuple[AreaGraph, list[str]]:
    data = json.loads(FIXTURE.read_text())
    feats = data["features"]
    graph = AreaGraph.from_polygons(
        [shape(f["geometry"]) for f in feats],
        [f["properties"]["assaults_2010_2019"] for f in feats],
        codes=[f["properties"]["beat_num"] for f in feats],
    )
    return graph, [f["properties"]["district"] for f in feats]


# --- gini -----------------------------------------------------------------------------------


def test_gini_values() -> None:
    assert gini([5, 5, 5, 5]) == 0.0
    assert gini([0, 0, 0, 1]) == pytest.approx(0.75)
    assert gini([1, 2, 3]) == pytest.approx(
        sum(abs(a - b) for a in (1, 2, 3) for b in (1, 2, 3)) / (2 * 9 * 2)
    )
    assert gini([0, 0]) == 0.0
    with pytest.raises(ValueError, match="non-negative"):
        gini([1, -1])
    with pytest.raises(ValueError, match="non-empty"):
        gini([])


# --- the area graph -------------------------------------------------------------------------


def cell_sides() -> tuple[float, float]:
    """East-west and north-south sides of a lattice cell in metres."""
    ky = 111_195.0  # metres per degree of latitude
    return STEP * ky * math.cos(math.radians(LAT + 0.01)), STEP * ky


def test_lattice_adjacency_in_metres() -> None:
    g = lattice(3, 4)
    assert g.n == 12
    assert len(g.edges) == 3 * 3 + 2 * 4  # rook adjacency: corner contacts do not count
    assert {j for j, _ in g.neighbours(5)} == {1, 4, 6, 9}
    a, b = cell_sides()
    assert g.area_m2[0] == pytest.approx(a * b, rel=2e-3)
    lengths = dict(zip(map(tuple, g.edges.tolist()), g.edge_length_m, strict=True))
    assert lengths[(0, 1)] == pytest.approx(b, rel=1e-3)  # a north-south border
    assert lengths[(0, 4)] == pytest.approx(a, rel=2e-3)  # an east-west border
    assert g.components() == [list(range(12))]


def test_min_shared_and_extra_edges() -> None:
    a = box(0, 0, 1, 1)
    b = box(1, 1, 2, 2)  # touches a at a corner only
    g = AreaGraph.from_polygons([a, b], [1, 1])
    assert len(g.edges) == 0 and len(g.components()) == 2
    bridged = AreaGraph.from_polygons([a, b], [1, 1], extra_edges=[(1, 0)])
    assert bridged.edges.tolist() == [[0, 1]] and bridged.edge_length_m.tolist() == [0.0]
    with pytest.raises(ValueError, match="the areas form 2 separate pieces"):
        plan_districts(g, DistrictingOptions(k=1))


def test_graph_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="not a valid polygon"):
        AreaGraph.from_polygons([Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])], [1])
    with pytest.raises(ValueError, match="not a non-empty Polygon"):
        AreaGraph.from_polygons([box(0, 0, 1, 1).boundary], [1])
    with pytest.raises(ValueError, match="workload must be >= 0"):
        AreaGraph.from_polygons([box(0, 0, 1, 1)], [-1])
    with pytest.raises(ValueError, match="workload must be 1 finite numbers"):
        AreaGraph.from_polygons([box(0, 0, 1, 1)], [1, 2])
    with pytest.raises(ValueError, match="extra edge"):
        AreaGraph.from_polygons([box(0, 0, 1, 1)], [1], extra_edges=[(0, 0)])
    ok = dict(codes=("a", "b"), workload=[1, 1], xy=[[0, 0], [1, 0]], area_m2=[1, 1], perimeter_m=[4, 4])
    with pytest.raises(ValueError, match=r"every edge must be \(i, j\) with i < j"):
        AreaGraph(**ok, edges=[[1, 0]], edge_length_m=[1])
    with pytest.raises(ValueError, match="edge endpoints must be area indices"):
        AreaGraph(**ok, edges=[[0, 2]], edge_length_m=[1])
    with pytest.raises(ValueError, match="area codes must be unique"):
        AreaGraph(**{**ok, "codes": ("a", "a")}, edges=[], edge_length_m=[])


# --- metrics --------------------------------------------------------------------------------


def test_score_known_shapes_and_contiguity() -> None:
    g = lattice(2, 4)
    # district A = the left 2x2 square, B = the right 2x2 square
    left_right = ["A", "A", "B", "B", "A", "A", "B", "B"]
    m = score_assignment(g, left_right)
    assert m.names == ("A", "B") and m.contiguous
    assert m.gini == 0.0 and m.max_min_ratio == 1.0 and m.cv == 0.0
    # 2x2 cells of a x b metres: 4π·4ab / (4(a + b))² = πab/(a + b)² (π/4 for squares)
    a, b = cell_sides()
    assert m.ipq == pytest.approx([math.pi * a * b / (a + b) ** 2] * 2, rel=2e-3)
    assert score_assignment(g, left_right, exact_shapes=True).ipq == pytest.approx(m.ipq, rel=1e-6)
    # a district in two pieces
    split = ["A", "B", "A", "B", "B", "B", "B", "B"]
    s = score_assignment(g, split)
    assert not s.contiguous and s.pieces.tolist() == [2, 1]
    assert s.gini == pytest.approx(gini([2, 6]))
    assert s.max_min_ratio == 3.0
    # a strip of two cells side by side: A = 2ab, P = 2(2a + b)
    strip = score_assignment(lattice(1, 2), ["x", "x"])
    assert strip.ipq[0] == pytest.approx(4 * math.pi * 2 * a * b / (2 * (2 * a + b)) ** 2, rel=2e-3)


def test_bases_and_distances() -> None:
    g = lattice(1, 3, workload=[1, 1, 10])
    m = score_assignment(g, [0, 0, 0])
    assert m.base.tolist() == [2]  # the workload 1-median is the heavy cell
    d1 = float(np.hypot(*(g.xy[1] - g.xy[2])))
    d0 = float(np.hypot(*(g.xy[0] - g.xy[2])))
    assert m.mean_distance_m == pytest.approx((d0 + d1) / 3)
    assert m.weighted_distance_m == pytest.approx((d0 + d1) / 12)
    fixed = score_assignment(g, [0, 0, 0], bases={0: 0})
    assert fixed.base.tolist() == [0] and fixed.weighted_distance_m > m.weighted_distance_m
    with pytest.raises(ValueError, match="must be one of its areas"):
        score_assignment(g, [0, 0, 1], bases={0: 0, 1: 0})
    with pytest.raises(ValueError, match=r"no base given for districts \['1'\]"):
        score_assignment(g, [0, 0, 1], bases={0: 0})
    with pytest.raises(ValueError, match="one district per area: got 2 labels for 3 areas"):
        score_assignment(g, [0, 0])


def test_summary_is_plain_json() -> None:
    s = score_assignment(lattice(2, 2), [0, 0, 1, 1]).summary()
    assert json.loads(json.dumps(s)) == s
    assert s["districts"] == 2 and s["contiguous"] is True


# --- planning -------------------------------------------------------------------------------


def test_uniform_lattice_splits_into_equal_compact_blocks() -> None:
    g = lattice(6, 6)
    plan = plan_districts(g, DistrictingOptions(k=4, seed=1, starts=4))
    m = plan.metrics
    assert m.contiguous and m.k == 4
    assert m.workload.tolist() == [9.0] * 4 and m.gini == 0.0
    assert m.ipq_mean > 0.6  # four 3x3 blocks would give π/4 ≈ 0.785
    assert plan.objective == pytest.approx(min(plan.start_objectives))
    assert plan.objective == pytest.approx(
        m.objective(plan.options.compactness_weight, plan.options.dispersion_weight), rel=1e-9, abs=1e-12
    )


def test_same_seed_same_plan() -> None:
    w = np.random.default_rng(4).gamma(2.0, 10.0, 64)
    g = lattice(8, 8, w)
    opts = DistrictingOptions(k=5, seed=9, starts=3, perturbations=10)
    a, b = plan_districts(g, opts), plan_districts(g, opts)
    assert np.array_equal(a.labels, b.labels) and a.objective == b.objective


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_plans_are_always_contiguous_and_better_balanced_than_stripes(seed: int) -> None:
    rng = np.random.default_rng(seed)
    w = rng.gamma(1.0, 10.0, 100)
    g = lattice(10, 10, w)
    plan = plan_districts(g, DistrictingOptions(k=6, seed=seed, starts=3, perturbations=10))
    assert plan.metrics.contiguous
    assert plan.metrics.areas.sum() == 100 and plan.metrics.areas.min() >= 1
    assert plan.metrics.workload.sum() == pytest.approx(w.sum())
    stripes = score_assignment(g, np.repeat(np.arange(10) * 6 // 10, 10))  # 6 horizontal bands
    assert plan.metrics.gini < stripes.gini
    assert plan.metrics.gini < 0.1


def test_fixed_bases_stay_in_their_districts() -> None:
    g = lattice(6, 6)
    bases = (0, 5, 30, 35)  # the four corners
    plan = plan_districts(g, DistrictingOptions(k=4, seed=0, starts=1, base_areas=bases))
    assert [int(plan.labels[b]) for b in bases] == [0, 1, 2, 3]
    assert plan.metrics.base.tolist() == list(bases)
    assert plan.metrics.contiguous and plan.metrics.gini < 0.1
    with pytest.raises(ValueError, match="base_areas must be area indices below 36"):
        plan_districts(g, DistrictingOptions(k=4, base_areas=(0, 5, 30, 99)))


def test_compare_with_existing() -> None:
    g = lattice(4, 4)
    existing = np.repeat([0, 1], 8)
    same = compare_assignments(g, existing, existing)
    assert same.kept_workload_share == 1.0 and same.kept_area_share == 1.0
    assert sorted(same.matching) == [("0", "0"), ("1", "1")]
    swapped = compare_assignments(g, existing, 1 - existing)
    assert swapped.kept_area_share == 1.0  # renaming districts changes nothing
    assert sorted(swapped.matching) == [("0", "1"), ("1", "0")]
    plan = plan_districts(g, DistrictingOptions(k=2, seed=0, starts=2))
    c = compare_assignments(g, existing, plan.labels)
    assert 0.0 <= c.kept_area_share <= 1.0 and c.planned.gini == plan.metrics.gini


def test_bad_options() -> None:
    g = lattice(2, 2)
    with pytest.raises(ValueError, match="cannot make 5 districts from 4 areas"):
        plan_districts(g, DistrictingOptions(k=5))
    with pytest.raises(ValueError, match="total workload must be > 0"):
        plan_districts(lattice(2, 2, [0, 0, 0, 0]), DistrictingOptions(k=2))
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        DistrictingOptions(k=0)
    with pytest.raises(ValueError, match="compactness_weight must be a finite number >= 0"):
        DistrictingOptions(k=2, compactness_weight=-1)
    with pytest.raises(ValueError, match="base_areas must name one area per district"):
        DistrictingOptions(k=2, base_areas=(1,))
    with pytest.raises(ValueError, match="base_areas must be distinct"):
        DistrictingOptions(k=2, base_areas=(1, 1))
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        DistrictingOptions(k=2, seed=-3)


def test_trivial_k() -> None:
    g = lattice(2, 3)
    one = plan_districts(g, DistrictingOptions(k=1, starts=1))
    assert one.labels.tolist() == [0] * 6 and one.metrics.contiguous
    each = plan_districts(g, DistrictingOptions(k=6, starts=1))
    assert sorted(each.labels.tolist()) == list(range(6))


# --- CP-SAT refinement ----------------------------------------------------------------------


def test_refine_exact_never_worse_and_contiguous() -> None:
    w = np.random.default_rng(2).gamma(2.0, 10.0, 20)
    g = lattice(4, 5, w)
    start = plan_districts(g, DistrictingOptions(k=3, seed=0, starts=1, perturbations=0))
    r = refine_exact(g, start.labels, max_deterministic_time=1.0)
    assert r.status in ("OPTIMAL", "FEASIBLE")
    assert r.objective <= r.start_objective
    m = score_assignment(g, r.labels)
    assert m.contiguous
    assert [int(r.labels[b]) for b in r.bases] == [0, 1, 2]
    again = refine_exact(g, start.labels, max_deterministic_time=1.0)
    assert np.array_equal(again.labels, r.labels)  # deterministic time limit, one worker
    with pytest.raises(ValueError, match="meant for small instances"):
        refine_exact(g, start.labels, max_areas=10)
    with pytest.raises(ValueError, match="bases must be 3 distinct area indices"):
        refine_exact(g, start.labels, bases=[0, 0, 1])


# --- Chicago: committed fixture and the full city -------------------------------------------


# The documented plans are pinned on their seed: a weaker planner must fail these tests. The
# crippled planner below (one start, no re-seeding, no perturbation, 150 moves) reaches Gini
# 0.053 and mean IPQ 0.455 on Chicago, which a loose bound (Gini < 0.10, IPQ >= 0.8 x real)
# used to accept.
CRIPPLED = dict(starts=1, regrow=0, perturbations=0, max_moves=150)


def test_chicago_fixture_three_districts() -> None:
    """30 beats of Chicago police districts 5, 6 and 22 (aggravated assaults 2010-2019).

    docs/engine-plan.md: real Gini 0.174, IPQ 0.418; planned (seed 0) Gini 0.013, IPQ 0.439,
    contiguous; CP-SAT (0.5 deterministic s) takes the Gini to 0.004.
    """
    g, real_labels = load_fixture()
    assert g.n == 30
    real = score_assignment(g, real_labels)
    assert real.contiguous and real.gini == pytest.approx(0.174, abs=0.001)
    assert real.ipq_mean == pytest.approx(0.418, abs=0.001)
    plan = plan_districts(g, DistrictingOptions(k=3, seed=0))
    m = plan.metrics
    print("\nfixture real:", real.summary(), "\nfixture plan:", m.summary())
    assert m.contiguous
    assert m.gini <= 0.015  # documented 0.013
    assert m.ipq_mean >= real.ipq_mean  # documented 0.439 against 0.418
    weak = plan_districts(g, DistrictingOptions(k=3, seed=0, **CRIPPLED)).metrics
    assert not (weak.gini <= 0.015 and weak.ipq_mean >= real.ipq_mean), weak.summary()
    refined = refine_exact(g, plan.labels, max_deterministic_time=0.5)
    r = score_assignment(g, refined.labels)
    assert r.contiguous
    assert refined.objective < refined.start_objective
    assert r.gini <= 0.005  # documented 0.004 (from the heuristic's 0.013)


def load_chicago(root: Path) -> tuple[AreaGraph, list[str]]:
    beats = json.loads((root / "chicago_police_beats.geojson").read_text())
    feats = beats["features"]
    polys = [shape(f["geometry"]) for f in feats]
    lon, lat = [], []
    with gzip.open(root / "chicago_aggravated_assaults_2010_2019.csv.gz", "rt", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["longitude"] and row["latitude"]:
                lon.append(float(row["longitude"]))
                lat.append(float(row["latitude"]))
    # point in polygon: the beats file has three polygons for beat 3100 (the airport), so
    # the assaults' beat field cannot tell them apart
    found = AreaIndex(tuple(range(len(polys))), tuple(polys)).locate_many(lon, lat)
    idx = np.array([i for i in found if i is not None], dtype=np.int64)
    workload = np.bincount(idx, minlength=len(polys)).astype(float)
    codes = [f"{f['properties']['beat_num']}/{i}" for i, f in enumerate(feats)]
    return AreaGraph.from_polygons(polys, workload, codes=codes), [f["properties"]["district"] for f in feats]


@pytest.mark.slow
def test_chicago_beats_into_districts() -> None:
    root = shared_data() / "chicago"
    if not (root / "chicago_police_beats.geojson").exists():
        pytest.skip(f"Chicago data not found in {root} (set JINGWU_SHARED_DATA to the shared data folder)")
    g, real_labels = load_chicago(root)
    assert g.n == 277 and g.workload.sum() > 148_000
    real = score_assignment(g, real_labels)
    k = real.k  # as many districts as the beats file names (22 + the airport district 31)
    start = time.perf_counter()
    plan = plan_districts(g, DistrictingOptions(k=k, seed=0))
    seconds = time.perf_counter() - start
    m = plan.metrics
    print(f"\nChicago: {g.n} beats, {int(g.workload.sum())} assaults, {k} districts, plan in {seconds:.1f} s")
    print("  real districts:", real.summary())
    print("  planned       :", m.summary())
    print(f"  Gini {m.gini:.3f} vs real {real.gini:.3f} (published beat clustering: 0.036)")
    print(f"  IPQ mean {m.ipq_mean:.3f} vs real {real.ipq_mean:.3f} (published: 0.7)")
    # docs/engine-plan.md, seed 0: Gini 0.027 (real 0.320), IPQ mean 0.513 (real 0.501), contiguous
    assert real.gini == pytest.approx(0.320, abs=0.001) and real.ipq_mean == pytest.approx(0.501, abs=0.001)
    assert m.contiguous
    assert m.gini <= 0.03
    assert m.ipq_mean >= real.ipq_mean
    # the pin tells a weaker planner apart: the crippled one gives Gini 0.053, IPQ 0.455
    weak = plan_districts(g, DistrictingOptions(k=k, seed=0, **CRIPPLED)).metrics
    print("  crippled      :", weak.summary())
    assert weak.gini > 0.03 and weak.ipq_mean < real.ipq_mean
