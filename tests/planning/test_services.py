"""Create, run, approve and apply a scenario through the services, on the small test county."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from jingwu.core.audit import verify_chain
from jingwu.core.models import AuditEvent
from jingwu.personnel.models import Posting
from jingwu.planning.choices import ScenarioStatus
from jingwu.planning.models import Scenario, ScenarioMove
from jingwu.planning.services import (
    do_apply_scenario,
    do_approve_scenario,
    do_create_scenario,
    do_delete_scenario,
    do_run_scenario,
    do_update_scenario,
    do_withdraw_approval,
    scenarios_for,
)

from .conftest import AS_OF, REFORM

pytestmark = pytest.mark.django_db


def test_a_planner_creates_a_scenario_and_it_is_audited(county, make_scenario):
    s = make_scenario()
    assert s.status == ScenarioStatus.DRAFT and s.created_by == county.planner
    assert s.params["centralised_share"] == 0.8 and s.params["unit_targets"] == {"ZC": 2.0}
    event = AuditEvent.objects.get(object_type="planning.scenario", action="create")
    assert event.actor == county.planner and event.after["name"] == "测试方案"


def test_only_the_planner_creates(county, outsider):
    for user in (county.command, county.auditor, county.chief, outsider):
        with pytest.raises(PermissionDenied):
            do_create_scenario(actor=user, bureau=county.bureau, name="x", as_of=AS_OF)


def test_bad_parameters_and_dates_are_refused(county):
    with pytest.raises(ValidationError):
        do_create_scenario(
            actor=county.planner,
            bureau=county.bureau,
            name="x",
            as_of=AS_OF,
            params={"centralised_share": 1.5},
        )
    with pytest.raises(ValidationError):
        do_create_scenario(
            actor=county.planner, bureau=county.bureau, name="x", as_of=AS_OF, params={"typo": 1}
        )
    with pytest.raises(ValidationError):
        do_create_scenario(
            actor=county.planner, bureau=county.bureau, name="x", as_of=AS_OF, reform_date=AS_OF
        )
    with pytest.raises(ValidationError):
        do_create_scenario(actor=county.planner, bureau=county.bureau, name=" ", as_of=AS_OF)
    s = do_create_scenario(actor=county.planner, bureau=county.bureau, name="defaults", as_of=AS_OF)
    assert s.reform_date == AS_OF + dt.timedelta(days=1)
    assert (s.incidents_from, s.incidents_to) == (AS_OF - dt.timedelta(days=364), AS_OF)


def test_a_synchronous_run_produces_every_result(county, done_scenario):
    s = done_scenario
    assert s.status == ScenarioStatus.DONE, s.error
    assert s.progress == 100 and s.run_by == county.planner and s.finished_at is not None
    r = s.results
    assert {
        "stations",
        "demand",
        "staffing",
        "zones",
        "reassign",
        "figures",
        "shape",
        "timings",
        "state",
    } <= set(r)
    assert r["state"]["officers"] == 6 and r["state"]["police"] == 5
    assert {g["code"] for g in r["demand"]["grids"]} == {"S01-Z1-G1", "S01-Z1-G2", "S01-Z2-G1", "S02-Z1-G1"}
    assert r["demand"]["totals"]["incidents"] == pytest.approx(4 / r["state"]["years"], abs=0.1)
    # two stations: too few to cluster, the recorded types are kept
    assert {x["code"]: x["type"] for x in r["stations"]} == {"S01": "full_spectrum", "S02": "preventive"}
    assert r["reassign"]["feasible"] and r["reassign"]["gap"] is not None
    assert r["zones"]["station"] == "S01" and len(r["zones"]["zones"]) == 2 and not r["zones"]["error"]
    ic = next(f for f in r["figures"] if f["code"] == "ZC")
    assert ic["before"]["police"] == 1 and ic["after"]["police"] == 2
    moves = list(ScenarioMove.objects.filter(scenario=s))
    assert len(moves) == r["reassign"]["moves"] >= 1
    assert any(m.to_unit == county.ic and m.role == "investigator" for m in moves)
    assert all(m.from_posting is not None and m.reasons for m in moves)
    finished = AuditEvent.objects.filter(object_type="planning.scenario", reason="run finished").get()
    assert finished.actor == county.planner and finished.after["moves"] == len(moves)


def test_the_state_is_taken_from_the_postings_history(county, make_scenario):
    """An officer who moved later is planned where they were on the day of the state."""
    from jingwu.personnel.services import do_create_posting, do_end_posting
    from jingwu.planning.inputs import load_state

    p = Posting.objects.get(officer=county.off_comm)
    do_end_posting(p, actor=None, end=dt.date(2018, 3, 31))
    do_create_posting(
        actor=None, officer=county.off_comm, unit=county.east, role="community", start=dt.date(2018, 4, 1)
    )

    def where(day):
        state = load_state(
            county.bureau,
            as_of=day,
            reform_date=day + dt.timedelta(days=1),
            incidents_from=day,
            incidents_to=day,
        )
        return {o.id: o.unit for o in state.officers}[county.off_comm.pk]

    assert where(dt.date(2018, 3, 1)) == county.west.pk  # a grid of the west station counts for it
    assert where(dt.date(2018, 6, 30)) == county.east.pk
    before_posts = load_state(
        county.bureau,
        as_of=dt.date(2017, 4, 30),
        reform_date=dt.date(2017, 5, 1),
        incidents_from=dt.date(2017, 1, 1),
        incidents_to=dt.date(2017, 4, 30),
    )
    assert before_posts.officers == []  # everyone was posted from 2017-05-01


def test_a_planner_cannot_approve_and_command_approves(county, done_scenario):
    with pytest.raises(PermissionDenied):
        do_approve_scenario(done_scenario, actor=county.planner)
    with pytest.raises(PermissionDenied):
        do_approve_scenario(done_scenario, actor=county.auditor)
    s = do_approve_scenario(done_scenario, actor=county.command, note="同意")
    assert (
        s.status == ScenarioStatus.APPROVED and s.approved_by == county.command and s.approval_note == "同意"
    )
    assert AuditEvent.objects.filter(
        object_type="planning.scenario", actor=county.command, reason="同意"
    ).exists()
    with pytest.raises(ValidationError):  # approved: no second run, no change
        do_run_scenario(s, actor=county.planner, sync=True)
    with pytest.raises(ValidationError):
        do_update_scenario(s, actor=county.planner, name="y")
    s = do_withdraw_approval(s, actor=county.command)
    assert s.status == ScenarioStatus.DONE and s.approved_by is None


def test_apply_refuses_a_scenario_that_is_not_approved(county, make_scenario, done_scenario):
    with pytest.raises(ValidationError):
        do_apply_scenario(done_scenario, actor=county.planner)
    with pytest.raises(ValidationError):
        do_apply_scenario(make_scenario(), actor=county.planner)
    assert not Posting.objects.filter(start=REFORM).exists()


def test_applying_writes_the_postings_with_their_dates_audited(county, done_scenario):
    s = do_approve_scenario(done_scenario, actor=county.command)
    with pytest.raises(PermissionDenied):  # command approves; the planner writes the postings
        do_apply_scenario(s, actor=county.command)
    moves = list(ScenarioMove.objects.filter(scenario=s).select_related("from_posting"))
    s = do_apply_scenario(s, actor=county.planner)
    assert s.status == ScenarioStatus.APPLIED and s.applied_by == county.planner
    for m in ScenarioMove.objects.filter(scenario=s).select_related("posting", "from_posting"):
        assert m.from_posting.end == REFORM - dt.timedelta(days=1)
        assert m.posting.start == REFORM and m.posting.end is None
        assert (m.posting.unit_id, m.posting.role, m.posting.officer_id) == (
            m.to_unit_id,
            m.role,
            m.officer_id,
        )
        current = Posting.objects.filter(officer_id=m.officer_id).current(REFORM)
        assert [p.unit_id for p in current] == [m.to_unit_id]
    applied = AuditEvent.objects.get(action="apply")
    assert applied.actor == county.planner and applied.after["moves"] == len(moves)
    created = AuditEvent.objects.filter(
        object_type="personnel.posting", action="create", actor=county.planner
    )
    ended = AuditEvent.objects.filter(object_type="personnel.posting", action="update", actor=county.planner)
    assert created.count() == ended.count() == len(moves)
    assert verify_chain(county.bureau) == []
    with pytest.raises(ValidationError):  # once only
        do_apply_scenario(s, actor=county.planner)
    with pytest.raises(ValidationError):
        do_delete_scenario(s, actor=county.planner)


def test_apply_refuses_a_plan_whose_postings_changed(county, done_scenario):
    from jingwu.personnel.services import do_end_posting

    s = do_approve_scenario(done_scenario, actor=county.command)
    m = ScenarioMove.objects.filter(scenario=s).select_related("from_posting").first()
    do_end_posting(m.from_posting, actor=None, end=dt.date(2018, 5, 31))
    with pytest.raises(ValidationError):
        do_apply_scenario(s, actor=county.planner)
    assert not Posting.objects.filter(start=REFORM).exists()  # all or nothing
    assert Scenario.objects.get(pk=s.pk).status == ScenarioStatus.APPROVED


def test_rules_that_cannot_hold_are_explained_and_cannot_be_approved(county, make_scenario):
    s = make_scenario(min_on_duty=2)  # 2 on duty x 3 shifts x relief: more police than the county has
    s = do_run_scenario(s, actor=county.planner, sync=True)
    assert s.status == ScenarioStatus.DONE
    r = s.results["reassign"]
    assert not r["feasible"] and r["status"] == "INFEASIBLE"
    assert r["conflicts"] and any(c["rule"] == "on_duty" for c in r["conflicts"])
    assert not ScenarioMove.objects.filter(scenario=s).exists()
    with pytest.raises(ValidationError):
        do_approve_scenario(s, actor=county.command)


def test_a_queued_run_goes_to_the_worker(county, make_scenario, django_capture_on_commit_callbacks, sync_q):
    s = make_scenario()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        out = do_run_scenario(s, actor=county.planner)
    assert out.status == ScenarioStatus.QUEUED and len(callbacks) == 1
    assert Scenario.objects.get(pk=s.pk).status == ScenarioStatus.DONE  # the inline "worker" ran it


def test_a_failed_run_is_recorded(county, make_scenario, monkeypatch):
    from jingwu.planning import pipeline

    def boom(*args, **kwargs):
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(pipeline, "run_pipeline", boom)
    s = do_run_scenario(make_scenario(), actor=county.planner, sync=True)
    assert s.status == ScenarioStatus.FAILED and "solver exploded" in s.error
    assert AuditEvent.objects.filter(object_type="planning.scenario", reason="run failed").exists()
    s = do_run_scenario(s, actor=county.planner, sync=True)  # a failed run may be run again
    assert s.status == ScenarioStatus.FAILED


def test_update_and_delete(county, done_scenario):
    s = do_update_scenario(
        done_scenario, actor=county.planner, name="改名", params={"centralised_share": 0.6}
    )
    assert s.status == ScenarioStatus.DRAFT and s.results is None and s.params["centralised_share"] == 0.6
    assert not ScenarioMove.objects.filter(scenario=s).exists()
    with pytest.raises(PermissionDenied):
        do_delete_scenario(s, actor=county.command)
    do_delete_scenario(s, actor=county.planner)
    assert not Scenario.objects.filter(pk=s.pk).exists()
    assert AuditEvent.objects.filter(object_type="planning.scenario", action="delete").exists()


def test_scope_bureau_wide_for_planner_command_auditor(county, outsider, other_county, done_scenario):
    for user in (county.planner, county.command, county.auditor):
        assert list(scenarios_for(user)) == [done_scenario]
    for user in (county.chief, county.center, county.zone_lead, county.political, county.sysadmin, outsider):
        assert not scenarios_for(user).exists()
    assert not scenarios_for(other_county.planner).exists()


def test_a_planner_sets_a_station_target_and_age(county, make_scenario):
    s = do_run_scenario(
        make_scenario(unit_targets={"ZC": 2, "S02": 1}, unit_target_ages={"S01": 30}),
        actor=county.planner,
        sync=True,
    )
    rows = {r["code"]: r for r in s.results["staffing"]}
    assert rows["S02"]["basis"] == "set" and rows["S02"]["target_police"] == 1
    assert rows["ZC"]["basis"] == "set" and rows["S01"]["basis"] == "workload"
    assert rows["S01"]["target_police"] == pytest.approx(5 - 2 - 1, abs=0.05)
    with pytest.raises(ValidationError):
        make_scenario(unit_target_ages={"S01": 5})


def test_station_types_have_target_ages_and_workload_is_compared_across_stations(county, make_scenario):
    from jingwu.planning.inputs import ScenarioParams

    assert ScenarioParams().type_target_ages == {"full_spectrum": 35.0}
    assert ScenarioParams().workload_weight > 0
    with pytest.raises(ValidationError):
        make_scenario(type_target_ages={"sleepy": 35})
    with pytest.raises(ValidationError):
        make_scenario(type_target_ages={"full_spectrum": 70})
    with pytest.raises(ValidationError):
        make_scenario(workload_weight=-1)
    s = do_run_scenario(make_scenario(type_target_ages={}), actor=county.planner, sync=True)
    r = s.results["reassign"]
    assert r["feasible"]
    # the imbalance is taken over the stations only, the same way for the plan and the baselines
    assert r["imbalance_after"] == r["baselines"]["plan"]["imbalance"]
