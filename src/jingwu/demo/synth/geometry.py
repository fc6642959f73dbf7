"""County geometry: the outline, where people live, and the station-zone-grid partition.

Everything here works in a local planar frame in km (see ``common.Frame``).

The partition is built bottom-up so that every level tiles the next exactly:

1. households are sampled as points from a density surface (a town core per station,
   scattered villages, a thin rural background);
2. grid seeds come from a balanced recursive bisection of each station's households
   (about 300 households per cluster), then over-full cells are split and near-empty
   ones dropped;
3. the Voronoi edges of all seeds and the county outline are noded together and
   polygonised, so adjacent faces share identical edges (an exact coverage);
4. faces become grids (nearest seed), grids are grouped into stations (the station
   whose households the seed came from: a Voronoi diagram of the station seeds, made
   of whole grids) and zones (a balanced bisection of the station's grids); every
   level is the coverage union of the level below, so grids lie exactly within zones,
   zones within stations and stations within the county;
5. parts that would make a grid, zone or station a MultiPolygon are moved to the
   neighbour sharing the longest border, and tiny grids are merged into a neighbour.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from scipy.spatial import cKDTree
from shapely.geometry import MultiPoint, Point, Polygon

TARGET_HOUSEHOLDS = 300  # per grid
SPLIT_ABOVE = 480
DROP_BELOW = 130
MIN_GRID_HOUSEHOLDS = 100
MIN_GRID_AREA = 0.02  # km2

HOUSEHOLD_SIZE = {"full_spectrum": 2.45, "proactive": 2.6, "preventive": 2.8}
ZONES_PER_TYPE = {"full_spectrum": 4, "proactive": 3, "preventive": 2}


@dataclass
class StationPlan:
    code: str
    short_zh: str
    pinyin: str
    seat: str  # 街道 / 镇 / 乡
    station_type: str
    role: str  # "old_urban", "textile", "tourist" or ""
    seed: np.ndarray  # km
    residents: int
    floating: int


@dataclass
class Layout:
    county: Polygon
    stations: list[Polygon]
    station_base: np.ndarray  # (S, 2)
    zones: list[Polygon]
    zone_station: np.ndarray
    zone_dir: list[str]
    zone_base: np.ndarray
    grids: list[Polygon]
    grid_zone: np.ndarray
    grid_station: np.ndarray
    grid_center: np.ndarray
    grid_households: np.ndarray
    hh_xy: np.ndarray
    hh_grid: np.ndarray
    villages: list[np.ndarray]  # village centres per station
    locator: Locator
    tourist_center: np.ndarray | None = None
    tourist_grids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


# --------------------------------------------------------------------------- outline


def county_outline(rng: np.random.Generator, index: int) -> Polygon:
    """A noisy ellipse of about 1,430 km2 (county 0) with a lake shore cut into one side."""
    if index == 0:
        area, a, b = 1430.0, 26.0, 17.5
    else:
        area = 1430.0 * rng.uniform(0.7, 1.25)
        aspect = rng.uniform(1.15, 1.6)
        a = math.sqrt(area * aspect / math.pi)
        b = area / (math.pi * a)
    th = np.linspace(0.0, 2 * math.pi, 240, endpoint=False)
    r = a * b / np.sqrt((b * np.cos(th)) ** 2 + (a * np.sin(th)) ** 2)
    noise = np.zeros_like(th)
    for k in range(2, 15):
        noise += rng.normal(0.0, 0.07 / k) * np.cos(k * th + rng.uniform(0, 2 * math.pi))
    r = r * np.clip(1.0 + noise, 0.75, 1.25)
    poly = Polygon(np.c_[r * np.cos(th), r * np.sin(th)])
    if index == 0:  # Taihu to the north-east
        lake = Point(a + 9.0, 0.45 * b).buffer(14.0, quad_segs=24)
    elif rng.random() < 0.5:
        ang = rng.uniform(0, 2 * math.pi)
        lake = Point((a + 8) * math.cos(ang), (b + 8) * math.sin(ang)).buffer(13.0, quad_segs=24)
    else:
        lake = None
    if lake is not None:
        poly = _largest(poly.difference(lake))
    s = math.sqrt(area / poly.area)
    poly = shapely.transform(poly, lambda c: c * s)
    return shapely.make_valid(poly) if not poly.is_valid else poly


def _largest(g: shapely.Geometry) -> Polygon:
    parts = shapely.get_parts(g)
    return max(parts, key=lambda p: p.area)


def place_inside(poly: Polygon, xy: np.ndarray) -> np.ndarray:
    """Pull a point toward the centroid until it is well inside ``poly``."""
    c = np.array(poly.centroid.coords[0])
    p = np.asarray(xy, dtype=float)
    for _ in range(50):
        if poly.contains(Point(p)) and poly.exterior.distance(Point(p)) > 1.5:
            return p
        p = c + (p - c) * 0.9
    return c


def generic_station_seeds(
    rng: np.random.Generator, poly: Polygon, n_pro: int, n_rural: int
) -> tuple[list[np.ndarray], list[str]]:
    """Seeds for a generated county: two urban stations near the middle, towns spread out."""
    c = np.array(poly.centroid.coords[0])
    minx, miny, maxx, maxy = poly.bounds
    u1 = place_inside(poly, c + rng.normal(0, 2.5, 2))
    ang = rng.uniform(0, 2 * math.pi)
    u2 = place_inside(poly, u1 + 5.0 * np.array([math.cos(ang), math.sin(ang)]))
    seeds = [u1, u2]
    n = 2 + n_pro + n_rural
    dmin = 0.8 * math.sqrt(poly.area / n)
    inner = poly.buffer(-2.0)
    while len(seeds) < n:
        cand = rng.uniform([minx, miny], [maxx, maxy], size=(200, 2))
        cand = cand[shapely.contains_xy(inner, cand[:, 0], cand[:, 1])]
        for p in cand:
            if len(seeds) == n:
                break
            if min(np.hypot(*(p - s)) for s in seeds) >= dmin:
                seeds.append(p)
        dmin *= 0.97
    types = ["full_spectrum"] * 2 + ["proactive"] * n_pro + ["preventive"] * n_rural
    return seeds, types


# --------------------------------------------------------------------------- population


def sample_households(
    rng: np.random.Generator, county: Polygon, plans: list[StationPlan]
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Household points per station: a town core, villages and a thin background.

    Returns the points, the index of the station each was drawn for, and the village
    centres of each station.
    """
    seeds = np.array([p.seed for p in plans])
    cells = voronoi_cells(seeds, county)
    regions = shapely.intersection(cells, county)
    out_xy, out_lab, villages = [], [], []
    for i, (plan, region) in enumerate(zip(plans, regions, strict=True)):
        region = _largest(region)
        n = int(round(plan.residents / HOUSEHOLD_SIZE[plan.station_type]))
        share, sigma = {
            "full_spectrum": (0.78, 1.1),
            "proactive": (0.45, 0.85),
            "preventive": (0.22, 0.6),
        }[plan.station_type]
        nv = max(4, int(region.area / (2.0 if plan.station_type == "preventive" else 3.0)))
        vc = _uniform_in(rng, region, nv)
        vw = rng.gamma(2.0, 1.0, nv)
        vs = rng.uniform(0.25, 0.5, nv)
        villages.append(vc)
        n_core = int(n * share)
        n_bg = int(n * 0.07)
        n_vil = n - n_core - n_bg
        core = _fill(rng, region, n_core, lambda m, i=i, s=sigma: seeds[i] + rng.normal(0, s, (m, 2)))
        bg = _uniform_in(rng, region, n_bg)

        def vil(m: int, vc: np.ndarray = vc, vw: np.ndarray = vw, vs: np.ndarray = vs) -> np.ndarray:
            j = rng.choice(len(vc), m, p=vw / vw.sum())
            return vc[j] + rng.normal(0, 1, (m, 2)) * vs[j, None]

        vxy = _fill(rng, region, n_vil, vil)
        pts = np.concatenate([core, bg, vxy])
        out_xy.append(pts)
        out_lab.append(np.full(len(pts), i, dtype=np.int32))
    return np.concatenate(out_xy), np.concatenate(out_lab), villages


def voronoi_cells(seeds: np.ndarray, around: Polygon) -> np.ndarray:
    """Voronoi cells of ``seeds`` in input order, extended past ``around``."""
    vor = shapely.voronoi_polygons(MultiPoint(seeds), extend_to=around.envelope.buffer(10.0), ordered=True)
    return np.asarray(shapely.get_parts(vor))


def _fill(rng: np.random.Generator, region: Polygon, n: int, gen: Callable[[int], np.ndarray]) -> np.ndarray:
    got: list[np.ndarray] = []
    have = 0
    while have < n:
        p = gen(int((n - have) * 1.4) + 16)
        p = p[shapely.contains_xy(region, p[:, 0], p[:, 1])]
        got.append(p)
        have += len(p)
    return np.concatenate(got)[:n] if got else np.zeros((0, 2))


def _uniform_in(rng: np.random.Generator, region: Polygon, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = region.bounds
    return _fill(rng, region, n, lambda m: rng.uniform([minx, miny], [maxx, maxy], (m, 2)))


# --------------------------------------------------------------------------- grid seeds


def _bisect(xy: np.ndarray, w: np.ndarray | None, idx: np.ndarray, k: int, out: list[np.ndarray]) -> None:
    """Split ``idx`` into ``k`` spatially compact clusters of (weighted) equal size."""
    if k <= 1 or len(idx) <= 1:
        out.append(idx)
        return
    p = xy[idx]
    ext = p.max(0) - p.min(0)
    ax = int(ext[1] > ext[0])
    k1 = k // 2
    order = idx[np.argsort(p[:, ax], kind="stable")]
    if w is None:
        m = int(round(len(idx) * k1 / k))
    else:
        cw = np.cumsum(w[order])
        m = int(np.searchsorted(cw, cw[-1] * k1 / k)) + 1
    m = min(max(m, 1), len(idx) - 1)
    _bisect(xy, w, order[:m], k1, out)
    _bisect(xy, w, order[m:], k - k1, out)


def _medoid(xy: np.ndarray, idx: np.ndarray) -> np.ndarray:
    p = xy[idx]
    return p[np.argmin(((p - p.mean(0)) ** 2).sum(1))]


def grid_seeds(hh_xy: np.ndarray, hh_lab: np.ndarray, n_stations: int) -> tuple[np.ndarray, np.ndarray]:
    """Seeds of about TARGET_HOUSEHOLDS households each, labelled with their station."""
    seeds, labels = [], []
    for s in range(n_stations):
        idx = np.flatnonzero(hh_lab == s)
        k = max(2, int(round(len(idx) / TARGET_HOUSEHOLDS)))
        clusters: list[np.ndarray] = []
        _bisect(hh_xy, None, idx, k, clusters)
        seeds.extend(_medoid(hh_xy, c) for c in clusters)
        labels.extend([s] * len(clusters))
    gs, gl = np.array(seeds), np.array(labels)
    # Voronoi cells of cluster medoids are not exactly the clusters: split over-full
    # cells and drop near-empty ones, twice.
    for _ in range(2):
        _, cell = cKDTree(gs).query(hh_xy)
        cnt = np.bincount(cell, minlength=len(gs))
        big = np.flatnonzero(cnt > SPLIT_ABOVE)
        keep = (cnt >= DROP_BELOW) & (cnt <= SPLIT_ABOVE)
        new_s, new_l = [gs[keep]], [gl[keep]]
        order = np.argsort(cell, kind="stable")
        starts = np.searchsorted(cell[order], np.arange(len(gs) + 1))
        for g in big:
            members = order[starts[g] : starts[g + 1]]
            parts: list[np.ndarray] = []
            _bisect(hh_xy, None, members, int(round(len(members) / TARGET_HOUSEHOLDS)) or 2, parts)
            new_s.extend(_medoid(hh_xy, c)[None] for c in parts)
            new_l.append(np.full(len(parts), gl[g]))
        gs, gl = np.concatenate(new_s), np.concatenate(new_l)
    return gs, gl


# --------------------------------------------------------------------------- partition


class Locator:
    """Find the grid containing points: nearest seed (the Voronoi cell), then its face."""

    def __init__(self, seeds: np.ndarray, faces: np.ndarray, face_grid: np.ndarray, county: Polygon) -> None:
        self.tree = cKDTree(seeds)
        self.county = county
        self.faces = faces
        rp = shapely.get_coordinates(shapely.point_on_surface(faces))
        _, face_cell = self.tree.query(rp)
        self.cell_grid = np.full(len(seeds), -1, dtype=np.int64)
        self.multi: dict[int, list[int]] = {}
        for f, c in enumerate(face_cell.tolist()):
            g = int(face_grid[f])
            if c in self.multi:
                self.multi[c].append(f)
            elif self.cell_grid[c] == -1:
                self.cell_grid[c] = g
            elif self.cell_grid[c] != g:
                first = [ff for ff in range(len(face_cell)) if face_cell[ff] == c and ff < f]
                self.multi[c] = [*first, f]
                self.cell_grid[c] = -2
        self.face_grid = face_grid

    def grid_of(self, xy: np.ndarray) -> np.ndarray:
        xy = np.asarray(xy, dtype=float)
        if len(xy) == 0:
            return np.zeros(0, dtype=np.int64)
        _, cell = self.tree.query(xy)
        g = self.cell_grid[cell]
        g = np.where(shapely.contains_xy(self.county, xy[:, 0], xy[:, 1]), g, -1)
        for c, flist in self.multi.items():
            sel = np.flatnonzero((cell == c) & (g == -2))
            if len(sel) == 0:
                continue
            res = np.full(len(sel), -1, dtype=np.int64)
            for f in flist:
                hit = shapely.contains_xy(self.faces[f], xy[sel, 0], xy[sel, 1])
                res[hit] = self.face_grid[f]
            g[sel] = res
        return g


def _faces(seeds: np.ndarray, county: Polygon) -> np.ndarray:
    """Polygonise the county outline with the Voronoi edges of ``seeds`` (an exact coverage)."""
    edges = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=county.envelope.buffer(5.0), only_edges=True
    )
    # Edges overshoot the outline by 1 mm so that they are noded with it; the overshoots
    # are dangles and do not form faces.
    lines = shapely.unary_union([shapely.intersection(edges, county.buffer(1e-6)), county.boundary])
    faces = np.asarray(shapely.get_parts(shapely.polygonize(shapely.get_parts(lines))))
    rp = shapely.get_coordinates(shapely.point_on_surface(faces))
    return faces[shapely.contains_xy(county, rp[:, 0], rp[:, 1])]


def _union(polys: np.ndarray) -> shapely.Geometry:
    if len(polys) == 1:
        return polys[0]
    return shapely.coverage_union_all(polys)


def _group_members(group: np.ndarray) -> dict[int, np.ndarray]:
    order = np.argsort(group, kind="stable")
    keys, starts = np.unique(group[order], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    return {int(k): order[s:e] for k, s, e in zip(keys, starts, ends, strict=True)}


def _connect(
    polys: np.ndarray,
    group: np.ndarray,
    allowed: Callable[[int, int], bool] | None = None,
) -> np.ndarray:
    """Relabel members so that every group's union is a single Polygon.

    Minor parts of a group move to the neighbouring group with the longest shared border.
    """
    group = group.copy()
    rp = shapely.get_coordinates(shapely.point_on_surface(polys))
    tree = shapely.STRtree(polys)
    for _ in range(8):
        changed = False
        for g, members in _group_members(group).items():
            if len(members) < 2:
                continue
            u = _union(polys[members])
            if u.geom_type == "Polygon":
                continue
            parts = sorted(shapely.get_parts(u), key=lambda p: -p.area)
            for part in parts[1:]:
                inpart = members[shapely.contains_xy(part, rp[members, 0], rp[members, 1])]
                if len(inpart) == 0:
                    continue
                cands = tree.query(part, predicate="intersects")
                cands = cands[group[cands] != g]
                if allowed is not None:
                    cands = np.array([c for c in cands if allowed(int(group[c]), g)], dtype=np.int64)
                if len(cands) == 0:
                    continue
                shared = shapely.length(shapely.intersection(part.boundary, shapely.boundary(polys[cands])))
                best = cands[int(np.argmax(shared))]
                group[inpart] = group[best]
                changed = True
        if not changed:
            break
    return group


def _direction(v: np.ndarray, radius: float) -> str:
    if np.hypot(*v) < 0.3 * radius:
        return "C"
    ang = math.degrees(math.atan2(v[1], v[0])) % 360
    return ("E", "NE", "N", "NW", "W", "SW", "S", "SE")[int(((ang + 22.5) % 360) // 45)]


def build_layout(rng: np.random.Generator, county: Polygon, plans: list[StationPlan]) -> Layout:
    hh_xy, hh_lab, villages = sample_households(rng, county, plans)
    seeds, seed_station = grid_seeds(hh_xy, hh_lab, len(plans))
    faces = _faces(seeds, county)
    _, face_grid = cKDTree(seeds).query(shapely.get_coordinates(shapely.point_on_surface(faces)))
    face_grid = face_grid.astype(np.int64)

    # Each grid one Polygon: move stray faces to the neighbour with the longest border.
    face_grid = _connect(faces, face_grid)
    grid_station = seed_station.astype(np.int64)

    # Merge near-empty or tiny grids into a neighbour of the same station.
    face_grid = _merge_small(faces, face_grid, grid_station, hh_xy, seeds, county)

    # Renumber grids 0..n-1.
    used = np.unique(face_grid)
    remap = np.full(len(seeds), -1, dtype=np.int64)
    remap[used] = np.arange(len(used))
    face_grid = remap[face_grid]
    grid_station = grid_station[used]
    members = _group_members(face_grid)
    grids = np.array([_union(faces[members[g]]) for g in range(len(used))], dtype=object)

    # Stations: whole grids; each station one Polygon.
    grid_station = _connect(grids, grid_station)
    locator = Locator(seeds, faces, face_grid, county)
    hh_grid = locator.grid_of(hh_xy)
    grid_hh = np.bincount(hh_grid[hh_grid >= 0], minlength=len(grids))
    centers = _grid_centers(hh_xy, hh_grid, grids)

    # Zones: a balanced bisection of each station's grids (the textile town by latitude).
    grid_zone = np.full(len(grids), -1, dtype=np.int64)
    zone_station: list[int] = []
    zone_dir: list[str] = []
    for s, plan in enumerate(plans):
        gidx = np.flatnonzero(grid_station == s)
        nz = 3 if plan.role == "textile" else ZONES_PER_TYPE[plan.station_type]
        nz = max(1, min(nz, len(gidx) // 3))
        w = grid_hh.astype(float) + 1.0
        if plan.role == "textile":
            order = gidx[np.argsort(centers[gidx, 1], kind="stable")]
            cw = np.cumsum(grid_hh[order] + 1.0)
            lab = np.minimum((cw / cw[-1] * nz - 1e-9).astype(int), nz - 1)
            local = np.empty(len(gidx), dtype=np.int64)
            local[np.searchsorted(gidx, order)] = lab
        else:
            clusters: list[np.ndarray] = []
            _bisect(centers, w, gidx, nz, clusters)
            local = np.empty(len(gidx), dtype=np.int64)
            for k, c in enumerate(clusters):
                local[np.searchsorted(gidx, c)] = k
        base = len(zone_station)
        grid_zone[gidx] = base + local
        zone_station.extend([s] * nz)
    zs = np.array(zone_station)
    grid_zone = _connect(grids, grid_zone, allowed=lambda a, b: zs[a] == zs[b])

    # Order zones within a station (textile: south, central, north) and name directions.
    zones: list[Polygon] = []
    zone_members: list[np.ndarray] = []
    new_zone_station: list[int] = []
    zmem = _group_members(grid_zone)
    stations: list[Polygon] = []
    station_base = np.zeros((len(plans), 2))
    for s, plan in enumerate(plans):
        zids = [z for z in zmem if zs[z] == s]
        spoly = _union(grids[np.concatenate([zmem[z] for z in zids])])
        stations.append(spoly)
        sc = _weighted_center(centers, grid_hh, np.flatnonzero(grid_station == s))
        radius = math.sqrt(spoly.area / math.pi)
        zc = {z: _weighted_center(centers, grid_hh, zmem[z]) for z in zids}
        if plan.role == "textile":
            zids.sort(key=lambda z: zc[z][1])
            dirs = (
                ["S", "C", "N"][: len(zids)]
                if len(zids) == 3
                else [_direction(zc[z] - sc, radius) for z in zids]
            )
        else:
            zids.sort(key=lambda z: (-round(zc[z][1], 6), zc[z][0]))
            dirs = [_direction(zc[z] - sc, radius) for z in zids]
        for z, d in zip(zids, dirs, strict=True):
            zones.append(_union(grids[zmem[z]]))
            zone_members.append(zmem[z])
            new_zone_station.append(s)
            zone_dir.append(d)
        b = plan.seed
        if not spoly.contains(Point(b)):
            inside = np.flatnonzero(grid_station[hh_grid] == s) if len(hh_grid) else np.zeros(0, dtype=int)
            b = hh_xy[inside[np.argmin(np.hypot(*(hh_xy[inside] - b).T))]]
        station_base[s] = b
    grid_zone = np.empty(len(grids), dtype=np.int64)
    for z, m in enumerate(zone_members):
        grid_zone[m] = z
    zone_base = np.zeros((len(zones), 2))
    for z, m in enumerate(zone_members):
        top = m[np.argmax(grid_hh[m])]
        p = centers[top]
        zone_base[z] = (
            p if grids[top].contains(Point(p)) else shapely.get_coordinates(grids[top].point_on_surface())[0]
        )

    county_union = _union(np.asarray(stations, dtype=object))
    layout = Layout(
        county=county_union,
        stations=stations,
        station_base=station_base,
        zones=zones,
        zone_station=np.array(new_zone_station, dtype=np.int64),
        zone_dir=zone_dir,
        zone_base=zone_base,
        grids=list(grids),
        grid_zone=grid_zone,
        grid_station=grid_station,
        grid_center=centers,
        grid_households=grid_hh,
        hh_xy=hh_xy,
        hh_grid=hh_grid,
        villages=villages,
        locator=locator,
    )
    for s, plan in enumerate(plans):
        if plan.role == "tourist":
            _place_tourist_village(layout, s)
    return layout


def _weighted_center(centers: np.ndarray, hh: np.ndarray, idx: np.ndarray) -> np.ndarray:
    w = hh[idx].astype(float) + 1.0
    return (centers[idx] * w[:, None]).sum(0) / w.sum()


def _grid_centers(hh_xy: np.ndarray, hh_grid: np.ndarray, grids: np.ndarray) -> np.ndarray:
    n = len(grids)
    ok = hh_grid >= 0
    cnt = np.bincount(hh_grid[ok], minlength=n).astype(float)
    sx = np.bincount(hh_grid[ok], weights=hh_xy[ok, 0], minlength=n)
    sy = np.bincount(hh_grid[ok], weights=hh_xy[ok, 1], minlength=n)
    c = np.c_[sx, sy] / np.maximum(cnt, 1)[:, None]
    empty = cnt == 0
    if empty.any():
        c[empty] = shapely.get_coordinates(shapely.point_on_surface(grids[empty]))
    return c


def _merge_small(
    faces: np.ndarray,
    face_grid: np.ndarray,
    grid_station: np.ndarray,
    hh_xy: np.ndarray,
    seeds: np.ndarray,
    county: Polygon,
) -> np.ndarray:
    face_grid = face_grid.copy()
    loc = Locator(seeds, faces, face_grid, county)
    hh = np.bincount(np.maximum(loc.grid_of(hh_xy), 0), minlength=len(seeds))
    members = _group_members(face_grid)
    polys = {g: _union(faces[m]) for g, m in members.items()}
    small = [
        g
        for g in sorted(polys, key=lambda g: (hh[g], g))
        if hh[g] < MIN_GRID_HOUSEHOLDS or polys[g].area < MIN_GRID_AREA
    ]
    if not small:
        return face_grid
    for g in small:
        if g not in polys:
            continue
        keys = np.array(sorted(polys))
        arr = np.array([polys[k] for k in keys], dtype=object)
        hits = keys[shapely.STRtree(arr).query(polys[g], predicate="intersects")]
        hits = [int(h) for h in hits if h != g]
        same = [h for h in hits if grid_station[h] == grid_station[g]] or hits
        if not same:
            continue
        shared = shapely.length(
            shapely.intersection(
                polys[g].boundary, shapely.boundary(np.array([polys[h] for h in same], dtype=object))
            )
        )
        for j in np.argsort(-shared, kind="stable"):
            if shared[j] <= 0:
                break
            t = same[int(j)]
            merged = _union(np.array([polys[t], polys[g]], dtype=object))
            if merged.geom_type != "Polygon":
                continue
            polys[t] = merged
            del polys[g]
            face_grid[face_grid == g] = t
            hh[t] += hh[g]
            break
    return face_grid


def _place_tourist_village(layout: Layout, s: int) -> None:
    """The station's tourist village: its village centre farthest from the station office."""
    spoly = layout.stations[s]
    vc = layout.villages[s]
    inside = np.zeros((0, 2))
    for margin in (2.0, 1.0, 0.5):
        inside = vc[shapely.contains_xy(spoly.buffer(-margin), vc[:, 0], vc[:, 1])]
        if len(inside):
            break
    if len(inside) == 0:
        inside = shapely.get_coordinates(spoly.point_on_surface())
    d = np.hypot(*(inside - layout.station_base[s]).T)
    center = inside[int(np.argmax(d))]
    gs = np.flatnonzero(layout.grid_station == s)
    near = gs[np.hypot(*(layout.grid_center[gs] - center).T) < 1.8]
    own = layout.locator.grid_of(center[None])[0]
    if own >= 0 and own not in near:
        near = np.r_[own, near]
    layout.tourist_center = center
    layout.tourist_grids = near
