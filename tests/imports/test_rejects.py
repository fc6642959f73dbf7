"""Reject files: what the importer sets aside imports again once fixed, negative numbers and all."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import translation

from jingwu.imports.services import neutralise, run_import
from jingwu.incidents.models import Incident

ORIGINAL = (
    "外部编号,接警时间,类别代码,经度,纬度,地址\n"
    "W1,2018-07-01 08:30,0101,-1.4012,50.9031,=HYPERLINK(1)\n"
    "W2,2018-07-01 25:99,0101,-1.3987,50.9102,High St 12\n"  # the bad row: no such time
    "W3,2018-07-02 09:10,0401,-1.3821,50.9155,-2+3\n"
)


def test_plain_numbers_are_not_formulas_but_formulas_are_guarded():
    expected = {  # written by hand: value -> what a reject file or export writes
        "-1.36": "-1.36",
        "+86": "+86",
        "-0.5e3": "-0.5e3",
        ".5": ".5",
        "-": "'-",
        "-2+3": "'-2+3",
        "=1+2": "'=1+2",
        "+SUM(A1)": "'+SUM(A1)",
        "@cmd": "'@cmd",
        "\t=x": "'\t=x",
        "-1.36 W": "'-1.36 W",
        "+86 138 0000 0000": "'+86 138 0000 0000",
        "城西路": "城西路",
    }
    assert {v: neutralise(v) for v in expected} == expected


def _rows(path):
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def _write(path, rows):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8-sig"))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("keep_extra_columns", [True, False])
def test_a_fixed_reject_file_imports_again_with_its_negative_longitudes(
    west, tmp_path, language, keep_extra_columns
):
    bureau, planner = west
    original = tmp_path / "calls.csv"
    original.write_text(ORIGINAL, encoding="utf-8")
    rejects = tmp_path / "rejects.csv"
    with translation.override(language):
        report = run_import(
            "incidents", original, bureau=bureau, actor=planner, skip_invalid=True, reject_file=rejects
        )
    assert report.ok and (report.created, report.bad_rows) == (2, 1), report.problems
    rows = _rows(rejects)
    row_header, problems_header = {"zh-hans": ("行号", "问题"), "en": ("Row", "Problems")}[language]
    assert rows[0] == [
        row_header,
        "外部编号",
        "接警时间",
        "类别代码",
        "经度",
        "纬度",
        "地址",
        problems_header,
    ]
    assert rows[1][:7] == ["3", "W2", "2018-07-01 25:99", "0101", "-1.3987", "50.9102", "High St 12"]
    # the user fixes the time of the rejected row (and may delete the two extra columns)
    rows[1][2] = "2018-07-01 23:59"
    if not keep_extra_columns:
        rows = [r[1:-1] for r in rows]
    _write(rejects, rows)
    with translation.override(language):
        again = run_import("incidents", rejects, bureau=bureau, actor=planner)
    assert again.ok and (again.created, again.unchanged) == (1, 0), again.problems
    w2 = Incident.objects.get(bureau=bureau, external_id="W2")
    assert (w2.lon, w2.lat, w2.address) == (-1.3987, 50.9102, "High St 12")
    assert Incident.objects.get(bureau=bureau, external_id="W1").address == "=HYPERLINK(1)"
    assert Incident.objects.get(bureau=bureau, external_id="W3").address == "-2+3"


def test_a_reject_file_of_a_file_without_ids_imports_as_the_original_would(west, tmp_path):
    """Rows without an id get a digest of their values: the reject file's two extra columns are not values."""
    bureau, planner = west
    mapping = {
        "name": "no-ids",
        "kind": "incidents",
        "source_system": "noid",
        "columns": {
            "external_id": "_hash",
            "received_at": "when",
            "category": "what",
            "lon": "x",
            "lat": "y",
        },
        "category_map": {"theft": "0101"},
    }
    text = (
        "when,what,x,y\n"
        "2018-07-01 08:30,theft,-1.4012,50.9031\n"
        "2018-07-01 09:30,fight,-1.3987,50.9102\n"  # not in the category map yet
    )
    original = tmp_path / "noid.csv"
    original.write_text(text, encoding="utf-8")
    rejects = tmp_path / "noid-rejects.csv"
    report = run_import(
        "incidents",
        original,
        bureau=bureau,
        actor=planner,
        mapping=mapping,
        skip_invalid=True,
        reject_file=rejects,
    )
    assert report.ok and (report.created, report.bad_rows) == (1, 1)
    mapping["category_map"]["fight"] = "0201"  # the mapping is fixed, not the row
    again = run_import("incidents", rejects, bureau=bureau, actor=planner, mapping=mapping)
    assert again.ok and again.created == 1, again.problems
    # the original file once more: both rows are recognised, nothing is doubled
    third = run_import("incidents", original, bureau=bureau, actor=planner, mapping=mapping)
    assert third.ok and (third.created, third.unchanged) == (0, 2), third.problems
    assert Incident.objects.filter(bureau=bureau, source_system="noid").count() == 2
