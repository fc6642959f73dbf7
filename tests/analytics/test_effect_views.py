"""Effect evaluation and the reform's claims as pages: refusals, scope and the outsider.

The test county has two stations (too few to compare); the demo county (tests marked
with ``demo_db``) has thirteen, and its reform is measured there.
"""

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.incidents.services import do_record_incident

URL = reverse("analytics:effect")


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Messages are read in English here (the pages' Chinese is checked by test_page_language)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


BJ = dt.timezone(dt.timedelta(hours=8))


def _monthly_incidents(county, months=range(1, 13)):
    """One incident a month in each station of the test county in 2018."""
    for m in months:
        for lon, lat in (
            (county.inc_west_theft.lon, county.inc_west_theft.lat),
            (county.inc_east_theft.lon, county.inc_east_theft.lat),
        ):
            do_record_incident(
                actor=None,
                bureau=county.bureau,
                category="0101",
                received_at=dt.datetime(2018, m, 10, 9, 0, tzinfo=BJ),
                lon=lon,
                lat=lat,
            )


def _ask(client, user, unit, change, measure="incidents", months=3):
    client.force_login(user)
    return client.get(URL, {"unit": unit.pk, "change": change, "measure": measure, "months": months})


def test_the_empty_form_asks_the_question(client, county):
    client.force_login(county.command)
    r = client.get(URL)
    assert r.status_code == 200
    assert r.context["result"] is None
    units = set(r.context["form"].fields["unit"].queryset.values_list("pk", flat=True))
    assert {county.west.pk, county.east.pk, county.zone_s.pk} <= units
    assert county.hq.pk not in units


def test_a_change_date_outside_the_data_is_refused(client, county):
    r = _ask(client, county.command, county.west, "2030-01-01")
    assert r.status_code == 200
    assert r.context["result"] is None
    errors = r.context["form"].errors["change"]
    assert "2030-01-01 is outside the data" in errors[0]
    assert "2018-06-01" in errors[0]  # where the data begin
    assert b"jw-verdict" not in r.content


def test_a_window_the_data_do_not_hold_is_refused(client, county):
    _monthly_incidents(county)
    r = _ask(client, county.command, county.west, "2018-07-01", months=12)
    assert r.context["result"] is None
    msg = r.context["form"].errors["months"][0]
    # the data run from 2018-01-10 to 2018-12-10: January and December are not whole months
    assert "hold 5 whole months before the change and 5 after it" in msg
    assert "compare at most 5 months" in msg


def test_too_few_comparison_stations_are_refused(client, county):
    _monthly_incidents(county)
    r = _ask(client, county.command, county.west, "2018-07-01", months=3)
    assert r.context["result"] is None
    msg = " ".join(r.context["form"].non_field_errors())
    assert "Too few comparison units: 1 other" in msg
    assert "at least 3 are needed" in msg


def test_a_period_with_no_data_at_the_unit_is_refused(client, county):
    _monthly_incidents(county, months=range(7, 13))  # west: nothing before July but the fixture's June
    _monthly_incidents(county, months=range(1, 4))
    r = _ask(client, county.command, county.west, "2018-07-01", months=3)  # April-June: June only
    assert r.context["result"] is None or r.context["result"].treated_before > 0
    r = _ask(client, county.command, county.west, "2018-06-01", months=3)  # March-May: March only
    msg = " ".join(r.context["form"].non_field_errors())
    assert r.context["result"] is None
    assert msg  # refused: one station has data in both windows, too few to compare


def test_an_empty_month_window_at_the_unit_is_named(client, county):
    _monthly_incidents(county, months=range(9, 13))
    _monthly_incidents(county, months=range(1, 3))
    # change on 2018-06-01 (March to May before): no incident at the west station then
    r = _ask(client, county.command, county.west, "2018-06-01", months=3)
    msg = " ".join(r.context["form"].non_field_errors())
    assert "No incidents are recorded at" in msg
    assert "2018-03 to 2018-05" in msg


@pytest.mark.parametrize("persona", ["prevention", "political", "sysadmin"])
def test_personas_without_incidents_get_no_page(client, county, persona):
    client.force_login(getattr(county, persona))
    assert client.get(URL).status_code == 404


def test_the_outsider_cannot_choose_another_bureaus_station(client, county, other_county):
    _monthly_incidents(county)
    r = _ask(client, other_county.chief, county.west, "2018-07-01")
    assert r.status_code == 200
    assert r.context["result"] is None
    assert "outside your area" in r.context["form"].errors["unit"][0]


def test_a_zone_lead_chooses_only_units_in_the_zone(client, county):
    client.force_login(county.zone_lead)
    units = set(client.get(URL).context["form"].fields["unit"].queryset.values_list("pk", flat=True))
    assert units == {county.zone_s.pk}


def test_claims_page_on_a_county_without_the_reform_says_so(client, county):
    client.force_login(county.command)
    r = client.get(reverse("analytics:claims"))
    assert r.status_code == 200
    ((bureau, claims),) = r.context["reports"]
    assert bureau == county.bureau
    by_key = {c.key: c for c in claims}
    assert by_key["textile_incidents"].status == "unmeasured"
    assert "no textile-town station" in by_key["textile_incidents"].note
    assert by_key["station_types"].measured == "1 / 0 / 1"  # west full-spectrum, east preventive
    assert by_key["station_types"].status == "differs"


def test_claims_of_the_outsider_are_their_own_bureaus(client, county, other_county):
    client.force_login(other_county.chief)
    r = client.get(reverse("analytics:claims"))
    assert [b for b, _ in r.context["reports"]] == [other_county.bureau]
