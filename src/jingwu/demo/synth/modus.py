"""Modus-operandi text (作案手法) for the demo's thefts, burglaries and vehicle thefts.

Each series' offender gets a signature (premises, way in, what is taken, a trace). Every
incident of the series writes that signature with noise: each element is kept with
probability ``KEEP`` and otherwise drawn from the common pool, and the wording of the
phrase varies. The other thefts draw every element from the same pool, weighted so that
common ways in (an unlocked door, a pried lock) are shared by many unrelated incidents.
So the text carries some evidence of a series, never a label: the linker sees only the
words (docs/series.md says how the two were kept apart).

It uses its own random stream, so the rest of the county is unchanged by it.
"""

from __future__ import annotations

import numpy as np

MO_CATEGORIES = ("0101", "0102", "0103", "0105")
KEEP = 0.65

# (phrase, weight in the common pool); the premises words are what the linker's
# premises type reads from the text (engine.series.PREMISES_WORDS).
PREMISES = (
    ("民房", 5.0), ("出租房", 3.0), ("小区住宅", 3.0), ("商铺", 2.0), ("厂区", 1.5),
    ("工地", 1.0), ("农家乐", 0.6), ("停车棚", 1.5), ("路边", 2.0),
)  # fmt: skip
ENTRY = (
    ("门未锁直接进入", 4.0), ("撬开房门", 3.0), ("翻窗进入", 2.0), ("攀爬阳台进入", 1.0),
    ("技术开锁", 0.6), ("破坏防盗窗", 0.5), ("剪断车锁", 2.0), ("拔掉电源线", 0.8),
    ("拉开卷帘门", 0.7), ("尾随进入", 0.6),
)  # fmt: skip
TARGET = (
    ("现金", 4.0), ("手机", 4.0), ("金银首饰", 1.5), ("电瓶", 2.0), ("香烟", 1.0),
    ("笔记本电脑", 0.8), ("电缆铜线", 0.6), ("电动自行车", 2.0), ("电饭煲", 0.3), ("名酒", 0.4),
)  # fmt: skip
TRACE = (
    ("现场留有鞋印", 2.0), ("嫌疑人戴手套", 1.0), ("抽屉被翻动", 2.0), ("监控拍到戴口罩男子", 1.0),
    ("作案后锁门离开", 0.3), ("嫌疑人骑电动车离开", 1.0), ("现场遗留烟头", 0.5), ("未发现明显痕迹", 2.0),
)  # fmt: skip

_TEMPLATES = (
    "作案手法：{entry}，盗走{target}，{premises}内{trace}",
    "{premises}被盗，{entry}，{target}被盗，{trace}",
    "事主称{premises}内{target}被盗，嫌疑人{entry}，{trace}",
)


def _pool(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> np.ndarray:
    w = np.array([x[1] for x in table])
    return rng.choice(len(table), size=n, p=w / w.sum())


def modus_operandi(rng: np.random.Generator, category: np.ndarray, series: np.ndarray) -> tuple[str, ...]:
    """One text per incident ("" outside ``MO_CATEGORIES``); ``series`` is -1 or the series index."""
    n = len(category)
    tables = (PREMISES, ENTRY, TARGET, TRACE)
    picks = [_pool(rng, t, n) for t in tables]
    n_series = int(series.max()) + 1 if n and series.max() >= 0 else 0
    signature = np.stack([_pool(rng, t, max(n_series, 1)) for t in tables], axis=1)
    keep = rng.random((n, 4)) < KEEP
    in_series = series >= 0
    for j in range(4):
        take = in_series & keep[:, j]
        picks[j][take] = signature[series[take], j]
    template = rng.integers(0, len(_TEMPLATES), n)
    wanted = np.isin(category, MO_CATEGORIES)
    out = []
    for i in range(n):
        if not wanted[i]:
            out.append("")
            continue
        p, e, t, r = (tables[j][int(picks[j][i])][0] for j in range(4))
        out.append(_TEMPLATES[int(template[i])].format(premises=p, entry=e, target=t, trace=r))
    return tuple(out)
