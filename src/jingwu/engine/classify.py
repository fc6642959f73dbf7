"""Station classification: full-spectrum, proactive or preventive, with reasons and stability.

The reform sorts the county's police stations into three types by their area: urban
stations that attack and defend (full-spectrum, keep a strike squad), central-town
stations that attack proactively, rural stations that prevent. This module proposes the
type of each station from data, in a way a planner can check:

1. **Features** per station (:data:`FEATURES`): incidents per 1,000 residents and per km²,
   criminal share of incidents, floating-population share, key premises per km², urban
   share of residents, and tourism seasonality (peak-month / mean-month incidents).
   Densities span orders of magnitude, so they are log-transformed; every feature is
   then standardised across the stations (z-scores, population standard deviation) and
   clipped to ±``clip`` so one extreme station cannot dominate the distances. A station
   without resident figures (``residents`` 0, or ``urban_share`` NaN) has no value for
   the features that need them (:data:`RESIDENT_FEATURES`): they are standardised over
   the other stations and its z-score is 0 (the stations' mean, so the missing figure
   pulls it towards no type).
2. **Transparent score**: a weighted mean of the z-scores (:data:`SCORE_WEIGHTS`). The
   reform typed stations "by their area", so the area-character features (incidents
   per km², premises per km², urban share) weigh 1 and the work-mix features (per
   1,000 residents, criminal share, floating share) 0.25; seasonality weighs -0.25 (a
   holiday peak marks a rural tourist area). It orders stations from most urban/intense
   to least.
3. **k-means** (k = 3) on the z-scores scaled by the square roots of
   :data:`CLUSTER_WEIGHTS` (the same weights, seasonality +0.25), Lloyd's
   algorithm with k-means++ seeding (Arthur & Vassilvitskii, "k-means++: the advantages
   of careful seeding", SODA 2007) and ``n_init`` seeded restarts, best inertia kept.
   Clusters become types by their centroid's score: highest full-spectrum, middle
   proactive, lowest preventive.
4. **Reasons**: each station's features with the largest |z|, as reason codes with
   numbers, e.g. ``("high_incidents_per_1000", z=1.8, value=41.2)``; then, for each
   feature it has no resident figures for, ``unknown_<feature>`` (no value): the planner
   sees "no resident data" rather than a number computed from none.
5. **Stability**: ``bootstrap`` runs resample the incidents (a multinomial draw of the
   station x month x criminal counts, which is the same as resampling incidents with
   replacement) and jitter the other inputs by a log-normal factor (``jitter``), then
   classify again; a station's stability is the share of runs that give it the same type.
6. **Planner overrides**: ``{station: type}`` (or :class:`Override` with a reason) are
   applied last and reported (``overridden``, ``original_type``, ``override_reason``).

No scikit-learn: k-means is a few lines of numpy here, seeded and deterministic.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

from jingwu.engine.vocab import STATION_TYPES, codes

__all__ = [
    "CLUSTER_WEIGHTS",
    "FEATURES",
    "SCORE_WEIGHTS",
    "Classification",
    "FeatureTable",
    "RESIDENT_FEATURES",
    "KMeansResult",
    "Override",
    "Reason",
    "StationClass",
    "StationProfile",
    "classify_stations",
    "kmeans",
    "kmeans_plus_plus",
    "station_features",
    "urban_share_by_density",
]

FloatArray = npt.NDArray[np.float64]

FEATURES: tuple[str, ...] = (
    "incidents_per_1000",
    "incidents_per_km2",
    "criminal_share",
    "floating_share",
    "premises_per_km2",
    "urban_share",
    "seasonality",
)
_LOG_FEATURES = frozenset({"incidents_per_km2", "premises_per_km2"})
#: Features computed from residents: unknown for a station without resident figures.
RESIDENT_FEATURES = frozenset({"incidents_per_1000", "floating_share", "urban_share"})

#: The area-character features (the reform typed stations "by their area"); the others
#: describe the work mix and count a quarter as much.
_AREA_FEATURES = frozenset({"incidents_per_km2", "premises_per_km2", "urban_share"})

#: Weights of the z-scores in the k-means distance.
CLUSTER_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {f: (1.0 if f in _AREA_FEATURES else 0.25) for f in FEATURES}
)

#: Weights of the z-scores in the transparent urban/intensity score (seasonality counts
#: against: a holiday peak marks a rural tourist area).
SCORE_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {f: (-0.25 if f == "seasonality" else CLUSTER_WEIGHTS[f]) for f in FEATURES}
)

#: Types in order of decreasing score.
TYPE_ORDER: tuple[str, str, str] = ("full_spectrum", "proactive", "preventive")


def _check_int(name: str, value, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")


def _check_float(name: str, value, minimum: float = 0.0) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
        or value < minimum
    ):
        raise ValueError(f"{name} must be a finite number >= {minimum}, got {value!r}")


def _array(
    name: str, values, shape: tuple[int, ...], *, nonneg: bool = True, unknown: bool = False
) -> FloatArray:
    """A read-only float array of ``shape``; ``unknown``: NaN marks a missing value."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be numeric: {exc}") from None
    if arr.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {arr.shape}")
    known = arr[~np.isnan(arr)] if unknown else arr
    if not np.all(np.isfinite(known)):
        raise ValueError(f"{name} must be finite")
    if nonneg and known.size and known.min() < 0:
        raise ValueError(f"{name} must be >= 0")
    arr = arr.copy()
    arr.flags.writeable = False
    return arr


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class StationProfile:
    """What the classification needs per station (one row per station).

    ``residents`` and ``floating`` (floating population) are people (``residents`` 0: no
    resident data for the station); ``area_km2``; ``premises`` key premises count;
    ``urban_share`` share of residents living in urban areas (0-1, e.g.
    :func:`urban_share_by_density`; NaN: unknown); ``monthly_incidents`` and
    ``monthly_criminal`` are (stations x 12) incident counts by calendar month (all
    incidents, and the criminal ones among them) over ``years`` years.
    """

    codes: tuple[str, ...]
    residents: npt.ArrayLike
    floating: npt.ArrayLike
    area_km2: npt.ArrayLike
    premises: npt.ArrayLike
    urban_share: npt.ArrayLike
    monthly_incidents: npt.ArrayLike
    monthly_criminal: npt.ArrayLike
    years: float = 1.0

    def __post_init__(self) -> None:
        labels = tuple(str(c) for c in self.codes)
        n = len(labels)
        if n < 3:
            raise ValueError(f"need at least 3 stations to form 3 types, got {n}")
        if len(set(labels)) != n:
            raise ValueError("station codes must be unique")
        object.__setattr__(self, "codes", labels)
        for name in ("residents", "floating", "area_km2", "premises", "urban_share"):
            arr = _array(name, getattr(self, name), (n,), unknown=name == "urban_share")
            object.__setattr__(self, name, arr)
        if np.any(self.area_km2 <= 0):  # type: ignore[operator]
            raise ValueError("area_km2 must be > 0 for every station")
        if np.any(np.nan_to_num(self.urban_share) > 1):  # type: ignore[arg-type]
            raise ValueError("urban_share must be within [0, 1]")
        inc = _array("monthly_incidents", self.monthly_incidents, (n, 12))
        crim = _array("monthly_criminal", self.monthly_criminal, (n, 12))
        if np.any(crim > inc):
            raise ValueError("monthly_criminal cannot exceed monthly_incidents")
        if np.any(np.round(inc) != inc) or np.any(np.round(crim) != crim):
            raise ValueError("monthly incident counts must be whole numbers")
        object.__setattr__(self, "monthly_incidents", inc)
        object.__setattr__(self, "monthly_criminal", crim)
        _check_float("years", self.years)
        if self.years <= 0:
            raise ValueError(f"years must be > 0, got {self.years!r}")

    @classmethod
    def from_incidents(
        cls,
        codes: tuple[str, ...],
        station: npt.ArrayLike,
        month: npt.ArrayLike,
        criminal: npt.ArrayLike,
        **kwargs,
    ) -> StationProfile:
        """Build the monthly counts from incident arrays (station index, month 1-12, criminal flag)."""
        s = np.asarray(station, dtype=np.int64)
        m = np.asarray(month, dtype=np.int64)
        c = np.asarray(criminal, dtype=bool)
        n = len(codes)
        if not (len(s) == len(m) == len(c)):
            raise ValueError("station, month and criminal must have the same length")
        if len(s) and (s.min() < 0 or s.max() >= n):
            raise ValueError(f"station index out of range for {n} stations")
        if len(m) and (m.min() < 1 or m.max() > 12):
            raise ValueError("month must be within 1-12")
        cell = s * 12 + (m - 1)
        inc = np.bincount(cell, minlength=n * 12).reshape(n, 12)
        crim = np.bincount(cell[c], minlength=n * 12).reshape(n, 12)
        return cls(codes, monthly_incidents=inc, monthly_criminal=crim, **kwargs)


def urban_share_by_density(
    residents: npt.ArrayLike,
    area_km2: npt.ArrayLike,
    station: npt.ArrayLike,
    n_stations: int,
    threshold: float = 1500.0,
) -> FloatArray:
    """Share of each station's residents living in grids denser than ``threshold`` per km².

    1,500 inhabitants per km² is the density of an "urban centre" in the EU/OECD/UN
    Degree of Urbanisation (Dijkstra & Poelman, "A harmonised definition of cities and
    rural areas", European Commission Regional Working Paper 01/2014; UN Statistical
    Commission 2020), applied here to grids instead of 1 km² cells. A station whose
    grids hold no residents gets NaN (unknown), not 0.
    """
    r = np.asarray(residents, dtype=float)
    a = np.asarray(area_km2, dtype=float)
    s = np.asarray(station, dtype=np.int64)
    if not (r.shape == a.shape == s.shape) or r.ndim != 1:
        raise ValueError("residents, area_km2 and station must be one-dimensional arrays of one length")
    if np.any(a <= 0):
        raise ValueError("area_km2 must be > 0 for every grid")
    if len(s) and (s.min() < 0 or s.max() >= n_stations):
        raise ValueError(f"station index out of range for {n_stations} stations")
    urban = r / a >= threshold
    tot = np.bincount(s, weights=r, minlength=n_stations)
    urb = np.bincount(s, weights=r * urban, minlength=n_stations)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, urb / tot, np.nan)


# --- features -------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class FeatureTable:
    """Raw feature values and their standardised (log for densities, clipped) z-scores."""

    codes: tuple[str, ...]
    names: tuple[str, ...]
    values: FloatArray
    z: FloatArray
    mean: FloatArray
    std: FloatArray

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {
            c: {f: float(self.values[i, j]) for j, f in enumerate(self.names)}
            for i, c in enumerate(self.codes)
        }


def _raw_features(
    residents: FloatArray,
    floating: FloatArray,
    area: FloatArray,
    premises: FloatArray,
    urban: FloatArray,
    monthly: FloatArray,
    criminal: FloatArray,
    years: float,
) -> FloatArray:
    total = monthly.sum(axis=1)
    per_year = total / years
    mean_month = monthly.mean(axis=1)
    known = residents > 0  # no resident data: the features that need residents are unknown
    with np.errstate(invalid="ignore", divide="ignore"):
        crim_share = np.where(total > 0, criminal.sum(axis=1) / total, 0.0)
        seasonality = np.where(mean_month > 0, monthly.max(axis=1) / mean_month, 1.0)
        people = residents + floating
        floating_share = np.where(known, np.where(people > 0, floating / people, 0.0), np.nan)
        per_1000 = np.where(known, per_year / (residents / 1000.0), np.nan)
    return np.column_stack(
        [
            per_1000,
            per_year / area,
            crim_share,
            floating_share,
            premises / area,
            np.where(known, urban, np.nan),
            seasonality,
        ]
    )


def _standardise(values: FloatArray, clip: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = values.copy()
    for j, name in enumerate(FEATURES):
        if name in _LOG_FEATURES:
            x[:, j] = np.log1p(x[:, j])
    missing = np.isnan(x)
    if missing.any():  # standardise each feature over the stations that have it
        mean = np.full(x.shape[1], np.nan)
        std = np.full(x.shape[1], np.nan)
        for j in range(x.shape[1]):
            col = x[~missing[:, j], j]
            if col.size:
                mean[j], std[j] = col.mean(), col.std()
        centre = np.nan_to_num(mean)
        spread = np.nan_to_num(std)
    else:
        mean = centre = x.mean(axis=0)
        std = spread = x.std(axis=0)
    safe = np.where(spread > 1e-12 * np.maximum(1.0, np.abs(centre)), spread, np.inf)
    z = np.clip((x - centre) / safe, -clip, clip)
    z[missing] = 0.0  # an unknown figure sits at the mean: it pulls towards no type
    return z, mean, std


def station_features(profile: StationProfile, *, clip: float = 2.5) -> FeatureTable:
    """The :data:`FEATURES` of each station, raw and as z-scores (see the module docstring)."""
    _check_float("clip", clip)
    if clip <= 0:
        raise ValueError(f"clip must be > 0, got {clip!r}")
    values = _raw_features(
        profile.residents,  # type: ignore[arg-type]
        profile.floating,  # type: ignore[arg-type]
        profile.area_km2,  # type: ignore[arg-type]
        profile.premises,  # type: ignore[arg-type]
        profile.urban_share,  # type: ignore[arg-type]
        profile.monthly_incidents,  # type: ignore[arg-type]
        profile.monthly_criminal,  # type: ignore[arg-type]
        profile.years,
    )
    z, mean, std = _standardise(values, clip)
    return FeatureTable(profile.codes, FEATURES, values, z, mean, std)


# --- k-means --------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class KMeansResult:
    labels: npt.NDArray[np.int64]
    centroids: FloatArray
    inertia: float
    iterations: int


def kmeans_plus_plus(
    points: FloatArray, k: int, rng: np.random.Generator, weights: FloatArray | None = None
) -> npt.NDArray[np.int64]:
    """Indices of ``k`` seeds by k-means++ (Arthur & Vassilvitskii 2007): the first at random
    (weighted), each next one with probability proportional to weight x squared distance to
    the nearest seed so far."""
    n = len(points)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if w.sum() <= 0:
        w = np.ones(n)
    seeds = [int(rng.choice(n, p=w / w.sum()))]
    d2 = ((points - points[seeds[0]]) ** 2).sum(axis=1)
    for _ in range(1, k):
        p = w * d2
        total = p.sum()
        if total <= 0:  # all remaining points coincide with seeds: pick any unused one
            unused = np.setdiff1d(np.arange(n), seeds)
            nxt = int(rng.choice(unused))
        else:
            nxt = int(rng.choice(n, p=p / total))
        seeds.append(nxt)
        d2 = np.minimum(d2, ((points - points[nxt]) ** 2).sum(axis=1))
    return np.array(seeds, dtype=np.int64)


def kmeans(
    points: npt.ArrayLike, k: int, *, seed: int = 0, n_init: int = 10, max_iter: int = 100
) -> KMeansResult:
    """Lloyd's k-means with k-means++ seeding and ``n_init`` seeded restarts (lowest inertia kept).

    An empty cluster is re-seeded with the point farthest from its centroid. Ties between
    restarts keep the earliest, so the result depends only on ``seed``.
    """
    x = np.asarray(points, dtype=float)
    if x.ndim != 2 or not np.all(np.isfinite(x)):
        raise ValueError("points must be a finite 2-D array (rows = points)")
    _check_int("k", k, 1)
    _check_int("n_init", n_init, 1)
    _check_int("max_iter", max_iter, 1)
    n = len(x)
    if len(np.unique(x, axis=0)) < k:
        raise ValueError(f"k-means needs at least k={k} distinct points, got {len(np.unique(x, axis=0))}")
    rng = np.random.default_rng(seed)
    best: KMeansResult | None = None
    for _ in range(n_init):
        centroids = x[kmeans_plus_plus(x, k, rng)].copy()
        labels = np.full(n, -1, dtype=np.int64)
        it = 0
        for it in range(1, max_iter + 1):  # noqa: B007
            d2 = ((x[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
            new = d2.argmin(axis=1)
            for c in range(k):
                if not np.any(new == c):
                    far = int(d2[np.arange(n), new].argmax())
                    new[far] = c
            if np.array_equal(new, labels):
                break
            labels = new
            for c in range(k):
                centroids[c] = x[labels == c].mean(axis=0)
        inertia = float(((x - centroids[labels]) ** 2).sum())
        if best is None or inertia < best.inertia - 1e-12:
            best = KMeansResult(labels.copy(), centroids.copy(), inertia, it)
    assert best is not None
    return best


# --- classification -------------------------------------------------------------------------


@dataclass(frozen=True)
class Override:
    """A planner's decision: this station is of ``station_type`` because ``reason``."""

    station_type: str
    reason: str = "planner override"

    def __post_init__(self) -> None:
        if self.station_type not in codes(STATION_TYPES):
            raise ValueError(f"override type {self.station_type!r} is not one of {codes(STATION_TYPES)}")
        if not str(self.reason).strip():
            raise ValueError("an override needs a reason")


@dataclass(frozen=True)
class Reason:
    """One reason code: ``high_<feature>`` or ``low_<feature>``, its z-score and raw value;
    ``unknown_<feature>`` (z 0, value NaN) for a feature the station has no resident data for."""

    code: str
    feature: str
    z: float
    value: float

    def as_tuple(self) -> tuple[str, float]:
        return (self.code, round(self.z, 2))


@dataclass(frozen=True)
class StationClass:
    """The type of one station and why.

    ``station_type`` is what applies (the override if any); ``original_type`` what the
    method proposed; ``stability`` the share of bootstrap runs that proposed
    ``original_type`` again (NaN when ``bootstrap=0``); ``type_shares`` the share of runs
    per type.
    """

    code: str
    station_type: str
    original_type: str
    overridden: bool
    override_reason: str | None
    cluster: int
    score: float
    reasons: tuple[Reason, ...]
    stability: float
    type_shares: Mapping[str, float]


@dataclass(frozen=True, eq=False)
class Classification:
    stations: tuple[StationClass, ...]
    features: FeatureTable
    centroids: FloatArray
    cluster_types: tuple[str, ...]
    inertia: float
    seed: int
    bootstrap: int

    def by_code(self) -> dict[str, StationClass]:
        return {s.code: s for s in self.stations}

    def types(self) -> dict[str, str]:
        return {s.code: s.station_type for s in self.stations}

    def counts(self) -> dict[str, int]:
        return {t: sum(s.station_type == t for s in self.stations) for t in TYPE_ORDER}


def _vector(weights: Mapping[str, float], name: str) -> FloatArray:
    unknown = set(weights) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown features in {name}: {sorted(unknown)}; known: {FEATURES}")
    out = np.array([float(weights.get(f, 0.0)) for f in FEATURES])
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must be finite")
    return out


def _assign(
    z: FloatArray, cw: FloatArray, sw: FloatArray, seed: int, n_init: int
) -> tuple[npt.NDArray[np.int64], KMeansResult, tuple[str, ...], FloatArray]:
    scale = np.sqrt(cw)
    km = kmeans(z * scale, 3, seed=seed, n_init=n_init)
    centroids = km.centroids / np.where(scale > 0, scale, 1.0)
    norm = np.abs(sw).sum()
    score = centroids @ sw / norm
    order = np.argsort(-score, kind="stable")
    cluster_types = [""] * 3
    for rank, c in enumerate(order):
        cluster_types[int(c)] = TYPE_ORDER[rank]
    type_idx = np.array([TYPE_ORDER.index(cluster_types[c]) for c in km.labels], dtype=np.int64)
    return type_idx, km, tuple(cluster_types), centroids


def classify_stations(
    profile: StationProfile,
    *,
    seed: int = 0,
    n_init: int = 10,
    bootstrap: int = 200,
    jitter: float = 0.05,
    clip: float = 2.5,
    n_reasons: int = 3,
    overrides: Mapping[str, str | Override] | None = None,
    score_weights: Mapping[str, float] = SCORE_WEIGHTS,
    cluster_weights: Mapping[str, float] = CLUSTER_WEIGHTS,
) -> Classification:
    """Propose a type for every station (see the module docstring), with reasons, stability
    under ``bootstrap`` resampling runs, and the planner's ``overrides`` applied last."""
    _check_int("seed", seed, 0)
    _check_int("n_init", n_init, 1)
    _check_int("bootstrap", bootstrap, 0)
    _check_int("n_reasons", n_reasons, 0)
    _check_float("jitter", jitter)
    sw = _vector(score_weights, "score_weights")
    cw = _vector(cluster_weights, "cluster_weights")
    if np.any(cw < 0) or not np.any(cw > 0):
        raise ValueError("cluster_weights must be >= 0 with at least one > 0")
    if not np.any(sw != 0):
        raise ValueError("score_weights must have at least one non-zero weight")
    resolved: dict[str, Override] = {}
    for code, value in dict(overrides or {}).items():
        if code not in profile.codes:
            raise ValueError(f"override for unknown station {code!r}; stations: {list(profile.codes)}")
        resolved[code] = value if isinstance(value, Override) else Override(str(value))

    table = station_features(profile, clip=clip)
    type_idx, km, cluster_types, centroids = _assign(table.z, cw, sw, seed, n_init)
    scores = table.z @ sw / np.abs(sw).sum()

    n = len(profile.codes)
    votes = np.zeros((n, 3))
    if bootstrap:
        rng = np.random.default_rng([seed, 1])
        cells = np.stack(
            [profile.monthly_incidents - profile.monthly_criminal, profile.monthly_criminal],  # type: ignore[operator]
            axis=-1,
        ).ravel()
        total = int(cells.sum())
        p = cells / total if total else None
        for b in range(bootstrap):
            draw = (
                rng.multinomial(total, p).reshape(n, 12, 2).astype(float)
                if p is not None
                else np.zeros((n, 12, 2))
            )
            noise = np.exp(rng.normal(0.0, jitter, size=(5, n)))
            values = _raw_features(
                profile.residents * noise[0],  # type: ignore[operator]
                profile.floating * noise[1],  # type: ignore[operator]
                profile.area_km2 * noise[2],  # type: ignore[operator]
                profile.premises * noise[3],  # type: ignore[operator]
                np.clip(profile.urban_share * noise[4], 0.0, 1.0),  # type: ignore[operator]
                draw.sum(axis=2),
                draw[:, :, 1],
                profile.years,
            )
            z_b, _, _ = _standardise(values, clip)
            try:
                t_b, *_ = _assign(z_b, cw, sw, seed + 1 + b, max(1, n_init // 2))
            except ValueError:  # degenerate resample (fewer than 3 distinct stations)
                continue
            votes[np.arange(n), t_b] += 1

    stations = []
    for i, code in enumerate(profile.codes):
        original = TYPE_ORDER[int(type_idx[i])]
        unknown = np.isnan(table.values[i])
        order = [j for j in np.argsort(-np.abs(table.z[i]), kind="stable") if not unknown[j]][:n_reasons]
        reasons = tuple(
            Reason(
                f"{'high' if table.z[i, j] >= 0 else 'low'}_{FEATURES[j]}",
                FEATURES[j],
                float(table.z[i, j]),
                float(table.values[i, j]),
            )
            for j in order
        ) + tuple(Reason(f"unknown_{f}", f, 0.0, math.nan) for j, f in enumerate(FEATURES) if unknown[j])
        runs = votes[i].sum()
        stability = float(votes[i, type_idx[i]] / runs) if runs else float("nan")
        shares = {t: (float(votes[i, k] / runs) if runs else float("nan")) for k, t in enumerate(TYPE_ORDER)}
        ov = resolved.get(code)
        stations.append(
            StationClass(
                code=code,
                station_type=ov.station_type if ov else original,
                original_type=original,
                overridden=ov is not None,
                override_reason=ov.reason if ov else None,
                cluster=int(km.labels[i]),
                score=float(scores[i]),
                reasons=reasons,
                stability=stability,
                type_shares=MappingProxyType(shares),
            )
        )
    return Classification(
        stations=tuple(stations),
        features=table,
        centroids=centroids,
        cluster_types=cluster_types,
        inertia=km.inertia,
        seed=seed,
        bootstrap=bootstrap,
    )
