"""Three years of incidents, vectorised.

Daily Poisson counts per (station, category) follow seasonal, weekday, holiday and
trend multipliers; the textile town's count falls after its zone model starts. Points
come from hot spots around each town plus the household density. On top of that: a
tourist village's summer and holiday traffic, near-repeat burglaries, and a handful of
series by one offender each (the ground truth for linkage).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import shapely

from jingwu.engine.vocab import CATEGORY_BY_CODE, INCIDENT_CATEGORIES

from .common import Frame
from .geometry import Layout, StationPlan
from .holidays import holiday_flags
from .model import IncidentColumns, SeriesSpec
from .names import BulkNames, phones
from .org import TEXTILE_ZONES_FROM, OrgTree, address_for

LEAVES = tuple(c.code for c in INCIDENT_CATEGORIES if c.parent is not None)
_L = {code: i for i, code in enumerate(LEAVES)}
FAMILIES = ("01", "02", "03", "04", "05", "06")

# Incidents per year per (resident + 0.9 floating), before type factors.
RATE_PER_PERSON = 0.0295
TYPE_FACTOR = {"full_spectrum": 1.2, "proactive": 1.0, "preventive": 0.8}
FAMILY_SHARE = {
    "full_spectrum": (0.22, 0.22, 0.21, 0.16, 0.12, 0.07),
    "proactive": (0.20, 0.17, 0.25, 0.19, 0.11, 0.08),
    "preventive": (0.16, 0.14, 0.30, 0.20, 0.11, 0.09),
}
LEAF_WEIGHT = {
    "0101": 0.34, "0102": 0.17, "0103": 0.14, "0104": 0.21, "0105": 0.02, "0106": 0.06, "0107": 0.06,
    "0201": 0.35, "0202": 0.10, "0203": 0.20, "0204": 0.15, "0205": 0.20,
    "0301": 0.62, "0302": 0.18, "0303": 0.20,
    "0401": 0.30, "0402": 0.30, "0403": 0.18, "0404": 0.22,
    "0501": 0.18, "0502": 0.45, "0503": 0.37,
    "0601": 0.30, "0602": 0.35, "0699": 0.35,
}  # fmt: skip
TOURIST_LEAVES = {"0301": 0.33, "0302": 0.33, "0404": 0.12, "0502": 0.10, "0501": 0.05, "0201": 0.04, "0503": 0.03}  # fmt: skip
TOURIST_PER_YEAR = 380.0  # at the off-season base; summer and holidays multiply it

# fmt: off
_H_DEFAULT = (1.2, 0.9, 0.6, 0.45, 0.4, 0.5, 0.9, 1.5, 2.2, 2.6, 2.7, 2.6, 2.3, 2.3, 2.5, 2.6, 2.7, 2.8, 2.9, 3.0, 2.9, 2.6, 2.1, 1.6)
_H_TRAFFIC = (0.6, 0.4, 0.3, 0.25, 0.25, 0.4, 1.2, 2.6, 3.0, 2.2, 2.0, 2.0, 2.0, 2.0, 2.1, 2.3, 2.6, 3.1, 3.0, 2.2, 1.6, 1.3, 1.0, 0.8)
_H_NIGHTLIFE = (2.5, 2.0, 1.4, 0.8, 0.4, 0.3, 0.3, 0.4, 0.6, 0.8, 1.0, 1.2, 1.3, 1.1, 1.0, 1.0, 1.1, 1.3, 1.8, 2.4, 2.9, 3.2, 3.3, 3.0)
_H_OFFICE = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.2, 3.3, 2.8, 2.0, 2.6, 3.0, 3.0, 2.8, 2.3, 1.6, 1.3, 1.1, 0.9, 0.6, 0.4)
_H_BURGLARY = (1.5, 1.7, 1.7, 1.4, 1.0, 0.8, 1.0, 1.2, 1.4, 1.6, 1.6, 1.4, 1.3, 1.4, 1.5, 1.5, 1.4, 1.2, 1.1, 1.1, 1.2, 1.2, 1.3, 1.4)
_H_NOISE = (2.5, 1.8, 0.9, 0.5, 0.3, 0.3, 0.5, 0.8, 0.8, 0.8, 0.8, 0.9, 1.0, 1.0, 0.9, 0.9, 1.0, 1.2, 1.6, 2.2, 3.0, 3.6, 3.8, 3.2)
_H_DAYTIME = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.2, 3.5, 3.5, 3.2, 3.2, 3.4, 3.5, 3.4, 2.8, 2.0, 1.4, 1.0, 0.7, 0.5, 0.3)
# fmt: on
HOURS = {
    "03": _H_TRAFFIC,
    "0102": _H_BURGLARY,
    "0104": _H_OFFICE,
    "0201": _H_NIGHTLIFE,
    "0204": _H_NIGHTLIFE,
    "0602": _H_NOISE,
    "0403": _H_OFFICE,
    "0404": _H_OFFICE,
    "0502": _H_DAYTIME,
}  # fmt: skip
MONTHS = {
    "01": (1.15, 1.2, 0.95, 0.9, 0.9, 0.95, 1.0, 1.0, 0.95, 1.0, 1.0, 1.1),
    "02": (1.0, 1.1, 0.9, 0.95, 1.0, 1.1, 1.2, 1.2, 1.05, 1.0, 0.85, 0.9),
    "03": (1.0, 1.1, 0.95, 1.0, 1.0, 0.95, 1.0, 1.0, 1.0, 1.1, 1.0, 1.05),
    "04": (1.1, 1.2, 0.95, 0.95, 1.0, 1.05, 1.1, 1.1, 1.0, 0.95, 0.9, 1.0),
    "05": (1.0, 1.1, 1.0, 1.0, 1.0, 1.0, 1.1, 1.1, 1.0, 1.05, 1.0, 1.0),
    "06": (1.0, 1.05, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05, 1.0, 1.0, 1.0, 1.0),
    "0403": (1.6, 1.3, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.9, 1.1, 1.6),
    "0601": (1.4, 1.5, 1.0, 0.9, 0.8, 0.8, 0.9, 0.9, 0.9, 1.0, 1.1, 1.3),
    "0602": (0.8, 0.9, 0.9, 1.0, 1.1, 1.3, 1.4, 1.4, 1.1, 1.0, 0.8, 0.8),
}
WEEKDAYS = {  # Monday first
    "default": (1.0, 0.97, 0.97, 0.98, 1.05, 1.08, 1.0),
    "03": (1.03, 1.0, 1.0, 1.0, 1.06, 0.98, 0.93),
    "02": (0.9, 0.9, 0.92, 0.95, 1.15, 1.3, 1.1),
    "0104": (1.1, 1.1, 1.05, 1.05, 1.0, 0.85, 0.8),
}
HOLIDAY_EFFECT = {
    "spring_festival": {"0202": 3.0, "0601": 2.0, "0402": 1.5, "0301": 1.3, "0101": 0.8, "0403": 0.6},
    "national_day": {"0301": 1.4, "0302": 1.6, "0502": 1.3},
    "labour_day": {"0301": 1.3, "0302": 1.5, "0502": 1.2},
    "new_year": {"0204": 1.4},
    "qingming": {"0301": 1.3, "0601": 1.5},
}
TREND = {"0104": 0.30}  # telecom fraud grew fast; everything else mildly
DEFAULT_TREND = 0.025

_SOURCES = ("call_110", "walk_in", "patrol", "online", "transfer")
_SOURCE_P = {
    "default": (0.80, 0.10, 0.05, 0.03, 0.02),
    "0104": (0.35, 0.45, 0.0, 0.18, 0.02),
    "0502": (0.35, 0.55, 0.02, 0.08, 0.0),
    "0303": (0.35, 0.02, 0.60, 0.03, 0.0),
    "0302": (0.60, 0.0, 0.38, 0.02, 0.0),
    "0202": (0.60, 0.05, 0.30, 0.0, 0.05),
    "0403": (0.60, 0.30, 0.02, 0.03, 0.05),
    "0404": (0.55, 0.35, 0.0, 0.07, 0.03),
}
TRAVEL_MEDIAN_S = {"full_spectrum": 540.0, "proactive": 780.0, "preventive": 1140.0}

DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "0101": (
        "电动车电瓶被盗",
        "店内财物被盗",
        "手机被盗",
        "现金被盗",
        "工地材料被盗",
        "凌晨家中三部手机被盗",
    ),
    "0102": ("家中被盗，门锁被撬", "入户盗窃，财物损失", "夜间有人翻窗入室盗窃", "出租房被撬，现金被盗"),
    "0103": ("电动自行车被盗", "摩托车被盗", "停放的轿车被盗", "三轮车被盗"),
    "0104": ("网络刷单被骗", "冒充客服诈骗", "冒充公检法诈骗", "网络贷款诈骗", "网购退款被骗"),
    "0105": ("路边被抢夺手机", "夜间被抢包", "持刀抢劫"),
    "0106": ("因琐事被人打伤", "酒后持械伤人"),
    "0107": ("发现疑似吸毒人员", "非法捕捞", "寻衅滋事"),
    "0201": ("饭店内打架", "KTV内斗殴", "因停车纠纷发生殴打"),
    "0202": ("有人聚众赌博", "棋牌室内赌博"),
    "0203": ("有人在公共场所吵闹", "医院内有人闹事", "有人拦路"),
    "0204": ("酒后滋事", "醉酒人员躺在路边", "酒后砸物"),
    "0205": ("可疑人员徘徊", "发现可疑物品", "违规燃放烟花爆竹"),
    "0301": ("两车相撞", "电动车与轿车刮擦", "车辆撞护栏", "行人被撞"),
    "0302": ("景区道路拥堵", "路口交通拥堵", "车辆违停堵路"),
    "0303": ("车辆乱停放", "货车超载", "无证驾驶"),
    "0401": ("邻里因漏水纠纷", "因宅基地发生纠纷", "邻居噪音纠纷"),
    "0402": ("夫妻吵架", "家庭矛盾", "赡养纠纷"),
    "0403": ("工人讨要工资", "企业拖欠工资", "工伤赔偿纠纷"),
    "0404": ("买卖纠纷", "农家乐消费纠纷", "租房押金纠纷", "欠款纠纷"),
    "0501": ("老人走失", "小孩走失", "游客走失"),
    "0502": ("钱包遗失", "手机遗失", "证件遗失"),
    "0503": ("有人被困需要救助", "有人落水", "有人情绪激动需要救助"),
    "0601": ("发现火情", "电瓶车充电起火", "燃放烟花引发火情"),
    "0602": ("夜间施工噪声扰民", "广场舞噪声", "KTV噪声扰民"),
    "0699": ("咨询", "动物伤人", "其他求助"),
}
PHONE_SERIES_DESCRIPTION = "凌晨家中三部手机被盗"

ADDRESSES_PER_GRID = 6
NEAR_REPEAT_P = 0.3
NEAR_REPEAT_RADIUS_KM = 0.18
NEAR_REPEAT_DAYS = 14.0


def _profile(table: dict[str, tuple[float, ...]], leaf: str, default: tuple[float, ...]) -> np.ndarray:
    return np.asarray(table.get(leaf) or table.get(leaf[:2]) or default, dtype=float)


class _Events:
    """Growing struct of arrays for events before they become IncidentColumns."""

    def __init__(self) -> None:
        self.parts: list[dict[str, np.ndarray]] = []

    def add(self, **cols: np.ndarray) -> None:
        self.parts.append(cols)

    def concat(self) -> dict[str, np.ndarray]:
        keys = self.parts[0].keys()
        return {k: np.concatenate([p[k] for p in self.parts]) for k in keys}


def build_incidents(
    rng: np.random.Generator,
    plans: list[StationPlan],
    org: OrgTree,
    layout: Layout,
    frame: Frame,
    county_zh: str,
    start: dt.date,
    end: dt.date,
    n_series: int,
) -> tuple[IncidentColumns, list[SeriesSpec]]:
    n_days = (end - start).days + 1
    days = np.datetime64(start, "D") + np.arange(n_days)
    month = days.astype("datetime64[M]").astype(int) % 12
    weekday = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    t_years = np.arange(n_days) / 365.25
    flags = holiday_flags(start, n_days)
    n_st, n_leaf = len(plans), len(LEAVES)

    # Day multipliers per leaf.
    mult = np.ones((n_leaf, n_days))
    for i, leaf in enumerate(LEAVES):
        mult[i] *= _profile(MONTHS, leaf, MONTHS["06"])[month]
        mult[i] *= _profile(WEEKDAYS, leaf, WEEKDAYS["default"])[weekday]
        for name, eff in HOLIDAY_EFFECT.items():
            if leaf in eff:
                mult[i, flags[name]] *= eff[leaf]
        mult[i] *= (1.0 + TREND.get(leaf, DEFAULT_TREND)) ** t_years
    # Station multipliers: the textile town falls after its zone model starts.
    smult = np.ones((n_st, n_days))
    for s, plan in enumerate(plans):
        if plan.role == "textile":
            k0 = (TEXTILE_ZONES_FROM - start).days
            after = np.arange(n_days) >= k0
            smult[s, after] = 0.63 + 0.37 * np.exp(-(np.arange(n_days)[after] - k0) / 30.0)

    # Base rates per (station, leaf) per day.
    base = np.zeros((n_st, n_leaf))
    for s, plan in enumerate(plans):
        g = layout.grid_station == s
        people = org.grid_residents[g].sum() + 0.9 * org.grid_floating[g].sum()
        annual = RATE_PER_PERSON * people * TYPE_FACTOR[plan.station_type]
        fam = FAMILY_SHARE[plan.station_type]
        for i, leaf in enumerate(LEAVES):
            w = LEAF_WEIGHT[leaf]
            if leaf == "0403" and plan.role == "textile":
                w *= 2.5  # wage disputes in the textile town
            if leaf == "0204" and plan.station_type == "full_spectrum":
                w *= 1.4
            if leaf == "0202" and plan.station_type == "preventive":
                w *= 1.6
            base[s, i] = annual * fam[FAMILIES.index(leaf[:2])] * w / 365.25
    # Normalise leaf weights within each family.
    for f in FAMILIES:
        cols = [i for i, leaf in enumerate(LEAVES) if leaf[:2] == f]
        tot = np.array([sum(LEAF_WEIGHT[LEAVES[i]] for i in cols)])
        base[:, cols] /= tot

    lam = base[:, :, None] * mult[None, :, :] * smult[:, None, :]
    counts = rng.poisson(lam)
    flat = np.repeat(np.arange(counts.size), counts.ravel())
    ev_s, ev_l, ev_d = np.unravel_index(flat, counts.shape)
    n_base = len(flat)

    events = _Events()
    hot = _hot_spots(rng, layout, plans)
    xy = _locate_points(rng, layout, plans, hot, ev_s)
    events.add(
        day=ev_d.astype(np.int64),
        leaf=ev_l.astype(np.int64),
        xy=xy,
        series=np.full(n_base, -1, dtype=np.int64),
        hour=np.full(n_base, -1, dtype=np.int64),
        kind=np.zeros(n_base, dtype=np.int8),
    )

    # The tourist village: traffic and disputes in summer and on holidays.
    tourist = next((s for s, p in enumerate(plans) if p.role == "tourist"), None)
    if tourist is not None and layout.tourist_center is not None:
        t_mult = np.ones(n_days)
        mo = month + 1
        t_mult[(mo == 7) | (mo == 8)] *= 4.0
        t_mult[mo == 4] *= 1.5  # tea-picking season
        t_mult[weekday >= 5] *= 1.8
        for name, m in (
            ("national_day", 10.0),
            ("labour_day", 7.0),
            ("qingming", 4.0),
            ("dragon_boat", 3.0),
            ("spring_festival", 2.0),
        ):
            t_mult[flags[name]] *= m
        t_counts = rng.poisson(TOURIST_PER_YEAR / 365.25 * t_mult)
        t_day = np.repeat(np.arange(n_days), t_counts)
        codes = list(TOURIST_LEAVES)
        p = np.array(list(TOURIST_LEAVES.values()))
        t_leaf = np.array([_L[c] for c in codes])[rng.choice(len(codes), len(t_day), p=p / p.sum())]
        t_xy = _gauss_in_station(rng, layout, tourist, layout.tourist_center, 0.6, len(t_day))
        events.add(
            day=t_day.astype(np.int64),
            leaf=t_leaf.astype(np.int64),
            xy=t_xy,
            series=np.full(len(t_day), -1, dtype=np.int64),
            hour=np.full(len(t_day), -2, dtype=np.int64),
            kind=np.full(len(t_day), 1, dtype=np.int8),
        )

    ev = events.concat()
    secs = _seconds(rng, ev["day"], ev["leaf"], ev["hour"])

    # Near-repeat burglaries: a burglary raises the risk next door for about two weeks.
    nr = _near_repeats(rng, layout, ev["xy"], secs, ev["leaf"], n_days)
    # Series by one offender each.
    bulk = BulkNames()
    series_specs, sr = _series(rng, bulk, plans, org, layout, start, n_days, n_series)

    all_xy = np.concatenate([ev["xy"], nr[0], sr["xy"]])
    all_secs = np.concatenate([secs, nr[1], sr["secs"]])
    all_leaf = np.concatenate([ev["leaf"], np.full(len(nr[1]), _L["0102"]), sr["leaf"]])
    all_series = np.concatenate([ev["series"], np.full(len(nr[1]), -1), sr["series"]])
    all_phone = np.concatenate([np.zeros(len(secs) + len(nr[1]), dtype=bool), sr["phone"]])

    grid = layout.locator.grid_of(all_xy)
    ok = grid >= 0
    if not ok.all():  # a point exactly on the outline: drop it
        all_xy, all_secs, all_leaf, all_series, all_phone, grid = (
            a[ok] for a in (all_xy, all_secs, all_leaf, all_series, all_phone, grid)
        )
    order = np.argsort(all_secs, kind="stable")
    all_xy, all_secs, all_leaf, all_series, all_phone, grid = (
        a[order] for a in (all_xy, all_secs, all_leaf, all_series, all_phone, grid)
    )
    n = len(all_secs)

    # Lookup tables.
    addresses: list[str] = []
    for g in range(len(layout.grids)):
        addresses += address_for(rng, org, county_zh, int(layout.grid_station[g]), g, ADDRESSES_PER_GRID)
    descriptions: list[str] = []
    d_start = np.zeros(n_leaf, dtype=np.int64)
    d_count = np.zeros(n_leaf, dtype=np.int64)
    for i, leaf in enumerate(LEAVES):
        d_start[i] = len(descriptions)
        d_count[i] = len(DESCRIPTIONS[leaf])
        descriptions += DESCRIPTIONS[leaf]
    phone_desc = descriptions.index(PHONE_SERIES_DESCRIPTION)
    n_rep = max(2000, n // 15)
    reporters = tuple(zip(bulk.names(rng, n_rep), phones(rng, n_rep, unique=False), strict=True))

    # Columns.
    source = _sources(rng, all_leaf)
    source[all_series >= 0] = np.where(rng.random(int((all_series >= 0).sum())) < 0.85, 0, 1)
    st_type = np.array([plans[s].station_type for s in range(n_st)])[layout.grid_station[grid]]
    dispatch, arrive, clear = _timings(rng, all_leaf, source, st_type)
    as_of = int(
        (np.datetime64(end, "s") + np.timedelta64(1, "D") - np.datetime64(start, "s")).astype(np.int64)
    )
    status, dispatch, arrive, clear = _status(rng, all_secs, dispatch, arrive, clear, as_of)
    desc_idx = d_start[all_leaf] + (rng.random(n) * d_count[all_leaf]).astype(np.int64)
    desc_idx[all_phone] = phone_desc
    reporter_idx = np.minimum((n_rep * rng.random(n) ** 1.8).astype(np.int64), n_rep - 1)
    ll = frame.lonlat(all_xy)
    cols = IncidentColumns(
        received=(np.datetime64(start, "s") + all_secs.astype("timedelta64[s]")).astype("datetime64[s]"),
        category=np.array(LEAVES, dtype="<U4")[all_leaf],
        source=np.array(_SOURCES, dtype="<U8")[source],
        lon=ll[:, 0].astype(np.float64),
        lat=ll[:, 1].astype(np.float64),
        grid=np.array(org.grid_codes, dtype="<U16")[grid],
        dispatch_s=dispatch.astype(np.int32),
        arrive_s=arrive.astype(np.int32),
        clear_s=clear.astype(np.int32),
        status=status,
        address_idx=(grid * ADDRESSES_PER_GRID + rng.integers(0, ADDRESSES_PER_GRID, n)).astype(np.int32),
        description_idx=desc_idx.astype(np.int32),
        reporter_idx=reporter_idx.astype(np.int32),
        series=all_series.astype(np.int32),
        addresses=tuple(addresses),
        descriptions=tuple(descriptions),
        reporters=reporters,
    )
    # Series dates from their incidents (after sorting).
    out_series = []
    for k, spec in enumerate(series_specs):
        when = cols.received[cols.series == k]
        if len(when) == 0:
            continue
        first = when.min().astype("datetime64[D]").astype(dt.date)
        last = when.max().astype("datetime64[D]").astype(dt.date)
        out_series.append(SeriesSpec(spec.code, spec.name_zh, spec.offender, spec.category, first, last))
    return cols, out_series


# --------------------------------------------------------------------------- space


def _hot_spots(
    rng: np.random.Generator, layout: Layout, plans: list[StationPlan]
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, float]]:
    """Per station: centres, sigmas, weights and the share of incidents drawn from hot spots."""
    hh_station = layout.grid_station[np.maximum(layout.hh_grid, 0)]
    out = []
    for s, plan in enumerate(plans):
        ty = plan.station_type
        pts = layout.hh_xy[hh_station == s]
        d = np.hypot(*(pts - layout.station_base[s]).T)
        near = pts[d < 3.0] if (d < 3.0).sum() > 10 else pts
        k = {"full_spectrum": 3, "proactive": 2, "preventive": 1}[ty]
        extra = near[rng.integers(len(near), size=k)]
        centers = np.vstack([layout.station_base[s][None], extra])
        sig0 = {"full_spectrum": 0.6, "proactive": 0.4, "preventive": 0.3}[ty]
        sigmas = np.r_[sig0, rng.uniform(0.15, 0.35, k)]
        w = np.r_[1.0, rng.gamma(2.0, 0.5, k)]
        share = {"full_spectrum": 0.45, "proactive": 0.35, "preventive": 0.25}[ty]
        out.append((centers, sigmas, w / w.sum(), share))
    return out


def _gauss_in_station(
    rng: np.random.Generator, layout: Layout, s: int, center: np.ndarray, sigma: float, n: int
) -> np.ndarray:
    """Gaussian points around ``center``, redrawn until they fall in station ``s``."""

    def bad_of(xy: np.ndarray) -> np.ndarray:
        g = layout.locator.grid_of(xy)
        return (g < 0) | (layout.grid_station[np.maximum(g, 0)] != s)

    out = center + rng.normal(0, sigma, (n, 2))
    for _ in range(20):
        bad = bad_of(out)
        if not bad.any():
            return out
        out[bad] = center + rng.normal(0, sigma, (int(bad.sum()), 2))
    out[bad_of(out)] = center
    return out


def _inside(poly: shapely.Geometry, xy: np.ndarray) -> np.ndarray:
    return shapely.contains_xy(poly, xy[:, 0], xy[:, 1])


def _locate_points(
    rng: np.random.Generator,
    layout: Layout,
    plans: list[StationPlan],
    hot: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]],
    ev_s: np.ndarray,
) -> np.ndarray:
    """A point per event: from the station's hot spots or from where its people live."""
    n = len(ev_s)
    xy = np.zeros((n, 2))
    hh_station = layout.grid_station[np.maximum(layout.hh_grid, 0)]
    for s in range(len(plans)):
        idx = np.flatnonzero(ev_s == s)
        if len(idx) == 0:
            continue
        centers, sigmas, w, share = hot[s]
        is_hot = rng.random(len(idx)) < share
        h = idx[is_hot]
        j = rng.choice(len(centers), len(h), p=w)
        xy[h] = centers[j] + rng.normal(0, 1, (len(h), 2)) * sigmas[j, None]
        pts = layout.hh_xy[hh_station == s]
        b = idx[~is_hot]
        xy[b] = pts[rng.integers(len(pts), size=len(b))] + rng.normal(0, 0.03, (len(b), 2))
        # Points that fell outside the county go back to a household point.
        bad = idx[~_inside(layout.county, xy[idx])]
        xy[bad] = pts[rng.integers(len(pts), size=len(bad))]
    return xy


# --------------------------------------------------------------------------- time


def _seconds(rng: np.random.Generator, day: np.ndarray, leaf: np.ndarray, hour: np.ndarray) -> np.ndarray:
    """Seconds since the start: the day plus an hour from the category's hourly profile."""
    n = len(day)
    prof = np.array([_profile(HOURS, leaf_code, _H_DEFAULT) for leaf_code in LEAVES])
    cum = np.cumsum(prof, axis=1)
    cum /= cum[:, -1:]
    tour = np.cumsum(np.asarray(_H_DAYTIME))
    tour = tour / tour[-1]
    u = rng.random(n)
    h = np.empty(n, dtype=np.int64)
    normal = hour == -1
    h[normal] = (cum[leaf[normal]] < u[normal, None]).sum(axis=1)
    h[~normal] = np.searchsorted(tour, u[~normal], side="right")
    h = np.minimum(h, 23)
    return day * 86400 + h * 3600 + rng.integers(0, 3600, n)


def _near_repeats(
    rng: np.random.Generator,
    layout: Layout,
    xy: np.ndarray,
    secs: np.ndarray,
    leaf: np.ndarray,
    n_days: int,
) -> tuple[np.ndarray, np.ndarray]:
    parents = np.flatnonzero(leaf == _L["0102"])
    chosen = parents[rng.random(len(parents)) < NEAR_REPEAT_P]
    k = 1 + rng.poisson(0.5, len(chosen))
    src = np.repeat(chosen, k)
    r = NEAR_REPEAT_RADIUS_KM * np.sqrt(rng.random(len(src)))
    a = rng.uniform(0, 2 * math.pi, len(src))
    pxy = xy[src] + np.c_[r * np.cos(a), r * np.sin(a)]
    gap = rng.exponential(3.5, len(src))
    gap = (
        np.where(gap > NEAR_REPEAT_DAYS - 0.5, rng.uniform(0.2, NEAR_REPEAT_DAYS - 0.5, len(src)), gap) + 0.2
    )
    psecs = secs[src] + (gap * 86400).astype(np.int64)
    keep = (psecs < n_days * 86400) & _inside(layout.county, pxy)
    return pxy[keep], psecs[keep]


# --------------------------------------------------------------------------- series


def walk(rng: np.random.Generator, layout: Layout, p: np.ndarray, n: int) -> np.ndarray:
    """An offender's ``n`` places from ``p``: a random walk of 0.3-1.4 km steps inside the county."""
    heading = rng.uniform(0, 2 * math.pi)
    route = []
    for _ in range(n):
        route.append(p.copy())
        for _try in range(20):
            heading += rng.normal(0, 0.6)
            step = rng.uniform(0.3, 1.4)
            q = p + step * np.array([math.cos(heading), math.sin(heading)])
            if _inside(layout.county, q[None])[0]:
                p = q
                break
            heading += math.pi
    return np.array(route)


def _series(
    rng: np.random.Generator,
    bulk: BulkNames,
    plans: list[StationPlan],
    org: OrgTree,
    layout: Layout,
    start: dt.date,
    n_days: int,
    n_series: int,
) -> tuple[list[SeriesSpec], dict[str, np.ndarray]]:
    kinds = ["phones"] + [
        ("burglary", "ebike", "shop_theft")[int(rng.integers(3))] for _ in range(n_series - 1)
    ]
    offenders = bulk.names(rng, n_series, female_share=0.05)
    hh_station = layout.grid_station[np.maximum(layout.hh_grid, 0)]
    specs, xs, ss, ls, ks, ph = [], [], [], [], [], []
    rural = [s for s, p in enumerate(plans) if p.station_type != "full_spectrum"]
    for k, kind in enumerate(kinds):
        s = (
            rural[int(rng.integers(len(rural)))]
            if kind in ("phones", "burglary")
            else int(rng.integers(len(plans)))
        )
        n = int(rng.integers(6, 10)) if kind == "phones" else int(rng.integers(6, 16))
        first = int(rng.integers(60, n_days - 150))
        day = first + np.r_[0, np.cumsum(rng.integers(2, 8, n - 1))]
        pts = layout.hh_xy[hh_station == s]
        route = walk(rng, layout, pts[int(rng.integers(len(pts)))].copy(), n)
        if kind == "phones":
            hour = np.full(n, 6)
            leaf = "0101"
        elif kind == "burglary":
            hour = rng.integers(1, 5, n)
            leaf = "0102"
        elif kind == "ebike":
            hour = (rng.integers(20, 28, n)) % 24
            leaf = "0103"
        else:
            hour = rng.integers(0, 5, n)
            leaf = "0101"
        secs = day * 86400 + hour * 3600 + rng.integers(0, 3600, n)
        town = plans[s].short_zh
        label = {
            "phones": "入户盗窃手机系列案（另有一起电饭煲被盗未报案）",
            "burglary": "夜间入室盗窃系列案",
            "ebike": "盗窃电动车系列案",
            "shop_theft": "夜间盗窃商铺系列案",
        }[kind]
        specs.append(SeriesSpec(f"SER{k + 1:02d}", f"{town}{label}", offenders[k], leaf, start, start))
        xs.append(route)
        ss.append(secs)
        ls.append(np.full(n, _L[leaf]))
        ks.append(np.full(n, k))
        ph.append(np.full(n, kind == "phones"))
    if not specs:
        z = np.zeros(0, dtype=np.int64)
        return [], {"xy": np.zeros((0, 2)), "secs": z, "leaf": z, "series": z, "phone": z.astype(bool)}
    return specs, {
        "xy": np.concatenate(xs),
        "secs": np.concatenate(ss).astype(np.int64),
        "leaf": np.concatenate(ls).astype(np.int64),
        "series": np.concatenate(ks).astype(np.int64),
        "phone": np.concatenate(ph),
    }


# --------------------------------------------------------------------------- handling


def _sources(rng: np.random.Generator, leaf: np.ndarray) -> np.ndarray:
    out = np.zeros(len(leaf), dtype=np.int64)
    u = rng.random(len(leaf))
    for i, code in enumerate(LEAVES):
        sel = leaf == i
        if not sel.any():
            continue
        cum = np.cumsum(_SOURCE_P.get(code, _SOURCE_P["default"]))
        out[sel] = np.minimum(np.searchsorted(cum / cum[-1], u[sel], side="right"), len(_SOURCES) - 1)
    return out


def _timings(
    rng: np.random.Generator, leaf: np.ndarray, source: np.ndarray, st_type: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = len(leaf)
    minutes = np.array([CATEGORY_BY_CODE[c].minutes for c in LEAVES], dtype=float)[leaf]
    dispatched = np.isin(source, [0, 4])  # 110 calls and transfers are dispatched
    dispatch = np.where(dispatched, np.clip(rng.lognormal(math.log(75), 0.5, n), 10, 1800), -1).astype(
        np.int64
    )
    median = np.vectorize(TRAVEL_MEDIAN_S.get)(st_type).astype(float)
    travel = np.clip(rng.lognormal(np.log(median), 0.45), 60, 7200)
    arrive = np.where(dispatched, dispatch + travel, np.where(source == 2, 0, -1)).astype(np.int64)
    on_scene = np.clip(rng.lognormal(np.log(minutes * 60 * 0.8), 0.5), 300, 6 * 3600)
    clear = (np.maximum(arrive, 0) + on_scene).astype(np.int64)
    return dispatch, arrive, clear


def _status(
    rng: np.random.Generator,
    secs: np.ndarray,
    dispatch: np.ndarray,
    arrive: np.ndarray,
    clear: np.ndarray,
    as_of: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(secs)
    recent = secs > as_of - 30 * 86400
    closed_p = np.where(recent, 0.4, 0.85)
    status = np.where(rng.random(n) < closed_p, "closed", "cleared").astype("<U10")
    # Incidents still in progress at the end of the period.
    dispatch, arrive, clear = dispatch.copy(), arrive.copy(), clear.copy()
    open_ = secs + clear > as_of
    on_scene = open_ & (arrive >= 0) & (secs + arrive <= as_of)
    dispatched = open_ & ~on_scene & (dispatch >= 0) & (secs + dispatch <= as_of)
    received = open_ & ~on_scene & ~dispatched
    status[on_scene] = "on_scene"
    status[dispatched] = "dispatched"
    status[received] = "received"
    clear[open_] = -1
    arrive[dispatched | received] = -1
    dispatch[received] = -1
    return status, dispatch, arrive, clear
