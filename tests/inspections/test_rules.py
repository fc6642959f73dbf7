"""Deadlines, timer states, elements due and the risk score: hand-written expectations."""

from __future__ import annotations

import datetime as dt

import pytest

from jingwu.engine import inspection_rules as rules

TZ = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2018, 12, 30, 14, 30, tzinfo=TZ)


@pytest.mark.parametrize(
    "kind,event,expected",
    [
        ("guest_registration", T0, dt.datetime(2018, 12, 31, 14, 30, tzinfo=TZ)),
        ("precursor_sale_1", T0, dt.datetime(2019, 1, 4, 14, 30, tzinfo=TZ)),
        ("precursor_sale_23", T0, dt.datetime(2019, 1, 29, 14, 30, tzinfo=TZ)),
        ("ledger_kept", T0, dt.datetime(2020, 12, 30, 14, 30, tzinfo=TZ)),
        ("ledger_kept", dt.datetime(2016, 2, 29, 9, 0, tzinfo=TZ), dt.datetime(2018, 2, 28, 9, 0, tzinfo=TZ)),
    ],
)
def test_deadlines(kind, event, expected):
    assert rules.deadline(kind, event) == expected


DUE = dt.datetime(2018, 12, 31, 14, 30, tzinfo=TZ)
BEFORE, AFTER = DUE - dt.timedelta(minutes=1), DUE + dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    "kind,done,missing,now,state",
    [
        ("guest_registration", None, False, BEFORE, "open"),
        ("guest_registration", None, False, AFTER, "overdue"),
        ("guest_registration", BEFORE, False, AFTER, "done"),
        ("guest_registration", DUE, False, AFTER, "done"),  # on the minute is in time
        ("guest_registration", AFTER, False, AFTER, "late"),
        ("ledger_kept", None, False, BEFORE, "keeping"),
        ("ledger_kept", None, False, AFTER, "kept"),
        ("ledger_kept", BEFORE, True, AFTER, "missing"),
        ("ledger_kept", AFTER, False, AFTER, "kept"),
    ],
)
def test_timer_states(kind, done, missing, now, state):
    assert rules.timer_state(kind, DUE, done, missing, now) == state


def test_elements_due_from_the_last_visits():
    today = dt.date(2018, 12, 31)
    # hotel: public order 6 a year (61 days), fire safety 4 (91), floating population 6 (61)
    reqs = {"public_order": 6, "fire_safety": 4, "floating_population": 6}
    last = {"public_order": dt.date(2018, 10, 1), "fire_safety": dt.date(2018, 12, 1)}
    got = {e.element: (e.due, e.state, e.days_over) for e in rules.elements_due(reqs, last, today)}
    assert got == {
        "public_order": (dt.date(2018, 12, 1), "overdue", 30),
        "fire_safety": (dt.date(2019, 3, 2), "later", 0),
        "floating_population": (today, "due", 0),  # never inspected: due now
    }
    # within the horizon counts as due
    got = rules.elements_due({"security": 12}, {"security": dt.date(2018, 12, 20)}, today, horizon_days=30)
    assert [(e.due, e.state) for e in got] == [(dt.date(2019, 1, 19), "due")]
    with pytest.raises(ValueError):
        rules.interval_days(0)


@pytest.mark.parametrize(
    "since,failed,incidents,timers,score,level,codes",
    [
        (None, 0, 0, 0, 40, "medium", ["never_visited"]),
        (0, 0, 0, 0, 0, "low", []),
        (365, 0, 0, 0, 40, "medium", ["since_visit"]),
        (730, 0, 0, 0, 40, "medium", ["since_visit"]),  # capped
        (91, 2, 3, 1, 10 + 12 + 6 + 5, "medium", ["findings", "since_visit", "incidents", "timers"]),
        (300, 10, 30, 5, 33 + 30 + 20 + 10, "high", ["since_visit", "findings", "incidents", "timers"]),
    ],
)
def test_risk_score_and_its_reasons(since, failed, incidents, timers, score, level, codes):
    risk = rules.risk_score(since, failed, incidents, timers)
    assert (risk.score, risk.level) == (score, level)
    assert [r.code for r in risk.reasons] == codes
    assert sum(r.points for r in risk.reasons) == risk.score


def test_counting_incidents_nearby():
    lon, lat = 119.9, 31.0
    deg_m = 1 / 111_320  # a metre of latitude in degrees
    places = [(lon, lat), (lon + 0.1, lat)]
    points = [
        (lon, lat + 100 * deg_m),
        (lon, lat + 290 * deg_m),
        (lon, lat + 320 * deg_m),
        (lon, lat - 250 * deg_m),
    ]
    assert rules.count_nearby(places, points) == [3, 0]
    assert rules.count_nearby([], points) == []


@pytest.mark.parametrize(
    "due,window",
    [
        (dt.date(2018, 11, 1), (0, 6)),  # overdue: within the first week
        (dt.date(2018, 12, 3), (0, 6)),  # due on the first day: the first week too
        (dt.date(2018, 12, 20), (0, 17)),  # by its due day
        (dt.date(2018, 12, 28), (0, 25)),  # the last day of the window
        (dt.date(2018, 12, 29), None),  # after the window
    ],
)
def test_due_windows_of_a_planning_window(due, window):
    assert rules.due_window(due, dt.date(2018, 12, 3), 26) == window
    assert rules.due_window(dt.date(2018, 11, 1), dt.date(2018, 12, 3), 3) == (0, 2)


def test_elements_an_officer_covers():
    assert rules.elements_of({"public_order", "traffic"}) == {"public_order", "security"}
    assert rules.elements_of({"community_work"}) == {"security"}
    assert rules.elements_of({"fire_safety", "hazardous_chemicals"}) == {"fire_safety", "hazardous_chemicals"}
    assert rules.elements_of({"cyber"}) == frozenset()


def test_the_sanction_ladder():
    ladder = rules.parse_ladder("warning, fine:2000 ,suspension:10")
    assert [rules.ladder_step(ladder, n) for n in range(5)] == [
        (1, rules.LadderStep("warning")),
        (2, rules.LadderStep("fine", fine=2000)),
        (3, rules.LadderStep("suspension", days=10)),
        (3, rules.LadderStep("suspension", days=10)),
        (3, rules.LadderStep("suspension", days=10)),
    ]
    assert rules.parse_ladder("warning,fine:5000,suspension:15") == rules.DEFAULT_LADDER
    for bad in ("", "fine", "suspension:0", "jail:3", "warning:2"):
        with pytest.raises(ValueError):
            rules.parse_ladder(bad)
