"""Measured: per unit and month, visits made, elements per visit, visits avoided, legal
deadlines missed, findings and rectifications closed on time; the page, its chart and export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.core.clock import data_date
from jingwu.inspections.measures import measures
from jingwu.inspections.models import Finding, LegalTimer
from jingwu.inspections.services import do_open_timer, do_record_visit

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def measured(catalogue):
    """A few visits, findings and timers in April to June 2018 (the county's data reach June)."""
    county = catalogue
    b = county.bureau
    assert data_date(b) >= dt.date(2018, 6, 2)
    april = do_record_visit(
        actor=None,
        premises=county.prem_west,
        day=dt.date(2018, 4, 10),
        elements=["public_order", "fire_safety", "floating_population"],
    )
    do_record_visit(actor=None, premises=county.prem_west, day=dt.date(2018, 6, 1), elements=["fire_safety"])
    do_record_visit(
        actor=None, premises=county.prem_east, day=dt.date(2018, 5, 20), elements=["security", "fire_safety"]
    )
    # two findings at the April visit: one put right in time, one late
    for item, deadline, closed in (
        ("fire_safety.1", dt.date(2018, 4, 25), dt.date(2018, 4, 20)),
        ("fire_safety.2", dt.date(2018, 5, 2), dt.date(2018, 5, 5)),
    ):
        Finding.objects.create(
            bureau=b, visit=april, premises=county.prem_west, item=item, deadline=deadline, closed_on=closed
        )
    # guest registrations: due at 04:00 on 1 May in the bureau's time zone (30 April in UTC),
    # never delivered; and one due on 2 June, delivered in time
    do_open_timer(
        actor=None,
        premises=county.prem_west,
        kind="guest_registration",
        event_at=dt.datetime(2018, 4, 30, 4, 0, tzinfo=CST),
    )
    t = do_open_timer(
        actor=None,
        premises=county.prem_west,
        kind="guest_registration",
        event_at=dt.datetime(2018, 6, 1, 8, 0, tzinfo=CST),
    )
    LegalTimer.objects.filter(pk=t.pk).update(done_at=dt.datetime(2018, 6, 1, 9, 0, tzinfo=CST))
    return county


# (unit, month) -> visits, elements per visit, avoided, deadlines missed, findings, due, on time
EXPECTED_STATIONS = {
    ("west", "2018-04"): (1, 3.0, 2, 0, 2, 1, 1),
    ("west", "2018-05"): (0, None, 0, 1, 0, 1, 0),
    ("west", "2018-06"): (1, 1.0, 0, 0, 0, 0, 0),
    ("east", "2018-04"): (0, None, 0, 0, 0, 0, 0),
    ("east", "2018-05"): (1, 2.0, 1, 0, 0, 0, 0),
    ("east", "2018-06"): (0, None, 0, 0, 0, 0, 0),
}


def _table(m, county):
    names = {getattr(county, a).pk: a for a in ("west", "east", "zone_s", "zone_n", "zone_e")}
    return {
        (names[r.unit.pk], f"{r.month:%Y-%m}"): (
            r.visits,
            r.per_visit,
            r.avoided,
            r.timers_overdue,
            r.findings,
            r.rect_due,
            r.rect_on_time,
        )
        for r in m.rows
    }


def test_the_measures_per_station_and_month(measured):
    county = measured
    m = measures(
        county.prevention, county.bureau, first=dt.date(2018, 4, 1), last=dt.date(2018, 6, 1), by="station"
    )
    assert _table(m, county) == EXPECTED_STATIONS
    assert (m.totals["visits"], m.totals["avoided"], m.totals["per_visit"]) == (3, 3, 2.0)
    assert m.chart()["labels"] == ["2018-04", "2018-05", "2018-06"]
    assert m.chart()["series"][0]["values"] == [1, 1, 1]


def test_the_chief_sees_only_his_station_and_its_zones(measured):
    county = measured
    args = {"first": dt.date(2018, 4, 1), "last": dt.date(2018, 6, 1)}
    m = measures(county.chief, county.bureau, by="station", **args)
    assert _table(m, county) == {k: v for k, v in EXPECTED_STATIONS.items() if k[0] == "west"}
    zones = measures(county.chief, county.bureau, by="zone", **args)
    assert {u for u, _m in _table(zones, county)} == {"zone_s", "zone_n"}
    assert sum(r.visits for r in zones.rows if r.unit.pk == county.zone_s.pk) == 2


@translation.override("en")
def test_a_period_without_data_is_refused_and_bad_periods_too(measured):
    county = measured
    b, user = county.bureau, county.prevention
    with pytest.raises(ValidationError, match="No inspection visits"):
        measures(user, b, first=dt.date(2017, 1, 1), last=dt.date(2017, 12, 1))
    with pytest.raises(ValidationError, match="comes after"):
        measures(user, b, first=dt.date(2018, 5, 1), last=dt.date(2018, 4, 1))
    with pytest.raises(ValidationError, match="records reach"):
        measures(user, b, first=dt.date(2018, 5, 1), last=dt.date(2018, 12, 1))
    with pytest.raises(ValidationError, match="at most"):
        measures(user, b, first=dt.date(2015, 1, 1), last=dt.date(2018, 4, 1))


def test_the_page_the_chart_and_the_export(client, measured):
    county = measured
    client.force_login(county.prevention)
    q = {"first": "2018-04", "last": "2018-06", "by": "station"}
    r = client.get(reverse("inspections:measures"), q)
    assert r.status_code == 200
    assert len(r.context["m"].rows) == 6
    assert b'data-chart="bars"' in r.content
    assert reverse("inspections:measures").encode() in client.get(reverse("inspections:due_list")).content
    x = client.get(reverse("inspections:measures_export"), q)
    assert x["Content-Type"].startswith("application/vnd.openxmlformats")
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(x.content)).active
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 6
    assert rows[0][1:] == ("2018-04", 1, 3, 2, 0, 2, 1, 1)
    from jingwu.core.models import AuditEvent

    ev = AuditEvent.objects.filter(action="export", object_type="inspections.measures").get()
    assert (ev.actor_id, ev.after["first"], ev.after["last"]) == (county.prevention.pk, "2018-04", "2018-06")
    # a period without data: the message, not a table of zeros (and no workbook)
    r = client.get(reverse("inspections:measures"), {"first": "2017-01", "last": "2017-03"})
    assert (
        r.context["m"] is None and b"jw-measures-error" in r.content and b'id="jw-measures"' not in r.content
    )
    r = client.get(reverse("inspections:measures_export"), {"first": "2017-01", "last": "2017-03"})
    assert r["Content-Type"].startswith("text/html")
    r = client.get(reverse("inspections:measures"), {"first": "April"})
    assert r.context["m"] is None and b"2018-06" in r.content
    with translation.override("zh-hans"):
        r = client.get(reverse("inspections:measures"), {"first": "2017-01", "last": "2017-03"})
    assert "没有检查" in r.content.decode()


@pytest.mark.parametrize(
    ("persona", "status", "units"),
    [
        ("prevention", 200, {"west", "east"}),
        ("chief", 200, {"west"}),
        ("center", 404, None),  # the investigation center does not work with premises
        ("outsider", 200, None),
    ],
)
def test_who_sees_the_measures(client, measured, outsider, persona, status, units):
    county = measured
    user = outsider if persona == "outsider" else getattr(county, persona)
    client.force_login(user)
    q = {"first": "2018-04", "last": "2018-06"}
    r = client.get(reverse("inspections:measures"), q)
    if persona == "outsider":
        # the other county's chief sees only his own (empty) county: never these rows
        assert r.status_code == 200 and r.context["m"] is None
        assert client.get(reverse("inspections:measures_export"), q)["Content-Type"].startswith("text/html")
        return
    assert r.status_code == status
    if status == 404:
        assert client.get(reverse("inspections:measures_export"), q).status_code == 404
        return
    assert {u for u, _m in _table(r.context["m"], county)} == units
