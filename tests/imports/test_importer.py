"""The importer: all or nothing, per-row report, idempotence, mappings, skip-invalid, audit."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.imports.mapping import MappingError
from jingwu.imports.models import ImportJob, ImportMapping, ImportRow
from jingwu.imports.services import run_import, save_mapping
from jingwu.incidents.models import Incident

from .conftest import X0, Y0


def _csv(tmp_path, text, encoding="utf-8", name="incidents.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


GOOD = (
    "外部编号,接警时间,类别代码,经度,纬度,地址\n"
    f"E1,2018-07-01 08:30,0101,{X0 + 0.004},{Y0 + 0.004},城西路3号\n"
    f"E2,2018-07-01 09:10,0401,{X0 + 0.03},{Y0 + 0.01},城东路8号\n"
)


def test_import_is_all_or_nothing_and_reports_each_bad_row(county, tmp_path):
    bad = (
        GOOD
        + f"E3,2018-07-01 25:99,0101,{X0 + 0.004},{Y0 + 0.004},x\nE4,2018-07-02 10:00,0101,{X0 + 2},{Y0},y\n"
    )
    before = Incident.objects.count()
    with translation.override("en"):
        report = run_import("incidents", _csv(tmp_path, bad), bureau=county.bureau, actor=county.planner)
        summary = report.summary()
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [(4, "接警时间"), (5, "经度")]
    assert "outside the bureau" in report.problems[1].reason
    assert Incident.objects.count() == before
    assert "nothing was imported" in summary


def test_import_of_a_gbk_file_twice_changes_nothing_the_second_time(county, tmp_path):
    path = _csv(tmp_path, GOOD, encoding="gbk")
    before = Incident.objects.count()
    first = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    assert first.ok and first.created == 2
    second = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    assert second.ok and (second.created, second.unchanged) == (0, 2)
    assert Incident.objects.count() == before + 2
    new = Incident.objects.get(external_id="E1")
    assert new.station_id == county.west.pk and new.grid_id == county.grid_s1.pk


def test_dry_run_saves_nothing(county, tmp_path):
    before = Incident.objects.count()
    report = run_import(
        "incidents", _csv(tmp_path, GOOD), bureau=county.bureau, actor=county.planner, dry_run=True
    )
    assert report.ok and report.created == 2
    assert Incident.objects.count() == before


def test_import_refuses_rows_outside_the_actors_scope(county, tmp_path):
    report = run_import("incidents", _csv(tmp_path, GOOD), bureau=county.bureau, actor=county.zone_lead)
    assert not report.ok  # the second row is in the east station, outside the zone lead's zone
    assert Incident.objects.filter(external_id__in=["E1", "E2"]).count() == 0


def test_import_officers_from_xlsx(county, tmp_path):
    from openpyxl import Workbook

    from jingwu.engine.ids import make_id_number
    from jingwu.personnel.models import Officer

    wb = Workbook()
    ws = wb.active
    ws.append(["警号", "姓名", "人员类别", "性别", "出生日期", "身份证号", "单位代码", "岗位", "技能"])
    ws.append(
        [
            "300001",
            "测试甲",
            "police",
            "F",
            dt.date(1991, 5, 6),
            make_id_number("330522", dt.date(1991, 5, 6), 3, True),
            "S01-Z1",
            "community",
            "community_work:3;traffic:2",
        ]
    )
    path = tmp_path / "officers.xlsx"
    wb.save(path)
    report = run_import("officers", path, bureau=county.bureau, actor=county.planner)
    assert report.ok, report.problems
    o = Officer.objects.get(police_number="300001")
    assert {s.skill: s.level for s in o.skills.all()} == {"community_work": 3, "traffic": 2}
    assert o.postings.get().unit == county.zone_s


def test_officer_id_check_digit_and_unknown_unit_are_reported_in_chinese(county, tmp_path):
    from jingwu.engine.ids import make_id_number

    good_id = make_id_number("330522", dt.date(1990, 1, 2), 5, False)
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    text = (
        "警号,姓名,人员类别,性别,出生日期,身份证号,单位代码\n"
        f"400001,甲,民警,男,1990-01-02,{bad_id},S01\n"
        f"400002,乙,police,M,1990-01-02,{good_id},NOPE\n"
    )
    report = run_import("officers", _csv(tmp_path, text), bureau=county.bureau, actor=county.planner)
    assert not report.ok
    by_row = {(p.row, p.column): p.reason for p in report.problems}
    assert "校验位" in by_row[(2, "身份证号")]
    assert (3, "单位代码") in by_row


def test_premises_outside_the_area_and_unknown_category(county, tmp_path):
    text = (
        "场所编号,场所类别,场所名称,经度,纬度\n"
        f"P9,hotel,新宾馆,{X0 + 0.01},{Y0 + 0.01}\n"
        f"P10,casino,赌场,{X0 + 0.01},{Y0 + 0.01}\n"
        f"P11,旅馆,远方宾馆,{X0 + 1},{Y0}\n"
    )
    with translation.override("en"):
        report = run_import("premises", _csv(tmp_path, text), bureau=county.bureau, actor=county.planner)
    assert not report.ok
    assert [(p.row, p.column) for p in report.problems] == [(3, "场所类别"), (4, "经度")]
    report = run_import(
        "premises", _csv(tmp_path, text), bureau=county.bureau, actor=county.planner, skip_invalid=True
    )
    assert report.ok and report.created == 1 and report.bad_rows == 2


FOREIGN = (
    "CASE NO,WHEN,OFFENCE,EASTING,NORTHING,BLOCK,DISPOSITION\n"
    "A-1,07/01/2018 08:30:00 AM,THEFT,{x1},{y1},=HYPERLINK(1),HAN\n"
    "A-2,07/01/2018 09:10:00 PM,FIGHT,{x2},{y2},12XX MAIN ST,GOA\n"
    "A-3,07/01/2018 10:10:00 PM,ALIENS,{x2},{y2},13XX MAIN ST,HAN\n"
    "A-4,13/45/2018 10:10:00 PM,THEFT,{x2},{y2},14XX MAIN ST,HAN\n"
    "A-5,07/02/2018 10:10:00 PM,THEFT,0,0,15XX MAIN ST,HAN\n"
)


def _foreign_mapping(county, **over):
    data = {
        "name": "test-foreign",
        "kind": "incidents",
        "source_system": "foreign",
        "columns": {
            "external_id": "CASE NO",
            "received_at": "WHEN",
            "category": "OFFENCE",
            "status": "DISPOSITION",
            "lon": "EASTING",
            "lat": "NORTHING",
            "address": "BLOCK",
        },
        "category_map": {"THEFT": "0101", "fight": "0201"},
        "value_maps": {"status": {"HAN": "closed", "GOA": "cleared"}},
        "coordinate_system": "utm:50N",
        "datetime_formats": ["%m/%d/%Y %I:%M:%S %p"],
        "timezone": "Asia/Shanghai",
    }
    data.update(over)
    return save_mapping(actor=county.planner, bureau=county.bureau, data=data)


def _utm_text():
    from jingwu.imports.projections import projection

    p = projection("utm:50N")
    (x1,), (y1,) = p.forward([X0 + 0.004], [Y0 + 0.004])
    (x2,), (y2,) = p.forward([X0 + 0.03], [Y0 + 0.012])
    return FOREIGN.format(x1=x1, y1=y1, x2=x2, y2=y2)


def test_a_foreign_layout_is_mapped_without_code(county, tmp_path):
    mapping = _foreign_mapping(county)
    path = _csv(tmp_path, _utm_text(), name="foreign.csv")
    reject = tmp_path / "rejects.csv"
    with translation.override("en"):
        report = run_import(
            "incidents",
            path,
            bureau=county.bureau,
            actor=county.planner,
            mapping=mapping,
            skip_invalid=True,
            reject_file=reject,
        )
    assert report.ok and report.created == 2 and report.bad_rows == 3
    reasons = {(p.row, p.column): p.reason for p in report.problems}
    assert "category map" in reasons[(4, "OFFENCE")]
    assert "expected format" in reasons[(5, "WHEN")]
    assert "needs a location" in reasons[(6, "EASTING")]
    a1 = Incident.objects.get(source_system="foreign", external_id="A-1")
    assert a1.category.code == "0101" and a1.status == "closed" and a1.grid_id == county.grid_s1.pk
    assert abs(a1.lon - (X0 + 0.004)) < 1e-6 and abs(a1.lat - (Y0 + 0.004)) < 1e-6
    assert a1.received_at == dt.datetime(2018, 7, 1, 0, 30, tzinfo=dt.UTC)  # 08:30 Beijing time
    a2 = Incident.objects.get(source_system="foreign", external_id="A-2")
    assert a2.category.code == "0201" and a2.status == "cleared" and a2.station_id == county.east.pk
    # the reject file: UTF-8 with BOM, the original columns, a reason per row
    raw = reject.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0][0] == "Row" and rows[0][1:8] == FOREIGN.splitlines()[0].split(",")
    assert [r[0] for r in rows[1:]] == ["4", "5", "6"]
    assert "OFFENCE" in rows[1][-1]
    # importing the same file again changes nothing
    again = run_import(
        "incidents", path, bureau=county.bureau, actor=county.planner, mapping=mapping, skip_invalid=True
    )
    assert again.created == 0 and again.unchanged == 2


def test_all_or_nothing_with_a_mapping_reports_their_column_names(county, tmp_path):
    mapping = _foreign_mapping(county)
    before = Incident.objects.count()
    report = run_import(
        "incidents", _csv(tmp_path, _utm_text()), bureau=county.bureau, actor=county.planner, mapping=mapping
    )
    assert not report.ok and report.bad_rows == 3
    assert {p.column for p in report.problems} == {"OFFENCE", "WHEN", "EASTING"}
    assert Incident.objects.count() == before
    job = ImportJob.objects.get(pk=report.job_id)
    assert job.status == "rejected" and job.reject_file
    assert not ImportRow.objects.filter(job=job, status="ok").exists()


def test_a_mapping_that_reads_a_missing_column_is_refused_up_front(county, tmp_path):
    mapping = _foreign_mapping(county, columns={"received_at": "NOT THERE", "category": "OFFENCE"})
    report = run_import(
        "incidents", _csv(tmp_path, _utm_text()), bureau=county.bureau, actor=county.planner, mapping=mapping
    )
    assert not report.ok and report.problems[0].row == 1 and "not there" in report.problems[0].reason


def test_templates_constants_hash_ids_and_wildcards(county, tmp_path):
    text = (
        "YEAR,MONTH,DAY,HOUR,MINUTE,TYPE,LON,LAT\n"
        f"2018,7,1,8,5,Mischief,{X0 + 0.004},{Y0 + 0.004}\n"
        f"2018,7,1,8,5,Mischief,{X0 + 0.004},{Y0 + 0.004}\n"
        f"2018,12,31,23,59,Anything,{X0 + 0.03},{Y0 + 0.01}\n"
    )
    mapping = {
        "name": "tpl",
        "kind": "incidents",
        "source_system": "tpl",
        "columns": {
            "external_id": "_hash",
            "received_at": "{YEAR}-{MONTH|pad2}-{DAY|pad2} {HOUR|pad2}:{MINUTE|pad2}",
            "category": "TYPE",
            "source": {"const": "patrol"},
            "lon": "LON",
            "lat": "LAT",
            "description": "{TYPE|upper} at {HOUR}h",
        },
        "category_map": {"Mischief": "0203", "*": "0699"},
    }
    path = _csv(tmp_path, text)
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner, mapping=mapping)
    assert report.ok and report.created == 3, report.problems
    rows = Incident.objects.filter(source_system="tpl").order_by("received_at", "id")
    assert [r.category.code for r in rows] == ["0203", "0203", "0699"]
    assert len({r.external_id for r in rows}) == 3  # identical rows keep their own ids
    assert rows[0].source == "patrol" and rows[0].description == "MISCHIEF at 8h"
    assert report.created == 3
    again = run_import("incidents", path, bureau=county.bureau, actor=county.planner, mapping=mapping)
    assert (again.created, again.unchanged) == (0, 3)


def test_every_import_is_an_audit_event_of_the_user(county, tmp_path):
    before = AuditEvent.objects.filter(action="import").count()
    run_import("incidents", _csv(tmp_path, GOOD), bureau=county.bureau, actor=county.planner)
    run_import("incidents", _csv(tmp_path, GOOD + "x,y\n"), bureau=county.bureau, actor=county.planner)
    events = AuditEvent.objects.filter(action="import").order_by("seq")
    assert events.count() == before + 2
    ok, bad = events[before], events[before + 1]
    assert ok.actor == county.planner and ok.after["created"] == 2 and ok.after["status"] == "done"
    assert bad.actor == county.planner and bad.after["status"] == "rejected"
    # the event names the very rows the import wrote, as runs of ids
    ids = {pk for first, last in ok.after["created_ids"] for pk in range(first, last + 1)}
    assert ids == set(Incident.objects.filter(external_id__in=["E1", "E2"]).values_list("pk", flat=True))
    assert "created_ids" not in bad.after
    from jingwu.core.audit import verify_chain

    assert verify_chain(county.bureau) == []


def test_unreadable_files_are_reported_not_raised(county, tmp_path):
    path = tmp_path / "random.csv"
    path.write_bytes(bytes(range(256)) * 20)
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    assert not report.ok and report.problems[0].row == 0
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    for language, words in (
        ("en", "not a readable Excel workbook"),
        ("zh-hans", "不是可读取的 Excel 工作簿"),
    ):
        with translation.override(language):
            report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
            reason = str(report.problems[0].reason)
        assert not report.ok and report.created == 0, language
        assert words in reason, (language, reason)


def test_utf16_tab_separated_from_excel_is_read(county, tmp_path):
    text = GOOD.replace(",", "\t")
    path = tmp_path / "unicode.txt"
    path.write_bytes(text.encode("utf-16"))
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    assert report.ok and report.created == 2, report.problems


def test_a_job_interrupted_while_checking_resumes_where_it_stopped(county, tmp_path, monkeypatch):
    from jingwu.imports import kinds, services

    lines = ["外部编号,接警时间,类别代码,经度,纬度"]
    for i in range(50):
        lines.append(f"R{i},2018-07-01 08:{i % 60:02d},0101,{X0 + 0.001 + i * 1e-4},{Y0 + 0.004}")
    path = _csv(tmp_path, "\n".join(lines) + "\n")
    monkeypatch.setattr(services, "CHUNK", 20)
    calls = {"n": 0}
    real = kinds.IncidentHandler.check

    def flaky(self, ctx, rows):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt  # as good as a kill: nothing after the first chunk is committed
        return real(self, ctx, rows)

    monkeypatch.setattr(kinds.IncidentHandler, "check", flaky)
    job = services.create_job(kind="incidents", bureau=county.bureau, user=county.planner, path=path)
    with pytest.raises(KeyboardInterrupt):
        services.process_job(job)
    job.refresh_from_db()
    assert job.status == "checking" and job.rows_done == 20 and job.last_row == 21
    assert not Incident.objects.filter(external_id__startswith="R").exists()
    again = services.find_resumable(
        kind="incidents",
        bureau=county.bureau,
        user=county.planner,
        sha256=job.sha256,
        mapping=None,
        dry_run=False,
        skip_invalid=False,
    )
    assert again == job
    services.process_job(job)
    job.refresh_from_db()
    assert job.status == "done" and job.created == 50 and job.rows_done == 50
    assert Incident.objects.filter(external_id__startswith="R").count() == 50


def test_a_job_interrupted_while_saving_leaves_nothing_and_applies_again(county, tmp_path, monkeypatch):
    from jingwu.imports import services

    lines = ["外部编号,接警时间,类别代码,经度,纬度"]
    for i in range(30):
        lines.append(f"S{i},2018-07-02 09:{i:02d},0102,{X0 + 0.03},{Y0 + 0.001 + i * 1e-4}")
    path = _csv(tmp_path, "\n".join(lines) + "\n")
    from jingwu.imports import kinds

    monkeypatch.setattr(services, "CHUNK", 10)
    monkeypatch.setattr(kinds.IncidentHandler, "APPLY_SLICE", 10)

    def dying(job, phase, done):  # the first slice of rows is in when the second begins
        if phase == "apply" and done >= 10:
            raise KeyboardInterrupt

    job = services.create_job(kind="incidents", bureau=county.bureau, user=county.planner, path=path)
    with pytest.raises(KeyboardInterrupt):
        services.process_job(job, progress=dying)
    job.refresh_from_db()
    assert job.status == "applying"
    assert not Incident.objects.filter(external_id__startswith="S").exists()  # the first slice too
    services.process_job(job)
    job.refresh_from_db()
    assert job.status == "done" and job.created == 30
    assert Incident.objects.filter(external_id__startswith="S").count() == 30


def test_bureau_setup_from_geojson_polygons(county, tmp_path):
    """Stations created from the union of their grids; a water beat left out; a split unit merged."""
    from shapely.geometry import box, mapping

    from jingwu.org.models import Unit

    x0, y0 = X0 + 0.002, Y0 + 0.002  # inside the county's west half
    feats = []
    for i, (code, parent) in enumerate([("G1", "N"), ("G2", "N"), ("G3", "S"), ("G4", "S")]):
        g = box(x0 + i * 0.003, y0, x0 + (i + 1) * 0.003, y0 + 0.004)
        feats.append(
            {"type": "Feature", "properties": {"beat": code, "prec": parent}, "geometry": mapping(g)}
        )
    feats.append(
        {"type": "Feature", "properties": {"beat": "99", "prec": None}, "geometry": mapping(box(0, 0, 1, 1))}
    )
    path = tmp_path / "beats.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    # a fresh bureau with only a headquarters
    from jingwu.core.models import Bureau
    from jingwu.org.services import do_create_unit

    b = Bureau.objects.create(code="TEST01", name_zh="试验局")
    do_create_unit(actor=None, bureau=b, parent=None, kind="headquarters", code="HQ", name_zh="局机关")
    mapping_data = {
        "name": "beats",
        "kind": "units",
        "columns": {"code": "{beat}", "parent": "{prec}", "name_zh": "巡区{beat}"},
        "options": {
            "unit_kind": "grid",
            "exclude": {"beat": ["99"]},
            "create_parents": {"kind": "station", "name_zh": "{code}分局"},
        },
    }
    report = run_import("units", path, bureau=b, actor=None, mapping=mapping_data)
    assert report.ok and report.created == 4, report.problems
    units = {u.code: u for u in Unit.objects.filter(bureau=b)}
    assert set(units) == {"HQ", "N", "S", "G1", "G2", "G3", "G4"}
    assert units["N"].kind == "station" and units["G1"].parent_id == units["N"].pk
    assert units["HQ"].boundary is not None  # the union of the stations
    assert abs(units["HQ"].area_km2 - units["N"].area_km2 - units["S"].area_km2) < 0.01
    again = run_import("units", path, bureau=b, actor=None, mapping=mapping_data)
    assert again.created == 0 and again.unchanged == 4


def test_mapping_model_is_saved_per_bureau(county, other_county):
    m1 = _foreign_mapping(county)
    m2 = save_mapping(actor=None, bureau=other_county.bureau, data={**m1.as_dict()})
    assert m1.pk != m2.pk and ImportMapping.objects.filter(name="test-foreign").count() == 2
    with pytest.raises(
        MappingError, match=r"nope.*external_id"
    ):  # names the field and what exists; nothing saved
        save_mapping(
            actor=None,
            bureau=county.bureau,
            data={"name": "x", "kind": "incidents", "columns": {"nope": "A"}},
        )
    assert not ImportMapping.objects.filter(name="x").exists()


def test_rows_written_by_others_between_check_and_apply_are_left_alone(county, tmp_path, monkeypatch):
    from jingwu.imports import services
    from jingwu.incidents.services import do_record_incident

    path = _csv(tmp_path, GOOD)
    real = services._apply_phase

    def stop(*args, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(services, "_apply_phase", stop)
    job = services.create_job(kind="incidents", bureau=county.bureau, user=county.planner, path=path)
    with pytest.raises(KeyboardInterrupt):
        services.process_job(job)
    do_record_incident(  # someone records E1 meanwhile
        actor=None,
        bureau=county.bureau,
        category="0101",
        received_at=dt.datetime(2018, 7, 1, 0, 30, tzinfo=dt.UTC),
        lon=X0 + 0.004,
        lat=Y0 + 0.004,
        external_id="E1",
    )
    monkeypatch.setattr(services, "_apply_phase", real)
    services.process_job(job)
    job.refresh_from_db()
    assert job.status == "done" and (job.created, job.unchanged) == (1, 1)
    assert Incident.objects.filter(external_id="E1").count() == 1


def test_a_missing_time_is_reported_in_the_users_language(county, tmp_path):
    text = f"外部编号,接警时间,类别代码,经度,纬度\nE9,,0101,{X0 + 0.004},{Y0 + 0.004}\n"
    with translation.override("zh-hans"):
        report = run_import("incidents", _csv(tmp_path, text), bureau=county.bureau, actor=county.planner)
    assert [(p.row, p.column, p.reason) for p in report.problems] == [(2, "接警时间", "此列为必填项。")]
