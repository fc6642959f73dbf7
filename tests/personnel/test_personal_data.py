"""Officers' personal data: who sees the masked forms, who may reveal, and what is recorded.

The masked ID number used to hide the eight birth-date digits while the page showed the
birth date beside it, which gave the full number back. Now whoever may not reveal sees
neither the hidden digits nor the full birth date (the age at most), on the page, in
exports and in the API.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from jingwu.core.models import AuditEvent
from jingwu.engine.ids import check_digit

# PERSONAL_DATA of core/permissions.py, written out: who sees what of the west station's
# community officer (in everyone's scope below but the centers' and the outsider's).
LEVELS = {
    "command": "reveal",
    "planner": "reveal",
    "chief": "reveal",
    "political": "reveal",
    "auditor": "reveal",
    "zone_lead": "masked",
}
GOOD_REASON = {"reason_code": "personnel_file", "reason": "核对警衔晋升材料，政治处 2018 第 42 号"}


def _detail(county):
    return reverse("personnel:officer_detail", args=[county.off_comm.pk])


def _birth_forms(officer) -> list[str]:
    b = officer.birth_date
    return [b.isoformat(), f"{b:%Y%m%d}", f"{b:%Y/%m/%d}", f"{b.year}年{b.month}月{b.day}日"]


def _candidates(masked: str, age_years: int, today) -> int:
    """How many full numbers fit a mainland mask and an age: what someone could rebuild."""
    import datetime as dt

    n = 0
    day = dt.date(today.year - age_years - 1, today.month, today.day) + dt.timedelta(days=1)
    while day <= dt.date(today.year - age_years, today.month, today.day):
        first17 = masked[:6] + f"{day:%Y%m%d}" + masked[14:17]
        if masked[17] == "*" or check_digit(first17) == masked[17]:
            n += 1
        day += dt.timedelta(days=1)
    return n


@pytest.mark.parametrize("persona", ["command", "planner", "chief", "political", "auditor", "zone_lead"])
def test_the_officer_page_no_longer_gives_the_number_back(client, county, persona):
    import datetime as dt

    o = county.off_comm
    client.force_login(getattr(county, persona))
    html = client.get(_detail(county)).content.decode()
    assert o.id_number not in html
    assert not any(form in html for form in _birth_forms(o))  # neither the date nor its digits
    assert o.id_number_masked in html and o.phone_masked in html
    assert ("reason_code" in html) == (LEVELS[persona] == "reveal")
    # what the page shows (the mask and the age) fits hundreds of numbers, not one
    assert _candidates(o.id_number_masked, o.age(), dt.date.today()) > 300


def test_roles_without_personal_data_see_neither_mask_nor_birth_date(client, county):
    o = county.off_ic  # the investigation center sees its own officers, not their personal data
    client.force_login(county.center)
    r = client.get(reverse("personnel:officer_detail", args=[o.pk]))
    html = r.content.decode()
    assert r.status_code == 200 and o.id_number_masked not in html and o.phone_masked not in html
    assert o.id_number[:6] + "****" not in html and not any(form in html for form in _birth_forms(o))
    assert r.context["age"] == o.age()
    assert client.post(reverse("personnel:officer_detail", args=[o.pk]), GOOD_REASON).status_code == 403
    assert AuditEvent.objects.filter(action="refused", actor=county.center).exists()
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_a_reveal_needs_a_reason_code_and_a_text_of_substance(client, county):
    o = county.off_comm
    client.force_login(county.chief)
    with translation.override("en"):
        for data in (
            {"reason": GOOD_REASON["reason"]},  # no reason code
            {"reason_code": "gossip", "reason": GOOD_REASON["reason"]},  # not on the list
            {"reason_code": "audit", "reason": "check"},  # too short
            {"reason_code": "audit", "reason": "aaaaaaaaaaaa"},  # no substance
            {"reason_code": "audit", "reason": "1234567890 !!"},
        ):
            r = client.post(_detail(county), data)
            assert r.status_code == 200 and o.id_number not in r.content.decode(), data
            assert r.context["errors"], data
    assert not AuditEvent.objects.filter(action="reveal").exists()
    r = client.post(_detail(county), GOOD_REASON)
    html = r.content.decode()
    assert o.id_number in html and o.birth_date.isoformat() in html
    event = AuditEvent.objects.filter(action="reveal").get()
    assert event.actor == county.chief and event.object_id == str(o.pk) and event.via == "web"
    assert event.reason == GOOD_REASON["reason"]
    assert event.after == {"fields": ["id_number", "birth_date"], "reason_code": "personnel_file"}


def test_a_zone_lead_sees_the_mask_but_may_not_reveal(client, county):
    client.force_login(county.zone_lead)
    assert client.post(_detail(county), GOOD_REASON).status_code == 403
    assert not AuditEvent.objects.filter(action="reveal").exists()


def test_the_auditors_reveal_is_recorded_too(client, county):
    client.force_login(county.auditor)
    r = client.post(_detail(county), {"reason_code": "audit", "reason": "督察核查：民警身份信息抽查"})
    assert county.off_comm.id_number in r.content.decode()
    event = AuditEvent.objects.filter(action="reveal").get()
    assert event.actor == county.auditor and event.reason == "督察核查：民警身份信息抽查"


def test_the_outsider_cannot_reveal(client, county, outsider):
    client.force_login(outsider)
    assert client.post(_detail(county), GOOD_REASON).status_code == 404
    assert not AuditEvent.objects.filter(action="reveal").exists()


# --- the API -----------------------------------------------------------------------------


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_list_api_gives_personal_data_only_to_roles_that_see_it_and_records_the_ids(county):
    from jingwu.personnel.models import Officer

    every = Officer.objects.filter(bureau=county.bureau)
    secrets = [o.id_number for o in every] + [o.birth_date.isoformat() for o in every]
    # the chief sees the station's four officers, masked, and the read is on record with their ids
    r = _api(county.chief).get(reverse("api:officer-list"))
    body = r.content.decode()
    assert not any(s in body for s in secrets)
    rows = {row["id"]: row for row in r.json()["results"]}
    assert all(row["id_number_masked"] and row["phone_masked"] for row in rows.values())
    assert all("birth_date" not in row for row in rows.values())
    event = AuditEvent.objects.filter(action="view", actor=county.chief).get()
    assert event.after == {"ids": sorted(rows), "fields": ["id_number_masked", "phone_masked"]}
    # the investigation center sees its officer without personal data, and nothing is recorded
    r = _api(county.center).get(reverse("api:officer-list"))
    rows = r.json()["results"]
    assert [row["id"] for row in rows] == [county.off_ic.pk]
    assert rows[0]["id_number_masked"] is None and rows[0]["phone_masked"] is None
    assert rows[0]["age"] == county.off_ic.age()
    assert not AuditEvent.objects.filter(action="view", actor=county.center).exists()
    r = _api(county.center).get(reverse("api:officer-detail", args=[county.off_ic.pk]))
    assert r.json()["id_number_masked"] is None and r.json()["phone_masked"] is None


def test_the_outsiders_api_list_holds_nothing_of_the_county(county, outsider):
    from jingwu.personnel.models import Officer

    r = _api(outsider).get(reverse("api:officer-list"))
    ids = {row["id"] for row in r.json()["results"]}
    assert ids and not ids & set(Officer.objects.filter(bureau=county.bureau).values_list("pk", flat=True))
    event = AuditEvent.objects.filter(action="view", actor=outsider).get()
    assert event.bureau == outsider.bureau and set(event.after["ids"]) == ids


# --- exports -----------------------------------------------------------------------------


def _export(client, user):
    client.force_login(user)
    r = client.get(reverse("imports:export", args=["officers", "csv"]))
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_officer_exports_follow_the_personal_data_rights(client, county):
    from jingwu.personnel.models import Officer

    every = Officer.objects.filter(bureau=county.bureau)
    secrets = [o.id_number for o in every] + [o.birth_date.isoformat() for o in every]
    rows = _export(client, county.zone_lead)
    header = rows[0]
    assert "居民身份证号码" in header and "联系电话" in header
    masked = {row[header.index("居民身份证号码")] for row in rows[1:]}
    assert masked == {
        o.id_number_masked
        for o in every
        if o.pk in {county.off_lead.pk, county.off_comm.pk, county.off_aux.pk}
    }
    assert not any(s in str(rows) for s in secrets)
    rows = _export(client, county.center)
    assert "居民身份证号码" not in rows[0] and "联系电话" not in rows[0] and len(rows) == 2
    assert county.off_ic.id_number_masked not in str(rows) and county.off_ic.phone_masked not in str(rows)
