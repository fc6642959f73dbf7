"""A bureau's own clock: its time zone for numbers, day filters, pages, exports, imports and
the hour-of-week demand of its plans.

The Chicago bureau is the test county with its time zone set to America/Chicago. Its
late incident is received at 23:30 on Wednesday 2018-07-04, Chicago time: 04:30 UTC on
the 5th, 12:30 on Thursday the 5th in Beijing. Everything that speaks of its day or hour
must say the 4th, Wednesday, 23 h.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from typer.testing import CliRunner

from ..conftest import build_county

CHI = ZoneInfo("America/Chicago")
LATE = dt.datetime(2018, 7, 4, 23, 30, tzinfo=CHI)  # Wednesday, 23:30 in Chicago
DAY = "2018-07-04"
NEXT = "2018-07-05"


@pytest.fixture
def chicago(db):
    from jingwu.core.clock import do_set_time_zone
    from jingwu.incidents.services import do_record_incident

    c = build_county(code="990003", name="芝加哥测试局", dx=1.0)
    do_set_time_zone(c.bureau, actor=None, time_zone="America/Chicago")
    c.bureau.refresh_from_db()
    c.late = do_record_incident(
        actor=None,
        bureau=c.bureau,
        category="0101",
        received_at=LATE,
        lon=c.inc_west_theft.lon,
        lat=c.inc_west_theft.lat,
        address="W 63rd St",
    )
    return c


def test_an_incident_at_2330_local_is_numbered_on_its_local_day(chicago):
    # Beijing's day would be 20180705
    assert chicago.late.number == "J99000320180704" + "00001"
    from jingwu.incidents.services import do_record_incident

    second = do_record_incident(
        actor=None,
        bureau=chicago.bureau,
        category="0401",
        received_at=LATE + dt.timedelta(minutes=20),  # 23:50, still the 4th in Chicago
        lon=chicago.late.lon,
        lat=chicago.late.lat,
    )
    assert second.number == "J99000320180704" + "00002"


def test_the_day_filter_and_the_pages_use_the_bureau_day_and_time(client, chicago, outsider):
    client.force_login(chicago.chief)
    url = reverse("incidents:incident_list")
    on_day = client.get(url, {"received_from": DAY, "received_to": DAY}).content.decode()
    assert chicago.late.number in on_day
    assert chicago.late.number not in client.get(url, {"received_from": NEXT}).content.decode()
    assert chicago.late.number in client.get(url, {"received_to": DAY}).content.decode()
    # the filter shows the dates it was given (ISO, which a date input can display)
    assert f'value="{DAY}"' in on_day
    detail = client.get(reverse("incidents:incident_detail", args=[chicago.late.pk])).content.decode()
    assert "2018-07-04 23:30" in detail
    # the outsider (another bureau, Beijing time) sees neither the list row nor the page
    client.force_login(outsider)
    assert chicago.late.number not in client.get(url, {"received_from": DAY}).content.decode()
    assert client.get(reverse("incidents:incident_detail", args=[chicago.late.pk])).status_code == 404


def test_exports_write_the_bureau_local_time(client, chicago):
    client.force_login(chicago.chief)
    body = b"".join(client.get(reverse("imports:export", args=["incidents", "csv"])).streaming_content)
    row = next(line for line in body.decode("utf-8-sig").splitlines() if chicago.late.number in line)
    assert row.startswith("2018-07-04 23:30,")


def test_a_superuser_filters_each_bureau_on_its_own_days(client, county, chicago):
    """Two bureaus, two time zones: each incident is filtered on the day of its own bureau."""
    from jingwu.accounts.services import do_create_user
    from jingwu.incidents.services import do_record_incident

    beijing_late = do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0101",
        received_at=dt.datetime(2018, 7, 4, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        lon=county.inc_west_theft.lon,
        lat=county.inc_west_theft.lat,
    )
    assert beijing_late.number == "J99000120180704" + "00001"
    root = do_create_user(actor=None, username="root", password="x", is_superuser=True, check_password=False)
    client.force_login(root)
    url = reverse("incidents:incident_list")
    page = client.get(url, {"received_from": DAY, "received_to": DAY}).content.decode()
    assert chicago.late.number in page and beijing_late.number in page
    page = client.get(url, {"received_from": NEXT, "received_to": NEXT}).content.decode()
    assert chicago.late.number not in page and beijing_late.number not in page


def test_an_import_without_a_time_zone_reads_the_bureau_time(chicago, tmp_path, settings):
    from jingwu.imports.services import run_import, save_mapping
    from jingwu.incidents.models import Incident

    settings.MEDIA_ROOT = tmp_path / "media"
    mapping = {
        "name": "chicago-local",
        "kind": "incidents",
        "source_system": "cad",
        "columns": {
            "external_id": "id",
            "received_at": "time",
            "category": {"const": "0101"},
            "lon": "x",
            "lat": "y",
        },
    }
    saved = save_mapping(actor=None, bureau=chicago.bureau, data=mapping)
    assert saved.timezone == "America/Chicago"
    path = tmp_path / "cad.csv"
    lon, lat = chicago.late.lon, chicago.late.lat
    path.write_text(f"id,time,x,y\nA1,2018-07-04 23:30,{lon},{lat}\nA2,2018-07-05 00:10,{lon},{lat}\n")
    report = run_import("incidents", path, bureau=chicago.bureau, actor=None, mapping=mapping)
    assert report.status == "done" and report.created == 2, report.problems
    a1 = Incident.objects.get(bureau=chicago.bureau, external_id="A1")
    a2 = Incident.objects.get(bureau=chicago.bureau, external_id="A2")
    assert a1.received_at == dt.datetime(2018, 7, 5, 4, 30, tzinfo=dt.UTC)
    # numbered on Chicago's days, after the incident recorded on the 4th
    assert a1.number == "J99000320180704" + "00002"
    assert a2.number == "J99000320180705" + "00001"


def test_hour_of_week_demand_and_planning_periods_use_the_bureau_clock(chicago):
    from jingwu.planning.inputs import incident_arrays, load_state

    def state(first, last):
        return load_state(
            chicago.bureau,
            as_of=dt.date(2018, 7, 31),
            reform_date=dt.date(2018, 8, 1),
            incidents_from=first,
            incidents_to=last,
        )

    s = state(dt.date(2018, 7, 4), dt.date(2018, 7, 4))
    assert len(s.inc_grid) == 1  # the 23:30 incident, on the 4th
    assert str(s.inc_received[0]) == "2018-07-04T23:30:00"
    assert incident_arrays(s).hour_of_week.tolist() == [2 * 24 + 23]  # Wednesday, 23 h
    assert len(state(dt.date(2018, 7, 5), dt.date(2018, 7, 31)).inc_grid) == 0


def test_the_time_zone_is_a_validated_name_set_by_command_or_admin_and_audited(chicago, county):
    from jingwu.core.clock import do_set_time_zone
    from jingwu.core.models import AuditEvent, Bureau

    assert Bureau(code="X1", name_zh="新局").time_zone == "Asia/Shanghai"
    for bad in ["Mars/Olympus", "", "UTC+8", "/etc/passwd", "../zoneinfo/UTC"]:
        with pytest.raises(ValidationError):
            do_set_time_zone(chicago.bureau, actor=None, time_zone=bad)
        with pytest.raises(ValidationError):
            Bureau(code="X2", name_zh="新局", time_zone=bad).full_clean()
    with pytest.raises(PermissionDenied):
        do_set_time_zone(chicago.bureau, actor=chicago.command, time_zone="Europe/London")
    do_set_time_zone(chicago.bureau, actor=None, time_zone="Europe/London")
    chicago.bureau.refresh_from_db()
    assert chicago.bureau.time_zone == "Europe/London"
    event = AuditEvent.objects.filter(bureau=chicago.bureau, object_type="core.bureau").first()
    assert event.after == {"time_zone": "Europe/London"}
    assert event.before == {"time_zone": "America/Chicago"}


def test_bureau_commands_take_a_time_zone(db):
    from jingwu.cli import app
    from jingwu.core.models import Bureau

    runner = CliRunner()
    r = runner.invoke(app, ["bureau", "create", "GB01", "北诺森布里亚", "--time-zone", "Europe/London"])
    assert r.exit_code == 0, r.output
    assert Bureau.objects.get(code="GB01").time_zone == "Europe/London"
    r = runner.invoke(app, ["bureau", "create", "GB02", "兰开夏", "--time-zone", "Europe/Lancashire"])
    assert r.exit_code == 2 and not Bureau.objects.filter(code="GB02").exists()
    assert "Europe/Lancashire" in r.output
    r = runner.invoke(app, ["bureau", "set-time-zone", "GB01", "America/Chicago"])
    assert r.exit_code == 0, r.output
    assert Bureau.objects.get(code="GB01").time_zone == "America/Chicago"
    r = runner.invoke(app, ["bureau", "set-time-zone", "GB01", "Chicago"])
    assert r.exit_code == 1
    assert Bureau.objects.get(code="GB01").time_zone == "America/Chicago"
    assert "America/Chicago" in runner.invoke(app, ["bureau", "list"]).output


def test_the_admin_edits_the_time_zone(client, chicago):
    from jingwu.accounts.services import do_create_user

    root = do_create_user(actor=None, username="root", password="x", is_superuser=True, check_password=False)
    root.is_staff = True
    root.save()
    client.force_login(root)
    url = reverse("admin:core_bureau_change", args=[chicago.bureau.pk])
    form = {
        "code": chicago.bureau.code,
        "name_zh": chicago.bureau.name_zh,
        "name_en": chicago.bureau.name_en,
        "region_code": chicago.bureau.region_code,
        "time_zone": "Mars/Olympus",
        "id_scheme": chicago.bureau.id_scheme,
    }
    r = client.post(url, form)
    assert r.status_code == 200 and "Mars/Olympus" in r.content.decode()
    chicago.bureau.refresh_from_db()
    assert chicago.bureau.time_zone == "America/Chicago"
    r = client.post(url, form | {"time_zone": "Europe/London"})
    assert r.status_code == 302
    chicago.bureau.refresh_from_db()
    assert chicago.bureau.time_zone == "Europe/London"


def _time_range_served(qs, table: str) -> bool:
    """Whether the plan reads ``table`` through an index on its time (a range on
    ``received_at``), not by scanning the bureau's rows: SQLite ``EXPLAIN QUERY PLAN``;
    PostgreSQL ``EXPLAIN`` with sequential scans discouraged (tables are small here)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
        lines = qs.explain().splitlines()
        if any(f"Seq Scan on {table}" in line for line in lines):
            return False
        return any("Index Cond" in line and "received_at" in line for line in lines)
    lines = [line for line in qs.explain().splitlines() if f" {table} " in f"{line} "]
    return bool(lines) and all("USING" in line and "received_at" in line for line in lines)


def test_day_filters_and_the_data_date_use_the_bureau_time_index(chicago, county):
    """A day filter on ``received_at__date`` wraps the column in a function and reads every
    incident of the bureau; the bureau's local days are a range its time index serves."""
    from jingwu.core.clock import local_days_q
    from jingwu.incidents.models import Incident

    b = chicago.bureau
    day = dt.date(2018, 7, 4)
    mine = Incident.objects.filter(bureau=b)
    checks = {
        "day filter": mine.filter(local_days_q("received_at", day, day, bureau_ids=[b.pk])),
        "day filter, from": mine.filter(local_days_q("received_at", day, None, bureau_ids=[b.pk])),
        "day filter, all bureaus": mine.filter(local_days_q("received_at", day, day)),
    }
    for what, qs in checks.items():
        assert _time_range_served(qs, "incidents_incident"), (what, qs.explain())
    # the old filter reads the whole bureau (the guard catches it)
    assert not _time_range_served(mine.filter(received_at__date=day), "incidents_incident")


def test_the_api_speaks_the_bureau_time_to_a_token(client, chicago):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=chicago.chief)
    url = reverse("api:incident-detail", args=[chicago.late.pk])
    data = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}").json()
    assert data["received_at"].startswith("2018-07-04T23:30:00-05:00")
    listing = client.get(
        reverse("api:incident-list"),
        {"received_from": DAY, "received_to": DAY},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    ).json()
    assert [r["number"] for r in listing["results"]] == [chicago.late.number]


@pytest.mark.parametrize("time_zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_a_posting_opens_and_closes_on_the_bureaus_own_day(db, time_zone):
    """UTC+14 and UTC-11: at any hour one of them is on another date than the server."""
    from jingwu.accounts.models import Role
    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.core.clock import do_set_time_zone
    from jingwu.core.scope import current_memberships

    c = build_county(code="990004", name="时区测试局", dx=2.0)
    do_set_time_zone(c.bureau, actor=None, time_zone=time_zone)
    c.bureau.refresh_from_db()
    local = dt.datetime.now(ZoneInfo(time_zone)).date()
    u = do_create_user(actor=None, username="tz-chief", password="x", bureau=c.bureau, check_password=False)
    starts = do_grant_membership(actor=None, user=u, unit=c.west, role=Role.STATION_CHIEF, valid_from=local)
    ended = do_grant_membership(
        actor=None, user=u, unit=c.east, role=Role.STATION_CHIEF, valid_to=local - dt.timedelta(days=1)
    )
    lasts = do_grant_membership(actor=None, user=u, unit=c.hq, role=Role.AUDITOR, valid_to=local)
    u = type(u).objects.get(pk=u.pk)
    assert {m.pk for m in current_memberships(u)} == {starts.pk, lasts.pk}
    assert ended not in current_memberships(u)
