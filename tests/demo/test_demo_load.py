"""The demo county loaded into the database: its shape, its log-ins, and its pages."""

from __future__ import annotations

import datetime as dt
import math
import statistics

import pytest
from django.db.models import Count
from django.urls import reverse

from jingwu.accounts.models import User
from jingwu.core.audit import verify_chain
from jingwu.core.clock import data_date
from jingwu.core.models import AuditEvent, Bureau
from jingwu.demo.load import DEMO_USERS, demo_bureau_code, ensure_demo, ensure_near_repeat_alerts
from jingwu.incidents.models import Incident, NearRepeatAlert, NearRepeatProfile
from jingwu.org.models import Unit
from jingwu.personnel.models import Officer, Posting
from jingwu.places.models import Premises

pytestmark = pytest.mark.slow


def test_demo_county_loads_once_with_the_reform_shape_and_every_page_renders(demo_db, client):
    logins = ensure_demo(seed=2019)
    bureau = Bureau.objects.get(code=demo_bureau_code(0))
    assert [name for name, _ in logins] == [u[0] for u in DEMO_USERS]

    # A second run reuses the data instead of failing or duplicating it.
    counts = (Unit.objects.count(), Incident.objects.count(), User.objects.count())
    ensure_demo(seed=2019)
    assert (Unit.objects.count(), Incident.objects.count(), User.objects.count()) == counts

    units = Unit.objects.current(dt.date(2018, 12, 31)).filter(bureau=bureau)
    types = dict(units.filter(kind="station").values_list("station_type").annotate(n=Count("id")))
    assert types == {"full_spectrum": 2, "proactive": 5, "preventive": 6}
    assert units.filter(kind="investigation_center").count() == 1
    assert units.filter(kind="prevention_center").count() == 1
    jiapu = units.get(kind="station", name_zh__startswith="夹浦")
    assert units.filter(kind="zone", parent=jiapu).count() == 3
    assert 500 <= units.filter(kind="grid").count() <= 1200
    county_km2 = units.get(kind="headquarters").area_km2
    assert 1300 <= county_km2 <= 1560
    station_km2 = sum(units.filter(kind="station").values_list("area_km2", flat=True))
    assert station_km2 == pytest.approx(county_km2, rel=0.005)  # stations tile the county

    officers = Officer.objects.filter(bureau=bureau)
    assert 900 <= officers.count() <= 1200
    jiapu_police = (
        Posting.objects.current(dt.date(2018, 1, 1))
        .filter(unit__path__startswith=jiapu.path, officer__kind="police")
        .values("officer")
        .distinct()
        .count()
    )
    assert 14 <= jiapu_police <= 16

    premises = Premises.objects.filter(bureau=bureau)
    assert 2500 <= premises.count() <= 3500
    assert premises.filter(station=jiapu, category="enterprise").count() >= 400

    per_year = dict(
        Incident.objects.filter(bureau=bureau).values_list("received_at__year").annotate(n=Count("id"))
    )
    assert set(per_year) == {2016, 2017, 2018}
    assert all(20_000 <= n <= 30_000 for n in per_year.values())
    sample = Incident.objects.filter(bureau=bureau).order_by("?")[:200]
    assert all(i.grid_id and i.station_id for i in sample)
    times = [i.arrived_at - i.received_at for i in sample if i.arrived_at]
    assert dt.timedelta(minutes=3) < statistics.median(times) < dt.timedelta(minutes=45)

    # the county's clock: Beijing time; its records reach 2018-12-31, and a late incident
    # (after 23:00 local, the next day in UTC+0 terms) is numbered and filtered on its local day
    from jingwu.core.clock import data_date
    from jingwu.planning.services import check_incidents, default_dates

    assert bureau.time_zone == "Asia/Shanghai"
    assert data_date(bureau) == dt.date(2018, 12, 31)
    d = default_dates(bureau)
    assert (d["as_of"], d["reform_date"]) == (dt.date(2018, 12, 31), dt.date(2019, 1, 1))
    assert (d["incidents_from"], d["incidents_to"]) == (dt.date(2018, 1, 1), dt.date(2018, 12, 31))
    assert not check_incidents(bureau, d["incidents_from"], d["incidents_to"]).thin
    for i in sample:
        assert i.number[7:15] == i.received_at.astimezone(bureau.tz).strftime("%Y%m%d"), i.number
    late = next(
        i
        for i in Incident.objects.filter(bureau=bureau).order_by("received_at")[:2000]
        if i.received_at.astimezone(bureau.tz).hour == 23
    )
    day = late.received_at.astimezone(bureau.tz).date()
    assert late.number[7:15] == day.strftime("%Y%m%d")
    client.force_login(User.objects.get(username="command"))
    url = reverse("incidents:incident_list")
    on_day = {"received_from": day.isoformat(), "received_to": day.isoformat(), "q": late.number}
    assert [i.number for i in client.get(url, on_day).context["page"]] == [late.number]
    next_day = {"received_from": (day + dt.timedelta(days=1)).isoformat(), "q": late.number}
    assert [i.number for i in client.get(url, next_day).context["page"]] == []

    assert AuditEvent.objects.filter(bureau=bureau, action="import", object_type="demo.county").count() == 1
    assert verify_chain(bureau) == []

    # Every page for the demo log-ins.
    station_chief = User.objects.get(username="jiapu")
    assert station_chief.memberships.get().unit == jiapu
    pages = [
        reverse("home"),
        reverse("org:unit_list"),
        reverse("personnel:officer_list"),
        reverse("places:premises_list"),
        reverse("incidents:incident_list"),
        reverse("org:unit_detail", args=[jiapu.pk]),
        reverse("org:unit_map", args=[jiapu.pk]),
    ]
    # Every list renders for everyone (scoped); Jiapu's page and map only for those whose
    # scope holds the station: not its zone lead or grid officer (their scope starts below
    # it), nor another station's chief (personas.md).
    not_jiapu = {"jiapu-zone", "jiapu-grid", "zhicheng"}
    assert not_jiapu < {u[0] for u in DEMO_USERS}
    for username, *_ in DEMO_USERS:
        client.force_login(User.objects.get(username=username))
        for url in pages:
            r = client.get(url)
            expected = 404 if username in not_jiapu and url in pages[-2:] else 200
            assert r.status_code == expected, (username, url, r.status_code)
    client.force_login(station_chief)
    other = units.filter(kind="station").exclude(pk=jiapu.pk).first()
    assert client.get(reverse("org:unit_detail", args=[other.pk])).status_code == 404
    r = client.get(reverse("org:unit_map", args=[jiapu.pk]))
    layers = r.json()["layers"]
    assert len(layers["areas"]["features"]) == 3 and len(layers["grids"]["features"]) > 20


def test_the_demo_shows_near_repeat_alerts_at_once(demo_db):
    """The load computes the near-repeat profile of the data date and raises the alerts of
    the burglaries whose window is open on it, as the hourly schedule and recording would."""
    bureau = Bureau.objects.get(code=demo_bureau_code(0))
    as_of = data_date(bureau)
    profile = NearRepeatProfile.objects.get(bureau=bureau, as_of=as_of)
    assert profile.supported and profile.events >= 30 and profile.distance > 0 and profile.days > 0
    alerts = NearRepeatAlert.objects.filter(bureau=bureau, profile=profile).select_related(
        "incident__category", "zone"
    )
    assert alerts.count() > 0
    for a in alerts:
        assert a.incident.category.code.startswith("0102") and a.zone.kind == "zone"
        assert a.starts <= as_of <= a.ends and a.radius == profile.distance
    # every burglary of the open window has its alerts; a second run adds none
    first = as_of - dt.timedelta(days=math.ceil(profile.days))
    burglaries = Incident.objects.filter(
        bureau=bureau, category__code__startswith="0102", received_at__date__gte=first - dt.timedelta(days=1)
    )
    assert set(alerts.values_list("incident_id", flat=True)) <= set(burglaries.values_list("pk", flat=True))
    assert ensure_near_repeat_alerts(bureau) == 0
    assert NearRepeatAlert.objects.filter(bureau=bureau).count() == alerts.count()


def test_the_robbery_layer_is_numbered_after_the_rest(demo_db):
    """The robbery series (a layer the generator adds) take the last numbers of their day and
    the last case numbers, so the demo's other incidents and cases keep theirs."""
    from jingwu.cases.models import CaseIncident, SeriesIncident

    bureau = Bureau.objects.get(code=demo_bureau_code(0))
    layer = set(
        SeriesIncident.objects.filter(
            bureau=bureau, series__code__in=["SER08", "SER09", "SER10", "SER11"]
        ).values_list("incident_id", flat=True)
    )
    assert len(layer) == 43
    rows = Incident.objects.filter(bureau=bureau).values_list("pk", "number")
    by_day: dict[str, list[tuple[int, bool]]] = {}
    for pk, number in rows:
        by_day.setdefault(number[:-5], []).append((int(number[-5:]), pk in layer))
    for number in rows.filter(pk__in=layer).values_list("number", flat=True):
        others = [seq for seq, added in by_day[number[:-5]] if not added]
        assert not others or int(number[-5:]) > max(others)
    cases = CaseIncident.objects.filter(bureau=bureau).values_list("incident_id", "case__number")
    added = [n for i, n in cases if i in layer]
    assert len(added) == 43 and min(added) > max(n for i, n in cases if i not in layer)
