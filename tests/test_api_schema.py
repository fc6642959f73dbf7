"""The OpenAPI schema is valid, and no generated GET request makes the API fail (5xx)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.management import call_command
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.slow


def test_the_schema_validates_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    for path in [
        "units",
        "officers",
        "postings",
        "premises",
        "incidents",
        "cases",
        "case-routing-rules",
        "case-deadline-limits",
        "case-deadlines",
        "case-reviews",
        "series",
        "series-links",
        "series-runs",
        "series-leads",
        "token",
        "eval-files",
        "incident-callbacks",
    ]:
        assert f"/api/v1/{path}/:" in text, path


def _real_ids(county) -> dict[str, list[int]]:
    from jingwu.cases.models import Case, CaseDeadline, CaseReview, DeadlineLimit, RoutingRule
    from jingwu.cases.services import seed_default_rules
    from jingwu.duty.models import Roster, RosterEntry
    from jingwu.incidents.models import Incident
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Officer, Posting
    from jingwu.places.models import Premises

    Case.objects.create(
        bureau=county.bureau,
        number="A001",
        kind="criminal",
        title="Theft",
        owning_unit=county.west,
        opened_at=county.inc_west_theft.received_at,
    )
    models = {
        "units": Unit,
        "officers": Officer,
        "postings": Posting,
        "premises": Premises,
        "incidents": Incident,
        "cases": Case,
        "duty-rosters": Roster,
        "duty-entries": RosterEntry,
        "case-routing-rules": RoutingRule,
        "case-deadline-limits": DeadlineLimit,
        "case-deadlines": CaseDeadline,
        "case-reviews": CaseReview,
    }
    _duty_roster(county)
    _case_rows(county)
    models["incident-callbacks"] = _callback(county)
    seed_default_rules(county.bureau)
    models |= _evaluation(county)
    models |= _series_rows(county)
    return {name: list(m.objects.values_list("pk", flat=True)) for name, m in models.items()}


def _callback(county):
    """A callback to the reporter of the west theft (for the callbacks endpoint)."""
    import datetime as dt

    from jingwu.incidents.models import Callback
    from jingwu.incidents.services import do_record_callback

    when = dt.datetime(2018, 6, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    do_record_callback(county.inc_west_theft, actor=None, result="satisfied", called_at=when)
    return Callback


def _series_rows(county) -> dict:
    """A scoring run, a confirmed link and the series built from it (for the series endpoints)."""
    import datetime as dt

    from jingwu.cases.models import Series
    from jingwu.series.models import CandidateLink, LinkRun, UnreportedLead
    from jingwu.series.services import do_add_lead, do_build_series

    run = LinkRun.objects.create(
        bureau=county.bureau, first_day=dt.date(2018, 1, 1), last_day=dt.date(2018, 12, 31), status="done"
    )
    a, b = sorted([county.inc_west_theft, county.inc_east_theft], key=lambda i: i.pk)
    link = CandidateLink.objects.create(
        bureau=county.bureau,
        run=run,
        incident_a=a,
        incident_b=b,
        probability=0.8,
        features={"distance_km": 1.0},
        status="confirmed",
    )
    series = do_build_series(county.bureau, actor=None, name="系列", link_ids=[link.pk])
    do_add_lead(
        series,
        actor=None,
        source="analyst",
        first_day=dt.date(2018, 5, 1),
        address="城西",
        station=county.west,
    )
    return {
        "series": Series,
        "series-links": CandidateLink,
        "series-runs": LinkRun,
        "series-leads": UnreportedLead,
    }


def _case_rows(county) -> None:
    """A time limit, and a solved case with its deadlines and a review (for their endpoints)."""
    from jingwu.cases.deadlines import do_set_limit
    from jingwu.cases.review import do_review_case
    from jingwu.cases.services import do_open_case, do_update_case

    do_set_limit(actor=None, bureau=county.bureau, kind="criminal", stage="filing", days=4, working=True)
    case = do_open_case(actor=None, bureau=county.bureau, incidents=[county.inc_east_theft])
    case = do_update_case(case, actor=None, status="solved")
    do_review_case(case, actor=None, items={}, outcome="returned", notes="缺少证人证言")


def _evaluation(county) -> dict:
    """A published cycle with a file, a star, an objection, an appeal and care records."""
    import datetime as dt

    from jingwu.evaluation import models as m
    from jingwu.evaluation import services as sv

    d = dt.date(2018, 6, 3)
    cycle = sv.do_create_cycle(
        actor=None,
        bureau=county.bureau,
        year=2018,
        quarter=2,
        nomination_deadline=d,
        self_assessment_deadline=d,
        scoring_deadline=d,
        review_deadline=d,
    )
    cycle = sv.do_open_cycle(cycle, actor=None)
    n = sv.do_nominate(cycle, actor=None, officer=county.off_comm, unit=county.west)
    standard = cycle.standards.first()
    m.StarAward.objects.create(
        bureau=county.bureau, nomination=n, officer=county.off_comm, cycle=cycle, standard=standard, score=90
    )
    m.Objection.objects.create(bureau=county.bureau, nomination=n, filed_on=d, text="异议内容十个字以上")
    m.Appeal.objects.create(bureau=county.bureau, nomination=n, filed_on=d, text="申诉内容十个字以上")
    sv.do_record_visit(actor=None, officer=county.off_comm, day=d, visitor="局长", note="看望家属。")
    sv.do_record_training(actor=None, officer=county.off_comm, day=d, topic="培训")
    return {
        "eval-cycles": m.Cycle,
        "eval-standards": m.Standard,
        "eval-files": m.Nomination,
        "eval-objections": m.Objection,
        "eval-appeals": m.Appeal,
        "eval-stars": m.StarAward,
        "eval-family-visits": m.FamilyVisit,
        "eval-training-days": m.TrainingDay,
        "eval-career-plans": m.CareerPlan,
    }


def _duty_roster(county) -> None:
    """A roster of the west station with one duty (for the duty endpoints' real ids)."""
    import datetime as dt

    from jingwu.duty.models import Roster, RosterEntry

    roster = Roster.objects.create(
        bureau=county.bureau, station=county.west, start=dt.date(2018, 6, 1), days=1
    )
    at = dt.datetime(2018, 6, 1, 0, tzinfo=dt.UTC)
    RosterEntry.objects.create(
        bureau=county.bureau,
        roster=roster,
        officer=county.off_lead,
        day=roster.start,
        shift="day",
        start=at,
        end=at + dt.timedelta(hours=12),
        zone=county.zone_s,
    )


@pytest.fixture
def wsgi_app(db):
    """The Django WSGI app on the test database (like the test client: connections stay open)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_no_get_operation_answers_with_a_server_error(county, wsgi_app):
    token = Token.objects.create(user=county.command)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    operations = [result.ok() for result in schema.include(method="GET").get_all_operations()]
    assert len(operations) == 52  # list and detail of twenty-six endpoints

    real_ids = _real_ids(county)
    for operation in operations:
        strategy = operation.as_strategy()
        name = operation.path.split("/")[3]
        if "{id}" in operation.path and real_ids[name]:  # half the examples open rows that exist
            strategy = st.one_of(
                strategy,
                st.sampled_from(real_ids[name]).flatmap(
                    lambda pk, op=operation: op.as_strategy(path_parameters={"id": pk})
                ),
            )

        @settings(
            max_examples=20,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=[not_a_server_error])

        check()

    # the generated requests did reach the data: a detail of a real row answers 200
    op = next(o for o in operations if o.path == "/api/v1/officers/{id}/")
    response = op.Case(path_parameters={"id": county.off_chief.pk}).call(headers=headers)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path, param",
    [
        ("/api/v1/series-leads/", "series"),
        ("/api/v1/series-links/", "run"),
        ("/api/v1/case-deadlines/", "case"),
        ("/api/v1/case-reviews/", "case"),
    ],
)
def test_an_id_filter_beyond_any_column_finds_nothing_rather_than_failing(county, path, param):
    """An id larger than a 64-bit column holds is no row's id: an empty list, not a 500
    (SQLite refuses such a number outright); other text is ignored as before."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(county.command)
    for value in (str(2**63), "9" * 40):
        r = api.get(path, {param: value})
        assert r.status_code == 200, (path, value, r.content[:200])
        body = r.json()
        assert (body["results"] if isinstance(body, dict) else body) == []
    assert api.get(path, {param: "²"}).status_code == 200  # a digit to str.isdigit, not to int()
