"""A roster out: Excel, the print page and the API (same scope as the pages; exports audited)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from jingwu.core.clock import data_date
from jingwu.core.models import AuditEvent
from jingwu.duty.models import RosterEntry
from jingwu.duty.services import do_start_roster
from jingwu.jobs.services import latest_job, run_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(county):
    r = do_start_roster(
        county.west, actor=county.chief, start=data_date(county.bureau), days=7, time_limit=5, hand_out=False
    )
    run_now(latest_job(r))
    r.refresh_from_db()
    return r


def test_the_excel_workbook_holds_every_duty_and_every_unmet_need(client, county, roster):
    from openpyxl import load_workbook

    client.force_login(county.chief)
    client.cookies["django_language"] = "zh-hans"
    r = client.get(reverse("duty:roster_xlsx", args=[roster.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.worksheets[0]
    assert ws.title == "排班表"
    names = {row[0].value: row for row in ws.iter_rows(min_row=3)}
    entries = list(RosterEntry.objects.filter(roster=roster).select_related("officer", "zone"))
    filled = 0
    for e in entries:
        row = names[e.officer.name]
        cell = row[2 + (e.day - roster.start).days].value
        assert e.zone.name in cell
        filled += 1
    assert filled == sum(1 for row in ws.iter_rows(min_row=3) for c in row[2:9] if c.value)
    unmet = wb.worksheets[1]
    assert unmet.max_row - 1 == len(roster.results["unmet"])
    assert AuditEvent.objects.filter(
        object_type="duty.roster", object_id=str(roster.pk), action="export"
    ).exists()


def test_the_print_page_and_the_api(client, county, other_county, roster):
    client.force_login(county.zone_lead)
    html = client.get(reverse("duty:roster_print", args=[roster.pk])).content.decode()
    for e in RosterEntry.objects.filter(roster=roster).select_related("officer"):
        assert e.officer.name in html
    assert "@page" in html and "<nav" not in html
    r = client.get(reverse("api:duty-entry-list"), {"roster": roster.pk, "zone": county.zone_s.pk})
    assert r.status_code == 200
    rows = r.json()["results"]
    want = RosterEntry.objects.filter(roster=roster, zone=county.zone_s)
    assert {row["id"] for row in rows} == set(want.values_list("pk", flat=True))
    assert all(row["zone_name"] == county.zone_s.name for row in rows)
    r = client.get(reverse("api:duty-roster-detail", args=[roster.pk]))
    assert r.json()["summary"]["staff"] == 4
    client.force_login(other_county.chief)
    assert client.get(reverse("duty:roster_xlsx", args=[roster.pk])).status_code == 404
    assert client.get(reverse("duty:roster_print", args=[roster.pk])).status_code == 404
    assert client.get(reverse("api:duty-entry-list")).json()["results"] == []
    assert client.get(reverse("api:duty-roster-detail", args=[roster.pk])).status_code == 404
