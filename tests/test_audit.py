"""The audit trail: what is recorded, the auditor's pages, verification, append-only."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from jingwu.core.models import AuditEvent


def test_reading_a_full_id_number_needs_a_reason_and_is_recorded(client, county):
    client.force_login(county.chief)
    url = reverse("personnel:officer_detail", args=[county.off_comm.pk])
    r = client.post(url, {"reason": ""})
    assert county.off_comm.id_number not in r.content.decode()
    r = client.post(url, {"reason": "核对户籍信息 case 42"})
    assert county.off_comm.id_number in r.content.decode()
    event = (
        AuditEvent.objects.filter(action="view", object_id=str(county.off_comm.pk)).order_by("-id").first()
    )
    assert event.reason == "核对户籍信息 case 42" and event.after == {"fields": ["id_number"]}
    assert event.actor == county.chief and event.request_id and event.via == "web"


def test_the_auditor_searches_the_trail_and_others_cannot(client, county):
    client.force_login(county.chief)
    client.get(reverse("personnel:officer_detail", args=[county.off_comm.pk]))
    client.force_login(county.auditor)
    r = client.get(reverse("audit_list"), {"actor": county.chief.username, "action": "view"})
    assert r.status_code == 200
    rows = list(r.context["page"])
    assert rows and all(e.actor_label == county.chief.username and e.action == "view" for e in rows)
    assert client.get(reverse("audit_detail", args=[rows[0].pk])).status_code == 200
    for persona in [county.chief, county.command, county.zone_lead]:
        client.force_login(persona)
        assert client.get(reverse("audit_list")).status_code == 404
        assert client.get(reverse("audit_detail", args=[rows[0].pk])).status_code == 404


def test_the_outsiders_auditor_sees_nothing_of_this_bureau(client, county, other_county):
    client.force_login(other_county.auditor)
    r = client.get(reverse("audit_list"))
    assert all(e.bureau_id == other_county.bureau.pk for e in r.context["page"])
    mine = AuditEvent.objects.filter(bureau=county.bureau).first()
    assert client.get(reverse("audit_detail", args=[mine.pk])).status_code == 404


def test_the_audit_export_is_itself_recorded_and_neutralises_formulas(client, county):
    from django.db import transaction

    from jingwu.core import audit

    with transaction.atomic():
        audit.record(
            "update",
            actor=county.chief,
            bureau=county.bureau,
            object_type="x",
            object_repr="=cmd|' /C calc'!A0",
        )
    client.force_login(county.auditor)
    r = client.get(reverse("audit_export"))
    body = b"".join(r.streaming_content if r.streaming else [r.content]).decode("utf-8-sig")
    assert "'=cmd|" in body and ",=cmd|" not in body
    assert AuditEvent.objects.filter(action="export", actor=county.auditor).exists()


def test_audit_verify_detects_an_altered_event(county, capsys):
    from django.core.management.base import CommandError
    from django.db import connection

    call_command("audit_verify")
    assert "intact" in capsys.readouterr().out
    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL trigger refuses the change itself (tested in test_model_rules)")
    event = AuditEvent.objects.filter(bureau=county.bureau).order_by("seq")[2]
    AuditEvent.objects.filter(pk=event.pk).update(object_repr="rewritten")
    with pytest.raises(CommandError):
        call_command("audit_verify")
    assert f"seq {event.seq}: content altered" in capsys.readouterr().out


def test_a_removed_event_breaks_the_chain(county):
    from django.db import connection

    from jingwu.core.audit import verify_chain

    if connection.vendor == "postgresql":
        pytest.skip("the PostgreSQL trigger refuses deletes")
    event = AuditEvent.objects.filter(bureau=county.bureau).order_by("seq")[5]
    AuditEvent.objects.filter(pk=event.pk).delete()
    assert any("missing" in p or "previous hash" in p for p in verify_chain(county.bureau))


def test_writes_record_request_context(client, county):
    """An admin change made over the web names the user, the address and a request id."""
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root2", password="x")
    client.force_login(root)
    url = reverse("admin:places_premises_change", args=[county.prem_west.pk])
    r = client.get(url)
    assert r.status_code == 200
    form = r.context["adminform"].form
    data = {k: (v if v is not None else "") for k, v in form.initial.items()}
    data.update(
        {
            "name": "城西宾馆（更名）",
            "bureau": county.bureau.pk,
            "grid": county.grid_s1.pk,
            "station": county.west.pk,
        }
    )
    r = client.post(url, data, HTTP_USER_AGENT="pytest-agent")
    assert r.status_code == 302, r.content.decode()[:2000]
    event = AuditEvent.objects.filter(object_type="places.premises", action="update").order_by("-id").first()
    assert event.actor == root and event.user_agent == "pytest-agent" and event.ip == "127.0.0.1"
    assert event.before["name"] == "城西宾馆" and event.after["name"] == "城西宾馆（更名）"


def test_the_auditor_filters_by_unit(client, county):
    client.force_login(county.auditor)
    r = client.get(reverse("audit_list"), {"unit": county.east.pk})
    rows = list(r.context["page"])
    assert rows and all(e.unit_path.startswith(county.east.path) for e in rows)


def test_jingwu_audit_verify_command(county):
    from typer.testing import CliRunner

    from jingwu.cli import app

    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{county.bureau.code}: intact" in result.output
