"""Every page for a logged-in user, what each persona sees, and the outsider case for each view."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.core.models import AuditEvent

from .conftest import PERSONAS


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_login_page_renders_in_chinese_by_default(client, db):
    r = client.get(reverse("login"))
    assert r.status_code == 200
    assert "登录" in r.content.decode()


def test_english_is_switchable(client, county):
    client.force_login(county.command)
    r = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert r.status_code == 302
    r = client.get(reverse("home"))
    html = r.content.decode()
    assert "Overview" in html and "Police stations" in html


def test_pages_need_log_in(client, county):
    for url in [
        reverse("home"),
        reverse("org:unit_list"),
        reverse("personnel:officer_list"),
        reverse("incidents:incident_list"),
        reverse("places:premises_list"),
        reverse("org:unit_detail", args=[county.west.pk]),
    ]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_command_home_shows_the_whole_bureau(client, county):
    r = get(client, county.command, reverse("home"))
    assert r.status_code == 200
    assert r.context["counts"]["stations"] == 2
    assert r.context["counts"]["incidents_year"] == 4
    assert {row["unit"].code for row in r.context["stations"]} == {"S01", "S02"}


def test_station_chief_home_counts_only_the_station(client, county):
    r = get(client, county.chief, reverse("home"))
    assert r.context["counts"]["stations"] == 1
    assert r.context["counts"]["incidents_year"] == 2


def test_station_page_has_map_officers_and_counts(client, county):
    r = get(client, county.chief, reverse("org:unit_detail", args=[county.west.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-layers-url="%s"' % reverse("org:unit_map", args=[county.west.pk]) in html
    assert r.context["incidents_year"] == 2
    names = {p.officer.name for p in r.context["postings"]}
    assert names == {"王建国", "李明", "陈静", "周洋"}


def test_station_map_layers_hold_zones_grids_premises_and_incidents(client, county):
    r = get(client, county.chief, reverse("org:unit_map", args=[county.west.pk]))
    data = r.json()["layers"]
    assert {f["properties"]["code"] for f in data["areas"]["features"]} == {"S01-Z1", "S01-Z2"}
    assert len(data["grids"]["features"]) == 3
    assert [f["properties"]["name"] for f in data["premises"]["features"]] == ["城西宾馆"]
    assert len(data["incidents"]["features"]) == 2


def test_it_hides_other_stations_pages_from_a_station_chief(client, county):
    for url in [
        reverse("org:unit_detail", args=[county.east.pk]),
        reverse("org:unit_map", args=[county.east.pk]),
        reverse("incidents:incident_detail", args=[county.inc_east_theft.pk]),
        reverse("places:premises_detail", args=[county.prem_east.pk]),
        reverse("personnel:officer_detail", args=[county.off_east.pk]),
    ]:
        assert get(client, county.chief, url).status_code == 404, url


def test_outsider_sees_nothing_of_another_bureau(client, county, outsider):
    for url in [
        reverse("org:unit_detail", args=[county.west.pk]),
        reverse("org:unit_map", args=[county.hq.pk]),
        reverse("incidents:incident_detail", args=[county.inc_west_theft.pk]),
        reverse("places:premises_detail", args=[county.prem_west.pk]),
        reverse("personnel:officer_detail", args=[county.off_chief.pk]),
    ]:
        assert get(client, outsider, url).status_code == 404, url
    for url in [
        reverse("incidents:incident_list"),
        reverse("places:premises_list"),
        reverse("personnel:officer_list"),
    ]:
        r = get(client, outsider, url)
        assert r.status_code == 200
        rows = list(r.context["page"])
        assert rows, url  # the outsider sees their own bureau's rows...
        assert all(row.bureau_id != county.bureau.pk for row in rows), url  # ...and none of this one's
    r = get(client, outsider, reverse("org:unit_list"))
    assert all(u.bureau_id != county.bureau.pk for u in r.context["units"])


def test_incident_list_filters_and_pages(client, county):
    url = reverse("incidents:incident_list")
    r = get(client, county.command, url)
    assert r.context["page"].paginator.count == 4
    r = get(client, county.command, url, category=_category_pk("01"))
    assert r.context["page"].paginator.count == 2  # the family selects its categories
    r = get(client, county.command, url, unit=county.east.pk)
    assert {i.number for i in r.context["page"]} == {
        county.inc_east_theft.number,
        county.inc_east_traffic.number,
    }
    r = get(client, county.command, url, received_from="2018-06-02")
    assert r.context["page"].paginator.count == 2


def _category_pk(code):
    from jingwu.incidents.models import IncidentCategory

    return IncidentCategory.objects.get(code=code).pk


def test_investigation_center_sees_criminal_incidents_everywhere_and_nothing_else(client, county):
    r = get(client, county.center, reverse("incidents:incident_list"))
    numbers = {i.number for i in r.context["page"]}
    assert numbers == {county.inc_west_theft.number, county.inc_east_theft.number}
    assert (
        get(
            client, county.center, reverse("incidents:incident_detail", args=[county.inc_east_traffic.pk])
        ).status_code
        == 404
    )


def test_zone_lead_and_community_officer_see_their_own_area(client, county):
    r = get(client, county.zone_lead, reverse("incidents:incident_list"))
    assert {i.number for i in r.context["page"]} == {county.inc_west_theft.number}
    r = get(client, county.community, reverse("places:premises_list"))
    assert [p.name for p in r.context["page"]] == ["城西宾馆"]
    assert get(client, county.community, reverse("personnel:officer_list")).status_code == 200
    r = get(client, county.community, reverse("personnel:officer_list"))
    assert r.context["page"].paginator.count == 0  # community officers have no personnel view


def test_officer_list_filters(client, county):
    url = reverse("personnel:officer_list")
    r = get(client, county.command, url)
    assert r.context["page"].paginator.count == 6
    assert get(client, county.command, url, gender="F").context["page"].paginator.count == 1
    assert get(client, county.command, url, kind="auxiliary").context["page"].paginator.count == 1
    assert get(client, county.command, url, unit=county.west.pk).context["page"].paginator.count == 4
    assert get(client, county.command, url, skill="community_work").context["page"].paginator.count == 5
    officers = [
        county.off_chief,
        county.off_lead,
        county.off_comm,
        county.off_east,
        county.off_ic,
        county.off_aux,
    ]
    for band, (lo, hi) in {"-29": (0, 29), "30-39": (30, 39), "40-49": (40, 49), "50-": (50, 200)}.items():
        shown = {o.name for o in get(client, county.command, url, age=band).context["page"]}
        assert shown == {o.name for o in officers if lo <= o.age() <= hi}, band


def test_officer_detail_masks_the_id_number_and_records_the_look(client, county):
    before = AuditEvent.objects.filter(action="view").count()
    r = get(client, county.chief, reverse("personnel:officer_detail", args=[county.off_comm.pk]))
    html = r.content.decode()
    assert county.off_comm.id_number not in html
    assert county.off_comm.id_number_masked in html
    assert AuditEvent.objects.filter(action="view").count() == before + 1
    event = AuditEvent.objects.filter(action="view").order_by("-id").first()
    assert event.actor == county.chief and event.object_id == str(county.off_comm.pk)


def test_incident_detail_masks_the_reporter(client, county):
    r = get(client, county.command, reverse("incidents:incident_detail", args=[county.inc_west_theft.pk]))
    html = r.content.decode()
    assert "张三" not in html and "张*" in html
    assert "13800000001" not in html


@pytest.mark.parametrize("name", ["unit_list", "officer_list", "premises_list", "incident_list", "home"])
def test_every_list_page_renders_for_every_persona(client, county, name):
    urls = {
        "unit_list": reverse("org:unit_list"),
        "officer_list": reverse("personnel:officer_list"),
        "premises_list": reverse("places:premises_list"),
        "incident_list": reverse("incidents:incident_list"),
        "home": reverse("home"),
    }
    for persona in PERSONAS:
        r = get(client, getattr(county, persona), urls[name])
        assert r.status_code == 200, (persona, name)


def test_premises_map_and_detail(client, county):
    r = get(client, county.prevention, reverse("places:premises_map"))
    assert len(r.json()["layers"]["premises"]["features"]) == 2  # the prevention center works bureau-wide
    r = get(client, county.prevention, reverse("places:premises_detail", args=[county.prem_east.pk]))
    assert r.status_code == 200


def test_admin_lists_every_model_for_a_superuser(client, county, django_user_model):
    from django.apps import apps
    from django.contrib import admin

    admin_user = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin_user)
    jingwu_models = [m for m in apps.get_models() if m.__module__.startswith("jingwu.")]
    through = {"caseincident", "seriesincident", "petitionincident"}
    for model in jingwu_models:
        if model._meta.model_name in through:
            continue
        assert model in admin.site._registry, model
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


# --- Hardening of the pages (issue 8, item 16) ---------------------------------------------


@pytest.mark.parametrize(
    "name, inside",
    [("incidents:incident_list", 1), ("places:premises_list", 1), ("personnel:officer_list", 3)],
)
def test_a_filter_on_a_unit_outside_the_users_area_says_so_and_shows_nothing(client, county, name, inside):
    r = get(client, county.chief, reverse(name), unit=county.east.pk)
    assert r.status_code == 200
    assert r.context["page"].paginator.count == 0  # not the whole station, as if the filter were not there
    html = r.content.decode()
    assert "该单位不在您的管辖范围内或不存在" in html and "筛选条件无效，未显示任何记录" in html
    # the same filter on a unit of the station applies
    r = get(client, county.chief, reverse(name), unit=county.zone_s.pk)
    assert r.context["page"].paginator.count == inside
    assert "筛选条件无效" not in r.content.decode()


def test_a_unit_filter_on_another_bureau_says_so_too(client, county, outsider):
    r = get(client, outsider, reverse("incidents:incident_list"), unit=county.west.pk)
    assert r.context["page"].paginator.count == 0
    assert "该单位不在您的管辖范围内或不存在" in r.content.decode()


def test_home_and_unit_pages_give_the_same_police_and_auxiliary_counts(client, county):
    from jingwu.engine.ids import make_id_number
    from jingwu.personnel.services import do_create_officer, do_update_officer

    do_update_officer(county.off_comm, actor=None, status="leave")  # on leave: still on strength
    do_create_officer(  # retired, without a posting: on no one's strength
        actor=None,
        bureau=county.bureau,
        police_number="100099",
        name="吴退",
        kind="police",
        gender="M",
        birth_date=dt.date(1958, 1, 1),
        id_number=make_id_number("990001", dt.date(1958, 1, 1), 99, False),
        status="retired",
    )
    # written out by hand: police chief, lead, comm, east, ic; auxiliary aux
    expected = {
        "command": (county.hq, {"police": 5, "auxiliary": 1}),
        "chief": (county.west, {"police": 3, "auxiliary": 1}),
        "zone_lead": (county.zone_s, {"police": 2, "auxiliary": 1}),
    }
    for persona, (unit, counts) in expected.items():
        user = getattr(county, persona)
        home = get(client, user, reverse("home")).context["counts"]
        assert {k: home[k] for k in counts} == counts, persona
        page = get(client, user, reverse("org:unit_detail", args=[unit.pk]))
        assert page.context["people"] == counts, persona


def test_the_monthly_chart_shows_empty_months_as_zero_and_marks_partial_months(client, county):
    from jingwu.incidents.services import do_record_incident

    from .conftest import X0, Y0

    cst = dt.timezone(dt.timedelta(hours=8))
    for when, lon in [
        (dt.datetime(2018, 4, 20, 10, 0, tzinfo=cst), X0 + 0.004),
        (dt.datetime(2018, 9, 15, 10, 0, tzinfo=cst), X0 + 0.03),
    ]:
        do_record_incident(
            actor=None, bureau=county.bureau, category="0401", received_at=when, lon=lon, lat=Y0 + 0.004
        )
    r = get(client, county.command, reverse("home"))
    monthly = r.context["monthly"]
    assert monthly["labels"] == ["2018-04", "2018-05", "2018-06", "2018-07", "2018-08", "2018-09"]
    assert monthly["values"] == [1, 0, 4, 0, 0, 1]
    assert monthly["partial"] == [0, 5]  # the data start on 20 April and end on 15 September
    html = r.content.decode()
    assert "不完整月份（空心点）：2018-04, 2018-09" in html
    # a station chief: the station's counts, on the bureau's months
    r = get(client, county.chief, reverse("home"))
    assert r.context["monthly"]["labels"] == monthly["labels"]
    assert r.context["monthly"]["values"] == [1, 0, 2, 0, 0, 0]
    assert r.context["monthly"]["partial"] == [0, 5]
    assert r.context["as_of"].date() == dt.date(
        2018, 9, 15
    )  # the bureau's data, not the station's last incident


def test_a_month_the_data_covers_whole_is_not_partial(client, county):
    from jingwu.incidents.services import do_record_incident

    from .conftest import X0, Y0

    cst = dt.timezone(dt.timedelta(hours=8))
    do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0401",
        received_at=dt.datetime(2018, 6, 30, 23, 50, tzinfo=cst),
        lon=X0 + 0.004,
        lat=Y0 + 0.004,
    )
    r = get(client, county.command, reverse("home"))
    assert r.context["monthly"]["labels"] == ["2018-06"] and r.context["monthly"]["partial"] == []
    assert "不完整月份（空心点）" not in r.content.decode()


def test_a_community_officer_sees_their_grid_in_the_unit_list_and_on_its_page(client, county):
    r = get(client, county.community, reverse("org:unit_list"))
    assert [u.code for u in r.context["units"]] == ["S01-Z1-G1"]
    html = r.content.decode()
    assert "南片一格" in html and "您没有可查看的单位" not in html
    r = get(client, county.community, reverse("org:unit_map", args=[county.grid_s1.pk]))
    assert [f["properties"]["code"] for f in r.json()["layers"]["grids"]["features"]] == ["S01-Z1-G1"]
    # a station chief still gets the grids only on asking
    r = get(client, county.chief, reverse("org:unit_list"))
    assert "grid" not in {u.kind for u in r.context["units"]}


def test_the_language_switcher_names_each_language_in_its_own_language(client, county):
    html = get(client, county.command, reverse("home")).content.decode()
    assert '<option value="en" lang="en">English</option>' in html
    assert "简体中文</option>" in html and "英语" not in html


def test_names_of_things_are_名称_and_names_of_people_姓名(client, county):
    from .conftest import minimal_scenario

    minimal_scenario(county.bureau)
    html = get(client, county.planner, reverse("planning:scenario_list")).content.decode()
    assert "<th>名称</th>" in html and "姓名" not in html
    html = get(client, county.command, reverse("personnel:officer_list")).content.decode()
    assert "<th>姓名</th>" in html
    html = get(client, county.command, reverse("org:unit_detail", args=[county.west.pk])).content.decode()
    assert "<th>姓名</th>" in html


def test_the_officer_export_heads_the_name_column_姓名(client, county):
    import csv
    import io

    client.cookies["django_language"] = "zh-hans"
    r = get(client, county.command, reverse("imports:export", args=["officers", "csv"]))
    header = next(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert header[:2] == ["警号", "姓名"]


def test_the_audit_list_names_types_and_channels(client, county):
    get(client, county.chief, reverse("personnel:officer_detail", args=[county.off_comm.pk]))  # a web event
    r = get(client, county.auditor, reverse("audit_list"))
    html = r.content.decode()
    assert '<th class="d-none d-lg-table-cell">操作途径</th>' in html  # how the event came: not 起始日期
    assert "personnel.officer" not in html and "警务人员 #" in html
    assert "命令行" in html  # the county was built by services outside a request
    event = AuditEvent.objects.filter(object_type="personnel.officer", action="view").latest("pk")
    html = get(client, county.auditor, reverse("audit_detail", args=[event.pk])).content.decode()
    assert "网页" in html and "查看 · 警务人员 #" in html


def test_the_audit_detail_names_the_changed_fields(client, county):
    from jingwu.personnel.services import do_update_officer

    do_update_officer(county.off_comm, actor=county.planner, rank="sergeant_2")
    event = AuditEvent.objects.filter(object_type="personnel.officer", action="update").latest("pk")
    html = get(client, county.auditor, reverse("audit_detail", args=[event.pk])).content.decode()
    assert "<td>警衔</td>" in html and "police_number" not in html


def test_the_comparison_shows_the_solver_status_in_words(client, county):
    from .conftest import minimal_scenario

    s = minimal_scenario(county.bureau)
    s.results["reassign"]["status"] = "FEASIBLE"
    s.save()
    html = get(client, county.planner, reverse("planning:compare"), a=s.pk, b=s.pk).content.decode()
    assert "FEASIBLE" not in html and "可行（已到时限）" in html


def test_error_pages_are_in_chinese(client, county):
    html = get(client, county.chief, "/no-such-page/").content.decode()
    assert "页面不存在" in html and "Not Found" not in html
    r = get(client, county.chief, reverse("org:unit_detail", args=[county.east.pk]))
    assert r.status_code == 404 and "页面不存在" in r.content.decode()
    r = get(client, county.auditor, reverse("imports:job_new"))
    assert r.status_code == 403 and "无权操作" in r.content.decode()


def test_a_refused_form_says_so_in_chinese(county):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(county.chief)
    r = c.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert r.status_code == 403
    html = r.content.decode()
    assert "表单已失效" in html and "CSRF" not in html


def test_an_unreadable_file_is_not_counted_as_a_row_with_problems(client, county, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jingwu.imports.models import ImportJob
    from jingwu.imports.tasks import run_job

    settings.MEDIA_ROOT = tmp_path
    client.force_login(county.planner)
    client.post(
        reverse("imports:job_new"),
        {
            "kind": "incidents",
            "bureau": county.bureau.pk,
            "file": SimpleUploadedFile("e.xlsx", b"not a workbook", content_type="application/octet-stream"),
        },
    )
    job = ImportJob.objects.get()
    run_job(job.pk)
    html = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "文件不是可读取的 Excel 工作簿" in html
    assert "1 行有问题" not in html  # the tile beside it says 0 rows with problems
    assert "未导入任何数据" in html
