"""Public satisfaction: the share of completed callbacks to reporters (警情回访) that were
satisfied or basically satisfied, on the stations' and the county's dashboards."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from jingwu.analytics.indicators import CATALOGUE, codes_for
from jingwu.incidents.services import do_record_callback, do_record_incident
from jingwu.org.models import Unit

BJ = dt.timezone(dt.timedelta(hours=8))
WHEN = dt.datetime(2018, 6, 1, 8, 0, tzinfo=BJ)


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _dash(client, user, unit, **q):
    client.force_login(user)
    r = client.get(reverse("analytics:dashboard", args=[unit.pk]), q)
    assert r.status_code == 200
    return r


def _tile(r, code="satisfaction"):
    return next(((i, v, u) for i, v, u in r.context["d"].indicators if i.code == code), None)


def _west_callbacks(county, results):
    """An incident in the west station's grid S1 for each result, called back on 2018-06-02."""
    for k, result in enumerate(results):
        inc = do_record_incident(
            actor=None,
            bureau=county.bureau,
            category="0401",
            received_at=WHEN + dt.timedelta(minutes=k),
            lon=county.inc_west_theft.lon,
            lat=county.inc_west_theft.lat,
        )
        do_record_callback(
            inc,
            actor=None,
            result=result,
            called_at=dt.datetime(2018, 6, 2, 10, k, tzinfo=BJ),
            note="慢" if result == "unsatisfied" else "",
        )


def test_stations_and_the_county_are_judged_on_public_satisfaction_by_default(county):
    for unit in (county.hq, county.west, county.east):
        assert "satisfaction" in codes_for(unit)
    i = CATALOGUE["satisfaction"]
    assert i.kinds == ("headquarters", "station", "zone", "grid") and i.no_data
    with translation.override("en"):
        assert "basically satisfied" in str(i.definition) and "unreachable" in str(i.definition)


def test_without_a_completed_callback_the_tile_says_no_data_never_a_percentage(client, county):
    r = _dash(client, county.chief, county.west)
    i, value, url = _tile(r)
    assert value is None and url.startswith(reverse("incidents:callback_list"))
    page = r.content.decode()
    tile = page[page.index('id="jw-dash-satisfaction"') :][:200]
    assert "no data" in tile and "%" not in tile.split("</a>")[0]
    # unreachable attempts only: still no data
    inc = county.inc_west_dispute
    do_record_callback(inc, actor=None, result="unreachable", called_at=dt.datetime(2018, 6, 2, 9, tzinfo=BJ))
    assert _tile(_dash(client, county.chief, county.west))[1] is None
    # a report leaves it out rather than print 0 or 100
    from jingwu.analytics.indicators import values_of

    assert "satisfaction" not in [i.code for i, _v in values_of(r.context["d"])]


def test_satisfaction_is_the_share_of_completed_callbacks_and_links_to_them(client, county):
    # 2 satisfied + 1 basically of 4 completed = 75%; the unreachable attempt is not counted
    _west_callbacks(county, ["satisfied", "satisfied", "basically", "unsatisfied", "unreachable"])
    r = _dash(client, county.chief, county.west)
    i, value, url = _tile(r)
    assert value == 75.0
    d = r.context["d"]
    assert d.callbacks["completed"] == 4 and d.callbacks["calls"] == 5
    assert "of 4 completed callbacks" in r.content.decode()
    # the link opens the callback list of the station and the period, with the same share
    rows = client.get(url)
    assert rows.status_code == 200
    assert rows.context["share"] == value and rows.context["agg"]["completed"] == 4
    assert f"called_from={d.first.isoformat()}" in url and f"called_to={d.last.isoformat()}" in url
    # the county counts the same callbacks; the east station has none
    assert _tile(_dash(client, county.command, county.hq))[1] == 75.0
    assert _tile(_dash(client, county.command, county.east))[1] is None


def test_the_zone_lead_counts_only_the_callbacks_of_the_zone(client, county):
    _west_callbacks(county, ["unsatisfied"])  # in zone S
    do_record_callback(
        county.inc_west_dispute,  # zone N
        actor=None,
        result="satisfied",
        called_at=dt.datetime(2018, 6, 2, 9, tzinfo=BJ),
    )
    r = _dash(client, county.chief, county.west)
    assert r.context["d"].satisfaction == 50.0
    # the zone's dashboard: satisfaction is in a zone's default set, its tile shows the zone's figure
    r = _dash(client, county.zone_lead, county.zone_s)
    assert r.context["d"].satisfaction == 0.0 and r.context["d"].callbacks["completed"] == 1
    assert _tile(r)[1] == 0.0
    assert "callbacks" in _tile(r)[2] and f"unit={county.zone_s.pk}" in _tile(r)[2]
    # the grid's, from the one callback of the grid (zone S's incident lies in grid S1)
    grid = county.inc_west_theft.grid
    r = _dash(client, county.chief, grid)
    assert _tile(r)[1] == 0.0 and r.context["d"].callbacks["completed"] == 1
    # a grid without a completed callback: its tile says "no data"
    other = Unit.objects.filter(kind="grid", parent_id=grid.parent_id).exclude(pk=grid.pk).first()
    r = _dash(client, county.chief, other)
    assert _tile(r) is not None and _tile(r)[1] is None
    assert b'id="jw-dash-satisfaction"' in r.content


def test_who_does_not_see_callbacks_gets_no_tile(client, county, outsider):
    _west_callbacks(county, ["satisfied"])
    r = _dash(client, county.prevention, county.hq)  # no incidents, no callbacks
    assert _tile(r) is None and not r.context["d"].sees_callbacks
    client.force_login(outsider)
    assert client.get(reverse("analytics:dashboard", args=[county.west.pk])).status_code == 404
