"""The demo's unreported offences: what the offenders of its solved series admitted (a layer
of its own random stream over the loaded county: no incident added, no figure changed)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count
from django.urls import reverse

from jingwu.accounts.models import User
from jingwu.core.clock import data_date
from jingwu.core.models import Bureau
from jingwu.demo.load import demo_bureau_code
from jingwu.incidents.models import Incident
from jingwu.series.demo import ensure_unreported_leads
from jingwu.series.models import UnreportedLead
from jingwu.series.selectors import overdue_q

pytestmark = pytest.mark.slow


def test_the_demo_series_have_admitted_offences_to_follow_up(demo_db, client):
    bureau = Bureau.objects.get(code=demo_bureau_code(0))
    leads = UnreportedLead.objects.filter(bureau=bureau)
    # seed 2019: 17 admissions in 10 series (SER06, with no case solved, has none)
    assert leads.count() == 17
    assert dict(leads.values_list("series__code").annotate(n=Count("id")).order_by()) == {
        "SER01": 1,
        "SER02": 2,
        "SER03": 2,
        "SER04": 2,
        "SER05": 1,
        "SER07": 1,
        "SER08": 3,
        "SER09": 3,
        "SER10": 1,
        "SER11": 1,
    }
    assert dict(leads.values_list("status").annotate(n=Count("id")).order_by()) == {
        "to_contact": 6,
        "unreachable": 5,
        "declined": 4,
        "not_victim": 2,
    }
    assert leads.filter(overdue_q([bureau.pk])).count() == 9
    # no report taken: the demo's incidents stay the generator's 78,827
    assert Incident.objects.filter(bureau=bureau).count() == 78_827
    assert not leads.filter(incident__isnull=False).exists()
    # the rice cooker of SER01 (domain.md), located and assigned where it is
    rice = leads.get(series__code="SER01")
    assert "电饭煲" in rice.description and rice.source == "admission"
    assert rice.grid is not None and rice.grid.parent_id == rice.zone_id
    last = data_date(bureau)
    assert all(r.first_day <= last and (r.last_day or r.first_day) <= last for r in leads)
    assert all(r.followed_up_on is None for r in leads.filter(status="to_contact"))
    assert not leads.exclude(status="to_contact").filter(followed_up_on__isnull=True).exists()
    # once: a second run writes nothing
    assert ensure_unreported_leads(bureau, seed=2019) == 0 and leads.count() == 17

    # the center sees all of them on its list; the urban station's chief, its own one
    client.force_login(User.objects.get(username="zhencha"))
    r = client.get(reverse("series:lead_list"))
    assert r.status_code == 200 and r.context["counts"]["total"] == 17
    assert r.context["counts"]["overdue"] == 9
    client.force_login(User.objects.get(username="zhicheng"))
    r = client.get(reverse("series:lead_list"))
    assert r.status_code == 200 and r.context["counts"]["total"] == 1
    # the series page of SER01 shows its lead with the counts
    client.force_login(User.objects.get(username="command"))
    s = rice.series
    r = client.get(reverse("series:series_detail", args=[s.pk]))
    assert r.status_code == 200 and [x.pk for x in r.context["leads"]] == [rice.pk]
    assert r.context["lead_counts"]["unreachable"] == 1
    assert dt.date(2016, 8, 15) <= rice.first_day <= dt.date(2016, 9, 4)  # within the series' run
