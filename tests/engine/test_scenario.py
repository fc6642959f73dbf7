"""What-if scenarios: centralising criminal cases, merging, splitting, station types."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jingwu.engine.scenario import (
    COMPONENTS,
    Centralise,
    Merge,
    Scenario,
    SetStationType,
    Split,
    SplitPart,
    UnitLoad,
    Workload,
    run_scenario,
)
from jingwu.engine.staffing import Availability, StaffingPolicy, workload_fte

AVAILABILITY = Availability(
    scheduled_hours=2080, leave_hours=200, training_hours=80, sick_hours=62, court_hours=40
)
POLICY = StaffingPolicy(availability=AVAILABILITY)


def county() -> list[UnitLoad]:
    return [
        UnitLoad(
            "URBAN",
            "station",
            Workload(6000, 9000, 1500, 3000, 800),
            "full_spectrum",
            grids={"U1": 3, "U2": 1},
        ),
        UnitLoad(
            "JIAPU",
            "station",
            Workload(4000, 5000, 2500, 2000, 900),
            "proactive",
            grids={"J-S": 2, "J-C": 5, "J-N": 3},
        ),
        UnitLoad("HILL", "station", Workload(800, 1800, 600, 1500, 700), "preventive"),
        UnitLoad("RIVER", "station", Workload(700, 1500, 500, 1400, 650), "preventive"),
        UnitLoad("IC", "investigation_center", Workload(2000)),
        UnitLoad("HQ", "department", Workload(basic_work_hours=5000)),
    ]


def test_centralising_80_percent_moves_criminal_hours_to_the_center() -> None:
    result = run_scenario(county(), Scenario((Centralise("IC", share=0.8),), policy_before=POLICY))
    urban = result.row("URBAN")
    assert urban.before.criminal_case_hours == 6000
    assert urban.after.criminal_case_hours == pytest.approx(1200)
    assert urban.delta_hours == pytest.approx(-4800)
    moved = 0.8 * (6000 + 4000 + 800 + 700)
    assert result.row("IC").delta_hours == pytest.approx(moved)
    assert result.row("HQ").status == "unchanged" and result.row("HQ").delta_hours == 0
    assert result.total_after == pytest.approx(result.total_before)
    assert result.efficiency_saving_hours == pytest.approx(0.0)
    assert result.reconciles
    assert {t.to_unit for t in result.transfers} == {"IC"}
    assert all(t.component == "criminal_case_hours" for t in result.transfers)


def test_efficiency_of_central_handling_is_accounted_as_a_saving() -> None:
    op = Centralise("IC", share=0.8, efficiency=0.85, travel_share=0.5)
    result = run_scenario(county(), Scenario((op,), policy_before=POLICY))
    moved = 0.8 * (6000 + 4000 + 800 + 700) + 0.5 * (800 + 900 + 700 + 650)
    assert result.row("IC").delta_hours == pytest.approx(0.85 * moved)
    assert result.efficiency_saving_hours == pytest.approx(0.15 * moved)
    assert result.total_before - result.efficiency_saving_hours == pytest.approx(result.total_after)
    assert result.reconciles
    # no hour lost: per component, before - savings = after
    for c in COMPONENTS:
        saved = sum(t.hours_out - t.hours_in for t in result.transfers if t.component == c)
        assert result.components_before[c] - saved == pytest.approx(result.components_after[c])


def test_centralising_creates_a_missing_center() -> None:
    units = [u for u in county() if u.unit != "IC"]
    result = run_scenario(units, Scenario((Centralise("NEW-IC", share=0.5),)))
    row = result.row("NEW-IC")
    assert row.status == "new" and row.kind == "investigation_center"
    assert row.before is None and row.hours_before == 0
    assert row.hours_after == pytest.approx(0.5 * (6000 + 4000 + 800 + 700))
    assert result.reconciles


def test_merge_two_rural_stations() -> None:
    result = run_scenario(county(), Scenario((Merge(("HILL", "RIVER"), "HILL-RIVER"),), policy_before=POLICY))
    merged = result.row("HILL-RIVER")
    assert merged.status == "new" and merged.station_type_after == "preventive"
    assert merged.hours_after == pytest.approx(5400 + 4750)
    assert result.row("HILL").status == result.row("RIVER").status == "removed"
    assert result.row("HILL").after is None and result.row("HILL").delta_hours == pytest.approx(-5400)
    assert result.total_after == pytest.approx(result.total_before) and result.reconciles
    # one merged unit needs no more than the two apart (rounding up once instead of twice)
    assert merged.officers_after <= result.row("HILL").officers_before + result.row("RIVER").officers_before


def test_merge_into_one_of_the_units_keeps_its_id() -> None:
    result = run_scenario(county(), Scenario((Merge(("HILL", "RIVER"), "HILL"),)))
    assert result.row("HILL").status == "changed"
    assert result.row("HILL").hours_after == pytest.approx(10150)
    assert result.row("RIVER").status == "removed"


def test_split_by_grids_uses_grid_weights() -> None:
    split = Split(
        "JIAPU",
        (
            SplitPart("JIAPU-S", grids=("J-S",), kind="zone"),
            SplitPart("JIAPU-C", grids=("J-C",), kind="zone"),
            SplitPart("JIAPU-N", grids=("J-N",), kind="zone"),
        ),
    )
    result = run_scenario(county(), Scenario((split,), policy_before=POLICY))
    total = Workload(4000, 5000, 2500, 2000, 900).total
    assert result.row("JIAPU").status == "removed"
    assert result.row("JIAPU-S").hours_after == pytest.approx(0.2 * total)
    assert result.row("JIAPU-C").hours_after == pytest.approx(0.5 * total)
    assert result.row("JIAPU-N").after.criminal_case_hours == pytest.approx(0.3 * 4000)
    assert result.row("JIAPU-C").kind == "zone" and result.row("JIAPU-C").station_type_after == "proactive"
    assert result.reconciles and result.total_after == pytest.approx(result.total_before)


def test_split_by_shares_keeping_the_original_unit() -> None:
    split = Split("URBAN", (SplitPart("URBAN", share=0.6), SplitPart("URBAN-EAST", share=0.4)))
    result = run_scenario(county(), Scenario((split,)))
    assert result.row("URBAN").status == "changed"
    assert result.row("URBAN").hours_after == pytest.approx(0.6 * 20300)
    assert result.row("URBAN-EAST").hours_after == pytest.approx(0.4 * 20300)
    assert result.reconciles


def test_proactive_targets_per_station_type_change_the_fte() -> None:
    after = StaffingPolicy(
        availability=AVAILABILITY,
        proactive_shares={"full_spectrum": 0.30, "proactive": 0.35, "preventive": 0.50},
    )
    result = run_scenario(county(), Scenario((), policy_before=POLICY, policy_after=after))
    hill = result.row("HILL")
    hours = Workload(800, 1800, 600, 1500, 700).total
    assert hill.fte_before == pytest.approx(workload_fte(hours, AVAILABILITY, proactive_share=0.40).total_fte)
    assert hill.fte_after == pytest.approx(workload_fte(hours, AVAILABILITY, proactive_share=0.50).total_fte)
    assert hill.status == "changed" and hill.delta_hours == 0 and hill.delta_officers > 0
    assert result.row("URBAN").status == "unchanged" and result.row("URBAN").delta_officers == 0
    assert result.fte_after > result.fte_before


def test_set_station_type_uses_the_new_type_share() -> None:
    result = run_scenario(
        county(), Scenario((SetStationType("JIAPU", "full_spectrum"),), policy_before=POLICY)
    )
    row = result.row("JIAPU")
    assert (row.station_type_before, row.station_type_after) == ("proactive", "full_spectrum")
    assert row.fte_after < row.fte_before  # 30 % proactive instead of 35 %


def test_reform_scenario_end_to_end() -> None:
    scenario = Scenario(
        (
            Centralise("IC", share=0.8, efficiency=0.9),
            Split("JIAPU", tuple(SplitPart(f"JIAPU-{g}", grids=(f"J-{g}",), kind="zone") for g in "SCN")),
            Merge(("HILL", "RIVER"), "HILL-RIVER"),
        ),
        policy_before=POLICY,
        obligated_components=("criminal_case_hours", "other_call_hours", "travel_hours"),
        non_station_proactive_share=0.1,
    )
    result = run_scenario(county(), scenario)
    assert result.reconciles
    assert result.row("IC").officers_after > result.row("IC").officers_before
    assert result.row("URBAN").officers_after < result.row("URBAN").officers_before
    assert [r.unit for r in result.rows][:6] == ["URBAN", "JIAPU", "HILL", "RIVER", "IC", "HQ"]
    assert {t.action for t in result.transfers} == {"centralise", "split", "merge"}
    # the split parts took Jiapu's criminal hours after centralisation
    parts = sum(result.row(f"JIAPU-{g}").after.criminal_case_hours for g in "SCN")
    assert parts == pytest.approx(0.2 * 4000)
    assert result.fte_before == pytest.approx(sum(r.fte_before for r in result.rows))


workloads = st.builds(
    Workload,
    *[st.floats(min_value=0, max_value=1e5, allow_nan=False, allow_infinity=False) for _ in COMPONENTS],
)


@settings(max_examples=60, deadline=None)
@given(
    loads=st.lists(workloads, min_size=3, max_size=6),
    share=st.floats(min_value=0, max_value=1),
    efficiency=st.floats(min_value=0.5, max_value=1.5),
    travel=st.floats(min_value=0, max_value=1),
    split_share=st.floats(min_value=0.05, max_value=0.95),
)
def test_hours_are_conserved_for_any_scenario(loads, share, efficiency, travel, split_share) -> None:
    units = [
        UnitLoad(f"S{i}", "station", w, "proactive", grids={f"g{i}a": 1, f"g{i}b": 2})
        for i, w in enumerate(loads)
    ]
    units.append(UnitLoad("IC", "investigation_center", Workload()))
    scenario = Scenario(
        (
            Centralise("IC", share=share, efficiency=efficiency, travel_share=travel),
            Merge(("S0", "S1"), "S01"),
            Split("S2", (SplitPart("S2a", share=split_share), SplitPart("S2b", share=1 - split_share))),
            Split("S01", (SplitPart("S01x", grids=("g0a", "g1b")), SplitPart("S01y", grids=("g0b", "g1a")))),
        )
    )
    result = run_scenario(units, scenario)
    assert result.reconciles
    before = math.fsum(w.total for w in loads)
    assert result.total_before == pytest.approx(before)
    assert result.total_after == pytest.approx(before - result.efficiency_saving_hours, rel=1e-9, abs=1e-6)
    assert sum(r.delta_hours for r in result.rows) == pytest.approx(
        -result.efficiency_saving_hours, rel=1e-9, abs=1e-6
    )
    assert all(r.after is None or all(v >= 0 for v in r.after.as_dict().values()) for r in result.rows)


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: Workload(-1), ">= 0"),
        (lambda: Workload(float("inf")), "finite"),
        (lambda: Workload().get("nap_hours"), "unknown workload component"),
        (lambda: UnitLoad("", "station", Workload()), "non-empty"),
        (lambda: UnitLoad("U", "castle", Workload()), "unknown unit kind"),
        (lambda: UnitLoad("U", "station", Workload(), "sleepy"), "unknown station type"),
        (lambda: UnitLoad("U", "station", Workload(), grids=(("g", 1), ("g", 2))), "twice"),
        (lambda: UnitLoad("U", "station", Workload(), grids={"g": -1}), ">= 0"),
        (lambda: Centralise("IC", share=1.2), r"\[0, 1\]"),
        (lambda: Centralise("IC", efficiency=0), "efficiency"),
        (lambda: Centralise("IC", from_kinds=()), "at least one"),
        (lambda: Merge(("A",), "B"), "at least two"),
        (lambda: Merge(("A", "A"), "B"), "twice"),
        (lambda: SplitPart("P"), "either grids or a share"),
        (lambda: SplitPart("P", grids=("g",), share=0.5), "either grids or a share"),
        (lambda: Split("U", (SplitPart("P", share=0.5),)), "at least two parts"),
        (lambda: Split("U", (SplitPart("P", share=0.5), SplitPart("Q", share=0.4))), "add up"),
        (lambda: Split("U", (SplitPart("P", share=0.5), SplitPart("Q", grids=("g",)))), "every part"),
        (lambda: Split("U", (SplitPart("P", share=0.5), SplitPart("P", share=0.5))), "unique"),
        (lambda: SetStationType("U", "sleepy"), "unknown station type"),
        (lambda: Scenario(("merge everything",)), "unknown scenario operation"),
        (lambda: Scenario(obligated_components=("nap_hours",)), "unknown workload component"),
        (lambda: Scenario(non_station_proactive_share=1.0), "non_station_proactive_share"),
    ],
)
def test_bad_input_raises_value_error(factory, match) -> None:
    with pytest.raises(ValueError, match=match):
        factory()


@pytest.mark.parametrize(
    ("ops", "match"),
    [
        ((Merge(("HILL", "NOWHERE"), "X"),), "does not exist"),
        ((Merge(("HILL", "RIVER"), "URBAN"),), "already exists"),
        ((Split("HILL", (SplitPart("A", share=0.5), SplitPart("URBAN", share=0.5))),), "already exists"),
        (
            (Split("JIAPU", (SplitPart("A", grids=("J-S",)), SplitPart("B", grids=("J-C",)))),),
            "cover the grids",
        ),
        (
            (Split("JIAPU", (SplitPart("A", grids=("J-S", "J-C")), SplitPart("B", grids=("J-C", "J-N")))),),
            "two parts",
        ),
        ((Split("HILL", (SplitPart("A", grids=("x",)), SplitPart("B", grids=("y",)))),), "cover the grids"),
        ((SetStationType("NOWHERE", "proactive"),), "does not exist"),
        ((Merge(("HILL", "RIVER"), "HR"), SetStationType("HILL", "proactive")), "does not exist"),
    ],
)
def test_impossible_operations_raise_value_error(ops, match) -> None:
    with pytest.raises(ValueError, match=match):
        run_scenario(county(), Scenario(ops))


def test_bad_unit_lists_raise_value_error() -> None:
    with pytest.raises(ValueError, match="at least one unit"):
        run_scenario([], Scenario())
    u = county()[0]
    with pytest.raises(ValueError, match="unique"):
        run_scenario([u, u], Scenario())
    with pytest.raises(ValueError, match="must be a Scenario"):
        run_scenario([u], "centralise")  # type: ignore[arg-type]
