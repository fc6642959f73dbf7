"""Benchmark: entity extraction for leads over 100,000 texts, against a naive regex loop.

The texts are incident descriptions of the demo generator with entities planted at known
rates, written the ways people write them (full-width digits, dashes, spaces): mobiles,
landlines, plates (new-energy too), resident ID numbers (valid check digits), passports,
companies and addresses. Two extractors run over the same texts, in the same process:

* ``engine`` - :func:`jingwu.engine.leads.extract` with an address book of 5,000 known
  addresses (normalisation, check digits, overlaps, left-trimming of names, matching);
* ``baseline`` - a plain loop of ``re.findall`` with one pattern per kind, no
  normalisation and no validation (what a first script would do).

Reported per extractor: records/s, the process's peak resident memory after it ran, and
the CPU time (the machine is shared: compare CPU), and per kind the recall and precision against the planted entities (a value counts when it
equals the planted one after stripping separators). Then the clusters over the engine's
output (connected components) and their time.

Usage (prints one JSON object):
    python bench/bench_leads.py [--texts 100000] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import time
from collections import defaultdict

import numpy as np

from jingwu.demo.synth.incidents import DESCRIPTIONS
from jingwu.demo.synth.names import phones
from jingwu.engine.ids import make_id_number
from jingwu.engine.leads import AddressBook, Record, cluster, extract

FULL = str.maketrans("0123456789", "０１２３４５６７８９")
ROADS = [f"{a}{b}路" for a in ("人民", "解放", "建设", "新华", "中山", "城东", "城西") for b in "一二三"]


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def written(rng, phone: str) -> str:
    s = int(rng.integers(4))
    return [
        phone,
        f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
        f"{phone[:3]} {phone[3:7]} {phone[7:]}",
        phone.translate(FULL),
    ][s]


def make_texts(n: int, seed: int):
    """(texts, planted) where planted[i] is the set of (kind, value) put into text i."""
    rng = np.random.default_rng(seed)
    descs = [d for ds in DESCRIPTIONS.values() for d in ds]
    mobiles = phones(rng, 20_000)
    companies = [
        f"长兴{a}{b}汽车租赁有限公司" for a in "恒鑫宏诚安利金华瑞融" for b in "信达图通顺众泰盛祥丰"
    ]
    texts, planted = [], []
    for _ in range(n):
        parts = [descs[int(rng.integers(len(descs)))]]
        truth = set()
        r = rng.random(8)
        if r[0] < 0.15:
            p = mobiles[int(rng.integers(len(mobiles)))]
            parts.append(f"联系电话{written(rng, p)}")
            truth.add(("phone", p))
        if r[1] < 0.03:
            area, local = "0572", str(int(rng.integers(2_000_000, 9_999_999)))
            parts.append(f"座机({area}){local}")
            truth.add(("phone", f"{area}-{local}"))
        if r[2] < 0.05:
            letter = "ABCDEFGHJK"[int(rng.integers(10))]
            if rng.random() < 0.3:
                plate = f"浙{letter}D{int(rng.integers(10000, 99999))}"
            else:
                plate = f"浙{letter}{int(rng.integers(10000, 99999))}"
            parts.append(f"车牌{plate[:2]}·{plate[2:]}")
            truth.add(("plate", plate))
        if r[3] < 0.03:
            birth = dt.date(1950, 1, 1) + dt.timedelta(days=int(rng.integers(0, 20000)))
            idn = make_id_number("330522", birth, int(rng.integers(100)), bool(rng.random() < 0.5))
            parts.append(f"身份证号{idn}")
            truth.add(("id_number", idn))
        if r[4] < 0.01:
            pp = f"E{int(rng.integers(10_000_000, 99_999_999))}"
            parts.append(f"护照号{pp}")
            truth.add(("id_number", pp))
        if r[5] < 0.05:
            c = companies[int(rng.integers(len(companies)))]
            parts.append(f"涉及{c}")
            truth.add(("company", c))
        if r[6] < 0.10:
            a = f"{ROADS[int(rng.integers(len(ROADS)))]}{int(rng.integers(1, 300))}号"
            parts.append(f"发生在{a}")
            truth.add(("address", a))
        texts.append("，".join(parts) + "。")
        planted.append(truth)
    return texts, planted


BASELINE = {
    "phone": re.compile(r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}"),
    "plate": re.compile(
        r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Z][A-Z0-9]{5,6}"
    ),
    "id_number": re.compile(r"\d{17}[\dX]|[EG]\d{8}"),
    "company": re.compile(r"[\u4e00-\u9fff]{2,20}(?:有限公司|公司)"),
    "address": re.compile(r"[\u4e00-\u9fff]{2,10}路\d+号"),
}


def baseline(text: str) -> set[tuple[str, str]]:
    return {(k, v) for k, rx in BASELINE.items() for v in rx.findall(text)}


def score(found: list[set], planted: list[set]) -> dict:
    tp, fp, fn = defaultdict(int), defaultdict(int), defaultdict(int)

    def key(kind, v):
        return (kind, re.sub(r"[ \-·()（）]", "", v))

    for f, p in zip(found, planted, strict=True):
        pk = {key(*e) for e in p}
        # an address matched in the address book carries the town the text left out
        fk = {
            next((q for q in pk if q[0] == "address" and e[1].endswith(q[1])), e)
            for e in map(lambda x: key(*x), f)
        }
        for e in fk & pk:
            tp[e[0]] += 1
        for e in fk - pk:
            fp[e[0]] += 1
        for e in pk - fk:
            fn[e[0]] += 1
    out = {}
    for kind in ("phone", "plate", "id_number", "company", "address"):
        t = tp[kind]
        out[kind] = {
            "recall": round(t / (t + fn[kind]), 4) if t + fn[kind] else None,
            "precision": round(t / (t + fp[kind]), 4) if t + fp[kind] else None,
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    t0 = time.perf_counter()
    texts, planted = make_texts(a.texts, a.seed)
    made = time.perf_counter() - t0
    rng = np.random.default_rng(a.seed + 1)
    towns = ("雉城街道", "长兴县", "")
    book = AddressBook(
        f"{towns[int(rng.integers(3))]}{ROADS[int(rng.integers(len(ROADS)))]}{int(rng.integers(1, 300))}号"
        for _ in range(5000)
    )
    rss0 = rss_mb()

    t, c = time.perf_counter(), time.process_time()
    base = [baseline(x) for x in texts]
    base_s, base_cpu = time.perf_counter() - t, time.process_time() - c
    rss_base = rss_mb()

    t, c = time.perf_counter(), time.process_time()
    ents = [extract(x, address_book=book) for x in texts]
    eng_s, eng_cpu = time.perf_counter() - t, time.process_time() - c
    rss_eng = rss_mb()
    found = [{(e.kind, e.value) for e in es} for es in ents]

    start = dt.date(2016, 1, 1)
    records = [Record(str(i), start + dt.timedelta(days=i % 1000), frozenset(f)) for i, f in enumerate(found)]
    t, c = time.perf_counter(), time.process_time()
    clusters = cluster(records)
    cl_s, cl_cpu = time.perf_counter() - t, time.process_time() - c

    print(
        json.dumps(
            {
                "machine": platform.processor() or platform.machine(),
                "python": platform.python_version(),
                "texts": a.texts,
                "generate_s": round(made, 2),
                "rss_before_mb": round(rss0),
                "address_book": len(book),
                "engine": {
                    "seconds": round(eng_s, 2),
                    "cpu_s": round(eng_cpu, 2),
                    "records_per_s": round(a.texts / eng_s),
                    "records_per_cpu_s": round(a.texts / eng_cpu),
                    "peak_rss_mb": round(rss_eng),
                    "entities": sum(len(f) for f in found),
                    "quality": score(found, planted),
                },
                "baseline": {
                    "seconds": round(base_s, 2),
                    "cpu_s": round(base_cpu, 2),
                    "records_per_s": round(a.texts / base_s),
                    "records_per_cpu_s": round(a.texts / base_cpu),
                    "peak_rss_mb": round(rss_base),
                    "entities": sum(len(f) for f in base),
                    "quality": score(base, planted),
                },
                "clusters": {"seconds": round(cl_s, 2), "cpu_s": round(cl_cpu, 2), "found": len(clusters)},
                "load_average": [round(x, 1) for x in os.getloadavg()],
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
