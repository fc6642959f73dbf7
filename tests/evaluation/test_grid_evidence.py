"""The grid work log (door-to-door visits, patrols, premises checks, mediation) as evidence
beside the "visits and mediation" criterion of service to the people."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.duty.services import do_assign_grid, do_log_work
from jingwu.evaluation.evidence import gather
from jingwu.evaluation.models import Criterion

from .helpers import open_cycle


@pytest.fixture
def logged(county):
    """Grid work of 陈静 (grid S1) and one of another officer, hand-written:

    in Q2 2018: visits of 90 and 60 minutes (12 and 8 households), a mediation of 45
    minutes, a patrol of 120 minutes, a premises check of 30 minutes; a visit on
    2018-03-30 (the first quarter: not counted); the auxiliary's visit (not hers)."""
    c = county
    do_assign_grid(c.grid_s1, actor=c.chief, officer=c.off_comm, auxiliaries=[c.off_aux])
    rows = [
        (c.off_comm, "visit", dt.date(2018, 4, 3), 90, 12, "走访独居老人"),
        (c.off_comm, "visit", dt.date(2018, 5, 20), 60, 8, "入户走访出租屋"),
        (c.off_comm, "mediation", dt.date(2018, 5, 28), 45, 0, "调解邻里噪音纠纷"),
        (c.off_comm, "patrol", dt.date(2018, 6, 1), 120, 0, ""),
        (c.off_comm, "premises", dt.date(2018, 6, 2), 30, 0, "检查网吧消防"),
        (c.off_comm, "visit", dt.date(2018, 3, 30), 60, 5, "上季度走访"),
        (c.off_aux, "visit", dt.date(2018, 5, 21), 60, 6, "辅警走访"),
    ]
    for officer, kind, day, minutes, households, note in rows:
        do_log_work(
            c.grid_s1,
            actor=c.community,
            officer=officer,
            kind=kind,
            day=day,
            minutes=minutes,
            households=households,
            note=note,
        )
    return c


def test_the_grid_log_is_evidence_of_the_quarter(logged):
    from jingwu.evaluation import services as sv

    c = logged
    cycle = open_cycle(c)
    n = sv.do_nominate(cycle, actor=c.political, officer=c.off_comm, unit=c.west)
    ev = gather(n)["grid_work"]
    # 90 + 60 + 45 + 120 + 30 = 345 minutes: 6 hours (rounded)
    assert ev.figures == {
        "visit": 2,
        "households": 20,
        "patrol": 1,
        "premises": 1,
        "mediation": 1,
        "hours": 6,
    }
    assert [i.split(" ", 1)[0] for i in ev.items] == ["2018-05-28", "2018-05-20", "2018-04-03"]
    assert "调解邻里噪音纠纷" in ev.items[0] and "走访独居老人" in ev.items[2]
    # the default rules put it beside service to the people
    crit = Criterion.objects.get(standard__cycle=cycle, evidence="grid_work")
    assert (crit.standard.code, crit.code, crit.weight) == ("service", "visits_mediation", 30)


def test_an_officer_without_grid_work_shows_zeros(logged):
    from jingwu.evaluation import services as sv

    c = logged
    cycle = open_cycle(c)
    n = sv.do_nominate(cycle, actor=c.political, officer=c.off_chief, unit=c.west)
    assert gather(n)["grid_work"].figures == {
        "visit": 0,
        "households": 0,
        "patrol": 0,
        "premises": 0,
        "mediation": 0,
        "hours": 0,
    }


@pytest.mark.parametrize("persona, status", [("community", 200), ("chief", 200), ("zone_lead", 404)])
def test_the_file_page_shows_the_grid_evidence(client, logged, persona, status):
    from jingwu.evaluation import services as sv

    c = logged
    cycle = open_cycle(c)
    n = sv.do_nominate(cycle, actor=c.political, officer=c.off_comm, unit=c.west)
    client.force_login(getattr(c, persona))
    r = client.get(reverse("evaluation:file_detail", args=[n.pk]))
    assert r.status_code == status
    if status == 200:
        assert "调解邻里噪音纠纷" in r.content.decode()


def test_the_outsider_sees_no_grid_evidence(client, logged, other_county):
    from jingwu.evaluation import services as sv

    c = logged
    cycle = open_cycle(c)
    n = sv.do_nominate(cycle, actor=c.political, officer=c.off_comm, unit=c.west)
    client.force_login(other_county.political)
    assert client.get(reverse("evaluation:file_detail", args=[n.pk])).status_code == 404


def test_gathering_many_files_at_once_gives_what_each_file_gives(logged):
    """The bulk path (the province's quarter) against the file page's, on every source."""
    from jingwu.cases.models import Case
    from jingwu.evaluation import services as sv
    from jingwu.evaluation.evidence import gather_many

    c = logged
    cycle = open_cycle(c)
    when = dt.datetime(2018, 5, 2, 9, tzinfo=dt.UTC)
    Case.objects.create(
        bureau=c.bureau,
        number="G1",
        kind="criminal",
        title="盗窃",
        owning_unit=c.west,
        opened_at=when,
        closed_at=when + dt.timedelta(days=3),
    )
    for officer, kind, ok in ((c.off_comm, "commendation", True), (c.off_comm, "complaint", False)):
        sv.do_record_conduct(
            actor=c.political,
            officer=officer,
            kind=kind,
            day=dt.date(2018, 5, 9),
            title="群众来信反映",
            substantiated=ok,
        )
    sv.do_record_training(actor=c.political, officer=c.off_east, day=dt.date(2018, 5, 9), topic="执法培训")
    files = [
        sv.do_nominate(cycle, actor=c.political, officer=o, unit=u)
        for o, u in ((c.off_comm, c.west), (c.off_chief, c.west), (c.off_east, c.east), (c.off_ic, c.ic))
    ]
    many = gather_many(cycle)
    assert set(many) == {n.pk for n in files}
    for n in files:
        one = gather(n)
        assert {k: (v.figures, v.items) for k, v in many[n.pk].items()} == {
            k: (v.figures, v.items) for k, v in one.items()
        }, n.officer.name
    # and the figures are not all zero: the comparison means something
    comm = many[files[0].pk]
    assert comm["grid_work"].figures["visit"] == 2 and comm["commendations"].figures == {"count": 1}
    assert comm["complaints"].figures == {"count": 0, "groundless": 1}
    assert many[files[2].pk]["training"].figures == {"days": 1}
    assert many[files[1].pk]["cases"].figures["opened"] == 1
