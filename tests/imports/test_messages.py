"""Messages a user can act on, in Chinese and in English: each says what is wrong and where.

Expected texts are written out by hand for both languages.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import translation
from typer.testing import CliRunner

from jingwu.cli import app
from jingwu.imports.mapping import MappingError
from jingwu.imports.models import ImportJob, ImportMapping
from jingwu.imports.reading import Problem, Report
from jingwu.imports.services import run_import, save_mapping

from .conftest import X0, Y0

TEXT = {
    "empty": {"en": "The file is empty.", "zh-hans": "文件是空的。"},
    "header only": {
        "en": "The file has a header row but no rows under it: there is nothing to import.",
        "zh-hans": "文件只有表头行，下面没有数据行：没有可导入的内容。",
    },
    "nothing imported": {"en": "Nothing was imported: ", "zh-hans": "未导入任何数据："},
    "no units": {
        "en": "Bureau NOUNIT has no stations or grids with a boundary yet, so no location can be placed "
        "in it: import its stations and grids first (kind: units), then this file.",
        "zh-hans": "局 NOUNIT 尚无带边界的派出所或网格，任何位置都无法落入：请先导入其派出所和网格（类型：单位），再导入此文件。",
    },
    "swapped": {
        "en": "Longitude and latitude seem swapped: read the other way round, this location is inside the "
        "bureau's area. Are the columns 经度 and 纬度 the wrong way round?",
        "zh-hans": "经度和纬度似乎颠倒了：对调后该位置位于本局辖区内。经度 和 纬度 两列是否放反了？",
    },
    "latitude": {"en": "Latitude must be within -90..90.", "zh-hans": "纬度必须在 -90..90 之间。"},
    "longitude": {"en": "Longitude must be within -180..180.", "zh-hans": "经度必须在 -180..180 之间。"},
    "row": {"en": "row 2, 纬度 '999': ", "zh-hans": "第2行, 纬度 '999': "},
    "dry run": {
        "en": "tried (dry run, undone at the end) 2/2 (100%)",
        "zh-hans": "已试写（试运行，结束时撤销） 2/2 (100%)",
    },
    "dry run page": {
        "en": "Dry run: trying the checked rows in a transaction that will be undone…",
        "zh-hans": "试运行：正在一个将被撤销的事务中试写已检查的行……",
    },
    "unknown key": {
        "en": "Unknown key(s) in the mapping: colums; the keys are name, kind, description, source_system, "
        "columns, category_map, value_maps, coordinate_system, datetime_formats, timezone, options.",
        "zh-hans": "映射中有未知的键：colums；可用的键：name, kind, description, source_system, columns, "
        "category_map, value_maps, coordinate_system, datetime_formats, timezone, options。",
    },
    "unknown option": {
        "en": "Unknown option(s) for units: merge_same_cod; the options are unit_kind, station_type, exclude, "
        "merge_same_code, repair_geometry, trim_overlaps, create_parents, headquarters_boundary.",
        "zh-hans": "units 没有选项 merge_same_cod；可用的选项：unit_kind, station_type, exclude, merge_same_code, "
        "repair_geometry, trim_overlaps, create_parents, headquarters_boundary。",
    },
    "key changed": {
        "en": 'The key of mapping calls changed (external_id: "ID" → "_hash"): the rows its 1 earlier import '
        "wrote will not be recognised as already present, so importing the same files again would add them "
        "a second time.",
        "zh-hans": '映射 calls 的主键已更改（external_id: "ID" → "_hash"）：此前用它完成的 1 次导入所写入的行将不再被'
        "识别为已存在，再次导入同样的文件会重复添加这些行。",
    },
}
LANGUAGES = ["en", "zh-hans"]
HEADER = "外部编号,接警时间,类别代码,经度,纬度\n"


def _import(county, path, language, kind="incidents", **kw):
    kw.setdefault("bureau", county.bureau if county else None)
    kw.setdefault("actor", county.planner if county else None)
    with translation.override(language):
        report = run_import(kind, path, **kw)
        summary = report.summary()
    return report, summary


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_empty_file_says_it_is_empty(county, tmp_path, language):
    mapping = {  # a mapping that reads five columns: each would have been "no column X"
        "name": "five",
        "kind": "incidents",
        "columns": {"external_id": "ID", "received_at": "WHEN", "category": "WHAT", "lon": "X", "lat": "Y"},
    }
    for content, key in (("", "empty"), ("\n\n", "empty"), ("ID,WHEN,WHAT,X,Y\n", "header only")):
        path = tmp_path / "empty.csv"
        path.write_text(content, encoding="utf-8")
        report, summary = _import(county, path, language, mapping=mapping)
        assert [(p.row, p.column, p.reason) for p in report.problems] == [(0, "", TEXT[key][language])]
        assert summary == TEXT["nothing imported"][language] + TEXT[key][language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_bureau_without_stations_or_grids_says_to_import_them_first(db, tmp_path, language):
    from jingwu.core.models import Bureau
    from jingwu.incidents.taxonomy import sync_categories
    from jingwu.org.services import do_create_unit

    sync_categories()
    bureau = Bureau.objects.create(code="NOUNIT", name_zh="无单位局")
    do_create_unit(actor=None, bureau=bureau, parent=None, kind="headquarters", code="HQ", name_zh="局机关")
    path = tmp_path / "calls.csv"
    path.write_text(HEADER + "".join(f"E{i},2018-07-01 08:30,0101,{X0},{Y0}\n" for i in range(50)))
    report, _summary = _import(None, path, language, bureau=bureau, actor=None)
    assert [(p.row, p.reason) for p in report.problems] == [(0, TEXT["no units"][language])]
    premises = tmp_path / "premises.csv"
    premises.write_text(f"场所编号,场所类别,场所名称,经度,纬度\nP1,hotel,宾馆,{X0},{Y0}\n")
    report, _summary = _import(None, premises, language, kind="premises", bureau=bureau, actor=None)
    assert [(p.row, p.reason) for p in report.problems] == [(0, TEXT["no units"][language])]


@pytest.mark.parametrize("language", LANGUAGES)
def test_swapped_coordinates_are_named_and_a_bad_latitude_names_its_column(county, tmp_path, language):
    path = tmp_path / "swapped.csv"
    path.write_text(
        HEADER
        + f"S1,2018-07-01 08:30,0101,{Y0 + 0.004},{X0 + 0.004}\n"  # latitude in the longitude column
        + f"S2,2018-07-01 08:30,0101,{X0 + 0.004},999\n"
        + f"S3,2018-07-01 08:30,0101,999,{Y0 + 0.004}\n",
        encoding="utf-8",
    )
    report, _summary = _import(county, path, language)
    problems = {p.row: (p.column, p.reason) for p in report.problems}
    assert problems == {
        2: ("经度, 纬度", TEXT["swapped"][language]),
        3: ("纬度", TEXT["latitude"][language]),
        4: ("经度", TEXT["longitude"][language]),
    }
    premises = tmp_path / "premises.csv"
    premises.write_text(f"场所编号,场所类别,场所名称,经度,纬度\nP1,hotel,宾馆,{Y0 + 0.01},{X0 + 0.01}\n")
    report, _summary = _import(county, premises, language, kind="premises")
    assert [(p.row, p.column, p.reason) for p in report.problems] == [
        (2, "经度, 纬度", TEXT["swapped"][language])
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_problems_print_without_an_empty_row_column_or_value(language):
    with translation.override(language):
        assert Problem(0, "", "", "The file is empty.").describe() == "The file is empty."
        assert Problem(2, "纬度", "999", "x").describe() == TEXT["row"][language] + "x"
        assert Problem(5, "", "", "y").describe() == {"en": "row 5: y", "zh-hans": "第5行: y"}[language]
        report = Report(
            kind="incidents", problems=[Problem(0, "", "", "The file is empty.")], status="rejected"
        )
        assert report.summary() == TEXT["nothing imported"][language] + "The file is empty."


def _cli(args, language):
    return CliRunner().invoke(app, args, env={"JINGWU_LANGUAGE": language})


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_command_prints_no_row_0_and_a_dry_run_saves_nothing_it_says_it_saved(county, tmp_path, language):
    user = ["--bureau", county.bureau.code, "--user", county.planner.username]
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = _cli(["import", "incidents", str(empty), *user], language)
    assert result.exit_code == 1
    assert TEXT["nothing imported"][language] + TEXT["empty"][language] in result.output
    assert "row 0" not in result.output and "第0行" not in result.output and ": ''" not in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + f"E1,2018-07-01 08:30,0101,{X0 + 0.004},999\n", encoding="utf-8")
    result = _cli(["import", "incidents", str(bad), *user], language)
    assert TEXT["row"][language] + TEXT["latitude"][language] in result.output
    premises = tmp_path / "premises.csv"
    premises.write_text(
        "场所编号,场所类别,场所名称,经度,纬度\n"
        f"PD1,hotel,宾馆,{X0 + 0.01},{Y0 + 0.01}\nPD2,hotel,旅店,{X0 + 0.011},{Y0 + 0.01}\n",
        encoding="utf-8",
    )
    result = _cli(["import", "premises", str(premises), "--dry-run", *user], language)
    assert result.exit_code == 0, result.output
    assert TEXT["dry run"][language] in result.output
    assert "saved 2/2" not in result.output and "已保存 2/2" not in result.output
    assert result.output.rstrip().endswith(
        {
            "en": "Dry run: 2 rows are valid (2 new, 0 already present); nothing was saved.",
            "zh-hans": "试运行：2 行均有效（新增 2 行，已存在 0 行）；未保存任何数据。",
        }[language]
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_progress_page_of_a_dry_run_does_not_say_saving(client, county, tmp_path, language):
    path = tmp_path / "p.csv"
    path.write_text("场所编号\nP1\n", encoding="utf-8")
    job = ImportJob.objects.create(
        bureau=county.bureau,
        user=county.planner,
        kind="premises",
        file_name="p.csv",
        source_path=str(path),
        dry_run=True,
        status="applying",
        rows_total=2,
        rows_done=2,
        rows_valid=2,
    )
    client.force_login(county.planner)
    client.cookies["django_language"] = language
    html = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert TEXT["dry run page"][language] in html
    assert "Saving" not in html and "保存" not in html
    # nor while its run is in the phase that saves in a real import
    from jingwu.imports.services import start_job
    from jingwu.jobs.models import Job

    run = start_job(job, hand_out=False)
    Job.objects.filter(pk=run.pk).update(state="running", phase="apply", done=1, total=2, percent=50)
    html = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'data-job-state="running"' in html and 'value="50"' in html
    assert "Saving" not in html and "保存" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_unknown_key_or_option_in_a_mapping_is_refused_by_name(county, tmp_path, language):
    data = {"name": "typo", "kind": "incidents", "colums": {"received_at": "WHEN"}}
    with translation.override(language), pytest.raises(MappingError) as err:
        save_mapping(actor=county.planner, bureau=county.bureau, data=data)
    assert str(err.value) == TEXT["unknown key"][language]
    path = tmp_path / "typo.json"
    path.write_text(json.dumps({"mappings": [data]}), encoding="utf-8")
    result = _cli(["mapping", "load", str(path), "--bureau", county.bureau.code], language)
    assert result.exit_code == 1 and TEXT["unknown key"][language] in result.output
    units = {"name": "beats", "kind": "units", "columns": {"code": "B"}, "options": {"merge_same_cod": True}}
    with translation.override(language), pytest.raises(MappingError) as err:
        save_mapping(actor=county.planner, bureau=county.bureau, data=units)
    assert str(err.value) == TEXT["unknown option"][language]


@pytest.mark.parametrize("language", LANGUAGES)
def test_changing_the_key_columns_of_a_used_mapping_warns(client, county, tmp_path, language):
    data = {
        "name": "calls",
        "kind": "incidents",
        "source_system": "calls",
        "columns": {"external_id": "ID", "received_at": "WHEN", "category": "WHAT", "lon": "X", "lat": "Y"},
    }
    m = save_mapping(actor=county.planner, bureau=county.bureau, data=data)
    assert m.warnings == []
    changed = {**data, "columns": {**data["columns"], "external_id": "_hash"}}
    assert save_mapping(actor=county.planner, bureau=county.bureau, data=changed).warnings == []  # unused yet
    save_mapping(actor=county.planner, bureau=county.bureau, data=data)
    path = tmp_path / "calls.csv"
    path.write_text(
        f"ID,WHEN,WHAT,X,Y\nC1,2018-07-01 08:30,0101,{X0 + 0.004},{Y0 + 0.004}\n", encoding="utf-8"
    )
    assert _import(county, path, language, mapping=m)[0].created == 1
    description_only = {**data, "columns": {**data["columns"], "address": "WHERE"}}
    assert save_mapping(actor=county.planner, bureau=county.bureau, data=description_only).warnings == []
    with translation.override(language):
        saved = save_mapping(actor=county.planner, bureau=county.bureau, data=changed)
    assert saved.warnings == [TEXT["key changed"][language]]
    # the command line
    save_mapping(actor=county.planner, bureau=county.bureau, data=data)
    file = tmp_path / "calls.json"
    file.write_text(json.dumps(changed), encoding="utf-8")
    result = _cli(["mapping", "load", str(file), "--bureau", county.bureau.code], language)
    assert result.exit_code == 0 and TEXT["key changed"][language] in result.output
    # the mapping page
    save_mapping(actor=county.planner, bureau=county.bureau, data=data)
    mapping = ImportMapping.objects.get(bureau=county.bureau, name="calls")
    client.force_login(county.planner)
    client.cookies["django_language"] = language
    form = {
        "name": "calls",
        "kind": "incidents",
        "bureau": county.bureau.pk,
        "source_system": "calls",
        "columns": json.dumps(changed["columns"]),
        "coordinate_system": "wgs84",
        "timezone": "Asia/Shanghai",
    }
    r = client.post(reverse("imports:mapping_edit", args=[mapping.pk]), form, follow=True)
    assert r.status_code == 200 and TEXT["key changed"][language] in r.content.decode().replace("&quot;", '"')
