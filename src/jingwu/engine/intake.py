"""Duty-desk intake: category search in Chinese, pinyin and English, fuzzy address matching,
and the duplicate rule (same place, same category, close in time). No Django here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Pinyin of the incident categories (``vocab.INCIDENT_CATEGORIES``), written by hand: the
# vocabulary has none and the categories are few. Syllables are separated by spaces; the
# search matches the whole pinyin without spaces and the initials ("dq" for 盗窃).
CATEGORY_PINYIN: dict[str, str] = {
    "01": "xing shi lei",
    "0101": "dao qie",
    "0102": "ru shi dao qie",
    "0103": "dao qie che liang",
    "0104": "zha pian",
    "0105": "qiang jie qiang duo",
    "0106": "gu yi shang hai",
    "0107": "qi ta xing shi",
    "02": "zhi an lei",
    "0201": "ou da ta ren",
    "0202": "du bo",
    "0203": "rao luan zhi xu",
    "0204": "zui jiu zi shi",
    "0205": "qi ta zhi an",
    "03": "jiao tong lei",
    "0301": "jiao tong shi gu",
    "0302": "jiao tong yong du",
    "0303": "jiao tong wei fa",
    "04": "jiu fen lei",
    "0401": "lin li jiu fen",
    "0402": "jia ting jiu fen",
    "0403": "lao zi jiu fen",
    "0404": "jing ji jiu fen",
    "05": "qiu zhu lei",
    "0501": "ren yuan zou shi",
    "0502": "wu pin yi shi",
    "0503": "jin ji qiu zhu",
    "06": "qi ta lei",
    "0601": "huo zai yin huan",
    "0602": "zao sheng rao min",
    "0699": "qi ta",
}


@dataclass(frozen=True)
class CategoryHit:
    code: str
    zh: str
    en: str
    pinyin: str
    rank: int  # lower is better


def _fold(text: str) -> str:
    """Lower case, full-width to half-width, no spaces or punctuation."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return re.sub(r"[\s\-_,.;:，。；：、()（）#]+", "", text)


def search_categories(
    query: str, categories: Iterable[tuple[str, str, str]], limit: int = 10
) -> list[CategoryHit]:
    """Categories ``(code, zh, en)`` matching ``query`` by code, Chinese, English, pinyin or
    pinyin initials; best first (exact, then prefix, then contained), then by code."""
    q = _fold(query)
    if not q:
        return []
    hits = []
    for code, zh, en in categories:
        py = CATEGORY_PINYIN.get(code, "")
        keys = [code, _fold(zh), _fold(en), py.replace(" ", ""), "".join(s[0] for s in py.split())]
        rank = None
        for k in keys:
            if not k:
                continue
            r = 0 if k == q else 1 if k.startswith(q) else 2 if q in k else None
            if r is not None and (rank is None or r < rank):
                rank = r
        if rank is not None:
            hits.append(CategoryHit(code, zh, en, py, rank))
    hits.sort(key=lambda h: (h.rank, len(h.code) == 2, h.code))
    return hits[:limit]


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)} if len(text) > 1 else {text}


def address_score(query: str, candidate: str) -> float:
    """Similarity of two addresses in [0, 1]: Dice over character bigrams of the folded
    texts, with full marks when one contains the other (a typed prefix, "城西路1" in
    "城西路1号")."""
    q, c = _fold(query), _fold(candidate)
    if not q or not c:
        return 0.0
    if q == c:
        return 1.0
    a, b = _bigrams(q), _bigrams(c)
    dice = 2 * len(a & b) / (len(a) + len(b))
    if q in c:
        return max(dice, 0.9 - 0.2 * (len(c) - len(q)) / len(c))
    return dice


def query_bigrams(query: str, most: int = 8) -> list[str]:
    """The bigrams of a query to prefilter candidates with (a database ``contains``)."""
    q = _fold(query)
    grams = sorted(_bigrams(q))
    return grams[:most]


# Among addresses alike enough, those with every number of the query (a house number, a
# room) come first: "城西璐1" (路 mistyped) is 城西路1号 before 城西宾馆, which shares as
# many bigrams but not the number.
NUMBER_BONUS = 0.1


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+", _fold(text)))


def rank_addresses(query: str, candidates: Iterable[tuple[str, object]], limit: int = 10, floor: float = 0.3):
    """``(score, address, payload)`` of the candidates at least ``floor`` alike, best first;
    a candidate alike in some way and holding every number of the query gains
    ``NUMBER_BONUS`` (an exact match stays first)."""
    wanted = _numbers(query)
    scored = []
    for a, p in candidates:
        score = address_score(query, a)
        if 0.0 < score < 1.0 and wanted and wanted <= _numbers(a):
            score = min(score + NUMBER_BONUS, 0.99)
        if score >= floor:
            scored.append((score, a, p))
    scored.sort(key=lambda s: (-s[0], len(s[1]), s[1]))
    return scored[:limit]


# The duplicate rule: the same category within this distance and time of another incident.
DUPLICATE_METRES = 150.0
DUPLICATE_MINUTES = 60


def metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres."""
    r = 6371008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(h)))


def bbox(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """A box around a point that holds every point within ``radius_m``."""
    dlat = radius_m / 111_320.0
    dlon = radius_m / (111_320.0 * max(0.01, math.cos(math.radians(lat))))
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


@dataclass(frozen=True)
class Call:
    """An incident as the duplicate rule sees it: what it is called in a report, its key
    (the same key is the same record, not a duplicate), category, place and time (seconds)."""

    label: str
    key: str
    category: int
    lon: float
    lat: float
    t: float


def near_duplicates(
    rows: Iterable[Call],
    known: Iterable[Call],
    metres_limit: float = DUPLICATE_METRES,
    minutes: float = DUPLICATE_MINUTES,
) -> dict[str, str]:
    """``{row label: label of the first call it may duplicate}``: the duty desk's rule
    (same category, within ``metres_limit`` and ``minutes``) applied to a batch.

    Each row is compared with the ``known`` calls and with the rows before it; calls with
    the row's own key are the same record and never count.
    """
    import bisect

    window = minutes * 60.0
    by_cat: dict[int, list[tuple[float, int, Call]]] = {}
    for n, c in enumerate(known):
        by_cat.setdefault(c.category, []).append((c.t, n, c))
    for lst in by_cat.values():
        lst.sort(key=lambda e: (e[0], e[1]))
    out: dict[str, str] = {}
    # rows are numbered after every known call, so that no two entries of a list share
    # (time, number) and the calls themselves are never compared
    order = sum(len(v) for v in by_cat.values())
    for r in rows:
        lst = by_cat.setdefault(r.category, [])
        i = bisect.bisect_left(lst, (r.t - window, -1))
        hit = None
        while i < len(lst) and lst[i][0] <= r.t + window:
            c = lst[i][2]
            if c.key != r.key and metres(r.lon, r.lat, c.lon, c.lat) <= metres_limit:
                if hit is None or (c.t, c.label) < (hit.t, hit.label):
                    hit = c
            i += 1
        if hit is not None:
            out[r.label] = hit.label
        order += 1
        bisect.insort(lst, (r.t, order, r))
    return out
