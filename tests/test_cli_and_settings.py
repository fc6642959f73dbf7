"""The `jingwu` command, the importer behind it, and the settings' refusals."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.utils import translation
from typer.testing import CliRunner

from jingwu.cli import app
from jingwu.core.importing import run_import
from jingwu.incidents.models import Incident

from .conftest import X0, Y0

runner = CliRunner()


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ["demo", "serve", "migrate", "createuser", "import", "check"]:
        assert command in result.output


@pytest.mark.parametrize("command", ["demo", "serve", "migrate", "createuser", "import", "check"])
def test_each_command_has_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def _csv(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "incidents.csv"
    path.write_bytes(text.encode(encoding))
    return path


GOOD = (
    "外部编号,接警时间,类别代码,经度,纬度,地址\n"
    f"E1,2018-07-01 08:30,0101,{X0 + 0.004},{Y0 + 0.004},城西路3号\n"
    f"E2,2018-07-01 09:10,0401,{X0 + 0.03},{Y0 + 0.01},城东路8号\n"
)


def test_import_is_all_or_nothing_and_reports_each_bad_row(county, tmp_path):
    bad = GOOD + f"E3,2018-07-01 25:99,0101,{X0 + 0.004},{Y0 + 0.004},x\nE4,2018-07-02 10:00,0101,{X0 + 2},{Y0},y\n"
    before = Incident.objects.count()
    with translation.override("en"):
        report = run_import("incidents", _csv(tmp_path, bad), bureau=county.bureau, actor=county.planner)
        summary = report.summary()
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [(4, "received_at"), (5, "lon")]
    assert "outside the bureau" in report.problems[1].reason
    assert Incident.objects.count() == before
    assert "nothing was imported" in summary


def test_import_of_a_gbk_file_twice_changes_nothing_the_second_time(county, tmp_path):
    path = _csv(tmp_path, GOOD, encoding="gbk")
    before = Incident.objects.count()
    first = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    assert first.ok and first.created == 2
    second = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    assert second.ok and (second.created, second.unchanged) == (0, 2)
    assert Incident.objects.count() == before + 2
    new = Incident.objects.get(external_id="E1")
    assert new.station_id == county.west.pk and new.grid_id == county.grid_s1.pk


def test_dry_run_saves_nothing(county, tmp_path):
    before = Incident.objects.count()
    report = run_import("incidents", _csv(tmp_path, GOOD), bureau=county.bureau, actor=county.planner,
                        dry_run=True)
    assert report.ok and report.created == 2
    assert Incident.objects.count() == before


def test_import_refuses_rows_outside_the_actors_scope(county, tmp_path):
    report = run_import("incidents", _csv(tmp_path, GOOD), bureau=county.bureau, actor=county.zone_lead)
    assert not report.ok  # the second row is in the east station, outside the zone lead's zone
    assert Incident.objects.filter(external_id__in=["E1", "E2"]).count() == 0


def test_import_officers_from_xlsx(county, tmp_path):
    import datetime as dt

    from openpyxl import Workbook

    from jingwu.engine.ids import make_id_number
    from jingwu.personnel.models import Officer

    wb = Workbook()
    ws = wb.active
    ws.append(["警号", "姓名", "人员类别", "性别", "出生日期", "身份证号", "单位代码", "岗位", "技能"])
    ws.append(["300001", "测试甲", "police", "F", dt.date(1991, 5, 6), make_id_number("330522", dt.date(1991, 5, 6), 3, True),
               "S01-Z1", "community", "community_work:3;traffic:2"])
    path = tmp_path / "officers.xlsx"
    wb.save(path)
    report = run_import("officers", path, bureau=county.bureau, actor=county.planner)
    assert report.ok, report.problems
    o = Officer.objects.get(police_number="300001")
    assert {s.skill: s.level for s in o.skills.all()} == {"community_work": 3, "traffic": 2}
    assert o.postings.get().unit == county.zone_s


def _settings_subprocess(env: dict) -> subprocess.CompletedProcess:
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jingwu.site.settings'; django.setup()"
    full = {k: v for k, v in os.environ.items() if not k.startswith("JINGWU_")}
    full.update(env)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60)


def test_production_refuses_debug_and_the_default_secret():
    r = _settings_subprocess({"JINGWU_MODE": "production", "JINGWU_SECRET_KEY": "x" * 50, "JINGWU_DEBUG": "1"})
    assert r.returncode != 0 and "refuses JINGWU_DEBUG" in r.stderr
    r = _settings_subprocess({"JINGWU_MODE": "production"})
    assert r.returncode != 0 and "JINGWU_SECRET_KEY" in r.stderr
    r = _settings_subprocess({"JINGWU_MODE": "production", "JINGWU_SECRET_KEY": "k" * 50})
    assert r.returncode == 0, r.stderr


def test_bad_setting_values_fail_fast():
    r = _settings_subprocess({"JINGWU_DEBUG": "maybe"})
    assert r.returncode != 0 and "JINGWU_DEBUG must be true or false" in r.stderr
    r = _settings_subprocess({"DATABASE_URL": "mysql://x/y"})
    assert r.returncode != 0 and "not supported" in r.stderr


def test_database_url_parsing(tmp_path):
    from jingwu.site.env import database_from_url

    pg = database_from_url("postgres://u:p%40ss@db.intra:6543/jingwu", tmp_path)
    assert (pg["ENGINE"], pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "django.db.backends.postgresql", "jingwu", "u", "p@ss", "db.intra", "6543")
    assert database_from_url("sqlite:////var/lib/j.db", tmp_path)["NAME"] == "/var/lib/j.db"
    assert database_from_url("", tmp_path)["NAME"] == str(tmp_path / "jingwu.sqlite3")


def test_the_bundled_cjk_font_covers_the_words_we_print():
    from jingwu.core.checks import cjk_font_path

    font = cjk_font_path()
    data = font.read_bytes()
    assert data[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true")
    try:
        from fontTools.ttLib import TTFont
    except ImportError:
        pytest.fail("fontTools is a development dependency: pip install -e .[dev]")
    cmap = TTFont(str(font)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "派出所警务网格片区侦查打击中心基础防控四星民警")
