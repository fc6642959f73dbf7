"""Workload demand per grid, zone and station (engine/demand.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from jingwu.engine.demand import (
    DEFAULT_BASIC_WORK,
    BasicWorkRates,
    CategoryTime,
    DemandPolicy,
    GridArrays,
    IncidentArrays,
    InspectionPolicy,
    PremisesArrays,
    TravelPolicy,
    compute_demand,
    default_category_times,
    haversine_m,
    hour_of_week,
    month_of,
    observed_minutes,
)
from jingwu.engine.geo import distance_m
from jingwu.engine.vocab import CATEGORY_BY_CODE, ELEMENT_REQUIREMENTS, INCIDENT_CATEGORIES

LON, LAT = 119.90, 31.00


def small_grids(**overrides) -> GridArrays:
    """Three grids: two in zone 0 of an urban station, one in zone 1 of a rural station."""
    kwargs = dict(
        zone=[0, 0, 1],
        zone_station=[0, 1],
        station_type=("full_spectrum", "preventive"),
        households=[100, 200, 50],
        residents=[300, 600, 150],
        area_km2=[1.0, 2.0, 10.0],
        base_lon=[LON, LON, LON + 0.1],
        base_lat=[LAT, LAT, LAT],
        codes=("G1", "G2", "G3"),
        zone_codes=("Z1", "Z2"),
        station_codes=("S1", "S2"),
    )
    kwargs.update(overrides)
    return GridArrays(**kwargs)


def incidents(grid, category, *, how=None, month=None, **kwargs) -> IncidentArrays:
    n = len(grid)
    return IncidentArrays(
        grid=grid,
        category=category,
        hour_of_week=how if how is not None else [0] * n,
        month=month if month is not None else [1] * n,
        **kwargs,
    )


# --- time bins ------------------------------------------------------------------------------


def test_hour_of_week_and_month() -> None:
    t = np.array(
        ["2024-01-01T00:10", "2024-01-01T13:59", "2024-01-07T23:30", "2023-12-31T05:00"],
        dtype="datetime64[s]",
    )
    # 2024-01-01 was a Monday; 2023-12-31 a Sunday
    assert hour_of_week(t).tolist() == [0, 13, 167, 6 * 24 + 5]
    assert month_of(t).tolist() == [1, 1, 1, 12]
    before_epoch = np.array(["1969-12-29T01:00"], dtype="datetime64[s]")  # a Monday
    assert hour_of_week(before_epoch).tolist() == [1]


def test_haversine_matches_geo_distance() -> None:
    d = haversine_m([LON, 120.0], [LAT, 31.1], [LON + 0.05, 120.2], [LAT + 0.02, 30.9])
    assert d[0] == pytest.approx(distance_m(LON, LAT, LON + 0.05, LAT + 0.02))
    assert d[1] == pytest.approx(distance_m(120.0, 31.1, 120.2, 30.9))


# --- calls ----------------------------------------------------------------------------------


def test_service_hours_are_count_times_minutes_times_officers() -> None:
    # 0106 assault: 150 min, 1.5 backup -> 150/60 x 2.5 = 6.25 officer-hours a call
    inc = incidents([0, 0, 2], ["0106", "0106", "0502"])
    r = compute_demand(small_grids(), inc)
    assault = CATEGORY_BY_CODE["0106"]
    assert assault.minutes == 150 and assault.backup == 1.5
    assert r.grids.service_hours.tolist() == pytest.approx([2 * 6.25, 0.0, 30 / 60])
    assert r.grids.incidents.tolist() == [2, 0, 1]
    assert r.zones.service_hours.tolist() == pytest.approx([12.5, 0.5])
    assert r.stations.service_hours.tolist() == pytest.approx([12.5, 0.5])
    assert r.travel_unknown == 3  # no coordinates: no travel
    assert r.grids.travel_hours.tolist() == [0.0, 0.0, 0.0]


def test_years_turn_counts_into_rates_per_year() -> None:
    inc3 = incidents([0] * 6, ["0101"] * 6, years=3.0)
    inc1 = incidents([0] * 2, ["0101"] * 2)
    a, b = compute_demand(small_grids(), inc3), compute_demand(small_grids(), inc1)
    assert a.grids.incidents[0] == pytest.approx(2.0)
    assert a.grids.service_hours[0] == pytest.approx(b.grids.service_hours[0])
    assert a.station_hour_of_week.sum() == pytest.approx(b.station_hour_of_week.sum())


def test_unknown_category_falls_back_to_family_then_fails() -> None:
    r = compute_demand(small_grids(), incidents([0], ["0199"]))  # not a category, family 01 is
    fam = CATEGORY_BY_CODE["01"]
    assert r.grids.service_hours[0] == pytest.approx(fam.minutes / 60 * (1 + fam.backup))
    with pytest.raises(ValueError, match="no time per call for incident category '9999'"):
        compute_demand(small_grids(), incidents([0], ["9999"]))


def test_custom_category_table() -> None:
    policy = DemandPolicy(category_times={"0101": CategoryTime(60, 1.0)})
    r = compute_demand(small_grids(), incidents([1, 1], ["0101", "0101"]), policy=policy)
    assert r.grids.service_hours[1] == pytest.approx(4.0)
    assert CategoryTime(90, 0.5).officer_hours == pytest.approx(2.25)


def test_default_table_covers_vocab() -> None:
    table = default_category_times()
    assert set(table) == {c.code for c in INCIDENT_CATEGORIES}
    assert table["0102"] == CategoryTime(120.0, 1.0)


# --- travel ---------------------------------------------------------------------------------


def test_travel_distance_speed_circuity_and_officers() -> None:
    # incident 0.01 deg north of the base of grid 0 (urban, 30 km/h) and of grid 2 (rural, 50 km/h)
    lon = [LON, LON + 0.1, LON]
    lat = [LAT + 0.01, LAT + 0.01, LAT]
    inc = incidents([0, 2, 1], ["0303", "0303", "0106"], lon=lon, lat=lat)
    r = compute_demand(small_grids(), inc)
    km = distance_m(LON, LAT, LON, LAT + 0.01) / 1000
    tp = TravelPolicy()
    assert r.grids.travel_hours[0] == pytest.approx(km * tp.circuity * 2 / tp.urban_kmh)
    assert r.grids.travel_hours[2] == pytest.approx(km * tp.circuity * 2 / tp.rural_kmh)
    assert r.grids.travel_hours[1] == 0.0  # incident at the base
    assert r.travel_located == 3
    one_way = compute_demand(
        small_grids(),
        inc,
        policy=DemandPolicy(travel=TravelPolicy(round_trip=False, circuity=1.0, urban_kmh=10)),
    )
    assert one_way.grids.travel_hours[0] == pytest.approx(km / 10)


def test_travel_is_charged_to_every_officer_sent() -> None:
    lon, lat = [LON], [LAT + 0.02]
    inc = incidents([0], ["0106"], lon=lon, lat=lat)  # 1.5 backup officers
    with_backup = compute_demand(small_grids(), inc).grids.travel_hours[0]
    alone = compute_demand(small_grids(), inc, policy=DemandPolicy(travel=TravelPolicy(with_backup=False)))
    assert with_backup == pytest.approx(2.5 * alone.grids.travel_hours[0])


def test_missing_coordinates_use_the_grid_centroid() -> None:
    grids = small_grids(centroid_lon=[LON + 0.01, LON, LON + 0.1], centroid_lat=[LAT, LAT, LAT])
    inc = incidents([0, 0], ["0303", "0303"], lon=[np.nan, LON + 0.01], lat=[np.nan, LAT])
    r = compute_demand(grids, inc)
    assert r.travel_located == 1 and r.travel_from_centroid == 1 and r.travel_unknown == 0
    km = distance_m(LON, LAT, LON + 0.01, LAT) / 1000
    assert r.grids.travel_hours[0] == pytest.approx(2 * km * 1.3 * 2 / 30)


def test_urban_flag_overrides_station_type() -> None:
    inc = incidents([0], ["0303"], lon=[LON], lat=[LAT + 0.01])
    rural = compute_demand(small_grids(urban=np.array([False, False, False])), inc)
    urban = compute_demand(small_grids(), inc)
    assert urban.grids.travel_hours[0] == pytest.approx(rural.grids.travel_hours[0] * 50 / 30)


# --- inspections and basic work -------------------------------------------------------------


def test_consolidated_inspection_vs_separate_visits() -> None:
    # a hazchem user: hazchem 12, security 4, floating 4, fire 4 visits a year
    req = ELEMENT_REQUIREMENTS["hazchem_user"]
    assert max(req.values()) == 12 and sum(req.values()) == 24
    prem = PremisesArrays(grid=[0, 0, 2], category=["hazchem_user", "hotel", "school"])
    r = compute_demand(small_grids(), incidents([], []), prem)
    g = r.grids
    assert g.inspection_visits.tolist() == [12 + 6, 0, 4]
    assert g.inspection_visits_separate.tolist() == [24 + 16, 0, 6]
    assert g.inspection_hours.tolist() == pytest.approx([36.0, 0.0, 8.0])  # 1 h x 2 officers
    assert g.inspection_hours_separate.tolist() == pytest.approx([80.0, 0.0, 12.0])
    assert g.inspection_saving_hours.tolist() == pytest.approx([44.0, 0.0, 4.0])
    cheap = InspectionPolicy(hours_per_visit=1.5, hours_per_element_visit=0.75, officers_per_visit=1)
    c = compute_demand(small_grids(), incidents([], []), prem, DemandPolicy(inspection=cheap)).grids
    assert c.inspection_hours[0] == pytest.approx(18 * 1.5)
    assert c.inspection_hours_separate[0] == pytest.approx(40 * 0.75)


def test_unknown_premises_category_is_an_error() -> None:
    with pytest.raises(ValueError, match="no inspection requirements for premises category 'zoo'"):
        compute_demand(small_grids(), incidents([], []), PremisesArrays([0], ["zoo"]))


def test_basic_work_by_station_type() -> None:
    prem = PremisesArrays(grid=[0, 2, 2], category=["other"] * 3)
    r = compute_demand(small_grids(), incidents([], []), prem)
    fs, pv = DEFAULT_BASIC_WORK["full_spectrum"], DEFAULT_BASIC_WORK["preventive"]
    g = r.grids
    assert g.household_visit_hours.tolist() == pytest.approx(
        [
            100 * fs.visits_per_household * fs.hours_per_visit,
            200 * fs.visits_per_household * fs.hours_per_visit,
            50 * pv.visits_per_household * pv.hours_per_visit,
        ]
    )
    assert g.population_hours.tolist() == pytest.approx(
        [
            0.3 * fs.hours_per_1000_residents,
            0.6 * fs.hours_per_1000_residents,
            0.15 * pv.hours_per_1000_residents,
        ]
    )
    assert g.premises_hours.tolist() == pytest.approx([fs.hours_per_premises, 0.0, 2 * pv.hours_per_premises])
    assert g.patrol_hours.tolist() == pytest.approx(
        [fs.patrol_hours_per_km2, 2 * fs.patrol_hours_per_km2, 10 * pv.patrol_hours_per_km2]
    )
    custom = DemandPolicy(
        basic_work={
            "full_spectrum": BasicWorkRates(0, 0, 0, 0, 1.0),
            "preventive": BasicWorkRates(0, 0, 0, 0, 0),
        }
    )
    c = compute_demand(small_grids(), incidents([], []), policy=custom)
    assert c.grids.total_hours.tolist() == pytest.approx([1.0, 2.0, 0.0])
    missing = DemandPolicy(basic_work={"full_spectrum": fs})
    with pytest.raises(ValueError, match="no basic work rates for station type 'preventive'"):
        compute_demand(small_grids(), incidents([], []), policy=missing)


# --- aggregation and profiles ---------------------------------------------------------------


def random_case(seed: int = 7, n_grids: int = 40, n_inc: int = 3000):
    rng = np.random.default_rng(seed)
    n_zones, n_st = 8, 3
    zone_station = np.repeat(np.arange(n_st), [3, 3, 2])
    zone = rng.integers(0, n_zones, n_grids)
    grids = GridArrays(
        zone=zone,
        zone_station=zone_station,
        station_type=("full_spectrum", "proactive", "preventive"),
        households=rng.integers(0, 500, n_grids),
        residents=rng.integers(0, 1500, n_grids),
        area_km2=rng.uniform(0.1, 5, n_grids),
        base_lon=LON + rng.uniform(0, 0.2, n_grids),
        base_lat=LAT + rng.uniform(0, 0.2, n_grids),
    )
    cats = np.array([c.code for c in INCIDENT_CATEGORIES])
    lon = LON + rng.uniform(0, 0.2, n_inc)
    lon[rng.random(n_inc) < 0.1] = np.nan
    inc = IncidentArrays(
        grid=rng.integers(0, n_grids, n_inc),
        category=cats[rng.integers(0, len(cats), n_inc)],
        hour_of_week=rng.integers(0, 168, n_inc),
        month=rng.integers(1, 13, n_inc),
        lon=lon,
        lat=LAT + rng.uniform(0, 0.2, n_inc),
        years=2.0,
    )
    pcats = np.array(list(ELEMENT_REQUIREMENTS))
    prem = PremisesArrays(rng.integers(0, n_grids, 200), pcats[rng.integers(0, len(pcats), 200)])
    return grids, inc, prem


def test_totals_add_up_across_levels_and_profiles() -> None:
    grids, inc, prem = random_case()
    r = compute_demand(grids, inc, prem)
    for name in ("incidents", "service_hours", "travel_hours", "inspection_hours", "patrol_hours"):
        total = getattr(r.grids, name).sum()
        assert getattr(r.zones, name).sum() == pytest.approx(total)
        assert getattr(r.stations, name).sum() == pytest.approx(total)
    assert r.stations.total_hours.sum() == pytest.approx(r.grids.total_hours.sum())
    assert r.station_hour_of_week.shape == (3, 168)
    assert r.station_hour_of_week.sum(axis=1) == pytest.approx(r.stations.reactive_hours)
    assert r.station_month.sum(axis=1) == pytest.approx(r.stations.reactive_hours)
    assert r.station_quarter.sum(axis=1) == pytest.approx(r.stations.reactive_hours)
    assert r.station_quarter[:, 0] == pytest.approx(r.station_month[:, :3].sum(axis=1))
    assert r.station_month_total.sum(axis=1) == pytest.approx(r.stations.total_hours)
    assert np.all(r.seasonality >= 1.0)
    assert r.travel_located + r.travel_unknown == len(inc)
    as_dict = r.stations.as_dict()
    assert as_dict["0"]["total_hours"] == pytest.approx(r.stations.total_hours[0])


def naive_demand(grids: GridArrays, inc: IncidentArrays, prem: PremisesArrays) -> dict[str, list[float]]:
    """The same arithmetic written as plain loops, one incident at a time."""
    policy = DemandPolicy()
    n = grids.n_grids
    service, travel = [0.0] * n, [0.0] * n
    how = [[0.0] * 168 for _ in range(grids.n_stations)]
    for i in range(len(inc)):
        g = int(inc.grid[i])
        t = policy.time_for(str(inc.category[i]))
        service[g] += t.minutes / 60 * (1 + t.backup) / inc.years
        tr = 0.0
        if not math.isnan(inc.lon[i]):
            km = distance_m(grids.base_lon[g], grids.base_lat[g], inc.lon[i], inc.lat[i]) / 1000
            speed = 30.0 if grids.urban[g] else 50.0
            tr = km * 1.3 * 2 / speed * (1 + t.backup) / inc.years
        travel[g] += tr
        s = int(grids.zone_station[grids.zone[g]])
        how[s][int(inc.hour_of_week[i])] += t.minutes / 60 * (1 + t.backup) / inc.years + tr
    insp = [0.0] * n
    for g, c in zip(prem.grid, prem.category, strict=True):
        insp[int(g)] += max(ELEMENT_REQUIREMENTS[str(c)].values()) * 1.0 * 2
    return {"service": service, "travel": travel, "inspection": insp, "how": [x for row in how for x in row]}


def test_vectorised_equals_a_plain_loop() -> None:
    grids, inc, prem = random_case(seed=11, n_inc=1500)
    r = compute_demand(grids, inc, prem)
    ref = naive_demand(grids, inc, prem)
    assert r.grids.service_hours.tolist() == pytest.approx(ref["service"])
    assert r.grids.travel_hours.tolist() == pytest.approx(ref["travel"])
    assert r.grids.inspection_hours.tolist() == pytest.approx(ref["inspection"])
    assert r.station_hour_of_week.ravel().tolist() == pytest.approx(ref["how"])


def test_deterministic() -> None:
    a = compute_demand(*random_case(seed=3))
    b = compute_demand(*random_case(seed=3))
    assert np.array_equal(a.grids.total_hours, b.grids.total_hours)
    assert np.array_equal(a.station_hour_of_week, b.station_hour_of_week)


def test_from_timestamps() -> None:
    t = np.array(["2024-03-04T08:30", "2024-07-14T20:00"], dtype="datetime64[s]")  # Mon, Sun
    inc = IncidentArrays.from_timestamps([0, 2], ["0101", "0301"], t)
    assert inc.hour_of_week.tolist() == [8, 6 * 24 + 20]
    assert inc.month.tolist() == [3, 7]
    r = compute_demand(small_grids(), inc)
    assert r.station_month[1, 6] > 0 and r.station_month[0, 2] > 0


# --- observed minutes -----------------------------------------------------------------------


def test_observed_minutes_medians_and_counts() -> None:
    cat = ["0101", "0101", "0101", "0203", "0203", "0502"]
    dispatch = [0, 60, -1, 0, 0, -1]
    arrive = [600, 660, 300, 300, np.nan, -1]
    clear = [3600, 4260, 2100, 2100, 1800, 900]
    obs = observed_minutes(cat, dispatch, arrive, clear)
    d = obs.as_dict()
    # 0101 on scene: 50, 60, 30 min -> 50; travel: 10, 10 -> 10; total: 60, 70 -> 65
    assert d["0101"]["on_scene"] == 50 and d["0101"]["on_scene_n"] == 3
    assert d["0101"]["travel"] == 10 and d["0101"]["travel_n"] == 2
    assert d["0101"]["total"] == 65 and d["0101"]["total_n"] == 2
    assert d["0203"]["on_scene"] == 30 and d["0203"]["total"] == 32.5
    assert d["0502"]["desk"] == 15 and d["0502"]["desk_n"] == 1
    assert math.isnan(d["0502"]["on_scene"]) and d["0502"]["on_scene_n"] == 0
    assert obs.invalid == 0
    table = obs.table(min_count=3)
    assert table["0101"] == CategoryTime(50.0, CATEGORY_BY_CODE["0101"].backup)
    assert table["0203"] == default_category_times()["0203"]  # only 1 on-scene measurement
    assert obs.table(measure="total", min_count=2)["0101"].minutes == 65


def test_observed_minutes_drops_out_of_order_times() -> None:
    obs = observed_minutes(["0101", "0101"], [0, 0], [600, 600], [300, 1200])
    assert obs.invalid == 1
    assert obs.on_scene.tolist() == [10.0]
    with pytest.raises(ValueError, match="measure must be"):
        obs.table(measure="wall")
    with pytest.raises(ValueError, match="min_count"):
        obs.table(min_count=0)


def test_observed_table_feeds_demand() -> None:
    obs = observed_minutes(["0101"] * 40, [0] * 40, [600] * 40, [600 + 1800] * 40)
    policy = DemandPolicy(category_times=obs.table())
    r = compute_demand(small_grids(), incidents([0], ["0101"]), policy=policy)
    assert r.grids.service_hours[0] == pytest.approx(0.5 * (1 + CATEGORY_BY_CODE["0101"].backup))


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"station_type": ("full_spectrum", "village")}, "station_type\\[1\\] is 'village'"),
        ({"zone": [0, 0, 2]}, "zone must be < 2"),
        ({"zone_station": [0, 5]}, "zone_station must be < 2"),
        ({"residents": [1, 2]}, "residents has 2 rows, expected 3"),
        ({"households": [1, -2, 3]}, "households must be >= 0"),
        ({"area_km2": [1, np.inf, 3]}, "area_km2 has 1 non-finite"),
        ({"base_lat": [LAT, 95.0, LAT]}, "base coordinates out of range"),
        ({"urban": [1, 0, 1]}, "urban must be a boolean array"),
        ({"centroid_lon": [1, 2, 3]}, "give both centroid_lon and centroid_lat"),
        ({"codes": ("A", "A", "B")}, "codes must be unique"),
        ({"station_codes": ("S1",)}, "station_codes has 1 labels, expected 2"),
        ({"zone": [0.5, 0, 1]}, "zone must hold integers"),
    ],
)
def test_bad_grids(overrides, message) -> None:
    with pytest.raises(ValueError, match=message):
        small_grids(**overrides)


def test_bad_incidents_and_policy() -> None:
    with pytest.raises(ValueError, match="hour_of_week must be < 168"):
        incidents([0], ["0101"], how=[168])
    with pytest.raises(ValueError, match="month must be >= 1"):
        incidents([0], ["0101"], month=[0])
    with pytest.raises(ValueError, match="month must be < 13"):
        incidents([0], ["0101"], month=[13])
    with pytest.raises(ValueError, match="incident category must be one-dimensional with 1 rows"):
        incidents([0], ["0101", "0102"])
    with pytest.raises(ValueError, match="category codes"):
        incidents([0], [101])
    with pytest.raises(ValueError, match="give both incident lon and lat"):
        incidents([0], ["0101"], lon=[LON])
    with pytest.raises(ValueError, match="years must be > 0"):
        incidents([0], ["0101"], years=0)
    with pytest.raises(ValueError, match="incident grid index 5 is out of range for 3 grids"):
        compute_demand(small_grids(), incidents([5], ["0101"]))
    with pytest.raises(ValueError, match="premises grid index 3 is out of range"):
        compute_demand(small_grids(), incidents([], []), PremisesArrays([3], ["hotel"]))
    with pytest.raises(ValueError, match="circuity must be >= 1"):
        TravelPolicy(circuity=0.9)
    with pytest.raises(ValueError, match="urban_kmh must be > 0"):
        TravelPolicy(urban_kmh=0)
    with pytest.raises(ValueError, match="minutes must be >= 0"):
        CategoryTime(-5)
    with pytest.raises(ValueError, match="unknown station type 'urban' in basic_work"):
        DemandPolicy(basic_work={"urban": DEFAULT_BASIC_WORK["proactive"]})
    with pytest.raises(ValueError, match="must be a CategoryTime"):
        DemandPolicy(category_times={"0101": 45})
    with pytest.raises(ValueError, match=r"requirements\['hotel'\]\['fire_safety'\] must be >= 0"):
        InspectionPolicy(requirements={"hotel": {"fire_safety": -1}})
    with pytest.raises(ValueError, match="hours_per_visit must be a finite number"):
        InspectionPolicy(hours_per_visit=float("nan"))
