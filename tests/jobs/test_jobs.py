"""The job pattern: start, progress, end, cancel, limits, caps, a dead worker's job resumed, scope."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time

import pytest
from django.utils import timezone, translation

from jingwu.core.models import AuditEvent
from jingwu.jobs import registry, runner
from jingwu.jobs.models import Job, JobState
from jingwu.jobs.services import do_cancel_job, do_start_job, latest_job, run_now

SEEN: dict[str, list] = {}


def _count_to(n: int, sleep: float = 0.0):
    def run(job, ctx):
        SEEN.setdefault(job.kind, []).append(job.pk)
        for i in range(n):
            if sleep:
                time.sleep(sleep)
            ctx.progress(i + 1, n, phase="count", message=f"{i + 1}/{n}")

    return run


def _boom(job, ctx):
    ctx.progress(1, 10, phase="count")
    raise RuntimeError("the disk is on fire")


def _ended(job):
    SEEN.setdefault("ended", []).append((job.pk, job.state))


@pytest.fixture
def kinds(monkeypatch, settings, tmp_path):
    """Test kinds of long work (registered for the test only)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(registry, "KINDS", dict(registry.KINDS))
    monkeypatch.setattr(runner, "TICK", 0.05)
    monkeypatch.setattr(runner, "CANCEL_POLL", 0.0)
    SEEN.clear()
    registry.register(registry.JobKind(name="t.count", label="count", run=_count_to(5), on_ended=_ended))
    registry.register(registry.JobKind(name="t.boom", label="boom", run=_boom, on_ended=_ended))
    registry.register(
        registry.JobKind(name="t.slow", label="slow", run=_count_to(400, sleep=0.01), time_limit=1)
    )
    registry.register(
        registry.JobKind(name="t.fat", label="fat", run=_count_to(50, sleep=0.02), memory_limit=16)
    )
    return registry.KINDS


@pytest.fixture
def sync_q(monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)


def _start(county, kind="t.count", actor=None, **kw):
    return do_start_job(kind, actor=actor or county.planner, bureau=county.bureau, hand_out=False, **kw)


def test_a_job_runs_to_its_end_and_says_so(county, kinds):
    job = _start(county, target=county.west)
    assert job.state == JobState.QUEUED and job.started_by == county.planner
    assert job.time_limit == registry.DEFAULT_TIME_LIMIT and job.memory_limit == registry.DEFAULT_MEMORY_LIMIT
    job = run_now(job)
    assert job.state == JobState.DONE
    assert (job.done, job.total, job.percent, job.phase) == (5, 5, 100, "count")
    assert job.attempts == 1 and job.worker == "" and job.finished_at >= job.started_at
    assert job.peak_memory and job.peak_memory > 16
    assert SEEN["ended"] == [(job.pk, "done")]
    assert latest_job(county.west) == job
    events = list(AuditEvent.objects.filter(object_type="jobs.job", object_id=str(job.pk)).order_by("seq"))
    assert [e.action for e in events] == ["create", "update"]
    assert events[0].actor == county.planner and events[1].after["state"] == "done"


def test_a_failing_job_keeps_its_error_and_tells_its_domain(county, kinds):
    job = run_now(_start(county, "t.boom"))
    assert job.state == JobState.FAILED
    assert "the disk is on fire" in job.error
    assert SEEN["ended"] == [(job.pk, "failed")]


def test_a_queued_job_cancelled_never_runs(county, kinds):
    job = _start(county)
    job = do_cancel_job(job, actor=county.planner)
    assert job.state == JobState.CANCELLED and job.cancelled_by == county.planner
    run_now(job)
    assert "t.count" not in SEEN
    with pytest.raises(Exception, match="already ended|已经结束"):
        do_cancel_job(job, actor=county.planner)


def test_a_running_job_stops_at_its_next_progress_after_a_cancel(county, kinds):
    def run(job, ctx):
        ctx.progress(1, 100)
        do_cancel_job(job, actor=county.command)  # someone else, meanwhile
        for i in range(2, 101):
            ctx.progress(i, 100)
        SEEN["finished"] = True

    registry.register(registry.JobKind(name="t.cancel", label="c", run=run, on_ended=_ended))
    job = run_now(_start(county, "t.cancel"))
    assert job.state == JobState.CANCELLED
    assert "finished" not in SEEN and job.done < 100
    assert SEEN["ended"] == [(job.pk, "cancelled")]


@pytest.mark.parametrize(
    ("lang", "text"), [("en", "ran longer than its limit of 1 seconds"), ("zh-hans", "超过了时限 1 秒")]
)
def test_a_job_past_its_time_limit_is_stopped_with_a_reason(county, kinds, lang, text):
    job = run_now(_start(county, "t.slow", language=lang))
    assert job.state == JobState.FAILED
    assert text in job.error
    # stopped partway: it had started counting, and never reached the end of its 400 steps
    assert 0 < job.done < 400


def test_a_job_past_its_memory_limit_is_stopped(county, kinds):
    job = run_now(_start(county, "t.fat", language="en"))
    assert job.state == JobState.FAILED
    assert "more memory than its limit of 16 MB" in job.error
    assert job.done < 50


def test_limits_and_caps_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("JINGWU_JOB_LIMITS", "t.env=120:512,other=1:1")
    monkeypatch.setenv("JINGWU_JOB_CAPS", "t.env=4")
    k = registry.register(registry.JobKind(name="t.env", label="e", run=_boom))
    try:
        assert (k.time_limit, k.memory_limit, k.cap) == (120, 512, 4)
        monkeypatch.setenv("JINGWU_JOB_CAPS", "t.env=many")
        with pytest.raises(ValueError, match="JINGWU_JOB_CAPS"):
            registry.register(registry.JobKind(name="t.env", label="e", run=_boom))
    finally:
        registry.KINDS.pop("t.env", None)


def test_no_more_than_the_cap_of_a_kind_run_at_once(
    county, kinds, sync_q, django_capture_on_commit_callbacks
):
    first, second = _start(county), _start(county)
    # the first is running in another live process (this test's parent will do)
    Job.objects.filter(pk=first.pk).update(
        state=JobState.RUNNING, worker=f"{socket.gethostname()}:{os.getppid()}", attempts=1
    )
    assert runner.claim(second.pk) is None
    second.refresh_from_db()
    assert second.state == JobState.QUEUED
    # another kind is not held up by it
    other = run_now(_start(county, "t.boom"))
    assert other.state == JobState.FAILED
    # when the first ends, the next of its kind is handed out (and runs: the queue is synchronous here)
    Job.objects.filter(pk=first.pk).update(state=JobState.DONE, worker="")
    assert runner.kick("t.count") == 1
    second.refresh_from_db()
    assert second.state == JobState.DONE


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_the_job_of_a_worker_that_died_is_resumed_by_the_sweep(county, kinds, sync_q):
    job = _start(county)
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING,
        worker=f"{socket.gethostname()}:{_dead_pid()}",
        attempts=1,
        started_at=timezone.now(),
        heartbeat=timezone.now(),  # fresh: on this host the process itself is asked
    )
    assert runner.sweep() == {"resumed": 1, "failed": 0, "handed_out": 0}
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.attempts == 2
    assert AuditEvent.objects.filter(
        object_type="jobs.job", object_id=str(job.pk), reason="job resumed after its worker stopped"
    ).exists()


def test_a_job_whose_workers_keep_dying_is_given_up(county, kinds, sync_q):
    job = _start(county, language="en")
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING, worker=f"{socket.gethostname()}:{_dead_pid()}", attempts=3
    )
    assert runner.sweep()["failed"] == 1
    job.refresh_from_db()
    assert job.state == JobState.FAILED and "stopped 3 times" in job.error
    assert SEEN["ended"] == [(job.pk, "failed")]


def test_a_live_worker_keeps_its_job_and_a_distant_one_needs_a_heartbeat(county, kinds):
    job = _start(county)
    now = timezone.now()
    job.state = JobState.RUNNING
    job.worker = f"{socket.gethostname()}:{os.getpid()}"
    assert not runner.is_dead(job, now)
    job.worker = "another-host:4242"
    job.heartbeat = now - dt.timedelta(seconds=30)
    assert not runner.is_dead(job, now)
    job.heartbeat = now - dt.timedelta(seconds=runner.STALE_AFTER + 5)
    assert runner.is_dead(job, now)


def test_the_worker_cluster_sweeps_every_minute(db):
    from django_q.models import Schedule

    s = Schedule.objects.get(name="jingwu-jobs-sweep")
    assert (s.func, s.schedule_type, s.minutes, s.repeats) == (
        "jingwu.jobs.tasks.sweep",
        Schedule.MINUTES,
        1,
        -1,
    )


def test_a_job_is_handed_to_the_worker_when_its_transaction_commits(
    county, kinds, sync_q, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = do_start_job("t.count", actor=county.planner, bureau=county.bureau)
    job.refresh_from_db()
    assert job.state == JobState.DONE


# -- pages ---------------------------------------------------------------------------


def test_the_starter_follows_and_cancels_their_job(client, county, kinds):
    job = _start(county)
    client.force_login(county.planner)
    r = client.get(f"/jobs/{job.pk}/progress/")
    assert r.status_code == 200 and 'data-job-state="queued"' in r.content.decode()
    assert f"/jobs/{job.pk}/cancel/" in r.content.decode()
    assert client.get("/jobs/").status_code == 200
    r = client.post(f"/jobs/{job.pk}/cancel/")
    assert r.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED


def test_others_do_not_see_or_stop_someone_elses_job(client, county, outsider, kinds):
    job = _start(county)
    for user in (county.chief, outsider):
        client.force_login(user)
        assert client.get(f"/jobs/{job.pk}/progress/").status_code == 404
        assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 404
    client.force_login(county.auditor)  # reads every job of the bureau, stops none
    r = client.get(f"/jobs/{job.pk}/progress/")
    assert r.status_code == 200 and "/cancel/" not in r.content.decode()
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 404
    job.refresh_from_db()
    assert job.state == JobState.QUEUED


def test_the_job_list_shows_a_user_their_own_jobs_only(client, county, kinds):
    mine, theirs = _start(county), _start(county, actor=county.command)
    client.force_login(county.planner)
    with translation.override("en"):
        page = client.get("/jobs/").content.decode()
    assert f"/jobs/{mine.pk}/progress/" in page and f"/jobs/{theirs.pk}/progress/" not in page
    client.logout()
    assert client.get("/jobs/").status_code == 302  # to the log-in


def test_a_worker_ending_itself_over_its_limits_ends_the_job_like_any_other_end(county, kinds, monkeypatch):
    """The domain row (``on_ended``) and the audit event follow a job killed over memory."""
    job = _start(county)
    Job.objects.filter(pk=job.pk).update(state=JobState.RUNNING, worker=runner.worker_id(), attempts=1)
    job.refresh_from_db()
    ctx = runner.JobContext(job, kinds["t.count"], inline=False)
    ctx.peak_mb = 321.0
    exits = []
    monkeypatch.setattr(ctx, "_exit", exits.append)
    ctx._die("needed more memory than its limit")
    job.refresh_from_db()
    assert exits == [70]
    assert (job.state, job.error, job.worker, job.peak_memory) == (
        JobState.FAILED,
        "needed more memory than its limit",
        "",
        321,
    )
    assert SEEN["ended"] == [(job.pk, "failed")]
    assert AuditEvent.objects.filter(
        object_type="jobs.job", object_id=str(job.pk), reason="job failed"
    ).exists()
