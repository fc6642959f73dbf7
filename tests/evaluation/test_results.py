"""Slice 4: star histories, honour rolls, statistics by unit type, promotion candidates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.evaluation import services as sv
from jingwu.evaluation.models import Criterion, StarAward
from jingwu.evaluation.results import promotion_candidates, share_by_unit_type, star_history
from jingwu.evaluation.selectors import stars_for

from .helpers import TODAY, advance, open_cycle, scores_for


def publish(county, quarter, files):
    """A cycle of 2018 Q``quarter`` published with ``files``: (officer, unit, standards missed)."""
    cycle = open_cycle(county, quarter=quarter)
    made = []
    for officer, unit, _missed in files:
        made.append(sv.do_nominate(cycle, actor=county.political, officer=officer, unit=unit))
    day = sv.today(county.bureau)
    if day <= cycle.self_assessment_deadline:
        advance(county, cycle.self_assessment_deadline + dt.timedelta(days=1))
    for n, (_o, _u, missed) in zip(made, files, strict=True):
        values = scores_for(cycle, 9)
        for c in Criterion.objects.filter(standard__cycle=cycle, standard__code__in=missed):
            values[c.pk] = 5
        sv.do_score(n, actor=county.political, scores=values)
        sv.do_review(n, actor=county.political, decision="endorsed")
        sv.do_decide(n, actor=county.political, decision="approved")
    cycle = sv.do_start_notice(cycle, actor=county.political)
    advance(county, cycle.notice_end + dt.timedelta(days=1))
    return sv.do_publish(cycle, actor=county.political)


@pytest.fixture
def two_cycles(county):
    """Q2: 陈静 (grid, west) four stars, 孙磊 (investigation center) three; Q3: 陈静 four again,
    王建国 (west chief) two."""
    c, hq_ = county, county
    q2 = publish(c, 2, [(c.off_comm, c.west, ()), (c.off_ic, c.ic, ("law",))])
    # the second cycle's deadlines start from the new data date
    from .helpers import make_cycle

    day = sv.today(c.bureau)
    cycle = make_cycle(c, quarter=3, days=tuple((day - TODAY).days + d for d in (5, 10, 15, 20)))
    sv.do_open_cycle(cycle, actor=c.political)
    n1 = sv.do_nominate(cycle, actor=c.political, officer=c.off_comm, unit=c.west)
    n2 = sv.do_nominate(cycle, actor=c.political, officer=c.off_chief, unit=c.west)
    advance(c, cycle.self_assessment_deadline + dt.timedelta(days=1))
    for n, missed in ((n1, ()), (n2, ("law", "service"))):
        values = scores_for(cycle, 9)
        for cr in Criterion.objects.filter(standard__cycle=cycle, standard__code__in=missed):
            values[cr.pk] = 5
        sv.do_score(n, actor=c.political, scores=values)
        sv.do_review(n, actor=c.political, decision="endorsed")
        sv.do_decide(n, actor=c.political, decision="approved")
    cycle = sv.do_start_notice(cycle, actor=c.political)
    advance(c, cycle.notice_end + dt.timedelta(days=1))
    q3 = sv.do_publish(cycle, actor=c.political)
    del hq_
    return q2, q3


def test_star_history_and_all_four_stars(county, two_cycles):
    q2, q3 = two_cycles
    hist = star_history(StarAward.objects.filter(officer=county.off_comm), [q3, q2])
    assert [(h.cycle.quarter, h.count, h.all_four) for h in hist] == [(3, 4, True), (2, 4, True)]
    hist = star_history(StarAward.objects.filter(officer=county.off_chief), [q3, q2])
    assert [(h.cycle.quarter, h.count, h.all_four) for h in hist] == [(3, 2, False), (2, 0, False)]


def test_share_by_unit_type(county, two_cycles):
    rows = {r["type"]: r for r in share_by_unit_type(StarAward.objects.filter(bureau=county.bureau))}
    # stars: west 4 + 4 + 2 = 10, investigation center 3: 13 in all
    assert (rows["station"]["stars"], rows["station"]["stars_share"]) == (10, 76.9)
    assert (rows["investigation_center"]["stars"], rows["investigation_center"]["stars_share"]) == (3, 23.1)
    # officers awarded per cycle: west 陈静 (Q2, Q3), 王建国 (Q3); 孙磊 (Q2)
    assert (rows["station"]["awarded"], rows["station"]["awarded_share"]) == (3, 75.0)
    assert rows["prevention_center"]["stars"] == rows["headquarters"]["stars"] == 0


def test_promotion_candidates_weigh_stars_among_other_factors(county, two_cycles):
    q2, q3 = two_cycles
    on = sv.today(county.bureau)
    sv.do_record_conduct(
        actor=county.political, officer=county.off_chief, kind="commendation", day=on, title="荣立个人三等功"
    )
    sv.do_record_conduct(
        actor=county.political, officer=county.off_comm, kind="complaint", day=on, title="群众投诉属实"
    )
    sv.do_record_conduct(
        actor=county.political, officer=county.off_lead, kind="discipline", day=on, title="警告处分"
    )
    from jingwu.evaluation.models import ConductRecord
    from jingwu.personnel.models import Officer

    rows = promotion_candidates(
        Officer.objects.filter(bureau=county.bureau),
        StarAward.objects.filter(bureau=county.bureau),
        ConductRecord.objects.filter(bureau=county.bureau),
        [q3, q2],
        on,
    )
    by = {r.officer.police_number: r for r in rows}
    assert "100002" not in by  # 李明: a discipline record
    assert "F00006" not in by  # the auxiliary
    # 陈静: 8 stars -> 20; not hired (no years) -> 0; no commendation; one complaint -> 15
    assert by["100003"].factors == {"stars": 20.0, "service": 0.0, "commendations": 0.0, "appraisal": 15}
    assert by["100003"].total == 35.0
    # 王建国: 2 stars -> 5; one commendation -> 5; appraisal 20
    assert by["100001"].total == 30.0
    assert rows[0].officer == county.off_comm


# persona -> (results page, promotion page)
RESULT_PAGES = {
    "political": (200, 200),
    "command": (200, 200),
    "auditor": (200, 200),
    "chief": (200, 200),
    "center": (200, 404),
    "prevention": (200, 404),
    "zone_lead": (404, 404),
    "community": (404, 404),
    "planner": (404, 404),
    "sysadmin": (404, 404),
}


@pytest.mark.parametrize("persona", sorted(RESULT_PAGES))
def test_results_pages_by_persona(client, county, two_cycles, persona):
    user = getattr(county, persona)
    client.force_login(user)
    res, promo = RESULT_PAGES[persona]
    r = client.get(reverse("evaluation:results"))
    assert r.status_code == res
    if res == 200:
        roll_officers = {o.pk for _u, officers in r.context["roll"] for o, _n in officers}
        assert roll_officers <= set(stars_for(user).values_list("officer_id", flat=True))
    assert client.get(reverse("evaluation:promotion")).status_code == promo


def test_the_chief_sees_the_stations_honour_roll_only(client, county, two_cycles):
    q2, _q3 = two_cycles
    client.force_login(county.chief)
    r = client.get(reverse("evaluation:results") + f"?cycle={q2.pk}")
    assert [u for u, _o in r.context["roll"]] == [county.west]
    client.force_login(county.political)
    r = client.get(reverse("evaluation:results") + f"?cycle={q2.pk}")
    assert [u for u, _o in r.context["roll"]] == [county.ic, county.west]
    assert r.context["four_star"] == 1


# The star history page of 陈静: who may open it.
STAR_PAGE = {
    "community": 200,  # her own
    "chief": 200,
    "zone_lead": 200,  # sees the zone's officers
    "political": 200,
    "command": 200,
    "auditor": 200,
    "planner": 200,  # sees officers (no stars: the page shows none)
    "center": 404,
    "prevention": 404,
    "sysadmin": 404,
}


@pytest.mark.parametrize("persona", sorted(STAR_PAGE))
def test_the_star_history_page(client, county, other_county, two_cycles, persona):
    client.force_login(getattr(county, persona))
    r = client.get(reverse("evaluation:officer_stars", args=[county.off_comm.pk]))
    assert r.status_code == STAR_PAGE[persona]
    if persona in ("community", "chief", "political"):
        assert r.context["total"] == 8 and r.context["all_four"] == 2
    if persona in ("zone_lead", "planner"):
        assert r.context["total"] == 0  # no right on stars


def test_the_outsider_sees_no_result(client, county, other_county, two_cycles):
    client.force_login(other_county.chief)
    assert client.get(reverse("evaluation:officer_stars", args=[county.off_comm.pk])).status_code == 404
    r = client.get(reverse("evaluation:results"))
    assert (
        r.status_code == 200 and r.context["roll"] == [] and all(x["stars"] == 0 for x in r.context["share"])
    )
    client.force_login(other_county.political)
    assert client.get(reverse("evaluation:promotion")).context["rows"] == [] or all(
        c.officer.bureau_id == other_county.bureau.pk
        for c in client.get(reverse("evaluation:promotion")).context["rows"]
    )
