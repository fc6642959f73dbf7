"""The REST API: what each persona sees and may change, mirroring tests/test_pages.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.pagination import PageNumberPagination
from rest_framework.test import APIClient

from jingwu.core.models import AuditEvent

ENDPOINTS = ["units", "officers", "postings", "premises", "incidents", "cases"]
BASENAME = {
    "units": "unit",
    "officers": "officer",
    "postings": "posting",
    "premises": "premises",
    "incidents": "incident",
    "cases": "case",
}
PERSONAS = [
    "command",
    "planner",
    "center",
    "prevention",
    "chief",
    "zone_lead",
    "community",
    "political",
    "auditor",
    "sysadmin",
]

# What each persona of the test county sees: 12 units, 6 officers (one posting each),
# 2 premises, 4 incidents and the 3 cases of the ``c`` fixture.
EXPECTED = {
    "command": {"units": 12, "officers": 6, "postings": 6, "premises": 2, "incidents": 4, "cases": 3},
    "planner": {"units": 12, "officers": 6, "postings": 6, "premises": 2, "incidents": 4, "cases": 0},
    "center": {"units": 12, "officers": 1, "postings": 1, "premises": 0, "incidents": 2, "cases": 1},
    "prevention": {"units": 12, "officers": 0, "postings": 0, "premises": 2, "incidents": 0, "cases": 0},
    "chief": {"units": 6, "officers": 4, "postings": 4, "premises": 1, "incidents": 2, "cases": 2},
    "zone_lead": {"units": 3, "officers": 3, "postings": 3, "premises": 1, "incidents": 1, "cases": 1},
    "community": {"units": 1, "officers": 0, "postings": 0, "premises": 1, "incidents": 1, "cases": 0},
    "political": {"units": 12, "officers": 6, "postings": 6, "premises": 0, "incidents": 0, "cases": 0},
    "auditor": {"units": 12, "officers": 6, "postings": 6, "premises": 2, "incidents": 4, "cases": 3},
    "sysadmin": {"units": 12, "officers": 0, "postings": 0, "premises": 0, "incidents": 0, "cases": 0},
}


def list_url(name: str) -> str:
    return reverse(f"api:{BASENAME[name]}-list")


def detail_url(name: str, pk: int) -> str:
    return reverse(f"api:{BASENAME[name]}-detail", args=[pk])


def make_case(county, number, kind, unit, category=None, days=0):
    from jingwu.cases.models import Case
    from jingwu.incidents.models import IncidentCategory

    return Case.objects.create(
        bureau=county.bureau,
        number=number,
        kind=kind,
        category=IncidentCategory.objects.get(code=category) if category else None,
        title=f"Case {number}",
        owning_unit=unit,
        opened_at=dt.datetime(2018, 6, 2, 10, 0, tzinfo=dt.UTC) + dt.timedelta(days=days),
    )


@pytest.fixture
def c(county):
    """The test county with three cases: criminal in the west, administrative in a zone and the east."""
    county.case_west = make_case(county, "A001", "criminal", county.west, "0101")
    county.case_zone = make_case(county, "A002", "administrative", county.zone_s, "0401", days=1)
    county.case_east = make_case(county, "A003", "administrative", county.east, "0301", days=2)
    return county


@pytest.fixture
def api():
    return APIClient()


def as_user(client, user):
    client.force_login(user)
    return client


def rows(client, user, name, **params) -> dict:
    r = as_user(client, user).get(list_url(name), params)
    assert r.status_code == 200, (name, r.content)
    return r.json()


def objects(county) -> dict[str, list]:
    """Every row of the county, per endpoint."""
    from jingwu.cases.models import Case
    from jingwu.incidents.models import Incident
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Officer, Posting
    from jingwu.places.models import Premises

    models = {
        "units": Unit,
        "officers": Officer,
        "postings": Posting,
        "premises": Premises,
        "incidents": Incident,
        "cases": Case,
    }
    return {name: list(m.objects.filter(bureau=county.bureau)) for name, m in models.items()}


# --- reads and scope -------------------------------------------------------------------


def test_the_api_needs_log_in(api, c):
    for name in ENDPOINTS:
        assert api.get(list_url(name)).status_code in (401, 403), name
    assert api.get(detail_url("officers", c.off_chief.pk)).status_code in (401, 403)


def test_the_api_root_lists_every_endpoint(api, c):
    r = as_user(api, c.command).get(reverse("api:api-root"))
    assert r.status_code == 200
    # the duty rosters and their entries are counted per persona in tests/duty, the
    # evaluation's endpoints in tests/evaluation/test_api.py, the cases' rules, limits,
    # deadlines and reviews in tests/cases/test_api_rules_deadlines_reviews.py
    evaluation = {
        "eval-cycles",
        "eval-standards",
        "eval-files",
        "eval-objections",
        "eval-appeals",
        "eval-stars",
        "eval-family-visits",
        "eval-training-days",
        "eval-career-plans",
    }
    cases = {"case-routing-rules", "case-deadline-limits", "case-deadlines", "case-reviews"}
    # tests/series/test_api.py and test_follow_up_api.py
    series = {"series", "series-links", "series-runs", "series-leads"}
    callbacks = {"incident-callbacks"}  # tests/incidents/test_callbacks.py (personas, outsider)
    assert (
        set(r.json())
        == set(ENDPOINTS) | {"duty-rosters", "duty-entries"} | evaluation | cases | series | callbacks
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_counts_per_persona(api, c, persona):
    user = getattr(c, persona)
    counts = {name: rows(api, user, name)["count"] for name in ENDPOINTS}
    assert counts == EXPECTED[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_visible_row_opens_and_every_other_is_404(api, c, persona):
    user = getattr(c, persona)
    for name, objs in objects(c).items():
        visible = {row["id"] for row in rows(api, user, name)["results"]}
        for obj in objs:
            status = api.get(detail_url(name, obj.pk)).status_code
            assert status == (200 if obj.pk in visible else 404), (persona, name, obj)


def test_a_station_chief_sees_nothing_of_the_other_station(api, c):
    as_user(api, c.chief)
    for name, obj in [
        ("units", c.east),
        ("officers", c.off_east),
        ("postings", c.off_east.postings.get()),
        ("premises", c.prem_east),
        ("incidents", c.inc_east_theft),
        ("cases", c.case_east),
    ]:
        assert api.get(detail_url(name, obj.pk)).status_code == 404, name
    seen = {row["id"] for row in rows(api, c.chief, "units")["results"]}
    assert c.west.pk in seen and c.east.pk not in seen and c.hq.pk not in seen


def test_the_investigation_center_sees_criminal_work_bureau_wide(api, c):
    numbers = {row["number"] for row in rows(api, c.center, "incidents")["results"]}
    assert numbers == {c.inc_west_theft.number, c.inc_east_theft.number}
    assert [row["number"] for row in rows(api, c.center, "cases")["results"]] == ["A001"]
    assert api.get(detail_url("incidents", c.inc_east_traffic.pk)).status_code == 404


def test_an_outsider_sees_none_of_the_county(api, c, outsider):
    for name, objs in objects(c).items():
        data = rows(api, outsider, name)
        assert all(row["bureau"] != c.bureau.pk for row in data["results"]), name
        for obj in objs:
            assert api.get(detail_url(name, obj.pk)).status_code == 404, (name, obj)
    for name in ["units", "officers", "postings", "premises", "incidents"]:
        assert rows(api, outsider, name)["count"] > 0, name  # their own bureau's rows


# --- personal data ---------------------------------------------------------------------


def test_officers_show_masked_personal_data_and_reading_one_is_audited(api, c):
    o = c.off_comm
    listed = as_user(api, c.chief).get(list_url("officers")).content.decode()
    assert o.id_number not in listed and o.phone not in listed
    views = AuditEvent.objects.filter(action="view").count()
    r = api.get(detail_url("officers", o.pk))
    assert r.status_code == 200
    body = r.content.decode()
    assert o.id_number not in body and o.phone not in body
    data = r.json()
    assert data["id_number_masked"] == o.id_number_masked
    assert data["phone_masked"] == o.phone_masked
    assert "id_number" not in data and "phone" not in data and "home_lon" not in data
    assert data["current_postings"][0]["unit"] == c.grid_s1.pk
    assert data["skills"] == [{"skill": "community_work", "level": 3}]
    assert AuditEvent.objects.filter(action="view").count() == views + 1
    event = AuditEvent.objects.filter(action="view").order_by("-id").first()
    assert event.actor == c.chief and event.object_id == str(o.pk) and event.via == "api"
    assert AuditEvent.objects.filter(action="view").count() == views + 1  # the list is not a look


def test_incidents_show_the_reporter_masked(api, c):
    r = as_user(api, c.command).get(detail_url("incidents", c.inc_west_theft.pk))
    body = r.content.decode()
    assert "张三" not in body and "13800000001" not in body
    data = r.json()
    assert data["reporter_masked"] == "张*"
    assert data["reporter_phone_masked"] == "138****0001"
    assert data["category_code"] == "0101" and data["grid"] == c.grid_s1.pk


# --- writes ----------------------------------------------------------------------------


def test_a_write_without_change_permission_is_403(api, c):
    as_user(api, c.command)  # bureau command: view only
    assert api.patch(detail_url("units", c.west.pk), {"residents": 1}, format="json").status_code == 403
    assert (
        api.patch(detail_url("officers", c.off_chief.pk), {"status": "leave"}, format="json").status_code
        == 403
    )
    assert (
        api.patch(detail_url("premises", c.prem_west.pk), {"employees": 3}, format="json").status_code == 403
    )
    r = api.post(
        list_url("incidents"),
        {
            "category": _category_pk("0101"),
            "received_at": "2018-07-01T10:00:00+08:00",
            "lon": 119.905,
            "lat": 31.005,
        },
        format="json",
    )
    assert r.status_code == 403
    # a zone lead sees the officers of the zone but may not change them
    r = as_user(api, c.zone_lead).patch(
        detail_url("officers", c.off_comm.pk), {"status": "leave"}, format="json"
    )
    assert r.status_code == 403
    # a community officer may add premises but not change them
    r = as_user(api, c.community).patch(
        detail_url("premises", c.prem_west.pk), {"employees": 3}, format="json"
    )
    assert r.status_code == 403
    c.west.refresh_from_db()
    c.off_comm.refresh_from_db()
    c.prem_west.refresh_from_db()
    assert c.west.residents == 12000 and c.off_comm.status == "active" and c.prem_west.employees == 0


def test_a_write_outside_scope_is_404(api, c):
    as_user(api, c.chief)
    assert (
        api.patch(detail_url("premises", c.prem_east.pk), {"employees": 3}, format="json").status_code == 404
    )
    assert api.patch(detail_url("units", c.east.pk), {"residents": 1}, format="json").status_code == 404
    r = api.post(
        list_url("postings"),
        {"officer": c.off_east.pk, "unit": c.west.pk, "role": "patrol", "start": "2020-01-01"},
        format="json",
    )
    assert r.status_code == 400 and "officer" in r.json()  # an officer out of sight is no valid choice


def test_deletes_and_missing_writes_are_405(api, c):
    as_user(api, c.planner)
    assert api.delete(detail_url("units", c.zone_n.pk)).status_code == 405
    assert api.delete(detail_url("officers", c.off_aux.pk)).status_code == 405
    assert api.delete(detail_url("incidents", c.inc_west_theft.pk)).status_code == 405
    assert (
        api.patch(
            detail_url("incidents", c.inc_west_theft.pk), {"status": "closed"}, format="json"
        ).status_code
        == 405
    )
    assert (
        api.patch(detail_url("postings", c.off_aux.postings.get().pk), {}, format="json").status_code == 405
    )
    # cases are opened and changed through the API (docs/cases.md), never deleted;
    # an auditor reads them only
    as_user(api, c.auditor)
    assert api.post(list_url("cases"), {}, format="json").status_code == 403
    assert api.patch(detail_url("cases", c.case_west.pk), {}, format="json").status_code == 403
    as_user(api, c.chief)
    assert api.delete(detail_url("cases", c.case_west.pk)).status_code == 405


def _officer_payload(**overrides):
    from jingwu.engine.ids import make_id_number

    birth = dt.date(1994, 2, 3)
    data = {
        "police_number": "100099",
        "name": "吴芳",
        "kind": "police",
        "gender": "F",
        "birth_date": birth.isoformat(),
        "id_number": make_id_number("990001", birth, 7, True),
        "rank": "sergeant_2",
        "phone": "13912345678",
        "skills": [{"skill": "community_work", "level": 2}],
    }
    data.update(overrides)
    return data


def test_a_field_error_is_400_in_english(api, c):
    api.cookies["django_language"] = "en"
    as_user(api, c.chief)
    bad = _officer_payload()
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    r = api.post(list_url("officers"), bad, format="json")
    assert r.status_code == 400
    assert r.json() == {
        "id_number": ["The ID number's check digit is wrong: please check it for a typing error."]
    }
    r = api.post(list_url("officers"), _officer_payload(name=""), format="json")
    assert r.status_code == 400 and r.json()["name"] == ["This field may not be blank."]
    r = api.patch(
        detail_url("units", c.zone_s.pk),
        {"valid_from": "2020-01-01", "valid_to": "2019-01-01"},
        format="json",
    )
    assert r.status_code == 400 and r.json() == {"valid_to": ["The end date is before the start date."]}
    r = api.post(
        list_url("premises"),
        {"category": "hotel", "name": "Far away inn", "lon": 100.0, "lat": 30.0},
        format="json",
    )
    assert r.status_code == 400 and "outside the bureau's area" in r.json()["lon"][0]


def test_a_field_error_is_in_chinese_by_default(api, c):
    as_user(api, c.chief)
    bad = _officer_payload()
    bad["id_number"] = bad["id_number"][:-1] + ("0" if bad["id_number"][-1] != "0" else "1")
    r = api.post(list_url("officers"), bad, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert r.json() == {"id_number": ["身份证号码校验位错误，请检查是否输入有误。"]}


def test_creating_through_the_api_is_audited(api, c):
    as_user(api, c.chief)
    r = api.post(list_url("officers"), _officer_payload(), format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["id_number_masked"] is None  # not posted: not (yet) an officer of the chief's
    assert "id_number" not in data and data["skills"] == [{"skill": "community_work", "level": 2}]
    officer_id = data["id"]
    event = AuditEvent.objects.get(
        action="create", object_type="personnel.officer", object_id=str(officer_id)
    )
    assert event.actor == c.chief and event.via == "api"

    # officers are seen through their postings: unposted, the new officer is out of the chief's
    # sight (the headquarters' planners post officers anywhere) ...
    assert api.get(detail_url("officers", officer_id)).status_code == 404
    r = as_user(api, c.planner).post(
        list_url("postings"),
        {"officer": officer_id, "unit": c.zone_n.pk, "role": "zone_lead", "start": "2024-03-01"},
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["unit_name"] == c.zone_n.name
    assert (
        AuditEvent.objects.filter(action="create", object_type="personnel.posting", actor=c.planner).count()
        == 1
    )
    # ... posted in the west, they are in the chief's scope
    r = as_user(api, c.chief).get(detail_url("officers", officer_id))
    assert r.json()["current_postings"][0]["unit"] == c.zone_n.pk

    r = api.post(
        list_url("premises"),
        {
            "category": "entertainment",
            "name": "城西网吧",
            "lon": 119.906,
            "lat": 31.014,
            "responsible_phone": "13700001111",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["grid"] == c.grid_n1.pk and r.json()["phone_masked"] == "137****1111"
    assert "13700001111" not in r.content.decode()
    assert (
        AuditEvent.objects.filter(action="create", object_type="places.premises", actor=c.chief).count() == 1
    )

    r = api.post(
        list_url("units"),
        {
            "parent": c.west.pk,
            "kind": "squad",
            "code": "S01-Q1",
            "name_zh": "巡逻中队",
            "name_en": "Patrol squad",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["path"] == f"{c.west.path}{r.json()['id']}/"
    assert AuditEvent.objects.filter(action="create", object_type="org.unit", actor=c.chief).count() == 1


def test_recording_an_incident_through_the_api(api, c):
    as_user(api, c.community)
    r = api.post(
        list_url("incidents"),
        {
            "category": _category_pk("0401"),
            "received_at": "2018-07-01T10:00:00+08:00",
            "lon": 119.905,
            "lat": 31.005,
            "reporter_name": "刘备",
            "reporter_phone": "13600000002",
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["number"] == "J99000120180701" + "00001"
    assert data["grid"] == c.grid_s1.pk and data["reporter_masked"] == "刘*"
    assert "刘备" not in r.content.decode()
    assert AuditEvent.objects.filter(
        action="create", object_type="incidents.incident", actor=c.community
    ).exists()
    # outside the community officer's grid: the service refuses (403)
    r = api.post(
        list_url("incidents"),
        {
            "category": _category_pk("0401"),
            "received_at": "2018-07-01T10:00:00+08:00",
            "lon": 119.93,
            "lat": 31.01,
        },
        format="json",
    )
    assert r.status_code == 403


def test_updating_through_the_api_is_audited_with_the_reason(api, c):
    as_user(api, c.chief)
    r = api.patch(
        detail_url("officers", c.off_lead.pk), {"phone": "13911112222", "reason": "new phone"}, format="json"
    )
    assert r.status_code == 200, r.content
    assert r.json()["phone_masked"] == "139****2222"
    event = AuditEvent.objects.filter(action="update", object_type="personnel.officer").get()
    assert event.actor == c.chief and event.reason == "new phone" and event.after["phone"] == "13911112222"
    r = api.patch(detail_url("premises", c.prem_west.pk), {"lon": 119.904, "lat": 31.015}, format="json")
    assert r.status_code == 200 and r.json()["grid"] == c.grid_n1.pk
    r = api.put(
        detail_url("units", c.zone_s.pk),
        {
            "parent": c.west.pk,
            "kind": "zone",
            "code": "S01-Z1",
            "name_zh": "南片区",
            "boundary": c.zone_s.boundary,
        },
        format="json",
    )
    assert r.status_code == 200 and r.json()["name_zh"] == "南片区"
    api.cookies["django_language"] = "en"
    r = api.patch(detail_url("units", c.zone_s.pk), {"kind": "grid"}, format="json")
    assert r.status_code == 400 and "cannot be changed" in r.json()["non_field_errors"][0]
    r = api.patch(
        detail_url("officers", c.off_lead.pk),
        {"skills": [{"skill": "patrol", "level": 2}, {"skill": "patrol", "level": 3}]},
        format="json",
    )
    assert r.status_code == 400 and r.json() == {"skills": ["Each skill may be given once."]}


def test_skills_change_through_the_api_and_are_audited(api, c):
    from jingwu.core.models import AuditEvent

    api.force_authenticate(c.chief)
    url = detail_url("officers", c.off_comm.pk)
    r = api.patch(url, {"skills": [{"skill": "patrol", "level": 2}]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["skills"] == [{"skill": "patrol", "level": 2}]
    assert dict(c.off_comm.skills.values_list("skill", "level")) == {"patrol": 2}
    event = AuditEvent.objects.filter(action="update", object_id=str(c.off_comm.pk)).latest("seq")
    assert event.before["skills"] == {"community_work": 3} and event.after["skills"] == {"patrol": 2}
    # a change without "skills" keeps them
    assert api.patch(url, {"rank": c.off_comm.rank}, format="json").status_code == 200
    assert dict(c.off_comm.skills.values_list("skill", "level")) == {"patrol": 2}
    # outside the chief's station: 404, and nothing changes
    r = api.patch(detail_url("officers", c.off_east.pk), {"skills": []}, format="json")
    assert r.status_code == 404 and c.off_east.skills.exists()


# --- tokens, filters, pages ------------------------------------------------------------


def test_token_authentication(api, c):
    r = api.post(reverse("api-token"), {"username": c.chief.username, "password": "x"}, format="json")
    assert r.status_code == 200, r.content
    key = r.json()["token"]
    assert Token.objects.get(user=c.chief).key == key
    other = APIClient()
    r = other.get(list_url("incidents"), HTTP_AUTHORIZATION=f"Token {key}")
    assert r.status_code == 200 and r.json()["count"] == 2
    assert other.get(list_url("incidents"), HTTP_AUTHORIZATION="Token wrong").status_code == 401
    r = APIClient().get(list_url("incidents"))  # no credentials at all: 401 and how to authenticate
    assert r.status_code == 401 and r["WWW-Authenticate"] == "Token"
    r = APIClient().post(
        reverse("api-token"), {"username": c.chief.username, "password": "nope"}, format="json"
    )
    assert r.status_code == 400


def _category_pk(code):
    from jingwu.incidents.models import IncidentCategory

    return IncidentCategory.objects.get(code=code).pk


def _page_count(client, user, url_name, **params) -> int:
    client.force_login(user)
    return client.get(reverse(url_name), params).context["page"].paginator.count


@pytest.mark.parametrize(
    "name,page,params",
    [
        ("officers", "personnel:officer_list", {}),
        ("officers", "personnel:officer_list", {"gender": "F"}),
        ("officers", "personnel:officer_list", {"kind": "auxiliary"}),
        ("officers", "personnel:officer_list", {"unit": "west"}),
        ("officers", "personnel:officer_list", {"skill": "community_work"}),
        ("officers", "personnel:officer_list", {"age": "30-39"}),
        ("officers", "personnel:officer_list", {"q": "李"}),
        ("incidents", "incidents:incident_list", {"category": "01"}),
        ("incidents", "incidents:incident_list", {"category": "0301"}),
        ("incidents", "incidents:incident_list", {"unit": "east"}),
        ("incidents", "incidents:incident_list", {"unit": "zone_s"}),
        ("incidents", "incidents:incident_list", {"received_from": "2018-06-02"}),
        ("incidents", "incidents:incident_list", {"q": "城东"}),
        ("premises", "places:premises_list", {"unit": "west"}),
        ("premises", "places:premises_list", {"category": "hotel"}),
    ],
)
def test_filters_match_the_page_filters(client, api, c, name, page, params):
    params = dict(params)
    if params.get("unit"):
        params["unit"] = getattr(c, params["unit"]).pk
    if name == "incidents" and params.get("category"):
        params["category"] = _category_pk(params["category"])
    expected = _page_count(client, c.command, page, **params)
    assert rows(api, c.command, name, **params)["count"] == expected
    assert 0 < expected < {"officers": 6, "incidents": 4, "premises": 2}[name] or not params


def test_unit_posting_and_case_filters(api, c):
    assert {r["code"] for r in rows(api, c.command, "units", unit=c.zone_s.pk)["results"]} == {
        "S01-Z1",
        "S01-Z1-G1",
        "S01-Z1-G2",
    }
    assert rows(api, c.command, "units", kind="station")["count"] == 2
    assert rows(api, c.command, "units", q="grid 1")["count"] == 3
    assert rows(api, c.command, "units", current="true")["count"] == 12
    assert rows(api, c.command, "postings", unit=c.west.pk)["count"] == 4
    assert rows(api, c.command, "postings", officer=c.off_east.pk)["count"] == 1
    assert rows(api, c.command, "postings", role="chief", current="true")["count"] == 2
    assert rows(api, c.command, "cases", kind="administrative")["count"] == 2
    assert rows(api, c.command, "cases", unit=c.west.pk)["count"] == 2
    assert rows(api, c.command, "cases", category=_category_pk("01"))["count"] == 1
    assert rows(api, c.command, "cases", opened_from="2018-06-03")["count"] == 2
    assert rows(api, c.command, "cases", q="A003")["count"] == 1


def test_a_filter_value_out_of_sight_is_400(api, c):
    as_user(api, c.chief)
    assert api.get(list_url("incidents"), {"unit": c.east.pk}).status_code == 400
    assert api.get(list_url("officers"), {"unit": "nonsense"}).status_code == 400
    assert api.get(list_url("incidents"), {"received_from": "not a date"}).status_code == 400


def test_pagination(api, c, monkeypatch):
    monkeypatch.setattr(PageNumberPagination, "page_size", 3)
    first = rows(api, c.command, "incidents")
    assert first["count"] == 4 and len(first["results"]) == 3 and first["previous"] is None
    assert first["next"].endswith("?page=2")
    second = rows(api, c.command, "incidents", page=2)
    assert len(second["results"]) == 1 and second["next"] is None
    numbers = [r["number"] for r in first["results"] + second["results"]]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == 4
    assert api.get(list_url("incidents"), {"page": 3}).status_code == 404


# --- no N+1 ----------------------------------------------------------------------------


def _grow(c, n: int) -> None:
    """Add ``n`` officers (posted in the west), units, premises, incidents and cases."""
    from jingwu.engine.ids import make_id_number
    from jingwu.incidents.services import do_record_incident
    from jingwu.org.services import do_create_unit
    from jingwu.personnel.services import do_create_officer, do_create_posting
    from jingwu.places.services import do_create_premises

    when = dt.datetime(2019, 1, 1, 8, 0, tzinfo=dt.UTC)
    for i in range(n):
        birth = dt.date(1980 + i % 20, 1 + i % 12, 1 + i % 28)
        o = do_create_officer(
            actor=None,
            bureau=c.bureau,
            police_number=f"2{i:05d}",
            name=f"警员{i}",
            kind="police",
            gender="M",
            birth_date=birth,
            id_number=make_id_number("990001", birth, 10 + i, False),
            skills={"patrol": 2, "traffic": 1},
        )
        do_create_posting(actor=None, officer=o, unit=c.zone_n, role="patrol", start=dt.date(2020, 1, 1))
        do_create_unit(
            actor=None, bureau=c.bureau, parent=c.west, kind="squad", code=f"Q{i}", name_zh=f"中队{i}"
        )
        do_create_premises(
            actor=None,
            bureau=c.bureau,
            category="other",
            name=f"商店{i}",
            lon=119.901 + i * 0.0005,
            lat=31.012,
        )
        do_record_incident(
            actor=None,
            bureau=c.bureau,
            category="0401",
            received_at=when + dt.timedelta(hours=i),
            lon=119.901 + i * 0.0005,
            lat=31.012,
        )
        make_case(c, f"B{i:03d}", "criminal", c.zone_n, "0101", days=i)


def test_list_queries_do_not_grow_with_the_rows(api, c, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    as_user(api, c.command)
    small = {}
    for name in ENDPOINTS:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(list_url(name)).status_code == 200
        small[name] = len(ctx.captured_queries)
    _grow(c, 25)
    for name in ENDPOINTS:
        with django_assert_max_num_queries(small[name]):
            data = api.get(list_url(name)).json()
        assert len(data["results"]) >= 25, name


def test_a_chief_creates_and_posts_an_officer_in_one_step(api, c):
    from jingwu.engine.ids import make_id_number
    from jingwu.personnel.models import Officer

    as_user(api, c.chief)
    r = api.post(list_url("officers"), _officer_payload(unit=c.west.pk, role="staff"), format="json")
    assert r.status_code == 201, r.content
    officer = Officer.objects.get(police_number="100099")
    assert [p.unit_id for p in officer.postings.all()] == [c.west.pk]
    assert api.get(detail_url("officers", officer.pk)).status_code == 200  # the chief sees them now
    # posting outside the chief's station: refused, and the officer is not created either
    r = api.post(
        list_url("officers"),
        _officer_payload(
            police_number="100098",
            unit=c.east.pk,
            id_number=make_id_number("990001", dt.date(1994, 2, 3), 9, True),
        ),
        format="json",
    )
    assert r.status_code == 400 and "unit" in r.json(), r.content  # not one of the chief's units
    assert not Officer.objects.filter(police_number="100098").exists()
    # a posting's dates and unit are not changed through the officer
    r = api.patch(detail_url("officers", officer.pk), {"unit": c.zone_s.pk}, format="json")
    assert r.status_code == 400
