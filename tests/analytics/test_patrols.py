"""Directed patrols: a zone's forecast hot cells become tasks; the time spent there comes from the grid work log."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.analytics.hotspots import forecast_for
from jingwu.analytics.models import PatrolTask
from jingwu.analytics.patrols import do_create_patrol_tasks, tasks_with_dosage
from jingwu.core.clock import data_date
from jingwu.incidents.services import do_record_incident

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _thefts(county, days):
    for day in days:
        do_record_incident(
            actor=None,
            bureau=county.bureau,
            category="0101",
            received_at=dt.datetime(2018, 6, day, 20, 0, tzinfo=BJ),
            lon=county.inc_west_theft.lon,
            lat=county.inc_west_theft.lat,
        )


def test_etas_forecasts_the_repeat_spot(county):
    _thefts(county, (2, 3, 4))
    h = forecast_for(county.zone_lead, county.zone_s, "etas")
    assert not h.reason and h.method == "etas"
    assert h.day == data_date(county.bureau) + dt.timedelta(days=1)
    top = h.cells[0]
    assert abs(top["lon"] - county.inc_west_theft.lon) * 95_000 < 250
    assert abs(top["lat"] - county.inc_west_theft.lat) * 110_574 < 250


def test_forecast_cells_become_tasks_with_their_dosage(county, client):
    from jingwu.duty.services import do_assign_grid, do_log_work

    _thefts(county, (2, 3, 4))
    tasks = do_create_patrol_tasks(
        actor=county.zone_lead, zone=county.zone_s, method="naive", start=dt.time(19), hours=3
    )
    h = forecast_for(county.zone_lead, county.zone_s, "naive")
    assert len(tasks) == len(h.cells) >= 1
    first = tasks[0]
    assert (first.rank, first.grid, first.day) == (1, county.grid_s1, h.day)
    assert (first.start.astimezone(BJ).hour, (first.end - first.start)) == (19, dt.timedelta(hours=3))
    # once the data reach the task's day, the patrols logged in its grid that day are its dosage
    do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0401",
        received_at=dt.datetime.combine(first.day, dt.time(8), tzinfo=BJ),
        lon=county.inc_east_theft.lon,
        lat=county.inc_east_theft.lat,
    )
    do_assign_grid(county.grid_s1, actor=None, officer=county.off_comm)
    for minutes, kind, day in (
        (40, "patrol", first.day),
        (25, "patrol", first.day),
        (30, "mediation", first.day),
        (50, "patrol", first.day - dt.timedelta(days=1)),
    ):
        do_log_work(county.grid_s1, actor=None, officer=county.off_comm, kind=kind, day=day, minutes=minutes)
    listed = {t.pk: t for t in tasks_with_dosage(county.zone_lead, county.zone_s)}
    assert (
        listed[first.pk].dosage_minutes == 65
    )  # the two patrols of that day, not the mediation nor the day before
    # the zone lead's page lists them; the grid's community officer reads them too
    client.force_login(county.zone_lead)
    page = client.get(reverse("analytics:patrols", args=[county.zone_s.pk]))
    assert page.status_code == 200 and b"jw-patrols" in page.content
    client.force_login(county.community)  # on the grid: the grid's tasks
    page = client.get(reverse("analytics:patrols", args=[county.grid_s1.pk]))
    assert page.status_code == 200 and [t.pk for t in page.context["tasks"]] == [first.pk]
    assert page.context["form"] is None


def test_patrols_are_refused_without_a_forecast_twice_or_outside(county, outsider, client):
    with translation.override("en"):
        with pytest.raises(ValidationError, match="made for a zone"):
            do_create_patrol_tasks(actor=county.chief, zone=county.west, start=dt.time(19), hours=3)
        with pytest.raises(ValidationError, match="1 to 12 hours"):
            do_create_patrol_tasks(actor=county.zone_lead, zone=county.zone_s, start=dt.time(19), hours=13)
        # the north zone without its incident: nothing to forecast from, nothing saved
        from jingwu.incidents.models import Incident

        Incident.objects.filter(zone=county.zone_n).delete()
        empty = county.zone_n
        with pytest.raises(ValidationError, match="nothing to forecast from"):
            do_create_patrol_tasks(actor=county.chief, zone=empty, method="naive", start=dt.time(19), hours=3)
        assert not PatrolTask.objects.exists()
        do_create_patrol_tasks(
            actor=county.zone_lead, zone=county.zone_s, method="naive", start=dt.time(19), hours=3
        )
        with pytest.raises(ValidationError, match="already exist"):
            do_create_patrol_tasks(
                actor=county.zone_lead, zone=county.zone_s, method="naive", start=dt.time(9), hours=3
            )
    with pytest.raises(PermissionDenied):
        do_create_patrol_tasks(
            actor=county.zone_lead, zone=county.zone_n, method="naive", start=dt.time(19), hours=3
        )
    with pytest.raises(PermissionDenied):
        do_create_patrol_tasks(
            actor=county.community, zone=county.zone_s, method="kde", start=dt.time(19), hours=3
        )
    client.force_login(outsider)
    assert client.get(reverse("analytics:patrols", args=[county.zone_s.pk])).status_code == 404
    client.force_login(county.zone_lead)
    r = client.post(
        reverse("analytics:patrols", args=[county.zone_s.pk]),
        {"method": "naive", "start": "19:00", "hours": 3},
    )
    assert r.status_code == 200 and "already exist" in r.content.decode()
    assert PatrolTask.objects.filter(bureau=county.bureau).count() >= 1
