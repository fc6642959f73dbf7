"""The due-work page, the timers page, the premises page's section and the home card, per persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from jingwu.inspections.models import LegalTimer
from jingwu.inspections.services import do_open_timer, do_record_visit

# Who sees the inspections pages (hand-written from the personas): the due list is a page of
# the prevention center, stations, zones, grids, command and auditors; not of the
# investigation center, the political department or the system administrator.
DUE_PAGE = {
    "command": 200,
    "planner": 200,
    "center": 404,
    "prevention": 200,
    "chief": 200,
    "zone_lead": 200,
    "community": 200,
    "political": 404,
    "auditor": 200,
    "sysadmin": 404,
}
# The premises each persona finds on the due list (both premises are never inspected: due now).
DUE_ROWS = {
    "command": {"prem_west", "prem_east"},
    "planner": {"prem_west", "prem_east"},
    "prevention": {"prem_west", "prem_east"},
    "chief": {"prem_west"},
    "zone_lead": {"prem_west"},
    "community": {"prem_west"},
    "auditor": {"prem_west", "prem_east"},
}


@pytest.mark.parametrize("persona", sorted(DUE_PAGE))
def test_the_due_page_per_persona(client, catalogue, persona):
    county = catalogue
    client.force_login(getattr(county, persona))
    r = client.get(reverse("inspections:due_list"))
    assert r.status_code == DUE_PAGE[persona]
    if r.status_code == 200:
        shown = {row.premises.pk for row in r.context["page"]}
        assert shown == {getattr(county, p).pk for p in DUE_ROWS[persona]}


def test_the_due_page_filters_and_orders_by_state_and_risk(client, catalogue):
    county = catalogue
    # the hotel is inspected for everything today-ish: not due; the enterprise stays due now
    do_record_visit(
        actor=None,
        premises=county.prem_west,
        day=dt.date(2018, 6, 2),
        elements=["public_order", "fire_safety", "floating_population"],
    )
    client.force_login(county.prevention)
    r = client.get(reverse("inspections:due_list"))
    assert [row.premises.pk for row in r.context["page"]] == [county.prem_east.pk]
    assert r.context["counts"] == {
        "premises": 2,
        "overdue": 0,
        "due": 1,
        "elements_overdue": 0,
        "alerts": 0,
        "high": 0,
    }
    r = client.get(reverse("inspections:due_list"), {"state": "later"})
    assert [row.premises.pk for row in r.context["page"]] == [county.prem_west.pk]
    r = client.get(reverse("inspections:due_list"), {"risk": "high"})
    assert list(r.context["page"]) == []
    r = client.get(reverse("inspections:due_list"), {"unit": county.east.pk, "state": "due"})
    assert [row.premises.pk for row in r.context["page"]] == [county.prem_east.pk]


def test_the_premises_page_shows_due_elements_risk_and_timers(client, catalogue):
    county = catalogue
    do_open_timer(
        actor=None, premises=county.prem_west, kind="guest_registration", event_at="2018-06-01 08:00"
    )
    client.force_login(county.zone_lead)
    with translation.override("en"):
        r = client.get(
            reverse("places:premises_detail", args=[county.prem_west.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    html = r.content.decode()
    assert r.status_code == 200 and 'id="inspections"' in html
    assert html.count('class="jw-element-due"') == 3
    assert "Never inspected" in html or "从未检查" in html
    assert 'data-state="overdue"' in html  # the guest registration is past its 24 hours
    assert 'id="jw-timer-form"' in html  # the zone lead may start timers here
    client.force_login(county.auditor)
    html = client.get(reverse("places:premises_detail", args=[county.prem_west.pk])).content.decode()
    assert 'id="inspections"' in html and 'id="jw-timer-form"' not in html and "timer_close" not in html


def test_starting_and_closing_timers_through_the_pages(client, catalogue, other_county):
    county = catalogue
    url = reverse("inspections:timer_add", args=[county.prem_west.pk])
    client.force_login(county.community)
    r = client.post(url, {"kind": "guest_registration", "event_at": "2018-06-03T09:15", "reference": "G-7"})
    assert r.status_code == 302
    t = LegalTimer.objects.get()
    assert (t.kind, t.reference, t.due_at.isoformat()) == (
        "guest_registration",
        "G-7",
        "2018-06-04T01:15:00+00:00",
    )
    # a kind the hotel has not: the form refuses, nothing saved
    r = client.post(url, {"kind": "precursor_sale_1", "event_at": "2018-06-03T09:15"}, follow=True)
    assert LegalTimer.objects.count() == 1 and r.status_code == 200
    assert [m.level_tag for m in r.context["messages"]] == [
        "success",
        "error",
    ]  # the first post's, this one's
    # premises outside the persona's scope: 404, nothing saved
    r = client.post(
        reverse("inspections:timer_add", args=[county.prem_east.pk]),
        {"kind": "ledger_kept", "event_at": "2018-06-03T09:15"},
    )
    assert r.status_code == 404
    client.force_login(other_county.chief)
    assert client.post(url, {"kind": "guest_registration", "event_at": "2018-06-03T09:15"}).status_code == 404
    assert client.post(reverse("inspections:timer_close", args=[t.pk])).status_code == 404
    client.force_login(county.auditor)  # sees, may not close
    assert client.post(reverse("inspections:timer_close", args=[t.pk])).status_code == 403
    client.force_login(county.community)
    r = client.post(reverse("inspections:timer_close", args=[t.pk]), {"done_at": "2018-06-03T20:00"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.done_at is not None and not t.missing
    assert client.get(reverse("inspections:timer_add", args=[county.prem_west.pk])).status_code == 405


def test_the_timer_list_shows_the_zones_alerts(client, catalogue):
    county = catalogue
    late = do_open_timer(
        actor=None, premises=county.prem_west, kind="guest_registration", event_at="2018-06-01 08:00"
    )
    do_open_timer(
        actor=None, premises=county.prem_west, kind="guest_registration", event_at="2018-06-03 08:00"
    )
    from jingwu.places.models import Premises

    Premises.objects.filter(pk=county.prem_east.pk).update(category="hazchem_user")
    county.prem_east.refresh_from_db()
    do_open_timer(
        actor=None, premises=county.prem_east, kind="precursor_sale_23", event_at="2018-05-20 08:00"
    )
    for persona, alerts, running in [
        ("zone_lead", [late.pk], 1),
        ("prevention", [late.pk], 2),
        ("chief", [late.pk], 1),
    ]:
        client.force_login(getattr(county, persona))
        r = client.get(reverse("inspections:timer_list"))
        assert [t.pk for t in r.context["page"]] == alerts, persona
        r = client.get(reverse("inspections:timer_list"), {"show": "open"})
        assert len(r.context["page"]) == running, persona
    client.force_login(county.zone_lead)
    html = client.get(reverse("home")).content.decode()
    assert 'id="jw-inspections-home"' in html
    client.force_login(county.political)
    assert 'id="jw-inspections-home"' not in client.get(reverse("home")).content.decode()
