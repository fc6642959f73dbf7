"""The import pages (jobs, progress fragment, reject file, mappings) and the list exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from jingwu.core.models import AuditEvent
from jingwu.imports.models import ImportJob
from jingwu.incidents.models import Incident

from .conftest import X0, Y0

GOOD = (
    "外部编号,接警时间,类别代码,经度,纬度,地址\n"
    f"W1,2018-07-01 08:30,0101,{X0 + 0.004},{Y0 + 0.004},城西路3号\n"
    f"W2,2018-07-01 09:10,0401,{X0 + 0.03},{Y0 + 0.01},城东路8号\n"
)
BAD = GOOD + f"W3,not a time,0101,{X0 + 0.004},{Y0 + 0.004},x\n"


def _upload(name: str, text: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _start(client, user, text=GOOD, **extra):
    client.force_login(user)
    data = {"kind": "incidents", "bureau": user.memberships.first().bureau_id, "file": _upload("w.csv", text)}
    data.update(extra)
    return client.post(reverse("imports:job_new"), data)


def test_a_planner_uploads_a_file_and_follows_the_job(client, county, sync_q):
    r = _start(client, county.planner)
    assert r.status_code == 302
    job = ImportJob.objects.get()
    assert r["Location"] == reverse("imports:job_detail", args=[job.pk])
    assert job.status == "done" and job.created == 2 and job.user == county.planner and job.via == "job"
    page = client.get(r["Location"])
    html = page.content.decode()
    assert page.status_code == 200 and "w.csv" in html
    assert 'hx-get="' not in html  # finished: no more polling
    event = AuditEvent.objects.get(action="import")
    assert event.actor == county.planner and event.via == "job"
    assert client.get(reverse("imports:job_list")).status_code == 200


def test_the_progress_fragment_polls_while_the_job_runs(client, county):
    r = _start(client, county.planner)  # not run: the worker is not there
    job = ImportJob.objects.get()
    assert job.status == "queued"
    frag = client.get(reverse("imports:job_progress", args=[job.pk]))
    html = frag.content.decode()
    assert frag.status_code == 200 and "<html" not in html
    assert (
        f'hx-get="{reverse("imports:job_progress", args=[job.pk])}"' in html
        and 'hx-trigger="every 1s"' in html
    )
    assert "<script" not in html
    from jingwu.imports.tasks import run_job

    assert run_job(job.pk) == "done"
    html = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert "hx-get" not in html and r.status_code == 302


def test_bad_rows_are_listed_and_downloadable(client, county, sync_q):
    client.cookies["django_language"] = "en"
    _start(client, county.planner, text=BAD, skip_invalid="on")
    job = ImportJob.objects.get()
    assert job.status == "done" and job.created == 2 and job.rows_invalid == 1
    html = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "not a time" in html and reverse("imports:job_rejects", args=[job.pk]) in html
    r = client.get(reverse("imports:job_rejects", args=[job.pk]))
    body = b"".join(r.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[1][0] == "4" and "接警时间" in rows[1][-1]


def test_all_or_nothing_from_the_ui(client, county, sync_q):
    _start(client, county.planner, text=BAD)
    job = ImportJob.objects.get()
    assert job.status == "rejected" and not Incident.objects.filter(external_id__startswith="W").exists()


def test_who_may_import_and_who_sees_the_jobs(client, county, outsider, sync_q):
    _start(client, county.planner)
    job = ImportJob.objects.get()
    detail = reverse("imports:job_detail", args=[job.pk])
    # the owner and the bureau's auditors see it; others get 404
    for user, status in [(county.auditor, 200), (county.chief, 404), (outsider, 404), (county.command, 404)]:
        client.force_login(user)
        assert client.get(detail).status_code == status, user
        assert client.get(reverse("imports:job_progress", args=[job.pk])).status_code == status
    # without "add" permission for anything there is no upload page: 403 for the auditor, who
    # sees the jobs, and 404 for the system administrator, who has no import page at all;
    # command records callbacks to reporters, so it imports them
    for user, status in [(county.sysadmin, 404), (county.auditor, 403), (county.command, 200)]:
        client.force_login(user)
        assert client.get(reverse("imports:job_new")).status_code == status
    client.force_login(county.auditor)
    assert job.pk in [j.pk for j in client.get(reverse("imports:job_list")).context["page"]]
    client.force_login(outsider)
    assert list(client.get(reverse("imports:job_list")).context["page"]) == []


def test_the_form_offers_only_what_the_user_may_add(client, county):
    client.force_login(county.political)  # officers only
    form = client.get(reverse("imports:job_new")).context["form"]
    assert [k for k, _label in form.fields["kind"].choices] == ["officers"]
    client.force_login(county.planner)
    form = client.get(reverse("imports:job_new")).context["form"]
    assert {k for k, _label in form.fields["kind"].choices} == {"incidents", "officers", "premises", "units"}
    client.force_login(county.command)  # callbacks to reporters only
    form = client.get(reverse("imports:job_new")).context["form"]
    assert [k for k, _label in form.fields["kind"].choices] == ["callbacks"]


def test_the_nav_shows_import_to_those_who_may(client, county):
    client.force_login(county.planner)
    assert reverse("imports:job_list") in client.get(reverse("home")).content.decode()
    client.force_login(county.sysadmin)
    assert reverse("imports:job_list") not in client.get(reverse("home")).content.decode()


def test_mappings_are_edited_as_data(client, county):
    client.force_login(county.planner)
    r = client.post(
        reverse("imports:mapping_new"),
        {
            "name": "city-x",
            "kind": "incidents",
            "bureau": county.bureau.pk,
            "columns": '{"received_at": "WHEN", "category": "TYPE", "lon": "X", "lat": "Y"}',
            "category_map": '{"Theft": "0101"}',
            "value_maps": "",
            "coordinate_system": "utm:50N",
            "datetime_formats": '["%d/%m/%Y %H:%M"]',
            "timezone": "Asia/Shanghai",
            "options": "",
        },
    )
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    from jingwu.imports.models import ImportMapping

    m = ImportMapping.objects.get(name="city-x")
    assert m.coordinate_system == "utm:50N" and m.category_map == {"Theft": "0101"}
    bad = client.post(
        reverse("imports:mapping_edit", args=[m.pk]),
        {
            "name": "city-x",
            "kind": "incidents",
            "bureau": county.bureau.pk,
            "columns": '{"nope": "A"}',
            "coordinate_system": "wgs84",
            "timezone": "Asia/Shanghai",
        },
    )
    assert bad.status_code == 200 and bad.context["form"].errors
    assert client.get(reverse("imports:mapping_list")).status_code == 200


# --- exports ---------------------------------------------------------------


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_incident_export_honours_filters_scope_and_masks(client, county):
    Incident.objects.filter(pk=county.inc_west_theft.pk).update(address="=cmd|' /C calc'!A0")
    client.force_login(county.chief)  # the west station only
    r = client.get(reverse("imports:export", args=["incidents", "csv"]))
    rows = _csv_rows(r)
    assert len(rows) == 1 + 2 and r["X-Export-Rows"] == "2"
    header = rows[0]
    by_number = {row[header.index("警情编号")]: row for row in rows[1:]}
    theft = by_number[county.inc_west_theft.number]
    assert theft[header.index("报警人")] == "张*"
    assert theft[header.index("报警人电话")] == "138****0001"
    assert theft[header.index("地址")].startswith("'=")
    r = client.get(reverse("imports:export", args=["incidents", "csv"]), {"category": "01"})
    assert len(_csv_rows(r)) == 2  # the theft only
    event = AuditEvent.objects.filter(action="export").latest("seq")
    assert (
        event.actor == county.chief
        and event.after["rows"] == 1
        and event.after["filters"] == {"category": "01"}
    )


def test_officer_export_masks_id_numbers_in_xlsx(client, county):
    from openpyxl import load_workbook

    client.force_login(county.command)
    r = client.get(reverse("imports:export", args=["officers", "xlsx"]), {"kind": "police"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    header = rows[0]
    ids = [row[header.index("居民身份证号码")] for row in rows[1:]]
    assert len(rows) - 1 == 5 and all("********" in v for v in ids)
    assert county.off_chief.id_number not in str(rows)


def test_premises_export_and_outsiders(client, county, outsider):
    client.force_login(county.command)
    rows = _csv_rows(client.get(reverse("imports:export", args=["premises", "csv"])))
    assert len(rows) == 3
    client.force_login(outsider)
    rows = _csv_rows(client.get(reverse("imports:export", args=["premises", "csv"])))
    lon = rows[0].index("经度")
    assert len(rows) == 2 and float(rows[1][lon]) > X0 + 0.4  # their own bureau's premises only
    assert client.get(reverse("imports:export", args=["cases", "csv"])).status_code == 404
    assert client.get(reverse("imports:export", args=["premises", "pdf"])).status_code == 404
    client.force_login(county.sysadmin)  # sees no premises at all
    assert client.get(reverse("imports:export", args=["premises", "csv"])).status_code == 404


@pytest.mark.parametrize(
    "page,kind",
    [
        ("incidents:incident_list", "incidents"),
        ("personnel:officer_list", "officers"),
        ("places:premises_list", "premises"),
    ],
)
def test_list_pages_carry_export_links_with_the_filters(client, county, page, kind):
    client.force_login(county.command)
    html = client.get(reverse(page), {"status": "active"}).content.decode()
    assert f"{reverse('imports:export', args=[kind, 'csv'])}?status=active" in html
    assert f"{reverse('imports:export', args=[kind, 'xlsx'])}?status=active" in html


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_an_exported_incident_list_imports_again_in_either_language(client, county, tmp_path, lang):
    """The export's headers are the import's: a sheet exported and imported back changes nothing."""
    from jingwu.imports.services import run_import

    client.force_login(county.chief)
    client.cookies["django_language"] = lang
    r = client.get(reverse("imports:export", args=["incidents", "csv"]))
    exported = b"".join(r.streaming_content)
    path = tmp_path / "exported.csv"
    path.write_bytes(exported)
    before = Incident.objects.count()
    report = run_import("incidents", path, bureau=county.bureau, actor=county.chief)
    assert report.ok and report.bad_rows == 0, report.problems[:3]
    assert (report.created, report.unchanged) == (0, int(r["X-Export-Rows"]))
    assert Incident.objects.count() == before
    # with their numbers removed and new ids, the same rows are new incidents, placed as before
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    header = rows[0]
    number = header.index("警情编号" if lang == "zh-hans" else "Incident number")
    ext = header.index("外部编号" if lang == "zh-hans" else "External id")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for i, row in enumerate(rows[1:]):
        writer.writerow([*row[:number], "", *row[number + 1 : ext], f"R{i}", *row[ext + 1 :]])
    path.write_text(out.getvalue(), "utf-8")
    report = run_import("incidents", path, bureau=county.bureau, actor=county.chief)
    assert report.ok and report.created == int(r["X-Export-Rows"]), report.problems[:3]
    copy = Incident.objects.get(external_id="R0")
    assert copy.station_id == county.west.pk and copy.number.startswith(f"J{county.bureau.code}")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("kind", ["incidents", "premises"])
def test_an_exported_list_imports_again_in_either_language_and_format(
    client, county, tmp_path, kind, lang, fmt
):
    """Each column that carries an import field is read by its header in the export's language
    (the premises' name was unread in English: "Premises name" is not the field's own name)."""
    from jingwu.imports.services import run_import
    from jingwu.places.models import Premises

    model = {"incidents": Incident, "premises": Premises}[kind]
    client.force_login(county.planner)
    client.cookies["django_language"] = lang
    r = client.get(reverse("imports:export", args=[kind, fmt]))
    path = tmp_path / f"exported.{fmt}"
    path.write_bytes(b"".join(r.streaming_content))
    before = model.objects.count()
    assert int(r["X-Export-Rows"]) == before > 0
    report = run_import(kind, path, bureau=county.bureau, actor=county.planner)
    assert report.ok and report.bad_rows == 0, [p.describe() for p in report.problems[:3]]
    assert (report.created, report.unchanged) == (0, before)
    assert model.objects.count() == before


def test_the_bar_follows_the_saving_of_a_large_job(client, county, monkeypatch):
    """The apply is one transaction: the page reads its progress from what the run reports."""
    from jingwu.imports import kinds, services
    from jingwu.jobs import runner

    monkeypatch.setattr(runner, "TICK", 0.0)  # the run's progress is written at every report

    _start(client, county.planner)
    job = ImportJob.objects.get()
    client.cookies["django_language"] = "en"
    seen = []

    def look(j, phase, done):  # what the progress page shows while the worker saves
        if phase == "apply" and done:
            seen.append(client.get(reverse("imports:job_progress", args=[job.pk])).content.decode())

    monkeypatch.setattr(kinds.IncidentHandler, "APPLY_SLICE", 1)
    services.process_job(job, progress=look)
    assert seen and "Saving in one transaction: 1 of 2 rows" in seen[0] and 'value="50"' in seen[0]
    assert 'data-job-state="running"' in seen[0]
    html = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'data-job-state="done"' in html and "Saving in one transaction" not in html
