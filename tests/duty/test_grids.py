"""Grids: the responsible officer and auxiliaries, the phone-sized work log and its hours."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jingwu.core.clock import data_date
from jingwu.core.models import AuditEvent
from jingwu.duty.models import GridDuty, GridWork
from jingwu.duty.selectors import grid_workload
from jingwu.duty.services import do_assign_grid, do_log_work

pytestmark = pytest.mark.django_db


def _assign(county):
    return do_assign_grid(
        county.grid_s1, actor=county.zone_lead, officer=county.off_comm, auxiliaries=[county.off_aux]
    )


def test_the_zone_lead_names_the_grids_officer_and_auxiliaries(county, other_county):
    row = _assign(county)
    assert row.officer == county.off_comm and list(row.auxiliaries.all()) == [county.off_aux]
    # one officer over several grids
    do_assign_grid(county.grid_s2, actor=county.chief, officer=county.off_comm)
    assert GridDuty.objects.filter(officer=county.off_comm).count() == 2
    assert AuditEvent.objects.filter(object_type="duty.gridduty", object_id=str(row.pk)).exists()
    for user in (county.community, county.command, other_county.chief):
        with pytest.raises(PermissionDenied):
            do_assign_grid(county.grid_s1, actor=user, officer=county.off_comm)
    with pytest.raises(PermissionDenied):  # the north zone is not the south zone lead's
        do_assign_grid(county.grid_n1, actor=county.zone_lead, officer=county.off_comm)


def test_the_wrong_people_are_refused(county):
    n = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        do_assign_grid(county.grid_s1, actor=county.chief, officer=county.off_aux)  # an auxiliary
    assert "officer" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        do_assign_grid(county.grid_s1, actor=county.chief, officer=county.off_east)  # another station
    assert "officer" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        do_assign_grid(
            county.grid_s1, actor=county.chief, officer=county.off_comm, auxiliaries=[county.off_lead]
        )
    assert county.off_lead.name in exc.value.message_dict["auxiliaries"][0]
    assert AuditEvent.objects.count() == n


def test_the_grids_people_log_work_that_adds_up_to_hours(county, other_county):
    _assign(county)
    today = data_date(county.bureau)
    do_log_work(
        county.grid_s1,
        actor=county.community,
        officer=county.off_comm,
        kind="visit",
        day=today,
        minutes=90,
        households=12,
    )
    do_log_work(
        county.grid_s1, actor=county.community, officer=county.off_aux, kind="patrol", day=today, minutes=60
    )
    do_log_work(
        county.grid_s1,
        actor=county.community,
        officer=county.off_comm,
        kind="mediation",
        day=today - dt.timedelta(days=40),
        minutes=30,
    )  # outside the 28 days
    load = grid_workload(county.chief, [county.grid_s1.pk], first=today - dt.timedelta(days=27), last=today)[
        county.grid_s1.pk
    ]
    assert load["hours"] == pytest.approx(2.5) and load["households"] == 12
    assert load["kinds"] == {"visit": pytest.approx(1.5), "patrol": pytest.approx(1.0)}
    assert load["officers"] == {county.off_comm.pk: pytest.approx(1.5), county.off_aux.pk: pytest.approx(1.0)}
    # the outsider and a persona without grid duty rights see none of it
    first = today - dt.timedelta(days=27)
    assert grid_workload(other_county.chief, [county.grid_s1.pk], first=first, last=today) == {}
    assert grid_workload(county.political, [county.grid_s1.pk], first=first, last=today) == {}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"minutes": 0}, "minutes"),
        ({"minutes": 800}, "minutes"),
        ({"kind": "party"}, "kind"),
        ({"kind": "patrol", "households": 3}, "households"),
        ({"day_offset": 1}, "day"),  # after today
        ({"officer": "off_lead"}, "officer"),  # not the grid's
    ],
)
def test_bad_work_is_refused_and_nothing_saved(county, change, field):
    _assign(county)
    today = data_date(county.bureau)
    kw = {"kind": "visit", "minutes": 30, "households": 2, "officer": county.off_comm, "day": today}
    kw.update({k: v for k, v in change.items() if k != "day_offset"})
    if "day_offset" in change:
        kw["day"] = today + dt.timedelta(days=change["day_offset"])
    if isinstance(kw["officer"], str):
        kw["officer"] = getattr(county, kw["officer"])
    n = GridWork.objects.count()
    with pytest.raises(ValidationError) as exc:
        do_log_work(county.grid_s1, actor=county.community, **kw)
    assert field in exc.value.message_dict
    assert GridWork.objects.count() == n


def test_the_grid_page_for_every_persona_and_the_phone_form(client, county, other_county):
    _assign(county)
    url = reverse("duty:grid", args=[county.grid_s1.pk])
    sees = {"command", "planner", "chief", "zone_lead", "community", "auditor"}
    for persona in (
        "command",
        "planner",
        "center",
        "prevention",
        "chief",
        "zone_lead",
        "community",
        "political",
        "auditor",
        "sysadmin",
    ):
        client.force_login(getattr(county, persona))
        assert client.get(url).status_code == (200 if persona in sees else 404), persona
    client.force_login(other_county.chief)
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "log"}).status_code == 404
    client.force_login(county.community)
    client.cookies["django_language"] = "en"
    r = client.post(
        url,
        {
            "action": "log",
            "kind": "premises",
            "officer": county.off_comm.pk,
            "day": data_date(county.bureau).isoformat(),
            "minutes": "45",
        },
        follow=True,
    )
    assert "The work is logged." in r.content.decode()
    assert GridWork.objects.get(grid=county.grid_s1).kind == "premises"
    assert 'name="viewport"' in r.content.decode()
    r = client.post(url, {"action": "assign", "officer": county.off_comm.pk})
    assert r.status_code == 403  # the community officer does not name the grid's officer


def test_a_live_bureau_logs_todays_work_before_its_first_incident_of_the_day(county):
    """A historical county's last day is its data date; a live bureau's records reach only
    yesterday until the day's first incident, yet tonight's patrol is logged tonight."""
    from jingwu.core.clock import latest_day, today
    from jingwu.incidents.services import do_record_incident

    _assign(county)
    real = today(county.bureau)
    assert latest_day(county.bureau) == data_date(county.bureau) == dt.date(2018, 6, 3)
    with pytest.raises(ValidationError) as exc:  # after the historical county's last day
        do_log_work(
            county.grid_s1,
            actor=county.community,
            officer=county.off_comm,
            kind="patrol",
            day=real,
            minutes=30,
        )
    assert "day" in exc.value.message_dict
    yesterday = dt.datetime.combine(
        real - dt.timedelta(days=1), dt.time(12), tzinfo=county.inc_west_theft.received_at.tzinfo
    )
    do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0401",
        received_at=yesterday,
        lon=county.inc_west_theft.lon,
        lat=county.inc_west_theft.lat,
    )
    assert (data_date(county.bureau), latest_day(county.bureau)) == (real - dt.timedelta(days=1), real)
    work = do_log_work(
        county.grid_s1, actor=county.community, officer=county.off_comm, kind="patrol", day=real, minutes=30
    )
    assert work.day == real
    with pytest.raises(ValidationError):
        do_log_work(
            county.grid_s1,
            actor=county.community,
            officer=county.off_comm,
            kind="patrol",
            day=real + dt.timedelta(days=1),
            minutes=30,
        )
