"""Scheduled reports: stored per unit, started by the sweep once the data calendar closes a period, once."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.analytics.models import Report, ReportSchedule
from jingwu.analytics.schedules import do_schedule_report, last_closed_period, sweep
from jingwu.core.models import AuditEvent
from jingwu.incidents.services import do_record_incident

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, client):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.mark.parametrize(
    ("period", "today", "first", "last"),
    [
        ("month", dt.date(2018, 6, 3), dt.date(2018, 5, 1), dt.date(2018, 5, 31)),
        ("month", dt.date(2018, 6, 30), dt.date(2018, 6, 1), dt.date(2018, 6, 30)),
        ("month", dt.date(2018, 1, 15), dt.date(2017, 12, 1), dt.date(2017, 12, 31)),
        ("quarter", dt.date(2018, 6, 3), dt.date(2018, 1, 1), dt.date(2018, 3, 31)),
        ("quarter", dt.date(2018, 3, 31), dt.date(2018, 1, 1), dt.date(2018, 3, 31)),
        ("quarter", dt.date(2018, 2, 1), dt.date(2017, 10, 1), dt.date(2017, 12, 31)),
    ],
)
def test_the_last_closed_period(period, today, first, last):
    assert last_closed_period(period, today) == (first, last)


def _incident(county, when):
    return do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0101",
        received_at=when,
        lon=county.inc_west_theft.lon,
        lat=county.inc_west_theft.lat,
    )


def test_the_sweep_writes_each_closed_month_once_by_the_data_calendar(county):
    _incident(county, dt.datetime(2018, 5, 10, 9, tzinfo=BJ))  # the data begin in May
    sched = do_schedule_report(actor=county.chief, unit=county.west, period="month")
    assert AuditEvent.objects.filter(object_type__icontains="reportschedule").exists()
    # the data date is in June 2018: May is the month closed
    assert sweep() == {"created": 1, "already": 0, "refused": 0}
    report = Report.objects.get(schedule=sched)
    assert (report.start, report.end, report.requested_by) == (
        dt.date(2018, 5, 1),
        dt.date(2018, 5, 31),
        county.chief,
    )
    assert sweep() == {"created": 0, "already": 1, "refused": 0}  # idempotent
    assert Report.objects.filter(schedule=sched).count() == 1
    # new data reach July: June is closed now
    _incident(county, dt.datetime(2018, 7, 2, 9, tzinfo=BJ))
    assert sweep()["created"] == 1
    assert sorted(Report.objects.filter(schedule=sched).values_list("start", flat=True)) == [
        dt.date(2018, 5, 1),
        dt.date(2018, 6, 1),
    ]


def test_a_period_before_the_data_is_refused_not_written(county):
    # the fixture's incidents are all in June 2018: May is before the data begin
    do_schedule_report(actor=county.command, unit=county.hq, period="month")
    assert sweep() == {"created": 0, "already": 0, "refused": 1}
    assert not Report.objects.exists()


def test_bad_schedules_are_refused(county):
    do_schedule_report(actor=county.command, unit=county.hq, period="quarter")
    with translation.override("en"):
        with pytest.raises(ValidationError, match="already has this report scheduled"):
            do_schedule_report(actor=county.command, unit=county.hq, period="quarter")
        with pytest.raises(ValidationError, match="monthly or a quarterly"):
            do_schedule_report(actor=county.command, unit=county.hq, period="weekly")
    with pytest.raises(PermissionDenied):
        do_schedule_report(actor=county.chief, unit=county.east, period="month")  # not the chief's station
    with pytest.raises(PermissionDenied):
        do_schedule_report(actor=county.zone_lead, unit=county.zone_s, period="month")
    assert ReportSchedule.objects.filter(bureau=county.bureau).count() == 1


def test_the_report_list_schedules_stops_and_lists(client, county, outsider):
    _incident(county, dt.datetime(2018, 5, 10, 9, tzinfo=BJ))
    client.force_login(county.command)
    r = client.post(reverse("analytics:report_list"), {"unit": county.west.pk, "period": "month"})
    assert r.status_code == 302
    sched = ReportSchedule.objects.get(unit=county.west)
    page = client.get(reverse("analytics:report_list"))
    assert page.status_code == 200 and page.context["schedules"][0].due == dt.date(2018, 5, 1)
    sweep()
    page = client.get(reverse("analytics:report_list"))
    assert [r.unit for r in page.context["page"].object_list] == [county.west]
    assert page.context["schedules"][0].due is None  # up to date
    # the chief sees the station's schedule and report; the east's chief... the outsider sees none
    client.force_login(county.chief)
    assert len(client.get(reverse("analytics:report_list")).context["page"].object_list) == 1
    client.force_login(outsider)
    page = client.get(reverse("analytics:report_list"))
    assert page.status_code == 200
    assert not page.context["page"].object_list and not page.context["schedules"]
    assert client.post(reverse("analytics:report_list"), {"stop": sched.pk}).status_code == 404
    client.force_login(county.command)
    client.post(reverse("analytics:report_list"), {"stop": sched.pk})
    sched.refresh_from_db()
    assert not sched.active
    _incident(county, dt.datetime(2018, 7, 2, 9, tzinfo=BJ))
    assert sweep()["created"] == 0  # stopped


def test_jingwu_reports_sweep_prints_what_it_did(county):
    import json

    from typer.testing import CliRunner

    from jingwu.cli import app

    _incident(county, dt.datetime(2018, 5, 10, 9, tzinfo=BJ))
    do_schedule_report(actor=county.chief, unit=county.west, period="quarter")  # Q1 2018: before the data
    do_schedule_report(actor=county.chief, unit=county.west, period="month")  # May 2018
    r = CliRunner().invoke(app, ["reports", "sweep", "--bureau", county.bureau.code])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output.strip().splitlines()[-1]) == {"created": 1, "already": 0, "refused": 1}
    r = CliRunner().invoke(app, ["reports", "sweep", "--bureau", "nope"])
    assert r.exit_code == 1 and "no bureau with code" in r.output
