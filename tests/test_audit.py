"""The audit trail: what is recorded, the auditor's pages, verification, append-only."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from jingwu.core.models import AuditEvent


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


# --- the chain head: a deleted newest event --------------------------------------------


class _TriggersOff:
    """Do what someone with full rights on the database could: bypass the PostgreSQL triggers."""

    def __init__(self, *tables):
        self.tables = tables

    def _set(self, role):
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(f"SET session_replication_role = {role}")

    def __enter__(self):
        self._set("replica")

    def __exit__(self, *exc):
        self._set("origin")


def _record(county, **kw):
    from django.db import transaction

    from jingwu.core import audit

    with transaction.atomic():
        return audit.record("update", actor=None, bureau=county.bureau, object_type="x", **kw)


def test_deleting_the_newest_event_is_detected(county, capsys):
    from django.core.management.base import CommandError

    from jingwu.core.audit import verify_chain

    last = AuditEvent.objects.filter(bureau=county.bureau).order_by("-seq").first()
    with _TriggersOff("core_auditevent"):
        AuditEvent.objects.filter(pk=last.pk).delete()
    assert verify_chain(county.bureau) == [
        f"the newest events were removed: the chain head is at seq {last.seq}, "
        f"the trail ends at seq {last.seq - 1}"
    ]
    with pytest.raises(CommandError):
        call_command("audit_verify")
    assert "newest events were removed" in capsys.readouterr().out
    # a later event does not paper over the gap
    after = _record(county)
    assert after.seq == last.seq + 1
    assert verify_chain(county.bureau) == [
        f"missing events before seq {after.seq} (expected {last.seq})",
        f"seq {after.seq}: previous hash does not match",
    ]


def test_deleting_the_head_row_is_detected(county):
    from jingwu.core.audit import verify_chain
    from jingwu.core.models import AuditHead

    last = AuditEvent.objects.filter(bureau=county.bureau).order_by("-seq").first()
    with _TriggersOff("core_audithead"):
        AuditHead.objects.filter(bureau=county.bureau).delete()
    assert verify_chain(county.bureau) == [f"the chain head is missing (the trail ends at seq {last.seq})"]
    # the next event rebuilds the head, and the verification keeps saying what happened
    _record(county)
    problems = verify_chain(county.bureau)
    assert len(problems) == 1 and "the chain head went missing and was rebuilt" in problems[0]


def test_deleting_the_tail_and_the_head_is_detected(county):
    from jingwu.core.audit import verify_chain
    from jingwu.core.models import AuditHead

    tail = AuditEvent.objects.filter(bureau=county.bureau).order_by("-seq")[:3]
    with _TriggersOff("core_auditevent", "core_audithead"):
        AuditEvent.objects.filter(pk__in=[e.pk for e in tail]).delete()
        AuditHead.objects.filter(bureau=county.bureau).delete()
    assert any("chain head is missing" in p for p in verify_chain(county.bureau))


def test_the_head_follows_each_event_in_its_transaction(county):
    from django.db import transaction

    from jingwu.core.models import AuditHead

    head = AuditHead.objects.get(bureau=county.bureau)
    event = _record(county)
    head.refresh_from_db()
    assert (head.seq, head.hash) == (event.seq, event.hash)
    with pytest.raises(RuntimeError), transaction.atomic():
        _record(county)
        raise RuntimeError("the change fails")
    head.refresh_from_db()
    assert head.seq == event.seq  # rolled back with the event


def test_postgresql_keeps_the_head_moving_forward_only(county):
    from django.db import connection, transaction

    from jingwu.core.models import AuditHead

    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's")
    head = AuditHead.objects.get(bureau=county.bureau)
    for sql in (
        "UPDATE core_audithead SET seq = seq - 1 WHERE id = %s",
        "UPDATE core_audithead SET seq = seq + 1 WHERE id = %s",  # no such event
        "DELETE FROM core_audithead WHERE id = %s",
    ):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [head.pk])
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM core_auditevent WHERE bureau_id = %s", [county.bureau.pk])


# --- log-ins, tokens and refused requests ------------------------------------------------


def test_log_ins_failures_and_lock_outs_are_recorded(client, county, settings):
    settings.AXES_FAILURE_LIMIT = 2
    url = reverse("login")
    client.post(url, {"username": county.chief.username, "password": "wrong"}, REMOTE_ADDR="10.0.0.7")
    failed = AuditEvent.objects.filter(action="login_fail").get()
    assert failed.bureau == county.bureau and failed.actor is None
    assert failed.actor_label == county.chief.username and failed.object_id == str(county.chief.pk)
    assert failed.ip == "10.0.0.7" and failed.via == "web"
    client.post(url, {"username": county.chief.username, "password": "wrong"})
    lockout = AuditEvent.objects.filter(action="lockout").get()
    assert lockout.bureau == county.bureau and lockout.object_repr == county.chief.username
    client.post(url, {"username": "nobody-at-all", "password": "wrong"})
    unknown = AuditEvent.objects.filter(action="login_fail", actor_label="nobody-at-all").get()
    assert unknown.bureau is None  # the system chain
    r = client.post(url, {"username": county.zone_lead.username, "password": "x"}, REMOTE_ADDR="10.0.0.8")
    assert r.status_code == 302
    login = AuditEvent.objects.filter(action="login").order_by("-id").first()
    assert login.actor == county.zone_lead and login.bureau == county.bureau and login.ip == "10.0.0.8"


def test_an_api_token_issue_is_recorded_without_the_key(county):
    from rest_framework.test import APIClient

    r = APIClient().post(reverse("api-token"), {"username": county.chief.username, "password": "x"})
    assert r.status_code == 200
    key = r.json()["token"]
    event = AuditEvent.objects.filter(action="token").get()
    assert event.actor == county.chief and event.bureau == county.bureau and event.via == "api"
    assert key not in str(event.after) and key not in event.object_repr
    r = APIClient().post(reverse("api-token"), {"username": county.chief.username, "password": "no"})
    assert r.status_code == 400
    assert AuditEvent.objects.filter(
        action="login_fail", actor_label=county.chief.username, via="api"
    ).exists()


def _refusals():
    return AuditEvent.objects.filter(action="refused").order_by("id")


def test_an_out_of_scope_page_is_a_recorded_refusal(client, county):
    client.force_login(county.chief)
    assert client.get(reverse("personnel:officer_detail", args=[county.off_east.pk])).status_code == 404
    event = _refusals().get()
    assert event.actor == county.chief and event.bureau == county.bureau
    assert (event.object_type, event.object_id) == ("personnel.officer", str(county.off_east.pk))
    assert event.after["status"] == 404 and event.after["exists"] is True and event.via == "web"
    # an id that exists nowhere is a probe too, and says so
    client.get(reverse("places:premises_detail", args=[999999]))
    assert _refusals().last().after["exists"] is False
    # a mistyped address is no refusal; a record the user may see is none either
    client.get("/no-such-page/")
    client.get(reverse("personnel:officer_detail", args=[county.off_comm.pk]))
    assert _refusals().count() == 2


def test_refusals_through_the_api_are_recorded(county):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(county.chief)
    assert api.get(reverse("api:premises-detail", args=[county.prem_east.pk])).status_code == 404
    event = _refusals().get()
    assert (event.object_type, event.after["exists"], event.via) == ("places.premises", True, "api")
    api.force_authenticate(county.command)
    r = api.patch(reverse("api:unit-detail", args=[county.west.pk]), {"residents": 1}, format="json")
    assert r.status_code == 403
    event = _refusals().last()
    assert event.actor == county.command and event.after["status"] == 403
    assert event.after["method"] == "PATCH" and event.object_id == ""


def test_a_csrf_failure_is_a_recorded_refusal(county):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(county.chief)
    assert c.post(reverse("set_language"), {"language": "en"}).status_code == 403
    event = _refusals().get()
    assert event.actor == county.chief and event.after["reason"] == "csrf"
    anonymous = Client(enforce_csrf_checks=True)
    r = anonymous.post(reverse("login"), {"username": county.chief.username, "password": "x"})
    assert r.status_code == 403
    event = _refusals().last()
    assert event.actor is None and event.actor_label == "anonymous" and event.bureau is None


def test_the_outsiders_refusals_go_to_their_own_bureau(client, county, other_county):
    client.force_login(other_county.chief)
    assert (
        client.get(reverse("incidents:incident_detail", args=[county.inc_west_theft.pk])).status_code == 404
    )
    event = _refusals().get()
    assert event.bureau == other_county.bureau and event.after["exists"] is True
    client.force_login(county.auditor)
    r = client.get(reverse("audit_list"), {"action": "refused"})
    assert event.pk not in {e.pk for e in r.context["page"]}  # this bureau's auditor does not see it
