"""Possible victims of a series who never reported (未报案被害人/余罪线索): the services and
their bad input, who sees and records which leads, the pages, the one click from the
proxy list of key premises, the export."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.cases.models import Series, SeriesIncident
from jingwu.core.models import AuditEvent
from jingwu.series import services
from jingwu.series.models import LeadSource, LeadStatus, UnreportedLead

from ..conftest import X0, Y0

pytestmark = pytest.mark.django_db

# The test county's data reach 2018-06-03 (its last incident): its "today".
LATEST = dt.date(2018, 6, 3)
WEST_SPOT = (X0 + 0.006, Y0 + 0.003)  # grid S01-Z1-G1 of the west station (south zone)
EAST_SPOT = (X0 + 0.032, Y0 + 0.012)  # the east station's grid


def _series(county):
    """A series of the two thefts (west and east): the center's and both stations'."""
    s = Series.objects.create(bureau=county.bureau, code="T1", name="系列盗窃", origin="analyst")
    for inc in (county.inc_west_theft, county.inc_east_theft):
        SeriesIncident.objects.create(bureau=county.bureau, series=s, incident=inc)
    return s


def _admitted(county, series, spot, actor=None, **kw):
    lon, lat = spot
    data = {
        "source": LeadSource.ADMISSION,
        "first_day": dt.date(2018, 5, 20),
        "approximate": True,
        "description": "嫌疑人供述：五月下旬撬门盗窃现金",
        "address": "城西路3号",
        "lon": lon,
        "lat": lat,
    } | kw
    return services.do_add_lead(series, actor=actor if actor is not None else county.center, **data)


@pytest.fixture
def leads(county):
    c = county
    c.series = _series(c)
    c.lead_west = _admitted(c, c.series, WEST_SPOT)
    c.lead_east = _admitted(c, c.series, EAST_SPOT, address="城东路8号")
    return c


def test_a_located_lead_is_assigned_to_the_station_zone_and_grid_of_its_place(leads):
    c = leads
    w = c.lead_west
    assert (w.station, w.zone, w.grid) == (c.west, c.zone_s, c.grid_s1)
    assert (c.lead_east.station, c.lead_east.grid) == (c.east, c.grid_e1)
    assert w.status == LeadStatus.TO_CONTACT and w.added_by == c.center
    assert w.due == dt.date(2018, 6, 17)  # 14 days after the bureau's latest day, not the server's
    ev = AuditEvent.objects.get(object_type="series.unreportedlead", object_id=str(w.pk), action="create")
    assert ev.unit_path == c.grid_s1.path and ev.after["series"] == "T1"


def test_an_unlocated_lead_goes_to_the_station_chosen(county):
    s = _series(county)
    lead = services.do_add_lead(
        s,
        actor=county.center,
        source=LeadSource.ANALYST,
        first_day=dt.date(2018, 5, 2),
        last_day=dt.date(2018, 5, 9),
        description="同一手法，时间地点不详",
        station=county.east,
    )
    assert (lead.station, lead.zone, lead.grid, lead.last_day) == (
        county.east,
        None,
        None,
        dt.date(2018, 5, 9),
    )


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"first_day": dt.date(2018, 6, 4)}, "first_day", "2018-06-03"),  # after the data date
        ({"first_day": None}, "first_day", "approximate day"),
        ({"last_day": dt.date(2018, 5, 1)}, "last_day", "before its start"),
        ({"last_day": dt.date(2018, 7, 1)}, "last_day", "2018-06-03"),
        ({"source": "rumour"}, "source", "where the lead comes from"),
        ({"lat": None}, "lon", "both longitude and latitude"),
        ({"description": "", "address": ""}, "description", "where it happened"),
        ({"lon": None, "lat": None}, "station", "Choose the station"),
        ({"lon": 100.0, "lat": 20.0}, "station", "outside every station"),
        ({"due": dt.date(2018, 6, 1)}, "due", "before 2018-06-03"),
    ],
)
def test_bad_leads_are_refused_with_a_message_and_nothing_saved(county, kw, field, words):
    s = _series(county)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        _admitted(county, s, WEST_SPOT, **kw)
    assert field in exc.value.message_dict
    assert words in " ".join(exc.value.message_dict[field])
    assert not UnreportedLead.objects.filter(bureau=county.bureau).exists()
    assert not AuditEvent.objects.filter(object_type="series.unreportedlead").exists()


def test_messages_are_translated(county):
    s = _series(county)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        _admitted(county, s, WEST_SPOT, first_day=dt.date(2018, 6, 4))
    assert "2018-06-03" in exc.value.message_dict["first_day"][0]
    assert "bureau" not in exc.value.message_dict["first_day"][0]


def test_a_chief_cannot_assign_a_follow_up_to_another_station(county):
    s = _series(county)
    with translation.override("en"), pytest.raises(PermissionDenied, match="outside your units"):
        _admitted(county, s, EAST_SPOT, actor=county.chief)
    with pytest.raises(PermissionDenied):
        services.do_add_lead(
            s,
            actor=county.chief,
            source="analyst",
            first_day=dt.date(2018, 5, 2),
            address="x",
            station=county.east,
        )
    assert not UnreportedLead.objects.filter(bureau=county.bureau).exists()
    assert _admitted(county, s, WEST_SPOT, actor=county.chief).station == county.west


@pytest.mark.parametrize("persona", ["command", "zone_lead", "community", "planner", "auditor", "prevention"])
def test_who_may_not_add_leads(county, persona):
    s = _series(county)
    with pytest.raises(PermissionDenied):
        _admitted(county, s, WEST_SPOT, actor=getattr(county, persona))
    assert not UnreportedLead.objects.filter(bureau=county.bureau).exists()


def test_an_outsider_adds_nothing_to_the_series(county, outsider):
    s = _series(county)
    with pytest.raises(PermissionDenied):
        _admitted(county, s, WEST_SPOT, actor=outsider)


# --- outcomes -----------------------------------------------------------------------------


def test_a_report_taken_links_its_incident_and_adds_it_to_the_series(leads):
    c = leads
    lead = services.do_record_outcome(
        c.lead_west,
        actor=c.chief,
        status=LeadStatus.REPORTED,
        day=dt.date(2018, 6, 2),
        note="被害人确认被盗，已补录报警",
        incident=c.inc_west_dispute,
        add_to_series=True,
    )
    lead.refresh_from_db()
    assert (lead.status, lead.incident, lead.followed_up_by, lead.followed_up_on) == (
        LeadStatus.REPORTED,
        c.inc_west_dispute,
        c.chief,
        dt.date(2018, 6, 2),
    )
    assert SeriesIncident.objects.filter(series=c.series, incident=c.inc_west_dispute).exists()
    assert AuditEvent.objects.filter(object_type="cases.series", object_id=str(c.series.pk)).count() == 1
    # done: a second outcome is refused
    with pytest.raises(ValidationError):
        services.do_record_outcome(lead, actor=c.chief, status=LeadStatus.NOT_VICTIM)


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"status": LeadStatus.REPORTED}, "incident", "needs the incident"),
        ({"status": LeadStatus.REPORTED, "incident": "other"}, "incident", "not of this bureau"),
        ({"status": LeadStatus.REPORTED, "incident": "east"}, "incident", "may not see"),
        ({"status": LeadStatus.DECLINED, "incident": "west"}, "incident", "Only a report taken"),
        ({"status": LeadStatus.TO_CONTACT}, "status", "Choose the outcome"),
        ({"status": "maybe"}, "status", "Choose the outcome"),
        ({"status": LeadStatus.NOT_VICTIM, "day": dt.date(2018, 6, 4)}, "day", "2018-06-03"),
    ],
)
def test_bad_outcomes_are_refused_and_nothing_changes(leads, other_county, kw, field, words):
    c = leads
    incidents = {"other": other_county.inc_west_theft, "east": c.inc_east_theft, "west": c.inc_west_theft}
    if "incident" in kw:
        kw = kw | {"incident": incidents[kw["incident"]]}
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.do_record_outcome(c.lead_west, actor=c.chief, **kw)
    assert words in " ".join(exc.value.message_dict[field])
    c.lead_west.refresh_from_db()
    assert c.lead_west.status == LeadStatus.TO_CONTACT and c.lead_west.incident is None
    assert not AuditEvent.objects.filter(object_type="series.unreportedlead", action="update").exists()


def test_who_records_outcomes(leads):
    c = leads
    # the grid's community officer knocks on the west door; the east one is not theirs
    services.do_record_outcome(c.lead_west, actor=c.community, status=LeadStatus.UNREACHABLE)
    with pytest.raises(PermissionDenied):
        services.do_record_outcome(c.lead_east, actor=c.community, status=LeadStatus.NOT_VICTIM)
    for persona in ("zone_lead", "command", "auditor", "planner"):
        with pytest.raises(PermissionDenied):
            services.do_record_outcome(c.lead_west, actor=getattr(c, persona), status=LeadStatus.NOT_VICTIM)
    # unreachable stays open: tried again, by the center this time
    lead = services.do_record_outcome(
        c.lead_west, actor=c.center, status=LeadStatus.DECLINED, note="不愿报案"
    )
    assert lead.status == LeadStatus.DECLINED and not lead.is_open


def test_overdue_is_against_the_bureaus_data_date(leads):
    from jingwu.series.selectors import leads_for, mark_overdue, overdue_q

    c = leads
    UnreportedLead.objects.filter(pk=c.lead_west.pk).update(due=dt.date(2018, 6, 2))
    UnreportedLead.objects.filter(pk=c.lead_east.pk).update(due=dt.date(2018, 6, 3))
    over = leads_for(c.center).filter(overdue_q([c.bureau.pk]))
    assert list(over) == [UnreportedLead.objects.get(pk=c.lead_west.pk)]
    rows = {r.pk: r.overdue for r in mark_overdue(leads_for(c.center))}
    assert rows == {c.lead_west.pk: True, c.lead_east.pk: False}
    services.do_record_outcome(c.lead_west, actor=c.chief, status=LeadStatus.NOT_VICTIM)
    assert not leads_for(c.center).filter(overdue_q([c.bureau.pk])).exists()


# --- who sees which leads -----------------------------------------------------------------

SEES = {
    "command": {"west", "east"},
    "planner": set(),
    "center": {"west", "east"},
    "prevention": set(),
    "chief": {"west"},
    "zone_lead": {"west"},
    "community": {"west"},
    "political": set(),
    "auditor": {"west", "east"},
    "sysadmin": set(),
    "outsider": set(),
}
LIST_PAGE = {p: 200 if rows else 404 for p, rows in SEES.items()} | {"outsider": 200}


def _user(c, other, persona):
    return other.chief if persona == "outsider" else getattr(c, persona)


@pytest.mark.parametrize("persona", sorted(SEES))
def test_the_follow_up_list_shows_each_persona_its_leads(client, leads, other_county, persona):
    c = leads
    names = {c.lead_west.pk: "west", c.lead_east.pk: "east"}
    client.force_login(_user(c, other_county, persona))
    r = client.get(reverse("series:lead_list"))
    assert r.status_code == LIST_PAGE[persona]
    if r.status_code == 200:
        assert {names[x.pk] for x in r.context["page"]} == SEES[persona]
    for lead, name in ((c.lead_west, "west"), (c.lead_east, "east")):
        r = client.get(reverse("api:series-lead-detail", args=[lead.pk]))
        assert r.status_code == (200 if name in SEES[persona] else 404), (persona, name)
    r = client.get(reverse("api:series-lead-list"))
    assert r.status_code == 200
    assert {names[row["id"]] for row in r.json()["results"]} == SEES[persona]


# the series page's follow-up section: who sees the series sees its leads in their area
SERIES_PAGE = {
    "command": (200, {"west", "east"}),
    "center": (200, {"west", "east"}),
    "chief": (200, {"west"}),
    "zone_lead": (200, {"west"}),
    "auditor": (200, {"west", "east"}),
    "community": (404, set()),  # no series: the follow-up list is their door
    "planner": (404, set()),
    "outsider": (404, set()),
}


@pytest.mark.parametrize("persona", sorted(SERIES_PAGE))
def test_the_series_page_shows_the_follow_up_with_counts(client, leads, other_county, persona):
    c = leads
    names = {c.lead_west.pk: "west", c.lead_east.pk: "east"}
    client.force_login(_user(c, other_county, persona))
    r = client.get(reverse("series:series_detail", args=[c.series.pk]))
    status, rows = SERIES_PAGE[persona]
    assert r.status_code == status
    if status == 200:
        assert {names[x.pk] for x in r.context["leads"]} == rows
        assert r.context["lead_counts"]["to_contact"] == len(rows)
        assert b'id="jw-follow-up"' in r.content
        assert (b'id="jw-lead-add"' in r.content) == (persona in ("center", "chief"))


def test_recording_an_outcome_from_the_page_with_htmx(client, leads):
    c = leads
    client.force_login(c.community)
    r = client.post(
        reverse("series:lead_outcome", args=[c.lead_west.pk]),
        {"status": "reported", "day": "2018-06-02", "incident": c.inc_west_theft.number, "with_series": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and r.context["error"] == ""
    c.lead_west.refresh_from_db()
    assert c.lead_west.status == "reported" and c.lead_west.incident == c.inc_west_theft
    # without the incident: the row comes back with the message, nothing saved
    client.force_login(c.chief)
    r = client.post(
        reverse("series:lead_outcome", args=[c.lead_west.pk]),
        {"status": "declined"},
        HTTP_HX_REQUEST="true",
    )
    assert "该线索已走访" in r.context["error"]  # the page speaks the bureau's language
    # the east lead: not the community officer's
    client.force_login(c.community)
    r = client.post(reverse("series:lead_outcome", args=[c.lead_east.pk]), {"status": "declined"})
    assert r.status_code == 404
    client.force_login(c.zone_lead)  # sees the west lead, records nothing
    UnreportedLead.objects.filter(pk=c.lead_west.pk).update(status="to_contact", incident=None)
    r = client.post(reverse("series:lead_outcome", args=[c.lead_west.pk]), {"status": "declined"})
    assert r.status_code == 403


def test_adding_a_lead_from_the_page(client, county):
    s = _series(county)
    client.force_login(county.center)
    r = client.post(
        reverse("series:lead_add", args=[s.pk]),
        {
            "source": "admission",
            "first_day": "2018-05-20",
            "address": "城东路8号",
            "lon": str(EAST_SPOT[0]),
            "lat": str(EAST_SPOT[1]),
            "contact_note": "白天在店",
        },
    )
    assert r.status_code == 302
    lead = UnreportedLead.objects.get(series=s)
    assert (lead.station, lead.contact_note) == (county.east, "白天在店")
    r = client.post(
        reverse("series:lead_add", args=[s.pk]),
        {"source": "admission", "first_day": "2018-13-01"},
        follow=True,
    )
    assert "请按“年-月-日”格式输入日期" in r.content.decode()
    assert UnreportedLead.objects.filter(series=s).count() == 1


# --- the one click from the proxy list of key premises -------------------------------------


def test_one_click_from_the_premises_proxy(client, county):
    s = _series(county)
    client.force_login(county.chief)
    r = client.get(reverse("series:series_detail", args=[s.pk]))
    proxy = r.context["follow_up"]
    assert [row["premises"] for row in proxy] == [county.prem_west]  # 146 m from the west theft
    assert not proxy[0]["added"] and b"lead_from_premises" not in r.content
    r = client.post(reverse("series:lead_from_premises", args=[s.pk, county.prem_west.pk]))
    assert r.status_code == 302
    lead = UnreportedLead.objects.get(series=s)
    assert (lead.source, lead.premises, lead.station, lead.grid) == (
        LeadSource.DOOR_TO_DOOR,
        county.prem_west,
        county.west,
        county.grid_s1,
    )
    # dated by the series' span, approximate
    assert (lead.first_day, lead.last_day, lead.approximate) == (
        dt.date(2018, 6, 1),
        dt.date(2018, 6, 2),
        True,
    )
    r = client.get(reverse("series:series_detail", args=[s.pk]))
    assert r.context["follow_up"][0]["added"]
    # a second click: refused, still one lead
    r = client.post(reverse("series:lead_from_premises", args=[s.pk, county.prem_west.pk]), follow=True)
    assert "该场所已在本串并案的走访清单中" in r.content.decode()
    assert UnreportedLead.objects.filter(series=s).count() == 1


def test_one_click_needs_premises_the_user_sees(client, county):
    s = _series(county)
    client.force_login(county.chief)  # the east premises are not the west chief's
    r = client.post(reverse("series:lead_from_premises", args=[s.pk, county.prem_east.pk]))
    assert r.status_code == 404
    client.force_login(county.center)  # the center does not see premises at all
    r = client.post(reverse("series:lead_from_premises", args=[s.pk, county.prem_west.pk]))
    assert r.status_code == 404
    assert not UnreportedLead.objects.filter(series=s).exists()


# --- the export -----------------------------------------------------------------------------


def test_the_follow_up_list_exports_what_the_user_sees(client, leads):
    c = leads
    UnreportedLead.objects.filter(pk=c.lead_west.pk).update(due=dt.date(2018, 6, 1))
    client.force_login(c.chief)
    r = client.get(reverse("imports:export", args=["followups", "csv"]), {"overdue": "true"})
    assert r.status_code == 200 and r["X-Export-Rows"] == "1"
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    assert "城西路3号" in text and "城东路8号" not in text
    client.force_login(c.center)
    r = client.get(reverse("imports:export", args=["followups", "xlsx"]))
    assert r.status_code == 200 and r["X-Export-Rows"] == "2"
    client.force_login(c.planner)
    assert client.get(reverse("imports:export", args=["followups", "csv"])).status_code == 404


def test_adding_with_htmx_answers_the_follow_up_section(client, county):
    s = _series(county)
    client.force_login(county.chief)
    url = reverse("series:lead_from_premises", args=[s.pk, county.prem_west.pk])
    r = client.post(url, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r.context["lead_error"] == ""
    assert [x.premises_id for x in r.context["leads"]] == [county.prem_west.pk]
    assert r.context["follow_up"][0]["added"] and b'id="jw-follow-up"' in r.content
    r = client.post(url, HTTP_HX_REQUEST="true")  # again: the section with the message
    assert "该场所已在本串并案的走访清单中" in r.context["lead_error"]
    r = client.post(
        reverse("series:lead_add", args=[s.pk]),
        {"source": "admission", "first_day": "2018-06-04", "address": "城西路3号"},
        HTTP_HX_REQUEST="true",
    )
    assert "2018-06-03" in r.context["lead_error"] and r.context["lead_counts"]["total"] == 1
    assert UnreportedLead.objects.filter(series=s).count() == 1


# Adding from the series page, per persona: 302 done, 403 the series seen but no right to
# add, 404 the series (or the premises) not seen.
ADD_PAGE = {
    "command": (403, 403),
    "planner": (404, 404),
    "center": (302, 404),  # the center does not see premises: the stations click
    "prevention": (404, 404),
    "chief": (302, 302),
    "zone_lead": (403, 403),
    "community": (404, 404),
    "political": (404, 404),
    "auditor": (403, 403),
    "sysadmin": (404, 404),
    "outsider": (404, 404),
}


@pytest.mark.parametrize("persona", sorted(ADD_PAGE))
def test_who_adds_from_the_series_page(client, county, other_county, persona):
    s = _series(county)
    client.force_login(_user(county, other_county, persona))
    by_hand, one_click = ADD_PAGE[persona]
    r = client.post(
        reverse("series:lead_add", args=[s.pk]),
        {"source": "admission", "first_day": "2018-05-20", "lon": str(WEST_SPOT[0]), "lat": str(WEST_SPOT[1])}
        | {"description": "供述"},
    )
    assert r.status_code == by_hand
    assert UnreportedLead.objects.filter(series=s, premises=None).count() == (1 if by_hand == 302 else 0)
    r = client.post(reverse("series:lead_from_premises", args=[s.pk, county.prem_west.pk]))
    assert r.status_code == one_click
    assert UnreportedLead.objects.filter(series=s, premises=county.prem_west).count() == (
        1 if one_click == 302 else 0
    )
