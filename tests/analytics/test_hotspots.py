"""Tomorrow's hot spots of a unit: the engine's forecast on the incidents the user sees."""

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.analytics.hotspots import forecast_for
from jingwu.core.clock import data_date
from jingwu.incidents.services import do_record_incident

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _near(cell, incident, metres=200):
    return (
        abs(cell["lon"] - incident.lon) * 95_000 < metres
        and abs(cell["lat"] - incident.lat) * 110_574 < metres
    )


def test_the_hot_cells_are_where_the_incidents_were(county):
    # three more thefts at the west station's spot: it is the hottest cell by counts
    for day in (3, 4, 5):
        do_record_incident(
            actor=None,
            bureau=county.bureau,
            category="0101",
            received_at=dt.datetime(2018, 6, day, 9, 0, tzinfo=BJ),
            lon=county.inc_west_theft.lon,
            lat=county.inc_west_theft.lat,
        )
    h = forecast_for(county.command, county.hq, "naive")
    assert h.day == data_date(county.bureau) + dt.timedelta(days=1)
    assert h.events == 7
    assert h.cells and _near(h.cells[0], county.inc_west_theft)
    # a cell holds 4 of the 7 events by counts: its share of the forecast is 4/7
    assert h.cells[0]["share"] == pytest.approx(4 / 7)
    rows = {r["unit"]: r for r in h.by_child}
    assert set(rows) == {county.west, county.east}
    assert rows[county.west]["hot_cells"] >= 1
    assert sum(r["share"] for r in h.by_child) == pytest.approx(100.0)  # every event's cell is hot here
    kde = forecast_for(county.command, county.hq, "kde")
    assert kde.cells and _near(kde.cells[0], county.inc_west_theft, metres=400)


def test_a_chief_forecasts_the_own_station_from_its_own_incidents(county):
    h = forecast_for(county.chief, county.west, "naive")
    assert h.events == 2  # the east's incidents are not the chief's
    assert all(not _near(c, county.inc_east_theft, 500) for c in h.cells)


def test_the_page_and_its_map(client, county):
    client.force_login(county.command)
    r = client.get(reverse("analytics:hotspots", args=[county.hq.pk]), {"method": "naive"})
    assert r.status_code == 200
    assert r.context["h"].cells
    assert b"jw-hotspot-map" in r.content
    data = client.get(reverse("analytics:hotspots_map", args=[county.hq.pk]), {"method": "naive"}).json()
    assert len(data["layers"]["grids"]["features"]) == len(r.context["h"].cells)
    assert {f["properties"]["id"] for f in data["layers"]["areas"]["features"]} == {
        county.west.pk,
        county.east.pk,
    }


def test_no_incidents_to_learn_from_is_said(client, county):
    client.force_login(county.command)
    r = client.get(reverse("analytics:hotspots", args=[county.ic.pk]))
    assert r.context["h"].reason == "This unit has no area of its own to forecast."
    client.force_login(county.political)
    r = client.get(reverse("analytics:hotspots", args=[county.hq.pk]))
    assert r.status_code == 200 and r.context["h"] is None
    assert client.get(reverse("analytics:hotspots_map", args=[county.hq.pk])).json() == {"layers": {}}


def test_the_outsider_gets_nothing(client, county, other_county):
    client.force_login(other_county.command)
    assert client.get(reverse("analytics:hotspots", args=[county.hq.pk])).status_code == 404
    assert client.get(reverse("analytics:hotspots_map", args=[county.west.pk])).status_code == 404
