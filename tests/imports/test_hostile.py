"""Hostile files: each is refused with a clear message, quickly, and leaves a small job row.

A 50 MB file without a line end took 2.6 GB and a minute before it was refused, and its
job stored a 92 MB "header". Reading is now bounded (a row's length and width, the
header, how far a compressed file may expand, how much of a workbook or GeoJSON is read
whole) and so is what a job stores. Memory itself is measured in
bench/bench_import_hostile.py, not here.
"""

from __future__ import annotations

import gzip
import json
import random
import zipfile

import pytest
from django.utils import translation

from jingwu.imports import reading
from jingwu.imports.models import ImportJob, ImportRow
from jingwu.imports.services import run_import
from jingwu.incidents.models import Incident

from .conftest import X0, Y0

HEADER = "外部编号,接警时间,类别代码,经度,纬度,地址\n"
GOOD_ROW = f"E1,2018-07-01 08:30,0101,{X0 + 0.004},{Y0 + 0.004},城西路3号\n"
# what a job row's reports may take at most, in characters: 1,000 problems of a row
# number, a column (200), a value (200) and a reason (500)
STORED_MAX = 1000 * (10 + 200 + 200 + 500 + 20) + 1000


def _stored(job: ImportJob) -> int:
    return len(json.dumps(job.source_info, ensure_ascii=False)) + len(
        json.dumps(job.problems, ensure_ascii=False) + job.error
    )


def _refused(county, path, language="en", **kw):
    before = Incident.objects.count()
    with translation.override(language):
        report = run_import("incidents", path, bureau=county.bureau, actor=county.planner, **kw)
    job = ImportJob.objects.get(pk=report.job_id)
    assert not report.ok and job.status == "rejected", (job.status, job.error)
    assert Incident.objects.count() == before
    assert _stored(job) < 5_000, _stored(job)
    assert not ImportRow.objects.filter(job=job).exists()
    assert [p.row for p in report.problems] == [0]  # the file as a whole
    return report.problems[0].reason


def test_a_file_without_a_line_end_is_refused_at_the_first_row(county, tmp_path):
    path = tmp_path / "one-line.csv"
    path.write_text("x" * (3 * reading.MAX_RECORD), encoding="utf-8")
    reason = _refused(county, path)
    assert reason.startswith("Row 1 is longer than 1,048,576 characters")
    path.write_text("a," * (2 * reading.MAX_RECORD), encoding="utf-8")  # columns without end
    assert _refused(county, path).startswith("Row 1 is longer than")
    assert "第1行超过" in _refused(county, path, "zh-hans")


def test_a_huge_header_is_refused_and_not_stored(county, tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"column{i}" for i in range(20_000)) + "\n" + GOOD_ROW, encoding="utf-8")
    assert _refused(county, path).startswith("The first row has 20,000 columns; an import reads at most 500.")
    path.write_text("外部编号," + "名" * 5000 + "\n" + GOOD_ROW, encoding="utf-8")
    assert _refused(county, path).startswith("A column name in the first row is 5,000 characters long")


def test_a_huge_cell_and_a_quote_never_closed_are_refused(county, tmp_path):
    path = tmp_path / "cell.csv"
    path.write_text(
        HEADER + GOOD_ROW + 'E2,2018-07-01 08:30,0101,1,1,"' + "长" * (reading.MAX_RECORD + 10) + '"\n'
    )
    assert _refused(county, path).startswith("Row 3 is longer than")
    path.write_text(HEADER + GOOD_ROW + 'E2,"2018-07-01\n' + (GOOD_ROW * 30_000))  # the quote runs on
    assert _refused(county, path).startswith("Row 3 is longer than")


def test_a_row_with_too_many_values_is_refused(county, tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text(HEADER + GOOD_ROW + GOOD_ROW.strip() + "," * 600 + "\n", encoding="utf-8")
    assert _refused(county, path).startswith("Row 3 has 606 values; an import reads at most 500 columns.")


def test_a_gzip_bomb_is_refused_before_it_is_read_through(county, tmp_path, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 1 << 20  # 1 MB: a compressed file may expand to 4 MB
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(HEADER.encode())
        for _ in range(200):
            fh.write(GOOD_ROW.encode() * 1000)  # ~15 MB of rows, ~60 KB compressed
    assert path.stat().st_size < (1 << 20)
    assert _refused(county, path).startswith("Uncompressed, the file is larger than 4.0 MB")
    # and one that expands too far for its size, whatever the limit
    settings.IMPORT_MAX_BYTES = 512 << 20
    monkeypatch.setattr(reading, "EXPANSION_FROM", 1 << 20)
    assert _refused(county, path).startswith("The compressed file expands more than 50 times")
    assert "压缩" in _refused(county, path, "zh-hans")
    # a file that declares a small size (its last member's) is stopped while it is read
    liar = tmp_path / "liar.csv.gz"
    liar.write_bytes(path.read_bytes() + gzip.compress(b"E9,2018-07-01 08:30,0101,1,1,x\n"))
    assert _refused(county, liar).startswith("The compressed file expands more than 50 times")
    settings.IMPORT_MAX_BYTES = 1 << 20
    monkeypatch.setattr(reading, "EXPANSION_FROM", 16 << 20)
    assert _refused(county, liar).startswith("Uncompressed, the file is larger than 4.0 MB")


def test_a_workbook_too_wide_or_too_full_of_text_is_refused(county, tmp_path, monkeypatch):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["外部编号", "接警时间", "类别代码", "经度", "纬度"])
    ws.cell(row=2, column=5000, value="far away")  # the sheet is as wide as its widest row
    path = tmp_path / "wide.xlsx"
    wb.save(path)
    assert _refused(county, path).startswith("Row 1 has 5,000 values")
    # Excel keeps a workbook's texts in one table (xl/sharedStrings.xml), which openpyxl reads whole
    wb = Workbook()
    wb.active.append(["外部编号", "地址"])
    path = tmp_path / "text.xlsx"
    wb.save(path)
    table = "".join(f"<si><t>{i} {'路' * 1000}</t></si>" for i in range(300))
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/sharedStrings.xml", f'<sst count="300" uniqueCount="300">{table}</sst>')
    monkeypatch.setattr(reading, "MAX_SHARED_STRINGS", 200_000)
    assert _refused(county, path).startswith("The workbook holds more than 0.2 MB of text")
    # a cell longer than a row may be is refused before openpyxl reads it whole
    assert _refused(county, _workbook_with_a_cell(tmp_path, 5 * reading.MAX_RECORD)).startswith(
        "The workbook has a cell longer than 1,048,576 characters"
    )


def _workbook_with_a_cell(tmp_path, size: int):
    """A workbook whose second row has a cell of ``size`` characters (openpyxl cuts cells at 32,767)."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["外部编号", "地址"])
    wb.active.append(["X1", "PLACEHOLDER"])
    small = tmp_path / "small.xlsx"
    wb.save(small)
    path = tmp_path / "long-cell.xlsx"
    with zipfile.ZipFile(small) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                assert b"PLACEHOLDER" in data
                data = data.replace(
                    b"PLACEHOLDER", bytes(random.Random(1).choices(b"0123456789abcdef", k=size))
                )
            out.writestr(info.filename, data)
    return path


def test_a_geojson_file_is_read_whole_only_up_to_its_limit(county, tmp_path, monkeypatch):
    path = tmp_path / "big.geojson"
    features = [{"type": "Feature", "properties": {"code": f"G{i}"}, "geometry": None} for i in range(5000)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    monkeypatch.setattr(reading, "MAX_GEOJSON", 100_000)
    before = ImportJob.objects.count()
    with translation.override("en"):
        report = run_import("units", path, bureau=county.bureau, actor=county.planner)
    assert ImportJob.objects.count() == before + 1
    assert not report.ok and report.problems[0].reason.startswith(
        "A GeoJSON file is read whole, and this one is larger than 0.1 MB."
    )


def test_what_a_job_stores_is_bounded_whatever_the_values(county, tmp_path):
    long = "类" * 50_000  # an unknown category of 50,000 characters, named in each reason
    lines = [f"E{i},2018-07-01 08:30,{long}{i},{X0 + 0.004},{Y0 + 0.004},x\n" for i in range(1200)]
    path = tmp_path / "long-values.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    job = ImportJob.objects.get(pk=report.job_id)
    assert job.status == "rejected" and job.problems_total == 1200 and len(job.problems) == 1000
    assert _stored(job) < STORED_MAX, _stored(job)
    assert all(len(p[3]) <= 500 and len(p[2]) <= 200 for p in job.problems)
    staged = ImportRow.objects.filter(job=job).first()
    assert len(json.dumps(staged.problems, ensure_ascii=False)) < 2_000
    assert staged.data["raw"][2] == f"{long}0"  # the row's own values stay whole, for the reject file


def test_a_failure_stores_a_bounded_error(county, tmp_path, monkeypatch):
    from jingwu.imports import kinds

    def boom(self, ctx, rows):
        raise RuntimeError("x" * 1_000_000)

    monkeypatch.setattr(kinds.IncidentHandler, "check", boom)
    path = tmp_path / "ok.csv"
    path.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    job = ImportJob.objects.get(pk=report.job_id)
    assert job.status == "failed" and 1000 < len(job.error) <= 4000


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The file is 1.2 MB; this server imports files of up to 1.0 MB."),
        ("zh-hans", "本服务器导入的文件最大为 1.0 MB"),
    ],
)
def test_a_file_over_the_upload_limit_is_refused_by_the_form_and_the_command(
    client, county, tmp_path, settings, language, expected
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from typer.testing import CliRunner

    from jingwu.cli import app

    settings.IMPORT_MAX_BYTES = 1 << 20
    body = (HEADER + GOOD_ROW * 20_000).encode("utf-8")
    assert 1.15 < len(body) / (1 << 20) < 1.25
    client.force_login(county.planner)
    client.cookies["django_language"] = language
    r = client.post(
        reverse("imports:job_new"),
        {"kind": "incidents", "bureau": county.bureau.pk, "file": SimpleUploadedFile("big.csv", body)},
    )
    assert r.status_code == 200 and expected in r.content.decode()
    assert not ImportJob.objects.exists()
    path = tmp_path / "big.csv"
    path.write_bytes(body)
    result = CliRunner().invoke(
        app,
        ["import", "incidents", str(path), "--bureau", county.bureau.code, "--user", county.planner.username],
        env={"JINGWU_LANGUAGE": language},
    )
    assert result.exit_code == 1 and expected in result.output and "JINGWU_IMPORT_MAX_MB" in result.output
    assert not ImportJob.objects.exists()
