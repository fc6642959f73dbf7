"""Case pages and the cases API: the same services, the same scope, errors in the user's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jingwu.cases.models import Case, CaseTransfer
from jingwu.cases.services import do_open_case
from jingwu.core.models import AuditEvent


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def _west(county):
    return do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])


# --- pages ---------------------------------------------------------------------------------

# Who gets the list, the board and the new-case form: hand-written from personas.md.
PAGES = {
    #             list board new
    "command": (200, 200, 403),
    "planner": (404, 404, 404),
    "center": (200, 200, 200),
    "prevention": (404, 404, 404),
    "chief": (200, 200, 200),
    "zone_lead": (200, 404, 403),  # owns no case: no board
    "community": (404, 404, 404),
    "political": (404, 404, 404),
    "auditor": (200, 200, 403),
    "sysadmin": (404, 404, 404),
}


@pytest.mark.parametrize("persona", sorted(PAGES))
def test_who_gets_the_case_pages(client, county, persona):
    client.force_login(getattr(county, persona))
    got = tuple(
        client.get(reverse(name)).status_code
        for name in ("cases:case_list", "cases:case_board", "cases:case_new")
    )
    assert got == PAGES[persona]


def test_the_station_list_shows_its_own_cases_and_no_clearance_figure(client, county):
    west = _west(county)
    east = do_open_case(actor=county.center, bureau=county.bureau, incidents=[county.inc_east_theft])
    client.force_login(county.chief)
    r = client.get(reverse("cases:case_list"))
    assert [c.pk for c in r.context["page"]] == [west.pk]
    client.force_login(county.center)
    r = client.get(reverse("cases:case_list"))
    assert {c.pk for c in r.context["page"]} == {west.pk, east.pk}
    body = r.content.decode()
    assert "破案率" not in body and "clearance rate" not in body.lower()


def test_opening_a_case_on_the_page(client, county):
    client.force_login(county.chief)
    r = client.get(reverse("cases:case_new") + f"?incident={county.inc_west_theft.pk}")
    assert r.status_code == 200 and county.inc_west_theft.number in r.content.decode()
    r = client.post(
        reverse("cases:case_new"), {"incidents": county.inc_west_theft.number, "title": "城西盗窃"}
    )
    case = Case.objects.get(title="城西盗窃")
    assert r.status_code == 302 and r.url == reverse("cases:case_detail", args=[case.pk])
    r = client.get(r.url)
    body = r.content.decode()
    assert "城西盗窃" in body and county.inc_west_theft.number in body and "立案确定主办" in body


def test_a_bad_new_case_says_why_in_chinese_and_saves_nothing(client, county):
    client.force_login(county.chief)
    n = Case.objects.count()
    r = client.post(reverse("cases:case_new"), {"incidents": "J000 " + county.inc_east_theft.number})
    assert r.status_code == 200 and Case.objects.count() == n
    assert "没有" in r.content.decode() and "J000" in r.content.decode()


def test_steps_on_the_case_page(client, county):
    case = _west(county)
    client.force_login(county.chief)
    url = reverse("cases:case_detail", args=[case.pk])
    r = client.get(url)
    assert r.status_code == 200 and 'id="transfer-form"' in r.content.decode()
    r = client.post(reverse("cases:case_suspend", args=[case.pk]), {"s-reason": ""})
    assert r.status_code == 400 and "请说明" in r.content.decode()
    case.refresh_from_db()
    assert case.status == "registered"
    r = client.post(reverse("cases:case_suspend", args=[case.pk]), {"s-reason": "嫌疑人在逃"})
    assert r.status_code == 302
    r = client.post(reverse("cases:case_reopen", args=[case.pk]), {"r-reason": "抓获"})
    assert r.status_code == 302
    r = client.post(
        reverse("cases:case_transfer", args=[case.pk]), {"t-to_unit": county.ic.pk, "t-reason": "移交"}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.owning_unit, case.status) == (county.ic, "investigating")
    client.force_login(county.center)
    body = client.get(url).content.decode()
    assert "移交" in body and "嫌疑人在逃" in body and "抓获" in body


def test_the_edit_page_changes_through_the_service(client, county):
    case = _west(county)
    client.force_login(county.chief)
    url = reverse("cases:case_edit", args=[case.pk])
    assert client.get(url).status_code == 200
    r = client.post(
        url,
        {
            "title": "新标题",
            "summary": "",
            "category": "",
            "status": "investigating",
            "deadline": "2018-08-01",
        },
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert (case.title, case.status, case.deadline) == ("新标题", "investigating", dt.date(2018, 8, 1))
    r = client.post(url, {"title": "", "status": "investigating"})
    assert r.status_code == 200 and Case.objects.get(pk=case.pk).title == "新标题"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("outsider", 404),
        ("community", 404),
        ("zone_lead", 404),
        ("command", 403),
        ("auditor", 403),
        ("center", 302),
    ],
)
def test_steps_of_those_who_may_not(client, county, other_county, persona, expected):
    case = _west(county)
    user = other_county.chief if persona == "outsider" else getattr(county, persona)
    client.force_login(user)
    n = CaseTransfer.objects.count()
    r = client.post(reverse("cases:case_suspend", args=[case.pk]), {"s-reason": "x"})
    assert r.status_code == expected
    assert Case.objects.get(pk=case.pk).status == ("suspended" if expected == 302 else "registered")
    assert CaseTransfer.objects.count() == n
    assert client.get(reverse("cases:case_edit", args=[case.pk])).status_code == (
        200 if expected == 302 else expected
    )


# The board: cases written with known ages and deadlines; the county's data date is 2018-06-03.
def _board_cases(county):
    tz = dt.timezone(dt.timedelta(hours=8))

    def mk(n, unit, days_old, status="investigating", deadline=None, kind="criminal"):
        return Case.objects.create(
            bureau=county.bureau,
            number=f"B{n}",
            kind=kind,
            title=f"案{n}",
            owning_unit=unit,
            status=status,
            opened_at=dt.datetime(2018, 6, 3, 10, tzinfo=tz) - dt.timedelta(days=days_old),
            deadline=deadline,
        )

    mk(1, county.ic, 5, deadline=dt.date(2018, 6, 2))  # overdue
    mk(2, county.ic, 45, status="solved")  # awaiting review
    mk(3, county.ic, 75, deadline=dt.date(2018, 6, 3))  # due today: not overdue
    mk(4, county.ic, 200, status="suspended")
    mk(5, county.ic, 120, status="closed", deadline=dt.date(2018, 1, 1))  # ended: neither
    mk(6, county.west, 10, deadline=dt.date(2018, 5, 1))  # the station's
    mk(7, county.west, 100, kind="administrative")


def test_the_center_board(client, county):
    _board_cases(county)
    client.force_login(county.center)
    r = client.get(reverse("cases:case_board"))
    b = r.context["board"]
    assert b.unit == county.ic and b.as_of == dt.date(2018, 6, 3)
    rows = {
        row.unit.code: (row.open, row.ages, row.overdue, row.awaiting_review, row.suspended) for row in b.rows
    }
    assert rows == {"ZC": (3, [1, 1, 1, 0], 1, 1, 1)}
    assert [c.number for c in b.overdue] == ["B1"] and [c.number for c in b.awaiting_review] == ["B2"]
    # the west station's board, seen by the center: its criminal cases only
    r = client.get(reverse("cases:case_board") + f"?unit={county.west.pk}")
    b = r.context["board"]
    assert {row.unit.code: (row.open, row.overdue) for row in b.rows} == {"S01": (1, 1)}


def test_the_station_board_of_the_chief(client, county):
    _board_cases(county)
    client.force_login(county.chief)
    b = client.get(reverse("cases:case_board") + f"?unit={county.ic.pk}").context["board"]
    assert b.unit == county.west  # the center is not the chief's to look at
    assert {row.unit.code: (row.open, row.ages) for row in b.rows} == {"S01": (2, [1, 0, 0, 1])}


def test_case_detail_for_the_outsider(client, county, outsider):
    case = _west(county)
    client.force_login(outsider)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:case_board")).status_code == 200  # their own bureau's
    assert client.get(reverse("cases:case_board")).context["board"].unit.bureau_id != county.bureau.pk


# --- API -----------------------------------------------------------------------------------


def test_the_api_opens_changes_and_steps_a_case(county):
    api = _api(county.chief)
    r = api.post(
        reverse("api:case-list"),
        {"incidents": [county.inc_west_theft.pk], "title": "接口立案"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    pk = r.json()["id"]
    assert r.json()["owning_unit"] == county.west.pk and r.json()["kind"] == "criminal"
    r = api.patch(
        reverse("api:case-detail", args=[pk]), {"status": "investigating", "reason": "受理"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "investigating"
    r = api.post(reverse("api:case-suspend", args=[pk]), {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = api.post(
        reverse("api:case-transfer", args=[pk]), {"to_unit": county.east.pk, "reason": "x"}, format="json"
    )
    assert r.status_code == 400 and "to_unit" in r.json()
    r = api.post(
        reverse("api:case-transfer", args=[pk]), {"to_unit": county.ic.pk, "reason": "移交"}, format="json"
    )
    assert r.status_code == 200 and r.json()["owning_unit"] == county.ic.pk
    # the chief no longer sees it
    assert api.get(reverse("api:case-detail", args=[pk])).status_code == 404
    center = _api(county.center)
    r = center.post(
        reverse("api:case-close", args=[pk]), {"outcome": "withdrawn", "reason": "不构成犯罪"}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    r = center.post(reverse("api:case-reopen", args=[pk]), {"reason": "新证据"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "investigating"
    steps = [
        e.after["step"]
        for e in AuditEvent.objects.filter(
            object_type="cases.case", object_id=str(pk), action__in=["create", "update"]
        ).order_by("seq")
    ]
    assert steps == ["open", "change", "transfer", "withdraw", "reopen"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "incidents"),
        ({"incidents": []}, "incidents"),
        ({"incidents": ["x"]}, "incidents"),
        ({"incidents": [999999]}, "incidents"),
        ({"incidents": [1], "kind": "civil"}, "kind"),
        ({"incidents": [1], "category": "9999"}, "category"),
    ],
)
def test_bad_api_cases_are_400_and_save_nothing(county, body, field):
    if body.get("incidents") == [1]:
        body = body | {"incidents": [county.inc_west_theft.pk]}
    n = Case.objects.count()
    r = _api(county.chief).post(reverse("api:case-list"), body, format="json")
    assert r.status_code == 400 and field in r.json(), r.json()
    assert Case.objects.count() == n


def test_the_api_refuses_an_owner_change_by_patch_and_outsiders(county, outsider):
    case = _west(county)
    r = _api(county.chief).patch(
        reverse("api:case-detail", args=[case.pk]), {"owning_unit": county.ic.pk}, format="json"
    )
    assert r.status_code == 400 and "owning_unit" in r.json()
    for user, expected in ((outsider, 404), (county.command, 403), (county.zone_lead, 404)):
        r = _api(user).post(reverse("api:case-suspend", args=[case.pk]), {"reason": "x"}, format="json")
        assert r.status_code == expected
    assert _api(county.command).post(reverse("api:case-list"), {}, format="json").status_code == 403
    assert Case.objects.get(pk=case.pk).status == "registered"


def test_opening_locks_the_bureau_row_on_postgresql(county):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as q:
        case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    assert case.pk and case.number.startswith(f"A{county.bureau.code}")
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serializes writes and has no row lock")
    locks = [x["sql"] for x in q.captured_queries if "FOR UPDATE" in x["sql"]]
    assert locks and "bureau" in locks[0].lower()


def test_a_concurrent_opening_shows_a_message_not_a_500(client, county, monkeypatch):
    from django.db import IntegrityError

    from jingwu.cases import services

    def clash(**kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(services, "do_open_case", clash)
    client.force_login(county.chief)
    n = Case.objects.count()
    r = client.post(reverse("cases:case_new"), {"incidents": county.inc_west_theft.number})
    assert r.status_code == 200 and Case.objects.count() == n
    assert "同时" in r.content.decode()
