"""The planning pages for every persona, the form, the progress fragment, map, reports, compare."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse

from jingwu.core.models import AuditEvent
from jingwu.planning.choices import ScenarioStatus
from jingwu.planning.models import Scenario

from ..conftest import minimal_scenario
from .conftest import AS_OF, REFORM

pytestmark = pytest.mark.django_db

SEE = ("planner", "command", "auditor")
BLIND = ("center", "prevention", "chief", "zone_lead", "community", "political", "sysadmin")


def _people(county, other_county):
    people = {p: getattr(county, p) for p in SEE + BLIND}
    people["outsider"] = other_county.chief
    people["outsider_planner"] = other_county.planner
    return people


def _no_inline_script(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_every_page_for_every_persona(client, county, other_county, done_scenario):
    pk = done_scenario.pk
    pages = [
        reverse("planning:scenario_detail", args=[pk]),
        reverse("planning:scenario_progress", args=[pk]),
        reverse("planning:scenario_map", args=[pk]),
        reverse("planning:scenario_map", args=[pk]) + "?zones=1",
        reverse("planning:scenario_report", args=[pk]),
        reverse("planning:scenario_xlsx", args=[pk]),
        reverse("planning:compare") + f"?a={pk}&b={pk}",
    ]
    for persona, user in _people(county, other_county).items():
        client.force_login(user)
        sees = persona in SEE
        for url in pages:
            assert client.get(url).status_code == (200 if sees else 404), (persona, url)
        r = client.get(reverse("planning:scenario_list"))
        if persona == "outsider_planner":  # their own bureau's list, without this scenario
            assert r.status_code == 200 and done_scenario not in r.context["page"]
        else:
            assert r.status_code == (200 if sees else 404), persona
        new = client.get(reverse("planning:scenario_new")).status_code
        assert new == {"planner": 200, "command": 403, "auditor": 403, "outsider_planner": 200}.get(
            persona, 404
        )


def test_the_detail_page_shows_every_result(client, county, done_scenario):
    client.force_login(county.command)
    r = client.get(reverse("planning:scenario_detail", args=[done_scenario.pk]))
    html = r.content.decode()
    _no_inline_script(html)
    assert 'id="plan-map"' in html and reverse("planning:scenario_map", args=[done_scenario.pk]) in html
    assert 'id="zone-map"' in html and 'data-chart="bar"' in html and 'id="chart-demand"' in html
    for text in ("城西派出所", "侦查打击中心", "南片一格"):
        assert text in html
    assert reverse("planning:scenario_approve", args=[done_scenario.pk]) in html  # command may approve
    assert reverse("planning:scenario_apply", args=[done_scenario.pk]) not in html
    assert 'hx-trigger="every 1s"' not in html  # finished: no polling
    client.force_login(county.planner)
    html = client.get(reverse("planning:scenario_detail", args=[done_scenario.pk])).content.decode()
    assert reverse("planning:scenario_approve", args=[done_scenario.pk]) not in html


def test_map_layers(client, county, done_scenario):
    client.force_login(county.planner)
    data = client.get(reverse("planning:scenario_map", args=[done_scenario.pk])).json()
    grids = data["layers"]["grids"]["features"]
    assert {f["properties"]["code"] for f in grids} == {"S01-Z1-G1", "S01-Z1-G2", "S01-Z2-G1", "S02-Z1-G1"}
    assert all("workload" in f["properties"] and 0 <= f["properties"]["workload_share"] <= 1 for f in grids)
    assert max(f["properties"]["workload_share"] for f in grids) == 1
    assert {f["properties"]["id"] for f in data["layers"]["areas"]["features"]} == {
        county.west.pk,
        county.east.pk,
    }
    zones = client.get(reverse("planning:scenario_map", args=[done_scenario.pk]) + "?zones=1").json()
    assert len(zones["layers"]["areas"]["features"]) == 2
    assert {f["properties"]["zone"] for f in zones["layers"]["grids"]["features"]} == {1, 2}


def test_reports_download_and_are_audited(client, county, done_scenario):
    from openpyxl import load_workbook

    client.force_login(county.auditor)
    r = client.get(reverse("planning:scenario_report", args=[done_scenario.pk]))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    html = r.content.decode()
    assert "<script" not in html and "测试方案" in html and "城西派出所" in html
    r = client.get(reverse("planning:scenario_xlsx", args=[done_scenario.pk]))
    wb = load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) >= 7
    moves = wb.worksheets[-1]
    assert moves.max_row == 1 + done_scenario.results["reassign"]["moves"]
    assert (
        AuditEvent.objects.filter(
            action="export", object_type="planning.scenario", actor=county.auditor
        ).count()
        == 2
    )


def test_the_form_creates_queues_and_the_page_follows_the_run(
    client, county, django_capture_on_commit_callbacks, sync_q
):
    client.force_login(county.planner)
    page = client.get(reverse("planning:scenario_new"))
    assert page.status_code == 200
    _no_inline_script(page.content.decode())
    data = {
        "bureau": county.bureau.pk,
        "name": "表单方案",
        "as_of": AS_OF.isoformat(),
        "reform_date": REFORM.isoformat(),
        "incidents_from": "2018-01-01",
        "incidents_to": AS_OF.isoformat(),
        "centralised_share": "0.8",
        "case_hours": "24",
        "ic_target_mean_age": "32",
        "ic_from_stations": "0.6",
        "workload_tilt": "0.1",
        "proactive_full_spectrum": "0.3",
        "proactive_proactive": "0.35",
        "proactive_preventive": "0.4",
        "category_minutes": "0101=80",
        "zone_station": "",
        "zone_k": "3",
        "time_limit": "2",
        "advanced": '{"min_on_duty": 0, "ic_investigators": 0, "pc_specialists": 0, "bootstrap": 0, "workers": 1}',
        "w_target": "100",
        "w_age": "2",
        "w_gender": "10",
        "w_female_operational": "20",
        "w_moves": "5",
        "w_commute": "0.5",
        "type_S02": "proactive",
        "reason_S02": "新的工业园区",
        "run": "1",
    }
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("planning:scenario_new"), data)
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    s = Scenario.objects.get(name="表单方案")
    assert s.status == ScenarioStatus.DONE, s.error
    assert s.params["category_minutes"] == {"0101": 80.0}
    assert s.params["station_overrides"] == {"S02": {"type": "proactive", "reason": "新的工业园区"}}
    east = next(x for x in s.results["stations"] if x["code"] == "S02")
    assert east["type"] == "proactive" and east["overridden"] and east["override_reason"] == "新的工业园区"
    html = client.get(r["Location"]).content.decode()
    assert "新的工业园区" in html
    # an override needs a reason; a bad JSON is refused
    bad = data | {"reason_S02": "", "name": "无理由"}
    r = client.post(reverse("planning:scenario_new"), bad)
    assert r.status_code == 200 and "reason_S02" in r.context["form"].errors
    r = client.post(reverse("planning:scenario_new"), data | {"advanced": "{nope"})
    assert r.status_code == 200 and "advanced" in r.context["form"].errors
    # a copy starts from the scenario's settings
    copy = client.get(reverse("planning:scenario_new") + f"?from={s.pk}")
    assert copy.context["form"].initial["type_S02"] == "proactive"


def test_the_progress_fragment_polls_while_queued(client, county, make_scenario):
    from jingwu.planning.services import do_run_scenario

    s = do_run_scenario(make_scenario(), actor=county.planner)  # no worker in the test: stays queued
    assert s.status == ScenarioStatus.QUEUED
    client.force_login(county.planner)
    frag = client.get(reverse("planning:scenario_progress", args=[s.pk]))
    html = frag.content.decode()
    assert frag.status_code == 200 and "<html" not in html
    assert 'hx-trigger="every 1s"' in html and "<progress" in html
    page = client.get(reverse("planning:scenario_detail", args=[s.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page
    Scenario.objects.filter(pk=s.pk).update(status=ScenarioStatus.DONE)
    frag = client.get(reverse("planning:scenario_progress", args=[s.pk]) + "?running=1")
    assert 'hx-trigger="every 1s"' not in frag.content.decode()
    assert frag["HX-Refresh"] == "true"  # the run ended: the page reloads once to show the results


def test_actions_through_the_pages(client, county, other_county, done_scenario):
    pk = done_scenario.pk
    approve = reverse("planning:scenario_approve", args=[pk])
    apply = reverse("planning:scenario_apply", args=[pk])
    client.force_login(county.planner)
    assert client.post(approve).status_code == 403
    r = client.post(apply, {"apply_date": REFORM.isoformat()}, follow=True)
    assert Scenario.objects.get(pk=pk).status == ScenarioStatus.DONE  # not approved: refused with a message
    assert any("approved" in str(m) or "批准" in str(m) for m in r.context["messages"])
    client.force_login(county.chief)
    assert client.post(approve).status_code == 404
    client.force_login(other_county.command)
    assert client.post(approve).status_code == 404
    client.force_login(county.command)
    assert client.post(reverse("planning:scenario_run", args=[pk])).status_code == 403
    assert client.post(approve, {"note": "同意"}).status_code == 302
    assert Scenario.objects.get(pk=pk).status == ScenarioStatus.APPROVED
    assert client.post(apply, {"apply_date": REFORM.isoformat()}).status_code == 403
    client.force_login(county.planner)
    assert client.post(apply, {"apply_date": REFORM.isoformat()}).status_code == 302
    s = Scenario.objects.get(pk=pk)
    assert s.status == ScenarioStatus.APPLIED and s.applied_by == county.planner
    assert client.get(reverse("planning:scenario_list")).status_code == 200


def test_compare_two_scenarios(client, county, make_scenario, done_scenario):
    from jingwu.planning.services import do_run_scenario

    b = do_run_scenario(make_scenario(unit_targets={"ZC": 1}), actor=county.planner, sync=True)
    client.force_login(county.command)
    r = client.get(reverse("planning:compare") + f"?a={done_scenario.pk}&b={b.pk}")
    assert r.status_code == 200
    ic = next(row for row in r.context["rows"] if row["label"] == "侦查打击中心")
    assert ic["a"]["after"]["police"] == 2 and ic["b"]["after"]["police"] == 1
    assert client.get(reverse("planning:compare") + "?a=999999&b=1").status_code == 404
    assert client.get(reverse("planning:compare") + "?a=x").status_code == 404
    assert client.get(reverse("planning:compare")).status_code == 200


def test_pages_render_with_minimal_results(client, county):
    """What tests/test_permission_matrix.py creates: a finished scenario with almost no results."""
    s = minimal_scenario(county.bureau)
    client.force_login(county.auditor)
    for name in ("scenario_detail", "scenario_progress", "scenario_map", "scenario_report", "scenario_xlsx"):
        assert client.get(reverse(f"planning:{name}", args=[s.pk])).status_code == 200, name
