"""Station classification: features, k-means, reasons, stability, overrides (engine/classify.py)."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from jingwu.engine.classify import (
    CLUSTER_WEIGHTS,
    FEATURES,
    RESIDENT_FEATURES,
    SCORE_WEIGHTS,
    Override,
    StationProfile,
    classify_stations,
    kmeans,
    kmeans_plus_plus,
    station_features,
    urban_share_by_density,
)

TRUE_TYPES = ["full_spectrum"] * 2 + ["proactive"] * 5 + ["preventive"] * 6


def county_profile(seed: int = 0, tourist: bool = True) -> StationProfile:
    """13 stations shaped like the reform's county: 2 urban, 5 central towns, 6 rural
    (one of them with a tourist village and a summer/holiday peak)."""
    rng = np.random.default_rng(seed)
    residents = np.array([110, 76, 54, 50, 47, 44, 48, 34, 50, 44, 45, 42, 40]) * 1000.0
    floating = np.array([32, 22, 46, 10, 9, 7, 12, 5, 6, 5, 5, 4, 4]) * 1000.0
    area = np.array([87, 66, 150, 108, 145, 130, 78, 125, 215, 93, 105, 125, 190], dtype=float)
    premises = np.array([620, 390, 720, 185, 175, 160, 190, 70, 145, 100, 130, 125, 110], dtype=float)
    urban = np.array([0.70, 0.71, 0.33, 0.37, 0.39, 0.28, 0.48, 0.09, 0.05, 0.26, 0.16, 0.12, 0.10])
    per_1000 = np.array([50, 50, 49, 38, 39, 38, 42, 45, 30, 30, 29, 29, 30], dtype=float)
    crim_share = np.array([0.24, 0.24, 0.21, 0.23, 0.22, 0.22, 0.23, 0.12, 0.16, 0.18, 0.17, 0.19, 0.17])
    season = np.ones((13, 12))
    if tourist:
        season[7, [6, 7]] = 3.0  # July-August
        season[7, 9] = 4.0  # Golden Week
    expected = (residents / 1000 * per_1000)[:, None] * season / season.sum(axis=1, keepdims=True)
    monthly = rng.poisson(expected)
    criminal = rng.binomial(monthly, crim_share[:, None])
    return StationProfile(
        codes=tuple(f"S{i + 1:02d}" for i in range(13)),
        residents=residents,
        floating=floating,
        area_km2=area,
        premises=premises,
        urban_share=urban,
        monthly_incidents=monthly,
        monthly_criminal=criminal,
    )


# --- k-means --------------------------------------------------------------------------------


def blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [10, 0], [0, 10]])
    truth = np.repeat(np.arange(3), 20)
    return centres[truth] + rng.normal(0, 0.5, (60, 2)), truth


def test_kmeans_separates_blobs_and_is_deterministic() -> None:
    x, truth = blobs()
    a = kmeans(x, 3, seed=5)
    b = kmeans(x, 3, seed=5)
    assert np.array_equal(a.labels, b.labels) and a.inertia == b.inertia
    # the same partition up to renaming of clusters
    pairs = {(int(t), int(lab)) for t, lab in zip(truth, a.labels, strict=True)}
    assert len(pairs) == 3
    assert a.inertia == pytest.approx(((x - a.centroids[a.labels]) ** 2).sum())
    single = kmeans(x, 3, seed=5, n_init=1)
    assert a.inertia <= single.inertia + 1e-9


def test_kmeans_plus_plus_picks_distinct_spread_seeds() -> None:
    x, truth = blobs(1)
    seeds = kmeans_plus_plus(x, 3, np.random.default_rng(0))
    assert len(set(seeds.tolist())) == 3
    assert len(set(truth[seeds].tolist())) == 3  # one seed per blob (overwhelmingly likely, seeded)
    dup = np.array([[0.0, 0.0]] * 3 + [[1.0, 1.0]])
    assert len(set(kmeans_plus_plus(dup, 2, np.random.default_rng(0)).tolist())) == 2


def test_kmeans_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="at least k=3 distinct points"):
        kmeans(np.zeros((5, 2)), 3)
    with pytest.raises(ValueError, match="finite 2-D array"):
        kmeans(np.array([1.0, 2.0, 3.0]), 2)
    with pytest.raises(ValueError, match="n_init must be an integer >= 1"):
        kmeans(np.eye(3), 3, n_init=0)


# --- features -------------------------------------------------------------------------------


def test_features_by_hand() -> None:
    monthly = np.array([[10] * 12, [5] * 11 + [60], [1] * 12])
    criminal = np.array([[5] * 12, [0] * 12, [1] * 12])
    p = StationProfile(
        codes=("A", "B", "C"),
        residents=[10_000, 5_000, 2_000],
        floating=[10_000, 0, 500],
        area_km2=[10, 50, 100],
        premises=[100, 10, 0],
        urban_share=[0.9, 0.2, 0.0],
        monthly_incidents=monthly,
        monthly_criminal=criminal,
        years=2.0,
    )
    t = station_features(p)
    v = dict(zip(t.names, t.values[0], strict=True))
    assert v["incidents_per_1000"] == pytest.approx(120 / 2 / 10)
    assert v["incidents_per_km2"] == pytest.approx(120 / 2 / 10)
    assert v["criminal_share"] == pytest.approx(0.5)
    assert v["floating_share"] == pytest.approx(0.5)
    assert v["premises_per_km2"] == pytest.approx(10)
    assert v["urban_share"] == 0.9
    assert v["seasonality"] == pytest.approx(1.0)
    assert t.values[1, FEATURES.index("seasonality")] == pytest.approx(60 / (115 / 12))
    # z-scores: mean 0, population sd 1 per feature (no clipping with three stations)
    assert t.z.mean(axis=0) == pytest.approx(np.zeros(len(FEATURES)), abs=1e-12)
    assert t.z.std(axis=0) == pytest.approx(np.ones(len(FEATURES)))
    log_density = np.log1p(t.values[:, FEATURES.index("premises_per_km2")])
    expected = (log_density - log_density.mean()) / log_density.std()
    assert t.z[:, FEATURES.index("premises_per_km2")] == pytest.approx(expected)
    assert t.as_dict()["A"]["urban_share"] == 0.9


def test_constant_feature_has_zero_z() -> None:
    p = county_profile()
    flat = StationProfile(
        codes=p.codes,
        residents=p.residents,
        floating=p.floating,
        area_km2=p.area_km2,
        premises=p.premises,
        urban_share=np.full(13, 0.5),
        monthly_incidents=p.monthly_incidents,
        monthly_criminal=p.monthly_criminal,
    )
    z = station_features(flat).z[:, FEATURES.index("urban_share")]
    assert np.all(z == 0)


def test_urban_share_by_density() -> None:
    # station 0: a dense grid (3,000/km²) of 3,000 people and a sparse one of 1,000
    share = urban_share_by_density([3000, 1000, 200], [1.0, 10.0, 1.0], [0, 0, 1], 2)
    assert share.tolist() == pytest.approx([0.75, 0.0])
    # a station whose grids hold nobody has no urban share (unknown), not 0 %
    one, none = urban_share_by_density([100], [1.0], [0], 2, threshold=50).tolist()
    assert one == 1.0 and math.isnan(none)
    with pytest.raises(ValueError, match="area_km2 must be > 0"):
        urban_share_by_density([1], [0.0], [0], 1)


def test_from_incidents_counts() -> None:
    p = StationProfile.from_incidents(
        ("A", "B", "C"),
        station=[0, 0, 1, 2, 2],
        month=[1, 1, 12, 6, 6],
        criminal=[True, False, False, True, True],
        residents=[1, 1, 1],
        floating=[0, 0, 0],
        area_km2=[1, 1, 1],
        premises=[0, 0, 0],
        urban_share=[0, 0, 0],
    )
    assert (
        p.monthly_incidents[0, 0] == 2 and p.monthly_incidents[1, 11] == 1 and p.monthly_incidents[2, 5] == 2
    )
    assert p.monthly_criminal.sum() == 3
    with pytest.raises(ValueError, match="month must be within 1-12"):
        StationProfile.from_incidents(
            ("A", "B", "C"),
            [0],
            [13],
            [True],
            residents=[1] * 3,
            floating=[0] * 3,
            area_km2=[1] * 3,
            premises=[0] * 3,
            urban_share=[0] * 3,
        )


# --- classification -------------------------------------------------------------------------


def test_recovers_the_reform_types_with_reasons() -> None:
    result = classify_stations(county_profile(), seed=1, bootstrap=50)
    types = [s.station_type for s in result.stations]
    assert types == TRUE_TYPES
    assert result.counts() == {"full_spectrum": 2, "proactive": 5, "preventive": 6}
    assert set(result.cluster_types) == {"full_spectrum", "proactive", "preventive"}
    by = result.by_code()
    # urban stations: reasons are high urban/density features, with their z-scores and values
    top = by["S01"].reasons[0]
    assert top.code.startswith("high_") and top.z > 1
    assert top.feature in ("urban_share", "incidents_per_km2", "premises_per_km2")
    j = FEATURES.index(top.feature)
    assert top.z == pytest.approx(result.features.z[0, j]) and top.value == pytest.approx(
        result.features.values[0, j]
    )
    assert top.as_tuple() == (top.code, round(top.z, 2))
    # the tourist station stands out by its seasonality but stays preventive
    s08 = by["S08"]
    assert s08.station_type == "preventive"
    assert "high_seasonality" in [r.code for r in s08.reasons]
    # a rural station's reasons are low values
    assert all(r.code.startswith("low_") for r in by["S09"].reasons[:2])
    # the transparent score orders the types
    mean_score = {
        t: np.mean([s.score for s in result.stations if s.station_type == t]) for t in set(TRUE_TYPES)
    }
    assert mean_score["full_spectrum"] > mean_score["proactive"] > mean_score["preventive"]
    for s in result.stations:
        assert 0.0 <= s.stability <= 1.0
        assert sum(s.type_shares.values()) == pytest.approx(1.0)
        assert s.type_shares[s.original_type] == pytest.approx(s.stability)
    assert by["S01"].stability >= 0.9 and by["S13"].stability >= 0.9


def test_same_seed_same_answer() -> None:
    a = classify_stations(county_profile(), seed=3, bootstrap=20)
    b = classify_stations(county_profile(), seed=3, bootstrap=20)
    assert a.types() == b.types()
    assert [s.stability for s in a.stations] == [s.stability for s in b.stations]
    assert [s.reasons for s in a.stations] == [s.reasons for s in b.stations]


def test_no_bootstrap_gives_nan_stability() -> None:
    r = classify_stations(county_profile(), bootstrap=0)
    assert all(math.isnan(s.stability) for s in r.stations)
    assert r.bootstrap == 0


def test_overrides_are_applied_kept_and_reported() -> None:
    overrides = {"S03": Override("full_spectrum", "textile town with a strike squad"), "S09": "proactive"}
    r = classify_stations(county_profile(), bootstrap=10, overrides=overrides)
    by = r.by_code()
    assert by["S03"].station_type == "full_spectrum" and by["S03"].overridden
    assert by["S03"].original_type == "proactive"
    assert by["S03"].override_reason == "textile town with a strike squad"
    assert by["S09"].station_type == "proactive" and by["S09"].override_reason == "planner override"
    assert not by["S01"].overridden and by["S01"].override_reason is None
    assert r.counts() == {"full_spectrum": 3, "proactive": 5, "preventive": 5}
    # the method's own proposal and its stability are kept
    plain = classify_stations(county_profile(), bootstrap=10).by_code()
    assert by["S03"].stability == plain["S03"].stability
    with pytest.raises(ValueError, match="override for unknown station 'S99'"):
        classify_stations(county_profile(), overrides={"S99": "proactive"})
    with pytest.raises(ValueError, match="override type 'urban' is not one of"):
        classify_stations(county_profile(), overrides={"S01": "urban"})
    with pytest.raises(ValueError, match="an override needs a reason"):
        Override("proactive", "  ")


def test_a_station_without_resident_data_says_so_instead_of_a_number() -> None:
    """Residents 0 used to be sent as 1 resident: "7,489,126 incidents per 1,000 residents"."""
    p = county_profile()
    residents = np.array(p.residents)
    residents[3] = 0.0  # S04: no resident data
    blind = replace(p, residents=residents)
    table = station_features(blind)
    for f in ("incidents_per_1000", "floating_share", "urban_share"):
        j = FEATURES.index(f)
        assert math.isnan(table.values[3, j]) and table.z[3, j] == 0.0
        # the others are standardised among themselves, as if S04 were not there
        known = np.delete(table.values[:, j], 3)
        assert table.mean[j] == pytest.approx(known.mean())
    s04 = classify_stations(blind, seed=1, bootstrap=20).by_code()["S04"]
    codes = [r.code for r in s04.reasons]
    assert codes[-3:] == ["unknown_incidents_per_1000", "unknown_floating_share", "unknown_urban_share"]
    assert all(math.isnan(r.value) and r.z == 0.0 for r in s04.reasons[-3:])
    assert len(s04.reasons) == 3 + 3 and all(r.feature not in RESIDENT_FEATURES for r in s04.reasons[:3])
    # the other stations keep their reasons and types
    full = classify_stations(p, seed=1, bootstrap=0).by_code()
    assert (
        classify_stations(blind, seed=1, bootstrap=0).by_code()["S01"].station_type
        == full["S01"].station_type
    )


def test_an_unknown_urban_share_is_reported_as_such() -> None:
    p = county_profile()
    urban = np.array(p.urban_share)
    urban[8] = np.nan
    blind = replace(p, urban_share=urban)
    s09 = classify_stations(blind, seed=1, bootstrap=10).by_code()["S09"]
    assert [r.code for r in s09.reasons if r.code.startswith("unknown_")] == ["unknown_urban_share"]


def test_weights_are_documented_and_checked() -> None:
    assert set(SCORE_WEIGHTS) == set(FEATURES) == set(CLUSTER_WEIGHTS)
    assert SCORE_WEIGHTS["seasonality"] < 0 < CLUSTER_WEIGHTS["seasonality"]
    with pytest.raises(ValueError, match="unknown features in score_weights"):
        classify_stations(county_profile(), score_weights={"crime": 1.0})
    with pytest.raises(ValueError, match="cluster_weights must be >= 0"):
        classify_stations(county_profile(), cluster_weights={"urban_share": -1.0})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"codes": ("A", "B")}, "need at least 3 stations"),
        ({"codes": ("A", "A", "B")}, "station codes must be unique"),
        ({"residents": [1, -1, 1]}, "residents must be >= 0"),
        ({"urban_share": [0.5, -0.1, float("nan")]}, "urban_share must be >= 0"),
        ({"urban_share": [0.5, float("inf"), 0]}, "urban_share must be finite"),
        ({"area_km2": [1, 1]}, r"area_km2 must have shape \(3,\)"),
        ({"urban_share": [0.5, 1.5, 0]}, r"urban_share must be within \[0, 1\]"),
        ({"floating": [-1, 0, 0]}, "floating must be >= 0"),
        ({"monthly_criminal": np.full((3, 12), 9)}, "monthly_criminal cannot exceed monthly_incidents"),
        ({"monthly_incidents": np.full((3, 12), 2.5)}, "whole numbers"),
        ({"monthly_incidents": np.ones((3, 11))}, r"monthly_incidents must have shape \(3, 12\)"),
        ({"years": 0}, "years must be > 0"),
    ],
)
def test_bad_profiles(change, message) -> None:
    kwargs = dict(
        codes=("A", "B", "C"),
        residents=[1, 1, 1],
        floating=[0, 0, 0],
        area_km2=[1, 1, 1],
        premises=[0, 0, 0],
        urban_share=[0, 0, 0],
        monthly_incidents=np.full((3, 12), 4),
        monthly_criminal=np.full((3, 12), 1),
    )
    kwargs.update(change)
    with pytest.raises(ValueError, match=message):
        StationProfile(**kwargs)


def test_bad_options() -> None:
    p = county_profile()
    with pytest.raises(ValueError, match="bootstrap must be an integer >= 0"):
        classify_stations(p, bootstrap=-1)
    with pytest.raises(ValueError, match="jitter must be a finite number >= 0"):
        classify_stations(p, jitter=float("nan"))
    with pytest.raises(ValueError, match="clip must be > 0"):
        station_features(p, clip=0)


@pytest.mark.slow
def test_synthetic_county_types() -> None:
    """On the demo generator's county the method proposes the reform's types for at least
    12 of the 13 stations (the generator encodes 2 urban, 5 town and 6 rural stations)."""
    from jingwu.demo.synth import generate_county
    from jingwu.engine.geo import area_km2
    from jingwu.engine.vocab import CATEGORY_BY_CODE

    county = generate_county(seed=2019)
    stations = [u for u in county.units if u.kind == "station"]
    grids = [u for u in county.units if u.kind == "grid"]
    index = {u.code: i for i, u in enumerate(stations)}
    grid_station = np.array([index[g.code.split("-")[0]] for g in grids])
    urban = urban_share_by_density(
        [g.residents for g in grids], [area_km2(g.boundary) for g in grids], grid_station, len(stations)
    )
    inc = county.incidents
    profile = StationProfile.from_incidents(
        tuple(index),
        station=[index[g.split("-")[0]] for g in inc.grid],
        month=inc.received.astype("datetime64[M]").astype(int) % 12 + 1,
        criminal=[CATEGORY_BY_CODE[c].criminal for c in inc.category],
        residents=[s.residents for s in stations],
        floating=[s.floating for s in stations],
        area_km2=[area_km2(s.boundary) for s in stations],
        premises=np.bincount(
            [index[p.grid_code.split("-")[0]] for p in county.premises], minlength=len(stations)
        ),
        urban_share=urban,
        years=3.0,
    )
    result = classify_stations(profile, seed=1, bootstrap=50)
    truth = [s.station_type for s in stations]
    agree = sum(s.station_type == t for s, t in zip(result.stations, truth, strict=True))
    print(
        {
            s.code: (s.station_type, t, round(s.stability, 2))
            for s, t in zip(result.stations, truth, strict=True)
        }
    )
    assert agree >= 12
