"""The unit tree: headquarters, centres, departments, the pre-reform units, stations, zones, grids."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon

from .common import LEGACY_FROM, REFORM_DATE, Frame
from .geometry import HOUSEHOLD_SIZE, Layout, StationPlan, generic_station_seeds, place_inside
from .model import UnitSpec
from .names import (
    DIRECTIONS_EN,
    DIRECTIONS_ZH,
    REAL_COUNTY,
    REAL_STATIONS,
    REAL_TOURIST_VILLAGE,
    PlaceNamer,
)

TEXTILE_ZONES_FROM = dt.date(2017, 6, 1)  # the textile town's zone model starts a month after the reform
PRE_REFORM_TO = REFORM_DATE - dt.timedelta(days=1)

# code, zh, en — headquarters departments that exist before and after the reform.
DEPARTMENTS = (
    ("ZHZX", "指挥中心", "Command Center"),
    ("ZZC", "政治处", "Political Department"),
    ("JWBZ", "警务保障室", "Police Support Office"),
    ("FZDD", "法制大队", "Legal Affairs Brigade"),
    ("DCDD", "督察大队", "Inspection and Supervision Brigade"),
    ("JJDD", "交通警察大队", "Traffic Police Brigade"),
)
# The units the reform merged away (the article: 25 internal units became fewer centres).
PRE_REFORM_UNITS = (
    ("XJDD", "刑事侦查大队", "Criminal Investigation Brigade", "department"),
    ("ZADD", "治安管理大队", "Public Order Brigade", "department"),
    ("XTDD", "巡特警大队", "Patrol and Special Police Brigade", "department"),
    ("SSPCS", "水上派出所", "Water Police Station", "department"),
    ("JZDD", "经济犯罪侦查大队", "Economic Crime Investigation Brigade", "department"),
    ("JDDD", "禁毒大队", "Narcotics Control Brigade", "department"),
    ("WJDD", "网络警察大队", "Cyber Police Brigade", "department"),
    ("QBZX", "情报信息中心", "Intelligence Center", "department"),
    ("NBDD", "内保大队", "Internal Security Brigade", "department"),
    ("JSS", "刑事科学技术室", "Forensic Science Office", "squad"),
)
INVESTIGATION_SQUADS = (
    ("ZC-D1", "打击一中队", "Strike Squad 1"),
    ("ZC-D2", "打击二中队", "Strike Squad 2"),
    ("ZC-NZ", "女子打击中队", "Women's Strike Squad"),
    ("ZC-JS", "技术中队", "Technical Squad"),
)
PREVENTION_SQUADS = (
    ("FK-XT", "巡特警中队", "Patrol and Special Police Squad"),
    ("FK-SS", "水上治安中队", "Water Policing Squad"),
    ("FK-ZA", "治安防控中队", "Public Order Inspection Squad"),
)
_ZH_ORDINAL = "一二三四五六七八九十"


@dataclass
class CountyNames:
    county_zh: str
    county_pinyin: str
    tourist_zh: str
    tourist_pinyin: str


def station_plans(
    rng: np.random.Generator, index: int, county: Polygon, namer: PlaceNamer
) -> tuple[list[StationPlan], CountyNames]:
    """Which stations the county has, where their towns are, and how many people live there."""
    if index == 0:
        total = sum(r[6] for r in REAL_STATIONS)
        plans = [
            StationPlan(
                code=f"S{i + 1:02d}",
                short_zh=zh,
                pinyin=py,
                seat=seat,
                station_type=ty,
                role=role,
                seed=place_inside(county, np.array(off, dtype=float)),
                residents=int(round(res * 1000 * 630 / total)),
                floating=fl * 1000,
            )
            for i, (zh, py, seat, ty, role, off, res, fl) in enumerate(REAL_STATIONS)
        ]
        return plans, CountyNames(REAL_COUNTY[0], REAL_COUNTY[1], *REAL_TOURIST_VILLAGE)

    n_pro, n_rural = int(rng.integers(4, 7)), int(rng.integers(4, 8))
    seeds, types = generic_station_seeds(rng, county, n_pro, n_rural)
    total = 630_000 * county.area / 1430.0 * rng.uniform(0.85, 1.15)
    weights = np.array(
        [0.17, 0.11]
        + [rng.uniform(0.07, 0.1) for _ in range(n_pro)]
        + [rng.uniform(0.04, 0.06) for _ in range(n_rural)]
    )
    residents = np.round(total * weights / weights.sum()).astype(int)
    d_center = [float(np.hypot(*(s - seeds[0]))) for s in seeds]
    rural = [i for i, t in enumerate(types) if t == "preventive"]
    tourist = max(rural, key=lambda i: d_center[i])
    county_zh, county_py = namer.take(three=0.0)
    plans = []
    for i, (seed, ty) in enumerate(zip(seeds, types, strict=True)):
        role = "old_urban" if i == 0 else "textile" if i == 2 else "tourist" if i == tourist else ""
        zh, py = namer.take()
        seat = (
            "街道" if ty == "full_spectrum" else ("乡" if ty == "preventive" and rng.random() < 0.4 else "镇")
        )
        share = {"old_urban": 0.3, "textile": 0.85}.get(
            role, {"full_spectrum": 0.3, "proactive": 0.18}.get(ty, 0.12)
        )
        plans.append(
            StationPlan(
                code=f"S{i + 1:02d}",
                short_zh=zh,
                pinyin=py,
                seat=seat,
                station_type=ty,
                role=role,
                seed=seed,
                residents=int(residents[i]),
                floating=int(round(residents[i] * share * rng.uniform(0.8, 1.2))),
            )
        )
    tzh, tpy = namer.take(three=0.0)
    return plans, CountyNames(county_zh, county_py, tzh, tpy)


@dataclass
class OrgTree:
    units: list[UnitSpec]
    station_codes: list[str]
    zone_codes: list[str]
    grid_codes: list[str]
    grid_place: list[str]  # 顾渚村 / 青溪社区
    grid_urban: np.ndarray
    grid_residents: np.ndarray
    grid_floating: np.ndarray
    roads: list[list[str]]  # per station
    town: list[str]  # 雉城街道, 夹浦镇 ...


def build_units(
    rng: np.random.Generator,
    plans: list[StationPlan],
    layout: Layout,
    frame: Frame,
    names: CountyNames,
    namer: PlaceNamer,
) -> OrgTree:
    units: list[UnitSpec] = []
    county_ll = frame.geoms([layout.county])[0]
    station_ll = frame.geoms(layout.stations)
    zone_ll = frame.geoms(layout.zones)
    grid_ll = frame.geoms(layout.grids)

    # Population per grid.
    n_grids = len(layout.grids)
    hh = layout.grid_households.astype(int)
    size = np.array([HOUSEHOLD_SIZE[plans[s].station_type] for s in layout.grid_station])
    residents = np.round(hh * (size + rng.uniform(-0.2, 0.2, n_grids))).astype(int)
    floating = np.zeros(n_grids, dtype=int)
    for s, plan in enumerate(plans):
        g = np.flatnonzero(layout.grid_station == s)
        w = (hh[g] + 1.0) ** 1.3 * rng.gamma(1.5, 1.0, len(g))
        floating[g] = np.round(plan.floating * w / w.sum()).astype(int)

    seat_base = layout.station_base[0]
    hq_base = frame.point(seat_base)
    tot = (int(hh.sum()), int(residents.sum()), int(floating.sum()))
    county_name = f"{names.county_zh}县"
    units.append(
        UnitSpec(
            "HQ",
            f"{county_name}公安局",
            f"{names.county_pinyin} County Public Security Bureau",
            "headquarters",
            None,
            None,
            county_ll,
            hq_base,
            *tot,
            LEGACY_FROM,
            None,
        )
    )
    for code, zh, en in DEPARTMENTS:
        units.append(UnitSpec(code, zh, en, "department", "HQ", None, None, None, 0, 0, 0, LEGACY_FROM, None))
    off = np.array([0.4, 0.3])
    units.append(
        UnitSpec(
            "ZC",
            "侦查打击中心",
            "Investigation & Strike Center",
            "investigation_center",
            "HQ",
            None,
            None,
            frame.point(seat_base + off),
            0,
            0,
            0,
            REFORM_DATE,
            None,
        )
    )
    for code, zh, en in INVESTIGATION_SQUADS:
        units.append(UnitSpec(code, zh, en, "squad", "ZC", None, None, None, 0, 0, 0, REFORM_DATE, None))
    units.append(
        UnitSpec(
            "FK",
            "基础防控中心",
            "Basic Prevention & Control Center",
            "prevention_center",
            "HQ",
            None,
            None,
            frame.point(seat_base - off),
            0,
            0,
            0,
            REFORM_DATE,
            None,
        )
    )
    for code, zh, en in PREVENTION_SQUADS:
        units.append(UnitSpec(code, zh, en, "squad", "FK", None, None, None, 0, 0, 0, REFORM_DATE, None))
    for code, zh, en, kind in PRE_REFORM_UNITS:
        units.append(
            UnitSpec(code, zh, en, kind, "HQ", None, None, None, 0, 0, 0, LEGACY_FROM, PRE_REFORM_TO)
        )

    # Stations, their strike squads (urban stations keep one), zones and grids.
    station_codes = [p.code for p in plans]
    zone_codes = [""] * len(layout.zones)
    grid_codes = [""] * n_grids
    grid_place = [""] * n_grids
    grid_urban = np.zeros(n_grids, dtype=bool)
    towns: list[str] = []
    roads: list[list[str]] = []
    tourist_set = set(layout.tourist_grids.tolist())
    for s, plan in enumerate(plans):
        sg = layout.grid_station == s
        towns.append(f"{plan.short_zh}{plan.seat}")
        roads.append([namer.road() for _ in range(6 if plan.station_type == "preventive" else 14)])
        units.append(
            UnitSpec(
                plan.code,
                f"{plan.short_zh}派出所",
                f"{plan.pinyin} Police Station",
                "station",
                "HQ",
                plan.station_type,
                station_ll[s],
                frame.point(layout.station_base[s]),
                int(hh[sg].sum()),
                int(residents[sg].sum()),
                int(floating[sg].sum()),
                LEGACY_FROM,
                None,
            )
        )
        if plan.station_type == "full_spectrum":
            units.append(
                UnitSpec(
                    f"{plan.code}-DJ",
                    f"{plan.short_zh}派出所打击中队",
                    f"{plan.pinyin} Station Strike Squad",
                    "squad",
                    plan.code,
                    None,
                    None,
                    None,
                    0,
                    0,
                    0,
                    REFORM_DATE,
                    None,
                )
            )
        zfrom = TEXTILE_ZONES_FROM if plan.role == "textile" else REFORM_DATE
        zids = np.flatnonzero(layout.zone_station == s)
        seen: dict[str, int] = {}
        for k, z in enumerate(zids):
            d = layout.zone_dir[z]
            seen[d] = seen.get(d, 0) + 1
            suffix_zh = "" if seen[d] == 1 else _ZH_ORDINAL[seen[d] - 1]
            suffix_en = "" if seen[d] == 1 else f" {seen[d]}"
            zcode = f"{plan.code}-Z{k + 1}"
            zone_codes[z] = zcode
            zg = layout.grid_zone == z
            units.append(
                UnitSpec(
                    zcode,
                    f"{plan.short_zh}{DIRECTIONS_ZH[d]}{suffix_zh}片",
                    f"{plan.pinyin} {DIRECTIONS_EN[d]} Zone{suffix_en}",
                    "zone",
                    plan.code,
                    None,
                    zone_ll[z],
                    frame.point(layout.zone_base[z]),
                    int(hh[zg].sum()),
                    int(residents[zg].sum()),
                    int(floating[zg].sum()),
                    zfrom,
                    None,
                )
            )
            gids = np.flatnonzero(zg)
            gids = gids[np.lexsort((layout.grid_center[gids, 0], -layout.grid_center[gids, 1]))]
            core = 1.5 if plan.station_type == "full_spectrum" else 0.9
            for j, g in enumerate(gids):
                gcode = f"{zcode}-G{j + 1:03d}"
                grid_codes[g] = gcode
                urban = plan.station_type == "full_spectrum" or (
                    float(np.hypot(*(layout.grid_center[g] - layout.station_base[s]))) < core
                )
                grid_urban[g] = urban
                if int(g) in tourist_set:
                    pzh, ppy = names.tourist_zh, names.tourist_pinyin
                    n_t = sum(1 for x in grid_place if x.startswith(pzh))
                    kind_zh, kind_en = "村", "Village"
                    label_zh = f"{pzh}村" + ("" if n_t == 0 else f"第{_ZH_ORDINAL[min(n_t, 9)]}")
                    label_en = f"{ppy} Village" + ("" if n_t == 0 else f" {n_t + 1}")
                else:
                    pzh, ppy = namer.take()
                    kind_zh, kind_en = ("社区", "Community") if urban else ("村", "Village")
                    label_zh, label_en = f"{pzh}{kind_zh}", f"{ppy} {kind_en}"
                grid_place[g] = f"{pzh}{kind_zh}"
                units.append(
                    UnitSpec(
                        gcode,
                        f"{label_zh}网格",
                        f"{label_en} Grid",
                        "grid",
                        zcode,
                        None,
                        grid_ll[g],
                        None,
                        int(hh[g]),
                        int(residents[g]),
                        int(floating[g]),
                        zfrom,
                        None,
                    )
                )
    return OrgTree(
        units=units,
        station_codes=station_codes,
        zone_codes=zone_codes,
        grid_codes=grid_codes,
        grid_place=grid_place,
        grid_urban=grid_urban,
        grid_residents=residents,
        grid_floating=floating,
        roads=roads,
        town=towns,
    )


def address_for(
    rng: np.random.Generator,
    org: OrgTree,
    county_zh: str,
    station: int,
    grid: int,
    n: int,
    street: bool = False,
) -> list[str]:
    """``n`` plausible addresses inside one grid (``street``: a road and number, for businesses)."""
    town = org.town[station]
    out = []
    for _ in range(n):
        if org.grid_urban[grid]:
            road = org.roads[station][int(rng.integers(len(org.roads[station])))]
            if street or rng.random() < 0.4:
                out.append(f"{county_zh}县{town}{org.grid_place[grid]}{road}{int(rng.integers(1, 400))}号")
            else:
                blk, room = int(rng.integers(1, 30)), int(rng.integers(1, 6)) * 100 + int(rng.integers(1, 5))
                out.append(f"{county_zh}县{town}{org.grid_place[grid]}{blk}幢{room}室")
        else:
            out.append(
                f"{county_zh}县{town}{org.grid_place[grid]}{int(rng.integers(1, 20))}组{int(rng.integers(1, 120))}号"
            )
    return out


def grid_area_km2(poly: Polygon, frame: Frame) -> float:
    """Area of a WGS84 polygon in km2 in the county's frame (for checks and reports)."""
    return float(shapely.area(poly)) / (frame.kx * frame.ky)
