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


# --- the export in either language and format imports back -------------------------------


def _recorded(county):
    """Four callbacks, each made by an officer of the west station (the auxiliary, whose
    name is the only one of its kind, and the community officer)."""
    import datetime as dt

    from jingwu.incidents.services import do_record_callback

    bj = dt.timezone(dt.timedelta(hours=8))
    theft, dispute = county.inc_west_theft, county.inc_west_dispute
    do_record_callback(
        dispute, actor=county.chief, result="unreachable", called_at=dt.datetime(2018, 6, 2, 9, 0, tzinfo=bj)
    )
    do_record_callback(
        dispute,
        actor=county.chief,
        result="unsatisfied",
        called_at=dt.datetime(2018, 6, 2, 15, 0, tzinfo=bj),
        note='出警慢, "太慢"',
        complaint=True,
        officer=county.off_aux,
    )
    do_record_callback(
        theft,
        actor=county.community,
        result="basically",
        called_at=dt.datetime(2018, 6, 2, 10, 30, tzinfo=bj),
    )
    do_record_callback(
        county.inc_east_traffic,
        actor=county.command,
        result="satisfied",
        called_at=dt.datetime(2018, 6, 3, 18, 0, tzinfo=bj),
        officer=county.off_east,
    )


def _rows():
    return sorted(
        Callback.objects.values_list(
            "incident__number", "called_at", "result", "complaint", "note", "officer__police_number"
        )
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_callback_export_imports_back_in_either_language_and_format(client, county, tmp_path, lang, fmt):
    """Exported (headers, results and yes/no in the user's language), the rows deleted, the
    sheet imported: the same callbacks, officer and all; imported again: nothing changes,
    and the report says the rows are already present."""
    from django.urls import reverse

    _recorded(county)
    before = _rows()
    assert [r[5] for r in before].count(None) == 0  # every call names its officer
    client.force_login(county.command)
    client.cookies["django_language"] = lang
    r = client.get(reverse("imports:export", args=["callbacks", fmt]))
    assert r.status_code == 200 and r["X-Export-Rows"] == "4"
    exported = tmp_path / f"callbacks.{fmt}"
    exported.write_bytes(b"".join(r.streaming_content))
    Callback.objects.all().delete()
    with translation.override(lang):
        report = run_import("callbacks", exported, bureau=county.bureau, actor=county.command)
        assert report.ok, [p.describe() for p in report.problems]
        assert (report.created, report.unchanged) == (4, 0)
        assert _rows() == before
        again = run_import("callbacks", exported, bureau=county.bureau, actor=county.command)
        assert again.ok and (again.created, again.unchanged) == (0, 4)
        said = again.summary()
    assert _rows() == before
    assert (
        said
        == {
            "zh-hans": "共读取 4 行：导入 0 行，已存在 4 行。",
            "en": "4 rows read: 0 imported, 4 already present.",
        }[lang]
    )


def test_the_officer_is_named_by_police_number_or_by_a_name_no_other_officer_has(county, tmp_path):
    import datetime as dt

    from jingwu.engine.ids import make_id_number
    from jingwu.personnel.services import do_create_officer

    theft, dispute = county.inc_west_theft.number, county.inc_west_dispute.number
    text = (
        "警情编号,回访时间,结果,回访民警\n"
        f"{dispute},2018-06-02 09:00,未接通,F00006\n"  # by police number
        f"{dispute},2018-06-02 15:00,满意,周洋\n"  # by name: the auxiliary, alone of that name
        f"{theft},2018-06-02 10:30,满意,\n"  # nobody named: the importer's officer, as on the page
    )
    report = run_import("callbacks", _csv(tmp_path, text), bureau=county.bureau, actor=county.chief)
    assert report.ok, [p.describe() for p in report.problems]
    assert _rows() == sorted(
        [
            (dispute, _at("2018-06-02 09:00"), "unreachable", False, "", "F00006"),
            (dispute, _at("2018-06-02 15:00"), "satisfied", False, "", "F00006"),
            (theft, _at("2018-06-02 10:30"), "satisfied", False, "", county.off_chief.police_number),
        ]
    )
    # a second 周洋: the name no longer says who called; an unknown officer neither
    born = dt.date(1997, 8, 8)
    do_create_officer(
        actor=None,
        bureau=county.bureau,
        police_number="F00099",
        name="周洋",
        kind="auxiliary",
        gender="M",
        birth_date=born,
        id_number=make_id_number("330522", born, 99, False),
        rank="none",
    )
    Callback.objects.all().delete()
    bad = (
        "警情编号,回访时间,结果,回访民警\n"
        + f"{dispute},2018-06-02 15:00,满意,周洋\n"
        + f"{theft},2018-06-02 10:30,满意,张三\n"
    )
    for lang, words in (
        (
            "en",
            (
                "2 officers of the bureau are named 周洋: give the police number.",
                "No officer of the bureau has this police number or name.",
            ),
        ),
        ("zh-hans", ("本局有 2 名民警名为周洋，请填写警号。", "本局没有该警号或姓名的民警。")),
    ):
        with translation.override(lang):
            report = run_import("callbacks", _csv(tmp_path, bad), bureau=county.bureau, actor=county.chief)
        assert not report.ok
        assert [(p.row, p.column, p.value) for p in report.problems] == [
            (2, "回访民警", "周洋"),
            (3, "回访民警", "张三"),
        ]
        assert [p.reason for p in report.problems] == list(words)
    assert not Callback.objects.exists()


def _at(text):
    import datetime as dt

    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=dt.timezone(dt.timedelta(hours=8)))
