"""Monthly and quarterly reports: a job writes a PDF with the Chinese font embedded and an Excel file."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from openpyxl import load_workbook

from jingwu.analytics.models import Report
from jingwu.jobs.services import latest_job, run_now


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"


def _request(client, user, unit, period="month", start="2018-06-15"):
    client.force_login(user)
    return client.post(reverse("analytics:report_new", args=[unit.pk]), {"period": period, "start": start})


def _run(report):
    job = latest_job(report)
    assert job is not None and job.kind == "measure_report"
    job = run_now(job)
    assert job.state == "done", job.error
    report.refresh_from_db()
    return report


def test_a_monthly_report_is_written_as_pdf_and_excel(client, county):
    import pypdfium2 as pdfium

    r = _request(client, county.command, county.hq)
    report = Report.objects.get(bureau=county.bureau)
    assert r.status_code == 302 and r["Location"] == reverse("analytics:report_detail", args=[report.pk])
    assert (report.period, report.start, report.end) == ("month", dt.date(2018, 6, 1), dt.date(2018, 6, 30))
    report = _run(report)
    pdf_path = Path(settings.MEDIA_ROOT) / report.pdf
    data = pdf_path.read_bytes()
    assert data.startswith(b"%PDF")
    # the font is embedded (a TrueType subset of the shipped Noto Sans SC) ...
    assert b"/FontFile2" in data and b"NotoSansSC" in data
    # read from the document: every piece of text is drawn in the shipped Noto Sans SC,
    # embedded (its glyph data inside the file), no other font (no fallback that shows boxes)
    from tests.pdf_fonts import text_fonts

    fonts = text_fonts(pdf_path)
    assert {name for name, _e, _n in fonts} == {"Noto Sans SC"}
    assert all(embedded and size > 1000 for _name, embedded, size in fonts)
    doc = pdfium.PdfDocument(str(pdf_path))
    page = doc[0]
    text = page.get_textpage().get_text_range()
    # ... and the Chinese glyphs are there: the text reads back as the unit's and the table's Chinese
    assert county.hq.name_zh in text
    assert "警情" in text
    # rendered, the page is not blank
    image = page.render(scale=1).to_pil().convert("L")
    dark = sum(1 for v in image.getdata() if v < 128)
    assert dark > 0.002 * image.width * image.height
    page.close()
    doc.close()
    # the Excel file holds the same figures: 4 incidents in June 2018
    wb = load_workbook(Path(settings.MEDIA_ROOT) / report.xlsx)
    months = wb["每月警情"]
    assert [tuple(row) for row in months.iter_rows(values_only=True)] == [("月份", "警情"), ("2018-06", 4)]
    indicators = {row[0]: row[1] for row in wb.worksheets[0].iter_rows(values_only=True) if row and row[0]}
    assert indicators["警情"] == 4
    # the pages list and serve the files
    page = client.get(reverse("analytics:report_detail", args=[report.pk]))
    assert page.status_code == 200 and b"jw-report-files" in page.content
    from tests.language_scan import english_words

    assert not english_words(page.content.decode())
    f = client.get(reverse("analytics:report_file", args=[report.pk, "pdf"]))
    assert f.status_code == 200 and f["Content-Type"] == "application/pdf"


def test_a_quarterly_report_of_a_station_counts_its_quarter(client, county):
    _request(client, county.chief, county.west, period="quarter", start="2018-05-02")
    report = _run(Report.objects.get(bureau=county.bureau))
    assert (report.start, report.end) == (dt.date(2018, 4, 1), dt.date(2018, 6, 30))
    wb = load_workbook(Path(settings.MEDIA_ROOT) / report.xlsx)
    months = [tuple(r) for r in wb["每月警情"].iter_rows(values_only=True)]
    # the data begin on 2018-06-01: April and May have no data ("–"), not 0 incidents
    assert months == [("月份", "警情"), ("2018-04", "–"), ("2018-05", "–"), ("2018-06", 2)]


def test_a_period_outside_the_data_is_refused_and_nothing_saved(client, county):
    r = _request(client, county.command, county.hq, start="2030-01-01")
    assert r.status_code == 302 and r["Location"] == reverse("analytics:dashboard", args=[county.hq.pk])
    assert not Report.objects.exists()
    page = client.get(r["Location"])
    assert "数据截止" in page.content.decode() or "之后" in page.content.decode()


def test_who_may_not_ask_is_refused(client, county, other_county):
    assert _request(client, county.political, county.hq).status_code == 403
    assert _request(client, other_county.command, county.hq).status_code == 404  # the outsider
    assert _request(client, county.chief, county.east).status_code == 404
    assert not Report.objects.exists()
    client.force_login(county.political)
    assert b"jw-report-form" not in client.get(reverse("analytics:dashboard", args=[county.hq.pk])).content


def test_a_report_is_seen_under_its_unit_only(client, county, other_county):
    _request(client, county.chief, county.west)
    report = _run(Report.objects.get(bureau=county.bureau))
    for user, status in [
        (county.chief, 200),
        (county.command, 200),
        (county.auditor, 200),
        (county.zone_lead, 404),  # the report is the station's, above the zone
        (other_county.chief, 404),
    ]:
        client.force_login(user)
        assert client.get(reverse("analytics:report_detail", args=[report.pk])).status_code == status, user
        assert client.get(reverse("analytics:report_file", args=[report.pk, "xlsx"])).status_code == status, (
            user
        )


def test_a_community_officer_posted_at_the_station_reads_only_their_own_reports(client, county):
    """The chief's report holds the station's cases, which a community officer does not see."""
    from jingwu.accounts.models import Role
    from jingwu.accounts.services import do_grant_membership

    do_grant_membership(actor=None, user=county.community, unit=county.west, role=Role.COMMUNITY_OFFICER)
    _request(client, county.chief, county.west)
    chiefs = _run(Report.objects.get(bureau=county.bureau))
    client.force_login(county.community)
    assert client.get(reverse("analytics:report_file", args=[chiefs.pk, "xlsx"])).status_code == 404
    assert client.get(reverse("analytics:report_detail", args=[chiefs.pk])).status_code == 404
    _request(client, county.community, county.west)
    own = Report.objects.filter(requested_by=county.community).get()
    client.force_login(county.community)
    assert client.get(reverse("analytics:report_detail", args=[own.pk])).status_code == 200


def _message(client, r):
    assert r.status_code == 302
    return client.get(r["Location"]).content.decode()


def test_a_unit_without_incidents_in_the_period_is_refused_in_the_user_s_language(client, county):
    from jingwu.incidents.models import Incident

    # no incident of the fixture is in the second grid of the south zone
    assert not Incident.objects.filter(grid=county.grid_s2).exists()
    page = _message(client, _request(client, county.chief, county.grid_s2))
    assert not Report.objects.exists()
    assert "没有警情" in page and "2018-06-01" in page and "2018-06-30" in page
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _message(client, _request(client, county.chief, county.grid_s2))
    assert "has no incidents from 2018-06-01 to 2018-06-30: there is nothing to report." in page
    assert not Report.objects.exists()
    # the station above it has two: its report is recorded
    assert _request(client, county.chief, county.west)["Location"].startswith("/measure/reports/")
    assert Report.objects.count() == 1


def test_a_center_without_work_in_the_period_is_refused(client, county):
    # the prevention center's work is its visits, the investigation center's its cases
    page = _message(client, _request(client, county.prevention, county.pc))
    assert "没有完成的检查" in page
    page = _message(client, _request(client, county.center, county.ic))
    assert "没有立案" in page
    assert not Report.objects.exists()


def test_the_data_begin_is_the_bureau_s_local_day_not_the_utc_date(client, county):
    from jingwu.incidents.services import do_record_incident

    # 07:00 in Beijing on 1 June is 23:00 UTC on 31 May: the data still begin on 1 June
    do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0101",
        received_at=dt.datetime(2018, 6, 1, 7, tzinfo=dt.timezone(dt.timedelta(hours=8))),
        lon=county.inc_west_theft.lon,
        lat=county.inc_west_theft.lat,
    )
    page = _message(client, _request(client, county.command, county.hq, start="2018-05-10"))
    assert not Report.objects.exists()
    assert "2018-06-01" in page and "2018-05-31" not in page
