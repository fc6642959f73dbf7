"""The pipeline's parts on their own: the order of the steps, the reform's target rules, new roles.

The target rules are checked on a hand-made bureau small enough to work out by hand:
headquarters with 5 police, an empty investigation center, a prevention center with 2, a
brigade merged away with 10, and two stations with 10 each (37 police in all). The center's
cases need 8 officers, half of its growth comes from the stations.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import numpy as np
import pytest

from jingwu.planning.choices import STEP_START, Step
from jingwu.planning.inputs import BureauState, OfficerInfo, ScenarioParams, UnitInfo
from jingwu.planning.pipeline import STEPS, new_role
from jingwu.planning.pipeline.targets import (
    CenterNeed,
    TargetInputs,
    UnitGroups,
    headcounts_today,
    proportional,
    reform_targets,
)


def test_the_pipeline_runs_its_steps_in_the_progress_bars_order():
    assert [step for step, _ in STEPS] == [
        Step.CLASSIFY,
        Step.DEMAND,
        Step.STAFFING,
        Step.ZONES,
        Step.REASSIGN,
        Step.REPORT,
    ]
    starts = [STEP_START[step] for step, _ in STEPS]
    assert starts == sorted(starts) and STEP_START[Step.LOAD] < starts[0] < starts[-1] < STEP_START[Step.DONE]
    assert [fn.__module__.rsplit(".", 1)[-1] for _, fn in STEPS] == [
        "station_types",
        "demand",
        "staffing",
        "zones",
        "reassignment",
        "report",
    ]


# pk, code, kind, police today, auxiliaries today, alive on the reform date
UNITS = [
    (1, "HQ", "headquarters", 5, 0, True),
    (2, "ZC", "investigation_center", 0, 0, True),
    (3, "FK", "prevention_center", 2, 1, True),
    (4, "S1", "station", 10, 4, True),
    (5, "S2", "station", 10, 2, True),
    (6, "XJDD", "department", 10, 3, False),
]
REFORM = dt.date(2017, 5, 1)


def _unit(pk, code, kind, alive) -> UnitInfo:
    return UnitInfo(
        id=pk,
        code=code,
        kind=kind,
        name_zh=code,
        name_en=code,
        parent_id=None,
        station_type="proactive" if kind == "station" else "",
        lon=120.0,
        lat=30.0,
        households=0,
        residents=0,
        floating=0,
        area_km2=0.0,
        valid_from=None,
        valid_to=None if alive else REFORM - dt.timedelta(days=1),
    )


def _officers() -> list[OfficerInfo]:
    out = []
    for pk, _code, _kind, police, aux, _alive in UNITS:
        for kind, n in (("police", police), ("auxiliary", aux)):
            for _ in range(n):
                i = len(out) + 1
                out.append(
                    OfficerInfo(
                        id=i,
                        number=f"{i:06d}",
                        name=f"officer {i}",
                        kind=kind,
                        gender="M",
                        age=40,
                        rank="none",
                        status="active",
                        lon=120.0,
                        lat=30.0,
                        skills={},
                        posting_id=i,
                        posting_unit=pk,
                        role="staff",
                        unit=pk,
                    )
                )
    return out


def _inputs(**params) -> TargetInputs:
    units = {pk: _unit(pk, code, kind, alive) for pk, code, kind, _p, _a, alive in UNITS}
    state = BureauState(
        bureau_id=1,
        as_of=REFORM - dt.timedelta(days=1),
        reform_date=REFORM,
        incidents_from=dt.date(2016, 5, 1),
        incidents_to=dt.date(2017, 4, 30),
        units=units,
        plan_units=[1, 2, 3, 4, 5, 6],
        closing={6},
        officers=_officers(),
        stations=[4, 5],
        zones=[4, 5],
        grids=[],
        grid_zone=[],
        zone_station=[0, 1],
        inc_grid=np.zeros(0, dtype=np.int64),
        inc_category=np.zeros(0, dtype="<U4"),
        inc_received=np.zeros(0, dtype="datetime64[s]"),
        inc_lon=np.zeros(0),
        inc_lat=np.zeros(0),
        inc_criminal=np.zeros(0, dtype=bool),
        inc_dropped=0,
        prem_grid=np.zeros(0, dtype=np.int64),
        prem_category=np.zeros(0, dtype="<U16"),
        years=1.0,
    )
    return TargetInputs(
        state=state,
        params=ScenarioParams.from_dict({"ic_from_stations": 0.5, **params}),
        groups=UnitGroups.of(state),
        now=headcounts_today(state),
        # Wilson & Weiss: S1 needs 12 officers, S2 4 (only ``fte`` is read)
        station_needs=[SimpleNamespace(fte=12.0), SimpleNamespace(fte=4.0)],
        criminal=np.array([30.0, 10.0]),  # S1 hands over three times S2's cases
        center=CenterNeed(hours=12_000.0, gross_hours=16_000.0, fte=8.0),
    )


# Police, worked out by hand (37 in all): the brigade closes (0); headquarters keeps 5; the
# center's cases need 8, it grows by 8 and takes half of that (4) from the stations, the rest
# (4) from the brigade; the prevention center keeps its 2 and takes the brigade's other 6.
# The stations share the 16 left: today's 20 less the 4 they give, by their cases (30:10),
# 7 and 9; tilted half-way to their shares by workload (12 and 4 of 16): 9.5 and 6.5.
# Auxiliaries: no draw, the center keeps its 0, the prevention center takes the brigade's 3,
# the stations keep theirs (4, 2), tilted half-way to their shares by workload of those 6
# (4.5 and 1.5): 4.25 and 1.75.
EXPECTED = {
    # tilt: {code: (police, auxiliary, basis)}
    0.0: {
        "HQ": (5.0, 0.0, "kept"),
        "ZC": (8.0, 0.0, "cases"),
        "FK": (8.0, 4.0, "merged"),
        "S1": (7.0, 4.0, "workload"),
        "S2": (9.0, 2.0, "workload"),
        "XJDD": (0.0, 0.0, "closing"),
    },
    0.5: {
        "HQ": (5.0, 0.0, "kept"),
        "ZC": (8.0, 0.0, "cases"),
        "FK": (8.0, 4.0, "merged"),
        "S1": (9.5, 4.25, "workload"),
        "S2": (6.5, 1.75, "workload"),
        "XJDD": (0.0, 0.0, "closing"),
    },
}


@pytest.mark.parametrize("tilt", sorted(EXPECTED))
def test_targets_follow_the_reforms_rules(tilt):
    inp = _inputs(workload_tilt=tilt)
    out = reform_targets(inp)
    code = {pk: u.code for pk, u in inp.state.units.items()}
    got = {
        code[pk]: (
            pytest.approx(out.heads[(pk, "police")]),
            pytest.approx(out.heads[(pk, "auxiliary")]),
            out.basis[pk],
        )
        for pk in inp.state.plan_units
    }
    assert got == EXPECTED[tilt]
    for kind in ("police", "auxiliary"):  # nobody is lost or made up
        staff = sum(1 for o in inp.state.officers if o.kind == kind)
        assert sum(t for (_pk, k), t in out.heads.items() if k == kind) == pytest.approx(staff)
    assert out.workload_hours == {2: 16_000.0}  # the center's hours (the stations' come after)


def test_a_planners_target_wins_and_the_other_station_takes_the_rest():
    inp = _inputs(workload_tilt=0.0, unit_targets={"S1": 12, "ZC": 6})
    out = reform_targets(inp)
    # ZC set to 6 grows by 6, takes 3 from the stations; FK: 2 + (10 - 3) = 9
    assert out.basis[2] == "set" and out.heads[(2, "police")] == 6.0
    assert out.basis[3] == "merged" and out.heads[(3, "police")] == pytest.approx(9.0)
    # S1 is set; S2 gets what is left of 37: 37 - 5 - 6 - 9 - 12 = 5
    assert out.basis[4] == "set" and out.heads[(4, "police")] == 12.0
    assert out.basis[5] == "workload" and out.heads[(5, "police")] == pytest.approx(5.0)


def test_proportional_shares():
    assert proportional([3.0, 1.0], 8.0) == [6.0, 2.0]
    assert proportional([0.0, 0.0], 4.0) == [2.0, 2.0]  # no weights: equal shares
    assert proportional([], 4.0) == []


@pytest.mark.parametrize(
    ("dest", "kind", "old", "new"),
    [
        ("station", "police", "investigator", "community"),  # not a station's role: the default
        ("station", "police", "traffic", "traffic"),  # kept where it fits
        ("investigation_center", "police", "chief", "deputy_chief"),  # the center has its chief
        ("investigation_center", "auxiliary", "patrol", "staff"),
        ("prevention_center", "police", "community", "inspector"),
        ("squad", "police", "patrol", "staff"),  # a kind without rules: staff
    ],
)
def test_the_role_at_the_destination(dest, kind, old, new):
    assert new_role(dest, kind, old) == new
