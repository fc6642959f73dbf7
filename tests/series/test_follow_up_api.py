"""The series API's leads (possible victims who never reported): list and filters, adding
(by hand, the one click from premises), recording outcomes, per persona and an outsider."""

from __future__ import annotations

import datetime as dt

import pytest
from rest_framework.test import APIClient

from jingwu.cases.models import SeriesIncident
from jingwu.series.models import UnreportedLead

from .test_follow_up import EAST_SPOT, WEST_SPOT, _admitted, _series

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/series-leads/"


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def leads(county):
    c = county
    c.series = _series(c)
    c.lead_west = _admitted(c, c.series, WEST_SPOT)
    c.lead_east = _admitted(c, c.series, EAST_SPOT, address="城东路8号")
    UnreportedLead.objects.filter(pk=c.lead_west.pk).update(due=dt.date(2018, 6, 1))
    return c


def _ids(r):
    assert r.status_code == 200, r.content
    return [row["id"] for row in r.json()["results"]]


def test_leads_are_listed_due_first_and_filtered(leads):
    c, api = leads, _api(leads.center)
    assert _ids(api.get(LEADS)) == [c.lead_west.pk, c.lead_east.pk]
    assert _ids(api.get(LEADS, {"overdue": "true"})) == [c.lead_west.pk]
    assert _ids(api.get(LEADS, {"overdue": "false"})) == [c.lead_east.pk]
    assert _ids(api.get(LEADS, {"status": "to_contact", "series": c.series.pk})) == [
        c.lead_west.pk,
        c.lead_east.pk,
    ]
    assert _ids(api.get(LEADS, {"status": "declined"})) == []
    row = api.get(f"{LEADS}{c.lead_west.pk}/").json()
    assert row["overdue"] is True and row["series_code"] == "T1" and row["grid"] == c.grid_s1.pk
    assert api.get(LEADS, {"status": "maybe"}).status_code == 400
    assert api.get(LEADS, {"overdue": "soon"}).status_code == 400


def test_adding_by_hand_and_from_premises(county):
    s = _series(county)
    r = _api(county.center).post(
        LEADS,
        {
            "series": s.pk,
            "source": "admission",
            "first_day": "2018-05-21",
            "address": "城东路9号",
            "lon": EAST_SPOT[0],
            "lat": EAST_SPOT[1],
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["station"] == county.east.pk and r.json()["status"] == "to_contact"
    r = _api(county.chief).post(LEADS, {"series": s.pk, "premises": county.prem_west.pk}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["source"] == "door_to_door" and r.json()["first_day"] == "2018-06-01"
    # bad input: 400 with the field, nothing saved
    for body, field in (
        ({"series": s.pk, "source": "admission", "first_day": "2018-07-01", "address": "x"}, "first_day"),
        ({"series": s.pk, "premises": county.prem_west.pk}, "premises"),  # already on the list
        ({"series": s.pk, "premises": county.prem_east.pk}, "premises"),  # not the chief's
        ({"series": 999999, "source": "admission", "first_day": "2018-05-01", "address": "x"}, "series"),
    ):
        r = _api(county.chief).post(LEADS, body, format="json")
        assert r.status_code == 400 and field in r.json(), (body, r.content)
    # the east station is not the west chief's: refused
    r = _api(county.chief).post(
        LEADS,
        {
            "series": s.pk,
            "source": "analyst",
            "first_day": "2018-05-01",
            "address": "x",
            "station": county.east.pk,
        },
        format="json",
    )
    assert r.status_code == 403
    assert UnreportedLead.objects.filter(series=s).count() == 2


@pytest.mark.parametrize("persona", ["command", "zone_lead", "community", "auditor", "planner"])
def test_who_may_not_add_through_the_api(county, persona):
    s = _series(county)
    r = _api(getattr(county, persona)).post(
        LEADS, {"series": s.pk, "source": "analyst", "first_day": "2018-05-01", "address": "x"}, format="json"
    )
    assert r.status_code == 403 and not UnreportedLead.objects.exists()


def test_the_outsider_sees_and_records_nothing(leads, outsider):
    c, api = leads, _api(outsider)
    assert _ids(api.get(LEADS)) == []
    assert api.get(f"{LEADS}{c.lead_west.pk}/").status_code == 404
    assert (
        api.post(f"{LEADS}{c.lead_west.pk}/outcome/", {"status": "declined"}, format="json").status_code
        == 404
    )
    r = api.post(
        LEADS, {"series": c.series.pk, "source": "analyst", "first_day": "2018-05-01", "address": "x"}
    )
    assert r.status_code == 400 and "series" in r.json()  # no series of theirs by that id


def test_recording_outcomes_through_the_api(leads, other_county):
    c = leads
    url = f"{LEADS}{c.lead_west.pk}/outcome/"
    # bad input: a report without its incident, another bureau's incident
    r = _api(c.community).post(url, {"status": "reported"}, format="json")
    assert r.status_code == 400 and "incident" in r.json()
    r = _api(c.community).post(
        url, {"status": "reported", "incident": other_county.inc_west_theft.pk}, format="json"
    )
    assert r.status_code == 400 and "incident" in r.json()
    assert _api(c.zone_lead).post(url, {"status": "declined"}, format="json").status_code == 403
    assert (
        _api(c.community).post(f"{LEADS}{c.lead_east.pk}/outcome/", {"status": "declined"}).status_code == 404
    )
    # the community officer may not change series: asking to add the incident is refused whole
    body = {"status": "reported", "incident": c.inc_west_theft.pk, "day": "2018-06-02"}
    r = _api(c.community).post(url, body | {"add_to_series": True}, format="json")
    assert r.status_code == 403
    assert UnreportedLead.objects.get(pk=c.lead_west.pk).status == "to_contact"
    r = _api(c.community).post(url, body, format="json")
    assert r.status_code == 200, r.content
    row = r.json()
    assert (row["status"], row["incident"], row["overdue"]) == ("reported", c.inc_west_theft.pk, False)
    assert row["incident_number"] == c.inc_west_theft.number
    # the chief adds the report of the west door to the series
    UnreportedLead.objects.filter(pk=c.lead_west.pk).update(status="to_contact", incident=None)
    r = _api(c.chief).post(
        url, {"status": "reported", "incident": c.inc_west_dispute.pk, "add_to_series": True}, format="json"
    )
    assert r.status_code == 200, r.content
    assert SeriesIncident.objects.filter(series=c.series, incident=c.inc_west_dispute).exists()
    r = _api(c.center).post(
        f"{LEADS}{c.lead_east.pk}/outcome/",
        {"status": "reported", "incident": c.inc_east_traffic.pk, "add_to_series": True},
        format="json",
    )
    assert r.status_code == 400  # a traffic accident is no criminal incident: not the center's to see
