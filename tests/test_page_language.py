"""Every page of every persona, rendered in Chinese: no English words and no raw codes left.

A user of a Chinese bureau reads the pages in Chinese. What shows up in English is text
that was never marked for translation, a third-party message without a Chinese
catalogue, or a code (``personnel.officer``, ``FEASIBLE``, ``web``) shown where its name
belongs. The scan reads the text a user sees (and the titles, placeholders and labels a
screen reader reads) and lists the Latin-letter words that are not on a short list of
words that stay as they are (CSV, Excel, ...); see ``language_scan`` for what is
skipped (codes and data marked ``translate="no"``, ``<code>``, text in another language).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingwu.core.models import AuditEvent

from .conftest import PERSONAS, minimal_scenario
from .language_scan import english_words


def test_the_scan_finds_english_and_codes_but_not_marked_codes():
    html = (
        "<main><h1>概览</h1><p>Not Found</p><td>personnel.officer</td><span>FEASIBLE</span>"
        '<td translate="no">HQ</td><input placeholder="Search"><script>var x = "hidden";</script>'
        '<option lang="en">English</option><p>格式 <code>%Y-%m</code>：CSV 文件 S01-Z1 990001-command</p>'
        '<nav aria-label="breadcrumb"><br></nav></main>'
    )
    assert english_words(html) == {"Not", "Found", "personnel.officer", "FEASIBLE", "Search", "breadcrumb"}


@pytest.fixture
def pages(county, client, settings, tmp_path):
    """The URLs of every page, with a finished scenario and two import jobs to show."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jingwu.imports.models import ImportJob
    from jingwu.imports.tasks import run_job

    settings.MEDIA_ROOT = tmp_path / "media"
    scenario = minimal_scenario(county.bureau)
    scenario.results["reassign"].update(status="FEASIBLE", gap=0.01)  # a solver's code, to be shown in words
    scenario.save()
    client.force_login(county.planner)
    jobs = []
    for name, text in [
        ("w.csv", "外部编号,接警时间,类别代码,经度,纬度,地址\nW1,not a time,0101,119.904,31.004,城西路3号\n"),
        ("empty.csv", ""),
    ]:
        client.post(
            reverse("imports:job_new"),
            {
                "kind": "incidents",
                "bureau": county.bureau.pk,
                "file": SimpleUploadedFile(name, text.encode(), content_type="text/csv"),
            },
        )
        job = ImportJob.objects.order_by("-pk").first()
        run_job(job.pk)
        jobs.append(job)
    client.logout()
    event = AuditEvent.objects.filter(object_type="personnel.officer").order_by("-pk").first()
    return [
        reverse("home"),
        reverse("org:unit_list"),
        reverse("org:unit_list") + "?grids=1",
        reverse("org:unit_detail", args=[county.hq.pk]),
        reverse("org:unit_detail", args=[county.west.pk]),
        reverse("org:unit_detail", args=[county.zone_s.pk]),
        reverse("org:unit_detail", args=[county.grid_s1.pk]),
        reverse("personnel:officer_list"),
        reverse("personnel:officer_list") + f"?unit={county.east.pk}",
        reverse("personnel:officer_detail", args=[county.off_comm.pk]),
        reverse("incidents:incident_list"),
        reverse("incidents:incident_list") + f"?unit={county.east.pk}&received_from=yesterday",
        reverse("incidents:incident_detail", args=[county.inc_west_theft.pk]),
        reverse("places:premises_list"),
        reverse("places:premises_detail", args=[county.prem_west.pk]),
        reverse("audit_list"),
        reverse("audit_detail", args=[event.pk]),
        reverse("planning:scenario_list"),
        reverse("planning:scenario_new"),
        reverse("planning:scenario_detail", args=[scenario.pk]),
        reverse("planning:compare") + f"?a={scenario.pk}&b={scenario.pk}",
        reverse("imports:job_list"),
        reverse("imports:job_new"),
        reverse("imports:mapping_list"),
        reverse("imports:mapping_new"),
        *[reverse("imports:job_detail", args=[j.pk]) for j in jobs],
        reverse("analytics:effect"),
        reverse("analytics:effect") + f"?unit={county.west.pk}&change=2030-01-01&measure=incidents&months=12",
        reverse("analytics:claims"),
        reverse("analytics:dashboard", args=[county.hq.pk]),
        reverse("analytics:dashboard", args=[county.west.pk]),
        reverse("analytics:dashboard", args=[county.grid_s1.pk]),
        reverse("analytics:dashboard", args=[county.ic.pk]),
        reverse("analytics:hotspots", args=[county.hq.pk]),
        reverse("analytics:hotspots", args=[county.ic.pk]),
        reverse("analytics:hotspots", args=[county.zone_s.pk]) + "?method=etas",
        reverse("analytics:dashboard", args=[county.zone_s.pk]),
        reverse("analytics:indicators"),
        reverse("analytics:report_list"),
        reverse("analytics:patrols", args=[county.zone_s.pk]),
        *_case_pages(county),
        *_leads_pages(county),
        "/no-such-page/",
    ]


def _case_pages(county):
    """The case pages with a case in every state of its file (opened, handed over, reviewed,
    overdue and escalated), the routing rules and the duty desk."""
    import datetime as dt

    from django.utils import timezone

    from jingwu.cases.deadlines import do_escalate_overdue
    from jingwu.cases.review import do_review_case
    from jingwu.cases.services import do_open_case, do_transfer_case, do_update_case, seed_default_rules

    seed_default_rules(county.bureau)
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    case.opened_at = timezone.now() - dt.timedelta(days=3650)
    case.save()
    case.deadlines.update(due=dt.date(2018, 5, 1))
    do_escalate_overdue(actor=county.command, bureau=county.bureau)
    case = do_update_case(case, actor=county.chief, status="solved")
    do_review_case(case, actor=county.command, items={"evidence": True}, outcome="returned", notes="补充证据")
    do_transfer_case(case, actor=county.chief, to_unit=county.ic, reason="移交")
    rule = seed_default_rules(county.bureau)[0]
    from jingwu.cases.models import Series, SeriesIncident
    from jingwu.series.models import CandidateLink

    a, b = sorted([county.inc_west_theft, county.inc_east_theft], key=lambda i: i.pk)
    feats = {"distance_km": 0.4, "gap_days": 1.0, "hour_diff": 0.5, "same_weekday": 1.0, "mo_cosine": 0.8}
    CandidateLink.objects.create(
        bureau=county.bureau, incident_a=a, incident_b=b, probability=0.7, features=feats
    )
    series = Series.objects.create(
        bureau=county.bureau, code="CB00001", name="城区入室盗窃系列", origin="analyst"
    )
    SeriesIncident.objects.create(bureau=county.bureau, series=series, incident=a)
    return [
        reverse("series:board"),
        reverse("series:series_list"),
        reverse("series:series_detail", args=[series.pk]),
        reverse("cases:case_list"),
        reverse("cases:case_board"),
        reverse("cases:case_board") + f"?unit={county.west.pk}",
        reverse("cases:case_new"),
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:case_edit", args=[case.pk]),
        reverse("cases:deadline_list"),
        reverse("cases:review_report"),
        reverse("cases:rule_list"),
        reverse("cases:rule_new"),
        reverse("cases:rule_edit", args=[rule.pk]),
        reverse("intake:desk"),
    ]


def _leads_pages(county):
    """The leads pages with a cluster of three car-loan complaints read (tests/leads)."""
    import datetime as dt

    from jingwu.cases.services import do_record_petition
    from jingwu.leads.models import Entity, ExtractionRun
    from jingwu.leads.services import do_start_extraction

    for k, month in enumerate((1, 4, 9)):
        do_record_petition(
            actor=None,
            bureau=county.bureau,
            unit=county.west,
            number=f"LG{k}",
            received_at=dt.datetime(2018, month, 2, tzinfo=dt.UTC),
            petitioner_name="测试人",
            subject="反映车贷",
            content="长兴恒信汽车租赁有限公司收取GPS费，业务员电话13812345678，车辆浙E12345被拖走",
        )
    do_start_extraction(county.bureau, actor=None, sync=True)
    phone = Entity.objects.get(bureau=county.bureau, kind="phone")
    run = ExtractionRun.objects.filter(bureau=county.bureau).first()
    return [
        reverse("leads:cluster_list"),
        reverse("leads:entity_list"),
        reverse("leads:entity_list") + "?kind=phone&q=13812345678",
        reverse("leads:entity_detail", args=[phone.pk]),
        reverse("leads:run_detail", args=[run.pk]),
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_chinese_pages_have_no_english_left(client, county, pages, persona):
    client.cookies["django_language"] = "zh-hans"
    client.force_login(getattr(county, persona))
    leftovers = {}
    for url in pages:
        r = client.get(url)
        if r.status_code in (301, 302):
            continue
        assert r.status_code in (200, 403, 404), (url, r.status_code)
        words = english_words(r.content.decode())
        if words:
            leftovers[url] = sorted(words)
    assert not leftovers, "\n".join(f"{url}: {' '.join(words)}" for url, words in leftovers.items())


def test_api_errors_are_in_the_callers_language(client, county):
    """Messages that reach the API from outside DRF (Django's 404, the JSON parser) are translated."""
    client.cookies["django_language"] = "zh-hans"
    client.force_login(county.chief)
    r = client.get(f"/api/v1/incidents/{county.inc_east_theft.pk}/", HTTP_ACCEPT="application/json")
    assert r.status_code == 404 and r.json() == {
        "detail": "未找到。"
    }  # not "No Incident matches the given query."
    r = client.post("/api/v1/incidents/", data="{bad", content_type="application/json")
    assert r.status_code == 400 and r.json() == {"detail": "请求内容不是有效的 JSON。"}
    r = client.get("/api/v1/incidents/", {"unit": county.east.pk})
    assert r.status_code == 400 and r.json() == {
        "unit": ["该单位不在您的管辖范围内或不存在，请从列表中选择。"]
    }
