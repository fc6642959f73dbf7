"""After the visit: findings become rectification orders, re-inspections are scheduled, and the
sanction ladder applies by its rules, linked to incidents; all audited, on the premises page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.engine.checklists import checklists_for, item_codes
from jingwu.inspections.models import Finding, Sanction, Visit
from jingwu.inspections.services import (
    do_begin_visit,
    do_close_finding,
    do_sanction,
    do_submit_checklist,
)


def _answers(visit, **fails):
    out = {c: ("pass", "") for c in item_codes(checklists_for(visit.premises.category, visit.elements))}
    return out | {code.replace("__", "."): ("fail", note) for code, note in fails.items()}


def _failed_visit(county, day=dt.date(2018, 5, 1)):
    visit = do_begin_visit(actor=None, premises=county.prem_west)
    Visit.objects.filter(pk=visit.pk).update(day=day)
    visit.refresh_from_db()
    visit, _ = do_submit_checklist(
        visit, actor=county.community, answers=_answers(visit, fire_safety__2="灭火器过期"), submission="a"
    )
    return visit


def test_a_failed_item_opens_an_order_and_schedules_the_reinspection(catalogue):
    county = catalogue
    visit = _failed_visit(county)
    f = Finding.objects.get()
    assert (f.item, f.note, f.deadline, f.closed_on) == (
        "fire_safety.2",
        "灭火器过期",
        dt.date(2018, 5, 16),
        None,
    )
    again = f.reinspection
    assert (again.status, again.day, again.elements) == ("planned", dt.date(2018, 5, 17), visit.elements)
    # the re-inspection finds it put right: closed on that day (late: after the 16th)
    do_submit_checklist(again, actor=county.community, answers=_answers(again), submission="b")
    f.refresh_from_db()
    assert f.closed_on == dt.date(2018, 5, 17) and f.on_time is False
    assert Finding.objects.count() == 1  # nothing failed again
    events = AuditEvent.objects.filter(object_type="inspections.finding", object_id=str(f.pk))
    assert [e.action for e in events.order_by("seq")] == ["create", "update"]


def test_the_sanction_ladder_by_its_rules(catalogue, other_county, monkeypatch):
    county = catalogue
    _failed_visit(county)  # deadline 16 May, not put right: overdue on the data date (3 June)
    f = Finding.objects.get()
    with translation.override("en"), pytest.raises(ValidationError, match="needs the finding"):
        do_sanction(actor=county.chief, finding=None, reason="x")
    with pytest.raises(ValidationError):
        do_sanction(actor=county.chief, finding=f, reason="  ")
    for user in (
        county.command,
        county.auditor,
        county.chief.__class__.objects.get(pk=other_county.chief.pk),
    ):
        with pytest.raises(PermissionDenied):
            do_sanction(actor=user, finding=f, reason="逾期未整改")
    assert not Sanction.objects.exists()
    monkeypatch.setenv("JINGWU_SANCTION_LADDER", "warning,fine:2000,suspension:10")
    first = do_sanction(actor=county.chief, finding=f, reason="逾期未整改")
    # the same finding sent again (a double submit) does not climb the ladder
    with translation.override("en"), pytest.raises(ValidationError, match="already sanctioned"):
        do_sanction(actor=county.chief, finding=f, reason="逾期未整改")
    # each further violation (an incident the premises failed to report) is one step up
    kinds = [
        (s.kind, s.step, s.fine, s.suspension_days)
        for s in [
            first,
            do_sanction(actor=county.chief, finding=f, incident=county.inc_west_theft, reason="未报告警情"),
            do_sanction(actor=county.chief, finding=f, incident=county.inc_west_dispute, reason="未报告警情"),
        ]
    ]
    assert kinds == [("warning", 1, 0, 0), ("fine", 2, 2000, 0), ("suspension", 3, 0, 10)]
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="already sanctioned for this incident"),
    ):
        do_sanction(actor=county.chief, finding=f, incident=county.inc_west_theft, reason="未报告警情")
    county.prem_west.refresh_from_db()
    assert county.prem_west.status == "rectification"
    assert AuditEvent.objects.filter(object_type="inspections.sanction").count() == 3


def test_a_finding_put_right_in_time_allows_no_sanction_unless_an_incident(catalogue):
    county = catalogue
    _failed_visit(county, day=dt.date(2018, 6, 1))  # deadline 16 June: not passed yet
    f = Finding.objects.get()
    with translation.override("en"), pytest.raises(ValidationError, match="allow no sanction"):
        do_sanction(actor=county.chief, finding=f, reason="未整改")
    do_close_finding(f, actor=county.community, closed_on=dt.date(2018, 6, 2))
    with translation.override("en"), pytest.raises(ValidationError, match="already closed"):
        do_close_finding(f, actor=county.community)
    # a fight in the hotel's grid that the hotel did not report: a sanction by the rules
    s = do_sanction(
        actor=county.zone_lead, finding=f, incident=county.inc_west_theft, reason="发生警情未报告"
    )
    assert (s.kind, s.incident_id) == ("warning", county.inc_west_theft.pk)
    # an incident of another station: refused
    with translation.override("en"), pytest.raises(ValidationError, match="premises' station"):
        do_sanction(actor=county.planner, finding=f, incident=county.inc_east_theft, reason="x")


def test_the_premises_page_and_home_show_orders_and_sanctions(client, catalogue, other_county):
    county = catalogue
    _failed_visit(county)
    f = Finding.objects.get()
    client.force_login(county.chief)
    r = client.post(
        reverse("inspections:sanction_add", args=[f.pk]), {"reason": "逾期未整改", "incident": ""}
    )
    assert r.status_code == 302 and Sanction.objects.count() == 1
    html = client.get(reverse("places:premises_detail", args=[county.prem_west.pk])).content.decode()
    assert html.count('class="list-group-item small jw-finding" data-late="1"') == 1
    assert html.count('class="list-group-item small jw-sanction"') == 1
    client.force_login(county.prevention)
    html = client.get(reverse("home")).content.decode()
    assert 'id="jw-home-findings"' in html
    assert "1" in html.split('id="jw-home-findings"')[1][:200]
    # outsiders and who may not: 404 / 403, nothing saved
    client.force_login(other_county.chief)
    assert client.post(reverse("inspections:sanction_add", args=[f.pk]), {"reason": "x"}).status_code == 404
    assert client.post(reverse("inspections:finding_close", args=[f.pk])).status_code == 404
    client.force_login(county.auditor)
    assert client.post(reverse("inspections:sanction_add", args=[f.pk]), {"reason": "x"}).status_code == 403
    client.force_login(county.chief)
    r = client.post(reverse("inspections:sanction_add", args=[f.pk]), {"reason": "x", "incident": "999999"})
    assert r.status_code == 302 and Sanction.objects.count() == 1
    r = client.post(reverse("inspections:finding_close", args=[f.pk]))
    f.refresh_from_db()
    assert r.status_code == 302 and f.closed_on == dt.date(2018, 6, 3)
