"""The reform's claims measured on the demo county, and the textile town's change evaluated.

The demo county encodes the reform's facts (src/jingwu/demo/synth/README.md); these
tests check that the measurement finds them in the records, through the pages and the
scoping layer, with expectations written by hand from docs/analytics.md.
"""

import datetime as dt

import pytest
from django.urls import reverse

from jingwu.accounts.models import User
from jingwu.analytics.claims import reform_claims
from jingwu.analytics.evaluation import evaluate_change
from jingwu.core.models import Bureau
from jingwu.org.models import Unit

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(demo_db, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    bureau = Bureau.objects.get(code="330522")
    textile = Unit.objects.get(bureau=bureau, kind="station", name_zh__startswith="夹浦")
    return bureau, textile


def test_every_claim_is_measured_and_agrees(demo, client):
    bureau, _textile = demo
    client.force_login(User.objects.get(username="command"))
    r = client.get(reverse("analytics:claims"))
    assert r.status_code == 200
    ((shown_bureau, claims),) = r.context["reports"]
    assert shown_bureau == bureau
    got = {c.key: (c.measured, c.status) for c in claims}
    assert got["textile_police"] == ("18 → 15", "agrees")
    assert got["urban_age"] == ("47.6 → 34.7", "agrees")
    assert got["center_age"] == ("32.0", "agrees")
    assert got["women_strike"] == ("8", "agrees")
    assert got["station_types"] == ("2 / 5 / 6", "agrees")
    # the figures docs/analytics.md gives for the demo county (seed 2019)
    assert got["center_cases"] == ("80.1%", "agrees")
    note = next(c.note for c in claims if c.key == "center_cases")
    assert "9676" in note.replace(",", "") and "7747" in note.replace(",", "")
    assert got["textile_incidents"] == ("-28.1%", "agrees")
    assert b'data-claim="textile_incidents"' in r.content


def test_the_textile_towns_change_is_an_effect_not_chance(demo):
    bureau, textile = demo
    command = User.objects.get(username="command")
    e = evaluate_change(command, textile, dt.date(2017, 6, 1), "incidents", 12)
    assert e.months_before[0] == dt.date(2016, 6, 1) and e.months_after[-1] == dt.date(2018, 5, 1)
    assert len(e.comparisons) == 12
    assert e.did.significant and e.did.percent_high < -10.0  # the whole interval below -10%
    assert -40.0 < e.did.percent < -22.0
    assert e.synth is not None and -40.0 < e.synth.percent < -22.0
    # docs/analytics.md: -31.0%, 95% interval -36.2% to -25.4%; synthetic control -30.1%
    assert (round(e.did.percent, 1), round(e.did.percent_low, 1), round(e.did.percent_high, 1)) == (
        -31.0,
        -36.2,
        -25.4,
    )
    assert round(e.synth.percent, 1) == -30.1
    assert not e.trend.differs  # the demo's stations moved together before the change
    assert e.seasonal_ok
    # response times did not change with the zones: no effect found
    r = evaluate_change(command, textile, dt.date(2017, 6, 1), "response", 12)
    assert not r.did.significant


def test_the_effect_page_shows_the_verdict_and_its_caveats(demo, client):
    _bureau, textile = demo
    client.force_login(User.objects.get(username="command"))
    r = client.get(
        reverse("analytics:effect"),
        {"unit": textile.pk, "change": "2017-06-01", "measure": "incidents", "months": 12, "same_type": "on"},
    )
    assert r.status_code == 200
    e = r.context["result"]
    assert e is not None and len(e.comparisons) == 4  # the other proactive stations
    content = r.content.decode()
    assert "a change this large is unlikely to be chance" in content
    assert "Few comparison units (4)" in content
    assert "Seasonality: both windows hold the same calendar months" in content
    assert 'id="chart-effect"' in content


def test_a_station_chief_sees_no_other_station_to_compare_with(demo, client):
    _bureau, textile = demo
    client.force_login(User.objects.get(username="jiapu"))
    r = client.get(
        reverse("analytics:effect"),
        {"unit": textile.pk, "change": "2017-06-01", "measure": "incidents", "months": 12},
    )
    assert r.context["result"] is None
    assert "Too few comparison units: 0 other" in " ".join(r.context["form"].non_field_errors())


def test_claims_follow_the_scope_of_the_persona(demo):
    from django.utils import translation

    with translation.override("en"):
        _claims_follow_the_scope_of_the_persona(demo)


def _claims_follow_the_scope_of_the_persona(demo):
    bureau, _textile = demo
    chief = User.objects.get(username="zhicheng")  # the urban station's chief
    claims = {c.key: c for c in reform_claims(chief, bureau)}
    # the chief sees the own station only: the textile town is not measured for them
    assert claims["textile_police"].status == "unmeasured"
    assert claims["textile_police"].note.endswith("is outside your view.")
    assert claims["urban_age"].status == "agrees"
    assert claims["station_types"].measured == "1 / 0 / 0"
    political = User.objects.get(username="zhengzhi")
    claims = {c.key: c for c in reform_claims(political, bureau)}
    assert claims["textile_incidents"].status == "unmeasured"
    assert claims["textile_incidents"].note == "Incidents are outside your view."
    assert claims["textile_police"].measured == "18 → 15"


def test_the_result_page_in_chinese_has_no_english_left(demo, client):
    from tests.language_scan import english_words

    _bureau, textile = demo
    client.cookies["django_language"] = "zh-hans"
    client.force_login(User.objects.get(username="command"))
    for url, query in [
        (
            reverse("analytics:effect"),
            {"unit": textile.pk, "change": "2017-06-01", "measure": "incidents", "months": 12},
        ),
        (
            reverse("analytics:effect"),
            {"unit": textile.pk, "change": "2017-06-01", "measure": "response", "months": 6},
        ),
        (reverse("analytics:claims"), {}),
    ]:
        r = client.get(url, query)
        assert r.status_code == 200
        assert not english_words(r.content.decode()), (url, query, sorted(english_words(r.content.decode())))


def test_the_county_dashboard_adds_up_and_drills_down(demo, client):
    from tests.language_scan import english_words

    bureau, textile = demo
    client.force_login(User.objects.get(username="command"))
    hq = Unit.objects.get(bureau=bureau, kind="headquarters")
    r = client.get(reverse("analytics:dashboard", args=[hq.pk]))
    d = r.context["d"]
    assert d.last == dt.date(2018, 12, 31) and d.first == dt.date(2018, 1, 1)
    assert len(d.children) == 13
    assert sum(row["incidents"] for row in d.children) == d.incidents
    assert sum(d.by_month["series"][0]["values"]) == d.incidents
    jiapu = next(row for row in d.children if row["unit"] == textile)
    assert jiapu["police"] == 15
    r = client.get(reverse("analytics:dashboard", args=[textile.pk]))
    assert len(r.context["d"].children) == 3  # its three zones
    client.cookies["django_language"] = "zh-hans"
    for unit in (hq, textile):
        page = client.get(reverse("analytics:dashboard", args=[unit.pk])).content.decode()
        assert not english_words(page), sorted(english_words(page))
