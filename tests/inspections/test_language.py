"""The inspections pages in Chinese, with timers of every state and visits: no English left."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.inspections.services import do_close_timer, do_open_timer, do_record_visit

from ..conftest import PERSONAS
from ..language_scan import english_words


@pytest.mark.parametrize("persona", PERSONAS)
def test_inspection_pages_in_chinese(client, catalogue, persona):
    county = catalogue
    hotel = county.prem_west
    do_record_visit(
        actor=None, premises=hotel, day=dt.date(2018, 3, 1), elements=["public_order"], failed_items=2
    )
    do_open_timer(actor=None, premises=hotel, kind="guest_registration", event_at="2018-06-01 08:00")
    do_open_timer(
        actor=None, premises=hotel, kind="guest_registration", event_at="2018-06-03 08:00", reference="G-1"
    )
    ledger = do_open_timer(actor=None, premises=hotel, kind="ledger_kept", event_at="2017-01-01 08:00")
    do_close_timer(ledger, actor=None, done_at="2018-05-01 08:00", missing=True)
    from jingwu.engine.checklists import checklists_for, item_codes
    from jingwu.inspections.models import Finding
    from jingwu.inspections.services import do_begin_visit, do_sanction, do_start_plan, do_submit_checklist
    from jingwu.jobs.services import latest_job, run_now

    visit = do_begin_visit(actor=None, premises=hotel)
    failed = do_begin_visit(actor=None, premises=hotel)
    answers = {c: ("pass", "") for c in item_codes(checklists_for("hotel", failed.elements))}
    do_submit_checklist(
        failed, actor=None, answers=answers | {"fire_safety.1": ("fail", "无")}, submission="z"
    )
    do_sanction(actor=None, finding=Finding.objects.get(), incident=county.inc_west_theft, reason="未报告")
    plan = do_start_plan(actor=None, unit=county.hq, start=dt.date(2018, 6, 4), days=5, hand_out=False)
    run_now(latest_job(plan))
    client.cookies["django_language"] = "zh-hans"
    client.force_login(getattr(county, persona))
    leftovers = {}
    for url in [
        reverse("home"),
        reverse("inspections:due_list"),
        reverse("inspections:due_list") + "?state=overdue&risk=low",
        reverse("inspections:timer_list"),
        reverse("inspections:timer_list") + "?show=closed",
        reverse("places:premises_detail", args=[hotel.pk]),
        reverse("inspections:plan_list"),
        reverse("inspections:visit_checklist", args=[visit.pk]),
        reverse("inspections:plan_detail", args=[plan.pk]),
        reverse("inspections:plan_routes", args=[plan.pk]),
    ]:
        r = client.get(url)
        assert r.status_code in (200, 404), (url, r.status_code)
        words = english_words(r.content.decode())
        if words:
            leftovers[url] = sorted(words)
    assert not leftovers, leftovers
