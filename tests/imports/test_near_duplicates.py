"""The duty desk's duplicate rule in the incident import: near duplicates are imported and flagged."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from jingwu.engine.intake import Call, near_duplicates
from jingwu.imports.models import ImportJob
from jingwu.imports.services import run_import
from jingwu.incidents.models import Incident
from jingwu.incidents.services import do_record_incident

from .conftest import X0, Y0

A = (X0 + 0.004, Y0 + 0.004)
B = (X0 + 0.006, Y0 + 0.006)
NEAR = 0.0005  # about 55 m north
FAR = 0.003  # about 330 m north


def _csv(tmp_path, text):
    path = tmp_path / "incidents.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_near_duplicates_of_the_file_and_of_the_bureau_are_imported_and_listed(county, tmp_path):
    shanghai = dt.timezone(dt.timedelta(hours=8))
    known = do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0101",
        received_at=dt.datetime(2018, 7, 3, 10, 0, tzinfo=shanghai),
        lon=B[0],
        lat=B[1],
    )
    text = (
        "外部编号,接警时间,类别代码,经度,纬度,地址\n"
        f"E1,2018-07-01 08:30,0101,{A[0]},{A[1]},城西路3号\n"  # row 2
        f"E2,2018-07-01 09:10,0101,{A[0]},{A[1] + NEAR},城西路3号\n"  # row 3: 40 min, 55 m -> row 2
        f"E3,2018-07-01 09:10,0401,{A[0]},{A[1]},城西路3号\n"  # row 4: another category
        f"E4,2018-07-01 09:20,0101,{A[0]},{A[1] + FAR},城西路9号\n"  # row 5: 330 m away
        f"E5,2018-07-01 11:00,0101,{A[0]},{A[1]},城西路3号\n"  # row 6: 110 min after row 3
        f"E6,2018-07-03 10:45,0101,{B[0]},{B[1] + NEAR},城西路1号\n"  # row 7: 45 min, 55 m -> known
    )
    with translation.override("en"):
        report = run_import("incidents", _csv(tmp_path, text), bureau=county.bureau, actor=county.planner)
        summary = report.summary()
        lines = report.near_duplicate_lines
    assert report.ok and report.created == 6
    assert report.near_duplicates == [(3, 2), (7, known.number)]
    assert "2 rows flagged as possible duplicates" in summary
    assert lines[1] == (
        f"Row 7 may duplicate incident {known.number} (same category, nearby, close in time)."
    )
    assert Incident.objects.filter(external_id__in=["E2", "E6"]).count() == 2

    # the same file again: every row is already present, none is flagged
    again = run_import("incidents", _csv(tmp_path, text), bureau=county.bureau, actor=county.planner)
    assert (again.created, again.unchanged, again.near_duplicates) == (0, 6, [])
    job = ImportJob.objects.get(pk=report.job_id)
    assert job.near_duplicates_total == 2


def test_near_duplicates_across_chunks_are_found_in_the_staged_rows(county, tmp_path, monkeypatch):
    from jingwu.imports import services

    monkeypatch.setattr(services, "CHUNK", 2)
    text = (
        "外部编号,接警时间,类别代码,经度,纬度\n"
        f"E1,2018-07-01 08:30,0101,{A[0]},{A[1]}\n"
        f"E2,2018-07-01 12:00,0101,{A[0]},{A[1]}\n"
        f"E3,2018-07-01 09:00,0101,{A[0]},{A[1] + NEAR}\n"  # row 4, in the second chunk -> row 2
    )
    report = run_import("incidents", _csv(tmp_path, text), bureau=county.bureau, actor=county.planner)
    assert report.ok and report.near_duplicates == [(4, 2)]


def test_the_rule_by_hand():
    t0 = 1_500_000_000.0
    known = [Call("J1", "x:a:1", 1, 120.0, 30.0, t0)]
    rows = [
        Call("r1", "x:a:1", 1, 120.0, 30.0, t0),  # the same record: not a duplicate
        Call("r2", "x:a:2", 1, 120.0, 30.001, t0 + 3600),  # 111 m, 60 min: a duplicate
        Call("r3", "x:a:3", 1, 120.0, 30.0, t0 + 7200),  # 60 min and 111 m after r2; 2 h after r1
        Call("r4", "x:a:4", 2, 120.0, 30.0, t0),  # another category
        Call("r5", "x:a:5", 1, 120.0, 30.0015, t0 + 60),  # 167 m from J1
    ]
    assert near_duplicates(rows, known) == {"r2": "J1", "r3": "r2", "r5": "r2"}


def test_time_spans_cover_every_time_in_few_ranges():
    from jingwu.imports.kinds import _time_spans

    t0 = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)
    times = [t0, t0 + hour, t0 + 10 * hour, t0 + 30 * hour, t0 + 31 * hour]
    assert _time_spans(times, hour) == [
        (t0 - hour, t0 + 2 * hour),
        (t0 + 9 * hour, t0 + 11 * hour),
        (t0 + 29 * hour, t0 + 32 * hour),
    ]
    # at most two ranges: the smallest gap (7 h) is bridged
    assert _time_spans(times, hour, most=2) == [(t0 - hour, t0 + 11 * hour), (t0 + 29 * hour, t0 + 32 * hour)]
