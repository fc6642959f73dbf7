"""Every indicator tile links to the rows it counts: the linked list shows exactly those rows,
for a station (its chief) and for the county (command)."""

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.analytics.indicators import CATALOGUE
from jingwu.cases.models import Case
from jingwu.core.clock import data_date
from jingwu.duty.models import Roster
from jingwu.incidents.models import Incident
from jingwu.incidents.services import do_record_incident
from jingwu.org.models import Unit

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _dash(client, user, unit):
    client.force_login(user)
    r = client.get(reverse("analytics:dashboard", args=[unit.pk]))
    assert r.status_code == 200
    return r.context["d"]


def _rows(client, url):
    page = client.get(url)
    assert page.status_code == 200, url
    return page.context["page"].paginator.object_list


@pytest.fixture
def data(county):
    return add_data(county)


def add_data(county):
    """Night call-outs, cases of every stage and age, two visits and a roster (also used by
    tests/analytics/test_indicator_sources.py)."""
    from jingwu.inspections.services import do_record_visit, required_elements
    from tests.inspections.conftest import add_catalogue

    today = data_date(county.bureau)
    # the county's residents, so its rate per 1,000 is computed
    Unit.objects.filter(pk=county.hq.pk).update(residents=50000)
    county.hq.refresh_from_db()
    # (received local time, arrived?): two night call-outs, three not
    for received, arrived in [
        (dt.datetime(2018, 6, 2, 22, 30, tzinfo=BJ), True),
        (dt.datetime(2018, 6, 3, 5, 59, tzinfo=BJ), True),
        (dt.datetime(2018, 6, 3, 6, 0, tzinfo=BJ), True),
        (dt.datetime(2018, 6, 3, 23, 0, tzinfo=BJ), False),
        (dt.datetime(2018, 6, 3, 21, 59, tzinfo=BJ), True),
    ]:
        inc = do_record_incident(
            actor=None,
            bureau=county.bureau,
            category="0101",
            received_at=received,
            lon=county.inc_west_theft.lon,
            lat=county.inc_west_theft.lat,
        )
        if arrived:
            Incident.objects.filter(pk=inc.pk).update(arrived_at=received + dt.timedelta(minutes=12))
    # (days before the data date, owner, status): opened in the period or long before
    for n, (days, owner, status) in enumerate(
        [
            (5, county.west, "solved"),
            (10, county.west, "investigating"),
            (20, county.zone_s, "closed"),
            (120, county.west, "registered"),
            (400, county.zone_s, "suspended"),
            (200, county.west, "withdrawn"),
            (15, county.ic, "investigating"),
        ]
    ):
        Case.objects.create(
            bureau=county.bureau,
            number=f"L{n}",
            kind="criminal",
            title="盗窃",
            owning_unit=owner,
            opened_at=dt.datetime.combine(today - dt.timedelta(days=days), dt.time(12), tzinfo=BJ),
            status=status,
        )
    add_catalogue(county.bureau)
    elements = sorted(required_elements(county.prem_west))[:1]
    for day, failed in [(today - dt.timedelta(days=1), 0), (today - dt.timedelta(days=2), 2)]:
        do_record_visit(
            actor=None, premises=county.prem_west, day=day, elements=elements, failed_items=failed
        )
    Roster.objects.create(
        bureau=county.bureau,
        station=county.west,
        start=today - dt.timedelta(days=3),
        days=28,
        status="published",
        results={"people_needed": 40, "people_short": 6, "coverage_share": 0.85},
    )
    return county


@pytest.mark.parametrize("who", ["station", "county"])
def test_each_indicator_tile_links_to_the_rows_it_counts(client, data, who):
    county = data
    user, unit = (county.chief, county.west) if who == "station" else (county.command, county.hq)
    d = _dash(client, user, unit)

    def url(code):
        u = CATALOGUE[code].url(d)
        assert u, code
        return u

    # incidents per 1,000 residents and per officer: the incidents of the unit and period
    incidents = _rows(client, url("per_1000"))
    assert url("per_officer") == url("per_1000") == d.incidents_url
    assert incidents.count() == d.incidents > 0
    assert d.per_1000 == round(1000 * incidents.count() / unit.residents, 1)
    assert d.per_officer == (round(incidents.count() / d.police, 1) if d.police else None)
    # night call-outs: the incident list's night filter shows the two counted
    night = _rows(client, url("night_callouts"))
    assert url("night_per_officer") == url("night_callouts")
    assert night.count() == d.night_callouts == 2
    assert d.night_per_officer == (round(2 / d.police, 2) if d.police else None)
    # compliance: the visits done, of which the clean ones
    visits = _rows(client, url("compliance"))
    assert visits.count() == d.visits_done == 2
    assert d.compliance == round(100 * visits.filter(failed_items=0).count() / visits.count(), 1) == 50.0
    # clearance: the cases opened in the period, of which the solved or closed ones
    opened = _rows(client, url("clearance"))
    assert opened.count() == d.cases_opened
    cleared = opened.filter(status__in=("solved", "closed")).count()
    assert d.clearance == round(100 * cleared / opened.count(), 1)
    # open cases older than 90 days: the "91+" age band's rows
    old = _rows(client, url("cases_old"))
    assert old.count() == d.cases_old == dict((k, n) for k, n, _u in d.cases["ages"])["91+"] == 2
    # cases by stage: the case page, filtered by stage
    for label, n, u in d.cases["status"]:
        assert u.startswith(reverse("cases:case_list")), u
        assert _rows(client, u).count() == n, label
    assert sum(n for _l, n, _u in d.cases["status"]) == d.cases["total"]
    # duty coverage: the station's roster (its coverage), the stations' duty page for the county
    page = client.get(url("duty_coverage"), follow=True)
    assert page.status_code == 200
    if who == "station":
        roster = page.context["roster"]
        r = roster.results
        assert d.duty_coverage == round(100 * (1 - r["people_short"] / r["people_needed"]), 1) == 85.0
    else:
        assert d.duty_coverage == 85.0  # the one station with a roster
        assert county.west in page.context["stations"]


def test_the_night_filter_matches_the_indicator_s_definition(client, data):
    county = data
    client.force_login(county.command)
    rows = _rows(client, reverse("incidents:incident_list") + "?night=yes")
    hours = sorted(r.received_at.astimezone(BJ).strftime("%H:%M") for r in rows)
    # 22:30 and 05:59 with an arrival; not 06:00, 21:59, nor 23:00 without one
    assert hours == ["05:59", "22:30"]
    assert all(r.arrived_at is not None for r in rows)


def test_the_outsider_s_night_list_is_empty(client, data, outsider):
    client.force_login(outsider)
    assert _rows(client, reverse("incidents:incident_list") + "?night=yes").count() == 0


def test_the_prevention_center_s_own_dashboard_shows_its_inspections(client, data):
    county = data
    d = _dash(client, county.prevention, county.pc)
    # the bureau's visits done in the period, both on the west premises; one found nothing failed
    assert d.sees_inspections and not d.sees_incidents
    assert d.visits_done == 2 and d.compliance == 50.0
    codes = {i.code: (v, u) for i, v, u in d.indicators}
    assert codes["visits"][0] == 2 and codes["compliance"][0] == 50.0
    assert _rows(client, codes["visits"][1]).count() == 2
    assert "premises_overdue" in codes
    page = client.get(reverse("analytics:dashboard", args=[county.pc.pk]))
    assert b'id="jw-dash-inspections"' in page.content


def test_the_prevention_center_asks_for_its_own_unit_s_report_not_a_station_s(
    client, data, other_county, settings, tmp_path
):
    from jingwu.analytics.models import Report

    settings.MEDIA_ROOT = tmp_path / "media"
    county = data
    day = data_date(county.bureau).isoformat()  # the month of the two visits

    def ask(user, unit):
        client.force_login(user)
        return client.post(reverse("analytics:report_new", args=[unit.pk]), {"period": "month", "start": day})

    assert ask(county.prevention, county.pc).status_code == 302
    report = Report.objects.get(unit=county.pc)
    assert report.requested_by == county.prevention
    assert client.get(reverse("analytics:report_list")).status_code == 200
    assert client.get(reverse("analytics:report_detail", args=[report.pk])).status_code == 200
    # a station is outside the center's unit: seen (the center sees every unit), refused
    assert ask(county.prevention, county.west).status_code == 403
    # the outsider neither asks for the center's report nor reads it
    assert ask(other_county.command, county.pc).status_code == 404
    assert client.get(reverse("analytics:report_detail", args=[report.pk])).status_code == 404
    assert Report.objects.count() == 1


def test_a_grids_incident_figures_open_that_grids_rows(client, data):
    """The incident list is filtered by the grid itself (not its zone): the grid's figures and
    the list agree, and a station's by-place rows for its grids open each grid's incidents."""
    county = data
    grid = county.inc_west_theft.grid
    assert grid is not None and grid.kind == "grid"
    others = Unit.objects.filter(kind="grid", parent_id=grid.parent_id).exclude(pk=grid.pk)
    d = _dash(client, county.chief, grid)
    assert f"unit={grid.pk}" in d.incidents_url
    rows = _rows(client, d.incidents_url)
    assert rows.count() == d.incidents > 0
    assert set(rows.values_list("grid_id", flat=True)) == {grid.pk}
    assert _rows(client, d.night_url).count() == d.night_callouts == 2
    zone = _dash(client, county.chief, grid.parent)
    assert zone.incidents >= d.incidents
    assert others.exists()  # the zone has other grids: its by-place rows tell them apart
    by_place = {row["unit"].pk: row for row in zone.children}
    assert by_place[grid.pk]["incidents"] == _rows(client, by_place[grid.pk]["url"]).count()
    # a grid the user does not see is refused by the filter: nothing is listed
    client.force_login(county.community)
    r = client.get(reverse("incidents:incident_list") + f"?unit={county.grid_e1.pk}")
    assert r.status_code == 200 and r.context["page"].paginator.object_list.count() == 0
