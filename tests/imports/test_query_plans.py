"""Every query of an import into a bureau that already holds rows finds them by index.

An import looks up each staged row among the bureau's rows (already imported? same
number?), counts what a dry run would write, and numbers the new rows after the
day's last number. A lookup that misses its index walks every row of the bureau for
every staged row: the second year of a city's file took 60 times the first. These
tests run real imports with the SQL planner watching (``plans.explain_all``) and
fail on any statement that scans the bureau's rows, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt

from jingwu.imports.services import run_import
from jingwu.incidents.models import Incident
from jingwu.places.models import Premises

from .conftest import X0, Y0
from .plans import analyze, explain_all

HEADER = "外部编号,警情编号,接警时间,类别代码,经度,纬度,地址\n"


def _line(ext: str, number: str, day: dt.date, i: int) -> str:
    return (
        f"{ext},{number},{day:%Y-%m-%d} {i % 24:02d}:{i % 60:02d},0101,"
        f"{X0 + 0.001 + (i % 37) * 0.0005:.6f},{Y0 + 0.001 + (i % 17) * 0.0005:.6f},路{i}号\n"
    )


def _seed(county, tmp_path, rows: int = 1500):
    """Earlier years: rows with an external id (numbered by the import) and rows with a number only."""
    lines = []
    for i in range(rows):
        day = dt.date(2016, 1, 1) + dt.timedelta(days=i % 700)
        if i % 3:
            lines.append(_line(f"OLD{i}", "", day, i))
        else:
            lines.append(_line("", f"N{i:06d}", day, i))
    path = tmp_path / "earlier.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    assert report.ok and report.created == rows, report.problems[:3]
    analyze(Incident._meta.db_table)


def _next_year(tmp_path):
    """New rows, rows already imported (same external id, same number), rows on days that have numbers."""
    lines = []
    for i in range(200):
        lines.append(_line(f"NEW{i}", "", dt.date(2018, 1, 1) + dt.timedelta(days=i % 90), i))
    for i in range(1, 300, 3):
        lines.append(_line(f"OLD{i}", "", dt.date(2016, 1, 1) + dt.timedelta(days=i % 700), i))
    for i in range(0, 300, 3):
        lines.append(_line("", f"N{i:06d}", dt.date(2016, 1, 1) + dt.timedelta(days=i % 700), i))
    for i in range(50):  # new rows on days of the earlier file: numbered after the day's last number
        lines.append(_line(f"LATE{i}", "", dt.date(2016, 1, 1) + dt.timedelta(days=i), 1000 + i))
    path = tmp_path / "next.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def test_importing_into_a_full_bureau_never_scans_its_incidents(county, tmp_path):
    _seed(county, tmp_path)
    path = _next_year(tmp_path)
    table = Incident._meta.db_table
    with explain_all(table) as dry:  # the count path: a dry run counts what would be written
        report = run_import("incidents", path, bureau=county.bureau, actor=county.planner, dry_run=True)
    assert report.ok and (report.created, report.unchanged) == (250, 200), report.problems[:3]
    with explain_all(table) as real:  # the import and dedupe paths, and the numbering
        report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    assert report.ok and (report.created, report.unchanged) == (250, 200), report.problems[:3]
    # the statements that matter were seen: the presence test and the day's last number
    seen = " ".join(dry.statements + real.statements)
    assert "external_id" in seen and "INSERT INTO" in seen and "number" in seen
    assert not dry.scans and not dry.errors, dry.report()
    assert not real.scans and not real.errors, real.report()
    late = Incident.objects.get(bureau=county.bureau, external_id="LATE0")
    first = Incident.objects.get(bureau=county.bureau, external_id="OLD700")  # the same local day
    assert late.number[:-5] == first.number[:-5] and late.number > first.number


def test_importing_premises_into_a_full_bureau_never_scans_its_premises(county, tmp_path):
    header = "场所编号,场所类别,场所名称,经度,纬度\n"
    rows = [f"PX{i},hotel,宾馆{i},{X0 + 0.001 + (i % 30) * 0.001:.6f},{Y0 + 0.005}\n" for i in range(60)]
    path = tmp_path / "premises.csv"
    path.write_text(header + "".join(rows[:40]), encoding="utf-8")
    assert run_import("premises", path, bureau=county.bureau, actor=county.planner).ok
    analyze(Premises._meta.db_table)
    path.write_text(header + "".join(rows), encoding="utf-8")
    with explain_all(Premises._meta.db_table) as seen:
        report = run_import("premises", path, bureau=county.bureau, actor=county.planner)
    assert report.ok and (report.created, report.unchanged) == (20, 40), report.problems[:3]
    assert seen.statements
    assert not seen.scans and not seen.errors, seen.report()


def test_importing_officers_into_a_full_bureau_never_scans_them(county, tmp_path):
    from jingwu.engine.ids import make_id_number
    from jingwu.personnel.models import Officer

    header = "警号,姓名,人员类别,性别,出生日期,身份证号,单位代码\n"
    rows = [
        f"5{i:05d},测试{i},police,M,1990-01-02,{make_id_number('330522', dt.date(1990, 1, 2), i, False)},S01\n"
        for i in range(1, 41)
    ]
    path = tmp_path / "officers.csv"
    path.write_text(header + "".join(rows[:20]), encoding="utf-8")
    assert run_import("officers", path, bureau=county.bureau, actor=county.planner).ok
    analyze(Officer._meta.db_table)
    path.write_text(header + "".join(rows), encoding="utf-8")
    with explain_all(Officer._meta.db_table) as seen:
        report = run_import("officers", path, bureau=county.bureau, actor=county.planner)
    assert report.ok and (report.created, report.unchanged) == (20, 20), report.problems[:3]
    assert seen.statements and not seen.scans and not seen.errors, seen.report()
