"""The synthetic county generator: determinism, shape, geometry and the reform's facts.

Plain pytest, no Django. One county is generated per module (about 1.5 s).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict

import numpy as np
import pytest
import shapely
from scipy.spatial import cKDTree

from jingwu.demo.synth import County, county_digest, generate_county
from jingwu.demo.synth.common import CELL_LAT, CELL_LON, Frame, rng_for
from jingwu.demo.synth.geometry import county_outline
from jingwu.demo.synth.incidents import DESCRIPTIONS
from jingwu.engine import vocab
from jingwu.engine.ids import id_number_problem

REFORM = dt.date(2017, 5, 1)
BEFORE = REFORM - dt.timedelta(days=1)


@pytest.fixture(scope="module")
def county() -> County:
    return generate_county(seed=2019, index=0)


@pytest.fixture(scope="module")
def other() -> County:
    return generate_county(seed=2019, index=1)


@pytest.fixture(scope="module")
def units(county: County) -> dict:
    return {u.code: u for u in county.units}


@pytest.fixture(scope="module")
def station_by_name(county: County) -> dict:
    return {u.name_zh: u for u in county.units if u.kind == "station"}


@pytest.fixture(scope="module")
def officers(county: County) -> dict:
    return {o.police_number: o for o in county.officers}


@pytest.fixture(scope="module")
def postings_by_officer(county: County) -> dict:
    out = defaultdict(list)
    for p in county.postings:
        out[p.police_number].append(p)
    return out


def _subtree(county: County, code: str) -> set[str]:
    children = defaultdict(list)
    for u in county.units:
        children[u.parent_code].append(u.code)
    out, todo = set(), [code]
    while todo:
        c = todo.pop()
        out.add(c)
        todo.extend(children[c])
    return out


def _police_at(county: County, officers: dict, codes: set[str], day: dt.date) -> list:
    seen = {}
    for p in county.postings:
        if p.unit_code in codes and p.start <= day and (p.end is None or p.end >= day):
            o = officers[p.police_number]
            if o.kind == "police":
                seen[o.police_number] = o
    return list(seen.values())


def _mean_age(people: list, day: dt.date) -> float:
    return float(np.mean([(day - o.birth_date).days / 365.25 for o in people]))


def _station_of_grid(grid_codes: np.ndarray) -> np.ndarray:
    return np.array([g[:3] for g in grid_codes.tolist()])


# --------------------------------------------------------------------------- determinism


def test_it_generates_the_same_county_for_the_same_seed_and_index(county: County) -> None:
    again = generate_county(seed=2019, index=0)
    assert county_digest(again) == county_digest(county)


def test_it_generates_a_different_county_for_another_index(county: County, other: County) -> None:
    assert county_digest(other) != county_digest(county)
    assert county.bureau_code == county.region_code == "330522"
    assert other.bureau_code == "900001"
    assert county.bureau_name_zh == "长兴县公安局"
    assert other.bureau_name_zh != county.bureau_name_zh
    names0 = {u.name_zh for u in county.units if u.kind == "station"}
    names1 = {u.name_zh for u in other.units if u.kind == "station"}
    assert not names0 & names1
    assert len(other.incidents) != len(county.incidents)


def test_counties_of_a_province_do_not_overlap(county: County, other: County) -> None:
    assert not county.boundary.intersects(other.boundary)
    # Every outline fits in its own cell of the province grid.
    for index in range(20):
        frame = Frame.for_index(index)
        outline = frame.geoms([county_outline(rng_for(2019, index, "outline"), index)])[0]
        minx, miny, maxx, maxy = outline.bounds
        assert frame.lon0 - CELL_LON / 2 < minx and maxx < frame.lon0 + CELL_LON / 2
        assert frame.lat0 - CELL_LAT / 2 < miny and maxy < frame.lat0 + CELL_LAT / 2


# --------------------------------------------------------------------------- counts


def test_it_has_thirteen_stations_of_three_types(county: County, station_by_name: dict) -> None:
    stations = [u for u in county.units if u.kind == "station"]
    assert len(stations) == 13
    assert Counter(u.station_type for u in stations) == {"full_spectrum": 2, "proactive": 5, "preventive": 6}
    assert station_by_name["雉城派出所"].station_type == "full_spectrum"
    assert station_by_name["夹浦派出所"].station_type == "proactive"
    assert station_by_name["水口派出所"].station_type == "preventive"
    assert station_by_name["雉城派出所"].name_en == "Zhicheng Police Station"


def test_the_textile_town_has_three_zones_south_to_north(county: County, station_by_name: dict) -> None:
    jiapu = station_by_name["夹浦派出所"]
    zones = [u for u in county.units if u.kind == "zone" and u.parent_code == jiapu.code]
    assert [z.name_zh for z in zones] == ["夹浦南片", "夹浦中片", "夹浦北片"]
    lats = [z.boundary.centroid.y for z in zones]
    assert lats == sorted(lats)
    assert all(z.valid_from == dt.date(2017, 6, 1) for z in zones)
    others = [u for u in county.units if u.kind == "zone" and u.parent_code != jiapu.code]
    assert all(2 <= n <= 4 for n in Counter(z.parent_code for z in others).values())
    assert all(z.valid_from == REFORM for z in others)


def test_the_unit_tree_is_consistent(county: County, units: dict) -> None:
    kinds = set(vocab.codes(vocab.UNIT_KINDS))
    for u in county.units:
        assert u.kind in kinds
        assert (u.parent_code is None) == (u.kind == "headquarters")
        if u.parent_code is not None:
            assert u.parent_code in units
        assert (u.boundary is not None) == (u.kind in vocab.AREA_KINDS), u.code
        assert (u.station_type is not None) == (u.kind == "station")
        assert u.valid_to is None or u.valid_to >= u.valid_from
    assert units["ZC"].kind == "investigation_center" and units["ZC"].valid_from == REFORM
    assert units["FK"].kind == "prevention_center" and units["FK"].valid_from == REFORM
    merged = [u for u in county.units if u.valid_to == BEFORE]
    assert len(merged) >= 8
    assert {"刑事侦查大队", "治安管理大队", "巡特警大队", "水上派出所"} <= {u.name_zh for u in merged}
    assert len(re.findall(r"G\d{3}$", units["S03-Z1-G001"].code)) == 1


def test_the_population_is_about_630_thousand_in_grids_of_150_to_500_households(county: County) -> None:
    grids = [u for u in county.units if u.kind == "grid"]
    assert 700 <= len(grids) <= 1000
    hh = np.array([g.households for g in grids])
    assert np.mean((hh >= 150) & (hh <= 500)) >= 0.9
    hq = county.units[0]
    assert 600_000 <= hq.residents <= 660_000
    assert hq.residents == sum(g.residents for g in grids)
    assert hq.households == hh.sum()
    stations = {u.name_zh: u for u in county.units if u.kind == "station"}
    # Large floating population in the textile town and the urban stations.
    jiapu = stations["夹浦派出所"]
    assert jiapu.floating > 0.6 * jiapu.residents
    assert stations["雉城派出所"].residents > 2 * stations["水口派出所"].residents


def test_it_has_about_3000_premises_with_400_textile_town_enterprises(
    county: County, station_by_name: dict
) -> None:
    assert 2700 <= len(county.premises) <= 3300
    jiapu = station_by_name["夹浦派出所"].code
    ent = [p for p in county.premises if p.category == "enterprise" and p.grid_code.startswith(jiapu + "-")]
    assert len(ent) >= 400
    textile = [
        p for p in ent if any(k in p.name for k in ("纺织", "织造", "丝绸", "化纤", "经编", "服饰", "家纺"))
    ]
    assert len(textile) > 0.6 * len(ent)
    zc = station_by_name["雉城派出所"].code
    by_cat = Counter(p.category for p in county.premises if p.grid_code.startswith(zc + "-"))
    total = Counter(p.category for p in county.premises)
    for cat in ("hotel", "entertainment"):
        assert by_cat[cat] > 0.3 * total[cat]
    assert set(total) == set(vocab.codes(vocab.PREMISES_CATEGORIES))
    assert {p.status for p in county.premises} <= set(vocab.codes(vocab.PREMISES_STATUSES))
    assert len({p.external_id for p in county.premises}) == len(county.premises)
    assert len({p.licence_no for p in county.premises}) == len(county.premises)


def test_incidents_number_20_to_30_thousand_a_year(county: County) -> None:
    inc = county.incidents
    years = inc.received.astype("datetime64[Y]").astype(int) + 1970
    per_year = Counter(years.tolist())
    assert set(per_year) == {2016, 2017, 2018}
    assert all(20_000 <= n <= 30_000 for n in per_year.values()), per_year
    criminal = np.char.startswith(inc.category, "01").mean()
    assert 0.15 <= criminal <= 0.25


# --------------------------------------------------------------------------- geometry


def test_the_county_is_about_1430_km2_near_changxing(county: County) -> None:
    b = county.boundary
    assert b.geom_type == "Polygon" and b.is_valid
    km2 = b.area * 111.320 * math.cos(math.radians(31.0)) * 110.574
    assert 1350 <= km2 <= 1510
    c = b.centroid
    assert abs(c.x - 119.9) < 0.15 and abs(c.y - 31.0) < 0.15


def _area_units(county: County, kind: str) -> list:
    return [u for u in county.units if u.kind == kind]


@pytest.mark.parametrize(
    ("child", "parent"), [("grid", "zone"), ("zone", "station"), ("station", "headquarters")]
)
def test_each_level_tiles_its_parent_exactly(county: County, units: dict, child: str, parent: str) -> None:
    children = _area_units(county, child)
    by_parent = defaultdict(list)
    for u in children:
        p = units[u.parent_code]
        assert p.kind == parent
        by_parent[p.code].append(u)
    assert len(by_parent) == len(_area_units(county, parent))
    for code, kids in by_parent.items():
        outer = units[code].boundary
        area = sum(k.boundary.area for k in kids)
        assert abs(area - outer.area) <= 1e-6 * outer.area, code
        for k in kids:
            assert k.boundary.geom_type == "Polygon" and k.boundary.is_valid, k.code
            assert outer.covers(k.boundary), k.code


@pytest.mark.parametrize("kind", ["grid", "zone", "station"])
def test_areas_of_one_level_do_not_overlap(county: County, kind: str) -> None:
    geoms = np.array([u.boundary for u in _area_units(county, kind)], dtype=object)
    tree = shapely.STRtree(geoms)
    assert tree.query(geoms, predicate="overlaps").shape[1] == 0
    i, j = tree.query(geoms, predicate="intersects")
    pairs = i < j
    inter = shapely.area(shapely.intersection(geoms[i[pairs]], geoms[j[pairs]]))
    assert inter.max(initial=0.0) <= 1e-12 * shapely.area(geoms).min()


def test_no_grid_is_a_sliver(county: County) -> None:
    f = 111.320 * math.cos(math.radians(31.0)) * 110.574
    areas = np.array([g.boundary.area * f for g in _area_units(county, "grid")])
    assert areas.min() >= 0.02


# --------------------------------------------------------------------------- officers and postings


def test_officers_have_valid_unique_identities(county: County) -> None:
    offs = county.officers
    police = [o for o in offs if o.kind == "police"]
    aux = [o for o in offs if o.kind == "auxiliary"]
    assert 500 <= len(police) <= 600 and 430 <= len(aux) <= 530
    assert len({o.police_number for o in offs}) == len(offs)
    assert all(re.fullmatch(r"\d{6}", o.police_number) for o in police)
    assert all(re.fullmatch(r"F\d{6}", o.police_number) for o in aux)
    assert all(id_number_problem(o.id_number) is None for o in offs)
    assert len({o.id_number for o in offs}) == len(offs)
    for o in offs:
        assert o.id_number[6:14] == o.birth_date.strftime("%Y%m%d")
        assert int(o.id_number[16]) % 2 == (0 if o.gender == "F" else 1)
    assert all(re.fullmatch(r"1[3589]\d{9}", o.phone) for o in offs)
    assert len({o.phone for o in offs}) == len(offs)
    ranks, skills = set(vocab.codes(vocab.RANKS)), set(vocab.codes(vocab.SKILLS))
    assert all(o.rank in ranks for o in offs)
    assert all(o.rank == "none" for o in aux)
    assert all(o.rank != "none" for o in police)
    assert all(o.status in vocab.codes(vocab.OFFICER_STATUSES) for o in offs)
    assert all(o.skills and all(c in skills and 1 <= lv <= 5 for c, lv in o.skills) for o in offs)
    assert all(county.boundary.contains(shapely.Point(o.home)) for o in offs)


def test_police_ages_and_gender_are_realistic(county: County) -> None:
    police = [o for o in county.officers if o.kind == "police" and o.hired <= BEFORE]
    ages = np.array([(BEFORE - o.birth_date).days / 365.25 for o in police])
    assert ages.min() >= 23 and ages.max() < 60
    assert 38 <= ages.mean() <= 42
    female = np.mean([o.gender == "F" for o in county.officers if o.kind == "police"])
    assert 0.12 <= female <= 0.18
    # Rank follows service.
    young = [o for o, a in zip(police, ages, strict=True) if a < 30]
    old = [o for o, a in zip(police, ages, strict=True) if a > 50]
    order = vocab.codes(vocab.RANKS)
    assert np.mean([order.index(o.rank) for o in young]) < np.mean([order.index(o.rank) for o in old])


def test_postings_follow_the_rules(
    county: County, units: dict, officers: dict, postings_by_officer: dict
) -> None:
    roles = set(vocab.codes(vocab.POSTING_ROLES))
    for number, posts in postings_by_officer.items():
        o = officers[number]
        for p in posts:
            assert p.role in roles
            u = units[p.unit_code]
            assert p.end is None or p.start <= p.end
            assert p.start >= u.valid_from, (p, u.valid_from)
            assert u.valid_to is None or (p.end is not None and p.end <= u.valid_to), p
            assert p.start >= o.hired
        current = [p for p in posts if p.end is None]
        if o.status in ("retired", "left"):
            assert current == []
        else:
            assert len(current) == 1, number
        by_role = defaultdict(list)
        for p in posts:
            by_role[p.role].append(p)
        for same in by_role.values():
            same.sort(key=lambda p: p.start)
            for a, b in zip(same, same[1:], strict=False):
                assert a.end is not None and a.end < b.start, (a, b)
    assert set(postings_by_officer) == set(officers)


# --------------------------------------------------------------------------- the reform's facts


def test_the_old_urban_station_got_younger(county: County, officers: dict, station_by_name: dict) -> None:
    codes = _subtree(county, station_by_name["雉城派出所"].code)
    before = _police_at(county, officers, codes, BEFORE)
    after = _police_at(county, officers, codes, REFORM)
    assert abs(_mean_age(before, BEFORE) - 47.6) <= 1.5
    assert abs(_mean_age(after, REFORM) - 34.7) <= 1.5


def test_the_investigation_center_is_young_and_mostly_from_the_stations(
    county: County, officers: dict, postings_by_officer: dict
) -> None:
    members = _police_at(county, officers, _subtree(county, "ZC"), REFORM)
    assert 60 <= len(members) <= 100
    assert 30 <= _mean_age(members, REFORM) <= 34
    from_stations = 0
    for o in members:
        pre = [p for p in postings_by_officer[o.police_number] if p.end == BEFORE]
        if pre and re.fullmatch(r"S\d\d", pre[0].unit_code):
            from_stations += 1
    assert from_stations > len(members) / 2


def test_the_textile_town_went_from_18_to_15_with_3_to_the_center(
    county: County, officers: dict, postings_by_officer: dict, station_by_name: dict
) -> None:
    codes = _subtree(county, station_by_name["夹浦派出所"].code)
    before = _police_at(county, officers, codes, BEFORE)
    after = _police_at(county, officers, codes, dt.date(2017, 7, 1))
    assert len(before) == 18 and len(after) == 15
    zc = _subtree(county, "ZC")
    moved = [
        o
        for o in before
        if any(p.unit_code in zc and p.start == REFORM for p in postings_by_officer[o.police_number])
    ]
    assert len(moved) == 3


def test_eight_women_moved_from_back_office_to_investigation(
    county: County, officers: dict, postings_by_officer: dict
) -> None:
    zc = _subtree(county, "ZC")
    movers = []
    for number, posts in postings_by_officer.items():
        pre = [p for p in posts if p.end == BEFORE]
        post = [p for p in posts if p.start == REFORM]
        if (
            pre
            and post
            and pre[0].role == "back_office"
            and post[0].role == "investigator"
            and post[0].unit_code in zc
        ):
            movers.append(officers[number])
    assert len(movers) == 8
    assert all(o.gender == "F" and o.kind == "police" for o in movers)


def test_every_zone_has_a_lead_and_every_station_a_chief(county: County, units: dict) -> None:
    day = dt.date(2017, 7, 1)
    active = [p for p in county.postings if p.start <= day and (p.end is None or p.end >= day)]
    leads = Counter(p.unit_code for p in active if p.role == "zone_lead")
    chiefs = Counter(p.unit_code for p in active if p.role == "chief")
    community = Counter(p.unit_code for p in active if p.role == "community")
    grid_aux = Counter(units[p.unit_code].parent_code for p in active if p.role == "grid_auxiliary")
    for u in county.units:
        if u.kind == "zone":
            assert leads[u.code] == 1, u.code
            assert community[u.code] >= 1, u.code
            assert grid_aux[u.code] >= 1, u.code
        if u.kind == "station":
            assert chiefs[u.code] == 1, u.code
    # Station-squad fusion: rural stations handle traffic themselves.
    rural = {u.code for u in county.units if u.station_type == "preventive"}
    traffic = {p.unit_code for p in active if p.role == "traffic"}
    assert rural <= traffic


# --------------------------------------------------------------------------- incidents


def test_incident_columns_follow_the_contract(county: County) -> None:
    inc = county.incidents
    n = len(inc)
    assert inc.received.dtype == np.dtype("datetime64[s]")
    assert inc.category.dtype == np.dtype("<U4") and inc.source.dtype == np.dtype("<U8")
    assert inc.grid.dtype == np.dtype("<U16")
    assert inc.lon.dtype == inc.lat.dtype == np.float64
    for name in (
        "dispatch_s",
        "arrive_s",
        "clear_s",
        "address_idx",
        "description_idx",
        "reporter_idx",
        "series",
    ):
        arr = getattr(inc, name)
        assert arr.dtype == np.int32 and len(arr) == n
    assert np.all(np.diff(inc.received.astype(np.int64)) >= 0)
    assert (
        inc.received.min() >= np.datetime64(county.start)
        and inc.received.max() < np.datetime64(county.end) + 1
    )
    leaves = {c.code for c in vocab.INCIDENT_CATEGORIES if c.parent}
    assert set(np.unique(inc.category)) <= leaves
    assert set(np.unique(inc.source)) <= set(vocab.codes(vocab.INCIDENT_SOURCES))
    assert set(np.unique(inc.status)) <= set(vocab.codes(vocab.INCIDENT_STATUSES))
    assert inc.address_idx.max() < len(inc.addresses) and inc.description_idx.max() < len(inc.descriptions)
    assert inc.reporter_idx.max() < len(inc.reporters)
    assert all(re.fullmatch(r"1[3589]\d{9}", phone) for _, phone in inc.reporters[:200])
    old = inc.received < np.datetime64(county.end) - np.timedelta64(30, "D")
    assert set(np.unique(inc.status[old])) <= {"closed", "cleared"}
    walk = inc.source == "walk_in"
    assert np.all(inc.dispatch_s[walk] == -1)
    dispatched = inc.dispatch_s >= 0
    assert np.all(
        inc.arrive_s[dispatched & (inc.arrive_s >= 0)] > inc.dispatch_s[dispatched & (inc.arrive_s >= 0)]
    )
    rows = list(inc.rows(10, 13))
    assert len(rows) == 3 and isinstance(rows[0]["received"], dt.datetime)
    assert rows[0]["address"] in inc.addresses and rows[0]["category"] == inc.category[10]


def test_arrival_is_faster_in_town_than_in_the_countryside(county: County) -> None:
    inc = county.incidents
    types = {u.code: u.station_type for u in county.units if u.kind == "station"}
    st = np.array([types[s] for s in _station_of_grid(inc.grid)])
    ok = (inc.arrive_s > 0) & (inc.dispatch_s >= 0)
    travel = (inc.arrive_s - inc.dispatch_s)[ok]
    urban = np.median(travel[st[ok] == "full_spectrum"]) / 60
    rural = np.median(travel[st[ok] == "preventive"]) / 60
    assert 7 <= urban <= 13 and 15 <= rural <= 25


def test_every_incident_lies_in_its_grid(county: County) -> None:
    inc = county.incidents
    grids = {u.code: u.boundary for u in county.units if u.kind == "grid"}
    order = np.argsort(inc.grid, kind="stable")
    codes, starts = np.unique(inc.grid[order], return_index=True)
    ends = np.r_[starts[1:], len(order)]
    for code, s, e in zip(codes.tolist(), starts, ends, strict=True):
        idx = order[s:e]
        assert shapely.contains_xy(grids[code], inc.lon[idx], inc.lat[idx]).all(), code


def test_every_premises_lies_in_its_grid(county: County) -> None:
    grids = {u.code: u.boundary for u in county.units if u.kind == "grid"}
    for p in county.premises:
        assert shapely.contains_xy(grids[p.grid_code], p.lon, p.lat), p.external_id


def test_the_night_is_quiet(county: County) -> None:
    hours = county.incidents.received.astype("datetime64[h]").astype(np.int64) % 24
    per_hour = np.bincount(hours, minlength=24)
    assert 2 <= int(np.argmin(per_hour)) <= 6
    assert per_hour.min() < 0.25 * per_hour.max()
    assert per_hour[9:12].mean() > 3 * per_hour[3:6].mean()
    assert per_hour[18:21].mean() > 3 * per_hour[3:6].mean()


def test_the_tourist_station_peaks_in_summer_and_golden_week(county: County, station_by_name: dict) -> None:
    inc = county.incidents
    code = station_by_name["水口派出所"].code
    sel = _station_of_grid(inc.grid) == code
    day = inc.received[sel].astype("datetime64[D]")
    month = day.astype("datetime64[M]").astype(int) % 12 + 1
    summer = np.isin(month, [7, 8]).sum() / (3 * 62)
    quiet = np.isin(month, [3, 5, 6, 9, 11, 12]).sum() / (3 * 183)
    assert summer > 1.5 * quiet
    golden = (
        (day.astype("datetime64[M]").astype(int) % 12 == 9)
        & ((day - day.astype("datetime64[M]")).astype(int) < 7)
    ).sum()
    assert golden / 21 > 2 * quiet
    traffic = np.char.startswith(inc.category[sel][np.isin(month, [7, 8])], "03").mean()
    assert traffic > 0.35


def test_the_textile_town_fell_by_about_30_percent(county: County, station_by_name: dict) -> None:
    inc = county.incidents
    st = _station_of_grid(inc.grid)
    day = inc.received.astype("datetime64[D]")
    before = (day >= np.datetime64("2016-06-01")) & (day < np.datetime64("2017-06-01"))
    after = (day >= np.datetime64("2017-06-01")) & (day < np.datetime64("2018-06-01"))
    code = station_by_name["夹浦派出所"].code
    jp = st == code
    fall = 1 - (jp & after).sum() / (jp & before).sum()
    assert 0.2 <= fall <= 0.4
    rest = 1 - (~jp & after).sum() / (~jp & before).sum()
    assert -0.12 <= rest <= 0.05  # roughly flat, mild growth


def test_burglaries_come_in_near_repeat_bursts(county: County) -> None:
    inc = county.incidents
    sel = inc.category == "0102"
    kx = 111.320 * math.cos(math.radians(31.0))
    xy = np.c_[inc.lon[sel] * kx, inc.lat[sel] * 110.574]
    t = inc.received[sel].astype(np.int64) / 86400.0
    i, j = cKDTree(xy).query_pairs(0.2, output_type="ndarray").T

    def close_in_time(times: np.ndarray) -> int:
        return int((np.abs(times[i] - times[j]) <= 14).sum())

    observed = close_in_time(t)
    rng = np.random.default_rng(0)
    baseline = np.mean([close_in_time(rng.permutation(t)) for _ in range(5)])
    assert observed > 1.5 * baseline + 10


def test_series_are_ground_truth_for_linkage(county: County) -> None:
    inc = county.incidents
    thefts = [s for s in county.series if s.category != "0105"]
    assert len(thefts) == 7 and len(county.series) == 11
    assert set(np.unique(inc.series)) == {-1, *range(len(county.series))}
    for k, s in enumerate(county.series):
        sel = inc.series == k
        assert 6 <= sel.sum() <= 15
        assert set(np.unique(inc.category[sel])) == {s.category}
        assert s.category in ("0101", "0102", "0103", "0105")
        days = inc.received[sel].astype("datetime64[D]")
        assert days.min() == np.datetime64(s.first) and days.max() == np.datetime64(s.last)
        assert s.offender and s.code
    phones = [k for k, s in enumerate(county.series) if "手机" in s.name_zh and "电饭煲" in s.name_zh]
    assert len(phones) == 1
    sel = inc.series == phones[0]
    hours = inc.received[sel].astype("datetime64[h]").astype(np.int64) % 24
    assert set(hours.tolist()) == {6}
    assert {inc.descriptions[i] for i in inc.description_idx[sel]} == {"凌晨家中三部手机被盗"}


def test_the_car_loan_gang_is_the_one_cluster_of_the_petitions(county: County) -> None:
    """The leads find the gang's sixteen complaints, and no ordinary petition with them; the
    county's complaint line, named by many petitions, joins nothing."""
    from jingwu.demo.synth.petitions import COMPLAINT_LINE
    from jingwu.engine.leads import Record, cluster, extract

    records = [
        Record(
            str(k),
            p.received.date(),
            frozenset((e.kind, e.value) for e in extract(f"{p.subject}\n{p.content}")),
        )
        for k, p in enumerate(county.petitions)
    ]
    (found,) = cluster(records)
    gang = {str(k) for k, p in enumerate(county.petitions) if p.lead == 0}
    assert len(gang) == 16
    assert {key for key, _ in found.records} == gang
    assert found.years == 3
    kinds = sorted(ev.kind for ev in found.evidence)
    assert kinds == ["company"] * 4 + ["phone"] * 3 + ["plate"]
    assert sum(COMPLAINT_LINE in p.content for p in county.petitions) > 60
    assert all(p.petitioner and p.lead in (-1, 0) for p in county.petitions)


def test_robbery_series_are_street_robberies_in_the_evening(county: County) -> None:
    inc = county.incidents
    robbery = [k for k, s in enumerate(county.series) if s.category == "0105"]
    assert [county.series[k].code for k in robbery] == ["SER08", "SER09", "SER10", "SER11"]
    for k in robbery:
        sel = inc.series == k
        assert inc.is_extra[sel].all() and "抢夺" in county.series[k].name_zh
        hours = set((inc.received[sel].astype("datetime64[h]").astype(np.int64) % 24).tolist())
        assert hours <= {19, 20, 21, 22, 23, 0} and len(hours) <= 3
        # a walk: each incident within a few km of the one before
        xy = np.c_[inc.lon[sel] * 95.4, inc.lat[sel] * 110.6]
        assert np.hypot(*np.diff(xy, axis=0).T).max() < 2.0
        assert all(
            inc.description(int(i)).split("。")[0] in DESCRIPTIONS["0105"] for i in np.flatnonzero(sel)
        )
    # the layer only adds: robberies of series, nothing else
    assert set(np.unique(inc.series[inc.is_extra])) == set(robbery)
    assert int(inc.is_extra.sum()) == int(np.isin(inc.series, robbery).sum())


def _base_digest(county: County) -> str:
    """SHA-256 of the incidents and petitions the county had before the robbery layer."""
    import hashlib

    from jingwu.demo.synth.county import _feed
    from jingwu.demo.synth.model import _COLUMNS

    inc, keep = county.incidents, ~county.incidents.is_extra
    h = hashlib.sha256()
    for name in _COLUMNS:
        _feed(h, getattr(inc, name)[keep])
    _feed(h, inc.addresses)
    _feed(h, inc.descriptions)
    _feed(h, inc.reporters)
    _feed(h, tuple(m for m, k in zip(inc.mo, keep, strict=True) if k))
    pos = np.cumsum(keep) - 1  # merged index -> index before the layer
    rows = []
    for p in county.petitions:
        values = {f: getattr(p, f) for f in p.__dataclass_fields__}
        if p.incident >= 0:
            values["incident"] = int(pos[p.incident])
        rows.append((type(p).__name__, *values.values()))
    _feed(h, tuple(rows))
    _feed(h, tuple(s for s in county.series if s.category != "0105"))
    return h.hexdigest()


def test_the_robbery_layer_changes_nothing_that_was_there(county: County, other: County) -> None:
    # Digests of the counties as generated before the robbery series were added.
    assert int((~county.incidents.is_extra).sum()) == 78_784
    assert _base_digest(county) == "ee4c3ec0297ee5f3311e53506b2de9559cb11436be0e5ceb5f6cc73b06005c12"
    assert int((~other.incidents.is_extra).sum()) == 77_464
    assert _base_digest(other) == "13f101a7eb8a3d0862d9aa8537475b537430f07c1ae6d768ca12497b7b32f422"
