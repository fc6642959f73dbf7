"""The planning run: one visit per premises, teams whose skills cover it, routes; as a job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.engine.ids import make_id_number
from jingwu.inspections.models import InspectionPlan, Visit
from jingwu.inspections.services import do_start_plan
from jingwu.jobs.services import latest_job, run_now

MONDAY = dt.date(2018, 6, 4)


@pytest.fixture
def inspectors(catalogue):
    """Two inspectors of the west station's south zone: public order and fire safety; floating
    population and community work (so internal security). Together they cover both premises."""
    from jingwu.personnel.services import do_create_officer, do_create_posting

    county = catalogue
    made = []
    for num, name, skills in [
        ("100011", "吴刚", {"public_order": 3, "fire_safety": 2}),
        ("100012", "郑丽", {"floating_population": 3, "community_work": 2}),
    ]:
        birth = dt.date(1988, 2, 2)
        o = do_create_officer(
            actor=None,
            bureau=county.bureau,
            police_number=num,
            name=name,
            kind="police",
            gender="M",
            birth_date=birth,
            id_number=make_id_number("990001", birth, int(num[-2:]), False),
            rank="sergeant_2",
            skills=skills,
        )
        do_create_posting(
            actor=None, officer=o, unit=county.zone_s, role="community", start=dt.date(2017, 1, 1)
        )
        made.append(o)
    return made


def _plan(county, actor=None, **kw):
    args = {"unit": county.hq, "start": MONDAY, "days": 5, "min_team": 2, "max_team": 2} | kw
    plan = do_start_plan(actor=actor or county.prevention, hand_out=False, **args)
    run_now(latest_job(plan))
    plan.refresh_from_db()
    return plan


def _officer(county, num, name, skills, unit, role):
    from jingwu.personnel.services import do_create_officer, do_create_posting

    birth = dt.date(1988, 2, 2)
    o = do_create_officer(
        actor=None,
        bureau=county.bureau,
        police_number=num,
        name=name,
        kind="police",
        gender="M",
        birth_date=birth,
        id_number=make_id_number("990001", birth, int(num[-2:]), False),
        rank="sergeant_2",
        skills=skills,
    )
    do_create_posting(actor=None, officer=o, unit=unit, role=role, start=dt.date(2017, 1, 1))
    return o


def test_a_county_plan_merges_the_elements_into_one_visit_per_premises(catalogue, inspectors):
    from jingwu.org.models import Unit

    county = catalogue
    # the west station's office, 1.3 km from its hotel: where its teams leave from
    Unit.objects.filter(pk=county.west.pk).update(
        base_lon=county.prem_west.lon + 0.01, base_lat=county.prem_west.lat + 0.005
    )
    plan = _plan(county)
    assert plan.status == "done", latest_job(plan).error
    res = plan.results
    # hotel: public order, fire safety, floating population; enterprise: security, floating
    # population, fire safety: six specialist visits, two consolidated ones, four avoided
    assert (res["specialist_visits"], res["visits"], res["visits_avoided"]) == (6, 2, 4)
    # the county is planned station by station: the west's four inspectors (the two above,
    # the zone lead and the community officer: internal security only) take the hotel; the
    # east station has no inspector and neither has the prevention center: the enterprise waits
    assert (res["planned"], res["unplanned"], res["inspectors"], res["workdays"]) == (1, 1, 4, 5)
    assert res["reasons"] == {"no_team_day": 1}
    # two inspectors at the prevention center take what the stations could not place
    _officer(county, "100021", "冯涛", {"public_order": 2, "fire_safety": 3}, county.pc, "inspector")
    _officer(county, "100022", "韩梅", {"floating_population": 2}, county.pc, "inspector")
    plan = _plan(county)
    res = plan.results
    assert (res["planned"], res["unplanned"], res["inspectors"], res["parts"]) == (2, 0, 6, 3)
    visits = {v.premises_id: v for v in Visit.objects.filter(plan=plan)}
    assert set(visits) == {county.prem_west.pk, county.prem_east.pk}
    assert visits[county.prem_west.pk].elements == ["fire_safety", "floating_population", "public_order"]
    west_team = res["teams"][visits[county.prem_west.pk].team]
    east_team = res["teams"][visits[county.prem_east.pk].team]
    assert sorted(west_team["members"]) == sorted(o.pk for o in inspectors)
    assert len(east_team["members"]) == 2 and not set(east_team["members"]) & set(west_team["members"])
    assert {v.day for v in visits.values()} == {MONDAY}
    assert all(8 * 60 <= v.start_minute <= 21 * 60 for v in visits.values())
    assert res["route_km"] > 0
    assert (
        AuditEvent.objects.filter(object_type="inspections.inspectionplan", object_id=str(plan.pk)).count()
        == 2
    )


def test_leave_and_skills_decide_what_can_be_placed(catalogue, inspectors):
    county = catalogue
    # the fire-safety officer is off all week: no team holds fire safety, nothing is placed
    plan = _plan(county, leave={inspectors[0].pk: [MONDAY + dt.timedelta(days=k) for k in range(5)]})
    res = plan.results
    # (the east station has no inspector at all: its enterprise has no team on any day)
    assert (res["planned"], res["unplanned"], res["reasons"]) == (0, 2, {"no_skills": 1, "no_team_day": 1})
    # a station's plan holds only the station's premises
    plan = _plan(county, actor=county.chief, unit=county.west)
    assert set(Visit.objects.filter(plan=plan).values_list("premises_id", flat=True)) == {county.prem_west.pk}
    assert plan.results["specialist_visits"] == 3


def test_bad_plans_are_refused_with_nothing_saved(catalogue, other_county):
    county = catalogue
    for kw, field in [
        ({"days": 0}, "days"),
        ({"days": 40}, "days"),
        ({"min_team": 3, "max_team": 2}, "max_team"),
        ({"visits_per_team_day": 0}, "visits_per_team_day"),
        ({"solver": "guess"}, "solver"),
        ({"unit": county.grid_s1}, "unit"),
        ({"leave": {other_county.off_chief.pk: [MONDAY]}}, "leave"),
    ]:
        args = {"unit": county.hq, "start": MONDAY, "days": 5} | kw
        with translation.override("en"), pytest.raises(ValidationError) as exc:
            do_start_plan(actor=county.prevention, hand_out=False, **args)
        assert field in exc.value.message_dict, kw
    for user, unit in [
        (county.chief, county.east),  # not the west chief's station
        (county.zone_lead, county.west),  # a zone lead plans the zone, not the station
        (county.community, county.zone_s),
        (county.command, county.hq),
        (county.auditor, county.hq),
        (other_county.chief, county.west),
    ]:
        with pytest.raises(PermissionDenied):
            do_start_plan(actor=user, unit=unit, start=MONDAY, days=5, hand_out=False)
    assert not InspectionPlan.objects.exists()


PLAN_PAGE = {
    "command": 200,
    "planner": 200,
    "center": 404,
    "prevention": 200,
    "chief": 200,
    "zone_lead": 200,
    "community": 404,
    "political": 404,
    "auditor": 200,
    "sysadmin": 404,
}


def test_the_plan_pages_per_persona(client, catalogue, inspectors, other_county):
    county = catalogue
    plan = _plan(county)  # the county's plan (headquarters)
    for persona, status in PLAN_PAGE.items():
        client.force_login(getattr(county, persona))
        assert client.get(reverse("inspections:plan_list")).status_code == status, persona
        # the county's plan: seen by who sees the whole bureau's plans
        expected = 200 if persona in ("command", "planner", "prevention", "auditor") else 404
        assert client.get(reverse("inspections:plan_detail", args=[plan.pk])).status_code == expected, persona
    client.force_login(other_county.chief)
    assert client.get(reverse("inspections:plan_detail", args=[plan.pk])).status_code == 404
    client.force_login(county.prevention)
    html = client.get(reverse("inspections:plan_detail", args=[plan.pk])).content.decode()
    assert 'id="jw-plan-figures"' in html and html.count('class="card mb-2 jw-route"') == 1
    assert "吴刚" in html and "郑丽" in html


def test_starting_a_plan_from_the_page(client, catalogue, inspectors, monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    county = catalogue
    client.force_login(county.chief)
    data = {
        "unit": county.west.pk,
        "start": "2018-06-04",
        "days": 5,
        "min_team": 2,
        "max_team": 2,
        "visits_per_team_day": 6,
        "solver": "pyvrp",
        "leave": "100011 2018-06-04",
    }
    r = client.post(reverse("inspections:plan_list"), data)
    plan = InspectionPlan.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("inspections:plan_detail", args=[plan.pk])
    assert plan.leave == {str(inspectors[0].pk): ["2018-06-04"]}
    r = client.post(reverse("inspections:plan_list"), data | {"leave": "999999 2018-06-04"})
    assert r.status_code == 200 and InspectionPlan.objects.count() == 1
    assert r.context["form"].errors["leave"]
    r = client.post(reverse("inspections:plan_list"), data | {"unit": county.east.pk})
    assert r.status_code == 200 and InspectionPlan.objects.count() == 1  # not a choice of the west chief
    client.force_login(county.auditor)
    assert client.post(reverse("inspections:plan_list"), data).status_code == 403


def test_the_routes_of_a_day_on_the_map_and_printable(client, catalogue, inspectors, other_county):
    from jingwu.org.models import Unit

    county = catalogue
    Unit.objects.filter(pk=county.west.pk).update(base_lon=119.915, base_lat=31.01)
    plan = _plan(county, actor=county.chief, unit=county.west)
    url = reverse("inspections:plan_routes", args=[plan.pk])
    client.force_login(county.zone_lead)  # the station's plan is not the zone's
    assert client.get(url).status_code == 404
    client.force_login(other_county.chief)
    assert client.get(url).status_code == 404
    client.force_login(county.chief)
    r = client.get(url, {"day": "2018-06-04"})
    assert r.status_code == 200 and r.context["day"] == MONDAY
    (route,) = r.context["routes"]
    assert route["depot"] == [119.915, 31.01]
    assert [s["id"] for s in route["stops"]] == [county.prem_west.pk]
    assert sorted(route["members"]) == sorted(o.name for o in inspectors)
    html = r.content.decode()
    assert 'id="jw-routes-map"' in html and "jw-routes-print" in html and html.count('class="jw-stop"') == 1
    # a day without visits, or no day: the first planned day
    assert client.get(url, {"day": "2018-06-08"}).context["day"] == MONDAY
    assert client.get(url, {"day": "junk"}).context["day"] == MONDAY


def test_a_county_plan_splits_by_the_stations_of_its_first_day(county):
    """A station retired after the plan's first day (but long before the server's today)
    still gets its premises planned; one retired before it does not."""
    from jingwu.inspections.planning import plan_parts
    from jingwu.org.models import Unit

    Unit.objects.filter(pk=county.west.pk).update(valid_to=MONDAY + dt.timedelta(days=30))
    Unit.objects.filter(pk=county.east.pk).update(valid_to=MONDAY - dt.timedelta(days=1))
    plan = InspectionPlan(bureau=county.bureau, unit=county.hq, start=MONDAY, days=5)
    labels = [label for label, *_ in plan_parts(plan)]
    assert labels == [county.west.name, county.pc.name]
