"""Key premises: enterprises (the textile town's 400+), hotels, venues, rental homes, schools ..."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np

from .common import Frame
from .geometry import Layout, StationPlan
from .model import PremisesSpec
from .names import BulkNames, phones
from .org import OrgTree, address_for

TEXTILE_ENTERPRISES = 430

_BRAND = "恒鑫华泰达丰盛源宏嘉瑞博诚信昌隆荣汇联亿天明锦绣顺通益金宇辉腾飞永兴和美佳新"
_TEXTILE = ("纺织", "纺织", "纺织", "织造", "织造", "丝绸", "化纤", "经编", "服饰", "家纺")
_INDUSTRY = (
    "机械",
    "建材",
    "蓄电池",
    "新材料",
    "电子",
    "耐火材料",
    "家具",
    "食品",
    "包装",
    "五金",
    "电器",
    "农业科技",
)
_HAZCHEM = ("化工", "印染", "电镀", "涂料", "新能源")
_BANKS = ("中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "中国邮政储蓄银行", "农村商业银行")
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_W = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc(prefix: str, region: str, body: str) -> str:
    """A unified social credit code (GB 32100-2015) with a correct check character."""
    s = prefix + region + body
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(s, _USCC_W, strict=True))
    return s + _USCC_CHARS[(31 - total % 31) % 31]


class _Sampler:
    """Points inside one station's grids, drawn from a generator, rejected until enough."""

    def __init__(self, rng: np.random.Generator, layout: Layout) -> None:
        self.rng = rng
        self.layout = layout
        hh_station = layout.grid_station[np.maximum(layout.hh_grid, 0)]
        self.hh_by_station = [layout.hh_xy[hh_station == s] for s in range(len(layout.stations))]

    def around(self, s: int, n: int, centers: np.ndarray, sigma: float) -> tuple[np.ndarray, np.ndarray]:
        rng = self.rng
        return self._fill(
            s, n, lambda m: centers[rng.integers(len(centers), size=m)] + rng.normal(0, sigma, (m, 2))
        )

    def homes(self, s: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        pts = self.hh_by_station[s]
        rng = self.rng
        return self._fill(s, n, lambda m: pts[rng.integers(len(pts), size=m)] + rng.normal(0, 0.02, (m, 2)))

    def _fill(self, s: int, n: int, gen: Callable[[int], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        xs, gs = [], []
        have = 0
        for _ in range(200):
            if have >= n:
                break
            p = gen(max(16, int((n - have) * 1.5)))
            g = self.layout.locator.grid_of(p)
            ok = (g >= 0) & (self.layout.grid_station[np.maximum(g, 0)] == s)
            xs.append(p[ok])
            gs.append(g[ok])
            have += int(ok.sum())
        if have < n:  # pragma: no cover - fall back to household points, always inside
            p = self.hh_by_station[s][self.rng.integers(len(self.hh_by_station[s]), size=n - have)]
            xs.append(p)
            gs.append(self.layout.locator.grid_of(p))
        return np.concatenate(xs)[:n], np.concatenate(gs)[:n]


def industrial_parks(rng: np.random.Generator, layout: Layout, plans: list[StationPlan]) -> list[np.ndarray]:
    """One to four industrial areas per station, 0.8-3.5 km from the town centre."""
    parks = []
    sampler_pts = layout.hh_xy
    hh_station = layout.grid_station[np.maximum(layout.hh_grid, 0)]
    for s, plan in enumerate(plans):
        pts = sampler_pts[hh_station == s]
        d = np.hypot(*(pts - layout.station_base[s]).T)
        ring = pts[(d > 0.8) & (d < 3.5)]
        if len(ring) == 0:
            ring = pts
        k = 4 if plan.role == "textile" else int(rng.integers(1, 4))
        parks.append(ring[rng.integers(len(ring), size=k)])
    return parks


def build_premises(
    rng: np.random.Generator,
    plans: list[StationPlan],
    org: OrgTree,
    layout: Layout,
    frame: Frame,
    county_zh: str,
    tourist_zh: str,
    region_code: str,
    bureau_code: str,
    scale: float,
) -> list[PremisesSpec]:
    sampler = _Sampler(rng, layout)
    parks = industrial_parks(rng, layout, plans)
    n_st = len(plans)
    res = np.array([org.grid_residents[layout.grid_station == s].sum() for s in range(n_st)], dtype=float)
    flo = np.array([org.grid_floating[layout.grid_station == s].sum() for s in range(n_st)], dtype=float)
    types = [p.station_type for p in plans]
    roles = [p.role for p in plans]

    def sz(n: int) -> int:
        return max(1, int(round(n * scale)))

    def split(total: int, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        return rng.multinomial(total, w / w.sum())

    is_urban = np.array([t == "full_spectrum" for t in types])
    is_old = np.array([r == "old_urban" for r in roles])
    is_textile = np.array([r == "textile" for r in roles])
    is_tourist = np.array([r == "tourist" for r in roles])
    is_pro = np.array([t == "proactive" for t in types])

    plan_rows: list[tuple[str, int, str]] = []  # (category, station, kind of location)
    textile = int(np.flatnonzero(is_textile)[0])
    plan_rows += [("enterprise", textile, "park")] * TEXTILE_ENTERPRISES
    for s, k in enumerate(split(sz(700), res * np.where(is_pro, 1.5, 1.0) * np.where(is_textile, 0.3, 1.0))):
        plan_rows += [("enterprise", s, "park")] * int(k)
    for s, k in enumerate(split(sz(800), flo * np.where(is_urban, 2.0, 1.0))):
        plan_rows += [("rental_housing", s, "homes")] * int(k)
    for s, k in enumerate(
        split(sz(160), res * np.where(is_old, 5.0, np.where(is_urban, 2.0, np.where(is_tourist, 4.0, 0.5))))
    ):
        plan_rows += [("hotel", s, "tourist" if is_tourist[s] and rng.random() < 0.8 else "center")] * int(k)
    for s, k in enumerate(split(sz(110), res * np.where(is_old, 6.0, np.where(is_urban, 2.5, 0.4)))):
        plan_rows += [("entertainment", s, "center")] * int(k)
    for s, k in enumerate(split(sz(140), res * np.where(is_pro, 2.0, 0.4))):
        plan_rows += [("hazchem_user", s, "park")] * int(k)
    for s, k in enumerate(split(sz(170), res)):
        plan_rows += [("school", s, "homes")] * int(k)
    for s, k in enumerate(split(sz(130), res * np.where(is_urban, 1.5, 1.0))):
        plan_rows += [("financial", s, "center")] * int(k)
    for s, k in enumerate(split(sz(340), res + flo)):
        plan_rows += [("other", s, "homes")] * int(k)

    # Locations, grouped by (station, kind) to sample in bulk.
    n = len(plan_rows)
    xy = np.zeros((n, 2))
    grid = np.zeros(n, dtype=np.int64)
    keys: dict[tuple[int, str], list[int]] = {}
    for i, (_, s, kind) in enumerate(plan_rows):
        keys.setdefault((s, kind), []).append(i)
    for (s, kind), idx in sorted(keys.items()):
        if kind == "park":
            p, g = sampler.around(s, len(idx), parks[s], 0.5)
        elif kind == "center":
            p, g = sampler.around(
                s, len(idx), layout.station_base[s][None], 1.0 if types[s] == "full_spectrum" else 0.5
            )
        elif kind == "tourist" and layout.tourist_center is not None:
            p, g = sampler.around(s, len(idx), layout.tourist_center[None], 0.6)
        else:
            p, g = sampler.homes(s, len(idx))
        xy[idx], grid[idx] = p, g

    people = BulkNames().names(rng, n, female_share=0.35)
    tel = phones(rng, n, unique=False)
    ll = frame.lonlat(xy)
    out: list[PremisesSpec] = []
    used_licences: set[str] = set()
    largest_ktv = -1
    for i, (cat, s, _) in enumerate(plan_rows):
        g = int(grid[i])
        town_short = plans[s].short_zh
        brand = _BRAND[rng.integers(len(_BRAND))] + _BRAND[rng.integers(len(_BRAND))]
        address = address_for(rng, org, county_zh, s, g, 1, street=cat not in ("rental_housing", "school"))[0]
        if cat == "enterprise":
            ind = (
                _TEXTILE[rng.integers(len(_TEXTILE))]
                if (s == textile and rng.random() < 0.85)
                else _INDUSTRY[rng.integers(len(_INDUSTRY))]
            )
            name = f"{county_zh}{brand}{ind}有限公司"
            employees = int(np.clip(rng.lognormal(np.log(35), 0.8), 3, 2000))
        elif cat == "hazchem_user":
            u = rng.random()
            if u < 0.25:
                name = f"{county_zh}{town_short}{brand}加油站"
            elif u < 0.35:
                name = f"{county_zh}{town_short}液化气供应站"
            else:
                name = f"{county_zh}{brand}{_HAZCHEM[rng.integers(len(_HAZCHEM))]}有限公司"
            employees = int(np.clip(rng.lognormal(np.log(25), 0.7), 3, 600))
        elif cat == "hotel":
            if plan_rows[i][2] == "tourist":
                name = f"{tourist_zh}{brand}{('农家乐', '民宿', '山庄')[rng.integers(3)]}"
                employees = int(rng.integers(2, 15))
            else:
                name = (
                    f"{county_zh}{brand}{('宾馆', '大酒店', '快捷酒店', '商务酒店', '旅馆')[rng.integers(5)]}"
                )
                employees = int(np.clip(rng.lognormal(np.log(15), 0.8), 2, 300))
        elif cat == "entertainment":
            name = f"{brand}{('KTV', '量贩式KTV', '娱乐会所', '酒吧', '歌舞厅', '足浴中心')[rng.integers(6)]}"
            employees = int(np.clip(rng.lognormal(np.log(18), 0.7), 3, 200))
            if is_old[s] and "KTV" in name and (largest_ktv < 0 or rng.random() < 0.05):
                largest_ktv = i
        elif cat == "rental_housing":
            name = f"{address.removeprefix(f'{county_zh}县{org.town[s]}')}出租房"
            employees = 0
        elif cat == "school":
            kind = ("小学", "小学", "中学", "幼儿园", "幼儿园", "职业学校")[rng.integers(6)]
            name = f"{county_zh}县{org.grid_place[g].removesuffix('社区').removesuffix('村')}{kind}"
            employees = int(np.clip(rng.lognormal(np.log(45), 0.5), 8, 400))
        elif cat == "financial":
            bank = _BANKS[rng.integers(len(_BANKS))]
            if bank == "农村商业银行":
                bank = f"{county_zh}{bank}"
            name = f"{bank}{county_zh}{town_short}{('支行', '分理处', '营业所')[rng.integers(3)]}"
            employees = int(rng.integers(5, 40))
        else:
            name = f"{brand}{('网吧', '典当行', '快递网点', '旧货市场', '印章刻制店', '体育馆', '开锁店')[rng.integers(7)]}"
            employees = int(np.clip(rng.lognormal(np.log(6), 0.7), 1, 80))

        while True:
            if cat == "rental_housing":
                lic = f"ZL{region_code}{2012 + int(rng.integers(0, 7))}{int(rng.integers(0, 100000)):05d}"
            else:
                body = "".join(_USCC_CHARS[j] for j in rng.integers(0, len(_USCC_CHARS), 9))
                lic = uscc("12" if cat == "school" else "91", region_code, body)
            if lic not in used_licences:
                used_licences.add(lic)
                break
        u = rng.random()
        status = (
            "closed"
            if u < 0.03
            else "rectification"
            if u < (0.09 if cat == "entertainment" else 0.04)
            else "active"
        )
        out.append(
            PremisesSpec(
                external_id=f"{bureau_code}-P{i + 1:05d}",
                category=cat,
                name=name,
                address=address,
                lon=float(ll[i, 0]),
                lat=float(ll[i, 1]),
                grid_code=org.grid_codes[g],
                responsible_person=people[i],
                phone=tel[i],
                licence_no=lic,
                status=status,
                employees=employees,
            )
        )
    if largest_ktv >= 0:  # the biggest KTV of the old urban station: many staff
        p = out[largest_ktv]
        out[largest_ktv] = replace(p, employees=180)
    return out
