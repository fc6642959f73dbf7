"""A roster as PDF: landscape, the shipped CJK font embedded, Chinese names that read back, a page with ink."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingwu.core.clock import data_date
from jingwu.core.models import AuditEvent
from jingwu.duty.models import RosterEntry
from jingwu.duty.services import do_start_roster
from jingwu.jobs.services import latest_job, run_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(county):
    r = do_start_roster(
        county.west, actor=county.chief, start=data_date(county.bureau), days=7, time_limit=5, hand_out=False
    )
    run_now(latest_job(r))
    r.refresh_from_db()
    return r


def test_the_roster_pdf_embeds_the_chinese_font_and_shows_the_names(client, county, roster):
    import pypdfium2 as pdfium

    client.force_login(county.chief)
    client.cookies["django_language"] = "zh-hans"
    page_html = client.get(reverse("duty:roster_detail", args=[roster.pk])).content.decode()
    url = reverse("duty:roster_pdf", args=[roster.pk])
    assert url in page_html  # downloaded from the roster page
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    data = r.content
    assert data.startswith(b"%PDF")
    assert b"/FontFile2" in data and b"NotoSansSC" in data  # the TrueType subset of the shipped font
    # read from the document: every piece of text is drawn in the shipped Noto Sans SC,
    # embedded (its glyph data inside the file), no other font (no fallback that shows boxes)
    from tests.pdf_fonts import text_fonts

    fonts = text_fonts(data)
    assert {name for name, _e, _n in fonts} == {"Noto Sans SC"}
    assert all(embedded and size > 1000 for _name, embedded, size in fonts)
    doc = pdfium.PdfDocument(data)
    page = doc[0]
    width, height = page.get_size()
    assert width > height  # landscape
    text = page.get_textpage().get_text_range()
    on_duty = {e.officer.name for e in RosterEntry.objects.filter(roster=roster).select_related("officer")}
    assert on_duty and {"王建国", "李明", "陈静"} & on_duty
    for name in on_duty:
        assert name in text
    assert county.west.name_zh in text and "排班表" in text
    assert "南片" in text and "白班" in text  # the legend: zones and shifts by name
    assert "★" in text  # leaders of a zone's shift are marked
    image = page.render(scale=1).to_pil().convert("L")
    dark = sum(1 for v in image.tobytes() if v < 128)
    assert dark > 0.002 * image.width * image.height  # not blank
    page.close()
    doc.close()
    assert AuditEvent.objects.filter(
        object_type="duty.roster", object_id=str(roster.pk), action="export", after__format="pdf"
    ).exists()


def test_the_roster_pdf_in_english_and_for_outsiders(client, county, other_county, roster):
    import pypdfium2 as pdfium

    client.force_login(county.zone_lead)
    client.cookies["django_language"] = "en"
    r = client.get(reverse("duty:roster_pdf", args=[roster.pk]))
    assert r.status_code == 200
    doc = pdfium.PdfDocument(r.content)
    text = doc[0].get_textpage().get_text_range()
    assert "Duty roster" in text and "Hours" in text
    assert "李明" in text  # the zone lead sees the people of their zone
    doc.close()
    client.force_login(other_county.chief)
    assert client.get(reverse("duty:roster_pdf", args=[roster.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("duty:roster_pdf", args=[roster.pk])).status_code == 302
