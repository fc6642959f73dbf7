"""The series linker: text, candidates (against every pair), features, models, metrics."""

from __future__ import annotations

import numpy as np
import pytest

from jingwu.engine import series as S


def _inc(rows):
    """rows: (x_km, y_km, day, hour, category, text)."""
    n = len(rows)
    t = np.array([r[2] * 86400.0 + r[3] * 3600.0 for r in rows])
    cat = np.array([r[4] for r in rows])
    return S.Incidents(
        np.arange(n, dtype=np.int64) + 100,
        np.array([r[0] for r in rows], float),
        np.array([r[1] for r in rows], float),
        t,
        cat,
        cat,
        tuple(r[5] for r in rows),
    )


def test_tokenize_and_premises():
    words = S.tokenize("作案手法：撬开房门，盗走现金，出租房内现场留有鞋印")
    assert "出租房" in words and "现金" in words
    assert "，" not in words and "：" not in words
    assert S.tokenize("") == []
    table = [
        ("民房内抽屉被翻动", "residence"),
        ("商铺被盗", "shop"),
        ("出租房被撬", "rental"),
        ("电瓶被盗", ""),
    ]
    for text, expected in table:
        assert S.premises_type(text) == expected


def test_candidates_match_every_pair_in_the_window():
    rng = np.random.default_rng(7)
    n = 400
    rows = [
        (
            rng.uniform(0, 20),
            rng.uniform(0, 20),
            rng.uniform(0, 365),
            rng.uniform(0, 24),
            ("0101", "0102")[k % 2],
            "",
        )
        for k in range(n)
    ]
    inc = _inc(rows)
    i, j, stats = S.candidate_pairs(inc, max_km=3.0, max_days=20.0)
    ni, nj = S.all_pairs_naive(inc, max_km=3.0, max_days=20.0)
    assert set(zip(i.tolist(), j.tolist(), strict=True)) == set(zip(ni.tolist(), nj.tolist(), strict=True))
    assert stats.all_pairs == n * (n - 1) // 2 and stats.pairs_in_blocks == 2 * (200 * 199 // 2)
    assert 0 < stats.pairs_scored == len(i) < stats.pairs_in_blocks
    assert np.all(i < j)


def test_window_must_be_positive():
    with pytest.raises(S.SeriesError):
        S.candidate_pairs(_inc([(0, 0, 0, 0, "0101", "")]), max_km=0)


def test_pair_features_by_hand():
    inc = _inc(
        [
            (0.0, 0.0, 0, 2, "0102", "撬开房门，盗走现金，民房内"),  # 1970-01-01 a Thursday
            (3.0, 4.0, 7, 23, "0102", "撬开房门，盗走现金，民房内"),  # Thursday again
            (0.0, 0.0, 2, 14, "0101", "商铺被盗"),  # Saturday
        ]
    )
    x = S.pair_features(inc, np.array([0, 0]), np.array([1, 2]))
    f = {name: x[:, k] for k, name in enumerate(S.FEATURES)}
    assert f["distance_km"].tolist() == pytest.approx([5.0, 0.0])
    assert f["gap_days"].tolist() == pytest.approx([7 + 21 / 24, 2 + 12 / 24])
    assert f["hour_diff"].tolist() == pytest.approx([3.0, 12.0])
    assert f["same_weekday"].tolist() == [1.0, 0.0]
    assert f["weekend_match"].tolist() == [1.0, 0.0]
    assert f["same_category"].tolist() == [1.0, 0.0]
    assert f["same_premises"].tolist() == [1.0, 0.0]
    assert f["mo_cosine"][0] == pytest.approx(1.0) and f["mo_jaccard"][0] == pytest.approx(1.0)
    assert f["mo_cosine"][1] == pytest.approx(0.0)
    assert S.reasons(x[0]) == ["same_weekday", "same_premises", "similar_mo"]


def test_pairs_one_probability_ties_are_ranked_by_the_models_own_score():
    # isotonic calibration gives the three top pairs one probability: their order is the
    # raw score's (row 3, then 0, then 2), not the rows' order
    p = np.array([0.8, 0.1, 0.8, 0.8, 0.3])
    raw = np.array([2.0, -3.0, 1.0, 5.0, 0.0])
    assert S.ranking(p, raw).tolist() == [3, 0, 2, 4, 1]
    assert S.ranking(p).tolist() == [0, 2, 3, 4, 1]
    y = np.array([0, 0, 0, 1, 0])
    assert S.precision_at_k(y, p, 1, raw) == 1.0 and S.precision_at_k(y, p, 1) == 0.0


def test_auc_and_precision_by_hand():
    y = np.array([1, 0, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.3, 0.2, 0.1])
    # positives rank above 3 + 2 of the 6 (positive, negative) pairs
    assert S.auc(y, s) == pytest.approx(5 / 6)
    assert S.precision_at_k(y, s, 1) == 1.0 and S.precision_at_k(y, s, 3) == pytest.approx(2 / 3)
    assert S.auc(np.array([1, 0]), np.array([0.5, 0.5])) == 0.5
    with pytest.raises(S.SeriesError):
        S.auc(np.array([1, 1]), np.array([0.1, 0.2]))


def test_train_refuses_too_few_links():
    x = np.zeros((30, len(S.FEATURES)))
    y = np.zeros(30, dtype=int)
    y[:5] = 1
    with pytest.raises(S.SeriesError) as e:
        S.train(x, y, np.arange(30))
    assert e.value.code == "too_few_links"


@pytest.mark.parametrize("method", S.METHODS)
def test_models_separate_close_pairs_and_are_calibrated(method):
    rng = np.random.default_rng(3)
    n_pos, n_neg = 300, 3000
    pos = np.column_stack(
        [rng.uniform(0, 1.5, n_pos), rng.uniform(0, 10, n_pos), rng.uniform(0, 2, n_pos)]
        + [rng.integers(0, 2, n_pos), np.ones(n_pos), np.ones(n_pos), rng.integers(0, 2, n_pos)]
        + [rng.uniform(0.3, 1, n_pos), rng.uniform(0.2, 1, n_pos)]
    )
    neg = np.column_stack(
        [rng.uniform(0, 5, n_neg), rng.uniform(0, 60, n_neg), rng.uniform(0, 12, n_neg)]
        + [rng.integers(0, 2, n_neg), rng.integers(0, 2, n_neg), np.ones(n_neg), rng.integers(0, 2, n_neg)]
        + [rng.uniform(0, 0.8, n_neg), rng.uniform(0, 0.6, n_neg)]
    )
    x = np.vstack([pos, neg])
    y = np.r_[np.ones(n_pos), np.zeros(n_neg)].astype(int)
    groups = np.r_[np.arange(n_pos) // 10, -1 - np.arange(n_neg)]
    ev, p = S.evaluate(x, y, groups, method=method, folds=3, seed=1)
    assert ev.auc > 0.95 and ev.precision_at[10] >= 0.9
    assert np.all((p >= 0) & (p <= 1))
    # calibrated: the mean probability is near the share of linked pairs
    assert abs(p.mean() - y.mean()) < 0.03


def _county(seed: int = 5, n_series: int = 20, n_other: int = 800):
    """Incidents of a small county: series (walks of eight, a signature in the text) and others."""
    rng = np.random.default_rng(seed)
    words = (
        "撬开房门",
        "翻窗进入",
        "门未锁直接进入",
        "现金",
        "手机",
        "电瓶",
        "民房",
        "商铺",
        "鞋印",
        "戴手套",
    )
    xs, ts, cats, texts, series = [], [], [], [], []
    for k in range(n_series):
        p, t0, sig = rng.uniform(0, 20, 2), rng.uniform(0, 300), rng.choice(len(words), 3, replace=False)
        for m in range(8):
            xs.append(p + rng.normal(0, 0.5, 2) * m**0.5)
            ts.append((t0 + 4 * m) * 86400.0 + 3600.0 * (2 + rng.integers(0, 3)))
            cats.append(("0101", "0102", "0105")[k % 3])
            texts.append("，".join(words[w if rng.random() < 0.7 else rng.integers(len(words))] for w in sig))
            series.append(k)
    for _ in range(n_other):
        xs.append(rng.uniform(0, 20, 2))
        ts.append(rng.uniform(0, 330) * 86400.0)
        cats.append(("0101", "0102", "0105")[int(rng.integers(3))])
        texts.append("，".join(words[w] for w in rng.choice(len(words), 3, replace=False)))
        series.append(-1)
    xy, cat = np.array(xs), np.array(cats)
    inc = S.Incidents(
        np.arange(len(ts), dtype=np.int64), xy[:, 0], xy[:, 1], np.array(ts), cat, cat, tuple(texts)
    )
    return inc, np.array(series)


@pytest.mark.parametrize("method", S.METHODS)
def test_features_and_scores_in_chunks_are_the_ones_at_once(method):
    """Streaming (PairFeatures, small chunks) changes no feature and no probability."""
    inc, series_of = _county()
    i, j, _stats = S.candidate_pairs(inc, max_km=5.0, max_days=60.0)
    y, groups = S.pair_groups(series_of, i, j)
    assert len(i) > 5_000 and y.sum() > 200
    whole = len(i) + 1
    x = S.pair_features(inc, i, j, chunk=whole)
    model = S.train(x, y, groups, method=method, seed=7, chunk=whole)
    p = model.predict(x, chunk=whole)

    lazy = S.PairFeatures(inc, i, j, chunk=333)
    assert lazy.shape == x.shape
    assert np.array_equal(lazy[np.arange(len(i))], x)
    assert np.array_equal(lazy[y == 1], x[y == 1])
    streamed = S.train(lazy, y, groups, method=method, seed=7, chunk=333)
    assert streamed.calibration == model.calibration == "isotonic"
    assert np.array_equal(streamed.predict(lazy, chunk=333), p)
    assert np.array_equal(model.predict(x, chunk=1_000), p)
    assert S.auc(y, p) > 0.8  # something was learnt


def test_feature_chunk_must_be_positive():
    inc, _series = _county(n_series=1, n_other=10)
    with pytest.raises(S.SeriesError) as e:
        S.pair_features(inc, np.array([0]), np.array([1]), chunk=0)
    assert e.value.code == "chunk"
