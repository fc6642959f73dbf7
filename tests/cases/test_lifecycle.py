"""The case lifecycle through the services: open, change, hand over, suspend, close, reopen.

Every refusal leaves nothing behind (no case, no hand-off, no audit event), with a message
that says what is wrong.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingwu.cases.models import Case, CaseIncident, CaseTransfer
from jingwu.cases.review import do_review_case
from jingwu.cases.services import (
    do_close_case,
    do_open_case,
    do_reopen_case,
    do_suspend_case,
    do_transfer_case,
    do_update_case,
)
from jingwu.core.models import AuditEvent

ALL_ITEMS = {"evidence": True, "statements": True, "procedure": True, "property": True, "deadlines": True}


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English (the Chinese ones are the catalogue's)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _counts():
    return (
        Case.objects.count(),
        CaseTransfer.objects.count(),
        CaseIncident.objects.count(),
        AuditEvent.objects.count(),
    )


def _open_west(county, **kw):
    return do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft], **kw)


def test_a_station_chief_opens_a_case_from_an_incident(county):
    case = _open_west(county)
    assert case.number == "A9900010000001"
    assert (case.kind, case.status, case.owning_unit, case.category.code) == (
        "criminal",
        "registered",
        county.west,
        "0101",
    )
    assert list(case.incidents.all()) == [county.inc_west_theft]
    (t,) = CaseTransfer.objects.filter(case=case)
    assert (t.kind, t.from_unit, t.to_unit, t.actor) == ("opened", None, county.west, county.chief)
    ev = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).get()
    assert (ev.action, ev.actor, ev.after["step"], ev.unit_path) == (
        "create",
        county.chief,
        "open",
        county.west.path,
    )
    second = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_dispute])
    assert second.number == "A9900010000002" and second.kind == "administrative"


def test_a_case_from_two_incidents_is_criminal_when_one_is(county):
    case = do_open_case(
        actor=county.chief,
        bureau=county.bureau,
        incidents=[county.inc_west_dispute.pk, county.inc_west_theft.pk],
        title="  纠纷引发盗窃  ",
    )
    assert case.kind == "criminal" and case.title == "纠纷引发盗窃"
    assert set(case.incidents.all()) == {county.inc_west_dispute, county.inc_west_theft}
    assert case.category.code == "0401"  # the first incident's


@pytest.mark.parametrize(
    ("persona", "incidents", "field", "words"),
    [
        ("chief", [], "incidents", "at least one incident"),
        ("chief", ["inc_east_theft"], "incidents", "No incident of yours"),  # the east is not the chief's
        ("chief", [999999], "incidents", "No incident of yours"),
        ("center", ["inc_west_dispute"], "incidents", "No incident of yours"),  # not criminal
    ],
)
def test_opening_refuses_bad_input_and_saves_nothing(county, persona, incidents, field, words):
    before = _counts()
    rows = [getattr(county, i) if isinstance(i, str) else i for i in incidents]
    with pytest.raises(ValidationError) as exc:
        do_open_case(actor=getattr(county, persona), bureau=county.bureau, incidents=rows)
    assert words in " ".join(exc.value.message_dict[field])
    assert _counts() == before


def test_an_incident_in_an_open_case_is_not_opened_again(county):
    first = _open_west(county)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        _open_west(county)
    assert first.number in exc.value.message_dict["incidents"][0]
    assert _counts() == before
    do_suspend_case(first, actor=county.chief, reason="嫌疑人在逃")
    with pytest.raises(ValidationError):  # suspended is not ended
        _open_west(county)
    do_close_case(first, actor=county.chief, outcome="withdrawn", reason="不构成犯罪")
    assert _open_west(county).number.endswith("0000002")


@pytest.mark.parametrize(
    ("persona", "outcome"),
    [
        ("command", PermissionDenied),  # views cases, adds none
        ("zone_lead", PermissionDenied),  # sees the station's cases of the zone, opens none
        ("community", PermissionDenied),
        ("planner", PermissionDenied),
    ],
)
def test_who_may_not_open_cases(county, persona, outcome):
    before = _counts()
    with pytest.raises(outcome):
        do_open_case(
            actor=getattr(county, persona),
            bureau=county.bureau,
            incidents=[county.inc_west_theft],
            owning_unit=county.west,
        )
    assert _counts() == before


def test_the_outsider_opens_nothing_here(county, outsider):
    before = _counts()
    with pytest.raises((ValidationError, PermissionDenied)):
        do_open_case(actor=outsider, bureau=county.bureau, incidents=[county.inc_west_theft])
    assert _counts() == before


def test_the_center_opens_criminal_cases_anywhere_but_not_administrative_ones(county):
    case = do_open_case(
        actor=county.center, bureau=county.bureau, incidents=[county.inc_east_theft], owning_unit=county.ic
    )
    assert case.owning_unit == county.ic and case.kind == "criminal"
    before = _counts()
    with pytest.raises(PermissionDenied):
        do_open_case(
            actor=county.center,
            bureau=county.bureau,
            incidents=[county.inc_west_theft],
            kind="administrative",
            owning_unit=county.ic,
        )
    assert _counts() == before


def test_a_hand_off_to_the_center_is_recorded_and_leaves_the_station(county):
    case = _open_west(county)
    do_transfer_case(case, actor=county.chief, to_unit=county.ic, reason="系列案件，移交中心")
    case.refresh_from_db()
    assert case.owning_unit == county.ic
    t = CaseTransfer.objects.filter(case=case, kind="transfer").get()
    assert (t.from_unit, t.to_unit, t.actor, t.reason) == (
        county.west,
        county.ic,
        county.chief,
        "系列案件，移交中心",
    )
    ev = AuditEvent.objects.filter(object_id=str(case.pk), object_type="cases.case").latest("seq")
    assert ev.after["step"] == "transfer" and ev.before["owning_unit_id"] == county.west.pk
    assert ev.after["owning_unit_id"] == county.ic.pk and ev.reason == "系列案件，移交中心"
    # the station no longer holds it; the center may give it to the east station
    with pytest.raises(PermissionDenied):
        do_transfer_case(case, actor=county.chief, to_unit=county.west, reason="退回")
    do_transfer_case(case, actor=county.center, to_unit=county.east, reason="属地管辖")
    assert list(CaseTransfer.objects.filter(case=case).values_list("to_unit", flat=True)) == [
        county.west.pk,
        county.ic.pk,
        county.east.pk,
    ]


@pytest.mark.parametrize(
    ("target", "reason", "field", "words"),
    [
        ("east", "x", "to_unit", "not a unit you may hand cases to"),
        ("zone_s", "x", "to_unit", "cannot own cases"),
        ("west", "x", "to_unit", "already owned by"),
        (987654, "x", "to_unit", "no such unit"),
        ("other:west", "x", "to_unit", "no such unit"),  # another bureau's station
        ("ic", "  ", "reason", "Say why"),
    ],
)
def test_bad_hand_offs_save_nothing(county, other_county, target, reason, field, words):
    case = _open_west(county)
    if isinstance(target, str) and target.startswith("other:"):
        target = getattr(other_county, target[6:])
    elif isinstance(target, str):
        target = getattr(county, target)
    before = _counts()
    with pytest.raises(ValidationError) as exc:
        do_transfer_case(case, actor=county.chief, to_unit=target, reason=reason)
    assert words in " ".join(exc.value.message_dict[field])
    assert _counts() == before
    case.refresh_from_db()
    assert case.owning_unit == county.west


@pytest.mark.parametrize("persona", ["command", "zone_lead", "community", "auditor", "prevention"])
def test_who_sees_or_not_but_may_not_change_a_case(county, persona):
    case = _open_west(county)
    before = _counts()
    for call in (
        lambda u: do_update_case(case, actor=u, title="改"),
        lambda u: do_transfer_case(case, actor=u, to_unit=county.ic, reason="x"),
        lambda u: do_suspend_case(case, actor=u, reason="x"),
        lambda u: do_close_case(case, actor=u, outcome="withdrawn", reason="x"),
    ):
        with pytest.raises(PermissionDenied):
            call(getattr(county, persona))
    assert _counts() == before


def test_the_outsider_changes_nothing(county, outsider):
    case = _open_west(county)
    with pytest.raises(PermissionDenied):
        do_update_case(case, actor=outsider, title="外")
    with pytest.raises(PermissionDenied):
        do_transfer_case(case, actor=outsider, to_unit=county.ic, reason="x")


def test_the_center_may_not_touch_a_stations_administrative_case(county):
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_dispute])
    with pytest.raises(PermissionDenied):
        do_suspend_case(case, actor=county.center, reason="x")


# The steps, written out: (step, arguments) -> status after, or the words of the refusal.
def test_the_steps_of_a_criminal_case(county):
    case = _open_west(county)
    chief = county.chief
    steps = [
        (lambda: do_update_case(case, actor=chief, status="closed"), "cannot become"),
        (lambda: do_close_case(case, actor=chief, outcome="closed"), "closed once solved"),
        (lambda: do_update_case(case, actor=chief, status="investigating", reason="已受理"), "investigating"),
        (lambda: do_suspend_case(case, actor=chief, reason=""), "Say why"),
        (lambda: do_suspend_case(case, actor=chief, reason="嫌疑人在逃"), "suspended"),
        (lambda: do_suspend_case(case, actor=chief, reason="again"), "Only a case being worked on"),
        (lambda: do_update_case(case, actor=chief, status="solved"), "cannot become"),
        (lambda: do_reopen_case(case, actor=chief, reason="抓获嫌疑人"), "investigating"),
        (lambda: do_reopen_case(case, actor=chief, reason="x"), "nothing to reopen"),
        (lambda: do_update_case(case, actor=chief, status="solved"), "solved"),
        (lambda: do_close_case(case, actor=chief, outcome="closed"), "quality review"),
        (lambda: do_review_case(case, actor=county.command, items=ALL_ITEMS, outcome="passed"), "solved"),
        (lambda: do_close_case(case, actor=chief, outcome="closed"), "closed"),
        (lambda: do_close_case(case, actor=chief, outcome="withdrawn", reason="x"), "already"),
        (lambda: do_transfer_case(case, actor=chief, to_unit=county.ic, reason="x"), "reopen it first"),
        (lambda: do_reopen_case(case, actor=chief, reason="新证据"), "investigating"),
        (lambda: do_update_case(case, actor=chief, status="solved"), "solved"),
        # the review before the reopening was of another file: solved again, reviewed again
        (lambda: do_close_case(case, actor=chief, outcome="closed"), "quality review"),
        (lambda: do_review_case(case, actor=county.command, items=ALL_ITEMS, outcome="passed"), "solved"),
        (
            lambda: do_update_case(case, actor=chief, status="investigating", reason="补充侦查"),
            "investigating",
        ),
        (lambda: do_update_case(case, actor=chief, status="solved"), "solved"),
        (lambda: do_close_case(case, actor=chief, outcome="closed"), "quality review"),
        (lambda: do_close_case(case, actor=chief, outcome="withdrawn"), "Say why"),
        (lambda: do_close_case(case, actor=chief, outcome="withdrawn", reason="不构成犯罪"), "withdrawn"),
    ]
    for call, expected in steps:
        before = _counts()
        try:
            call()
        except ValidationError as exc:
            assert expected in " ".join(exc.messages), (expected, exc.messages)
            assert _counts() == before
            continue
        case.refresh_from_db()
        assert case.status == expected
        assert (case.closed_at is not None) == (expected in ("closed", "withdrawn"))
    history = [
        e.after["step"]
        for e in AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).order_by("seq")
    ]
    assert history == [
        "open",
        "change",
        "suspend",
        "reopen",
        "change",
        "review",
        "close",
        "reopen",
        "change",
        "review",
        "change",
        "change",
        "withdraw",
    ]


def test_an_administrative_case_closes_without_being_solved(county):
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_dispute])
    case = do_close_case(case, actor=county.chief)
    assert case.status == "closed" and case.closed_at is not None


def test_a_change_of_nothing_writes_nothing_and_unknown_fields_are_refused(county):
    case = _open_west(county)
    before = _counts()
    do_update_case(case, actor=county.chief, title=case.title)
    assert _counts() == before
    with pytest.raises(ValidationError, match="hand-off"):
        do_update_case(case, actor=county.chief, owning_unit=county.ic)
    with pytest.raises(ValidationError) as exc:
        do_update_case(case, actor=county.chief, category="9999")
    assert "9999" in exc.value.message_dict["category"][0]
    with pytest.raises(ValidationError) as exc:
        do_update_case(case, actor=county.chief, title="")
    assert "title" in exc.value.message_dict
    assert _counts() == before


def test_a_step_on_a_case_locks_the_case_and_not_its_bureau(county):
    """PostgreSQL locks every row a ``FOR UPDATE`` joins unless told ``OF``: a step on one
    case must not lock its unit's or its bureau's row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = _open_west(county)
    with CaptureQueriesContext(connection) as seen:
        do_suspend_case(case, actor=county.chief, reason="等待鉴定")
        do_reopen_case(case, actor=county.chief, reason="鉴定已出")
    locks = [q["sql"] for q in seen.captured_queries if "FOR UPDATE" in q["sql"]]
    locks = [sql for sql in locks if 'FROM "cases_case"' in sql]  # (the audit chain's head aside)
    if connection.features.has_select_for_update:
        assert len(locks) == 2
        assert all('FOR UPDATE OF "cases_case"' in sql for sql in locks), locks
    else:  # SQLite locks the whole database for a write: no FOR UPDATE at all
        assert locks == []
