"""The demo county's callbacks to reporters: a sample of its incidents, each station its own
satisfaction between 85% and 95%, so public satisfaction shows on the dashboards."""

from __future__ import annotations

import pytest
from django.db.models import Count, F, Q
from django.urls import reverse

from jingwu.core.clock import data_date
from jingwu.core.models import Bureau
from jingwu.demo.load import demo_bureau_code
from jingwu.incidents.models import Callback, Incident
from jingwu.org.models import Unit

pytestmark = pytest.mark.slow


def test_the_demo_calls_back_a_sample_of_its_incidents(demo_db, client):
    from jingwu.accounts.models import User

    bureau = Bureau.objects.get(code=demo_bureau_code(0))
    calls = Callback.objects.filter(bureau=bureau)
    incidents = Incident.objects.filter(bureau=bureau).count()
    assert 0.05 * incidents <= calls.count() <= 0.07 * incidents
    # every call after its incident, none after the data's last day, one completed per incident
    assert not calls.filter(called_at__lt=F("incident__received_at")).exists()
    last = data_date(bureau)
    assert max(c.date() for c in calls.values_list("called_at", flat=True)) <= last
    completed = calls.exclude(result="unreachable")
    assert completed.values("incident").distinct().count() == completed.count()
    assert 0.07 <= calls.filter(result="unreachable").count() / calls.count() <= 0.13
    assert not calls.filter(result="unsatisfied", note="").exists()
    # each station's share of satisfied or basically satisfied, around its own 85-95%
    shares = []
    for row in (
        completed.values("incident__station")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(result__in=("satisfied", "basically"))))
        .order_by()
    ):
        assert row["n"] >= 100
        shares.append(row["ok"] / row["n"])
    assert len(shares) == 13
    assert all(0.80 <= s <= 0.99 for s in shares)
    assert max(shares) - min(shares) >= 0.03  # the stations differ
    # the county dashboard shows the indicator, linked to the callbacks
    client.force_login(User.objects.get(username="command"))
    hq = Unit.objects.get(bureau=bureau, kind="headquarters")
    r = client.get(reverse("analytics:dashboard", args=[hq.pk]))
    d = r.context["d"]
    assert d.satisfaction is not None and 85 <= d.satisfaction <= 95
    assert d.callbacks["completed"] > 1000


def test_each_demo_callback_names_an_officer_of_its_incident_s_station(demo_db):
    """The officers come from a stream of their own: the calls, their results and the
    satisfaction figures are those measured before the calls named anyone."""
    import datetime as dt
    from collections import Counter

    from jingwu.core.clock import zone
    from jingwu.personnel.models import Posting

    bureau = Bureau.objects.get(code=demo_bureau_code(0))
    tz = zone(bureau)
    calls = Callback.objects.filter(bureau=bureau)
    assert calls.count() == 4619 and not calls.filter(officer__isnull=True).exists()
    assert calls.values("officer").distinct().count() == 568
    posted: dict[int, list] = {}
    for officer, path, start, end in Posting.objects.filter(
        bureau=bureau, role__in=("community", "grid_auxiliary")
    ).values_list("officer_id", "unit__path", "start", "end"):
        posted.setdefault(officer, []).append((path, start, end))

    def posted_in(officer, path, day) -> bool:
        return any(
            p.startswith(path) and start <= day and (end is None or day <= end)
            for p, start, end in posted.get(officer, [])
        )

    in_zone = 0
    for officer, station, zone_path, called in calls.values_list(
        "officer_id", "incident__station__path", "incident__zone__path", "called_at"
    ):
        day = called.astimezone(tz).date()
        # a community officer or grid auxiliary of the incident's station on the day of the call
        assert posted_in(officer, station, day)
        in_zone += bool(zone_path) and posted_in(officer, zone_path, day)
    assert in_zone == 2588  # the zone's own; the others before the zones had officers of their own
    # the figures of docs/demo-county.md, as before
    assert Counter(calls.values_list("result", flat=True)) == {
        "satisfied": 2589,
        "basically": 1104,
        "unsatisfied": 425,
        "unreachable": 501,
    }
    assert calls.filter(complaint=True).count() == 141
    year = calls.filter(
        called_at__gte=dt.datetime(2018, 1, 1, tzinfo=tz), called_at__lt=dt.datetime(2019, 1, 1, tzinfo=tz)
    ).exclude(result="unreachable")
    satisfied = year.filter(result__in=("satisfied", "basically")).count()
    assert year.count() == 1388 and round(100 * satisfied / 1388, 1) == 89.5
