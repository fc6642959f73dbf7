"""Each indicator's source query: the querysets the tile counted, shown on hover, on the
indicator's own page (readable and as SQL) and in the reports; running the shown query
gives back the tile's value, for a station, a zone, a grid, the county and the center."""

import pytest
from django.db import connection
from django.urls import reverse

from jingwu.analytics.indicators import CATALOGUE
from tests.analytics.test_dashboard_links import add_data


@pytest.fixture
def data(county):
    return add_data(county)


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _dash(client, user, unit):
    client.force_login(user)
    r = client.get(reverse("analytics:dashboard", args=[unit.pk]))
    assert r.status_code == 200
    return r, r.context["d"]


def _figures(d, code):
    return [s.run() for s in d.sources[code]]


def _raw(source):
    """The SQL text the indicator's page shows, run as it is (the rows counted by the database)."""
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM ({source.sql()}) AS shown")
        return cur.fetchone()[0]


# how each value follows from its sources' figures (written from the definitions)
RECOMPUTE = {
    "incidents": lambda d, a: a,
    "per_1000": lambda d, a: round(1000 * a / d.unit.residents, 1),
    "police": lambda d, a: a,
    "per_officer": lambda d, a, b: round(a / b, 1),
    "night_callouts": lambda d, a: a,
    "night_per_officer": lambda d, a, b: round(a / b, 2),
    "visits": lambda d, a: a,
    "compliance": lambda d, a, b: round(100 * a / b, 1),
    "premises_overdue": lambda d, a: a,
    "grid_work_hours": lambda d, a: round(a / 60, 1) if a else None,
    "satisfaction": lambda d, a, b: round(100 * a / b, 1) if b else None,
    "cases": lambda d, a: a,
    "clearance": lambda d, a, b: round(100 * a / b, 1),
    "cases_old": lambda d, a: a,
}


@pytest.mark.parametrize(
    "who,where",
    [
        ("chief", "west"),
        ("zone_lead", "zone_s"),
        ("chief", "grid_s1"),
        ("command", "hq"),
        ("center", "ic"),
    ],
)
def test_running_the_source_query_gives_the_tile_s_value(client, data, who, where):
    county = data
    unit = getattr(county, where)
    _r, d = _dash(client, getattr(county, who), unit)
    # every figure the user sees on the tiles (and a few more the dashboard computed)
    checked = 0
    for code, recompute in RECOMPUTE.items():
        if code not in d.sources or getattr(d, CATALOGUE[code].attr) is None:
            continue
        assert recompute(d, *_figures(d, code)) == getattr(d, CATALOGUE[code].attr), code
        for s in d.sources[code]:
            if s.measure == "count":
                assert _raw(s) == s.run(), code
        checked += 1
    assert checked >= 3
    for i, _v, _u in d.indicators:
        if i.code != "duty_coverage":
            assert i.code in d.sources, i.code


def test_the_station_s_sources_by_hand(client, data):
    """The west station's figures, counted by hand from the fixture: 5 incidents of the
    test's own and the county's 2; 2 of them night call-outs; 2 visits done, 1 clean; 5 cases
    opened in the 12 months (solved, investigating, closed, registered, withdrawn), 2 of them
    solved or closed; 3 police officers (the auxiliary is not one)."""
    county = data
    _r, d = _dash(client, county.chief, county.west)
    assert _figures(d, "incidents") == [7]
    assert _figures(d, "night_callouts") == [2]
    assert _figures(d, "per_officer") == [7, 3]
    assert _figures(d, "compliance") == [1, 2]
    assert _figures(d, "clearance") == [2, 5]
    assert _figures(d, "cases_old") == [2]
    assert (d.incidents, d.per_officer, d.compliance, d.clearance) == (7, 2.3, 50.0, 40.0)


def test_the_county_and_the_center_by_hand(client, data):
    county = data
    _r, d = _dash(client, county.command, county.hq)
    # 7 in the west station, 2 in the east; police: the two chiefs, the zone lead, the
    # community officer and the center's investigator
    assert _figures(d, "incidents") == [9]
    assert _figures(d, "police") == [5]
    assert _figures(d, "per_1000") == [9] and d.per_1000 == round(1000 * 9 / 50000, 1)
    _r, c = _dash(client, county.center, county.ic)
    # the center's own case, opened 15 days before the data date, still investigated
    assert _figures(c, "cases") == [1] and _figures(c, "clearance") == [0, 1] and c.clearance == 0.0


def test_the_readable_source_names_model_units_and_local_days(client, data):
    county = data
    r, d = _dash(client, county.chief, county.west)
    text = d.source_text["incidents"]
    first = d.first.isoformat()
    assert text.startswith("A = COUNT(*) incidents.Incident WHERE ")
    assert "station = 城西派出所" in text
    # the period as bureau local days, half open: up to the day after the last
    assert f"received_at ∈ [{first}, " in text and text.endswith(")")
    assert "bureau = 测试县公安局" in text and text.count("station = 城西派出所") == 1  # said once
    # the rates name both their parts
    assert d.source_text["compliance"].count("inspections.Visit") == 2
    assert "failed_items = 0" in d.source_text["compliance"]
    # the hover of the tile carries the definition, the formula and the query
    html = r.content.decode()
    assert "Source query: value = 100 × A ÷ B" in html
    assert "incidents.Incident WHERE" in html
    # on the tile's information icon, marked as code not to translate; the label's own
    # hover is the definition, the source in words and the unit
    assert '<span translate="no" title="Source query: value = A' in html
    assert f'title="{CATALOGUE["incidents"].hover}"'.replace("'", "&#x27;") in html


def test_the_indicator_page_shows_the_query_readable_and_as_sql(client, data):
    county = data
    client.force_login(county.chief)
    r = client.get(reverse("analytics:indicator_detail", args=[county.west.pk, "compliance"]))
    assert r.status_code == 200
    rows = r.context["sources"]
    assert [s["name"] for s in rows] == ["A", "B"]
    assert [s["figure"] for s in rows] == [1, 2]
    assert 'FROM "inspections_visit"' in rows[0]["sql"] and "failed_items" in rows[0]["sql"]
    html = r.content.decode()
    assert "jw-source-sql" in html and rows[0]["readable"].startswith("A = COUNT(*) inspections.Visit WHERE")
    # an indicator that does not exist, or one the unit's dashboard does not compute
    assert (
        client.get(reverse("analytics:indicator_detail", args=[county.west.pk, "nothing"])).status_code == 404
    )
    assert (
        client.get(reverse("analytics:indicator_detail", args=[county.ic.pk, "incidents"])).status_code == 404
    )


# (persona, unit, indicator) -> the status of the indicator's page
PAGE = [
    ("command", "hq", "incidents", 200),
    ("command", "west", "satisfaction", 200),
    ("center", "ic", "cases", 200),
    ("center", "ic", "incidents", 404),  # the center has no area
    ("prevention", "pc", "visits", 200),
    ("prevention", "pc", "cases", 404),  # the prevention center sees no cases
    ("chief", "west", "incidents", 200),
    ("chief", "east", "incidents", 404),  # another station
    ("zone_lead", "zone_s", "incidents", 200),
    ("zone_lead", "west", "incidents", 404),  # above the zone
    ("community", "grid_s1", "incidents", 200),
    ("community", "grid_s1", "police", 404),  # sees no officers
    ("community", "zone_s", "incidents", 404),
    ("political", "hq", "police", 200),
    ("political", "hq", "cases", 404),  # never case contents, nor their counts
]


@pytest.mark.parametrize("who,where,code,status", PAGE)
def test_who_reads_an_indicator_s_source(client, data, who, where, code, status):
    county = data
    client.force_login(getattr(county, who))
    r = client.get(reverse("analytics:indicator_detail", args=[getattr(county, where).pk, code]))
    assert r.status_code == status


def test_the_outsider_reads_no_indicator_source(client, data, outsider):
    county = data
    client.force_login(outsider)
    for unit in (county.hq, county.west, county.ic):
        r = client.get(reverse("analytics:indicator_detail", args=[unit.pk, "incidents"]))
        assert r.status_code == 404


def test_reports_carry_the_source_queries(data):
    """The report's indicator table has the readable source query of each row; the Excel
    file's sheet of source queries has the SQL."""
    from django.utils import translation

    from jingwu.analytics.dashboard import build
    from jingwu.analytics.reports import _sections, source_rows

    county = data
    with translation.override("en"):
        d = build(county.chief, county.west)
        heading, columns, rows = _sections(d)[0]
        sql = {r[0]: r for r in source_rows(d)}
    assert "Source query" in [str(c) for c in columns]
    by_name = {r[0]: r for r in rows}
    assert "incidents.Incident WHERE" in by_name["Incidents"][-1]
    assert 'FROM "incidents_incident"' in sql["Incidents"][3]
