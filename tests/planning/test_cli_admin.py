"""``jingwu plan run`` (the typer sub-app) and the admin pages of the planning models."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from typer.testing import CliRunner

from jingwu.core.models import AuditEvent
from jingwu.planning.choices import ScenarioStatus
from jingwu.planning.cli import plan_app
from jingwu.planning.models import Scenario

from .conftest import SMALL

pytestmark = pytest.mark.django_db


def test_plan_run_writes_the_reports(county, tmp_path):
    params = tmp_path / "plan.json"
    params.write_text(
        json.dumps(SMALL | {"as_of": "2018-06-30", "reform_date": "2018-07-01", "name": "命令行方案"}),
        encoding="utf-8",
    )
    html, xlsx = tmp_path / "plan.html", tmp_path / "plan.xlsx"
    result = CliRunner().invoke(
        plan_app,
        [
            "run",
            "--bureau",
            county.bureau.code,
            "--user",
            county.planner.username,
            "--params",
            str(params),
            "--html",
            str(html),
            "--xlsx",
            str(xlsx),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "[100%] done" in result.output and "moves" in result.output
    s = Scenario.objects.get(name="命令行方案")
    assert s.status == ScenarioStatus.DONE and str(s.as_of) == "2018-06-30"
    assert "命令行方案" in html.read_text(encoding="utf-8")
    assert xlsx.read_bytes()[:2] == b"PK"
    events = AuditEvent.objects.filter(object_type="planning.scenario", object_id=str(s.pk))
    assert {e.via for e in events} == {"cli"} and {e.actor for e in events} == {county.planner}


def test_plan_run_refuses_a_user_without_the_right(county, tmp_path):
    result = CliRunner().invoke(
        plan_app,
        ["run", "--bureau", county.bureau.code, "--user", county.chief.username, "--as-of", "2018-06-30"],
    )
    assert result.exit_code == 1 and not Scenario.objects.exists()
    result = CliRunner().invoke(plan_app, ["run", "--bureau", county.bureau.code, "--user", "nobody"])
    assert result.exit_code == 1
    bad = tmp_path / "bad.json"
    bad.write_text('{"centralised_share": 2}', encoding="utf-8")
    result = CliRunner().invoke(
        plan_app,
        ["run", "--bureau", county.bureau.code, "--user", county.planner.username, "--params", str(bad)],
    )
    assert result.exit_code == 1 and "centralised share" in result.output


def test_admin_lists_scenarios_and_moves(client, county, done_scenario):
    from jingwu.accounts.models import User

    admin = User.objects.create_superuser("root-admin", password="x", email="")
    client.force_login(admin)
    assert client.get(reverse("admin:planning_scenario_changelist")).status_code == 200
    assert client.get(reverse("admin:planning_scenario_change", args=[done_scenario.pk])).status_code == 200
    assert client.get(reverse("admin:planning_scenariomove_changelist")).status_code == 200
