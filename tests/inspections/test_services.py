"""Legal timers and visits through the services: scope, validation, audit, nothing half-saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.inspections.models import LegalTimer, Visit
from jingwu.inspections.selectors import assess, timers_for
from jingwu.inspections.services import bureau_now, do_close_timer, do_open_timer, do_record_visit
from jingwu.places.models import Premises

TZ = dt.timezone(dt.timedelta(hours=8))
# The test county's data date is 2018-06-03 (its last incident): its "now" is the end of that day.
NOW = dt.datetime(2018, 6, 4, 0, 0, tzinfo=TZ)


def test_the_bureau_now_is_the_end_of_its_data_date(county):
    assert bureau_now(county.bureau) == NOW


def test_a_community_officer_starts_a_guest_registration_timer(county):
    t = do_open_timer(
        actor=county.community,
        premises=county.prem_west,
        kind="guest_registration",
        event_at="2018-06-03 10:00",
        reference="R-1",
    )
    assert t.due_at == dt.datetime(2018, 6, 4, 10, 0, tzinfo=TZ)
    assert t.state(NOW) == "open"
    ev = AuditEvent.objects.get(object_type="inspections.legaltimer", object_id=str(t.pk))
    assert (
        ev.action == "create" and ev.unit_path == county.grid_s1.path and ev.actor_id == county.community.pk
    )


@pytest.mark.parametrize(
    "premises,kind,event_at,field",
    [
        ("prem_east", "guest_registration", "2018-06-03 10:00", "kind"),  # an enterprise has no guests
        ("prem_west", "precursor_sale_1", "2018-06-03 10:00", "kind"),  # a hotel sells no precursors
        ("prem_west", "no_such_thing", "2018-06-03 10:00", "kind"),
        ("prem_west", "guest_registration", "2018-06-05 10:00", "event_at"),  # after the bureau's now
        ("prem_west", "guest_registration", "yesterday", "event_at"),
    ],
)
def test_bad_timers_are_refused_with_nothing_saved(county, premises, kind, event_at, field):
    before = AuditEvent.objects.count()
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        do_open_timer(actor=county.planner, premises=getattr(county, premises), kind=kind, event_at=event_at)
    assert field in exc.value.message_dict
    assert not LegalTimer.objects.exists() and AuditEvent.objects.count() == before


def test_timers_outside_scope_are_refused(county, other_county):
    for user, prem in [
        (county.chief, county.prem_east),  # the east station is not the west chief's
        (county.community, county.prem_east),
        (county.command, county.prem_west),  # command reads, does not record
        (county.auditor, county.prem_west),
        (county.center, county.prem_west),
        (other_county.chief, county.prem_west),  # the outsider
    ]:
        with pytest.raises(PermissionDenied):
            do_open_timer(actor=user, premises=prem, kind="ledger_kept", event_at="2018-01-01 09:00")
    assert not LegalTimer.objects.exists()


def test_closing_a_timer_and_the_overdue_alert_of_the_zone(county):
    late = do_open_timer(
        actor=county.zone_lead,
        premises=county.prem_west,
        kind="guest_registration",
        event_at="2018-06-01 08:00",
    )
    ok = do_open_timer(
        actor=county.zone_lead,
        premises=county.prem_west,
        kind="guest_registration",
        event_at="2018-06-03 08:00",
    )
    assert (late.state(NOW), ok.state(NOW)) == ("overdue", "open")
    from jingwu.inspections.selectors import summary

    assert summary(county.zone_lead)["alerts"] == 1  # the south zone holds the hotel
    assert summary(county.prevention)["alerts"] == 1
    assert summary(county.command)["alerts"] == 1
    do_close_timer(late, actor=county.community, done_at="2018-06-03 09:00")
    late.refresh_from_db()
    assert late.state(NOW) == "late" and summary(county.zone_lead)["alerts"] == 0
    with translation.override("en"), pytest.raises(ValidationError, match="already closed"):
        do_close_timer(late, actor=county.community)
    with translation.override("en"), pytest.raises(ValidationError, match="before it started"):
        do_close_timer(ok, actor=county.community, done_at="2018-06-02 09:00")
    with translation.override("en"), pytest.raises(ValidationError, match="kept can be found missing"):
        do_close_timer(ok, actor=county.community, missing=True)
    with pytest.raises(PermissionDenied):
        do_close_timer(ok, actor=county.command)
    ok.refresh_from_db()
    assert ok.done_at is None
    assert AuditEvent.objects.filter(object_type="inspections.legaltimer", action="update").count() == 1


def test_a_ledger_found_missing_alerts_the_zone(county, other_county):
    ledger = do_open_timer(
        actor=county.chief, premises=county.prem_west, kind="ledger_kept", event_at="2017-09-01 09:00"
    )
    assert ledger.state(NOW) == "keeping"
    do_close_timer(ledger, actor=county.chief, done_at="2018-06-02 10:00", missing=True)
    ledger.refresh_from_db()
    assert ledger.state(NOW) == "missing"
    assert list(timers_for(county.zone_lead).values_list("pk", flat=True)) == [ledger.pk]
    assert not timers_for(county.center).exists()
    assert not timers_for(other_county.chief).exists()


def test_visits_make_elements_due_and_risk(catalogue):
    county = catalogue
    hotel = county.prem_west
    # never inspected: every element due now, risk "never inspected"
    (row,) = assess(Premises.objects.filter(pk=hotel.pk))
    assert {e.element: e.state for e in row.elements} == {
        "public_order": "due",
        "fire_safety": "due",
        "floating_population": "due",
    }
    assert [r.code for r in row.risk.reasons][0] == "never_visited"
    do_record_visit(
        actor=county.community,
        premises=hotel,
        day=dt.date(2018, 4, 1),
        elements=["public_order"],
        failed_items=2,
    )
    do_record_visit(
        actor=county.community,
        premises=hotel,
        day=dt.date(2018, 6, 1),
        elements=["fire_safety", "floating_population"],
    )
    (row,) = assess(Premises.objects.filter(pk=hotel.pk))
    due = {e.element: (e.due, e.state) for e in row.elements}
    assert due == {
        "public_order": (dt.date(2018, 6, 1), "overdue"),  # 61 days after 1 April
        "fire_safety": (dt.date(2018, 8, 31), "later"),  # 91 days after 1 June
        "floating_population": (dt.date(2018, 8, 1), "later"),  # 61 days after 1 June
    }
    reasons = {r.code: (r.value, r.points) for r in row.risk.reasons}
    # two days since the last visit (0 points), two failed items (12), one incident within
    # 300 m in 180 days: the west theft, about 140 m from the hotel (2)
    assert reasons == {"findings": (2, 12), "incidents": (1, 2)}
    assert (row.risk.score, row.risk.level, row.last_visit) == (14, "low", dt.date(2018, 6, 1))


def test_visits_are_validated_and_scoped(catalogue, other_county):
    county = catalogue
    with translation.override("en"), pytest.raises(ValidationError, match="not required"):
        do_record_visit(
            actor=county.chief,
            premises=county.prem_west,
            day=dt.date(2018, 5, 1),
            elements=["hazardous_chemicals"],
        )
    with translation.override("en"), pytest.raises(ValidationError, match="future"):
        do_record_visit(
            actor=county.chief, premises=county.prem_west, day=dt.date(2018, 6, 30), elements=["fire_safety"]
        )
    with pytest.raises(ValidationError):
        do_record_visit(actor=county.chief, premises=county.prem_west, day=dt.date(2018, 5, 1), elements=[])
    with pytest.raises(PermissionDenied):
        do_record_visit(
            actor=county.chief, premises=county.prem_east, day=dt.date(2018, 5, 1), elements=["security"]
        )
    with pytest.raises(PermissionDenied):
        do_record_visit(
            actor=other_county.chief,
            premises=county.prem_west,
            day=dt.date(2018, 5, 1),
            elements=["fire_safety"],
        )
    assert not Visit.objects.exists()
