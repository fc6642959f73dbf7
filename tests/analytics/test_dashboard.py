"""Dashboards per unit: figures through the scoping layer, drill-down and links to the rows."""

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.core.clock import data_date
from jingwu.incidents.services import do_record_incident

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _dash(client, user, unit, **query):
    client.force_login(user)
    return client.get(reverse("analytics:dashboard", args=[unit.pk]), query)


def test_command_sees_the_county_by_station_with_links(client, county):
    # the fixture's four incidents are in June 2018: two west, two east
    r = _dash(client, county.command, county.hq)
    assert r.status_code == 200
    d = r.context["d"]
    # up to the data date (the bureau's last record), its month partial; 12 months back
    assert d.last == data_date(county.bureau)
    assert d.last.replace(day=1) == dt.date(2018, 6, 1)
    assert d.first == dt.date(2017, 7, 1)
    assert d.incidents == 4
    rows = {row["unit"].code: (row["incidents"], row["police"]) for row in d.children}
    assert rows == {"S01": (2, rows["S01"][1]), "S02": (2, rows["S02"][1])}
    assert d.by_month["series"][0]["values"][-1] == 4
    assert d.by_month["links"][-1].endswith(
        f"unit={county.hq.pk}&received_from=2018-06-01&received_to={d.last.isoformat()}"
    )
    # the link shows the same rows as the figure
    r = client.get(d.by_month["links"][-1])
    assert r.context["page"].paginator.count == 4
    west = next(row for row in d.children if row["unit"] == county.west)
    assert client.get(west["url"]).context["page"].paginator.count == 2
    page = client.get(reverse("analytics:dashboard", args=[county.hq.pk])).content.decode()
    assert f'href="{reverse("analytics:dashboard", args=[county.west.pk])}"' in page  # drill-down
    assert f'href="{west["url"]}"'.replace("&", "&amp;") in page


def test_categories_link_to_their_incidents(client, county):
    r = _dash(client, county.command, county.hq)
    d = r.context["d"]
    by_cat = dict(zip(d.by_category["labels"], d.by_category["series"][0]["values"], strict=True))
    assert sum(by_cat.values()) == 4
    for url, n in zip(d.by_category["links"], d.by_category["series"][0]["values"], strict=True):
        assert client.get(url).context["page"].paginator.count == n


def test_a_station_chief_drills_down_to_zones_and_grids_but_not_beyond_the_station(client, county):
    r = _dash(client, county.chief, county.west)
    d = r.context["d"]
    assert {row["unit"] for row in d.children} == {county.zone_s, county.zone_n}
    assert d.incidents == 2
    assert d.police is not None and d.police >= 1
    assert _dash(client, county.chief, county.zone_s).status_code == 200
    assert _dash(client, county.chief, county.grid_s1).status_code == 200
    assert _dash(client, county.chief, county.east).status_code == 404
    assert _dash(client, county.chief, county.hq).status_code == 404


def test_a_zone_lead_sees_only_the_zone(client, county):
    r = _dash(client, county.zone_lead, county.zone_s)
    d = r.context["d"]
    inc = county.inc_west_theft
    assert d.incidents == (1 if inc.zone_id == county.zone_s.pk else 0) + (
        1 if county.inc_west_dispute.zone_id == county.zone_s.pk else 0
    )
    assert _dash(client, county.zone_lead, county.zone_n).status_code == 404


def test_the_home_redirects_to_the_own_unit(client, county):
    client.force_login(county.zone_lead)
    r = client.get(reverse("analytics:dashboard_home"))
    assert r.status_code == 302 and r["Location"] == reverse("analytics:dashboard", args=[county.zone_s.pk])


def test_a_role_without_incidents_gets_no_incident_figures(client, county):
    r = _dash(client, county.political, county.hq)
    d = r.context["d"]
    assert not d.sees_incidents and d.incidents == 0 and d.by_month == {}
    assert d.police is not None  # the political department sees officers
    assert b"chart-dash-month" not in r.content


def test_the_center_sees_its_cases_not_an_area(client, county):
    from jingwu.cases.models import Case

    Case.objects.create(
        bureau=county.bureau,
        number="C1",
        kind="criminal",
        title="诈骗",
        owning_unit=county.ic,
        opened_at=dt.datetime(2018, 6, 1, tzinfo=BJ),
        status="investigating",
    )
    for number, day, status in [
        ("C2", dt.datetime(2018, 4, 15, tzinfo=BJ), "registered"),  # 49 days on 3 June
        ("C3", dt.datetime(2018, 2, 1, tzinfo=BJ), "suspended"),  # 122 days
        ("C4", dt.datetime(2018, 1, 1, tzinfo=BJ), "withdrawn"),  # ended: not open
        ("C5", dt.datetime(2018, 5, 1, tzinfo=BJ), "solved"),  # cleared: not open
    ]:
        Case.objects.create(
            bureau=county.bureau,
            number=number,
            kind="criminal",
            title="诈骗",
            owning_unit=county.ic,
            opened_at=day,
            status=status,
        )
    r = _dash(client, county.center, county.ic)
    d = r.context["d"]
    assert not d.sees_incidents
    assert d.cases["total"] == 5
    # open cases by their age on the data date (3 June 2018)
    assert [(k, n) for k, n, _url in d.cases["ages"]] == [("0-30", 1), ("31-90", 1), ("91+", 1)]


def test_the_period_follows_the_data_date(client, county):
    do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0101",
        received_at=dt.datetime(2018, 9, 30, 10, 0, tzinfo=BJ),
        lon=county.inc_west_theft.lon,
        lat=county.inc_west_theft.lat,
    )
    d = _dash(client, county.command, county.hq, months=3).context["d"]
    assert (d.first, d.last) == (dt.date(2018, 7, 1), dt.date(2018, 9, 30))
    assert d.incidents == 1


def test_the_outsider_sees_no_dashboard_of_another_bureau(client, county, other_county):
    assert _dash(client, other_county.command, county.hq).status_code == 404
    assert _dash(client, other_county.chief, county.west).status_code == 404


def test_months_without_data_are_gaps_and_a_period_without_incidents_says_so(client, county):
    # the data begin on 2018-06-01: the eleven months before are null (a gap), not 0
    d = _dash(client, county.command, county.hq).context["d"]
    values = d.by_month["series"][0]["values"]
    assert values == [None] * 11 + [4]
    assert d.by_month["links"][:11] == [""] * 11
    # the grid S2 has no incident in the period: a message, not a chart of nothing
    r = _dash(client, county.chief, county.grid_s2)
    assert r.context["d"].incidents == 0
    page = r.content.decode()
    assert 'id="jw-dash-month-none"' in page and "chart-dash-month" not in page
    # the south zone has some: its chart
    page = _dash(client, county.chief, county.zone_s).content.decode()
    assert "chart-dash-month" in page and 'id="jw-dash-month-none"' not in page
