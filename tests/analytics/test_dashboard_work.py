"""The dashboards take in inspections, duty, grid work, night call-outs and cases by owner, each linking to its rows."""

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.cases.models import Case
from jingwu.incidents.services import do_record_incident

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _dash(client, user, unit):
    client.force_login(user)
    r = client.get(reverse("analytics:dashboard", args=[unit.pk]))
    assert r.status_code == 200
    return r.context["d"]


def test_visits_compliance_and_overdue_premises_link_to_their_rows(client, county):
    from jingwu.inspections.services import do_record_visit, required_elements
    from tests.inspections.conftest import add_catalogue

    add_catalogue(county.bureau)
    elements = sorted(required_elements(county.prem_west))
    assert elements
    do_record_visit(actor=None, premises=county.prem_west, day=dt.date(2018, 5, 2), elements=elements[:1])
    do_record_visit(
        actor=None, premises=county.prem_west, day=dt.date(2018, 5, 20), elements=elements[:1], failed_items=2
    )
    d = _dash(client, county.chief, county.west)
    assert d.visits_done == 2
    assert d.compliance == 50.0  # one of the two found nothing failed
    # the visits done link to the visit list, filtered by the unit, status and period
    visits = client.get(d.visits_url)
    assert visits.status_code == 200
    assert visits.context["page"].paginator.count == d.visits_done == 2
    # the overdue figure is the due list's count, filtered the same way
    page = client.get(d.overdue_url)
    assert page.status_code == 200
    assert d.premises_overdue == page.context["counts"]["overdue"]
    assert len(page.context["page"].object_list) == d.premises_overdue
    # the east station's visits are not the west's
    assert _dash(client, county.command, county.east).visits_done == 0


def test_night_call_outs_count_arrivals_between_22_and_6(client, county):
    from jingwu.incidents.models import Incident

    # (received local time, arrived?) -> counted?
    table = [
        (dt.datetime(2018, 6, 2, 22, 30, tzinfo=BJ), True, True),
        (dt.datetime(2018, 6, 3, 5, 59, tzinfo=BJ), True, True),
        (dt.datetime(2018, 6, 3, 6, 0, tzinfo=BJ), True, False),
        (dt.datetime(2018, 6, 3, 23, 0, tzinfo=BJ), False, False),  # nobody arrived
        (dt.datetime(2018, 6, 3, 21, 59, tzinfo=BJ), True, False),
    ]
    for received, arrived, _counted in table:
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
    d = _dash(client, county.command, county.west)
    assert d.night_callouts == sum(1 for *_x, counted in table if counted) == 2
    assert d.night_per_officer == (round(2 / d.police, 2) if d.police else None)


def test_cases_by_owner_and_clearance_link_to_the_case_list(client, county):
    for n, (owner, status) in enumerate(
        [(county.west, "solved"), (county.west, "investigating"), (county.ic, "investigating")]
    ):
        Case.objects.create(
            bureau=county.bureau,
            number=f"C{n}",
            kind="criminal",
            title="盗窃",
            owning_unit=owner,
            opened_at=dt.datetime(2018, 6, 1, 10, tzinfo=BJ),
            status=status,
        )
    d = _dash(client, county.command, county.hq)
    owners = {u.code: (n, url) for u, n, url in d.cases["owners"]}
    assert {k: v[0] for k, v in owners.items()} == {county.west.code: 2, county.ic.code: 1}
    assert d.cases_opened == 3 and d.clearance == pytest.approx(33.3)
    listed = client.get(owners[county.west.code][1])
    assert listed.status_code == 200 and listed.context["page"].paginator.count == 2
    # the station chief sees the station's two, judged without clearance (not in a station's set)
    d = _dash(client, county.chief, county.west)
    assert d.cases_opened == 2
    assert "clearance" not in [i.code for i, _v, _u in d.indicators]


def test_grid_work_hours_and_duty_without_a_roster(client, county):
    from jingwu.duty.services import do_assign_grid, do_log_work

    do_assign_grid(county.grid_s1, actor=None, officer=county.off_comm)
    do_log_work(
        county.grid_s1,
        actor=None,
        officer=county.off_comm,
        kind="patrol",
        day=dt.date(2018, 6, 1),
        minutes=90,
    )
    do_log_work(
        county.grid_s1,
        actor=None,
        officer=county.off_comm,
        kind="visit",
        day=dt.date(2018, 6, 2),
        minutes=30,
        households=4,
    )
    # an hour in the other zone of the station: in the station's figure, not the zone's
    do_assign_grid(county.grid_n1, actor=None, officer=county.off_lead)
    do_log_work(
        county.grid_n1,
        actor=None,
        officer=county.off_lead,
        kind="patrol",
        day=dt.date(2018, 6, 1),
        minutes=60,
    )
    d = _dash(client, county.zone_lead, county.zone_s)
    assert d.grid_work_hours == 2.0
    # the figure links to the work log of the zone's grids in the period: the same hours
    for user, unit, hours, entries in [
        (county.zone_lead, county.zone_s, 2.0, 2),
        (county.chief, county.west, 3.0, 3),
        (county.chief, county.grid_s1, 2.0, 2),
    ]:
        d = _dash(client, user, unit)
        assert d.grid_work_hours == hours
        log = client.get(d.grid_work_url)
        assert log.status_code == 200
        assert log.context["hours"] == hours and log.context["page"].paginator.count == entries
    d = _dash(client, county.chief, county.west)
    # the station has no roster: coverage is not computed from nothing
    assert d.duty["rows"] and d.duty["rows"][0]["roster"] is None
    assert d.duty_coverage is None
    assert "duty_coverage" not in [i.code for i, _v, _u in d.indicators]
    assert (
        b"No roster covers this day."
        in client.get(reverse("analytics:dashboard", args=[county.west.pk])).content
    )


def test_the_outsider_gets_no_dashboard_figures(client, county, outsider):
    client.force_login(outsider)
    assert client.get(reverse("analytics:dashboard", args=[county.west.pk])).status_code == 404


def test_the_outsider_sees_none_of_the_county_s_visits_or_grid_work(client, county, outsider):
    from jingwu.duty.services import do_assign_grid, do_log_work
    from jingwu.inspections.services import do_record_visit, required_elements
    from tests.inspections.conftest import add_catalogue

    add_catalogue(county.bureau)
    elements = sorted(required_elements(county.prem_west))[:1]
    do_record_visit(actor=None, premises=county.prem_west, day=dt.date(2018, 6, 2), elements=elements)
    do_assign_grid(county.grid_s1, actor=None, officer=county.off_comm)
    do_log_work(
        county.grid_s1,
        actor=None,
        officer=county.off_comm,
        kind="patrol",
        day=dt.date(2018, 6, 1),
        minutes=30,
    )
    client.force_login(outsider)
    assert client.get(reverse("inspections:visit_list")).context["page"].paginator.count == 0
    assert client.get(reverse("duty:work_log")).context["page"].paginator.count == 0
    # naming the county's unit is refused as outside the outsider's area
    r = client.get(reverse("duty:work_log"), {"unit": county.west.pk})
    assert r.context["page"].paginator.count == 0
    r = client.get(reverse("inspections:visit_list"), {"unit": county.west.pk})
    assert r.context["page"].paginator.count == 0


def test_overdue_and_due_premises_come_from_the_due_table_as_the_due_list_counts_them(client, county):
    from jingwu.core.clock import data_date
    from jingwu.inspections.models import DueRow
    from jingwu.inspections.services import do_record_visit, required_elements
    from jingwu.places.services import do_create_premises
    from tests.inspections.conftest import add_catalogue

    add_catalogue(county.bureau)
    today = data_date(county.bureau)
    fresh = do_create_premises(
        actor=None,
        bureau=county.bureau,
        category="hotel",
        name="城西旅社",
        lon=county.prem_west.lon + 0.001,
        lat=county.prem_west.lat,
        external_id="P3",
    )
    # every element visited two years ago (overdue) and on the data date (not yet due)
    for premises, day in [(county.prem_west, today - dt.timedelta(days=730)), (fresh, today)]:
        do_record_visit(actor=None, premises=premises, day=day, elements=sorted(required_elements(premises)))
    d = _dash(client, county.chief, county.west)
    # (figure, due list state) -> expected by hand: one overdue, none due within the horizon
    for figure, state, expected in [("overdue", "overdue", 1), ("due", "due", 0)]:
        assert d.inspections[figure] == expected
        url = d.overdue_url if state == "overdue" else d.inspections["due_url"]
        page = client.get(url)
        assert page.status_code == 200
        assert page.context["counts"][state] == expected
        assert page.context["page"].paginator.count == expected
    assert d.inspections["premises"] == 2
    # the figures were read from the stored rows, kept for the data date
    assert set(DueRow.objects.filter(as_of=today).values_list("premises_id", flat=True)) >= {
        county.prem_west.pk,
        fresh.pk,
    }


def test_open_cases_by_age_link_to_the_case_list_of_their_band(client, county):
    from jingwu.core.clock import data_date

    today = data_date(county.bureau)
    # (days old on the data date, status) -> band counted in, by hand; settled cases are not open
    table = [
        (0, "registered", "0-30"),
        (30, "investigating", "0-30"),
        (31, "suspended", "31-90"),
        (90, "investigating", "31-90"),
        (91, "registered", "91+"),
        (400, "investigating", "91+"),
        (10, "solved", None),
        (200, "closed", None),
        (50, "withdrawn", None),
    ]
    for n, (days, status, _band) in enumerate(table):
        Case.objects.create(
            bureau=county.bureau,
            number=f"A{n}",
            kind="criminal",
            title="盗窃",
            owning_unit=county.zone_s,
            opened_at=dt.datetime.combine(today - dt.timedelta(days=days), dt.time(12), tzinfo=BJ),
            status=status,
        )
    expected = {"0-30": 2, "31-90": 2, "91+": 2}
    assert expected == {b: sum(1 for *_x, band in table if band == b) for b in expected}
    # the zone's cases, seen by the station chief
    d = _dash(client, county.chief, county.zone_s)
    assert {label: n for label, n, _url in d.cases["ages"]} == expected
    for label, n, url in d.cases["ages"]:
        page = client.get(url)
        assert page.status_code == 200
        assert page.context["page"].paginator.count == n, (label, url)
