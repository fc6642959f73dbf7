"""Importing petitions (信访件): checked rows, all or nothing, idempotent by number, scope per row."""

from __future__ import annotations

import pytest
from django.utils import translation

from jingwu.cases.models import Petition, PetitionIncident
from jingwu.core.models import AuditEvent
from jingwu.imports.services import run_import

pytestmark = pytest.mark.django_db

HEAD = "信访件编号,接收时间,信访人,联系电话,事由,内容,承办单位,关联警情\n"


def _csv(tmp_path, text, name="petitions.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _good(county) -> str:
    return (
        HEAD
        + f"XF2018001,2018-07-01 09:00,李建华,13800000001,车贷公司催收扰民,多次上门,S01,{county.inc_west_theft.number}\n"
        + "XF2018002,2018/07/02 14:30,王秀英,,邻里纠纷未处理,,S01,\n"
        + "XF2018002,2018-07-02 14:30,王秀英,,邻里纠纷未处理,,S01,\n"  # the same number again
    )


def test_good_rows_are_recorded_once_and_a_second_import_adds_nothing(county, tmp_path):
    path = _csv(tmp_path, _good(county))
    first = run_import("petitions", path, bureau=county.bureau, actor=county.chief)
    assert first.ok, [p.describe() for p in first.problems]
    assert (first.created, first.unchanged) == (2, 1)  # the repeated number is one petition
    one = Petition.objects.get(bureau=county.bureau, number="XF2018001")
    assert one.unit_id == county.west.pk and one.petitioner_name == "李建华" and one.status == "received"
    assert list(PetitionIncident.objects.filter(petition=one).values_list("incident_id", flat=True)) == [
        county.inc_west_theft.pk
    ]
    two = Petition.objects.get(bureau=county.bureau, number="XF2018002")
    assert two.received_at.astimezone(county.bureau.tz).strftime("%Y-%m-%d %H:%M") == "2018-07-02 14:30"
    assert AuditEvent.objects.filter(object_type="cases.petition", action="create").count() == 2
    second = run_import("petitions", path, bureau=county.bureau, actor=county.chief)
    assert second.ok and (second.created, second.unchanged) == (0, 3)
    assert Petition.objects.filter(bureau=county.bureau).count() == 2


def test_bad_rows_are_reported_and_nothing_is_saved(county, tmp_path):
    bad = _good(county) + (
        "XF2018003,2018-07-32 10:00,赵强,,拖欠工资,,S01,\n"  # no 32 July
        "XF2018004,2018-07-03 10:00,,,,,S01,\n"  # no petitioner, no subject
        "XF2018005,2018-07-03 10:00,钱明,,投诉噪音,,S99,\n"  # no such unit
        "XF2018006,2018-07-03 10:00,孙丽,,投诉噪音,,S01,A-NOPE\n"  # no such incident
    )
    with translation.override("en"):
        report = run_import("petitions", _csv(tmp_path, bad), bureau=county.bureau, actor=county.chief)
    assert not report.ok
    got = [(p.row, p.column) for p in report.problems]
    assert got == [(5, "接收时间"), (6, "信访人"), (6, "事由"), (7, "承办单位"), (8, "关联警情")]
    reasons = [p.reason for p in report.problems]
    assert "date and time" in reasons[0]
    assert reasons[1] == reasons[2] == "This column is required."
    assert "No current unit" in reasons[3] and "A-NOPE" in reasons[4]
    assert not Petition.objects.filter(bureau=county.bureau).exists()
    # the same file with the bad rows skipped saves the good ones
    report = run_import(
        "petitions", _csv(tmp_path, bad), bureau=county.bureau, actor=county.chief, skip_invalid=True
    )
    assert report.ok and report.created == 2 and report.bad_rows == 4


def test_a_row_outside_the_importers_scope_stops_the_file(county, tmp_path):
    text = _good(county) + "XF2018009,2018-07-05 10:00,周涛,,投诉,,S02,\n"  # the east station
    report = run_import("petitions", _csv(tmp_path, text), bureau=county.bureau, actor=county.chief)
    assert not report.ok and [p.row for p in report.problems] == [5]
    assert not Petition.objects.filter(bureau=county.bureau).exists()
    # a community officer may not record petitions at all: the file is refused as a whole
    refused = run_import("petitions", _csv(tmp_path, text), bureau=county.bureau, actor=county.community)
    assert refused.status == "rejected" and refused.problems[0].row == 0
    assert not Petition.objects.filter(bureau=county.bureau).exists()


def test_a_future_date_is_refused_in_chinese(county, tmp_path):
    text = HEAD + "XF2099001,2099-01-01 08:00,李四,,投诉,,S01,\n"
    with translation.override("zh-hans"):
        report = run_import("petitions", _csv(tmp_path, text), bureau=county.bureau, actor=county.chief)
    assert not report.ok and report.problems[0].reason == "信访件的收件时间不能晚于当前时间。"
    assert not Petition.objects.exists()


def test_an_outsider_imports_nothing_into_another_bureau(county, outsider, tmp_path):
    report = run_import("petitions", _csv(tmp_path, _good(county)), bureau=county.bureau, actor=outsider)
    assert report.status == "rejected" and not report.ok
    assert not Petition.objects.exists()


def test_the_center_is_offered_petitions_only_and_a_community_officer_no_petitions(client, county):
    """The investigation center records petitions, so its import form offers that kind and
    no other; a community officer (who adds no petitions) is not offered it."""
    from django.urls import reverse

    client.force_login(county.center)
    r = client.get(reverse("imports:job_new"))
    assert r.status_code == 200
    kinds = [k for k, _label in r.context["form"].fields["kind"].choices]
    assert kinds == ["petitions"]
    client.force_login(county.community)
    r = client.get(reverse("imports:job_new"))
    assert r.status_code == 200
    assert "petitions" not in [k for k, _label in r.context["form"].fields["kind"].choices]
