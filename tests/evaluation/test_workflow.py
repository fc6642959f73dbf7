"""Slice 2: nominations, self-assessment, unit scoring, review, committee, public notice,
objections, publication and appeals: scoped, audited, with deadlines on the data date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.evaluation import services as sv
from jingwu.evaluation.models import Appeal, Criterion, Nomination, Objection, Score, StarAward
from jingwu.evaluation.selectors import files_for

from .helpers import TODAY, advance, open_cycle, scores_for


@pytest.fixture
def cycle(county):
    return open_cycle(county)  # deadlines: +5 nominations, +10 self, +15 scoring, +20 review


def nominate(county, cycle, officer="off_comm", unit="west", actor="chief"):
    return sv.do_nominate(
        cycle, actor=getattr(county, actor), officer=getattr(county, officer), unit=getattr(county, unit)
    )


def scored(county, cycle, officer="off_comm", value=9):
    n = nominate(county, cycle, officer)
    advance(county, TODAY + dt.timedelta(days=11))  # after the self-assessment deadline
    return sv.do_score(n, actor=county.chief, scores=scores_for(cycle, value))


def approved(county, cycle, officer="off_comm", value=9):
    n = scored(county, cycle, officer, value)
    sv.do_review(n, actor=county.political, decision="endorsed")
    return sv.do_decide(n, actor=county.command, decision="approved")


# --- nominations ------------------------------------------------------------------------


def test_a_chief_nominates_an_officer_of_the_station(county, cycle):
    n = nominate(county, cycle)
    assert (n.status, n.unit, n.nominated_on, n.nominated_by) == (
        "nominated",
        county.west,
        TODAY,
        county.chief,
    )
    ev = AuditEvent.objects.get(object_type="evaluation.nomination", object_id=str(n.pk))
    assert ev.action == "create" and ev.unit_path == county.west.path


def test_a_nomination_outside_the_unit_is_refused(county, cycle):
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="is not an officer of West Station"),
    ):
        nominate(county, cycle, officer="off_east")
    with pytest.raises(PermissionDenied):  # nominating for the east station
        nominate(county, cycle, officer="off_east", unit="east")
    with pytest.raises(PermissionDenied):  # a community officer does not nominate
        nominate(county, cycle, actor="community", unit="grid_s1")
    assert not Nomination.objects.filter(cycle=cycle).exists()


def test_an_outsider_cannot_nominate_in_the_county(county, other_county, cycle):
    with pytest.raises(PermissionDenied):
        sv.do_nominate(cycle, actor=other_county.chief, officer=county.off_comm, unit=county.west)
    with pytest.raises(PermissionDenied):
        sv.do_nominate(cycle, actor=other_county.chief, officer=other_county.off_comm, unit=other_county.west)
    assert not Nomination.objects.filter(cycle=cycle).exists()


def test_nominations_close_at_their_deadline(county, cycle):
    advance(county, TODAY + dt.timedelta(days=6))
    with translation.override("en"), pytest.raises(ValidationError, match="deadline .*has passed"):
        nominate(county, cycle)
    assert not Nomination.objects.exists()


def test_one_file_per_officer_and_cycle(county, cycle):
    nominate(county, cycle)
    with translation.override("en"), pytest.raises(ValidationError, match="already nominated"):
        nominate(county, cycle, actor="political", unit="hq")


def test_a_draft_cycle_takes_no_nominations(county):
    from .helpers import make_cycle

    draft = make_cycle(county, quarter=3)
    with translation.override("en"), pytest.raises(ValidationError, match="not open yet"):
        nominate(county, draft)


# --- self-assessment and scores -----------------------------------------------------------


def test_the_officer_assesses_themselves_and_only_they(county, cycle):
    n = nominate(county, cycle)
    crit = Criterion.objects.filter(standard__cycle=cycle).first()
    with pytest.raises(PermissionDenied):
        sv.do_self_assess(n, actor=county.chief, text="这个季度我做了很多工作。")
    n = sv.do_self_assess(
        n, actor=county.community, text="本季度走访群众120户，调解纠纷8起。", scores={crit.pk: "8.5"}
    )
    assert n.status == "self_assessed" and n.self_on == TODAY
    assert Score.objects.get(nomination=n, kind="self").value == Decimal("8.5")


@pytest.mark.parametrize("bad", ["11", "-1", "abc", "7.25", "NaN"])
def test_scores_must_be_on_the_scale(county, cycle, bad):
    n = nominate(county, cycle)
    advance(county, TODAY + dt.timedelta(days=11))
    values = scores_for(cycle, "9")
    first = next(iter(values))
    values[first] = bad
    with pytest.raises(ValidationError) as exc:
        sv.do_score(n, actor=county.chief, scores=values)
    assert f"score_{first}" in exc.value.message_dict
    assert not Score.objects.filter(nomination=n).exists()
    assert Nomination.objects.get(pk=n.pk).status == "nominated"


def test_the_unit_scores_every_criterion(county, cycle):
    n = nominate(county, cycle)
    advance(county, TODAY + dt.timedelta(days=11))
    values = scores_for(cycle, "9")
    missing = values.popitem()[0]
    with pytest.raises(ValidationError) as exc:
        sv.do_score(n, actor=county.chief, scores=values)
    assert f"score_{missing}" in exc.value.message_dict


def test_the_unit_waits_for_the_self_assessment_or_its_deadline(county, cycle):
    n = nominate(county, cycle)
    with translation.override("en"), pytest.raises(ValidationError, match="may assess themselves until"):
        sv.do_score(n, actor=county.chief, scores=scores_for(cycle, 9))
    sv.do_self_assess(n, actor=county.community, text="本季度走访群众120户，调解纠纷8起。")
    n = sv.do_score(n, actor=county.chief, scores=scores_for(cycle, 9))
    assert n.status == "scored"


def test_scoring_closes_at_its_deadline(county, cycle):
    n = nominate(county, cycle)
    advance(county, TODAY + dt.timedelta(days=16))
    with translation.override("en"), pytest.raises(ValidationError, match="unit scoring until"):
        sv.do_score(n, actor=county.chief, scores=scores_for(cycle, 9))


@pytest.mark.parametrize("persona", ["zone_lead", "community", "command", "auditor", "center"])
def test_only_the_nominating_unit_scores(county, cycle, persona):
    n = nominate(county, cycle)
    advance(county, TODAY + dt.timedelta(days=11))
    with pytest.raises(PermissionDenied):
        sv.do_score(n, actor=getattr(county, persona), scores=scores_for(cycle, 9))


def test_a_chief_does_not_score_their_own_file(county, cycle, client):
    n = nominate(county, cycle, officer="off_chief")
    advance(county, TODAY + dt.timedelta(days=11))
    with translation.override("en"), pytest.raises(PermissionDenied, match="own file"):
        sv.do_score(n, actor=county.chief, scores=scores_for(cycle, 10))
    assert not Score.objects.filter(nomination=n).exists()
    client.force_login(county.chief)
    page = client.get(reverse("evaluation:file_detail", args=[n.pk])).content.decode()
    assert 'name="action" value="score"' not in page
    # the political department scores a chief's file
    n = sv.do_score(n, actor=county.political, scores=scores_for(cycle, 8))
    assert n.status == "scored"


# The standard score: weighted mean of the unit's scores, out of 100; loyalty weighs
# political study 40 and attendance 60, so 10 and 7 give (40*10 + 60*7) / 10 = 82.
def test_standard_scores_are_weighted(county, cycle):
    n = nominate(county, cycle)
    advance(county, TODAY + dt.timedelta(days=11))
    values = scores_for(cycle, 9)
    crit = {c.code: c.pk for c in Criterion.objects.filter(standard__cycle=cycle)}
    values[crit["political_study"]] = 10
    values[crit["duty_attendance"]] = 7
    values[crit["case_quality"]] = 5
    n = sv.do_score(n, actor=county.chief, scores=values)
    by_code = {cycle.standards.get(pk=k).code: v for k, v in sv.standard_scores(n).items()}
    assert by_code == {
        "loyalty": Decimal("82.0"),
        "service": Decimal("90.0"),
        "law": Decimal("62.0"),  # (70*5 + 30*9) / 10
        "discipline": Decimal("90.0"),
    }


# --- review, committee, notice, objections, publication -----------------------------------


def test_review_is_the_political_departments(county, cycle):
    n = scored(county, cycle)
    for persona in ("chief", "command", "auditor"):
        with pytest.raises(PermissionDenied):
            sv.do_review(n, actor=getattr(county, persona), decision="endorsed")
    with translation.override("en"), pytest.raises(ValidationError, match="Say why"):
        sv.do_review(n, actor=county.political, decision="declined")
    n = sv.do_review(n, actor=county.political, decision="endorsed")
    assert n.status == "reviewed"
    with pytest.raises(PermissionDenied):
        sv.do_decide(n, actor=county.chief, decision="approved")
    n = sv.do_decide(n, actor=county.command, decision="approved")
    assert n.status == "approved" and n.decided_on == TODAY + dt.timedelta(days=11)


def test_the_full_cycle_to_publication_and_appeal(county, cycle):
    top = approved(county, cycle, "off_comm", 9)  # 90 everywhere: four stars
    notice_day = TODAY + dt.timedelta(days=11)
    cycle = sv.do_start_notice(cycle, actor=county.political)
    assert (cycle.status, cycle.notice_start, cycle.notice_end) == (
        "notice",
        notice_day,
        notice_day + dt.timedelta(days=6),
    )
    # on notice: no more scoring, with a clear message
    with translation.override("en"), pytest.raises(ValidationError, match="public notice"):
        sv.do_score(top, actor=county.chief, scores=scores_for(cycle, 1))
    o = sv.do_object(top, actor=county.zone_lead, text="该同志本季度有一次群众投诉未处理。")
    assert o.filed_on == notice_day
    with translation.override("en"), pytest.raises(ValidationError, match="publish after it"):
        sv.do_publish(cycle, actor=county.political)
    advance(county, cycle.notice_end)  # the last day still takes objections
    sv.do_object(top, actor=county.community, text="补充：投诉已由所里调查，但未公开结果。")
    advance(county, cycle.notice_end + dt.timedelta(days=1))
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="objections are no longer accepted"),
    ):
        sv.do_object(top, actor=county.zone_lead, text="迟到的异议，应当被拒绝。")
    assert Objection.objects.filter(nomination=top).count() == 2
    with translation.override("en"), pytest.raises(ValidationError, match="2 objections are not answered"):
        sv.do_publish(cycle, actor=county.political)
    for o in Objection.objects.filter(nomination=top):
        with pytest.raises(PermissionDenied):
            sv.do_answer_objection(o, actor=county.chief, answer="已核实。")
        sv.do_answer_objection(o, actor=county.political, answer="经核实，投诉已于5月办结，不影响评选。")
    cycle = sv.do_publish(cycle, actor=county.political)
    assert cycle.status == "published" and cycle.published_on == cycle.notice_end + dt.timedelta(days=1)
    stars = StarAward.objects.filter(officer=county.off_comm, cycle=cycle)
    assert sorted(stars.values_list("standard__code", flat=True)) == [
        "discipline",
        "law",
        "loyalty",
        "service",
    ]
    # a published cycle cannot be re-scored or published twice
    with translation.override("en"), pytest.raises(ValidationError, match="was published on"):
        sv.do_score(top, actor=county.chief, scores=scores_for(cycle, 1))
    with translation.override("en"), pytest.raises(ValidationError, match="already published"):
        sv.do_publish(cycle, actor=county.political)
    with pytest.raises(ValidationError):
        sv.do_object(top, actor=county.zone_lead, text="发布后的异议，应当被拒绝。")
    # appeals: the officer only, within the appeal period
    with pytest.raises(PermissionDenied):
        sv.do_appeal(top, actor=county.chief, text="替他申诉，应当被拒绝。")
    a = sv.do_appeal(top, actor=county.community, text="我认为评分过程中有材料遗漏。")
    a = sv.do_decide_appeal(a, actor=county.political, decision="dismissed", answer="材料已全部审阅。")
    assert a.status == "dismissed"
    with pytest.raises(ValidationError):
        sv.do_decide_appeal(a, actor=county.political, decision="upheld", answer="再次决定。")
    assert Appeal.objects.filter(nomination=top).count() == 1


def test_stars_follow_the_pass_marks_and_an_upheld_appeal_grants_one(county, cycle):
    n = nominate(county, cycle)
    advance(county, TODAY + dt.timedelta(days=11))
    values = scores_for(cycle, 9)
    crit = {c.code: c.pk for c in Criterion.objects.filter(standard__cycle=cycle)}
    values[crit["case_quality"]] = 5  # law: 62 < 80
    n = sv.do_score(n, actor=county.chief, scores=values)
    sv.do_review(n, actor=county.political, decision="endorsed")
    sv.do_decide(n, actor=county.political, decision="approved")
    cycle = sv.do_start_notice(cycle, actor=county.political)
    advance(county, cycle.notice_end + dt.timedelta(days=1))
    sv.do_publish(cycle, actor=county.political)
    codes = set(StarAward.objects.filter(nomination=n).values_list("standard__code", flat=True))
    assert codes == {"loyalty", "service", "discipline"}
    a = sv.do_appeal(n, actor=county.community, text="两起案件的质量评查结论已更正。")
    law = cycle.standards.get(code="law")
    sv.do_decide_appeal(
        a, actor=county.political, decision="upheld", answer="评查结论更正，予以补授。", grant=[law.pk]
    )
    star = StarAward.objects.get(nomination=n, standard=law)
    assert star.on_appeal and star.score == Decimal("62.0")
    # appeals close after the period
    advance(county, cycle.notice_end + dt.timedelta(days=1 + cycle.appeal_days + 1))
    with translation.override("en"), pytest.raises(ValidationError, match="accepted until"):
        sv.do_appeal(n, actor=county.community, text="再次申诉，已过期限。")


def test_the_notice_refuses_pending_files(county, cycle):
    nominate(county, cycle, officer="off_lead")
    approved(county, cycle)
    with translation.override("en"), pytest.raises(ValidationError, match="1 files still wait"):
        sv.do_start_notice(cycle, actor=county.political)
    assert cycle.__class__.objects.get(pk=cycle.pk).status == "open"


# --- who reads which file ----------------------------------------------------------------

# The west station's file of the community officer 陈静, and the east's of 赵强.
FILE_SEEN = {
    "political": (True, True),
    "command": (True, True),
    "auditor": (True, True),
    "chief": (True, False),  # the west station's chief
    "community": (True, False),  # 陈静 herself
    "zone_lead": (False, False),
    "center": (False, False),
    "prevention": (False, False),
    "planner": (False, False),
    "sysadmin": (False, False),
}


@pytest.mark.parametrize("persona", sorted(FILE_SEEN))
def test_who_sees_which_file(client, county, cycle, persona):
    west = nominate(county, cycle)
    east = sv.do_nominate(cycle, actor=county.political, officer=county.off_east, unit=county.east)
    user = getattr(county, persona)
    seen = set(files_for(user).values_list("pk", flat=True))
    assert (west.pk in seen, east.pk in seen) == FILE_SEEN[persona]
    client.force_login(user)
    for n, ok in zip((west, east), FILE_SEEN[persona], strict=True):
        assert client.get(reverse("evaluation:file_detail", args=[n.pk])).status_code == (200 if ok else 404)


def test_the_outsider_sees_no_file(client, county, other_county, cycle):
    n = nominate(county, cycle)
    client.force_login(other_county.chief)
    assert client.get(reverse("evaluation:file_detail", args=[n.pk])).status_code == 404
    assert client.post(reverse("evaluation:file_detail", args=[n.pk]), {"action": "score"}).status_code == 404
    assert not files_for(other_county.political).filter(pk=n.pk).exists()


# --- pages ------------------------------------------------------------------------------


def test_the_workflow_on_the_pages(client, county, cycle):
    client.force_login(county.chief)
    detail = reverse("evaluation:cycle_detail", args=[cycle.pk])
    r = client.get(detail)
    assert county.off_comm in list(r.context["candidates"]) and county.off_east not in list(
        r.context["candidates"]
    )
    r = client.post(detail, {"action": "nominate", "unit": county.west.pk, "officer": county.off_east.pk})
    assert r.status_code == 200 and "officer" in r.context["errors"]
    r = client.post(detail, {"action": "nominate", "unit": county.west.pk, "officer": county.off_comm.pk})
    assert r.status_code == 302
    n = Nomination.objects.get(cycle=cycle, officer=county.off_comm)
    url = reverse("evaluation:file_detail", args=[n.pk])
    client.force_login(county.community)
    post = {"action": "self", "self_text": "本季度走访群众120户，调解纠纷8起。"}
    post |= {f"score_{k}": "9" for k in scores_for(cycle, 9)}
    assert client.post(url, post).status_code == 302
    client.force_login(county.chief)
    bad = {"action": "score"} | {f"score_{k}": "12" for k in scores_for(cycle, 9)}
    r = client.post(url, bad)
    assert r.status_code == 200 and r.context["errors"]
    assert not Score.objects.filter(nomination=n, kind="unit").exists()
    good = {"action": "score", "unit_note": "表现突出"} | {f"score_{k}": "9.5" for k in scores_for(cycle, 9)}
    assert client.post(url, good).status_code == 302
    assert Score.objects.filter(nomination=n, kind="unit", value=Decimal("9.5")).count() == 9
    # the community officer cannot score her own file
    client.force_login(county.community)
    assert client.post(url, good | {"score_1": "10"}).status_code == 403
    client.force_login(county.political)
    assert client.post(url, {"action": "review", "review": "endorsed"}).status_code == 302
    assert client.post(url, {"action": "decide", "committee": "approved"}).status_code == 302
    assert client.post(detail, {"action": "notice"}).status_code == 302
    notice = reverse("evaluation:notice", args=[cycle.pk])
    client.force_login(county.zone_lead)
    r = client.get(notice)
    assert r.status_code == 200 and "陈静" in r.content.decode()
    assert client.post(notice, {"nomination": n.pk, "text": "短"}).status_code == 200
    assert client.post(notice, {"nomination": n.pk, "text": "该同志有一起投诉尚未办结。"}).status_code == 302
    cycle.refresh_from_db()
    advance(county, cycle.notice_end + dt.timedelta(days=1))
    client.force_login(county.political)
    r = client.post(detail, {"action": "publish"})
    assert r.status_code == 200 and r.context["errors"]
    assert Objection.objects.get(nomination=n).answered_on is None
    o = Objection.objects.get(nomination=n)
    assert (
        client.post(url, {"action": "answer", "objection": o.pk, "answer": "已核实办结。"}).status_code == 302
    )
    assert client.post(detail, {"action": "publish"}).status_code == 302
    assert StarAward.objects.filter(nomination=n).count() == 4
    # a published cycle: re-scoring is refused with a clear message, nothing changes
    client.force_login(county.chief)
    client.cookies["django_language"] = "en"
    r = client.post(url, good | {f"score_{k}": "1" for k in scores_for(cycle, 9)})
    assert r.status_code == 200 and "was published on" in r.content.decode()
    client.cookies["django_language"] = "zh-hans"
    r = client.post(url, good | {f"score_{k}": "1" for k in scores_for(cycle, 9)})
    assert "发布：其档案不能再评分或修改" in r.content.decode()
    assert Score.objects.filter(nomination=n, kind="unit", value=Decimal("9.5")).count() == 9


def test_the_outsider_cannot_object_or_read_the_notice(client, county, other_county, cycle):
    top = approved(county, cycle)
    sv.do_start_notice(cycle, actor=county.political)
    client.force_login(other_county.zone_lead)
    notice = reverse("evaluation:notice", args=[cycle.pk])
    assert client.get(notice).status_code == 404
    assert client.post(notice, {"nomination": top.pk, "text": "外局的异议，应当被拒绝。"}).status_code == 404
    with pytest.raises(PermissionDenied):
        sv.do_object(top, actor=other_county.zone_lead, text="外局的异议，应当被拒绝。")
    assert not Objection.objects.exists()
