"""Leads in the bureau: extraction as a job (resumable, idempotent), clusters for the
center, entity pages, masking, reveal with audit, and who sees what."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from jingwu.cases.models import Petition
from jingwu.cases.services import do_record_petition
from jingwu.core.models import AuditEvent
from jingwu.incidents.services import do_record_incident
from jingwu.leads import jobs as leads_jobs
from jingwu.leads.models import Cluster, Entity, ExtractionRun, Mention
from jingwu.leads.services import do_reveal_entity, do_start_extraction

from ..conftest import DX, X0, Y0

PHONE = "13812345678"
COMPANY = "恒信汽车租赁有限公司"
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _at(y, m, d):
    return dt.datetime(y, m, d, 10, 0, tzinfo=TZ)


@pytest.fixture
def leads(county):
    """Four car-loan complaints over three years in both stations, a fraud incident naming
    the same phone (criminal), a dispute naming it too (not criminal), and an ordinary petition."""
    c = county
    texts = [
        (c.west, _at(2016, 3, 1), f"反映在{COMPANY}办理车贷被收取服务费，业务员电话138-1234-5678。"),
        (c.west, _at(2016, 11, 20), f"{COMPANY}以违约为由拖走车辆浙E12345。"),
        (c.east, _at(2017, 6, 5), "车贷公司业务员（电话１３８１２３４５６７８）要求再交GPS费两千元。"),
        (c.east, _at(2018, 2, 14), "车辆浙E12345被拖走，对方称欠款未还。"),
        (c.east, _at(2018, 3, 1), "反映邻居噪声扰民，晚上十一点后仍有装修。"),
    ]
    c.petitions = [
        do_record_petition(
            actor=None,
            bureau=c.bureau,
            unit=unit,
            number=f"XF{k:04d}",
            received_at=when,
            petitioner_name=f"测试人{k}",
            subject="车贷纠纷" if k < 4 else "噪声",
            content=text,
        )
        for k, (unit, when, text) in enumerate(texts)
    ]
    c.inc_fraud = do_record_incident(
        actor=None,
        bureau=c.bureau,
        category="0101",
        received_at=_at(2017, 1, 9),
        lon=X0 + 0.004,
        lat=Y0 + 0.004,
        description=f"报警称被{COMPANY}骗取押金，对方电话13812345678。",
    )
    c.inc_dispute = do_record_incident(
        actor=None,
        bureau=c.bureau,
        category="0401",
        received_at=_at(2017, 2, 9),
        lon=X0 + DX - 0.005,
        lat=Y0 + 0.012,
        description="与车贷业务员13812345678发生口角。",
    )
    return c


def _run(county, actor=None):
    return do_start_extraction(county.bureau, actor=actor or county.center, sync=True)


def _phone(county):
    return Entity.objects.get(bureau=county.bureau, kind="phone", value=PHONE)


def test_the_car_loan_complaints_form_one_cluster_with_their_evidence(leads):
    run = _run(leads)
    assert run.status == "done"
    assert run.records == 4 + 5 + 2  # the fixture's incidents, the petitions, the new incidents
    (cl,) = Cluster.objects.filter(bureau=leads.bureau)
    assert (cl.first, cl.last) == (dt.date(2016, 3, 1), dt.date(2018, 2, 14))
    ents = {e.pk: (e.kind, e.value) for e in Entity.objects.filter(bureau=leads.bureau)}
    evidence = {ents[ev["entity"]]: [r[2] for r in ev["records"]] for ev in cl.evidence}
    # the dispute is not criminal: it joins nothing; the noise complaint names nothing
    assert evidence == {
        ("phone", PHONE): ["XF0000", leads.inc_fraud.number, "XF0002"],
        ("company", COMPANY): ["XF0000", "XF0001", leads.inc_fraud.number],
        ("plate", "浙E12345"): ["XF0001", "XF0003"],
    }
    assert cl.records == 5
    # aggregated over years: the phone is named in 2016 and 2017 (the dispute counts too)
    years = sorted(Mention.objects.filter(entity=_phone(leads)).values_list("on_date__year", flat=True))
    assert years == [2016, 2017, 2017, 2017]


def test_reading_again_gives_the_same_rows(leads):
    _run(leads)
    first = sorted(
        Mention.objects.filter(bureau=leads.bureau).values_list(
            "entity__value", "source", "record_id", "start"
        )
    )
    evidence = Cluster.objects.get(bureau=leads.bureau).evidence
    _run(leads)
    again = sorted(
        Mention.objects.filter(bureau=leads.bureau).values_list(
            "entity__value", "source", "record_id", "start"
        )
    )
    assert again == first
    assert Cluster.objects.filter(bureau=leads.bureau).count() == 1
    assert Cluster.objects.get(bureau=leads.bureau).evidence == evidence


class _StopsAfter:
    """The runner's context, stopping the work after ``n`` progress reports (a crash)."""

    def __init__(self, n):
        self.n = n

    def progress(self, *args, **kwargs):
        self.n -= 1
        if self.n < 0:
            raise KeyboardInterrupt


class _Goes:
    def progress(self, *args, **kwargs):
        pass


def test_a_stopped_run_resumes_after_its_last_chunk(leads, monkeypatch):
    monkeypatch.setattr(leads_jobs, "CHUNK", 2)
    run = do_start_extraction(leads.bureau, actor=leads.center)  # queued: no worker in tests
    with pytest.raises(KeyboardInterrupt):
        leads_jobs.run_extraction(run.job, _StopsAfter(2))  # stops after its second chunk
    run.refresh_from_db()
    from jingwu.incidents.models import Incident

    fourth = Incident.objects.filter(bureau=leads.bureau).order_by("pk").values_list("pk", flat=True)[3]
    assert run.cursors == {"incident": fourth}
    assert run.records == 4 and run.status == "running"
    leads_jobs.run_extraction(run.job, _Goes())
    run.refresh_from_db()
    assert (run.status, run.records, run.clusters) == ("done", 11, 1)


def test_a_second_run_is_refused_while_one_is_queued_and_no_data_is_refused(leads, other_county):
    do_start_extraction(leads.bureau, actor=leads.center)
    with pytest.raises(ValidationError):
        do_start_extraction(leads.bureau, actor=leads.center)
    Petition.objects.filter(bureau=other_county.bureau).delete()
    from jingwu.incidents.models import Incident

    Incident.objects.filter(bureau=other_county.bureau).delete()
    with pytest.raises(ValidationError, match="no incidents, cases or petitions"):
        do_start_extraction(other_county.bureau, actor=None)
    assert not ExtractionRun.objects.filter(bureau=other_county.bureau).exists()


@pytest.mark.parametrize("persona", ["chief", "zone_lead", "community", "prevention", "planner"])
def test_who_may_not_start_a_run(leads, persona):
    with pytest.raises(PermissionDenied):
        do_start_extraction(leads.bureau, actor=getattr(leads, persona))


# persona -> (clusters page, phone entity page, entity list)
PAGES = {
    "command": (200, 200, 200),
    "center": (200, 200, 200),
    "auditor": (200, 200, 200),
    "chief": (404, 200, 200),
    "zone_lead": (404, 200, 200),  # the fraud incident is in the zone
    "community": (404, 404, 404),
    "prevention": (404, 404, 404),
    "planner": (404, 404, 404),
    "outsider": (404, 404, 200),  # the list of its own bureau
}


@pytest.mark.parametrize("persona", sorted(PAGES))
def test_who_gets_the_leads_pages(client, leads, persona, request):
    _run(leads)
    user = request.getfixturevalue("outsider") if persona == "outsider" else getattr(leads, persona)
    client.force_login(user)
    got = (
        client.get(reverse("leads:cluster_list")).status_code,
        client.get(reverse("leads:entity_detail", args=[_phone(leads).pk])).status_code,
        client.get(reverse("leads:entity_list")).status_code,
    )
    assert got == PAGES[persona]
    if persona == "outsider":
        assert "138****5678" not in client.get(reverse("leads:entity_list")).content.decode()


def test_the_center_sees_the_cluster_masked(client, leads):
    _run(leads)
    client.force_login(leads.center)
    html = client.get(reverse("leads:cluster_list")).content.decode()
    assert COMPANY in html and "138****5678" in html and "浙E***45" in html
    assert PHONE not in html and "浙E12345" not in html
    assert "XF0002" in html and leads.inc_fraud.number in html


def test_the_station_chief_sees_only_the_stations_mentions(client, leads):
    _run(leads)
    client.force_login(leads.chief)
    html = client.get(reverse("leads:entity_detail", args=[_phone(leads).pk])).content.decode()
    assert "XF0000" in html and leads.inc_fraud.number in html
    assert "XF0002" not in html and leads.inc_dispute.number not in html  # east station's
    assert PHONE not in html
    # the zone lead: the fraud incident in the zone, not the complaints the station handled
    client.force_login(leads.zone_lead)
    html = client.get(reverse("leads:entity_detail", args=[_phone(leads).pk])).content.decode()
    assert leads.inc_fraud.number in html and "XF0000" not in html
    # the center sees every criminal mention, never the dispute (not criminal)
    client.force_login(leads.center)
    html = client.get(reverse("leads:entity_detail", args=[_phone(leads).pk])).content.decode()
    assert "XF0002" in html and leads.inc_fraud.number in html
    assert leads.inc_dispute.number not in html


def test_reveal_is_audited_and_needs_a_reason(client, leads):
    _run(leads)
    phone = _phone(leads)
    url = reverse("leads:entity_detail", args=[phone.pk])
    client.force_login(leads.chief)
    before = AuditEvent.objects.filter(action="view", object_type="leads.entity").count()
    client.get(url)
    assert AuditEvent.objects.filter(action="view", object_type="leads.entity").count() == before + 1
    r = client.post(url, {"reason_code": "investigation", "reason": "short"})
    assert PHONE not in r.content.decode()
    assert not AuditEvent.objects.filter(action="reveal", object_type="leads.entity").exists()
    r = client.post(url, {"reason_code": "investigation", "reason": "车贷诈骗线索核查 XF0000"})
    assert PHONE in r.content.decode()
    ev = AuditEvent.objects.get(action="reveal", object_type="leads.entity")
    assert (ev.actor, ev.object_id, ev.reason) == (leads.chief, str(phone.pk), "车贷诈骗线索核查 XF0000")
    assert ev.after["reason_code"] == "investigation"


def test_a_zone_lead_never_reveals(leads):
    _run(leads)
    with pytest.raises(PermissionDenied):
        do_reveal_entity(
            _phone(leads),
            actor=leads.zone_lead,
            reason_code="investigation",
            reason="车贷诈骗线索核查 XF0000",
        )


def test_the_entity_search_finds_personal_values_by_the_whole_value_only(client, leads):
    _run(leads)
    client.force_login(leads.center)
    url = reverse("leads:entity_list")
    assert "138****5678" in client.get(url, {"q": "138 1234 5678"}).content.decode()
    assert "138****5678" not in client.get(url, {"q": "1381234"}).content.decode()
    assert COMPANY in client.get(url, {"q": "恒信"}).content.decode()


def test_starting_a_run_on_the_page(client, leads):
    client.force_login(leads.chief)
    assert client.post(reverse("leads:run_start")).status_code == 403
    client.force_login(leads.center)
    r = client.post(reverse("leads:run_start"))
    run = ExtractionRun.objects.get(bureau=leads.bureau)
    assert r.status_code == 302 and r.url == reverse("leads:run_detail", args=[run.pk])
    assert client.get(r.url).status_code == 200
    r = client.post(reverse("leads:run_start"), follow=True)  # a second one while queued
    assert "已有线索提取在排队或运行中" in r.content.decode()  # the page speaks Chinese
    assert ExtractionRun.objects.filter(bureau=leads.bureau).count() == 1


def test_a_bad_petition_says_why_and_saves_nothing(county):
    with pytest.raises(ValidationError) as exc:
        do_record_petition(
            actor=county.chief,
            bureau=county.bureau,
            unit=county.west,
            number="",
            received_at=timezone.now() + dt.timedelta(days=2),
            petitioner_name="",
            subject="",
        )
    assert set(exc.value.message_dict) == {"number", "received_at", "petitioner_name", "subject"}
    assert not Petition.objects.filter(bureau=county.bureau).exists()
    with pytest.raises(PermissionDenied):
        do_record_petition(
            actor=county.chief,
            bureau=county.bureau,
            unit=county.east,
            number="XF1",
            received_at=timezone.now(),
            petitioner_name="测试人",
            subject="反映",
        )


def test_the_command_line_reads_the_records_for_the_user(leads):
    import json

    from typer.testing import CliRunner

    from jingwu.leads.cli import leads_app

    r = CliRunner().invoke(
        leads_app, ["extract", "--bureau", leads.bureau.code, "--user", leads.chief.username]
    )
    assert r.exit_code == 1 and not ExtractionRun.objects.filter(bureau=leads.bureau).exists()
    r = CliRunner().invoke(
        leads_app, ["extract", "--bureau", leads.bureau.code, "--user", leads.center.username, "--json"]
    )
    assert r.exit_code == 0, r.output
    figures = json.loads(r.output.strip().splitlines()[-1])
    assert figures == {
        "status": "done",
        "records": 11,
        "mentions": Mention.objects.filter(bureau=leads.bureau).count(),
        "clusters": 1,
    }
    run = ExtractionRun.objects.get(bureau=leads.bureau)
    assert AuditEvent.objects.filter(
        object_type="leads.extractionrun", object_id=str(run.pk), actor=leads.center
    ).exists()
