"""Plans follow the bureau's data, not the server's today.

The test county's records reach 2018-06-03 (its last incident, Beijing time; its
postings start on 2017-05-01), and its usual year holds its four incidents. Today (the
machine's clock) is years later: a plan made "as of today" would stand on no incidents.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from jingwu.core.models import AuditEvent
from jingwu.personnel.models import Posting
from jingwu.planning.choices import ScenarioStatus
from jingwu.planning.models import Scenario, ScenarioMove
from jingwu.planning.services import (
    THIN_SHARE,
    IncidentCheck,
    apply_problem,
    do_apply_scenario,
    do_approve_scenario,
    do_create_scenario,
    do_run_scenario,
)

from .conftest import AS_OF, REFORM, SMALL

pytestmark = pytest.mark.django_db

DATA_DATE = dt.date(2018, 6, 3)
EMPTY = {"incidents_from": dt.date(2019, 1, 1), "incidents_to": dt.date(2019, 12, 31)}


def test_the_bureau_data_date_is_its_last_incident_or_posting(county):
    from jingwu.core.clock import data_date
    from jingwu.incidents.selectors import last_incident_day
    from jingwu.personnel.services import do_end_posting

    assert last_incident_day(county.bureau) == DATA_DATE
    assert data_date(county.bureau) == DATA_DATE
    posting = Posting.objects.get(officer=county.off_aux)
    do_end_posting(posting, actor=None, end=dt.date(2018, 9, 30))  # a posting date after the incidents
    assert data_date(county.bureau) == dt.date(2018, 9, 30)


def test_the_form_starts_from_the_bureau_data_not_today(client, county):
    client.force_login(county.planner)
    r = client.get(reverse("planning:scenario_new"))
    initial = r.context["form"].initial
    assert initial["as_of"] == DATA_DATE
    assert initial["reform_date"] == DATA_DATE + dt.timedelta(days=1)
    assert (initial["incidents_from"], initial["incidents_to"]) == (dt.date(2017, 6, 4), DATA_DATE)
    html = r.content.decode()
    assert 'value="2018-06-03"' in html and 'value="2017-06-04"' in html
    assert 'id="data-facts"' in html and "2018-06-03" in html


def test_the_cli_plans_from_the_bureau_data_date(county, tmp_path):
    from typer.testing import CliRunner

    from jingwu.cli import app

    params = tmp_path / "p.json"
    params.write_text('{"min_on_duty": 0, "ic_investigators": 0, "pc_specialists": 0, "bootstrap": 0}')
    r = CliRunner().invoke(
        app,
        ["plan", "run", "--bureau", county.bureau.code, "--user", county.planner.username]
        + ["--params", str(params)],
    )
    assert r.exit_code == 0, r.output
    s = Scenario.objects.get()
    assert (s.as_of, s.incidents_from, s.incidents_to) == (DATA_DATE, dt.date(2017, 6, 4), DATA_DATE)
    assert s.results["state"]["incidents"] == 4


@pytest.mark.parametrize(
    ("incidents", "days", "usual", "thin"),
    [
        # written by hand: the period counted per year against half of the usual year
        (0, 365, 1000, True),
        (0, 365, 0, True),  # a bureau without incidents: nothing to plan from
        (499, 365, 1000, True),
        (500, 365, 1000, False),
        (130, 91, 1000, False),  # a quarter: 521 a year
        (120, 91, 1000, True),  # 481 a year
        (4, 181, 4, False),  # the test county's plans: 8 a year against its 4
        (2, 366, 4, True),  # 1.99 a year
    ],
)
def test_the_threshold_of_a_thin_period(incidents, days, usual, thin):
    assert THIN_SHARE == 0.5
    first = dt.date(2018, 1, 1)
    check = IncidentCheck(
        incidents_from=first,
        incidents_to=first + dt.timedelta(days=days - 1),
        incidents=incidents,
        per_year=incidents * 365 / days,
        usual=usual,
        last_incident=dt.date(2018, 12, 31) if usual else None,
        data_date=dt.date(2018, 12, 31),
    )
    assert check.thin is thin
    assert bool(check.message()) is thin


def test_a_period_without_incidents_is_refused_unless_the_planner_says_why(county):
    with translation.override("en"), pytest.raises(ValidationError) as err:
        do_create_scenario(
            actor=county.planner, bureau=county.bureau, name="空窗", as_of=AS_OF, params=SMALL, **EMPTY
        )
    message = " ".join(err.value.message_dict["thin_data_reason"])
    assert "2019-01-01" in message and "no incidents" in message and "2018-06-03" in message
    assert "2017-06-04 to 2018-06-03" in message  # the period to choose instead
    assert not Scenario.objects.exists()
    with pytest.raises(ValidationError):  # a reason of substance, not a blank
        do_create_scenario(
            actor=county.planner,
            bureau=county.bureau,
            name="空窗",
            as_of=AS_OF,
            params=SMALL,
            thin_data_reason="  ",
            **EMPTY,
        )
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as err:
            do_create_scenario(
                actor=county.planner, bureau=county.bureau, name="空窗", as_of=AS_OF, params=SMALL, **EMPTY
            )
        assert "警情" in " ".join(err.value.messages)

    reason = "新区划下尚无警情，先按人员结构试算"
    s = do_create_scenario(
        actor=county.planner,
        bureau=county.bureau,
        name="空窗",
        as_of=AS_OF,
        params=SMALL,
        thin_data_reason=reason,
        **EMPTY,
    )
    event = AuditEvent.objects.get(object_type="planning.scenario", action="create")
    assert event.reason == reason and event.after["thin_data_reason"] == reason
    assert event.after["incident_check"]["incidents"] == 0 and event.after["incident_check"]["usual"] == 4
    s = do_run_scenario(s, actor=county.planner, sync=True)
    assert s.status == ScenarioStatus.DONE, s.error
    assert s.results["incident_check"]["thin"] and s.results["state"]["incidents"] == 0


def test_approval_shows_the_warning_and_records_it(client, county, other_county):
    reason = "试算：人员结构"
    s = do_create_scenario(
        actor=county.planner,
        bureau=county.bureau,
        name="空窗",
        as_of=AS_OF,
        params=SMALL,
        thin_data_reason=reason,
        **EMPTY,
    )
    s = do_run_scenario(s, actor=county.planner, sync=True)
    client.force_login(county.command)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        html = client.get(reverse("planning:scenario_detail", args=[s.pk])).content.decode()
    assert 'id="thin-warning"' in html and reason in html and "holds no incidents" in html
    assert "You approve a plan made from 0 incidents" in html
    client.force_login(other_county.planner)  # the outsider sees nothing of it
    assert client.get(reverse("planning:scenario_detail", args=[s.pk])).status_code == 404
    do_approve_scenario(s, actor=county.command, note="知悉")
    event = AuditEvent.objects.filter(object_type="planning.scenario", action="update").first()
    assert event.after["status"] == "approved" and "no incidents" in event.after["warning"]


def test_a_plan_with_its_data_shows_no_warning(client, county, done_scenario):
    assert not done_scenario.results["incident_check"]["thin"]
    client.force_login(county.command)
    html = client.get(reverse("planning:scenario_detail", args=[done_scenario.pk])).content.decode()
    assert 'id="thin-warning"' not in html and 'id="apply-problem"' not in html


def test_the_form_refuses_a_thin_period_on_the_page(client, county):
    client.force_login(county.planner)
    url = reverse("planning:scenario_new")
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(name="空窗", incidents_from="2019-01-01", incidents_to="2019-12-31")
    data.update({k: v for k, v in {"min_on_duty": 0}.items() if k in form.fields})
    r = client.post(url, data)
    assert r.status_code == 200 and not Scenario.objects.exists()
    assert r.context["form"].errors["thin_data_reason"]
    assert '<details class="mb-2" open>' in r.content.decode()
    r = client.post(url, data | {"thin_data_reason": "新区划试算"})
    assert r.status_code == 302
    assert Scenario.objects.get().thin_data_reason == "新区划试算"


def test_the_apply_date_field_shows_its_value(client, county, done_scenario):
    s = do_approve_scenario(done_scenario, actor=county.command)
    client.force_login(county.planner)
    html = client.get(reverse("planning:scenario_detail", args=[s.pk])).content.decode()  # zh-hans
    assert 'type="date"' in html
    assert f'name="apply_date" value="{REFORM.isoformat()}"' in html
    assert REFORM.strftime("%Y/%m/%d") not in html


def test_a_plan_whose_history_went_on_says_why_it_cannot_be_applied(client, county, done_scenario):
    """The records already hold postings after the plan's state (as the demo holds its 2017
    reform): the page says so before approval, and applying writes nothing."""
    from jingwu.personnel.services import do_create_posting, do_end_posting

    moves = list(
        ScenarioMove.objects.filter(scenario=done_scenario).select_related("officer", "from_posting")
    )
    assert moves
    m = moves[0]
    do_end_posting(m.from_posting, actor=None, end=AS_OF + dt.timedelta(days=2))
    later = do_create_posting(
        actor=None, officer=m.officer, unit=county.east, role="community", start=AS_OF + dt.timedelta(days=3)
    )
    with translation.override("en"):
        problem = apply_problem(done_scenario)
    assert m.officer.name in problem and "2018-06-30" in problem and later.start.isoformat() in problem
    assert f"1 of the {len(moves)} officers" in problem
    client.force_login(county.command)
    html = client.get(reverse("planning:scenario_detail", args=[done_scenario.pk])).content.decode()
    assert 'id="apply-problem"' in html and m.officer.name in html
    s = do_approve_scenario(done_scenario, actor=county.command)
    client.force_login(county.planner)
    html = client.get(reverse("planning:scenario_detail", args=[s.pk])).content.decode()
    assert 'id="apply-problem"' in html
    assert reverse("planning:scenario_apply", args=[s.pk]) not in html  # no button that cannot work
    before = Posting.objects.count()
    with pytest.raises(ValidationError) as err:
        do_apply_scenario(s, actor=county.planner)
    assert m.officer.name in " ".join(err.value.messages)
    r = client.post(reverse("planning:scenario_apply", args=[s.pk]), {"apply_date": REFORM.isoformat()})
    assert r.status_code == 302
    assert Posting.objects.count() == before
    assert Scenario.objects.get(pk=s.pk).status == ScenarioStatus.APPROVED


def test_ages_follow_the_bureau_data_date(client, county):
    """陈静 was born on 1990-09-09: 27 on the county's data date, whatever today is."""
    from jingwu.imports.exports import _officer_columns

    o = county.off_comm
    assert o.age() == 27 and o.age(dt.date(2019, 9, 9)) == 29
    client.force_login(county.chief)
    r = client.get(reverse("personnel:officer_detail", args=[o.pk]))
    assert r.context["age"] == 27
    listing = client.get(reverse("personnel:officer_list"), {"q": o.police_number})
    assert [x.age() for x in listing.context["page"]] == [27]
    by_band = client.get(reverse("personnel:officer_list"), {"age": "-29"}).context["page"]
    assert o in list(by_band)  # 27, not today's age
    age = next(c for c in _officer_columns() if str(c.header) in ("Age", "年龄"))
    assert age.get(o) == 27
    api = client.get(reverse("api:officer-detail", args=[o.pk])).json()
    assert api["age"] == 27
