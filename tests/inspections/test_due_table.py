"""The due table: rows kept per premises, refreshed on a visit, recomputed when stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jingwu.incidents.models import Incident
from jingwu.inspections import duetable
from jingwu.inspections.models import DueRow, Visit
from jingwu.inspections.selectors import assess
from jingwu.inspections.services import do_record_visit
from jingwu.places.models import Premises

pytestmark = pytest.mark.django_db


def _row(premises):
    (r,) = assess(Premises.objects.filter(pk=premises.pk))
    return r


def _summary(r):
    return (
        {e.element: (e.due, e.state) for e in r.elements},
        r.risk.score,
        r.last_visit,
    )


def test_rows_are_kept_refreshed_on_a_visit_and_recomputed_when_stale(catalogue):
    county = catalogue
    hotel = county.prem_west
    assert not DueRow.objects.exists()
    r = _row(hotel)
    # the first read computed and saved the row: never inspected, one incident nearby
    # (the west theft, about 140 m away)
    row = DueRow.objects.get(premises=hotel)
    assert (row.last_visits, row.last_visit, row.failed, row.near) == ({}, None, 0, 1)
    assert row.as_of == dt.date(2018, 6, 3) and row.bureau_id == county.bureau.pk
    first_update = row.updated_at
    # a second read uses the row as it is (not rewritten)
    assert _summary(_row(hotel)) == _summary(r)
    assert DueRow.objects.get(premises=hotel).updated_at == first_update

    # recording a visit refreshes the row in the same step
    do_record_visit(
        actor=county.community,
        premises=hotel,
        day=dt.date(2018, 6, 1),
        elements=["fire_safety"],
        failed_items=1,
    )
    row = DueRow.objects.get(premises=hotel)
    assert (row.last_visits, row.last_visit, row.failed) == (
        {"fire_safety": "2018-06-01"},
        dt.date(2018, 6, 1),
        1,
    )
    due = {e.element: (e.due, e.state) for e in _row(hotel).elements}
    assert due["fire_safety"] == (dt.date(2018, 8, 31), "later")  # 91 days after 1 June
    assert due["public_order"] == (dt.date(2018, 6, 3), "due")  # never: due on the data date

    # the incidents around moved 5 km east change the bureau's stamp: the row is recomputed
    # when read
    around = Incident.objects.filter(bureau=county.bureau, lon__gt=hotel.lon - 0.01, lon__lt=hotel.lon + 0.01)
    assert around.count() == 2  # the west theft, and one further than 300 m
    around.update(lon=hotel.lon + 0.05, updated_at=timezone.now())
    r = _row(hotel)
    assert [x.code for x in r.risk.reasons] == ["findings"]  # 6 points; no incident nearby now
    assert DueRow.objects.get(premises=hotel).near == 0

    # the premises moved 5 km east too, next to the theft again: its row is stale, recomputed
    Premises.objects.filter(pk=hotel.pk).update(lon=hotel.lon + 0.05)
    assert DueRow.objects.get(premises=hotel).near == 0
    r = _row(Premises.objects.get(pk=hotel.pk))
    assert DueRow.objects.get(premises=hotel).near == 1
    assert {x.code: x.points for x in r.risk.reasons} == {"findings": 6, "incidents": 2}


def test_the_table_gives_what_the_history_gives_and_the_sweep(catalogue):
    county = catalogue
    hotel, works = county.prem_west, county.prem_east
    both = Premises.objects.filter(pk__in=[hotel.pk, works.pk]).order_by("pk")
    cold = {x.premises.pk: _summary(x) for x in assess(both)}
    assert DueRow.objects.count() == 2
    warm = {x.premises.pk: _summary(x) for x in assess(both)}
    assert warm == cold
    # a visit written around the services (a bulk load) is not seen by a fresh row...
    Visit.objects.create(
        bureau=county.bureau, premises=works, status="done", day=dt.date(2018, 5, 1), elements=["fire_safety"]
    )
    assert _summary(_row(works)) == cold[works.pk]
    # ...the sweep keeps fresh rows, ``everything`` recomputes them
    assert duetable.sweep(county.bureau) == {"recomputed": 0, "kept": 2, "dropped": 0}
    assert duetable.sweep(county.bureau, everything=True) == {"recomputed": 2, "kept": 0, "dropped": 0}
    assert _row(works).last_visit == dt.date(2018, 5, 1)
    # premises no longer active lose their row; a sweep after the rows went stale (another
    # data date's stamp) recomputes the rest
    Premises.objects.filter(pk=works.pk).update(status="closed")
    DueRow.objects.filter(premises=hotel).update(as_of=dt.date(2018, 6, 2))
    assert duetable.sweep(county.bureau) == {"recomputed": 1, "kept": 0, "dropped": 1}
    assert list(DueRow.objects.values_list("premises_id", "as_of")) == [(hotel.pk, dt.date(2018, 6, 3))]
