"""Workload per officer on the dashboards: duty in the published rosters, grid work, visits
recorded, callbacks made and the cases of the officer's unit; each figure opens the rows
behind it; each persona sees what their role allows; a fixed number of queries, by index."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingwu.analytics.workload import per_officer
from jingwu.cases.models import Case
from jingwu.core.clock import data_date
from jingwu.duty.models import GridWork, Roster, RosterEntry
from jingwu.incidents.models import Callback
from jingwu.inspections.models import Visit

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def work(county):
    """In the 12 months up to the data date: the zone lead on two 8-hour shifts and the
    community officer on one 12-hour shift of a published roster (a shift in a roster
    only solved, not published, is not counted); the community officer's 3 grid work
    entries (90 + 60 + 30 minutes), one more a year before; 2 visits recorded by the
    chief; 1 callback made by the zone lead; 2 cases owned by the south zone, 1 by the
    station, opened in the period."""
    c = county
    b = c.bureau
    today = data_date(b)
    day = today - dt.timedelta(days=10)
    published = Roster.objects.create(bureau=b, station=c.west, start=day, days=28, status="published")
    solved = Roster.objects.create(bureau=b, station=c.west, start=day, days=28, status="done")

    def shift(roster, officer, n, hours, start_hour=8):
        d = day + dt.timedelta(days=n)
        start = dt.datetime.combine(d, dt.time(start_hour), tzinfo=BJ)
        RosterEntry.objects.create(
            bureau=b,
            roster=roster,
            officer=officer,
            day=d,
            shift="day",
            start=start,
            end=start + dt.timedelta(hours=hours),
            zone=c.zone_s,
        )

    shift(published, c.off_lead, 0, 8)
    shift(published, c.off_lead, 1, 8)
    shift(published, c.off_comm, 0, 12, start_hour=20)
    shift(solved, c.off_comm, 3, 8)
    for n, minutes in enumerate([90, 60, 30]):
        GridWork.objects.create(
            bureau=b,
            grid=c.grid_s1,
            officer=c.off_comm,
            kind="visit",
            day=day + dt.timedelta(days=n),
            minutes=minutes,
        )
    GridWork.objects.create(
        bureau=b,
        grid=c.grid_s1,
        officer=c.off_comm,
        kind="patrol",
        day=today - dt.timedelta(days=400),
        minutes=60,
    )
    for n in range(2):
        Visit.objects.create(
            bureau=b, premises=c.prem_west, status="done", day=day + dt.timedelta(days=n), recorded_by=c.chief
        )
    Callback.objects.create(
        bureau=b,
        incident=c.inc_west_theft,
        called_at=dt.datetime.combine(day, dt.time(10), tzinfo=BJ),
        result="satisfied",
        officer=c.off_lead,
    )
    for n, owner in enumerate([c.zone_s, c.zone_s, c.west]):
        Case.objects.create(
            bureau=b,
            number=f"W{n}",
            kind="criminal",
            title="盗窃",
            owning_unit=owner,
            opened_at=dt.datetime.combine(day, dt.time(12), tzinfo=BJ),
            status="investigating",
        )
    return c


def _dash(client, user, unit):
    client.force_login(user)
    r = client.get(reverse("analytics:dashboard", args=[unit.pk]))
    assert r.status_code == 200
    return r, r.context["d"]


def _by_officer(d):
    return {r["officer"].name: r for r in d.officers["rows"]}


def test_the_station_s_officers_by_hand(client, work):
    c = work
    r, d = _dash(client, c.chief, c.west)
    rows = _by_officer(d)
    # everyone posted in the station or below: the chief, the zone lead, the community
    # officer and the auxiliary
    assert set(rows) == {"王建国", "李明", "陈静", "周洋"}
    lead, comm, chief = rows["李明"], rows["陈静"], rows["王建国"]
    assert (lead["shifts"], lead["hours"]) == (2, 16.0)
    assert (comm["shifts"], comm["hours"]) == (1, 12.0)  # the solved roster's shift not counted
    assert (comm["work"], comm["work_hours"]) == (3, 3.0)  # not the entry before the period
    assert chief["visits"] == 2 and comm["visits"] == 0
    assert lead["callbacks"] == 1 and chief["callbacks"] == 0
    # cases of their unit: the chief's station (all 3), the zone lead's and the grid's zone
    assert chief["cases"] == 3 and lead["cases"] == 2 and comm["cases"] == 0
    assert b'id="jw-dash-officers"' in r.content


def _rows(client, url):
    page = client.get(url)
    assert page.status_code == 200, url
    return page.context["page"].paginator.object_list


def test_each_figure_opens_the_rows_behind_it(client, work):
    c = work
    _r, d = _dash(client, c.chief, c.west)
    rows = _by_officer(d)
    lead, comm, chief = rows["李明"], rows["陈静"], rows["王建国"]
    entries = _rows(client, lead["urls"]["shifts"])
    assert entries.count() == lead["shifts"] == 2
    assert set(entries.values_list("officer_id", flat=True)) == {c.off_lead.pk}
    page = client.get(comm["urls"]["shifts"])
    assert page.context["hours"] == comm["hours"] == 12.0
    grid_work = _rows(client, comm["urls"]["work"])
    assert grid_work.count() == comm["work"] == 3
    assert client.get(comm["urls"]["work"]).context["hours"] == comm["work_hours"]
    assert _rows(client, chief["urls"]["visits"]).count() == chief["visits"] == 2
    assert _rows(client, comm["urls"]["visits"]).count() == 0
    assert _rows(client, lead["urls"]["callbacks"]).count() == lead["callbacks"] == 1
    assert _rows(client, lead["urls"]["cases"]).count() == lead["cases"] == 2
    assert _rows(client, chief["urls"]["cases"]).count() == chief["cases"] == 3


def test_the_zone_lead_sees_the_zone_s_officers_only(client, work):
    c = work
    _r, d = _dash(client, c.zone_lead, c.zone_s)
    assert set(_by_officer(d)) == {"李明", "陈静", "周洋"}
    assert d.officers["columns"]["cases"]  # the zone lead reads the zone's cases


def test_the_community_officer_sees_their_own_row_only(client, work):
    c = work
    r, d = _dash(client, c.community, c.grid_s1)
    rows = _by_officer(d)
    assert set(rows) == {"陈静"}
    assert rows["陈静"]["work"] == 3 and rows["陈静"]["shifts"] == 1
    assert not d.officers["columns"]["cases"] and rows["陈静"]["cases"] is None
    assert "周洋" not in r.content.decode()
    # their own rows open for them
    assert _rows(client, rows["陈静"]["urls"]["work"]).count() == 3
    assert _rows(client, rows["陈静"]["urls"]["shifts"]).count() == 1


def test_the_center_sees_its_investigator_and_no_duty(client, work):
    c = work
    _r, d = _dash(client, c.center, c.ic)
    rows = _by_officer(d)
    assert set(rows) == {"孙磊"}
    cols = d.officers["columns"]
    assert cols["cases"] and not cols["duty"] and not cols["work"]
    assert rows["孙磊"]["shifts"] is None


def test_the_county_sums_by_unit_with_a_drill_down(client, work):
    c = work
    r, d = _dash(client, c.command, c.hq)
    w = d.officers
    assert w["by_unit"]
    by_unit = {g["unit"].pk: g for g in w["rows"]}
    west = by_unit[c.west.pk]
    assert west["officers"] == 4 and west["shifts"] == 3 and west["hours"] == 28.0
    assert west["work"] == 3 and west["visits"] == 2 and west["callbacks"] == 1 and west["cases"] == 3
    assert by_unit[c.east.pk]["officers"] == 1 and by_unit[c.ic.pk]["officers"] == 1
    assert west["url"] == reverse("analytics:dashboard", args=[c.west.pk])
    assert west["url"] in r.content.decode()


def test_the_political_department_sees_no_case_counts(client, work):
    c = work
    _r, d = _dash(client, c.political, c.hq)
    if d.officers:
        assert not d.officers["columns"]["cases"]
        assert all(g["cases"] is None for g in d.officers["rows"])


def test_the_outsider_sees_no_officer(client, work, outsider):
    c = work
    client.force_login(outsider)
    assert client.get(reverse("analytics:dashboard", args=[c.west.pk])).status_code == 404
    assert per_officer(outsider, c.west, dt.date(2017, 1, 1), dt.date(2018, 12, 31)) == {}
    # nor the rows behind the figures
    for name in ("duty:entry_list", "duty:work_log", "incidents:callback_list"):
        page = client.get(reverse(name) + f"?officer={c.off_comm.pk}")
        assert page.status_code == 200
        assert page.context["page"].paginator.object_list.count() == 0


def test_the_query_count_does_not_grow_with_the_officers(work):
    from jingwu.engine.ids import make_id_number
    from jingwu.personnel.services import do_create_officer, do_create_posting

    c = work
    first, last = data_date(c.bureau) - dt.timedelta(days=365), data_date(c.bureau)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            w = per_officer(c.chief, c.west, first, last)
        return len(ctx.captured_queries), len(w["rows"])

    count()  # the user's memberships are read once, then kept on the user
    before, n = count()
    for k in range(5):
        o = do_create_officer(
            actor=None,
            bureau=c.bureau,
            police_number=f"2000{k:02d}",
            name=f"新警{k}",
            kind="police",
            gender="M",
            birth_date=dt.date(1995, 1, 1 + k),
            id_number=make_id_number("330522", dt.date(1995, 1, 1 + k), 20 + k, False),
            phone=f"1390000{k:04d}",
        )
        do_create_posting(actor=None, officer=o, unit=c.zone_n, role="community", start=dt.date(2017, 5, 1))
    after, m = count()
    w = per_officer(c.chief, c.west, first, last)
    assert m == n + 5, [(r["officer"].name, r["unit"].code) for r in w["rows"]]
    assert after == before
    assert before <= 12


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return " | ".join(str(row[-1]) for row in cur.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plan")
def test_the_per_officer_aggregations_use_indexes(work):
    from django.db.models import Count

    c = work
    ids = [c.off_lead.pk, c.off_comm.pk]
    first, last = dt.date(2018, 1, 1), dt.date(2018, 12, 31)
    work_plan = _plan(
        GridWork.objects.filter(bureau_id=c.bureau.pk, officer_id__in=ids, day__gte=first, day__lte=last)
        .order_by()
        .values_list("officer_id")
        .annotate(n=Count("id"))
    )
    assert "duty_gridwork_officer_idx" in work_plan, work_plan
    duty_plan = _plan(
        RosterEntry.objects.filter(
            bureau_id=c.bureau.pk,
            roster__status="published",
            officer_id__in=ids,
            day__gte=first,
            day__lte=last,
        )
        .order_by()
        .values_list("officer_id")
        .annotate(n=Count("id"))
    )
    assert "duty_entry_officer_idx" in duty_plan, duty_plan
    calls_plan = _plan(
        Callback.objects.filter(bureau_id=c.bureau.pk, officer_id__in=ids)
        .order_by()
        .values_list("officer_id")
    )
    assert "USING INDEX" in calls_plan or "USING COVERING INDEX" in calls_plan, calls_plan
