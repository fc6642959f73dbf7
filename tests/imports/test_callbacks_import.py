"""Importing callbacks to reporters (警情回访): checked rows, all or nothing, a second import
adds nothing, the service's rules and scope per row."""

from __future__ import annotations

import pytest
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.imports.services import importable_kinds, run_import
from jingwu.incidents.models import Callback

pytestmark = pytest.mark.django_db

HEAD = "警情编号,回访时间,结果,投诉,备注\n"


def _csv(tmp_path, text, name="callbacks.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _good(county) -> str:
    theft, dispute = county.inc_west_theft.number, county.inc_west_dispute.number
    return (
        HEAD
        + f"{dispute},2018-06-02 09:00,未接通,,\n"
        + f"{dispute},2018-06-02 15:00,不满意,是,出警慢\n"
        + f"{theft},2018/06/02 10:30,Basically satisfied,no,\n"
    )


def test_good_rows_are_recorded_through_the_service_and_a_second_import_adds_nothing(county, tmp_path):
    path = _csv(tmp_path, _good(county))
    first = run_import("callbacks", path, bureau=county.bureau, actor=county.chief)
    assert first.ok, [p.describe() for p in first.problems]
    assert (first.created, first.unchanged) == (3, 0)
    rows = list(
        Callback.objects.order_by("called_at").values_list("incident_id", "result", "complaint", "note")
    )
    assert rows == [
        (county.inc_west_dispute.pk, "unreachable", False, ""),
        (county.inc_west_theft.pk, "basically", False, ""),
        (county.inc_west_dispute.pk, "unsatisfied", True, "出警慢"),
    ]
    theft = Callback.objects.get(incident=county.inc_west_theft)
    assert theft.called_at.astimezone(county.bureau.tz).strftime("%Y-%m-%d %H:%M") == "2018-06-02 10:30"
    assert theft.called_by == county.chief
    assert AuditEvent.objects.filter(object_type="incidents.callback", action="create").count() == 3
    second = run_import("callbacks", path, bureau=county.bureau, actor=county.chief)
    assert second.ok and (second.created, second.unchanged) == (0, 3)
    assert Callback.objects.count() == 3


def test_bad_rows_are_reported_and_nothing_is_saved(county, tmp_path):
    theft = county.inc_west_theft.number
    bad = _good(county) + (
        "J-NOPE,2018-06-02 10:00,满意,,\n"  # no such incident
        f"{theft},2018-06-32 10:00,满意,,\n"  # no 32 June
        f"{theft},2018-06-02 11:00,高兴,,\n"  # no such result
        f"{theft},,满意,也许,\n"  # no time, a complaint neither yes nor no
    )
    with translation.override("en"):
        report = run_import("callbacks", _csv(tmp_path, bad), bureau=county.bureau, actor=county.chief)
    assert not report.ok
    got = [(p.row, p.column) for p in report.problems]
    assert got == [(5, "警情编号"), (6, "回访时间"), (7, "结果"), (8, "回访时间"), (8, "投诉")]
    reasons = [p.reason for p in report.problems]
    assert "J-NOPE" in reasons[0] and "date and time" in reasons[1] and "Unknown value" in reasons[2]
    assert reasons[3] == "This column is required."
    assert not Callback.objects.exists()


def test_the_service_s_rules_stop_the_file(county, tmp_path):
    """A second completed callback of an incident, and a call before the incident, come back
    as problems of their rows; nothing is saved."""
    theft = county.inc_west_theft.number
    text = _good(county) + f"{theft},2018-06-03 10:00,满意,,\n" + f"{theft},2018-05-01 10:00,未接通,,\n"
    with translation.override("en"):
        report = run_import("callbacks", _csv(tmp_path, text), bureau=county.bureau, actor=county.chief)
    assert not report.ok and {p.row for p in report.problems} == {5, 6}
    by_row = {row: " ".join(p.reason for p in report.problems if p.row == row) for row in (5, 6)}
    assert "already called back" in by_row[5]
    assert "before the incident was received" in by_row[6]
    assert not Callback.objects.exists()


def test_rows_outside_the_importers_area_stop_the_file_and_readers_import_nothing(county, outsider, tmp_path):
    text = _good(county)  # the dispute lies in zone N, outside the community officer's grid
    report = run_import("callbacks", _csv(tmp_path, text), bureau=county.bureau, actor=county.community)
    assert not report.ok and [p.row for p in report.problems] == [2, 3]
    assert not Callback.objects.exists()
    assert "callbacks" in importable_kinds(county.community)
    assert "callbacks" not in importable_kinds(county.auditor)
    refused = run_import("callbacks", _csv(tmp_path, text), bureau=county.bureau, actor=county.auditor)
    assert refused.status == "rejected"
    refused = run_import("callbacks", _csv(tmp_path, text), bureau=county.bureau, actor=outsider)
    assert refused.status == "rejected" and not Callback.objects.exists()


def test_the_callback_export_in_chinese_imports_again_as_already_present(client, county, tmp_path):
    from django.urls import reverse

    path = _csv(tmp_path, _good(county))
    assert run_import("callbacks", path, bureau=county.bureau, actor=county.chief).created == 3
    client.force_login(county.chief)  # the default language: Chinese headers and labels
    r = client.get(reverse("imports:export", args=["callbacks", "csv"]))
    exported = tmp_path / "exported.csv"
    exported.write_bytes(b"".join(r.streaming_content))
    head = exported.read_text(encoding="utf-8-sig").splitlines()[0]
    assert head.startswith("回访时间,警情编号") and "结果" in head and "投诉" in head
    again = run_import("callbacks", exported, bureau=county.bureau, actor=county.chief)
    assert again.ok, [p.describe() for p in again.problems]
    assert (again.created, again.unchanged) == (0, 3) and Callback.objects.count() == 3
