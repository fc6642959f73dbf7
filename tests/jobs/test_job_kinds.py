"""Imports and planning runs are jobs of the job pattern: started through their services,
run by the job runner, cancelled, resumed by the sweep, held by their cap, stopped by a limit."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from jingwu.core.models import AuditEvent
from jingwu.imports.models import ImportRow
from jingwu.incidents.models import Incident
from jingwu.jobs import registry, runner
from jingwu.jobs.models import Job, JobState
from jingwu.jobs.services import latest_job, run_now
from jingwu.planning.choices import ScenarioStatus
from jingwu.planning.models import Scenario, ScenarioMove

from ..imports.conftest import X0, Y0
from ..planning.conftest import AS_OF, REFORM, SMALL


@pytest.fixture(autouse=True)
def quick(monkeypatch, settings, tmp_path):
    """The runner's watchdog ticks fast and reads a cancel at every progress call."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(registry, "KINDS", dict(registry.KINDS))
    monkeypatch.setattr(runner, "TICK", 0.05)
    monkeypatch.setattr(runner, "CANCEL_POLL", 0.0)


@pytest.fixture
def sync_q(monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


def _file(tmp_path, n: int, prefix: str = "K", name: str = "k.csv"):
    lines = ["外部编号,接警时间,类别代码,经度,纬度"]
    for i in range(n):
        lines.append(f"{prefix}{i},2018-07-01 08:{i % 60:02d},0101,{X0 + 0.001 + i * 1e-4},{Y0 + 0.004}")
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _import(county, tmp_path, n=2, prefix="K", name="k.csv", user=None):
    from jingwu.imports.services import create_job

    return create_job(
        kind="incidents",
        bureau=county.bureau,
        user=user or county.planner,
        path=_file(tmp_path, n, prefix, name),
    )


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


# -- imports -----------------------------------------------------------------------------


def test_an_import_started_through_its_service_runs_as_an_import_job(
    county, tmp_path, sync_q, django_capture_on_commit_callbacks
):
    from jingwu.imports.services import start_job

    job = _import(county, tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        run = start_job(job)  # as the page does: the worker (inline here) gets it on commit
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.run == run and latest_job(job) == run
    assert (run.kind, run.target_type, run.target_id) == ("import", "imports.importjob", job.pk)
    assert (run.time_limit, run.memory_limit, run.started_by) == (7200, 2048, county.planner)
    assert run.state == JobState.DONE and run.phase == "apply" and run.percent == 100
    assert job.status == "done" and job.created == 2 and job.rows_done == 2
    assert Incident.objects.filter(external_id__in=["K0", "K1"]).count() == 2
    assert not ImportRow.objects.filter(job=job).exists()  # the staged rows are tidied away
    reasons = list(
        AuditEvent.objects.filter(object_type="jobs.job", object_id=str(run.pk))
        .order_by("seq")
        .values_list("reason", flat=True)
    )
    assert reasons == ["", "job done"]
    assert AuditEvent.objects.get(action="import").after["status"] == "done"


def test_a_cancelled_import_changes_nothing_of_the_bureaus_data(county, tmp_path, monkeypatch):
    from jingwu.imports import kinds, services

    monkeypatch.setattr(kinds.IncidentHandler, "APPLY_SLICE", 1)
    job = _import(county, tmp_path, n=3)
    before = Incident.objects.count()
    seen = []

    def stop_while_saving(ij, phase, done):
        seen.append((phase, done))
        if phase == "apply" and done == 1:  # one row is written (in the open transaction)
            services.cancel_job(ij, actor=county.planner)

    job = services.process_job(job, progress=stop_while_saving)
    assert ("apply", 1) in seen and ("apply", 2) not in seen
    assert job.status == "cancelled" and job.created == 0
    assert Incident.objects.count() == before  # the row written is rolled back
    job.run.refresh_from_db()
    assert job.run.state == JobState.CANCELLED
    assert not ImportRow.objects.filter(job=job, status="ok").exists()
    report = services.job_report(job)
    assert not report.ok
    event = AuditEvent.objects.get(action="import", object_id=str(job.pk))
    assert event.after["status"] == "cancelled" and event.actor == county.planner
    with pytest.raises(Exception, match="not running|没有在运行"):
        services.cancel_job(job, actor=county.planner)


def test_the_import_page_shows_its_run_and_its_user_cancels_it_there(client, county, tmp_path):
    from jingwu.imports.services import start_job

    job = _import(county, tmp_path)
    run = start_job(job, hand_out=False)  # no worker: it waits in the queue
    client.force_login(county.planner)
    client.cookies["django_language"] = "en"
    frag = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'data-job-state="queued"' in frag and reverse("jobs:job_cancel", args=[run.pk]) in frag
    assert 'hx-trigger="every 1s"' in frag  # the import page polls while its run is live
    client.force_login(county.auditor)  # sees every import of the bureau, stops none
    frag = client.get(reverse("imports:job_progress", args=[job.pk])).content.decode()
    assert 'data-job-state="queued"' in frag and "/cancel/" not in frag
    client.force_login(county.planner)
    r = client.post(reverse("jobs:job_cancel", args=[run.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("imports:job_detail", args=[job.pk])
    job.refresh_from_db()
    run.refresh_from_db()
    assert job.status == "cancelled" and run.state == JobState.CANCELLED
    html = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()
    assert "Cancelled: nothing imported" in html and 'hx-trigger="every 1s"' not in html
    assert not Incident.objects.filter(external_id__in=["K0", "K1"]).exists()


def test_only_the_imports_user_may_cancel_it(county, outsider, tmp_path):
    from django.core.exceptions import PermissionDenied

    from jingwu.imports.services import cancel_job, start_job

    job = _import(county, tmp_path)
    run = start_job(job, hand_out=False)
    # the auditor sees it but imports nothing; the chief imports but does not see it
    for user in (county.auditor, county.chief, outsider):
        with pytest.raises(PermissionDenied):
            cancel_job(job, actor=user)
    run.refresh_from_db()
    assert run.state == JobState.QUEUED and run.cancel_requested_at is None
    cancel_job(job, actor=county.planner)
    job.refresh_from_db()
    assert job.status == "cancelled"
    event = AuditEvent.objects.get(object_type="jobs.job", object_id=str(run.pk), reason="import cancelled")
    assert event.actor == county.planner


def test_an_import_killed_midway_is_resumed_by_the_sweep_after_its_last_chunk(
    county, tmp_path, monkeypatch, sync_q
):
    from jingwu.imports import kinds, services

    monkeypatch.setattr(services, "CHUNK", 20)
    firsts: list[int] = []
    real = kinds.IncidentHandler.check

    def check(self, ctx, rows):
        firsts.append(rows[0].row_no)
        if len(firsts) == 2:
            raise KeyboardInterrupt  # Ctrl-C, or as good as a kill: the second chunk is not committed
        return real(self, ctx, rows)

    monkeypatch.setattr(kinds.IncidentHandler, "check", check)
    job = _import(county, tmp_path, n=50, prefix="R")
    with pytest.raises(KeyboardInterrupt):
        services.process_job(job)
    job.refresh_from_db()
    run = job.run
    assert run.state == JobState.QUEUED and run.worker == ""  # interrupted: back in the queue
    assert job.status == "checking" and (job.rows_done, job.last_row) == (20, 21)
    assert not Incident.objects.filter(external_id__startswith="R").exists()
    # the run was taken again by a worker that died (its process is gone)
    Job.objects.filter(pk=run.pk).update(
        state=JobState.RUNNING, worker=f"{socket.gethostname()}:{_dead_pid()}", attempts=1
    )
    assert runner.sweep()["resumed"] == 1
    run.refresh_from_db()
    job.refresh_from_db()
    assert run.state == JobState.DONE and run.attempts == 2
    assert firsts == [2, 22, 22, 42]  # resumed after row 21, the last committed chunk
    assert job.status == "done" and job.rows_done == 50 and job.created == 50
    assert Incident.objects.filter(external_id__startswith="R").count() == 50
    assert AuditEvent.objects.filter(
        object_type="jobs.job", object_id=str(run.pk), reason="job interrupted; queued again"
    ).exists()


def test_no_more_than_two_imports_run_at_once(county, tmp_path, sync_q):
    from jingwu.imports.services import JobBusy, process_job, start_job

    jobs = [_import(county, tmp_path, prefix=f"C{i}-", name=f"c{i}.csv") for i in range(3)]
    runs = [start_job(j, hand_out=False) for j in jobs]
    alive = f"{socket.gethostname()}:{os.getppid()}"  # two run in another live process
    Job.objects.filter(pk__in=[runs[0].pk, runs[1].pk]).update(
        state=JobState.RUNNING, worker=alive, attempts=1
    )
    third = run_now(runs[2])
    assert third.state == JobState.QUEUED and third.attempts == 0
    with pytest.raises(JobBusy):
        process_job(jobs[2])
    jobs[2].refresh_from_db()
    assert jobs[2].status == "queued"
    # a planning run is not held up by the imports (its own cap)
    assert registry.get("planning").cap == 1 and registry.get("import").cap == 2
    Job.objects.filter(pk=runs[0].pk).update(state=JobState.DONE, worker="")
    assert runner.kick("import") == 1  # handed out (and run: the queue is synchronous here)
    jobs[2].refresh_from_db()
    assert jobs[2].status == "done" and jobs[2].created == 2


@pytest.mark.parametrize(("lang", "text"), [("en", "ran longer than its limit of 1 seconds")])
def test_an_import_past_its_time_limit_fails_with_the_reason(county, tmp_path, monkeypatch, lang, text):
    from jingwu.imports import kinds, services

    monkeypatch.setenv("JINGWU_JOB_LIMITS", "import=1:2048")
    registry.register(registry.KINDS["import"])  # the installation's limits, as at start-up
    assert registry.get("import").time_limit == 1
    monkeypatch.setattr(services, "CHUNK", 5)
    real = kinds.IncidentHandler.check

    def slow(self, ctx, rows):
        time.sleep(0.4)
        return real(self, ctx, rows)

    monkeypatch.setattr(kinds.IncidentHandler, "check", slow)
    job = _import(county, tmp_path, n=40, prefix="L")
    job.language = lang
    job.save(update_fields=["language"])
    job = services.process_job(job)
    run = job.run
    assert run.state == JobState.FAILED and text in run.error and run.time_limit == 1
    assert job.status == "failed" and text in job.error
    assert 5 <= job.rows_done < 40  # stopped after a committed chunk, not at the end
    assert not Incident.objects.filter(external_id__startswith="L").exists()
    assert AuditEvent.objects.get(action="import", object_id=str(job.pk)).after["status"] == "failed"


# -- planning ----------------------------------------------------------------------------


def _scenario(county, **params):
    import datetime as dt

    from jingwu.planning.services import do_create_scenario

    return do_create_scenario(
        actor=county.planner,
        bureau=county.bureau,
        name="作业方案",
        as_of=AS_OF,
        reform_date=REFORM,
        incidents_from=dt.date(2018, 1, 1),
        incidents_to=AS_OF,
        params=SMALL | params,
    )


@pytest.mark.slow
def test_a_planning_run_started_through_its_service_runs_as_a_planning_job(
    county, sync_q, django_capture_on_commit_callbacks
):
    from jingwu.planning.services import do_run_scenario

    s = _scenario(county)
    with django_capture_on_commit_callbacks(execute=True):
        queued = do_run_scenario(s, actor=county.planner)
    assert queued.status == ScenarioStatus.QUEUED and queued.step == "" and queued.progress == 0
    s = Scenario.objects.get(pk=s.pk)
    run = s.run
    assert (run.kind, run.target_type, run.target_id) == ("planning", "planning.scenario", s.pk)
    assert (run.time_limit, run.memory_limit, run.state) == (3600, 4096, JobState.DONE)
    assert s.status == ScenarioStatus.DONE and s.results and s.started_at and s.finished_at
    assert (s.step, s.progress, s.worker) == ("done", 100, "")
    assert run.phase == "done" and run.percent == 100


def test_a_cancelled_planning_run_puts_the_scenario_back_to_draft(county, monkeypatch):
    from jingwu.planning import pipeline
    from jingwu.planning.services import do_cancel_run, do_run_scenario

    steps = []

    def pipeline_cancelled_midway(state, params, progress):
        progress("classify", 10)
        steps.append("classify")
        do_cancel_run(Scenario.objects.get(name="作业方案"), actor=county.planner)
        progress("demand", 20)  # the run stops here
        steps.append("demand")
        raise AssertionError("not reached")

    monkeypatch.setattr(pipeline, "run_pipeline", pipeline_cancelled_midway)
    s = do_run_scenario(_scenario(county), actor=county.planner, sync=True)
    assert steps == ["classify"]
    assert s.status == ScenarioStatus.DRAFT and s.results is None and s.error == ""
    assert s.run.state == JobState.CANCELLED and s.run.cancelled_by == county.planner
    assert (s.step, s.progress) == ("", 0)
    assert not ScenarioMove.objects.filter(scenario=s).exists()
    assert AuditEvent.objects.filter(
        object_type="planning.scenario", object_id=str(s.pk), reason="run cancelled"
    ).exists()


def test_a_failed_planning_run_keeps_its_error_and_shows_where_it_stopped(county, monkeypatch):
    from jingwu.planning import pipeline
    from jingwu.planning.services import do_run_scenario

    def boom(state, params, progress):
        progress("staffing", 30)
        raise RuntimeError("no room at the station")

    monkeypatch.setattr(pipeline, "run_pipeline", boom)
    s = do_run_scenario(_scenario(county), actor=county.planner, sync=True)
    assert s.status == ScenarioStatus.FAILED and "no room at the station" in s.error
    assert s.run.state == JobState.FAILED and s.error == s.run.error
    assert (s.step, s.progress) == ("staffing", 30)  # where it stopped


def test_the_scenario_page_shows_its_run_and_a_planner_cancels_it_there(client, county, outsider):
    from jingwu.planning.services import do_run_scenario

    s = do_run_scenario(_scenario(county), actor=county.planner)  # no worker: it waits in the queue
    cancel = reverse("planning:scenario_cancel", args=[s.pk])
    client.cookies["django_language"] = "en"
    client.force_login(county.command)  # sees the plan, may not stop its run
    frag = client.get(reverse("planning:scenario_progress", args=[s.pk])).content.decode()
    assert 'data-job-state="queued"' in frag and cancel not in frag
    assert client.post(cancel).status_code == 403
    client.force_login(outsider)
    assert client.post(cancel).status_code == 404
    assert Scenario.objects.get(pk=s.pk).status == ScenarioStatus.QUEUED
    client.force_login(county.planner)
    page = client.get(reverse("planning:scenario_detail", args=[s.pk])).content.decode()
    assert cancel in page and 'hx-trigger="every 1s"' in page
    r = client.post(cancel)
    assert r.status_code == 302 and r["Location"] == reverse("planning:scenario_detail", args=[s.pk])
    s.refresh_from_db()
    assert s.status == ScenarioStatus.DRAFT and s.run.state == JobState.CANCELLED
    assert client.post(cancel, follow=True).status_code == 200  # already stopped: said, nothing changes
