"""Clearance of criminal incidents as an effect measure: counted by hand, refused where
there is nothing to count or the cases are outside the user's view."""

import datetime as dt

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from jingwu.analytics.evaluation import evaluate_change
from jingwu.analytics.measures import MEASURES, monthly_panel
from jingwu.cases.services import do_open_case, do_update_case
from jingwu.core.clock import zone
from jingwu.incidents.models import Incident
from jingwu.incidents.services import do_record_incident

pytestmark = pytest.mark.django_db
BJ = dt.timezone(dt.timedelta(hours=8))


def _theft(county, where, month, day):
    return do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0101",
        received_at=dt.datetime(2018, month, day, 9, 0, tzinfo=BJ),
        lon=where.lon,
        lat=where.lat,
    )


def test_the_share_cleared_per_station_and_month_by_hand(county):
    west, east = county.inc_west_theft, county.inc_east_theft
    # July: west 4 thefts, one case solved over two of them, one still investigated; east 2, none
    july_w = [_theft(county, west, 7, d) for d in (2, 3, 4, 5)]
    july_e = [_theft(county, east, 7, d) for d in (2, 3)]
    # August: west 1 theft, its case solved
    aug_w = _theft(county, west, 8, 9)
    solved = do_open_case(actor=county.chief, bureau=county.bureau, incidents=july_w[:2])
    do_update_case(solved, actor=county.chief, status="solved")
    do_open_case(actor=county.chief, bureau=county.bureau, incidents=[july_w[2]])
    do_update_case(
        do_open_case(actor=county.chief, bureau=county.bureau, incidents=[aug_w]),
        actor=county.chief,
        status="solved",
    )
    assert len(july_e) == 2
    months = [dt.date(2018, 7, 1), dt.date(2018, 8, 1)]
    values, events = monthly_panel(
        Incident.objects.filter(bureau=county.bureau),
        "station",
        [county.west.pk, county.east.pk],
        months,
        MEASURES["clearance"],
        zone(county.bureau),
    )
    assert events.tolist() == [[4, 1], [2, 0]]
    assert values[0].tolist() == [50.0, 100.0]
    assert values[1, 0] == 0.0 and np.isnan(values[1, 1])  # no theft: no share, never 0 or 100


def test_clearance_needs_the_cases_in_view(county):
    with translation.override("en"), pytest.raises(ValidationError, match="Cases are outside your view"):
        evaluate_change(county.community, county.west, dt.date(2018, 7, 1), "clearance", 3)


def test_months_without_a_criminal_incident_are_named(county):
    for m in range(2, 11):  # whole months March to September
        _theft(county, county.inc_east_theft, m, 10)
    _theft(county, county.inc_west_theft, 3, 10)  # west: March and July (and the fixture's June)
    _theft(county, county.inc_west_theft, 7, 10)
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="no criminal incident, so no clearance"),
    ):
        evaluate_change(county.command, county.west, dt.date(2018, 6, 1), "clearance", 3)
