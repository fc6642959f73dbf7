"""Near repeats of the bureau's own burglaries: the Knox test's risk area and window, the
alerts a new burglary raises for the zones within it, and no alert without a pattern."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from django.urls import reverse

from jingwu.incidents import nearrepeat
from jingwu.incidents.models import Incident, IncidentCategory, NearRepeatAlert, NearRepeatProfile
from jingwu.incidents.services import do_record_incident

from ..conftest import X0, Y0

SH = dt.timezone(dt.timedelta(hours=8))
FIRST = dt.datetime(2017, 7, 1, 12, tzinfo=SH)  # the county's data date is 2018-06-03


def _burglaries(county, rows):
    cat = IncidentCategory.objects.get(code="0102")
    Incident.objects.bulk_create(
        [
            Incident(
                bureau=county.bureau,
                number=f"JT{n:06d}",
                category=cat,
                received_at=when,
                lon=lon,
                lat=lat,
                station=county.west,
            )
            for n, (lon, lat, when) in enumerate(rows)
        ]
    )


def _pattern(county):
    """40 pairs: a second burglary within about 30 m and 1 to 3 days of the first; 20 alone."""
    rng = np.random.default_rng(7)
    rows = []
    for _ in range(40):
        lon, lat = X0 + rng.uniform(0.001, 0.019), Y0 + rng.uniform(0.001, 0.019)
        when = FIRST + dt.timedelta(days=float(rng.uniform(0, 320)))
        rows.append((lon, lat, when))
        rows.append((lon + 0.0002, lat + 0.0001, when + dt.timedelta(days=float(rng.uniform(1, 3)))))
    for _ in range(20):
        rows.append(
            (
                X0 + rng.uniform(0.001, 0.019),
                Y0 + rng.uniform(0.001, 0.019),
                FIRST + dt.timedelta(days=float(rng.uniform(0, 320))),
            )
        )
    _burglaries(county, rows)


def _random(county, n=60):
    rng = np.random.default_rng(11)
    _burglaries(
        county,
        [
            (
                X0 + rng.uniform(0.001, 0.019),
                Y0 + rng.uniform(0.001, 0.019),
                FIRST + dt.timedelta(days=float(rng.uniform(0, 320))),
            )
            for _ in range(n)
        ],
    )


def _base(county) -> int:
    """Burglaries the county already holds in the year up to its data date."""
    return nearrepeat._burglaries(county.bureau, dt.date(2017, 6, 4), dt.date(2018, 6, 3)).count()


def _record(county, lon, lat, day=2, actor=None):
    return do_record_incident(
        actor=actor or county.zone_lead,
        bureau=county.bureau,
        category="0102",
        received_at=dt.datetime(2018, 6, day, 9, tzinfo=SH),
        lon=lon,
        lat=lat,
    )


def test_a_burglary_raises_alerts_for_the_zones_within_the_supported_area(county):
    _pattern(county)
    # on the line between the south and north zones (55 m south of it): both zones
    near_line = _record(county, X0 + 0.01, Y0 + 0.0095)
    profile = NearRepeatProfile.objects.filter(bureau=county.bureau).latest("id")
    assert profile.supported and (profile.distance, profile.days) == (100.0, 7.0)
    assert profile.ratio > 5 and profile.p_value == pytest.approx(1 / 99)  # the smallest with 99 iterations
    got = sorted(
        (a.zone_id, a.starts, a.ends, a.radius) for a in NearRepeatAlert.objects.filter(incident=near_line)
    )
    assert got == sorted(
        [
            (county.zone_s.pk, dt.date(2018, 6, 2), dt.date(2018, 6, 9), 100.0),
            (county.zone_n.pk, dt.date(2018, 6, 2), dt.date(2018, 6, 9), 100.0),
        ]
    )
    # deep in the south zone: the south zone only
    inside = _record(county, X0 + 0.01, Y0 + 0.004)
    assert list(NearRepeatAlert.objects.filter(incident=inside).values_list("zone_id", flat=True)) == [
        county.zone_s.pk
    ]
    # a theft raises none
    do_record_incident(
        actor=county.zone_lead,
        bureau=county.bureau,
        category="0101",
        received_at=dt.datetime(2018, 6, 2, 10, tzinfo=SH),
        lon=X0 + 0.01,
        lat=Y0 + 0.004,
    )
    assert NearRepeatAlert.objects.count() == 3


def test_an_old_burglary_whose_window_ended_raises_none(county):
    _pattern(county)
    _record(county, X0 + 0.01, Y0 + 0.004, day=1)  # until 06-08: open on 06-03
    old = do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0102",
        received_at=dt.datetime(2018, 5, 20, 9, tzinfo=SH),  # until 05-27: ended
        lon=X0 + 0.01,
        lat=Y0 + 0.004,
    )
    assert not NearRepeatAlert.objects.filter(incident=old).exists()
    assert NearRepeatAlert.objects.count() == 1


def test_no_pattern_no_alert(county, client):
    base = _base(county)
    _random(county)
    inc = _record(county, X0 + 0.01, Y0 + 0.004)
    profile = NearRepeatProfile.objects.filter(bureau=county.bureau).latest("id")
    assert profile.events == base + 61 and not profile.supported and profile.distance is None
    assert not NearRepeatAlert.objects.filter(incident=inc).exists()
    client.force_login(county.chief)
    body = client.get(reverse("incidents:near_repeats")).content.decode()
    assert "no near-repeat pattern" in body or "未显示近重复模式" in body


def test_too_few_burglaries_are_not_tested(county):
    base = _base(county)
    _burglaries(county, [(X0 + 0.005, Y0 + 0.005, FIRST)] * 3)
    profile = nearrepeat.do_compute_profile(actor=county.command, bureau=county.bureau)
    assert profile.events == base + 3 and not profile.supported and profile.table == {}
    assert "too few" in nearrepeat.verdict(profile) or "过少" in nearrepeat.verdict(profile)


def test_an_imported_burglary_raises_its_alert(county, tmp_path):
    from jingwu.imports.services import run_import

    _pattern(county)
    path = tmp_path / "b.csv"
    path.write_text(
        f"外部编号,接警时间,类别代码,经度,纬度\nB1,2018-06-02 09:00,0102,{X0 + 0.01},{Y0 + 0.004}\n",
        encoding="utf-8",
    )
    report = run_import("incidents", path, bureau=county.bureau, actor=county.planner)
    assert report.ok and report.created == 1
    inc = Incident.objects.get(external_id="B1")
    assert list(NearRepeatAlert.objects.filter(incident=inc).values_list("zone_id", flat=True)) == [
        county.zone_s.pk
    ]


@pytest.mark.parametrize(
    ("persona", "status", "sees"),
    [
        ("command", 200, 2),
        ("center", 200, 2),
        ("chief", 200, 2),
        ("zone_lead", 200, 1),  # the south zone's lead
        ("community", 200, 1),  # a grid of the south zone
        ("political", 404, 0),
        ("outsider", 200, 0),
    ],
)
def test_the_page_and_the_home_card_show_the_alerts_of_ones_zones(
    client, county, outsider, persona, status, sees
):
    _pattern(county)
    _record(county, X0 + 0.01, Y0 + 0.0095, actor=county.chief)  # both zones
    user = outsider if persona == "outsider" else getattr(county, persona)
    client.force_login(user)
    r = client.get(reverse("incidents:near_repeats"))
    assert r.status_code == status
    if status == 200:
        assert len(r.context["alerts"]) == sees
        body = r.content.decode()
        assert 'id="near-repeat-map"' in body
        if sees:
            assert 'id="knox"' in body
    home = client.get(reverse("home")).content.decode()
    assert ('id="jw-near-repeat-alerts"' in home) == bool(sees)


def test_only_command_planners_and_the_center_run_the_test_again(client, county, outsider):
    base, before = _base(county), NearRepeatProfile.objects.count()
    _random(county, 35)
    client.force_login(county.chief)
    assert client.post(reverse("incidents:near_repeats_compute")).status_code == 403
    client.force_login(outsider)
    assert client.post(reverse("incidents:near_repeats_compute")).status_code == 403
    assert NearRepeatProfile.objects.count() == before
    client.force_login(county.command)
    assert client.post(reverse("incidents:near_repeats_compute")).status_code == 302
    assert NearRepeatProfile.objects.filter(bureau=county.bureau, events=base + 35).count() == 1


def test_burglaries_loaded_in_bulk_get_their_alerts_on_the_data_date(county):
    """Records written without raising alerts (the demo's load): the step computes the
    profile of the data date and raises the alerts of the burglaries whose window is open."""
    _pattern(county)
    cat = IncidentCategory.objects.get(code="0102")
    open_, ended = Incident.objects.bulk_create(
        [
            Incident(
                bureau=county.bureau,
                number=f"JB{n}",
                category=cat,
                received_at=when,
                lon=X0 + 0.01,
                lat=Y0 + 0.004,
                station=county.west,
            )
            for n, when in enumerate(
                [dt.datetime(2018, 6, 1, 9, tzinfo=SH), dt.datetime(2018, 5, 20, 9, tzinfo=SH)]
            )
        ]
    )
    assert not NearRepeatAlert.objects.exists()
    profile, written = nearrepeat.alerts_on_data_date(county.bureau)
    profiles = NearRepeatProfile.objects.count()
    assert profile.as_of == dt.date(2018, 6, 3) and profile.supported and profile.days == 7.0
    # the county's own burglary of 2018-06-02 (loaded without alerts too) and ours of 06-01
    window = Incident.objects.filter(
        bureau=county.bureau, category__code="0102", received_at__gte=dt.datetime(2018, 5, 27, tzinfo=SH)
    ).exclude(lon=None)
    assert window.count() == 2 and written == NearRepeatAlert.objects.count() >= 2
    assert set(NearRepeatAlert.objects.values_list("incident_id", flat=True)) == set(
        window.values_list("pk", flat=True)
    )
    alert = NearRepeatAlert.objects.get(incident=open_)
    assert (alert.zone_id, alert.starts, alert.ends) == (
        county.zone_s.pk,
        dt.date(2018, 6, 1),
        dt.date(2018, 6, 8),
    )
    assert not NearRepeatAlert.objects.filter(incident=ended).exists()
    # once: a second run computes nothing new and raises nothing
    assert nearrepeat.alerts_on_data_date(county.bureau) == (profile, 0)
    assert NearRepeatProfile.objects.count() == profiles and NearRepeatAlert.objects.count() == written


def test_no_pattern_no_alert_on_the_data_date_either(county):
    _random(county)
    profile, written = nearrepeat.alerts_on_data_date(county.bureau)
    assert not profile.supported and written == 0 and not NearRepeatAlert.objects.exists()
