"""The checklist at the door: templates, answers, photos, idempotent submission, scope."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.engine.checklists import ELEMENT_LISTS, ENTERTAINMENT, checklists_for, item_codes
from jingwu.inspections.models import Visit, VisitPhoto
from jingwu.inspections.services import do_begin_visit, do_submit_checklist


def test_the_entertainment_checklist_has_four_lists_and_23_measures():
    assert len(ENTERTAINMENT) == 4
    assert [len(c.items) for c in ENTERTAINMENT] == [6, 6, 6, 5]
    codes = item_codes(ENTERTAINMENT)
    assert len(codes) == len(set(codes)) == 23
    # an entertainment venue: the four lists replace the public-order list; other elements follow
    lists = checklists_for("entertainment", ["public_order", "fire_safety", "floating_population"])
    assert [c.code for c in lists] == [
        "ent_licence",
        "ent_records",
        "ent_premises",
        "ent_prevention",
        "fire_safety",
        "floating_population",
    ]
    assert [c.code for c in checklists_for("hotel", ["public_order"])] == ["public_order"]
    assert set(ELEMENT_LISTS) == {
        "public_order",
        "fire_safety",
        "floating_population",
        "security",
        "hazardous_chemicals",
    }


def _png(size=(4, 4)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


def _all(visit, result="pass"):
    lists = checklists_for(visit.premises.category, visit.elements)
    return {code: (result, "") for code in item_codes(lists)}


def test_a_visit_at_the_door_is_recorded_once(catalogue):
    county = catalogue
    visit = do_begin_visit(actor=county.community, premises=county.prem_west)
    assert visit.status == "planned" and visit.elements == [
        "fire_safety",
        "floating_population",
        "public_order",
    ]
    answers = _all(visit)
    answers["fire_safety.2"] = ("fail", "灭火器过期")
    answers["public_order.3"] = ("na", "")
    photo = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    visit, again = do_submit_checklist(
        visit, actor=county.community, answers=answers, photos={"fire_safety.2": [photo]}, submission="k1"
    )
    assert (again, visit.status, visit.failed_items) == (False, "done", 1)
    assert visit.answers["fire_safety.2"] == {"result": "fail", "note": "灭火器过期"}
    assert VisitPhoto.objects.get(visit=visit).content_type == "image/png"
    # sent again (a retry after a lost connection): recognised, nothing changed
    visit, again = do_submit_checklist(visit, actor=county.community, answers=_all(visit), submission="k1")
    assert again and visit.failed_items == 1 and VisitPhoto.objects.count() == 1
    # another submission for the same visit: refused
    with translation.override("en"), pytest.raises(ValidationError, match="already recorded"):
        do_submit_checklist(visit, actor=county.community, answers=_all(visit), submission="k2")
    assert AuditEvent.objects.filter(object_type="inspections.visit", object_id=str(visit.pk)).count() == 2


@pytest.mark.parametrize(
    "change,photo,message",
    [
        ({"fire_safety.1": ("", "")}, None, "Answer every item"),
        ({"fire_safety.1": ("maybe", "")}, None, "Answer every item"),
        ({"fire_safety.1": ("fail", "")}, None, "Say what failed"),
        ({"no_such.1": ("pass", "")}, None, "not on this visit"),
        ({}, ("x.png", b"not an image at all"), "not a photo"),
        ({}, ("x.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "not a photo"),
        ({}, ("big.png", "big"), "at most 5 MB"),
    ],
)
def test_bad_checklists_are_refused_with_nothing_saved(catalogue, change, photo, message):
    county = catalogue
    visit = do_begin_visit(actor=county.chief, premises=county.prem_west)
    answers = _all(visit) | change
    photos = {}
    if photo is not None:
        name, content = photo[0], photo[1]
        if content == "big":
            content = _png() + b"\0" * (5 * 1024 * 1024)
        photos = {"fire_safety.1": [SimpleUploadedFile(name, content)]}
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        do_submit_checklist(visit, actor=county.chief, answers=answers, photos=photos, submission="k")
    visit.refresh_from_db()
    assert visit.status == "planned" and visit.answers == {} and not VisitPhoto.objects.exists()


def test_visits_outside_scope_are_refused(catalogue, other_county):
    county = catalogue
    for user, prem in [
        (county.chief, county.prem_east),
        (county.community, county.prem_east),
        (county.auditor, county.prem_west),
        (county.command, county.prem_west),
        (other_county.chief, county.prem_west),
    ]:
        with pytest.raises(PermissionDenied):
            do_begin_visit(actor=user, premises=prem)
    visit = do_begin_visit(actor=county.prevention, premises=county.prem_east)
    for user in (county.chief, county.zone_lead, county.auditor, other_county.chief):
        with pytest.raises(PermissionDenied):
            do_submit_checklist(visit, actor=user, answers=_all(visit), submission="x")
    visit.refresh_from_db()
    assert visit.status == "planned"


def test_the_checklist_page_and_its_json_answers(client, catalogue, other_county):
    county = catalogue
    client.force_login(county.community)
    r = client.post(reverse("inspections:visit_begin", args=[county.prem_west.pk]))
    visit = Visit.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("inspections:visit_checklist", args=[visit.pk])
    url = reverse("inspections:visit_checklist", args=[visit.pk])
    r = client.get(url)
    assert r.status_code == 200 and r.content.decode().count('class="list-group-item jw-item"') == 12
    data = {f"r:{code}": "pass" for code in _all(visit)} | {"submission": "s-1"}
    r = client.post(url, data | {"r:fire_safety.1": "fail"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 400 and r.json()["ok"] is False and len(r.json()["errors"]) == 1
    r = client.post(url, data, HTTP_ACCEPT="application/json")
    assert r.status_code == 200 and r.json()["ok"] and not r.json()["again"]
    r = client.post(url, data, HTTP_ACCEPT="application/json")  # the same again
    assert r.status_code == 200 and r.json()["again"]
    r = client.post(url, data | {"submission": "s-2"}, HTTP_ACCEPT="application/json")
    assert r.status_code == 400
    client.force_login(other_county.chief)
    assert client.get(url).status_code == 404
    assert client.post(reverse("inspections:visit_begin", args=[county.prem_west.pk])).status_code == 404
    client.force_login(county.chief)
    assert client.get(reverse("inspections:visit_begin", args=[county.prem_west.pk])).status_code == 405


def test_an_auxiliary_officer_records_a_visit_at_the_door_but_closes_nothing(catalogue):
    from jingwu.accounts.models import Role
    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.inspections.services import do_close_timer, do_open_timer

    county = catalogue
    aux = do_create_user(
        actor=None,
        username="aux-s1",
        password="x",
        bureau=county.bureau,
        officer=county.off_aux,
        check_password=False,
    )
    do_grant_membership(actor=None, user=aux, unit=county.grid_s1, role=Role.AUXILIARY_OFFICER)
    visit = do_begin_visit(actor=aux, premises=county.prem_west)
    visit, again = do_submit_checklist(visit, actor=aux, answers=_all(visit), submission="aux-1")
    assert (visit.status, again) == ("done", False)
    timer = do_open_timer(
        actor=county.community,
        premises=county.prem_west,
        kind="guest_registration",
        event_at="2018-06-01 08:00",
    )
    with pytest.raises(PermissionDenied):
        do_close_timer(timer, actor=aux)
