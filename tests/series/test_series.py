"""Series board: scoring job, confirm/reject, build a series, pages per persona, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jingwu.cases.models import Series, SeriesIncident
from jingwu.core.models import AuditEvent
from jingwu.incidents.services import do_record_incident
from jingwu.jobs.models import Job
from jingwu.jobs.services import run_now
from jingwu.series import services
from jingwu.series.models import CandidateLink, LinkRun, LinkStatus, RunStatus

pytestmark = pytest.mark.django_db

TZ = dt.timezone(dt.timedelta(hours=8))


def _link(county, a, b, p=0.8, status=LinkStatus.OPEN, bureau=None):
    a, b = sorted([a, b], key=lambda i: i.pk)
    return CandidateLink.objects.create(
        bureau=bureau or county.bureau,
        incident_a=a,
        incident_b=b,
        probability=p,
        features={
            "distance_km": 0.4,
            "gap_days": 3.0,
            "hour_diff": 0.5,
            "same_weekday": 0.0,
            "same_premises": 1.0,
            "mo_cosine": 0.7,
        },
        status=status,
    )


def _series_county(county, n_series=3, size=6):
    """Known series (one offender each: 2-4 a.m., a few days apart, a few hundred metres
    apart, the same method), plus unrelated thefts across the county in daytime."""
    b, x0, y0 = county.bureau, 119.902, 31.002
    base = dt.datetime(2018, 3, 1, 2, 0, tzinfo=TZ)
    mos = [
        "撬开房门，盗走现金，民房内现场留有鞋印",
        "翻窗进入，盗走手机，出租房内嫌疑人戴手套",
        "剪断车锁，电瓶被盗，停车棚内监控拍到戴口罩男子",
    ]
    for s in range(n_series):
        rows = []
        for k in range(size):
            rows.append(
                do_record_incident(
                    actor=None,
                    bureau=b,
                    category="0102",
                    received_at=base + dt.timedelta(days=40 * s + 3 * k, minutes=20 * k),
                    lon=x0 + 0.003 * k + 0.01 * s,
                    lat=y0 + 0.002 * k,
                    description=f"家中被盗。作案手法：{mos[s]}",
                )
            )
        series = Series.objects.create(bureau=b, code=f"T{s}", name=f"系列{s}", origin="analyst")
        SeriesIncident.objects.bulk_create(
            [SeriesIncident(bureau=b, series=series, incident=r) for r in rows]
        )
    for k in range(40):
        do_record_incident(
            actor=None,
            bureau=b,
            category="0102",
            received_at=base + dt.timedelta(days=2.7 * k, hours=8 + k % 9),
            lon=x0 + 0.0007 * (k % 37),
            lat=y0 + 0.0005 * (k % 23),
            description="入户盗窃，财物损失。事主称商铺内香烟被盗，嫌疑人门未锁直接进入，未发现明显痕迹",
        )


def test_scoring_job_learns_from_series_and_fills_the_board(county):
    _series_county(county)
    run = services.do_start_scoring(county.bureau, actor=county.center, days=365, method="logistic")
    job = Job.objects.get(kind="series.score", target_id=run.pk)
    run_now(job)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    r = run.results
    assert r["linked_pairs"] > 10 and 0 < r["pairs_scored"] < r["all_pairs"]
    links = list(CandidateLink.objects.filter(bureau=county.bureau))
    assert links and r["links_saved"] == len(links)
    # pairs already in one series are not asked again
    members = set(SeriesIncident.objects.filter(bureau=county.bureau).values_list("incident_id", flat=True))
    sers = dict(SeriesIncident.objects.filter(bureau=county.bureau).values_list("incident_id", "series_id"))
    assert not any(
        lk.incident_a_id in members and sers[lk.incident_a_id] == sers.get(lk.incident_b_id) for lk in links
    )
    assert all(0.0 <= lk.probability <= 1.0 and lk.incident_a_id < lk.incident_b_id for lk in links)
    assert AuditEvent.objects.filter(object_type="series.linkrun", object_id=str(run.pk)).count() == 2


def test_scoring_without_series_is_refused_with_a_reason(county):
    run = services.do_start_scoring(county.bureau, actor=county.center, days=3 * 366)
    run_now(Job.objects.get(kind="series.score", target_id=run.pk))
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.error.startswith("too_few_links")
    assert not CandidateLink.objects.filter(bureau=county.bureau).exists()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [("center", True), ("command", False), ("chief", False), ("auditor", False), ("community", False)],
)
def test_who_may_start_scoring(county, persona, allowed):
    user = getattr(county, persona)
    if allowed:
        assert services.do_start_scoring(county.bureau, actor=user).pk
    else:
        with pytest.raises(PermissionDenied):
            services.do_start_scoring(county.bureau, actor=user)
        assert not LinkRun.objects.exists()


def test_bad_scoring_window_and_second_run(county):
    with pytest.raises(ValidationError):
        services.do_start_scoring(county.bureau, actor=county.center, days=5)
    services.do_start_scoring(county.bureau, actor=county.center)
    with pytest.raises(ValidationError, match="已有评分任务"):
        services.do_start_scoring(county.bureau, actor=county.center)
    assert LinkRun.objects.count() == 1


def test_confirm_reject_and_build_series(county):
    a, b, c = county.inc_west_theft, county.inc_east_theft, county.inc_west_dispute
    l1, l2 = _link(county, a, b), _link(county, b, c, 0.6)
    services.do_decide_link(l1, actor=county.center, decision="confirmed")
    services.do_decide_link(l2, actor=county.center, decision="rejected", note="不同人")
    with pytest.raises(ValidationError, match="已研判"):
        services.do_decide_link(l1, actor=county.center, decision="rejected")
    with pytest.raises(ValidationError):  # only confirmed links make a series
        services.do_build_series(county.bureau, actor=county.center, name="系列", link_ids=[l1.pk, l2.pk])
    with pytest.raises(ValidationError):
        services.do_build_series(county.bureau, actor=county.center, name=" ", link_ids=[l1.pk])
    assert not Series.objects.filter(bureau=county.bureau).exists()
    s = services.do_build_series(
        county.bureau, actor=county.center, name="城区入室盗窃系列", link_ids=[l1.pk]
    )
    assert s.origin == "analyst" and s.code == "CB00001"
    assert set(SeriesIncident.objects.filter(series=s).values_list("incident_id", flat=True)) == {a.pk, b.pk}
    assert AuditEvent.objects.filter(object_type="series.candidatelink").count() == 2
    assert AuditEvent.objects.filter(object_type="cases.series", object_id=str(s.pk)).exists()


def test_links_of_another_bureau_are_refused(county, other_county):
    foreign = _link(
        other_county, other_county.inc_west_theft, other_county.inc_east_theft, status="confirmed"
    )
    with pytest.raises(ValidationError, match="本局"):
        services.do_build_series(county.bureau, actor=county.center, name="系列", link_ids=[foreign.pk])
    with pytest.raises(PermissionDenied):
        services.do_decide_link(foreign, actor=county.center, decision="confirmed")
    foreign.refresh_from_db()
    assert foreign.status == "confirmed" and foreign.decided_by is None
    assert not Series.objects.filter(bureau=county.bureau).exists()


def test_station_chief_may_not_decide(county):
    link = _link(county, county.inc_west_theft, county.inc_east_theft)
    with pytest.raises(PermissionDenied):
        services.do_decide_link(link, actor=county.chief, decision="confirmed")
    link.refresh_from_db()
    assert link.status == "open"


def test_board_and_htmx_decision(client, county):
    link = _link(county, county.inc_west_theft, county.inc_east_theft)
    client.force_login(county.center)
    page = client.get(reverse("series:board"))
    assert page.status_code == 200 and county.inc_west_theft.number in page.content.decode()
    r = client.post(reverse("series:decide", args=[link.pk, "confirmed"]), HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and f'id="link-{link.pk}"' in r.content.decode()
    link.refresh_from_db()
    assert link.status == "confirmed"
    r = client.post(reverse("series:build"), {"name": "测试系列", "links": [str(link.pk)]})
    s = Series.objects.get(bureau=county.bureau, origin="analyst")
    assert r.status_code == 302 and r["Location"] == reverse("series:series_detail", args=[s.pk])
    detail = client.get(r["Location"]).content.decode()
    assert "jw-series-map" in detail and county.inc_east_theft.number in detail
    # bad input: no name, nothing saved, a message
    r = client.post(reverse("series:build"), {"name": "", "links": [str(link.pk)]}, follow=True)
    assert Series.objects.filter(bureau=county.bureau).count() == 1
    assert "Give the series a name" in r.content.decode() or "名称" in r.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("center", 200),
        ("command", 200),
        ("auditor", 200),
        ("chief", 404),
        ("zone_lead", 404),
        ("community", 404),
    ],
)
def test_board_by_persona(client, county, persona, status):
    client.force_login(getattr(county, persona))
    assert client.get(reverse("series:board")).status_code == status


def test_outsider_sees_no_link_nor_series(client, county, outsider):
    link = _link(county, county.inc_west_theft, county.inc_east_theft)
    s = Series.objects.create(bureau=county.bureau, code="S1", name="系列", origin="analyst")
    SeriesIncident.objects.create(bureau=county.bureau, series=s, incident=county.inc_west_theft)
    client.force_login(outsider)
    assert client.get(reverse("series:board")).status_code == 404
    assert client.get(reverse("series:series_detail", args=[s.pk])).status_code == 404
    assert client.post(reverse("series:decide", args=[link.pk, "confirmed"])).status_code == 404
    assert client.post(reverse("series:score")).status_code == 403
    link.refresh_from_db()
    assert link.status == "open" and not LinkRun.objects.exists()


def test_station_chief_sees_series_touching_the_station_only(client, county):
    west = Series.objects.create(bureau=county.bureau, code="W", name="西", origin="analyst")
    SeriesIncident.objects.create(bureau=county.bureau, series=west, incident=county.inc_west_theft)
    east = Series.objects.create(bureau=county.bureau, code="E", name="东", origin="analyst")
    SeriesIncident.objects.create(bureau=county.bureau, series=east, incident=county.inc_east_theft)
    client.force_login(county.chief)  # the west station's chief
    assert client.get(reverse("series:series_detail", args=[west.pk])).status_code == 200
    assert client.get(reverse("series:series_detail", args=[east.pk])).status_code == 404
    listing = client.get(reverse("series:series_list")).content.decode()
    assert ">W<" in listing and ">E<" not in listing


def test_follow_up_lists_premises_near_the_path_without_a_report(client, county):
    from jingwu.series.selectors import follow_up

    s = Series.objects.create(bureau=county.bureau, code="F", name="系列", origin="analyst")
    SeriesIncident.objects.create(bureau=county.bureau, series=s, incident=county.inc_west_theft)
    # the center does not see premises (the stations' records): the station does the door-to-door work
    assert follow_up(county.center, s, [county.inc_west_theft]) == []
    rows = follow_up(county.chief, s, [county.inc_west_theft])
    # by hand: the west premises is ~140 m from the theft with no report within 100 m of it;
    # the east premises is ~2.5 km away
    assert [r["premises"].pk for r in rows] == [county.prem_west.pk]
    assert 100 < rows[0]["distance_m"] < 200


def test_robberies_are_linked_with_the_thefts_and_burglaries(county):
    from jingwu.series import linking

    when = dt.datetime(2018, 3, 1, 21, 0, tzinfo=TZ)
    made = {
        code: do_record_incident(
            actor=None, bureau=county.bureau, category=code, received_at=when, lon=119.91, lat=31.01
        ).pk
        for code in ("0101", "0102", "0103", "0105", "0106")
    }
    inc, _series_of = linking.load_incidents(county.bureau, dt.date(2018, 3, 1), dt.date(2018, 3, 1))
    got = dict(zip(inc.ids.tolist(), inc.category.tolist(), strict=True))
    assert {pk: code for code, pk in made.items() if code != "0106"}.items() <= got.items()
    assert made["0106"] not in got  # an assault is no theft
