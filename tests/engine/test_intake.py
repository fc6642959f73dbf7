"""The duty desk's duplicate rule over a batch (``engine.intake.near_duplicates``)."""

from __future__ import annotations

from jingwu.engine.intake import Call, near_duplicates


def _call(label, category, t, lon=117.0, lat=25.0):
    return Call(label=label, key=label, category=category, lon=lon, lat=lat, t=t)


def test_a_row_at_the_same_time_as_a_known_call_of_a_busier_category_is_compared_not_crashed():
    # Three known calls in category 1 and two in category 2 (numbered 0-4): the first row
    # of category 2 comes at the same second as the last known call of category 2. Rows
    # used to be numbered from the longest list (3), so the row took number 4, the known
    # call's, and inserting it compared two calls (a TypeError that stopped a resumed import).
    known = [
        _call("a0", 1, 0),
        _call("a1", 1, 10),
        _call("a2", 1, 20),
        _call("b3", 2, 50),
        _call("b4", 2, 100),
    ]
    rows = [_call("r1", 2, 100), _call("r2", 2, 100, lat=25.5)]
    assert near_duplicates(rows, known) == {"r1": "b3"}


def test_rows_duplicate_earlier_rows_and_known_calls_of_their_own_category_only():
    known = [_call("k", 1, 0)]
    rows = [
        _call("same-category-near", 1, 600),  # 10 minutes, same place
        _call("other-category", 2, 600),
        _call("far-in-time", 1, 10 * 86400),
        _call("after-far", 1, 10 * 86400 + 60),
    ]
    assert near_duplicates(rows, known) == {"same-category-near": "k", "after-far": "far-in-time"}
