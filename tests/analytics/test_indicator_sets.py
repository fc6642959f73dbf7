"""Indicator sets per kind of unit: defaults, the bureau's own sets, validation, audit, hover and exports."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.analytics.indicators import CATALOGUE, codes_for, do_set_indicators
from jingwu.analytics.models import IndicatorSet
from jingwu.core.models import AuditEvent

BJ = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True)
def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


# unit -> the default codes (written out by hand from the rule: stations on their area, the center on cases)
DEFAULTS = {
    "hq": ["incidents", "per_1000", "police", "per_officer", "visits", "duty_coverage", "satisfaction"],
    "ic": ["cases", "clearance", "cases_old", "police"],
    # the west is a full-spectrum station, the east a preventive one
    "west": [
        "incidents",
        "per_1000",
        "visits",
        "compliance",
        "premises_overdue",
        "night_per_officer",
        "duty_coverage",
        "satisfaction",
    ],
    "east": [
        "incidents",
        "per_1000",
        "visits",
        "compliance",
        "premises_overdue",
        "grid_work_hours",
        "duty_coverage",
        "satisfaction",
    ],
    # zones and grids are judged on their area too, public satisfaction included
    "zone_s": [
        "incidents",
        "per_1000",
        "visits",
        "compliance",
        "night_callouts",
        "grid_work_hours",
        "satisfaction",
    ],
    "grid_s1": ["incidents", "visits", "grid_work_hours", "satisfaction"],
}


def test_defaults_judge_stations_on_their_area_and_the_center_on_cases(county):
    for attr, codes in DEFAULTS.items():
        assert codes_for(getattr(county, attr)) == codes, attr
    for attr in ("west", "east", "zone_s", "grid_s1"):
        assert "clearance" not in codes_for(getattr(county, attr))


def test_command_sets_the_stations_indicators_with_an_audit_event(county, client):
    before = AuditEvent.objects.count()
    do_set_indicators(
        actor=county.command,
        bureau=county.bureau,
        unit_kind="station",
        station_type="preventive",
        codes=["incidents", "grid_work_hours", "incidents"],
    )
    assert codes_for(county.east) == ["incidents", "grid_work_hours"]  # duplicates dropped
    assert codes_for(county.west) == DEFAULTS["west"]  # another type keeps its default
    ev = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert ev.action == "update" and ev.after["codes"] == ["incidents", "grid_work_hours"]
    assert ev.before["codes"] == DEFAULTS["east"]
    # the dashboard shows the set, each tile with its definition, source and unit on hover
    client.force_login(county.command)
    r = client.get(reverse("analytics:dashboard", args=[county.east.pk]))
    assert [i.code for i, _v, _u in r.context["d"].indicators] == ["incidents"]  # no grid work logged
    page = r.content.decode()
    hover = str(CATALOGUE["incidents"].definition)
    assert hover.replace("'", "&#x27;") in page and "Source:" in page


@pytest.mark.parametrize(
    ("kind", "stype", "codes", "field", "words"),
    [
        ("station", "preventive", [], "codes", "at least one"),
        ("station", "preventive", ["incidents", "happiness"], "codes", "happiness"),
        ("investigation_center", "", ["incidents"], "codes", "cannot be computed"),
        ("zone", "preventive", ["incidents"], "station_type", "Only police stations"),
        ("moon", "", ["incidents"], "unit_kind", "kind of unit"),
    ],
)
def test_bad_sets_are_refused_and_nothing_is_saved(county, kind, stype, codes, field, words):
    with translation.override("en"), pytest.raises(ValidationError) as e:
        do_set_indicators(
            actor=county.command, bureau=county.bureau, unit_kind=kind, station_type=stype, codes=codes
        )
    assert field in e.value.error_dict
    assert words in " ".join(e.value.messages)
    assert not IndicatorSet.objects.filter(bureau=county.bureau).exists()


@pytest.mark.parametrize("persona", ["planner", "chief", "zone_lead", "auditor"])
def test_only_command_changes_the_sets(county, persona):
    with pytest.raises(PermissionDenied):
        do_set_indicators(
            actor=getattr(county, persona),
            bureau=county.bureau,
            unit_kind="zone",
            station_type="",
            codes=["incidents"],
        )


def test_the_page_lists_the_sets_and_command_saves_one(county, client):
    client.force_login(county.chief)
    r = client.get(reverse("analytics:indicators"))
    assert r.status_code == 200 and not r.context["may_change"]
    assert (
        client.post(
            reverse("analytics:indicators"), {"unit_kind": "zone", "codes": ["incidents"]}
        ).status_code
        == 403
    )
    client.force_login(county.command)
    r = client.post(
        reverse("analytics:indicators"),
        {"unit_kind": "zone", "station_type": "", "codes": ["incidents", "visits"]},
    )
    assert r.status_code == 302
    assert codes_for(county.zone_s) == ["incidents", "visits"]
    r = client.post(reverse("analytics:indicators"), {"unit_kind": "zone", "station_type": ""}, follow=True)
    assert "Choose at least one indicator." in r.content.decode()
    assert codes_for(county.zone_s) == ["incidents", "visits"]


def test_the_outsider_sees_and_changes_nothing_of_another_bureau(county, outsider, client):
    client.force_login(outsider)
    r = client.get(reverse("analytics:indicators"))
    assert r.status_code == 200 and r.context["bureau"] != county.bureau
    with pytest.raises(PermissionDenied):
        do_set_indicators(
            actor=outsider, bureau=county.bureau, unit_kind="zone", station_type="", codes=["incidents"]
        )
