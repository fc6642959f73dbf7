"""Property tests: whatever the file, the importer reports problems and never half-writes."""

from __future__ import annotations

import csv
import io
import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingwu.imports.models import ImportJob
from jingwu.imports.services import run_import
from jingwu.incidents.models import Incident
from jingwu.places.models import Premises

from .conftest import X0, Y0

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADER = ["外部编号", "接警时间", "类别代码", "经度", "纬度", "地址", "报警人", "报警人电话", "状态"]
FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=y", '=HYPERLINK("http://x")', "'=already"]
counter = itertools.count()

good_cell = {
    0: st.builds(lambda n: f"F{n}", st.integers(0, 10**9)),
    1: st.sampled_from(["2018-07-01 08:30", "2019/04/07 23:59", "2018-07-01T08:30:00"]),
    2: st.sampled_from(["0101", "0401", "盗窃", "Theft"]),
    3: st.floats(X0 + 0.0005, X0 + 0.0395).map(str),
    4: st.floats(Y0 + 0.0005, Y0 + 0.0195).map(str),
}
junk = st.one_of(
    st.text(max_size=30),
    st.sampled_from(FORMULAS),
    st.text(min_size=300, max_size=3000),
    st.sampled_from(["", " ", "NaN", "inf", "-inf", "1e999", "9" * 400, "\x00", "２０１８-０７-０１", "0,0"]),
)


def cell(i: int):
    return st.one_of(good_cell[i], junk) if i in good_cell else junk


row = st.tuples(*[cell(i) for i in range(len(HEADER))]).map(list)


def _write(tmp_path, rows, encoding="utf-8", header=HEADER) -> object:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    w.writerows(rows)
    path = tmp_path / f"fuzz-{next(counter)}.csv"
    path.write_bytes(buf.getvalue().encode(encoding, errors="replace"))
    return path


def _check_no_partial_write(before: int, report) -> None:
    after = Incident.objects.count()
    if report.ok:
        assert after == before + report.created
    else:
        assert after == before, report.problems[:3]
    assert report.summary()  # a report in words, whatever happened
    for p in report.problems:
        assert isinstance(p.row, int) and isinstance(p.reason, str) and p.reason


@FUZZ
@given(
    rows=st.lists(row, min_size=1, max_size=8),
    encoding=st.sampled_from(["utf-8", "gb18030", "utf-16", "latin-1", "utf-8-sig"]),
)
def test_malformed_rows_and_encodings_never_crash_or_half_write(county, tmp_path, rows, encoding):
    path = _write(tmp_path, rows, encoding)
    before = Incident.objects.count()
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    _check_no_partial_write(before, report)


@FUZZ
@given(
    data=st.binary(max_size=4000), suffix=st.sampled_from([".csv", ".xlsx", ".geojson", ".txt", ".csv.gz"])
)
def test_random_bytes_are_reported_as_an_unreadable_file(county, tmp_path, data, suffix):
    path = tmp_path / f"random-{next(counter)}{suffix}"
    path.write_bytes(data)
    before = Incident.objects.count()
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    _check_no_partial_write(before, report)
    job = ImportJob.objects.get(pk=report.job_id)
    assert job.status in {"done", "rejected"}, job.error


@FUZZ
@given(rows=st.lists(row, min_size=1, max_size=6))
def test_skip_invalid_imports_exactly_the_good_rows(county, tmp_path, rows):
    path = _write(tmp_path, rows)
    before = Incident.objects.count()
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner, skip_invalid=True)
    assert report.ok
    assert Incident.objects.count() == before + report.created
    assert report.created + report.unchanged + report.bad_rows == report.rows


@FUZZ
@given(
    rows=st.lists(
        st.lists(
            st.one_of(junk, st.sampled_from(["hotel", "P1", "旅馆", str(X0 + 0.01), str(Y0 + 0.01)])),
            min_size=0,
            max_size=12,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_ragged_premises_rows_never_crash(county, tmp_path, rows):
    header = ["场所编号", "场所类别", "场所名称", "经度", "纬度", "负责人电话", "从业人数"]
    path = _write(tmp_path, rows, header=header)
    before = Premises.objects.count()
    report = run_import("premises", path, bureau=county.bureau, actor=county.planner)
    after = Premises.objects.count()
    assert after == before + (report.created if report.ok else 0)


def test_huge_fields_and_formulas_are_kept_as_text_and_neutralised_on_export(county, tmp_path, client):
    from django.urls import reverse

    rows = [
        [
            "H1",
            "2018-07-01 08:30",
            "0101",
            str(X0 + 0.004),
            str(Y0 + 0.004),
            '=HYPERLINK("http://evil")',
            "",
            "",
            "",
        ],
        ["H2", "2018-07-01 08:31", "0101", str(X0 + 0.004), str(Y0 + 0.004), "x" * 5000, "", "", ""],
    ]
    report = run_import("incidents", _write(tmp_path, rows), bureau=county.bureau, actor=county.planner)
    assert not report.ok and report.problems[0].row == 3 and report.problems[0].column == "地址"
    report = run_import("incidents", _write(tmp_path, rows[:1]), bureau=county.bureau, actor=county.planner)
    assert report.ok
    client.force_login(county.command)
    body = b"".join(
        client.get(reverse("imports:export", args=["incidents", "csv"]), {"q": "HYPERLINK"}).streaming_content
    )
    out = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert out[1][out[0].index("地址")] == '\'=HYPERLINK("http://evil")'
