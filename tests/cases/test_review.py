"""The quality review of case files: the checklist of the case's kind, the reviewer's notes,
files sent back counted per owner, and no criminal case closed without a passed review."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jingwu.cases.models import Case, CaseReview
from jingwu.cases.review import checklist, do_review_case, returned_by_owner
from jingwu.cases.services import do_close_case, do_open_case, do_transfer_case, do_update_case
from jingwu.core.models import AuditEvent

CRIMINAL = ["evidence", "statements", "procedure", "property", "deadlines"]
ADMINISTRATIVE = ["evidence", "statements", "procedure", "penalty", "deadlines"]


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _solved(county, incident="inc_west_theft"):
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[getattr(county, incident)])
    return do_update_case(case, actor=county.chief, status="solved")


def test_the_checklists():
    assert [c for c, _ in checklist("criminal")] == CRIMINAL
    assert [c for c, _ in checklist("administrative")] == ADMINISTRATIVE


def test_a_file_sent_back_returns_to_investigation_and_counts_against_its_owner(county):
    case = _solved(county)
    r = do_review_case(
        case,
        actor=county.command,
        items={"evidence": True, "statements": False},
        outcome="returned",
        notes="缺少被害人询问笔录",
    )
    assert (r.outcome, r.owning_unit, r.reviewer, r.items["statements"]) == (
        "returned",
        county.west,
        county.command,
        False,
    )
    case.refresh_from_db()
    assert case.status == "investigating"
    ev = AuditEvent.objects.filter(
        object_type="cases.case", object_id=str(case.pk), after__step="review"
    ).get()
    assert (ev.after["outcome"], ev.reason) == ("returned", "缺少被害人询问笔录")
    with pytest.raises(ValidationError, match="quality review"):
        do_close_case(do_update_case(case, actor=county.chief, status="solved"), actor=county.chief)
    # handed to the center, solved again, passed: the return still counts for the west
    case = do_transfer_case(case, actor=county.chief, to_unit=county.ic, reason="移交")
    do_review_case(case, actor=county.command, items=dict.fromkeys(CRIMINAL, True), outcome="passed")
    assert do_close_case(case, actor=county.center).status == "closed"
    rows = {r.unit.code: (r.reviewed, r.returned) for r in returned_by_owner(county.command, county.bureau)}
    assert rows == {"S01": (1, 1), "ZC": (1, 0)}
    assert {
        r.unit.code for r in returned_by_owner(county.chief, county.bureau)
    } == set()  # the case is the center's now


@pytest.mark.parametrize(
    ("items", "outcome", "notes", "field", "words"),
    [
        ({"evidence": True}, "passed", "", "items", "every item holds"),
        (dict.fromkeys(CRIMINAL, True), "returned", "  ", "notes", "Say what the file lacks"),
        (dict.fromkeys(CRIMINAL, True) | {"penalty": True}, "passed", "", "items", "penalty"),
        ({}, "maybe", "", "outcome", "passes the file or sends it back"),
    ],
)
def test_bad_reviews_save_nothing(county, items, outcome, notes, field, words):
    case = _solved(county)
    with pytest.raises(ValidationError) as exc:
        do_review_case(case, actor=county.command, items=items, outcome=outcome, notes=notes)
    assert words in " ".join(exc.value.message_dict[field])
    assert not CaseReview.objects.exists() and Case.objects.get(pk=case.pk).status == "solved"


def test_only_a_solved_file_is_reviewed(county):
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    with pytest.raises(ValidationError, match="Only a solved"):
        do_review_case(case, actor=county.command, items=dict.fromkeys(CRIMINAL, True), outcome="passed")


@pytest.mark.parametrize("persona", ["chief", "center", "zone_lead", "auditor", "planner"])
def test_who_may_not_review(county, persona):
    case = _solved(county)
    with pytest.raises(PermissionDenied):
        do_review_case(
            case, actor=getattr(county, persona), items=dict.fromkeys(CRIMINAL, True), outcome="passed"
        )
    assert not CaseReview.objects.exists()


def test_the_outsider_reviews_nothing_here(county, outsider):
    case = _solved(county)
    with pytest.raises(PermissionDenied):
        do_review_case(case, actor=outsider, items=dict.fromkeys(CRIMINAL, True), outcome="passed")


def test_an_administrative_case_is_reviewed_by_its_own_list(county):
    case = _solved(county, "inc_west_dispute")
    r = do_review_case(
        case, actor=county.command, items=dict.fromkeys(ADMINISTRATIVE, True), outcome="passed"
    )
    assert set(r.items) == set(ADMINISTRATIVE)


def test_the_review_pages(client, county, outsider):
    case = _solved(county)
    client.force_login(county.command)
    url = reverse("cases:case_detail", args=[case.pk])
    assert 'id="review-form"' in client.get(url).content.decode()
    r = client.post(
        reverse("cases:case_review", args=[case.pk]), {"outcome": "passed", "item-evidence": "on"}
    )
    assert r.status_code == 400 and not CaseReview.objects.exists()
    r = client.post(
        reverse("cases:case_review", args=[case.pk]), {"outcome": "returned", "notes": "证据不足"}
    )
    assert r.status_code == 302 and CaseReview.objects.get().outcome == "returned"
    r = client.get(reverse("cases:review_report"))
    assert [(x.unit.code, x.reviewed, x.returned) for x in r.context["rows"]] == [("S01", 1, 1)]
    client.force_login(county.chief)
    assert 'id="review-form"' not in client.get(url).content.decode()
    assert client.post(reverse("cases:case_review", args=[case.pk]), {"outcome": "passed"}).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("cases:case_review", args=[case.pk]), {"outcome": "passed"}).status_code == 404
    assert client.get(reverse("cases:review_report")).context["rows"] == []
