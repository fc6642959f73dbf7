"""The duty desk: category search (Chinese, pinyin, initials, code, English), fuzzy address
look-up, the place's units, and the duplicate rule on the page and in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from jingwu.engine import intake
from jingwu.engine.vocab import INCIDENT_CATEGORIES
from jingwu.incidents.models import Incident
from jingwu.incidents.services import do_record_incident

from ..conftest import X0, Y0

CATS = [(c.code, c.zh, c.en) for c in INCIDENT_CATEGORIES]


# query -> the first codes found, hand-written
@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("dq", ["0101", "0103"]),  # 盗窃, 盗窃车辆 (initials)
        ("daoqie", ["0101", "0103"]),
        ("盗窃", ["0101", "0103", "0102"]),  # exact, then starting with it, then containing it
        ("rsdq", ["0102"]),
        ("0301", ["0301"]),
        ("03", ["03", "0301", "0302"]),
        ("jiufen", ["04", "0401", "0402"]),  # the family starts with it; linlijiufen… contain it
        ("Fraud", ["0104"]),
        ("ＤＱ", ["0101", "0103"]),  # full-width
        ("zzz", []),
    ],
)
def test_category_search(query, first):
    got = [h.code for h in intake.search_categories(query, CATS)]
    assert got[: len(first)] == first


def test_every_category_has_pinyin_of_as_many_syllables_as_characters():
    for c in INCIDENT_CATEGORIES:
        assert len(intake.CATEGORY_PINYIN[c.code].split()) == len(c.zh), c.code


@pytest.mark.parametrize(
    ("query", "candidate", "low", "high"),
    [
        ("城西路1号", "城西路1号", 1.0, 1.0),
        ("城西路1", "城西路1号", 0.8, 0.95),  # a typed prefix
        ("城西路一号", "城西路1号", 0.3, 0.7),
        ("城西璐1号", "城西路1号", 0.3, 0.7),  # a wrong character
        ("城东路5号", "城西路1号", 0.0, 0.3),
        ("", "城西路1号", 0.0, 0.0),
    ],
)
def test_address_score(query, candidate, low, high):
    assert low <= intake.address_score(query, candidate) <= high


def test_an_address_with_the_typed_number_comes_first():
    """ "城西璐1" (路 mistyped, 号 not yet typed) shares one bigram with 城西路1号 (of seven)
    and one with 城西宾馆 (of six): the number it holds puts the street address first."""
    book = [("城西宾馆", "p"), ("城西路1号", "i"), ("城西路12号", "j"), ("城东路5号", "k")]
    assert [a for _, a, _ in intake.rank_addresses("城西璐1", book)] == ["城西路1号", "城西宾馆"]
    # an exact match stays first; a number alone brings nothing in
    ranked = intake.rank_addresses("城西路1号", [*book, ("城西路1号302室", "m")])
    assert [a for _, a, _ in ranked][:3] == ["城西路1号", "城西路1号302室", "城西路12号"]
    assert ranked[0][0] == 1.0 and ranked[1][0] < 1.0
    assert intake.rank_addresses("城西璐1", [("东门1号楼", "x")]) == []


def test_metres_and_box():
    assert abs(intake.metres(120.0, 31.0, 120.0, 31.001) - 111.2) < 0.5
    x0, y0, x1, y1 = intake.bbox(120.0, 31.0, 150)
    assert intake.metres(120.0, 31.0, x1, 31.0) == pytest.approx(150, rel=0.01)


# Who gets the desk: those who record incidents.
DESK = {
    "command": 403,
    "planner": 200,
    "center": 403,
    "prevention": 404,
    "chief": 200,
    "zone_lead": 200,
    "community": 200,
    "political": 404,
    "auditor": 403,
    "sysadmin": 404,
}


@pytest.mark.parametrize("persona", sorted(DESK))
def test_who_gets_the_desk(client, county, persona):
    client.force_login(getattr(county, persona))
    for name in ("intake:desk", "intake:categories", "intake:addresses", "intake:where", "intake:duplicates"):
        assert client.get(reverse(name)).status_code == DESK[persona], name


def test_the_lookups(client, county):
    client.force_login(county.community)
    r = client.get(reverse("intake:categories"), {"q": "dq"}).json()["results"]
    assert [x["code"] for x in r[:2]] == ["0101", "0103"] and r[0]["criminal"] is True
    r = client.get(reverse("intake:addresses"), {"q": "城西路１"}).json()["results"]
    # 城西路9号 is an incident of grid S2, outside this officer's grid: not offered
    assert [x["address"] for x in r[:2]] == ["城西路1号", "城西宾馆"]
    assert (r[0]["station"], r[0]["zone"], r[0]["grid"]) == ("城西派出所", "南片", "南片一格")
    client.force_login(county.chief)
    r = client.get(reverse("intake:addresses"), {"q": "城西路１"}).json()["results"]
    assert [x["address"] for x in r[:2]] == ["城西路1号", "城西路9号"]
    client.force_login(county.community)
    r = client.get(reverse("intake:addresses"), {"q": "城西宾馆"}).json()["results"]
    assert r[0]["address"] == "城西宾馆"  # a key premises by name
    r = client.get(reverse("intake:where"), {"lon": X0 + 0.03, "lat": Y0 + 0.01}).json()
    assert (r["station"], r["zone"], r["grid"]) == ("城东派出所", "东片", "东片一格")
    r = client.get(reverse("intake:where"), {"lon": 100, "lat": 20}).json()
    assert "outside" in r["error"] or "范围" in r["error"]


def _post(client, **extra):
    data = {
        "category": "0101",
        "received_at": "2018-06-01T09:50",
        "source": "call_110",
        "address": "城西路1号",
        "lon": X0 + 0.0041,
        "lat": Y0 + 0.0041,
        "description": "自行车被盗",
        "reporter_name": "李四",
        "reporter_phone": "13800000002",
    }
    return client.post(reverse("intake:desk"), data | extra)


def test_the_desk_warns_of_a_duplicate_and_records_it_once_confirmed(client, county):
    client.force_login(county.community)
    n = Incident.objects.count()
    r = client.get(
        reverse("intake:duplicates"),
        {"category": "0101", "lon": X0 + 0.0041, "lat": Y0 + 0.0041, "received_at": "2018-06-01T09:50"},
    ).json()["results"]
    assert [x["number"] for x in r] == [county.inc_west_theft.number] and r[0]["metres"] < 20
    r = _post(client)
    assert r.status_code == 400 and Incident.objects.count() == n
    assert county.inc_west_theft.number in r.content.decode()
    r = _post(client, allow_duplicate="on")
    assert r.status_code == 302 and Incident.objects.count() == n + 1
    new = Incident.objects.latest("pk")
    assert (new.grid, new.zone, new.station, new.category.code) == (
        county.grid_s1,
        county.zone_s,
        county.west,
        "0101",
    )
    assert new.received_at == dt.datetime(2018, 6, 1, 1, 50, tzinfo=dt.UTC)  # 09:50 in the bureau's zone


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"received_at": "2018-06-01T12:00"}, None),  # over an hour later: no duplicate
        ({"category": "0102"}, None),  # another category
        ({"lon": X0 + 0.008}, None),  # 400 m away
        ({"category": "9999"}, "9999"),
        ({"lon": 100.0, "lat": 20.0}, "100.00000"),  # outside the bureau
        ({"received_at": "2099-01-01T00:00"}, "当前时间"),
        ({"lon": X0 + 0.03, "lat": Y0 + 0.01}, "无权"),  # the east: not the community officer's grid
    ],
)
def test_desk_inputs(client, county, change, words):
    client.force_login(county.community)
    n = Incident.objects.count()
    r = _post(client, **change)
    if words is None:
        assert r.status_code == 302 and Incident.objects.count() == n + 1
    else:
        assert r.status_code == 400 and Incident.objects.count() == n
        assert words in r.content.decode()


def test_the_api_applies_the_same_duplicate_rule(county):
    api = APIClient()
    api.force_authenticate(county.chief)
    body = {
        "category": county.inc_west_theft.category_id,
        "received_at": "2018-06-01T10:10:00+08:00",
        "lon": X0 + 0.0042,
        "lat": Y0 + 0.0039,
    }
    n = Incident.objects.count()
    r = api.post(reverse("api:incident-list"), body, format="json")
    assert r.status_code == 400 and county.inc_west_theft.number in str(r.json()["allow_duplicate"])
    assert Incident.objects.count() == n
    r = api.post(reverse("api:incident-list"), body | {"allow_duplicate": True}, format="json")
    assert r.status_code == 201 and Incident.objects.count() == n + 1


def test_recorded_addresses_come_from_the_users_own_area_only(client, county):
    """An incident's address may be a victim's home: the desk offers those of the user's area."""
    client.force_login(county.community)  # the west station's grid S1
    r = client.get(reverse("intake:addresses"), {"q": "城东路"}).json()["results"]
    assert "城东路5号" not in [x["address"] for x in r] and "城东路7号" not in [x["address"] for x in r]
    client.force_login(county.planner)  # the whole bureau
    r = client.get(reverse("intake:addresses"), {"q": "城东路"}).json()["results"]
    assert {"城东路5号", "城东路7号"} <= {x["address"] for x in r}


def test_the_outsider_gets_nothing_of_this_bureau(client, county, outsider):
    client.force_login(outsider)
    r = client.get(reverse("intake:addresses"), {"q": "城西路1号"}).json()["results"]
    assert r and all(x["lon"] > X0 + 0.4 for x in r)  # their own bureau's namesake street only
    r = client.get(
        reverse("intake:duplicates"),
        {"category": "0101", "lon": X0 + 0.0041, "lat": Y0 + 0.0041, "received_at": "2018-06-01T09:50"},
    ).json()["results"]
    assert r == []


def test_a_duplicate_outside_the_users_area_is_counted_not_named(county):
    """Grid S1 ends at X0 + 0.01: an incident just across, in grid S2, is outside the
    community officer's area; the refusal counts it without its number."""
    from django.core.exceptions import ValidationError as Invalid

    when = dt.datetime(2018, 6, 2, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    across = do_record_incident(
        actor=None, bureau=county.bureau, category="0401", received_at=when, lon=X0 + 0.0105, lat=Y0 + 0.005
    )
    assert across.grid == county.grid_s2
    here = {"bureau": county.bureau, "category": "0401", "lon": X0 + 0.0095, "lat": Y0 + 0.005}
    here["allow_duplicate"] = False
    with translation.override("en"), pytest.raises(Invalid) as exc:
        do_record_incident(actor=county.community, received_at=when + dt.timedelta(minutes=10), **here)
    text = " ".join(exc.value.messages)
    assert across.number not in text and "1 incident outside your area" in text
    with translation.override("en"), pytest.raises(Invalid) as exc:
        do_record_incident(actor=county.chief, received_at=when + dt.timedelta(minutes=10), **here)
    assert across.number in " ".join(exc.value.messages)
