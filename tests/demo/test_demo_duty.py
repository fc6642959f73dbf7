"""The demo's duty: Jiapu and Zhicheng have a published roster around the data date, grid
officers, leave and a work log, so that a demo log-in sees duty today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.accounts.models import User
from jingwu.core.clock import data_date
from jingwu.core.models import Bureau
from jingwu.demo.load import demo_bureau_code
from jingwu.duty.demo import ensure_duty_demo
from jingwu.duty.models import GridDuty, GridWork, LeaveRequest, Roster, RosterEntry
from jingwu.org.models import Unit

pytestmark = pytest.mark.slow


def test_the_demo_shows_duty_today(demo_db, client):
    bureau = Bureau.objects.get(code=demo_bureau_code(0))
    today = data_date(bureau)
    stations = {
        town: Unit.objects.current().get(bureau=bureau, kind="station", name_zh__startswith=town)
        for town in ("夹浦", "雉城")
    }
    rosters = {r.station_id: r for r in Roster.objects.filter(bureau=bureau, status="published")}
    assert set(rosters) == {s.pk for s in stations.values()}
    for station in stations.values():
        roster = rosters[station.pk]
        assert roster.status == "published" and roster.days == 28
        assert roster.start == today - dt.timedelta(days=7) and roster.covers(today)
        assert roster.results["status"] in ("OPTIMAL", "FEASIBLE")
        zones = set(Unit.objects.current().filter(parent=station, kind="zone").values_list("pk", flat=True))
        on_today = RosterEntry.objects.filter(roster=roster, day=today)
        assert set(on_today.values_list("zone_id", flat=True)) == zones  # every zone has people on today
        assert on_today.filter(lead=True).exists()
        grids = Unit.objects.current().filter(kind="grid", path__startswith=station.path)
        held = GridDuty.objects.filter(grid__in=grids, officer__isnull=False).count()
        assert held >= 0.8 * grids.count()
    # leave: two approved, their days re-planned; one waiting for the chief
    leave = LeaveRequest.objects.filter(bureau=bureau)
    assert leave.filter(status="approved").count() == 4 and leave.filter(status="requested").count() == 2
    for lv in leave.filter(status="approved"):
        assert lv.replan and lv.replan[0]["roster"] == rosters[lv.station_id].pk
        assert not RosterEntry.objects.filter(
            officer=lv.officer, day__gte=lv.first, day__lte=lv.last
        ).exists()
    work = GridWork.objects.filter(bureau=bureau)
    assert work.exists() and not work.filter(day__gt=today).exists()
    assert not work.filter(day__lt=today - dt.timedelta(days=13)).exists()
    # once: a second run keeps it
    assert ensure_duty_demo(bureau) == {}

    # the log-ins see it: the chief the station's duty today, the zone lead their zone's
    jiapu = stations["夹浦"]
    client.force_login(User.objects.get(username="jiapu"))
    r = client.get(reverse("duty:station", args=[jiapu.pk]))
    assert r.status_code == 200
    assert r.context["today"]["roster"] == rosters[jiapu.pk] and r.context["today"]["entries"]
    assert client.get(reverse("duty:roster_pdf", args=[rosters[jiapu.pk].pk])).status_code == 200
    zone_user = User.objects.get(username="jiapu-zone")
    zone = zone_user.memberships.get().unit
    client.force_login(zone_user)
    r = client.get(reverse("org:unit_detail", args=[zone.pk]))
    assert r.status_code == 200
    names = {
        e.officer.name for e in RosterEntry.objects.filter(roster=rosters[jiapu.pk], day=today, zone=zone)
    }
    assert names and any(n in r.content.decode() for n in names)
    grid_user = User.objects.get(username="jiapu-grid")
    grid = grid_user.memberships.get().unit
    client.force_login(grid_user)
    r = client.get(reverse("duty:grid", args=[grid.pk]))
    assert r.status_code == 200
