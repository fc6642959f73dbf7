"""Slice 3: evidence beside each criterion, from incidents, cases and conduct records,
and the officer's own evidence with validated attachments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from jingwu.cases.models import Case
from jingwu.evaluation import services as sv
from jingwu.evaluation.evidence import gather, quarter_days
from jingwu.evaluation.models import ConductRecord, OwnEvidence

from .helpers import open_cycle

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def cycle(county):
    return open_cycle(county)


def test_quarters():
    assert quarter_days(2018, 2) == (dt.date(2018, 4, 1), dt.date(2018, 6, 30))
    assert quarter_days(2018, 4) == (dt.date(2018, 10, 1), dt.date(2018, 12, 31))
    assert quarter_days(2019, 1) == (dt.date(2019, 1, 1), dt.date(2019, 3, 31))


def test_evidence_from_incidents_cases_and_records(county, cycle):
    when = dt.datetime(2018, 5, 2, 9, tzinfo=dt.UTC)
    Case.objects.create(
        bureau=county.bureau,
        number="E1",
        kind="criminal",
        title="盗窃",
        owning_unit=county.west,
        opened_at=when,
        closed_at=when + dt.timedelta(days=20),
    )
    Case.objects.create(  # opened in the first quarter: not this quarter's
        bureau=county.bureau,
        number="E2",
        kind="criminal",
        title="诈骗",
        owning_unit=county.west,
        opened_at=dt.datetime(2018, 3, 2, tzinfo=dt.UTC),
    )
    sv.do_record_conduct(
        actor=county.chief,
        officer=county.off_comm,
        kind="commendation",
        day=dt.date(2018, 5, 10),
        title="群众送锦旗",
    )
    sv.do_record_conduct(
        actor=county.chief,
        officer=county.off_comm,
        kind="complaint",
        day=dt.date(2018, 5, 20),
        title="群众投诉态度",
        substantiated=False,
    )
    sv.do_record_conduct(
        actor=county.chief,
        officer=county.off_comm,
        kind="complaint",
        day=dt.date(2018, 3, 20),
        title="上季度的投诉",
    )  # another quarter
    comm = sv.do_nominate(cycle, actor=county.chief, officer=county.off_comm, unit=county.west)
    chief = sv.do_nominate(cycle, actor=county.political, officer=county.off_chief, unit=county.west)
    ev = gather(comm)
    # 陈静 works grid S01-Z1-G1: the west theft (2018-06-01) is there, the dispute is in the north zone
    assert ev["incidents"].figures == {"received": 1, "cleared": 0}
    assert ev["cases"].figures == {"opened": 0, "closed": 0}  # the grid owns no case
    assert ev["commendations"].figures == {"count": 1}
    assert ev["complaints"].figures == {"count": 0, "groundless": 1}
    assert ev["discipline"].figures == {"count": 0}
    ev = gather(chief)  # the chief's station: both west incidents, its case of the quarter
    assert ev["incidents"].figures == {"received": 2, "cleared": 0}
    assert ev["cases"].figures == {"opened": 1, "closed": 1}
    assert ev["commendations"].figures == {"count": 0}


def test_conduct_records_are_the_chiefs_of_the_station_and_the_political_departments(county, other_county):
    with pytest.raises(PermissionDenied):  # the east station's officer
        sv.do_record_conduct(
            actor=county.chief,
            officer=county.off_east,
            kind="complaint",
            day=dt.date(2018, 5, 1),
            title="投诉记录",
        )
    for persona in ("community", "zone_lead", "command", "auditor"):
        with pytest.raises(PermissionDenied):
            sv.do_record_conduct(
                actor=getattr(county, persona),
                officer=county.off_comm,
                kind="commendation",
                day=dt.date(2018, 5, 1),
                title="表彰记录",
            )
    with pytest.raises(PermissionDenied):
        sv.do_record_conduct(
            actor=other_county.political,
            officer=county.off_comm,
            kind="commendation",
            day=dt.date(2018, 5, 1),
            title="表彰记录",
        )
    sv.do_record_conduct(
        actor=county.political,
        officer=county.off_east,
        kind="discipline",
        day=dt.date(2018, 5, 1),
        title="警告处分",
    )
    with translation.override("en"), pytest.raises(ValidationError, match="cannot be after today"):
        sv.do_record_conduct(
            actor=county.chief,
            officer=county.off_comm,
            kind="commendation",
            day=dt.date(2018, 7, 1),
            title="未来的表彰",
        )
    with pytest.raises(ValidationError):
        sv.do_record_conduct(
            actor=county.chief,
            officer=county.off_comm,
            kind="medal",
            day=dt.date(2018, 5, 1),
            title="未知类别",
        )
    assert ConductRecord.objects.filter(bureau=county.bureau).count() == 1


def _crit(cycle, code="public_praise"):
    return cycle.standards.get(code="service").criteria.get(code=code).pk


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("tool.exe", b"MZ....", "Attach a PDF"),
        ("fake.pdf", b"just text, not a pdf", "not a PDF file"),
        ("photo.png", b"\xff\xd8\xff\xe0 a jpeg named png", "not a PNG file"),
        ("big.pdf", b"%PDF-" + b"0" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_bad_attachments_are_refused(county, cycle, name, content, message):
    n = sv.do_nominate(cycle, actor=county.chief, officer=county.off_comm, unit=county.west)
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        sv.do_add_own_evidence(
            n,
            actor=county.community,
            criterion_id=_crit(cycle),
            text="群众感谢信一封",
            attachment=SimpleUploadedFile(name, content),
        )
    assert not OwnEvidence.objects.exists()


def test_the_officer_adds_evidence_and_the_readers_of_the_file_download_it(
    client, county, other_county, cycle
):
    n = sv.do_nominate(cycle, actor=county.chief, officer=county.off_comm, unit=county.west)
    with pytest.raises(PermissionDenied):
        sv.do_add_own_evidence(n, actor=county.chief, criterion_id=_crit(cycle), text="替她添加材料")
    client.force_login(county.community)
    url = reverse("evaluation:file_detail", args=[n.pk])
    r = client.post(
        url,
        {
            "action": "own",
            "criterion": _crit(cycle),
            "text": "群众感谢信一封",
            "attachment": SimpleUploadedFile("感谢信.pdf", PDF),
        },
    )
    assert r.status_code == 302
    ev = OwnEvidence.objects.get(nomination=n)
    assert ev.attachment_name == "感谢信.pdf" and ev.added_on == dt.date(2018, 6, 3)
    assert gather(n)["own"].figures == {"count": 1}
    dl = reverse("evaluation:evidence_attachment", args=[n.pk, ev.pk])
    expected = {
        "community": 200,
        "chief": 200,
        "political": 200,
        "command": 200,
        "auditor": 200,
        "zone_lead": 404,
        "center": 404,
        "planner": 404,
    }
    for persona, status in expected.items():
        client.force_login(getattr(county, persona))
        r = client.get(dl)
        assert r.status_code == status, persona
        if status == 200:
            assert b"".join(r.streaming_content) == PDF
    client.force_login(other_county.chief)
    assert client.get(dl).status_code == 404


def test_the_file_page_shows_the_evidence_beside_the_criteria(client, county, cycle):
    sv.do_record_conduct(
        actor=county.chief,
        officer=county.off_comm,
        kind="commendation",
        day=dt.date(2018, 5, 10),
        title="群众送锦旗",
    )
    n = sv.do_nominate(cycle, actor=county.chief, officer=county.off_comm, unit=county.west)
    client.force_login(county.chief)
    client.cookies["django_language"] = "en"
    r = client.get(reverse("evaluation:file_detail", args=[n.pk]))
    text = r.content.decode()
    assert (
        "1 incidents in the officer&#x27;s areas, 0 cleared" in text
        or "1 incidents in the officer's areas" in text
    )
    assert "1 commendation" in text and "群众送锦旗" in text
    # the chief records a complaint on the page
    r = client.post(
        reverse("evaluation:file_detail", args=[n.pk]),
        {
            "action": "conduct",
            "kind": "complaint",
            "day": "2018-05-30",
            "title": "群众投诉",
            "substantiated": "on",
        },
    )
    assert r.status_code == 302
    assert gather(n)["complaints"].figures == {"count": 1}
