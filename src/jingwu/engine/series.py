"""Series (串并案): candidate links between incidents, a linkage model, its evaluation.

A *link* is a pair of incidents that may be the work of one offender. Following Tonkin et
al. (2011, "Linking different types of crime using geographical and temporal proximity",
*Criminal Justice and Behavior* 38:1069-1088; 2017, "Using offender crime scene behavior
to link stranger sexual assaults"), a pair is described by how close the two incidents are
and how alike they were done, and a model trained on pairs known to be linked (confirmed
series) and pairs known not to be gives each candidate a probability:

* ``distance_km`` between the two places;
* ``gap_days`` between the two times (log-scaled for the model);
* ``hour_diff``: the difference in time of day (circular, 0 to 12 hours);
* ``same_weekday`` and ``weekend_match`` (both on a weekend or both on a weekday);
* ``same_category``: the same leaf category (thefts of one kind are blocked together);
* ``same_premises``: the same premises type read from the text (民房, 商铺, ...), 0.5
  when either text names none;
* ``mo_cosine`` and ``mo_jaccard``: the similarity of the modus-operandi text, tokenised
  with jieba (TF-IDF cosine over the candidate set, and Jaccard of the token sets).

Candidates are not all pairs: incidents are blocked by category group, and a k-d tree on
(x, y, scaled time) with the maximum norm finds the pairs within ``max_km`` and
``max_days`` of each other (``CandidateStats`` counts them against all pairs).

Two models: logistic regression (standardised features) and histogram gradient
boosting; both are calibrated on held-out pairs (isotonic regression when there are
enough linked pairs to learn from, Platt scaling otherwise). ``evaluate`` gives the
out-of-fold AUC and precision@k, with folds grouped by series so that no series is
learnt and scored at once.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

FEATURES: tuple[str, ...] = (
    "distance_km",
    "gap_days",
    "hour_diff",
    "same_weekday",
    "weekend_match",
    "same_category",
    "same_premises",
    "mo_cosine",
    "mo_jaccard",
)

# Premises types named in incident text (longest words first where they overlap).
PREMISES_WORDS: tuple[tuple[str, str], ...] = (
    ("出租房", "rental"),
    ("小区住宅", "residence"),
    ("民房", "residence"),
    ("住宅", "residence"),
    ("家中", "residence"),
    ("商铺", "shop"),
    ("店内", "shop"),
    ("超市", "shop"),
    ("厂区", "factory"),
    ("工地", "site"),
    ("农家乐", "hospitality"),
    ("宾馆", "hospitality"),
    ("停车棚", "parking"),
    ("停车场", "parking"),
    ("路边", "street"),
)

_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
_STOP = frozenset("的 了 在 被 内 后 称 有 和 与 及 将 把 是 一 其".split())


class SeriesError(ValueError):
    """Input the linker cannot work with; ``code`` says which rule failed."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, eq=False)
class Incidents:
    """Incidents as parallel columns.

    ``x_km``/``y_km`` are planar coordinates in kilometres; ``t`` local time in seconds
    since 1970-01-01 (so that the hour and the weekday are the local ones); ``group``
    the block a pair must share (the category's family, or the category itself);
    ``text`` the description with the modus operandi.
    """

    ids: np.ndarray
    x_km: np.ndarray
    y_km: np.ndarray
    t: np.ndarray
    category: np.ndarray
    group: np.ndarray
    text: tuple[str, ...]

    def __post_init__(self) -> None:
        n = len(self.ids)
        for name in ("x_km", "y_km", "t", "category", "group"):
            if len(getattr(self, name)) != n:
                raise SeriesError("column_length", name)
        if len(self.text) != n:
            raise SeriesError("column_length", "text")

    def __len__(self) -> int:
        return len(self.ids)


def lonlat_to_km(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular projection around the mean latitude (good to a county or province)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    lat0 = float(np.mean(lat)) if len(lat) else 0.0
    kx = 111.320 * math.cos(math.radians(lat0))
    return lon * kx, lat * 110.574


# --------------------------------------------------------------------------- text

_tokenizer = None


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.initialize()
        for word, _code in PREMISES_WORDS:
            tok.add_word(word, freq=10_000)
        _tokenizer = tok
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """Chinese words of ``text`` (jieba, precise mode), without punctuation and stop words."""
    if not text:
        return []
    return [w for w in _jieba().lcut(text) if w.strip() and not _PUNCT.match(w) and w not in _STOP]


def premises_type(text: str) -> str:
    """The premises type a text names ("" when none)."""
    for word, code in PREMISES_WORDS:
        if word in text:
            return code
    return ""


@dataclass(frozen=True, eq=False)
class TextIndex:
    """TF-IDF rows (L2-normalised) and binary token rows of a set of texts."""

    tfidf: object  # scipy.sparse.csr_matrix
    binary: object
    sizes: np.ndarray
    premises: tuple[str, ...]


def text_index(texts: Sequence[str]) -> TextIndex:
    from scipy import sparse

    vocab: dict[str, int] = {}
    rows, cols = [], []
    seen: dict[str, list[str]] = {}
    for r, text in enumerate(texts):
        words = seen.get(text)
        if words is None:
            words = seen[text] = sorted(set(tokenize(text)))
        for w in words:
            rows.append(r)
            cols.append(vocab.setdefault(w, len(vocab)))
    n, m = len(texts), max(len(vocab), 1)
    binary = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, m))
    df = np.asarray(binary.sum(axis=0)).ravel()
    idf = np.log((1 + n) / (1 + df)) + 1.0  # smoothed, as scikit-learn's TfidfVectorizer
    tf = binary.multiply(idf[None, :]).tocsr()
    norms = np.sqrt(np.asarray(tf.multiply(tf).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    tfidf = sparse.diags(1.0 / norms) @ tf
    sizes = np.asarray(binary.sum(axis=1)).ravel()
    return TextIndex(tfidf.tocsr(), binary, sizes, tuple(premises_type(t) for t in texts))


# --------------------------------------------------------------------------- candidates


@dataclass(frozen=True)
class CandidateStats:
    incidents: int
    all_pairs: int  # n (n - 1) / 2 over every incident given
    pairs_in_blocks: int  # pairs sharing a block (group), before the space-time window
    pairs_scored: int  # candidates: same block, within max_km and max_days

    @property
    def share_scored(self) -> float:
        return self.pairs_scored / self.all_pairs if self.all_pairs else 0.0


def candidate_pairs(
    inc: Incidents, *, max_km: float = 5.0, max_days: float = 60.0
) -> tuple[np.ndarray, np.ndarray, CandidateStats]:
    """Pairs (i < j, row indices) in one block within ``max_km`` and ``max_days``."""
    from scipy.spatial import cKDTree

    if max_km <= 0 or max_days <= 0:
        raise SeriesError("window", "max_km and max_days must be positive")
    n = len(inc)
    scale = max_km / (max_days * 86400.0)
    out_i, out_j = [], []
    in_blocks = 0
    groups, inverse = np.unique(inc.group, return_inverse=True) if n else (np.array([]), np.array([], int))
    for g in range(len(groups)):
        rows = np.flatnonzero(inverse == g)
        k = len(rows)
        in_blocks += k * (k - 1) // 2
        if k < 2:
            continue
        pts = np.column_stack([inc.x_km[rows], inc.y_km[rows], inc.t[rows] * scale])
        pairs = cKDTree(pts).query_pairs(max_km, p=np.inf, output_type="ndarray")
        if not len(pairs):
            continue
        a, b = rows[pairs[:, 0]], rows[pairs[:, 1]]
        d = np.hypot(inc.x_km[a] - inc.x_km[b], inc.y_km[a] - inc.y_km[b])
        keep = d <= max_km
        a, b = a[keep], b[keep]
        out_i.append(np.minimum(a, b))
        out_j.append(np.maximum(a, b))
    i = np.concatenate(out_i) if out_i else np.zeros(0, dtype=np.int64)
    j = np.concatenate(out_j) if out_j else np.zeros(0, dtype=np.int64)
    order = np.lexsort((j, i))
    stats = CandidateStats(n, n * (n - 1) // 2, in_blocks, len(i))
    return i[order].astype(np.int64, copy=False), j[order].astype(np.int64, copy=False), stats


def all_pairs_naive(
    inc: Incidents, *, max_km: float = 5.0, max_days: float = 60.0
) -> tuple[np.ndarray, np.ndarray]:
    """The same candidates by checking every pair (the baseline for the benchmark)."""
    n = len(inc)
    out_i, out_j = [], []
    for a in range(n - 1):
        b = np.arange(a + 1, n)
        ok = (
            (inc.group[b] == inc.group[a])
            & (np.abs(inc.t[b] - inc.t[a]) <= max_days * 86400.0)
            & (np.hypot(inc.x_km[b] - inc.x_km[a], inc.y_km[b] - inc.y_km[a]) <= max_km)
        )
        out_i.append(np.full(int(ok.sum()), a))
        out_j.append(b[ok])
    if not out_i:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_i).astype(np.int64), np.concatenate(out_j).astype(np.int64)


# --------------------------------------------------------------------------- features


FEATURE_CHUNK = 200_000  # pairs compared at once (about 60 MB of temporaries)


def pair_features(
    inc: Incidents,
    i: np.ndarray,
    j: np.ndarray,
    index: TextIndex | None = None,
    *,
    chunk: int = FEATURE_CHUNK,
) -> np.ndarray:
    """One row of ``FEATURES`` per pair, computed ``chunk`` pairs at a time (each row is
    computed from its own pair only, so the chunk changes no value)."""
    if chunk <= 0:
        raise SeriesError("chunk", "chunk must be positive")
    if index is None:
        index = text_index(inc.text)
    prem = np.array(index.premises, dtype=object)
    out = np.empty((len(i), len(FEATURES)), dtype=float)
    for lo in range(0, len(i), chunk):
        out[lo : lo + chunk] = _features(inc, i[lo : lo + chunk], j[lo : lo + chunk], index, prem)
    return out


def _features(inc: Incidents, i: np.ndarray, j: np.ndarray, index: TextIndex, prem: np.ndarray) -> np.ndarray:
    dist = np.hypot(inc.x_km[i] - inc.x_km[j], inc.y_km[i] - inc.y_km[j])
    gap = np.abs(inc.t[i] - inc.t[j]) / 86400.0
    hour_i = (inc.t[i] % 86400) / 3600.0
    hour_j = (inc.t[j] % 86400) / 3600.0
    dh = np.abs(hour_i - hour_j)
    hour_diff = np.minimum(dh, 24.0 - dh)
    wd_i = ((inc.t[i] // 86400).astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday: Monday = 0
    wd_j = ((inc.t[j] // 86400).astype(np.int64) + 3) % 7
    same_wd = (wd_i == wd_j).astype(float)
    weekend = ((wd_i >= 5) == (wd_j >= 5)).astype(float)
    same_cat = (inc.category[i] == inc.category[j]).astype(float)
    pi, pj = prem[i], prem[j]
    known = (pi != "") & (pj != "")
    same_prem = np.where(known, (pi == pj).astype(float), 0.5)
    cos = np.zeros(len(i))
    inter = np.zeros(len(i))
    tf, bi = index.tfidf, index.binary
    for lo in range(0, len(i), 50_000):  # row pairs in chunks: sparse rows, dense products
        a, b = i[lo : lo + 50_000], j[lo : lo + 50_000]
        cos[lo : lo + len(a)] = np.asarray(tf[a].multiply(tf[b]).sum(axis=1)).ravel()
        inter[lo : lo + len(a)] = np.asarray(bi[a].multiply(bi[b]).sum(axis=1)).ravel()
    union = index.sizes[i] + index.sizes[j] - inter
    jac = np.divide(inter, union, out=np.zeros(len(i)), where=union > 0)
    return np.column_stack([dist, gap, hour_diff, same_wd, weekend, same_cat, same_prem, cos, jac]).astype(
        float
    )


class PairFeatures:
    """The features of candidate pairs, computed when rows are read (``x[rows]``), so that
    the whole matrix (9 floats a pair: about 1 GB for 13 million pairs, and several times
    that while it is computed) is never held. ``train`` and ``LinkModel.predict`` read it
    a chunk at a time; a row read is the row ``pair_features`` gives."""

    def __init__(
        self,
        inc: Incidents,
        i: np.ndarray,
        j: np.ndarray,
        index: TextIndex | None = None,
        *,
        chunk: int = FEATURE_CHUNK,
    ) -> None:
        self.inc, self.i, self.j, self.chunk = inc, i, j, chunk
        self.index = text_index(inc.text) if index is None else index

    def __len__(self) -> int:
        return len(self.i)

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.i), len(FEATURES))

    def __getitem__(self, rows) -> np.ndarray:
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        return pair_features(self.inc, self.i[rows], self.j[rows], self.index, chunk=self.chunk)


def _rows(x, rows: np.ndarray) -> np.ndarray:
    return x[rows]


def _in_chunks(fn, x, rows: np.ndarray | None = None, chunk: int = FEATURE_CHUNK) -> np.ndarray:
    """``fn`` over the rows of ``x`` (all, or ``rows``), ``chunk`` rows at a time."""
    rows = np.arange(len(x)) if rows is None else rows
    out = np.empty(len(rows))
    for lo in range(0, len(rows), chunk):
        part = rows[lo : lo + chunk]
        out[lo : lo + len(part)] = fn(_rows(x, part))
    return out


def _model_matrix(x: np.ndarray) -> np.ndarray:
    """What the models see: the gap log-scaled."""
    out = x.copy()
    out[:, 1] = np.log1p(out[:, 1])
    return out


# --------------------------------------------------------------------------- models

METHODS = ("logistic", "boosting")


@dataclass(frozen=True, eq=False)
class LinkModel:
    method: str
    estimator: object
    calibration: str  # "isotonic" or "platt"
    calibrator: object
    positives: int
    negatives: int

    def raw(self, x: np.ndarray) -> np.ndarray:
        with _one_thread():
            return self._raw(x)

    def _raw(self, x: np.ndarray) -> np.ndarray:
        m = _model_matrix(x)
        if self.method == "logistic":
            return self.estimator.decision_function(m)  # type: ignore[attr-defined]
        p = self.estimator.predict_proba(m)[:, 1]  # type: ignore[attr-defined]
        return np.log(np.clip(p, 1e-9, 1)) - np.log(np.clip(1 - p, 1e-9, 1))

    def predict(self, x: np.ndarray | PairFeatures, *, chunk: int = FEATURE_CHUNK) -> np.ndarray:
        """Calibrated probabilities that each pair is linked (``chunk`` rows at a time)."""
        if not len(x):
            return np.zeros(0)
        return _in_chunks(self._predict, x, chunk=chunk)

    def _predict(self, x: np.ndarray) -> np.ndarray:
        s = self.raw(x)
        if self.calibration == "isotonic":
            return np.clip(self.calibrator.predict(s), 0.0, 1.0)  # type: ignore[attr-defined]
        return self.calibrator.predict_proba(s[:, None])[:, 1]  # type: ignore[attr-defined]


MIN_POSITIVES = 10
ISOTONIC_MIN_POSITIVES = 60
MAX_NEGATIVES = 20_000  # unlinked pairs a model learns from (a random sample beyond that)


def _one_thread():
    """OpenMP on one thread: the boosting's threads spin against each other (and against
    other work) on a busy machine, many times slower than one thread (docs/series.md)."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


def _fit_base(method: str, x: np.ndarray, y: np.ndarray, seed: int):
    if method == "logistic":
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        est = make_pipeline(
            StandardScaler(), LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
        )
    elif method == "boosting":
        from sklearn.ensemble import HistGradientBoostingClassifier

        est = HistGradientBoostingClassifier(
            max_iter=100, learning_rate=0.1, max_leaf_nodes=15, l2_regularization=1.0, random_state=seed
        )
    else:
        raise SeriesError("method", method)
    with _one_thread():
        est.fit(_model_matrix(x), y)
    return est


def train(
    x: np.ndarray | PairFeatures,
    y: np.ndarray,
    groups: np.ndarray,
    *,
    method: str = "logistic",
    seed: int = 0,
    chunk: int = FEATURE_CHUNK,
) -> LinkModel:
    """Fit ``method`` on 75 % of the groups and calibrate it on the other 25 %.

    ``x`` is the feature matrix or a ``PairFeatures`` (read ``chunk`` rows at a time: the
    model learns from at most ``MAX_NEGATIVES`` unlinked pairs, and the calibration's
    scores are computed chunk by chunk).

    ``groups`` keeps the linked pairs of one series on one side (give negatives their
    own groups, e.g. -1 - row). Refuses (``SeriesError("too_few_links")``) with fewer than
    ``MIN_POSITIVES`` linked pairs or no unlinked ones.
    """
    y = np.asarray(y).astype(int)
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if pos < MIN_POSITIVES or neg == 0:
        raise SeriesError("too_few_links", f"{pos} linked and {neg} unlinked pairs")
    rng = np.random.default_rng(seed)
    ug = np.unique(groups)
    calib_groups = set(ug[rng.random(len(ug)) < 0.25].tolist())
    cal = np.isin(groups, list(calib_groups))
    if y[cal].sum() < 3 or y[~cal].sum() < 3 or (~cal & (y == 0)).sum() == 0 or (cal & (y == 0)).sum() == 0:
        cal = rng.random(len(y)) < 0.25  # too few groups to hold some out: hold out pairs
    fit = ~cal
    fit_neg = np.flatnonzero(fit & (y == 0))
    if len(fit_neg) > MAX_NEGATIVES:
        fit = fit & (y == 1)
        fit[rng.choice(fit_neg, MAX_NEGATIVES, replace=False)] = True
    est = _fit_base(method, _rows(x, np.flatnonzero(fit)), y[fit], seed)
    tmp = LinkModel(method, est, "platt", None, pos, neg)
    s = _in_chunks(tmp.raw, x, np.flatnonzero(cal), chunk)
    if int(y[cal].sum()) >= ISOTONIC_MIN_POSITIVES:
        from sklearn.isotonic import IsotonicRegression

        calibrator = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(s, y[cal])
        calibration = "isotonic"
    else:
        from sklearn.linear_model import LogisticRegression

        calibrator = LogisticRegression(C=1e6, max_iter=1000).fit(s[:, None], y[cal])
        calibration = "platt"
    return LinkModel(method, est, calibration, calibrator, pos, neg)


# --------------------------------------------------------------------------- evaluation


def auc(y: np.ndarray, score: np.ndarray) -> float:
    """Area under the ROC curve (ties counted half), by ranks."""
    from scipy.stats import rankdata

    y = np.asarray(y).astype(bool)
    npos, nneg = int(y.sum()), int((~y).sum())
    if npos == 0 or nneg == 0:
        raise SeriesError("auc_undefined", "needs linked and unlinked pairs")
    r = rankdata(score)
    return float((r[y].sum() - npos * (npos + 1) / 2) / (npos * nneg))


def ranking(score: np.ndarray, tiebreak: np.ndarray | None = None) -> np.ndarray:
    """Row order from the highest ``score`` down; equal scores ordered by ``tiebreak`` (highest
    first; the model's uncalibrated score: isotonic calibration gives many pairs one
    probability, and their order must not be the rows' order), then by row."""
    score = np.asarray(score, dtype=float)
    if tiebreak is None:
        return np.argsort(-score, kind="stable")
    return np.lexsort((np.arange(len(score)), -np.asarray(tiebreak, dtype=float), -score))


def precision_at_k(y: np.ndarray, score: np.ndarray, k: int, tiebreak: np.ndarray | None = None) -> float:
    """Share of linked pairs among the ``k`` highest scores (ties ordered by ``tiebreak``)."""
    if k <= 0:
        raise SeriesError("k", "k must be positive")
    order = ranking(score, tiebreak)[:k]
    return float(np.asarray(y)[order].mean()) if len(order) else 0.0


def brier(y: np.ndarray, p: np.ndarray) -> float:
    return float(np.mean((np.asarray(p) - np.asarray(y)) ** 2))


@dataclass(frozen=True)
class Evaluation:
    method: str
    pairs: int
    linked_pairs: int
    auc: float
    precision_at: dict[int, float]
    brier: float
    auc_by_category: dict[str, float] = field(default_factory=dict)


def evaluate(
    x: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    *,
    method: str,
    folds: int = 5,
    seed: int = 0,
    ks: Sequence[int] = (10, 50, 100),
    categories: np.ndarray | None = None,
) -> tuple[Evaluation, np.ndarray]:
    """Out-of-fold calibrated probabilities, folds grouped by ``groups``; and their scores."""
    y = np.asarray(y).astype(int)
    rng = np.random.default_rng(seed)
    ug = np.unique(groups)
    fold_of = dict(zip(ug.tolist(), rng.integers(0, folds, len(ug)).tolist(), strict=True))
    fold = np.array([fold_of[g] for g in groups.tolist()])
    p = np.zeros(len(y))
    raw = np.zeros(len(y))  # the uncalibrated scores order the pairs one probability ties
    for f in range(folds):
        test = fold == f
        if not test.any():
            continue
        model = train(x[~test], y[~test], groups[~test], method=method, seed=seed + f)
        p[test] = model.predict(x[test])
        raw[test] = _in_chunks(model.raw, x, np.flatnonzero(test))
    by_cat: dict[str, float] = {}
    if categories is not None:
        for c in np.unique(categories):
            sel = categories == c
            if 0 < y[sel].sum() < sel.sum():
                by_cat[str(c)] = auc(y[sel], p[sel])
    ev = Evaluation(
        method,
        len(y),
        int(y.sum()),
        auc(y, p),
        {int(k): precision_at_k(y, p, int(k), raw) for k in ks},
        brier(y, p),
        by_cat,
    )
    return ev, p


def pair_groups(series_of: np.ndarray, i: np.ndarray, j: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Labels (1 when both incidents are in one series) and groups for ``train``/``evaluate``.

    A linked pair's group is its series; an unlinked pair touching a series goes with that
    series (so that a series' incidents are never on both sides of a split); the rest are
    grouped by their first incident's row, offset below every series number.
    """
    si, sj = series_of[i], series_of[j]
    y = ((si >= 0) & (si == sj)).astype(int)
    g = np.where(si >= 0, si, np.where(sj >= 0, sj, -1 - i))
    return y, g


# --------------------------------------------------------------------------- reasons


def reasons(row: Sequence[float]) -> list[str]:
    """Codes of what makes a pair look linked (for the analyst's board)."""
    f = dict(zip(FEATURES, row, strict=True))
    out = []
    if f["distance_km"] <= 1.0:
        out.append("near")
    if f["gap_days"] <= 7:
        out.append("soon")
    if f["hour_diff"] <= 1.5:
        out.append("same_hour")
    if f["same_weekday"] >= 1:
        out.append("same_weekday")
    if f["same_premises"] >= 1:
        out.append("same_premises")
    if f["mo_cosine"] >= 0.5:
        out.append("similar_mo")
    return out
