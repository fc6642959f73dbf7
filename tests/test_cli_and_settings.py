"""The `jingwu` command and the settings' refusals (the importer's tests are in tests/imports/)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from jingwu.cli import app

runner = CliRunner()


def test_help_lists_every_command():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ["demo", "serve", "migrate", "createuser", "import", "check", "bureau", "mapping"]:
        assert command in result.output


def test_the_apps_command_lines_add_their_commands_themselves():
    """``jingwu`` finds the apps' ``cli.py`` and adds their commands after its own, in the
    order ``--help`` has always shown (commands first, then groups)."""
    import click
    import typer

    from jingwu.cli import app_command_lines

    assert [m.__name__ for m in app_command_lines()] == [
        "jingwu.planning.cli",
        "jingwu.analytics.cli",
        "jingwu.inspections.cli",
        "jingwu.leads.cli",
    ]
    group = typer.main.get_command(app)
    assert group.list_commands(click.Context(group)) == [
        "migrate",
        "demo",
        "serve",
        "createuser",
        "import",
        "check",
        "knox",
        "bureau",
        "mapping",
        "audit",
        "plan",
        "hotspots",
        "reports",
        "inspections",
        "leads",
    ]


@pytest.mark.parametrize(
    "command", ["demo", "serve", "migrate", "createuser", "import", "check", "bureau", "mapping"]
)
def test_each_command_has_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def _settings_subprocess(env: dict) -> subprocess.CompletedProcess:
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='jingwu.site.settings'; django.setup()"
    full = {k: v for k, v in os.environ.items() if not k.startswith("JINGWU_")}
    full.update(env)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, timeout=60)


def test_production_refuses_debug_and_the_default_secret():
    r = _settings_subprocess(
        {"JINGWU_MODE": "production", "JINGWU_SECRET_KEY": "x" * 50, "JINGWU_DEBUG": "1"}
    )
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
        "django.db.backends.postgresql",
        "jingwu",
        "u",
        "p@ss",
        "db.intra",
        "6543",
    )
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


# --- safe defaults of `jingwu serve` and `make demo` ------------------------------------


def test_serving_turns_debug_off_unless_asked(monkeypatch):
    from jingwu.cli import _debug_choice

    monkeypatch.setenv("JINGWU_DEBUG", "")  # restored after the test, whatever _debug_choice sets
    monkeypatch.delenv("JINGWU_DEBUG")
    _debug_choice(False)
    assert os.environ["JINGWU_DEBUG"] == "0"
    _debug_choice(True)
    assert os.environ["JINGWU_DEBUG"] == "1"
    monkeypatch.setenv("JINGWU_DEBUG", "1")  # asked for in the environment
    _debug_choice(False)
    assert os.environ["JINGWU_DEBUG"] == "1"


@pytest.mark.otp_required
def test_serving_the_demo_database_keeps_two_factor_off_and_says_so(db, settings, monkeypatch, capsys):
    from jingwu.cli import _demo_choices
    from jingwu.core.models import Bureau
    from jingwu.demo.load import demo_bureau_code

    monkeypatch.setenv("JINGWU_OTP", "")
    monkeypatch.delenv("JINGWU_OTP")
    settings.OTP_REQUIRED = True
    _demo_choices()  # not the demo's database: nothing changes, nothing said
    assert settings.OTP_REQUIRED is True and capsys.readouterr().out == ""
    Bureau.objects.create(code=demo_bureau_code(0), name_zh="演示县公安局")
    _demo_choices()
    assert settings.OTP_REQUIRED is False
    assert "two-factor log-in stays off" in capsys.readouterr().out
    # asked for explicitly, or in production: two-factor stays on, and the command says so
    settings.OTP_REQUIRED = True
    monkeypatch.setenv("JINGWU_OTP", "1")
    _demo_choices()
    assert settings.OTP_REQUIRED is True and "two-factor log-in is on" in capsys.readouterr().out


def test_make_demo_takes_the_port_and_host():
    import shutil
    from pathlib import Path

    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    root = Path(__file__).resolve().parent.parent
    r = subprocess.run(
        ["make", "-n", "demo", "PORT=8123", "HOST=0.0.0.0"], cwd=root, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
    assert "jingwu demo --host 0.0.0.0 --port 8123" in r.stdout


def test_behind_a_trusted_proxy_the_client_address_comes_from_the_proxy(settings):
    from waitress.adjustments import Adjustments

    from jingwu.cli import _proxy_options

    settings.TRUSTED_PROXY = ""
    assert _proxy_options() == {}
    settings.TRUSTED_PROXY = "10.0.0.2"
    adj = Adjustments(**_proxy_options())  # waitress accepts them as they are
    assert adj.trusted_proxy == "10.0.0.2" and "x-forwarded-for" in adj.trusted_proxy_headers
