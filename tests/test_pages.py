"""Every page for a logged-in user, what each persona sees, and the outsider case for each view."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingwu.core.models import AuditEvent


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def test_login_page_renders_in_chinese_by_default(client, db):
    r = client.get(reverse("login"))
    assert r.status_code == 200
    assert "登录" in r.content.decode()


def test_english_is_switchable(client, county):
    client.force_login(county.command)
    r = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert r.status_code == 302
    r = client.get(reverse("home"))
    html = r.content.decode()
    assert "Overview" in html and "Police stations" in html


def test_pages_need_log_in(client, county):
    for url in [
        reverse("home"),
        reverse("org:unit_list"),
        reverse("personnel:officer_list"),
        reverse("incidents:incident_list"),
        reverse("places:premises_list"),
        reverse("org:unit_detail", args=[county.west.pk]),
    ]:
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_command_home_shows_the_whole_bureau(client, county):
    r = get(client, county.command, reverse("home"))
    assert r.status_code == 200
    assert r.context["counts"]["stations"] == 2
    assert r.context["counts"]["incidents_year"] == 4
    assert {row["unit"].code for row in r.context["stations"]} == {"S01", "S02"}


def test_station_chief_home_counts_only_the_station(client, county):
    r = get(client, county.chief, reverse("home"))
    assert r.context["counts"]["stations"] == 1
    assert r.context["counts"]["incidents_year"] == 2


def test_station_page_has_map_officers_and_counts(client, county):
    r = get(client, county.chief, reverse("org:unit_detail", args=[county.west.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-layers-url="%s"' % reverse("org:unit_map", args=[county.west.pk]) in html
    assert r.context["incidents_year"] == 2
    names = {p.officer.name for p in r.context["postings"]}
    assert names == {"王建国", "李明", "陈静", "周洋"}


def test_station_map_layers_hold_zones_grids_premises_and_incidents(client, county):
    r = get(client, county.chief, reverse("org:unit_map", args=[county.west.pk]))
    data = r.json()["layers"]
    assert {f["properties"]["code"] for f in data["areas"]["features"]} == {"S01-Z1", "S01-Z2"}
    assert len(data["grids"]["features"]) == 3
    assert [f["properties"]["name"] for f in data["premises"]["features"]] == ["城西宾馆"]
    assert len(data["incidents"]["features"]) == 2


def test_it_hides_other_stations_pages_from_a_station_chief(client, county):
    for url in [
        reverse("org:unit_detail", args=[county.east.pk]),
        reverse("org:unit_map", args=[county.east.pk]),
        reverse("incidents:incident_detail", args=[county.inc_east_theft.pk]),
        reverse("places:premises_detail", args=[county.prem_east.pk]),
        reverse("personnel:officer_detail", args=[county.off_east.pk]),
    ]:
        assert get(client, county.chief, url).status_code == 404, url


def test_outsider_sees_nothing_of_another_bureau(client, county, outsider):
    for url in [
        reverse("org:unit_detail", args=[county.west.pk]),
        reverse("org:unit_map", args=[county.hq.pk]),
        reverse("incidents:incident_detail", args=[county.inc_west_theft.pk]),
        reverse("places:premises_detail", args=[county.prem_west.pk]),
        reverse("personnel:officer_detail", args=[county.off_chief.pk]),
    ]:
        assert get(client, outsider, url).status_code == 404, url
    for url in [
        reverse("incidents:incident_list"),
        reverse("places:premises_list"),
        reverse("personnel:officer_list"),
    ]:
        r = get(client, outsider, url)
        assert r.status_code == 200
        rows = list(r.context["page"])
        assert rows, url  # the outsider sees their own bureau's rows...
        assert all(row.bureau_id != county.bureau.pk for row in rows), url  # ...and none of this one's
    r = get(client, outsider, reverse("org:unit_list"))
    assert all(u.bureau_id != county.bureau.pk for u in r.context["units"])


def test_incident_list_filters_and_pages(client, county):
    url = reverse("incidents:incident_list")
    r = get(client, county.command, url)
    assert r.context["page"].paginator.count == 4
    r = get(client, county.command, url, category=_category_pk("01"))
    assert r.context["page"].paginator.count == 2  # the family selects its categories
    r = get(client, county.command, url, unit=county.east.pk)
    assert {i.number for i in r.context["page"]} == {
        county.inc_east_theft.number,
        county.inc_east_traffic.number,
    }
    r = get(client, county.command, url, received_from="2018-06-02")
    assert r.context["page"].paginator.count == 2


def _category_pk(code):
    from jingwu.incidents.models import IncidentCategory

    return IncidentCategory.objects.get(code=code).pk


def test_investigation_center_sees_criminal_incidents_everywhere_and_nothing_else(client, county):
    r = get(client, county.center, reverse("incidents:incident_list"))
    numbers = {i.number for i in r.context["page"]}
    assert numbers == {county.inc_west_theft.number, county.inc_east_theft.number}
    assert (
        get(
            client, county.center, reverse("incidents:incident_detail", args=[county.inc_east_traffic.pk])
        ).status_code
        == 404
    )


def test_zone_lead_and_community_officer_see_their_own_area(client, county):
    r = get(client, county.zone_lead, reverse("incidents:incident_list"))
    assert {i.number for i in r.context["page"]} == {county.inc_west_theft.number}
    r = get(client, county.community, reverse("places:premises_list"))
    assert [p.name for p in r.context["page"]] == ["城西宾馆"]
    assert get(client, county.community, reverse("personnel:officer_list")).status_code == 200
    r = get(client, county.community, reverse("personnel:officer_list"))
    assert r.context["page"].paginator.count == 0  # community officers have no personnel view


def test_officer_list_filters(client, county):
    url = reverse("personnel:officer_list")
    r = get(client, county.command, url)
    assert r.context["page"].paginator.count == 6
    assert get(client, county.command, url, gender="F").context["page"].paginator.count == 1
    assert get(client, county.command, url, kind="auxiliary").context["page"].paginator.count == 1
    assert get(client, county.command, url, unit=county.west.pk).context["page"].paginator.count == 4
    assert get(client, county.command, url, skill="community_work").context["page"].paginator.count == 5
    officers = [
        county.off_chief,
        county.off_lead,
        county.off_comm,
        county.off_east,
        county.off_ic,
        county.off_aux,
    ]
    for band, (lo, hi) in {"-29": (0, 29), "30-39": (30, 39), "40-49": (40, 49), "50-": (50, 200)}.items():
        shown = {o.name for o in get(client, county.command, url, age=band).context["page"]}
        assert shown == {o.name for o in officers if lo <= o.age() <= hi}, band


def test_officer_detail_masks_the_id_number_and_records_the_look(client, county):
    before = AuditEvent.objects.filter(action="view").count()
    r = get(client, county.chief, reverse("personnel:officer_detail", args=[county.off_comm.pk]))
    html = r.content.decode()
    assert county.off_comm.id_number not in html
    assert county.off_comm.id_number_masked in html
    assert AuditEvent.objects.filter(action="view").count() == before + 1
    event = AuditEvent.objects.filter(action="view").order_by("-id").first()
    assert event.actor == county.chief and event.object_id == str(county.off_comm.pk)


def test_incident_detail_masks_the_reporter(client, county):
    r = get(client, county.command, reverse("incidents:incident_detail", args=[county.inc_west_theft.pk]))
    html = r.content.decode()
    assert "张三" not in html and "张*" in html
    assert "13800000001" not in html


@pytest.mark.parametrize("name", ["unit_list", "officer_list", "premises_list", "incident_list", "home"])
def test_every_list_page_renders_for_every_persona(client, county, name):
    urls = {
        "unit_list": reverse("org:unit_list"),
        "officer_list": reverse("personnel:officer_list"),
        "premises_list": reverse("places:premises_list"),
        "incident_list": reverse("incidents:incident_list"),
        "home": reverse("home"),
    }
    for persona in [
        "command",
        "planner",
        "center",
        "prevention",
        "chief",
        "zone_lead",
        "community",
        "political",
        "auditor",
        "sysadmin",
    ]:
        r = get(client, getattr(county, persona), urls[name])
        assert r.status_code == 200, (persona, name)


def test_premises_map_and_detail(client, county):
    r = get(client, county.prevention, reverse("places:premises_map"))
    assert len(r.json()["layers"]["premises"]["features"]) == 2  # the prevention center works bureau-wide
    r = get(client, county.prevention, reverse("places:premises_detail", args=[county.prem_east.pk]))
    assert r.status_code == 200


def test_admin_lists_every_model_for_a_superuser(client, county, django_user_model):
    from django.apps import apps
    from django.contrib import admin

    admin_user = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin_user)
    jingwu_models = [m for m in apps.get_models() if m.__module__.startswith("jingwu.")]
    through = {"caseincident", "seriesincident", "petitionincident"}
    for model in jingwu_models:
        if model._meta.model_name in through:
            continue
        assert model in admin.site._registry, model
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
