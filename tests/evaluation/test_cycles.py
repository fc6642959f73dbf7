"""Slice 1: quarterly cycles, their four standards, criteria and weights, versioned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.evaluation import services
from jingwu.evaluation.models import Criterion, Cycle, Standard

from .helpers import TODAY, make_cycle

# The default rules, written out by hand: standard -> (pass mark, {criterion: weight}).
DEFAULT_RULES = {
    "loyalty": (80, {"political_study": 40, "duty_attendance": 60}),
    "service": (80, {"incidents_handled": 40, "visits_mediation": 30, "public_praise": 30}),
    "law": (80, {"case_quality": 70, "no_complaints": 30}),
    "discipline": (80, {"clean_record": 70, "training_days": 30}),
}


def rules(cycle):
    return {
        s.code: (s.pass_mark, {c.code: c.weight for c in s.criteria.all()})
        for s in Standard.objects.filter(cycle=cycle)
    }


def test_the_first_cycle_starts_with_the_four_default_standards(county):
    cycle = make_cycle(county)
    assert cycle.status == "draft" and cycle.copied_from is None
    assert rules(cycle) == DEFAULT_RULES
    with translation.override("zh-hans"):
        assert [s.name for s in cycle.standards.order_by("order")] == ["忠诚", "为民", "公正", "廉洁"]
    with translation.override("en"):
        assert cycle.standards.order_by("order").first().name == "Loyalty"
    ev = AuditEvent.objects.get(object_type="evaluation.cycle", object_id=str(cycle.pk))
    assert ev.action == "create" and ev.actor == county.political
    assert ev.after["rules"]["law"]["criteria"] == {"case_quality": 70, "no_complaints": 30}


def test_a_published_cycle_keeps_its_rules_when_the_next_one_changes(county):
    first = make_cycle(county, quarter=1)
    services.do_open_cycle(first, actor=county.political)
    second = make_cycle(county, quarter=2)
    assert second.copied_from == first and rules(second) == DEFAULT_RULES
    law = second.standards.get(code="law")
    services.do_update_standard(law, actor=county.political, pass_mark=90)
    cq = Criterion.objects.get(standard=law, code="case_quality")
    services.do_update_criterion(cq, actor=county.political, weight=50)
    nc = Criterion.objects.get(standard=law, code="no_complaints")
    services.do_update_criterion(nc, actor=county.political, weight=50)
    assert rules(second)["law"] == (90, {"case_quality": 50, "no_complaints": 50})
    assert rules(first) == DEFAULT_RULES  # the first cycle's rules are untouched
    # and the third cycle starts from the second's rules
    third = make_cycle(county, quarter=3)
    assert rules(third)["law"] == (90, {"case_quality": 50, "no_complaints": 50})


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def test_an_open_cycles_rules_are_frozen(county, english):
    cycle = make_cycle(county)
    services.do_open_cycle(cycle, actor=county.political)
    cycle.refresh_from_db()
    assert cycle.status == "open" and cycle.opened_on == TODAY
    std = cycle.standards.get(code="loyalty")
    with pytest.raises(ValidationError, match="already open"):
        services.do_update_standard(std, actor=county.political, pass_mark=50)
    crit = std.criteria.first()
    with pytest.raises(ValidationError, match="already open"):
        services.do_update_criterion(crit, actor=county.political, weight=1)
    with pytest.raises(ValidationError, match="already open"):
        services.do_add_criterion(std, actor=county.political, code="x", name_zh="新", weight=5)
    with pytest.raises(ValidationError, match="already open"):
        services.do_remove_criterion(crit, actor=county.political)
    assert rules(cycle) == DEFAULT_RULES


def test_weights_must_add_up_to_100_before_opening(county):
    cycle = make_cycle(county)
    crit = Criterion.objects.get(standard__cycle=cycle, code="public_praise")
    services.do_update_criterion(crit, actor=county.political, weight=20)
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        services.do_open_cycle(cycle, actor=county.political)
    assert "add up to 90, not 100" in str(exc.value)
    cycle.refresh_from_db()
    assert cycle.status == "draft"
    services.do_add_criterion(
        crit.standard, actor=county.political, code="visits", name_zh="走访", weight=10, evidence="incidents"
    )
    services.do_open_cycle(cycle, actor=county.political)
    assert Cycle.objects.get(pk=cycle.pk).status == "open"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"quarter": 5}, "quarter"),
        ({"quarter": 0}, "quarter"),
        ({"days": (10, 5, 15, 20)}, "self_assessment_deadline"),  # self-assessment before nominations
        ({"days": (5, 10, 15, 12)}, "review_deadline"),
    ],
)
def test_bad_cycles_are_refused_and_nothing_is_saved(county, changes, field):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_cycle(county, **changes)
    assert field in exc.value.message_dict
    assert not Cycle.objects.filter(bureau=county.bureau).exists()
    assert AuditEvent.objects.count() == before


def test_one_cycle_per_quarter(county):
    make_cycle(county)
    with translation.override("en"), pytest.raises(ValidationError, match="already has a cycle for 2018 Q2"):
        make_cycle(county)
    assert Cycle.objects.filter(bureau=county.bureau).count() == 1


def test_opening_after_the_nomination_deadline_is_refused(county):
    cycle = make_cycle(county, days=(-3, 5, 6, 7))
    with translation.override("en"), pytest.raises(ValidationError, match="has passed"):
        services.do_open_cycle(cycle, actor=county.political)


@pytest.mark.parametrize("persona", ["chief", "command", "community", "auditor", "planner"])
def test_only_the_political_department_sets_up_cycles(county, persona):
    with pytest.raises(PermissionDenied):
        make_cycle(county, actor=getattr(county, persona))
    cycle = make_cycle(county)
    with pytest.raises(PermissionDenied):
        services.do_open_cycle(cycle, actor=getattr(county, persona))
    assert Cycle.objects.get(pk=cycle.pk).status == "draft"


def test_an_outsider_cannot_touch_the_county_cycle(county, other_county):
    cycle = make_cycle(county)
    with pytest.raises(PermissionDenied):
        services.do_open_cycle(cycle, actor=other_county.political)
    with pytest.raises(PermissionDenied):
        services.do_update_standard(cycle.standards.first(), actor=other_county.political, pass_mark=1)


# --- pages ---------------------------------------------------------------------------

# persona -> (cycle list status, sees the create form)
LIST_PAGE = {
    "political": (200, True),
    "command": (200, False),
    "chief": (200, False),
    "zone_lead": (200, False),
    "community": (200, False),
    "center": (200, False),
    "prevention": (200, False),
    "auditor": (200, False),
    "planner": (404, False),
    "sysadmin": (404, False),
}


@pytest.mark.parametrize("persona", sorted(LIST_PAGE))
def test_the_cycle_pages_by_persona(client, county, persona):
    cycle = make_cycle(county)
    status, form = LIST_PAGE[persona]
    client.force_login(getattr(county, persona))
    r = client.get(reverse("evaluation:cycle_list"))
    assert r.status_code == status
    if status == 200:
        assert (b'name="nomination_deadline"' in r.content) == form
        assert reverse("evaluation:cycle_detail", args=[cycle.pk]).encode() in r.content
    r = client.get(reverse("evaluation:cycle_detail", args=[cycle.pk]))
    assert r.status_code == status
    if status == 200:
        assert (b'name="weight_' in r.content) == form


def test_the_outsider_sees_no_cycle_of_the_county(client, county, other_county):
    cycle = make_cycle(county)
    client.force_login(other_county.chief)
    r = client.get(reverse("evaluation:cycle_list"))
    assert r.status_code == 200 and cycle not in r.context["cycles"]
    assert client.get(reverse("evaluation:cycle_detail", args=[cycle.pk])).status_code == 404
    r = client.post(reverse("evaluation:cycle_detail", args=[cycle.pk]), {"action": "open"})
    assert r.status_code == 404
    assert Cycle.objects.get(pk=cycle.pk).status == "draft"


def test_the_political_department_creates_edits_and_opens_a_cycle_on_the_pages(client, county):
    client.force_login(county.political)
    url = reverse("evaluation:cycle_list")
    data = {
        "year": "2018",
        "quarter": "3",
        "nomination_deadline": "2018-06-10",
        "self_assessment_deadline": "2018-06-15",
        "scoring_deadline": "2018-06-20",
        "review_deadline": "2018-06-25",
    }
    client.cookies["django_language"] = "en"
    r = client.post(url, data | {"scoring_deadline": "2018-06-01"})
    assert r.status_code == 200 and not Cycle.objects.filter(bureau=county.bureau).exists()
    assert "unit scoring until cannot come before self-assessments until" in r.content.decode()
    client.cookies["django_language"] = "zh-hans"
    r = client.post(url, data | {"scoring_deadline": "2018-06-01"})
    assert "单位评分截止不能早于自评截止" in r.content.decode()
    r = client.post(url, data)
    cycle = Cycle.objects.get(bureau=county.bureau, year=2018, quarter=3)
    assert r.status_code == 302
    detail = reverse("evaluation:cycle_detail", args=[cycle.pk])
    post = {"action": "rules"}
    for s in cycle.standards.all():
        post[f"pass_{s.pk}"] = "85" if s.code == "service" else str(s.pass_mark)
        for c in s.criteria.all():
            post[f"weight_{c.pk}"] = str(c.weight)
            post[f"evidence_{c.pk}"] = c.evidence
    assert client.post(detail, post).status_code == 302
    assert cycle.standards.get(code="service").pass_mark == 85
    # a bad weight: nothing of the form is saved
    bad = dict(post)
    first = cycle.standards.get(code="loyalty").criteria.first()
    bad[f"weight_{first.pk}"] = "0"
    bad[f"pass_{cycle.standards.get(code='law').pk}"] = "70"
    r = client.post(detail, bad)
    assert r.status_code == 200 and r.context["errors"]
    assert cycle.standards.get(code="law").pass_mark == 80
    assert client.post(detail, {"action": "open"}).status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == "open"
    r = client.get(detail)
    assert b'name="weight_' not in r.content


def test_a_chief_cannot_post_the_rules(client, county):
    cycle = make_cycle(county)
    client.force_login(county.chief)
    r = client.post(reverse("evaluation:cycle_detail", args=[cycle.pk]), {"action": "open"})
    assert r.status_code == 403
    assert Cycle.objects.get(pk=cycle.pk).status == "draft"


def test_today_is_the_bureaus_data_date(county):
    assert services.today(county.bureau) == TODAY
    assert TODAY != dt.date.today()
