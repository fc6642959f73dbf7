"""Routing rules: who owns a new case, rules refused when a type of case would have no owner,
and the share of criminal cases the investigation center owns per month."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from jingwu.cases.models import Case, CaseTransfer, RoutingRule
from jingwu.cases.selectors import center_share_by_month
from jingwu.cases.services import do_delete_rule, do_open_case, do_save_rule, seed_default_rules
from jingwu.core.models import AuditEvent


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def rules(county):
    return {r.priority: r for r in seed_default_rules(county.bureau)}


# (opened by, incident, amount lost, suspected series) -> owner, rule priority.
# The west station is full-spectrum, the east preventive (tests/conftest.py).
ROUTES = [
    ("chief", "inc_west_theft", None, None, "west", 30),  # keeps its strike squad
    ("chief", "inc_west_theft", "60000", None, "ic", 20),  # serious: the center
    ("chief", "inc_west_theft", "49999.99", None, "west", 30),
    ("chief", "inc_west_theft", None, True, "ic", 10),  # a series: the center
    ("center", "inc_east_theft", None, None, "ic", 40),  # a preventive station's theft
    ("chief", "inc_west_dispute", None, None, "west", 50),  # administrative
]


@pytest.mark.parametrize(("persona", "incident", "amount", "series", "owner", "priority"), ROUTES)
def test_the_rules_choose_the_owner(county, rules, persona, incident, amount, series, owner, priority):
    case = do_open_case(
        actor=getattr(county, persona),
        bureau=county.bureau,
        incidents=[getattr(county, incident)],
        amount_lost=decimal.Decimal(amount) if amount else None,
        suspected_series=series,
    )
    assert case.owning_unit == getattr(county, owner)
    t = CaseTransfer.objects.get(case=case)
    assert (t.kind, t.to_unit, t.reason) == ("routed", case.owning_unit, rules[priority].name)


def test_an_incident_in_a_series_makes_a_suspected_series(county, rules):
    from jingwu.cases.models import Series, SeriesIncident

    s = Series.objects.create(bureau=county.bureau, code="S1", name="系列盗窃")
    SeriesIncident.objects.create(bureau=county.bureau, series=s, incident=county.inc_west_theft)
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    assert case.suspected_series and case.owning_unit == county.ic


def test_without_rules_the_station_owns_it(county):
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    assert case.owning_unit == county.west
    assert CaseTransfer.objects.get(case=case).kind == "opened"


def _rule_state(county):
    return (
        list(
            RoutingRule.objects.filter(bureau=county.bureau).values_list(
                "priority", "kind", "target", "active"
            )
        ),
        AuditEvent.objects.filter(object_type="cases.routingrule").count(),
    )


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (("delete", 50), "No rule gives an owner to"),  # administrative cases
        (("delete", 40), "No rule gives an owner to"),  # criminal cases of preventive stations
        (("save", 40, {"category": "01"}), "No rule gives an owner to"),  # only one family left
        (("save", 50, {"active": False}), "No rule gives an owner to"),
        (("save", 40, {"priority": 10}), "Another rule has priority 10"),
        (("save", 40, {"target": "unit"}), "Name the unit"),
        (("save", 40, {"target": "unit", "unit": "zone_s"}), "cannot own cases"),
        (("save", 40, {"target": "unit", "unit": "other:west"}), "cannot own cases"),
        (("save", 40, {"min_amount": decimal.Decimal(-1)}), "cannot be negative"),
        (("save", 40, {"category": "9999"}), "Unknown incident category"),
        (("save", 40, {"name": ""}), "name"),
    ],
)
def test_rules_that_leave_a_gap_or_are_wrong_are_refused(county, other_county, rules, change, words):
    before = _rule_state(county)
    with pytest.raises(ValidationError) as exc:
        if change[0] == "delete":
            do_delete_rule(rules[change[1]], actor=county.planner)
        else:
            fields = dict(change[2])
            if isinstance(fields.get("unit"), str):
                u = fields["unit"]
                fields["unit"] = (
                    getattr(other_county, u[6:]) if u.startswith("other:") else getattr(county, u)
                )
            do_save_rule(actor=county.planner, bureau=county.bureau, rule=rules[change[1]], **fields)
    assert words in str(exc.value)
    assert _rule_state(county) == before


def test_a_planner_changes_the_rules_and_it_is_audited(county, rules):
    rule = do_save_rule(
        actor=county.planner,
        bureau=county.bureau,
        rule=rules[30],
        station_type="proactive",
        reason="主动进攻型也保留",
    )
    ev = AuditEvent.objects.filter(object_type="cases.routingrule", object_id=str(rule.pk)).latest("seq")
    assert (ev.action, ev.before["station_type"], ev.after["station_type"]) == (
        "update",
        "full_spectrum",
        "proactive",
    )
    # now the west (full-spectrum) theft goes to the center
    case = do_open_case(actor=county.chief, bureau=county.bureau, incidents=[county.inc_west_theft])
    assert case.owning_unit == county.ic
    new = do_save_rule(
        actor=county.planner,
        bureau=county.bureau,
        priority=5,
        name="东所盗窃",
        category="0102",
        target="unit",
        unit=county.east,
    )
    case = do_open_case(actor=county.center, bureau=county.bureau, incidents=[county.inc_east_theft])
    assert case.owning_unit == county.east and CaseTransfer.objects.get(case=case).reason == new.name


@pytest.mark.parametrize("persona", ["command", "center", "chief", "auditor", "community"])
def test_only_planners_edit_rules(county, rules, persona):
    before = _rule_state(county)
    with pytest.raises(PermissionDenied):
        do_save_rule(actor=getattr(county, persona), bureau=county.bureau, rule=rules[30], name="x")
    with pytest.raises(PermissionDenied):
        do_delete_rule(rules[10], actor=getattr(county, persona))
    assert _rule_state(county) == before


def test_the_outsider_edits_no_rules_here(county, rules, outsider):
    with pytest.raises(PermissionDenied):
        do_save_rule(actor=outsider, bureau=county.bureau, rule=rules[30], name="x")


# Who gets the rule pages (list, new), hand-written.
RULE_PAGES = {
    "command": (200, 403),
    "planner": (200, 200),
    "center": (200, 403),
    "prevention": (404, 404),
    "chief": (200, 403),
    "zone_lead": (404, 404),
    "community": (404, 404),
    "political": (404, 404),
    "auditor": (200, 403),
    "sysadmin": (404, 404),
}


@pytest.mark.parametrize("persona", sorted(RULE_PAGES))
def test_who_gets_the_rule_pages(client, county, rules, persona):
    client.force_login(getattr(county, persona))
    got = tuple(client.get(reverse(n)).status_code for n in ("cases:rule_list", "cases:rule_new"))
    assert got == RULE_PAGES[persona]


def test_the_rule_pages_save_through_the_service(client, county, rules, outsider):
    client.force_login(county.planner)
    r = client.get(reverse("cases:rule_list"))
    assert [x.priority for x in r.context["rules"]] == [10, 20, 30, 40, 50] and r.context["gaps"] == 0
    url = reverse("cases:rule_edit", args=[rules[50].pk])
    data = {"priority": 50, "name": "行政", "kind": "administrative", "target": "station", "active": ""}
    r = client.post(url, data)
    assert r.status_code == 200 and RoutingRule.objects.get(pk=rules[50].pk).active
    r = client.post(url, data | {"active": "on", "station_type": "preventive"})
    assert r.status_code == 200  # a gap: administrative cases of other stations
    r = client.post(url, data | {"active": "on", "suspected_series": "unknown"})
    assert r.status_code == 302 and RoutingRule.objects.get(pk=rules[50].pk).name == "行政"
    r = client.post(reverse("cases:rule_delete", args=[rules[50].pk]))
    assert r.status_code == 302 and RoutingRule.objects.filter(pk=rules[50].pk).exists()
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(reverse("cases:rule_delete", args=[rules[10].pk])).status_code == 404


def test_the_share_of_criminal_cases_the_center_owns_per_month(client, county):
    tz = dt.timezone(dt.timedelta(hours=8))
    table = [  # (opened, owner, kind)
        (dt.datetime(2018, 5, 31, 23, 30, tzinfo=tz), "west", "criminal"),  # May in the bureau's time
        (dt.datetime(2018, 6, 1, 0, 30, tzinfo=tz), "ic", "criminal"),
        (dt.datetime(2018, 6, 2, tzinfo=tz), "ic", "criminal"),
        (dt.datetime(2018, 6, 3, tzinfo=tz), "east", "criminal"),
        (dt.datetime(2018, 6, 3, tzinfo=tz), "ic", "criminal"),
        (dt.datetime(2018, 6, 3, tzinfo=tz), "west", "administrative"),  # not counted
    ]
    for n, (when, owner, kind) in enumerate(table):
        Case.objects.create(
            bureau=county.bureau,
            number=f"M{n}",
            kind=kind,
            title="x",
            owning_unit=getattr(county, owner),
            opened_at=when,
        )
    got = [(s.month, s.criminal, s.center) for s in center_share_by_month(county.center, county.bureau)]
    assert got == [(dt.date(2018, 5, 1), 1, 0), (dt.date(2018, 6, 1), 4, 3)]
    # the chief sees the west's cases only: none of the center's
    got = [(s.month, s.criminal, s.center) for s in center_share_by_month(county.chief, county.bureau)]
    assert got == [(dt.date(2018, 5, 1), 1, 0)]
    client.force_login(county.center)
    r = client.get(reverse("cases:case_board"))
    assert r.context["share_chart"] == {"labels": ["2018-05", "2018-06"], "values": [0.0, 75.0]}


@pytest.mark.slow
def test_the_demo_center_owns_about_80_percent_after_the_reform(demo_db):
    from jingwu.accounts.models import User
    from jingwu.core.models import Bureau

    bureau = Bureau.objects.order_by("pk").first()
    center = User.objects.filter(memberships__role="investigation_center", memberships__bureau=bureau).first()
    shares = center_share_by_month(center, bureau)
    assert RoutingRule.objects.filter(bureau=bureau).count() == 5
    reform = dt.date(2017, 5, 1)  # the demo's (demo/synth/common.py)
    before = [s for s in shares if s.month < reform]
    after = [s for s in shares if s.month >= reform]
    c_after = sum(s.center for s in after) / sum(s.criminal for s in after)
    c_before = sum(s.center for s in before) / max(1, sum(s.criminal for s in before))
    print(f"center share: before {c_before:.3f}, after {c_after:.3f} ({len(after)} months)")
    assert 0.75 < c_after < 0.85 and c_before < 0.05
    # docs/cases.md: 7,747 of 9,676 criminal cases opened from 2017-05 to 2018-12 (80.1%),
    # none of the 7,020 before; each month between 77.0% and 83.2%
    assert (sum(s.center for s in after), sum(s.criminal for s in after), len(after)) == (7_747, 9_676, 20)
    assert (sum(s.center for s in before), sum(s.criminal for s in before)) == (0, 7_020)
    assert (round(100 * min(s.share for s in after), 1), round(100 * max(s.share for s in after), 1)) == (
        77.0,
        83.2,
    )


def test_the_api_routes_by_the_amount_lost(county, rules):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(county.chief)
    r = api.post(
        reverse("api:case-list"),
        {"incidents": [county.inc_west_theft.pk], "amount_lost": "80000"},
        format="json",
    )
    assert r.status_code == 201, r.json()
    assert r.json()["owning_unit"] == county.ic.pk and r.json()["amount_lost"] == "80000.00"
    r = api.post(
        reverse("api:case-list"),
        {"incidents": [county.inc_west_dispute.pk], "amount_lost": "-1"},
        format="json",
    )
    assert r.status_code == 400 and "amount_lost" in r.json()
