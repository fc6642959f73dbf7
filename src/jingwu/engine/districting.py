"""Districting: group areas (grids, beats) into k contiguous, compact, balanced districts.

The problem: given areas that tile a territory, each with a workload and a point (its
centroid, or wherever its calls come from), assign every area to one of ``k`` districts
so that every district is **contiguous** (one piece over shared borders), the districts'
**workloads are balanced**, their shapes are **compact** and travel from each district's
**base** is short. The same tool splits a station's grids into zones, a county into
station areas, or a city's beats into police districts (the Chicago check is in
``docs/engine-plan.md``).

**Adjacency.** Two areas are neighbours when their boundaries share a line at least
``min_shared_m`` long (corner contacts do not count), found with a shapely STRtree and
the length of the intersection of the boundaries, in metres (local equirectangular
projection, :func:`jingwu.engine.geo.to_metres`).

**Objective** (lower is better), summed over districts ``d`` with ``W̄`` the mean workload:

* balance ``B = (1/k) Σ (W_d / W̄ - 1)²`` (the mean squared relative deviation);
* non-compactness ``C = (1/k) Σ (1 - IPQ_d)`` with the isoperimetric quotient
  ``IPQ = 4πA / P²`` (1 for a disc; Polsby & Popper 1991). Areas tile the territory, so
  a district's perimeter is the sum of its areas' perimeters less twice the borders
  they share inside it - updated in O(degree) per move;
* dispersion ``D = Σ_d Σ_{i∈d} v_i |x_i - c_d|² / (V · A/k)``, the moment of inertia of
  the workload about the district centre (Hess et al., "Nonpartisan political
  redistricting by computer", *Operations Research* 13(6), 1965), normalised by the
  total weight ``V`` and the mean district area; ``v_i`` is the workload plus 1 % of the
  mean so that empty areas count a little. With fixed bases the centre is the base.

``f = B + λ·C + μ·D`` (``compactness_weight`` λ, ``dispersion_weight`` μ).

**Method** (:func:`plan_districts`), each start seeded from ``seed``:

1. *Seeds* by k-means++ (Arthur & Vassilvitskii 2007) on the area points, weighted by
   workload - or the given base areas.
2. *Region growing*: the district with the least workload so far takes the free
   neighbouring area nearest its seed, until every area is taken (each district stays
   connected by construction). Seeds then move to each district's base (its workload
   1-median) and the growing is repeated ``regrow`` times (a Lloyd-like step).
3. *Local search*: boundary areas move to a neighbouring district when that lowers
   ``f`` and the district they leave stays connected (a BFS that stops as soon as the
   leaving area's other neighbours in the district are reached: if they are, the rest
   is connected too). Passes over the boundary in seeded random order until no move helps.
4. *Iterated local search*: ``perturbations`` times, a few random feasible boundary
   moves followed by the local search; the result is kept if ``f`` fell (Lourenço,
   Martin & Stützle, "Iterated local search", 2003).

The best of ``starts`` starts is returned. Region growing plus local search is the
classic districting heuristic family (Ricca, Scozzari & Simeone, "Political
districting: from classical models to recent approaches", *Annals of OR* 204, 2013;
for police beats e.g. Bruce, *Districting and Resource Allocation: A Question of
Balance*, Geography & Public Safety 1(4), 2009, and the beat-redesign work of
Camacho-Collados, Liberatore & Angulo, *EJOR* 246(2), 2015).

**Exact improvement for small instances** (:func:`refine_exact`): OR-Tools CP-SAT with
flow-based contiguity (Shirabe, "Districting modeling with exact contiguity
constraints", *Environment and Planning B* 36, 2009): each district is rooted at its
base area and ships one unit of flow to each of its areas over its own internal
borders. It minimises the workload spread (max - min) and the shared border cut
between districts (total perimeter, i.e. compactness). Meant for a few dozen areas
(e.g. a station's grids into 3 zones); it starts from the heuristic's plan and uses a
deterministic time limit, so the result depends only on the inputs.

**Metrics** (:func:`score_assignment`, for any assignment - e.g. today's districts):
Gini of district workloads, max/min ratio, coefficient of variation, IPQ per district
(mean and min), pieces per district (contiguity), and the mean distance from areas to
their district's base (plain and workload-weighted); the base is the district's
workload 1-median area unless bases are given.
"""

from __future__ import annotations

import heapq
import math
import numbers
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from jingwu.engine.classify import kmeans_plus_plus
from jingwu.engine.geo import to_metres

__all__ = [
    "AreaGraph",
    "Comparison",
    "DistrictMetrics",
    "DistrictPlan",
    "DistrictingOptions",
    "ExactRefinement",
    "compare_assignments",
    "gini",
    "plan_districts",
    "refine_exact",
    "score_assignment",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_EPS = 1e-12
_FLOOR_SHARE = 0.01  # share of the mean workload every area weighs in the dispersion term


def _check_int(name: str, value: Any, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_float(name: str, value: Any, minimum: float = 0.0) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < minimum
    ):
        raise ValueError(f"{name} must be a finite number >= {minimum}, got {value!r}")


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr, copy=True)
    arr.flags.writeable = False
    return arr


def gini(values: npt.ArrayLike) -> float:
    """Gini coefficient ``Σ_i Σ_j |x_i - x_j| / (2 n² x̄)`` (0 = all equal); 0 for all-zero input."""
    x = np.sort(np.asarray(values, dtype=float))
    if x.ndim != 1 or len(x) == 0:
        raise ValueError("gini needs a non-empty one-dimensional array")
    if not np.all(np.isfinite(x)) or x[0] < 0:
        raise ValueError("gini needs finite non-negative values")
    n = len(x)
    total = x.sum()
    if total == 0:
        return 0.0
    # Σ_i Σ_j |x_i - x_j| = 2 Σ_i (2i - n - 1) x_(i), i = 1..n on sorted values
    ranks = np.arange(1, n + 1)
    return float(np.sum((2 * ranks - n - 1) * x) / (n * total))


# --- the area graph -------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class AreaGraph:
    """Areas with workload, a point, area and perimeter (metres), and shared-border adjacency.

    Build it with :meth:`from_polygons`, or directly from arrays (tests, other tilings):
    ``edges`` are ``(i, j)`` pairs with ``i < j`` and ``edge_length_m`` the border they share.
    ``polygons`` (in metres) are kept when built from polygons, for exact shape metrics.
    """

    codes: tuple[str, ...]
    workload: npt.ArrayLike
    xy: npt.ArrayLike
    area_m2: npt.ArrayLike
    perimeter_m: npt.ArrayLike
    edges: npt.ArrayLike
    edge_length_m: npt.ArrayLike
    polygons: tuple[BaseGeometry, ...] | None = None

    def __post_init__(self) -> None:
        codes = tuple(str(c) for c in self.codes)
        n = len(codes)
        if n == 0:
            raise ValueError("there must be at least one area")
        if len(set(codes)) != n:
            raise ValueError("area codes must be unique")
        object.__setattr__(self, "codes", codes)
        for name in ("workload", "area_m2", "perimeter_m"):
            arr = np.asarray(getattr(self, name), dtype=float)
            if arr.shape != (n,) or not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} must be {n} finite numbers")
            if name == "workload" and arr.min() < 0:
                raise ValueError(
                    f"workload must be >= 0 (area {codes[int(arr.argmin())]!r} is {arr.min()!r})"
                )
            if name != "workload" and arr.min() <= 0:
                raise ValueError(f"{name} must be > 0 (area {codes[int(arr.argmin())]!r})")
            object.__setattr__(self, name, _frozen(arr))
        xy = np.asarray(self.xy, dtype=float)
        if xy.shape != (n, 2) or not np.all(np.isfinite(xy)):
            raise ValueError(f"xy must be an ({n}, 2) array of finite coordinates in metres")
        object.__setattr__(self, "xy", _frozen(xy))
        edges = np.asarray(self.edges, dtype=np.int64).reshape(-1, 2)
        lengths = np.asarray(self.edge_length_m, dtype=float).reshape(-1)
        if len(edges) != len(lengths):
            raise ValueError("edges and edge_length_m must have the same length")
        if len(edges):
            if edges.min() < 0 or edges.max() >= n:
                raise ValueError(f"edge endpoints must be area indices 0..{n - 1}")
            if np.any(edges[:, 0] >= edges[:, 1]):
                raise ValueError("every edge must be (i, j) with i < j")
            if len(np.unique(edges, axis=0)) != len(edges):
                raise ValueError("edges must be unique")
            if not np.all(np.isfinite(lengths)) or lengths.min() < 0:
                raise ValueError("edge_length_m must be finite and >= 0")
        object.__setattr__(self, "edges", _frozen(edges))
        object.__setattr__(self, "edge_length_m", _frozen(lengths))
        if self.polygons is not None and len(self.polygons) != n:
            raise ValueError(f"polygons must hold {n} geometries")
        nbrs: list[list[tuple[int, float]]] = [[] for _ in range(n)]
        for (i, j), length in zip(edges.tolist(), lengths.tolist(), strict=True):
            nbrs[i].append((j, length))
            nbrs[j].append((i, length))
        object.__setattr__(self, "_nbrs", tuple(tuple(sorted(x)) for x in nbrs))

    @property
    def n(self) -> int:
        return len(self.codes)

    def neighbours(self, i: int) -> tuple[tuple[int, float], ...]:
        """``(neighbour, shared border in metres)`` pairs of area ``i``."""
        return self._nbrs[i]  # type: ignore[attr-defined]

    def components(self, nodes: Sequence[int] | None = None) -> list[list[int]]:
        """Connected components of the areas ``nodes`` (default all) over shared borders."""
        pool = set(range(self.n) if nodes is None else (int(x) for x in nodes))
        return _components(pool, self._nbrs)  # type: ignore[attr-defined]

    @classmethod
    def from_polygons(
        cls,
        polygons: Sequence[BaseGeometry],
        workload: npt.ArrayLike,
        *,
        points: npt.ArrayLike | None = None,
        codes: Sequence[Hashable] | None = None,
        min_shared_m: float = 1.0,
        extra_edges: Sequence[tuple[int, int]] = (),
    ) -> AreaGraph:
        """Build from (Multi)Polygons in WGS84 lon/lat.

        ``points`` (n x 2 lon/lat) are where each area's travel is measured from (default the
        centroid). Borders shorter than ``min_shared_m`` (corner contacts, slivers) make no
        adjacency. ``extra_edges`` joins areas that touch by other means (a bridge, a ferry).
        """
        polys = list(polygons)
        n = len(polys)
        if n == 0:
            raise ValueError("there must be at least one polygon")
        for i, p in enumerate(polys):
            if not isinstance(p, Polygon | MultiPolygon) or p.is_empty:
                raise ValueError(f"area {i} is not a non-empty Polygon or MultiPolygon")
            if not p.is_valid:
                raise ValueError(f"area {i} is not a valid polygon: {shapely.is_valid_reason(p)}")
        _check_float("min_shared_m", min_shared_m)
        bounds = np.array([p.bounds for p in polys])
        lat0 = float((bounds[:, 1].min() + bounds[:, 3].max()) / 2)
        if not (-90 <= bounds[:, [1, 3]].min() and bounds[:, [1, 3]].max() <= 90):
            raise ValueError("polygons must be in WGS84 lon/lat")
        metric = [to_metres(p, lat0) for p in polys]
        arr = np.array(metric, dtype=object)
        if points is None:
            xy = shapely.get_coordinates(shapely.centroid(arr))
        else:
            pts = np.asarray(points, dtype=float)
            if pts.shape != (n, 2):
                raise ValueError(f"points must be an ({n}, 2) array of lon/lat")
            xy = shapely.get_coordinates(to_metres(shapely.multipoints(pts), lat0))
        tree = shapely.STRtree(arr)
        a, b = tree.query(arr, predicate="intersects")
        keep = a < b
        a, b = a[keep], b[keep]
        boundaries = shapely.boundary(arr)
        shared = shapely.length(shapely.intersection(boundaries[a], boundaries[b])) if len(a) else np.zeros(0)
        ok = shared >= max(min_shared_m, _EPS)
        edges = {(int(i), int(j)): float(s) for i, j, s in zip(a[ok], b[ok], shared[ok], strict=True)}
        for i, j in extra_edges:
            i, j = int(i), int(j)
            if not (0 <= i < n and 0 <= j < n) or i == j:
                raise ValueError(f"extra edge ({i}, {j}) must join two different areas 0..{n - 1}")
            edges.setdefault((min(i, j), max(i, j)), 0.0)
        keys = sorted(edges)
        return cls(
            codes=tuple(str(c) for c in (range(n) if codes is None else codes)),
            workload=workload,
            xy=xy,
            area_m2=shapely.area(arr),
            perimeter_m=shapely.length(arr),
            edges=np.array(keys, dtype=np.int64).reshape(-1, 2),
            edge_length_m=np.array([edges[k] for k in keys]),
            polygons=tuple(metric),
        )


def _components(pool: set[int], nbrs) -> list[list[int]]:
    pool = set(pool)
    out = []
    while pool:
        start = min(pool)
        pool.discard(start)
        comp = [start]
        stack = [start]
        while stack:
            u = stack.pop()
            for v, _ in nbrs[u]:
                if v in pool:
                    pool.discard(v)
                    comp.append(v)
                    stack.append(v)
        out.append(sorted(comp))
    return out


# --- metrics --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class DistrictMetrics:
    """How good an assignment is.

    Per district (in the order of ``names``): ``workload``, ``ipq`` (isoperimetric quotient
    4πA/P², from the areas' perimeters and shared borders), ``pieces`` (connected
    components; 1 = contiguous), ``base`` (area index of the district's base) and
    ``areas`` (count). Overall: ``gini``, ``max_min_ratio`` (inf when a district has no
    workload), ``cv`` (coefficient of variation), ``ipq_mean``/``ipq_min``,
    ``contiguous``, ``mean_distance_m`` (mean over areas of the distance from the area's
    point to its district base's point) and ``weighted_distance_m`` (the same weighted by
    workload: the mean distance per unit of workload), and the objective's terms
    ``balance``, ``noncompactness`` and ``dispersion``.
    """

    names: tuple[str, ...]
    labels: IntArray
    workload: FloatArray
    areas: IntArray
    ipq: FloatArray
    pieces: IntArray
    base: IntArray
    gini: float
    max_min_ratio: float
    cv: float
    ipq_mean: float
    ipq_min: float
    contiguous: bool
    mean_distance_m: float
    weighted_distance_m: float
    balance: float
    noncompactness: float
    dispersion: float

    @property
    def k(self) -> int:
        return len(self.names)

    def objective(self, compactness_weight: float, dispersion_weight: float) -> float:
        return self.balance + compactness_weight * self.noncompactness + dispersion_weight * self.dispersion

    def summary(self) -> dict[str, float | int | bool]:
        """The headline figures as plain Python values (for JSON and printing)."""
        return {
            "districts": self.k,
            "gini": round(self.gini, 4),
            "max_min_ratio": round(self.max_min_ratio, 3) if math.isfinite(self.max_min_ratio) else None,
            "cv": round(self.cv, 4),
            "ipq_mean": round(self.ipq_mean, 3),
            "ipq_min": round(self.ipq_min, 3),
            "contiguous": self.contiguous,
            "non_contiguous_districts": int(np.sum(self.pieces > 1)),
            "mean_distance_km": round(self.mean_distance_m / 1000, 3),
            "weighted_distance_km": round(self.weighted_distance_m / 1000, 3),
        }  # type: ignore[return-value]


def _labels_to_index(
    graph: AreaGraph, labels: Sequence[Hashable] | npt.ArrayLike
) -> tuple[tuple[str, ...], IntArray]:
    raw = list(np.asarray(labels, dtype=object).tolist()) if not isinstance(labels, list) else list(labels)
    if len(raw) != graph.n:
        raise ValueError(
            f"an assignment needs one district per area: got {len(raw)} labels for {graph.n} areas"
        )
    if any(x is None for x in raw):
        raise ValueError("every area needs a district (found None)")
    names = sorted({str(x) for x in raw}, key=lambda s: (len(s), s) if s.isdigit() else (math.inf, s))  # type: ignore[arg-type,return-value]
    index = {name: i for i, name in enumerate(names)}
    return tuple(names), np.array([index[str(x)] for x in raw], dtype=np.int64)


def _district_shape(graph: AreaGraph, idx: IntArray, k: int) -> tuple[FloatArray, FloatArray]:
    area = np.bincount(idx, weights=graph.area_m2, minlength=k)  # type: ignore[arg-type]
    perim = np.bincount(idx, weights=graph.perimeter_m, minlength=k)  # type: ignore[arg-type]
    e = graph.edges
    if len(e):  # type: ignore[arg-type]
        inside = idx[e[:, 0]] == idx[e[:, 1]]  # type: ignore[index]
        perim -= 2 * np.bincount(idx[e[inside, 0]], weights=graph.edge_length_m[inside], minlength=k)  # type: ignore[index]
    return area, perim


def _dispersion_weights(graph: AreaGraph) -> FloatArray:
    w = graph.workload
    mean = float(np.mean(w))  # type: ignore[arg-type]
    return w + _FLOOR_SHARE * (mean if mean > 0 else 1.0)  # type: ignore[operator]


def _medians(graph: AreaGraph, idx: IntArray, k: int) -> IntArray:
    """Per district, the member area minimising the workload-weighted distance to the members."""
    xy = graph.xy
    v = _dispersion_weights(graph)
    base = np.zeros(k, dtype=np.int64)
    for d in range(k):
        members = np.flatnonzero(idx == d)
        if len(members) == 0:
            base[d] = -1
            continue
        p = xy[members]  # type: ignore[index]
        dist = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(axis=2))
        cost = dist @ v[members]
        base[d] = members[int(np.argmin(cost))]
    return base


def score_assignment(
    graph: AreaGraph,
    labels: Sequence[Hashable] | npt.ArrayLike,
    *,
    bases: Mapping[Hashable, int] | None = None,
    exact_shapes: bool = False,
) -> DistrictMetrics:
    """Metrics of any assignment of areas to districts (``labels[i]`` = district of area ``i``).

    ``bases`` maps a district label to the index of its base area (default: the workload
    1-median area of each district). With ``exact_shapes`` and polygons in the graph, the
    IPQ uses the shapely union of each district instead of the shared-border arithmetic
    (the same for a clean tiling; slower).
    """
    names, idx = _labels_to_index(graph, labels)
    k = len(names)
    w = graph.workload
    workload = np.bincount(idx, weights=w, minlength=k)  # type: ignore[arg-type]
    counts = np.bincount(idx, minlength=k)
    area, perim = _district_shape(graph, idx, k)
    if exact_shapes:
        if graph.polygons is None:
            raise ValueError("exact_shapes needs a graph built from polygons")
        for d in range(k):
            union = shapely.union_all([graph.polygons[i] for i in np.flatnonzero(idx == d)])
            area[d], perim[d] = union.area, union.length
    ipq = 4 * math.pi * area / perim**2
    pieces = np.array([len(graph.components(np.flatnonzero(idx == d))) for d in range(k)], dtype=np.int64)
    if bases is None:
        base = _medians(graph, idx, k)
    else:
        base = np.full(k, -1, dtype=np.int64)
        lookup = {name: d for d, name in enumerate(names)}
        for label, area_index in bases.items():
            d = lookup.get(str(label))
            if d is None:
                raise ValueError(f"base given for unknown district {label!r}")
            _check_int(f"base of district {label!r}", area_index, 0)
            if area_index >= graph.n or idx[area_index] != d:
                raise ValueError(
                    f"the base of district {label!r} (area {area_index}) must be one of its areas"
                )
            base[d] = area_index
        if np.any(base < 0):
            missing = [names[d] for d in np.flatnonzero(base < 0)]
            raise ValueError(f"no base given for districts {missing}")
    xy = graph.xy
    dist = np.sqrt(((xy - xy[base[idx]]) ** 2).sum(axis=1))  # type: ignore[index,operator]
    total_w = float(np.sum(w))  # type: ignore[arg-type]
    mean_w = total_w / k
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(workload.max() / workload.min()) if workload.min() > 0 else math.inf
        balance = float(np.mean((workload / mean_w - 1.0) ** 2)) if mean_w > 0 else 0.0
        cv = float(workload.std() / workload.mean()) if workload.mean() > 0 else 0.0
    v = _dispersion_weights(graph)
    centre = _centres(xy, v, idx, k)  # type: ignore[arg-type]
    disp = float(np.sum(v * ((xy - centre[idx]) ** 2).sum(axis=1)))  # type: ignore[operator]
    norm = float(v.sum()) * float(np.sum(graph.area_m2)) / k  # type: ignore[arg-type]
    return DistrictMetrics(
        names=names,
        labels=_frozen(idx),
        workload=_frozen(workload),
        areas=_frozen(counts),
        ipq=_frozen(ipq),
        pieces=_frozen(pieces),
        base=_frozen(base),
        gini=gini(workload),
        max_min_ratio=ratio,
        cv=cv,
        ipq_mean=float(ipq.mean()),
        ipq_min=float(ipq.min()),
        contiguous=bool(np.all(pieces == 1)),
        mean_distance_m=float(dist.mean()),
        weighted_distance_m=float((dist * w).sum() / total_w) if total_w > 0 else float(dist.mean()),  # type: ignore[operator]
        balance=balance,
        noncompactness=float(np.mean(1.0 - ipq)),
        dispersion=disp / norm if norm > 0 else 0.0,
    )


def _centres(xy: FloatArray, v: FloatArray, idx: IntArray, k: int) -> FloatArray:
    sw = np.bincount(idx, weights=v, minlength=k)
    sx = np.bincount(idx, weights=v * xy[:, 0], minlength=k)
    sy = np.bincount(idx, weights=v * xy[:, 1], minlength=k)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.column_stack([np.where(sw > 0, sx / sw, 0.0), np.where(sw > 0, sy / sw, 0.0)])


# --- planning -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictingOptions:
    """Settings of :func:`plan_districts`.

    * ``k`` districts; ``seed`` makes the result reproducible; ``starts`` independent starts;
    * ``compactness_weight`` (λ) and ``dispersion_weight`` (μ) in ``f = B + λC + μD``;
    * ``regrow`` Lloyd-like re-seeding rounds of the region growing;
    * ``max_moves`` per local search (a safety cap); ``perturbations`` iterated-local-search rounds per
      start, each making ``kick`` random boundary moves;
    * ``base_areas`` - optional fixed bases (one area index per district; district ``d``
      keeps area ``base_areas[d]`` and its dispersion is measured about it).
    """

    k: int
    seed: int = 0
    starts: int = 8
    compactness_weight: float = 0.2
    dispersion_weight: float = 0.2
    regrow: int = 2
    max_moves: int = 1_000_000
    perturbations: int = 100
    kick: int = 4
    base_areas: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        _check_int("k", self.k, 1)
        _check_int("seed", self.seed, 0)
        _check_int("starts", self.starts, 1)
        _check_float("compactness_weight", self.compactness_weight)
        _check_float("dispersion_weight", self.dispersion_weight)
        _check_int("regrow", self.regrow, 0)
        _check_int("max_moves", self.max_moves, 1)
        _check_int("perturbations", self.perturbations, 0)
        _check_int("kick", self.kick, 1)
        if self.base_areas is not None:
            bases = tuple(int(b) for b in self.base_areas)
            if len(bases) != self.k:
                raise ValueError(f"base_areas must name one area per district ({self.k}), got {len(bases)}")
            if len(set(bases)) != len(bases):
                raise ValueError("base_areas must be distinct areas")
            if min(bases) < 0:
                raise ValueError("base_areas must be area indices >= 0")
            object.__setattr__(self, "base_areas", bases)


@dataclass(frozen=True, eq=False)
class DistrictPlan:
    """A plan: ``labels[i]`` is area ``i``'s district (0..k-1), its ``metrics``, the objective
    ``f`` and the objective reached by each start. (With fixed bases the plan's dispersion
    is measured about the bases, ``metrics.dispersion`` about the centres, so ``objective``
    can differ from ``metrics.objective(λ, μ)``.)"""

    labels: IntArray
    metrics: DistrictMetrics
    objective: float
    start_objectives: tuple[float, ...]
    options: DistrictingOptions


class _Search:
    """Mutable local-search state over plain Python lists (fast enough for a few thousand areas)."""

    def __init__(self, graph: AreaGraph, opts: DistrictingOptions) -> None:
        self.n = graph.n
        self.k = opts.k
        self.nbrs = graph._nbrs  # type: ignore[attr-defined]
        self.w = [float(x) for x in graph.workload]  # type: ignore[union-attr]
        v = _dispersion_weights(graph)
        xy = graph.xy - graph.xy.mean(axis=0)  # type: ignore[operator]
        scale = math.sqrt(float(np.sum(graph.area_m2)) / self.k)  # type: ignore[arg-type]
        xy = xy / scale  # dispersion in units of the mean district's size
        self.v = v.tolist()
        self.x = xy[:, 0].tolist()
        self.y = xy[:, 1].tolist()
        self.sq = (xy[:, 0] ** 2 + xy[:, 1] ** 2).tolist()
        self.area = [float(a) for a in graph.area_m2]  # type: ignore[union-attr]
        self.perim = [float(p) for p in graph.perimeter_m]  # type: ignore[union-attr]
        self.mean_w = sum(self.w) / self.k
        self.inv_mean_w = 1.0 / self.mean_w if self.mean_w > 0 else 0.0
        self.lam = opts.compactness_weight / self.k
        self.mu = opts.dispersion_weight / float(v.sum())
        self.fixed = opts.base_areas
        self.locked = set(opts.base_areas or ())

    # -- state -------------------------------------------------------------------------------

    def load(self, labels: list[int]) -> None:
        k = self.k
        self.label = list(labels)
        self.members: list[set[int]] = [set() for _ in range(k)]
        self.W = [0.0] * k
        self.A = [0.0] * k
        self.P = [0.0] * k
        self.Sw = [0.0] * k
        self.Sx = [0.0] * k
        self.Sy = [0.0] * k
        self.Sq = [0.0] * k
        for i, d in enumerate(self.label):
            self.members[d].add(i)
            self.W[d] += self.w[i]
            self.A[d] += self.area[i]
            self.P[d] += self.perim[i]
            self.Sw[d] += self.v[i]
            self.Sx[d] += self.v[i] * self.x[i]
            self.Sy[d] += self.v[i] * self.y[i]
            self.Sq[d] += self.v[i] * self.sq[i]
            for j, length in self.nbrs[i]:
                if j < i and self.label[j] == d:
                    self.P[d] -= 2 * length
        if self.fixed is not None:
            self.bx = [self.x[b] for b in self.fixed]
            self.by = [self.y[b] for b in self.fixed]
        self.F = [self.dterm(d) for d in range(k)]

    def term(self, d: int, W: float, A: float, P: float, Sw: float, Sx: float, Sy: float, Sq: float) -> float:
        dev = W * self.inv_mean_w - 1.0
        comp = 1.0 - 4.0 * math.pi * A / (P * P) if P > 0 else 1.0
        if self.fixed is None:
            disp = Sq - (Sx * Sx + Sy * Sy) / Sw if Sw > 0 else 0.0
        else:
            bx, by = self.bx[d], self.by[d]
            disp = Sq - 2.0 * (bx * Sx + by * Sy) + (bx * bx + by * by) * Sw
        return dev * dev / self.k + self.lam * comp + self.mu * disp

    def dterm(self, d: int) -> float:
        return self.term(d, self.W[d], self.A[d], self.P[d], self.Sw[d], self.Sx[d], self.Sy[d], self.Sq[d])

    def objective(self) -> float:
        return math.fsum(self.F)

    def shared_by_district(self, u: int) -> dict[int, float]:
        out: dict[int, float] = {}
        label = self.label
        for j, length in self.nbrs[u]:
            d = label[j]
            out[d] = out.get(d, 0.0) + length
        return out

    def delta(self, u: int, a: int, b: int, shared: dict[int, float]) -> float:
        w, ar, p, v = self.w[u], self.area[u], self.perim[u], self.v[u]
        vx, vy, vq = v * self.x[u], v * self.y[u], v * self.sq[u]
        new_a = self.term(
            a,
            self.W[a] - w,
            self.A[a] - ar,
            self.P[a] - p + 2 * shared.get(a, 0.0),
            self.Sw[a] - v,
            self.Sx[a] - vx,
            self.Sy[a] - vy,
            self.Sq[a] - vq,
        )
        new_b = self.term(
            b,
            self.W[b] + w,
            self.A[b] + ar,
            self.P[b] + p - 2 * shared.get(b, 0.0),
            self.Sw[b] + v,
            self.Sx[b] + vx,
            self.Sy[b] + vy,
            self.Sq[b] + vq,
        )
        return new_a + new_b - self.F[a] - self.F[b]

    def can_leave(self, u: int, a: int) -> bool:
        """Whether district ``a`` stays connected without ``u`` (and is not emptied)."""
        members = self.members[a]
        if len(members) <= 1 or u in self.locked:
            return False
        targets = {j for j, _ in self.nbrs[u] if j in members}
        if len(targets) <= 1:
            return len(targets) == 1
        start = targets.pop()
        seen = {start, u}
        stack = [start]
        while stack:
            x = stack.pop()
            for j, _ in self.nbrs[x]:
                if j not in seen and j in members:
                    seen.add(j)
                    targets.discard(j)
                    if not targets:
                        return True
                    stack.append(j)
        return not targets

    def move(self, u: int, a: int, b: int, shared: dict[int, float]) -> None:
        w, v = self.w[u], self.v[u]
        self.members[a].discard(u)
        self.members[b].add(u)
        self.label[u] = b
        self.W[a] -= w
        self.W[b] += w
        self.A[a] -= self.area[u]
        self.A[b] += self.area[u]
        self.P[a] += -self.perim[u] + 2 * shared.get(a, 0.0)
        self.P[b] += self.perim[u] - 2 * shared.get(b, 0.0)
        for S, val in (
            (self.Sw, v),
            (self.Sx, v * self.x[u]),
            (self.Sy, v * self.y[u]),
            (self.Sq, v * self.sq[u]),
        ):
            S[a] -= val
            S[b] += val
        self.F[a] = self.dterm(a)
        self.F[b] = self.dterm(b)

    # -- construction ------------------------------------------------------------------------

    def grow(self, seeds: Sequence[int]) -> list[int]:
        """Region growing: the lightest district takes the free neighbour nearest its seed."""
        k, n = self.k, self.n
        label = [-1] * n
        load = [0.0] * k
        heaps: list[list[tuple[float, int]]] = [[] for _ in range(k)]
        sx = [self.x[s] for s in seeds]
        sy = [self.y[s] for s in seeds]
        for d, s in enumerate(seeds):
            label[s] = d
            load[d] = self.w[s]
        for d, s in enumerate(seeds):
            for j, _ in self.nbrs[s]:
                if label[j] < 0:
                    heapq.heappush(heaps[d], ((self.x[j] - sx[d]) ** 2 + (self.y[j] - sy[d]) ** 2, j))
        active = [(load[d], d) for d in range(k)]
        heapq.heapify(active)
        free = n - k
        while free and active:
            _, d = heapq.heappop(active)
            heap = heaps[d]
            while heap and label[heap[0][1]] >= 0:
                heapq.heappop(heap)
            if not heap:
                continue  # boxed in: this district stops growing
            _, u = heapq.heappop(heap)
            label[u] = d
            free -= 1
            load[d] += self.w[u]
            for j, _ in self.nbrs[u]:
                if label[j] < 0:
                    heapq.heappush(heap, ((self.x[j] - sx[d]) ** 2 + (self.y[j] - sy[d]) ** 2, j))
            heapq.heappush(active, (load[d], d))
        if free:  # only possible for a disconnected graph, which plan_districts rejects
            raise RuntimeError("region growing left areas unassigned")
        return label

    # -- improvement -------------------------------------------------------------------------

    def boundary(self) -> list[int]:
        label = self.label
        return [u for u in range(self.n) if any(label[j] != label[u] for j, _ in self.nbrs[u])]

    def try_move(self, u: int) -> tuple[int, int] | None:
        """Make the best improving feasible move of ``u``; return ``(from, to)`` or None."""
        a = self.label[u]
        shared = self.shared_by_district(u)
        best_b, best = -1, -1e-12
        for b in shared:
            if b == a:
                continue
            d = self.delta(u, a, b, shared)
            if d < best:
                best_b, best = b, d
        if best_b >= 0 and self.can_leave(u, a):
            self.move(u, a, best_b, shared)
            return a, best_b
        return None

    def affected(self, districts: Sequence[int]) -> set[int]:
        """Areas whose best move may have changed after ``districts`` changed: their members
        and the members' neighbours in other districts."""
        label = self.label
        out: set[int] = set()
        for d in districts:
            for x in self.members[d]:
                out.add(x)
                for j, _ in self.nbrs[x]:
                    if label[j] != d:
                        out.add(j)
        return out

    def descend(self, rng: np.random.Generator, max_moves: int, focus: set[int] | None = None) -> int:
        """First-improvement descent until no boundary move helps; returns the number of moves.

        Starts from every boundary area in seeded random order (or only ``focus``, the areas
        a kick affected, when the state was a local optimum before it). A move of ``u``
        from ``a`` to ``b`` changes the gain only of areas in ``a`` or ``b`` and of their
        neighbours, so exactly those are queued again: when the queue is empty no single
        move improves ``f``.
        """
        if focus is None:
            queue = self.boundary()
            rng.shuffle(queue)  # type: ignore[arg-type]
        else:
            queue = sorted(focus)
        queued = set(queue)
        head = moves = 0
        while head < len(queue) and moves < max_moves:
            u = queue[head]
            head += 1
            queued.discard(u)
            done = self.try_move(u)
            if done is None:
                continue
            moves += 1
            for x in sorted(self.affected(done)):
                if x not in queued:
                    queued.add(x)
                    queue.append(x)
            if head > 4 * self.n:  # keep the list short
                queue = queue[head:]
                head = 0
        return moves

    def kick(self, rng: np.random.Generator, moves: int) -> set[int]:
        """``moves`` random feasible boundary moves; returns the areas they affected."""
        touched: set[int] = set()
        for _ in range(moves):
            for _attempt in range(50):
                u = int(rng.integers(self.n))
                a = self.label[u]
                shared = self.shared_by_district(u)
                options = sorted(b for b in shared if b != a)
                if options and self.can_leave(u, a):
                    b = options[int(rng.integers(len(options)))]
                    self.move(u, a, b, shared)
                    touched.update((a, b))
                    break
        return self.affected(sorted(touched))


def plan_districts(graph: AreaGraph, options: DistrictingOptions) -> DistrictPlan:
    """Partition the areas into ``options.k`` contiguous districts (method in the module docstring)."""
    k, n = options.k, graph.n
    if k > n:
        raise ValueError(f"cannot make {k} districts from {n} areas")
    parts = graph.components()
    if len(parts) > 1:
        stray = [graph.codes[p[0]] for p in sorted(parts, key=len)[:-1]]
        raise ValueError(
            f"the areas form {len(parts)} separate pieces (e.g. around area {stray[0]!r}); "
            "join them with extra_edges or plan each piece on its own"
        )
    if options.base_areas is not None and max(options.base_areas) >= n:
        raise ValueError(f"base_areas must be area indices below {n}")
    if float(np.sum(graph.workload)) <= 0:  # type: ignore[arg-type]
        raise ValueError("the total workload must be > 0 to balance it")
    search = _Search(graph, options)
    xy = graph.xy
    best_labels: list[int] | None = None
    best_f = math.inf
    start_fs = []
    for start in range(options.starts):
        rng = np.random.default_rng([options.seed, start])
        if options.base_areas is not None:
            seeds = list(options.base_areas)
        else:
            seeds = kmeans_plus_plus(xy, k, rng, weights=_dispersion_weights(graph)).tolist()  # type: ignore[arg-type]
        labels = search.grow(seeds)
        for _ in range(options.regrow if options.base_areas is None else 0):
            idx = np.asarray(labels, dtype=np.int64)
            labels = search.grow(_medians(graph, idx, k).tolist())
        search.load(labels)
        search.descend(rng, options.max_moves)
        current_f = search.objective()
        current = list(search.label)
        for _ in range(options.perturbations):
            focus = search.kick(rng, options.kick)
            search.descend(rng, options.max_moves, focus)
            f = search.objective()
            if f < current_f - _EPS:
                current_f, current = f, list(search.label)
            else:
                search.load(current)
        start_fs.append(current_f)
        if current_f < best_f - _EPS:
            best_f, best_labels = current_f, current
    assert best_labels is not None
    labels_arr = np.asarray(best_labels, dtype=np.int64)
    bases = None if options.base_areas is None else dict(enumerate(options.base_areas))
    metrics = score_assignment(graph, labels_arr, bases=bases)
    return DistrictPlan(
        labels=_frozen(labels_arr),
        metrics=metrics,
        objective=best_f,
        start_objectives=tuple(start_fs),
        options=options,
    )


# --- comparison -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Comparison:
    """A plan against an existing assignment: both metrics, and how much would change.

    Districts are matched one to one to maximise the workload that stays together
    (Hungarian algorithm); ``kept_workload_share`` and ``kept_area_share`` are the share of
    workload and of areas whose district is the matched one, ``matching`` the
    ``(existing, planned)`` name pairs.
    """

    existing: DistrictMetrics
    planned: DistrictMetrics
    matching: tuple[tuple[str, str], ...]
    kept_workload_share: float
    kept_area_share: float


def compare_assignments(
    graph: AreaGraph,
    existing: Sequence[Hashable] | npt.ArrayLike,
    planned: Sequence[Hashable] | npt.ArrayLike,
) -> Comparison:
    from scipy.optimize import linear_sum_assignment

    a = score_assignment(graph, existing)
    b = score_assignment(graph, planned)
    w = np.asarray(graph.workload, dtype=float)
    overlap = np.zeros((a.k, b.k))
    np.add.at(overlap, (a.labels, b.labels), w)
    count = np.zeros((a.k, b.k))
    np.add.at(count, (a.labels, b.labels), 1.0)
    rows, cols = linear_sum_assignment(-(overlap + 1e-9 * count))
    total = w.sum()
    return Comparison(
        existing=a,
        planned=b,
        matching=tuple((a.names[r], b.names[c]) for r, c in zip(rows, cols, strict=True)),
        kept_workload_share=float(overlap[rows, cols].sum() / total) if total > 0 else 0.0,
        kept_area_share=float(count[rows, cols].sum() / graph.n),
    )


# --- exact improvement (CP-SAT) -------------------------------------------------------------


def _tree_flows(graph: AreaGraph, idx: IntArray, roots: Sequence[int]) -> dict[tuple[int, int, int], int]:
    """Flows of a BFS spanning tree of each district from its root: on the arc parent -> child,
    the size of the child's subtree (a feasible point of the flow formulation, for the hint)."""
    flows: dict[tuple[int, int, int], int] = {}
    nbrs = graph._nbrs  # type: ignore[attr-defined]
    for d, r in enumerate(roots):
        if idx[r] != d:
            continue
        parent = {r: -1}
        order = [r]
        for u in order:
            for v, _ in nbrs[u]:
                if v not in parent and idx[v] == d:
                    parent[v] = u
                    order.append(v)
        size = dict.fromkeys(order, 1)
        for u in reversed(order[1:]):
            size[parent[u]] += size[u]
            flows[(d, parent[u], u)] = size[u]
    return flows


@dataclass(frozen=True, eq=False)
class ExactRefinement:
    """Result of :func:`refine_exact`: the plan, CP-SAT's status, the integer objective of the
    result and of the starting plan (lower is better), and the roots (base areas) used."""

    labels: IntArray
    status: str
    objective: int
    start_objective: int
    bases: tuple[int, ...]


def refine_exact(
    graph: AreaGraph,
    labels: npt.ArrayLike,
    *,
    bases: Sequence[int] | None = None,
    cut_weight: float = 1.0,
    max_deterministic_time: float = 5.0,
    seed: int = 0,
    max_areas: int = 150,
) -> ExactRefinement:
    """Improve a small plan exactly with CP-SAT.

    Each district ``d`` is rooted at ``bases[d]`` (default: the plan's workload 1-median
    areas) and must be connected (flow formulation, Shirabe 2009). The objective is
    ``(W_max - W_min) / W̄`` plus ``cut_weight`` times the border between districts as a
    share of all internal borders (lower cut = shorter total perimeter = more compact),
    in integer units (workload to 0.1 % of W̄, borders to 0.1 %). The search starts from
    ``labels`` (a hint) and is limited by CP-SAT's *deterministic* time, with one worker
    and a fixed seed, so the same inputs give the same answer. ``status`` is CP-SAT's
    (``OPTIMAL`` when proven best for these roots, else ``FEASIBLE``); the starting plan is
    always feasible (its own 1-median areas are its roots), so the result is never worse
    by this objective.
    """
    from ortools.sat.python import cp_model

    n = graph.n
    if n > max_areas:
        raise ValueError(f"refine_exact is meant for small instances ({n} areas > max_areas={max_areas})")
    _check_float("cut_weight", cut_weight)
    _check_float("max_deterministic_time", max_deterministic_time)
    _check_int("seed", seed, 0)
    _, idx = _labels_to_index(graph, np.asarray(labels).tolist())
    k = int(idx.max()) + 1
    if bases is None:
        roots = _medians(graph, idx, k).tolist()
    else:
        roots = [int(b) for b in bases]
        if len(roots) != k or len(set(roots)) != k or min(roots) < 0 or max(roots) >= n:
            raise ValueError(f"bases must be {k} distinct area indices")
    w = np.asarray(graph.workload, dtype=float)
    mean_w = w.sum() / k
    if mean_w <= 0:
        raise ValueError("the total workload must be > 0")
    wi = np.round(w / mean_w * 1000).astype(int).tolist()
    edges = np.asarray(graph.edges).tolist()
    lengths = np.asarray(graph.edge_length_m, dtype=float)
    total_len = lengths.sum() if lengths.sum() > 0 else 1.0
    li = np.round(lengths / total_len * 1000 * cut_weight).astype(int).tolist()

    m = cp_model.CpModel()
    x = [[m.new_bool_var(f"x{i}_{d}") for d in range(k)] for i in range(n)]
    for i in range(n):
        m.add_exactly_one(x[i])
    for d, r in enumerate(roots):
        m.add(x[r][d] == 1)
    loads = [m.new_int_var(0, sum(wi), f"W{d}") for d in range(k)]
    for d in range(k):
        m.add(loads[d] == sum(wi[i] * x[i][d] for i in range(n)))
    wmax = m.new_int_var(0, sum(wi), "wmax")
    wmin = m.new_int_var(0, sum(wi), "wmin")
    m.add_max_equality(wmax, loads)
    m.add_min_equality(wmin, loads)
    # contiguity: district d ships one unit from its root to each of its other areas,
    # only over borders inside the district
    arcs = [(i, j) for i, j in edges] + [(j, i) for i, j in edges]
    cap = n - 1
    hint_flow = _tree_flows(graph, idx, roots)
    for d in range(k):
        f = {(i, j): m.new_int_var(0, cap, f"f{d}_{i}_{j}") for i, j in arcs}
        for (i, j), var in f.items():
            m.add_hint(var, hint_flow.get((d, i, j), 0))
        for (i, j), var in f.items():
            m.add(var <= cap * x[i][d])
            m.add(var <= cap * x[j][d])
        out_arcs: list[list] = [[] for _ in range(n)]
        in_arcs: list[list] = [[] for _ in range(n)]
        for (i, j), var in f.items():
            out_arcs[i].append(var)
            in_arcs[j].append(var)
        for i in range(n):
            if i == roots[d]:
                m.add(sum(in_arcs[i]) == 0)
            else:
                m.add(sum(in_arcs[i]) - sum(out_arcs[i]) == x[i][d])
    cut = []
    for e, (i, j) in enumerate(edges):
        c = m.new_bool_var(f"cut{e}")
        for d in range(k):
            m.add(c >= x[i][d] - x[j][d])
        m.add_hint(c, int(idx[i] != idx[j]))
        cut.append(li[e] * c)
    loads0 = np.bincount(idx, weights=np.array(wi, dtype=float), minlength=k)
    start = int(loads0.max() - loads0.min()) + sum(
        li[e] for e, (i, j) in enumerate(edges) if idx[i] != idx[j]
    )
    for d in range(k):
        m.add_hint(loads[d], int(loads0[d]))
    m.add_hint(wmax, int(loads0.max()))
    m.add_hint(wmin, int(loads0.min()))
    objective = (wmax - wmin) + sum(cut)
    m.add(objective <= start)  # never worse than the plan we start from
    m.minimize(objective)
    for i in range(n):
        for d in range(k):
            m.add_hint(x[i][d], int(idx[i] == d))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = max_deterministic_time
    status = solver.solve(m)
    name = solver.status_name(status)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return ExactRefinement(_frozen(idx), name, start, start, tuple(roots))
    out = np.array([next(d for d in range(k) if solver.value(x[i][d])) for i in range(n)], dtype=np.int64)
    return ExactRefinement(_frozen(out), name, int(round(solver.objective_value)), start, tuple(roots))
