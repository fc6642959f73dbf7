"""Running a job: claim it, watch it (progress, heartbeat, limits, cancel), end it.

A job runs in a worker process of the django-q cluster (``jingwu serve`` starts it) or,
for the command line and tests, in the calling process (``inline``). Either way:

- **claim**: a queued job starts only while fewer than its kind's ``cap`` run; a
  running job whose worker process is gone is taken over (and counted as an attempt);
- **watch**: a watchdog thread measures the time and the worker's resident memory
  each second, and writes the job's progress and heartbeat (in worker mode, on its
  own database connection, so a long transaction of the work never hides or blocks
  them; the progress also goes to a small file a page on the same host can read);
- **stop**: ``ctx.progress()`` raises ``JobCancelled`` once someone asked to cancel,
  and ``JobLimitExceeded`` past the time or memory limit. A worker whose job does not
  stop within ``GRACE`` seconds of its limit (or grows past ``HARD_MEMORY_FACTOR`` of
  its memory limit) records the failure and ends its own process; the cluster starts
  a fresh one;
- **end**: the job's state, the domain row (``JobKind.on_ended``) and the audit event
  are written in one transaction; then the next queued job of the kind is handed out.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import traceback
import zlib
from pathlib import Path

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone, translation

from jingwu.core import audit
from jingwu.core.middleware import RequestContext, current_context, reset_context, set_context

from . import registry
from .models import LIVE, Job, JobState

log = logging.getLogger(__name__)

#: The watchdog measures every TICK seconds; writes the heartbeat at least every
#: HEARTBEAT seconds (progress as soon as it changes, at most once a TICK); reads the
#: cancel flag every CANCEL_POLL seconds.
TICK = 1.0
HEARTBEAT = 10.0
CANCEL_POLL = 2.0
#: Seconds a job may run on past its time limit (to reach its next ``progress`` call and
#: roll back) before a worker process ends itself.
GRACE = 30.0
#: A worker ends itself at once when its resident memory passes this many times the limit.
HARD_MEMORY_FACTOR = 1.5
#: A job whose worker lives on another host is taken for dead after this many seconds
#: without a heartbeat (on this host the worker's process is checked directly).
STALE_AFTER = 90.0
#: Longest error text kept on the job.
ERROR_CHARS = 4000


class JobCancelled(Exception):
    """Someone asked the job to stop."""


class JobLimitExceeded(Exception):
    """The job ran past its time or memory limit."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_dead(job: Job, now=None) -> bool:
    """Whether the worker running ``job`` is gone (its process on this host, or its heartbeat elsewhere)."""
    if job.state != JobState.RUNNING:
        return False
    host, _sep, pid = job.worker.rpartition(":")
    if not job.worker or not pid.isdigit():
        return True
    if host == socket.gethostname():
        return not _pid_alive(int(pid))
    now = now or timezone.now()
    beat = job.heartbeat or job.started_at
    return beat is None or (now - beat).total_seconds() > STALE_AFTER


def resident_mb() -> float:
    """This process's resident memory now, in MB (its peak where /proc is not available)."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def progress_path(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / f"{int(job_id)}.json"


def live_progress(job: Job) -> Job:
    """``job`` with the freshest progress its worker wrote to this host's progress file.

    A worker that cannot write the job's row (SQLite while the work holds the write
    lock) still writes the file; a page on the same host shows it.
    """
    if job.state not in LIVE:
        return job
    try:
        data = json.loads(progress_path(job.pk).read_text("utf-8"))
    except (OSError, ValueError):
        return job
    if data.get("worker") == job.worker and data.get("done", -1) >= job.done:
        for key in ("phase", "done", "total", "percent", "message"):
            if key in data:
                setattr(job, key, data[key])
    return job


class JobContext:
    """What a running job's code talks to: ``progress()`` and ``check()``.

    Progress is kept in memory and written by the watchdog (worker mode) or, at most
    once a second, by ``progress()`` itself (inline mode).
    """

    def __init__(self, job: Job, kind: registry.JobKind, *, inline: bool, listener=None) -> None:
        self.job = job
        self.kind = kind
        self.inline = inline
        #: ``listener(ctx)``, called in the working thread after every ``progress()`` (the
        #: command line's live progress: ``run_now(job, progress=...)``); what it raises propagates
        self.listener = listener
        #: the row the work is about, when the work sets it (what a listener may show)
        self.target = None
        self._lock = threading.Lock()
        self._state = {
            "phase": job.phase,
            "done": job.done,
            "total": job.total,
            "percent": job.percent,
            "message": job.message,
        }
        self._dirty = False
        self._stop_reason = ""
        self._cancelled = job.cancel_requested_at is not None
        self._t0 = time.monotonic()
        self.peak_mb = resident_mb()
        self._last_flush = 0.0
        self._last_cancel_poll = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._over_since: float | None = None
        self._owner = threading.current_thread()

    # -- what the work calls ---------------------------------------------------------

    def progress(
        self,
        done: int | None = None,
        total: int | None = None,
        *,
        phase: str | None = None,
        message: str | None = None,
        percent: int | None = None,
    ) -> None:
        """Say how far the work is; raises ``JobCancelled``/``JobLimitExceeded`` when it must stop."""
        with self._lock:
            s = self._state
            if phase is not None:
                s["phase"] = phase[:20]
            if total is not None:
                s["total"] = int(total)
            if done is not None:
                s["done"] = int(done)
            if message is not None:
                s["message"] = str(message)[:300]
            if percent is not None:
                s["percent"] = max(0, min(100, int(percent)))
            elif done is not None and s["total"]:
                s["percent"] = max(0, min(99, int(100 * s["done"] / s["total"])))
            self._dirty = True
        # a helper thread of the work (a ticker) only changes the state in memory: the
        # database is written by the working thread (inline) or the watchdog (worker)
        mine = threading.current_thread() is self._owner
        if self.inline and mine:
            now = time.monotonic()
            if now - self._last_flush >= TICK:
                self._flush_inline(now)
        if self.listener is not None and mine:
            self.listener(self)
        self.check()

    def check(self) -> None:
        """Raise if the job must stop (cancelled, or past a limit)."""
        if self.inline and threading.current_thread() is self._owner:
            now = time.monotonic()
            if now - self._last_cancel_poll >= CANCEL_POLL:
                self._last_cancel_poll = now
                self._cancelled = self._cancelled or self._read_cancel()
        if self._cancelled:
            raise JobCancelled()
        if self._stop_reason:
            raise JobLimitExceeded(self._stop_reason)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self._t0

    # -- the watchdog ----------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._watch, name=f"job-{self.job.pk}-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        try:
            progress_path(self.job.pk).unlink(missing_ok=True)
        except OSError:
            pass

    def snapshot(self) -> dict:
        with self._lock:
            return dict(self._state)

    def _limits(self) -> None:
        """Measure; set the stop reason past a limit; in worker mode end a process that will not stop."""
        from django.utils.translation import gettext as _

        mb = resident_mb()
        self.peak_mb = max(self.peak_mb, mb)
        job = self.job
        reason = ""
        if self.elapsed > job.time_limit:
            reason = _("The job ran longer than its limit of %(n)d seconds.") % {"n": job.time_limit}
        elif mb > job.memory_limit:
            reason = _("The job needed more memory than its limit of %(n)d MB.") % {"n": job.memory_limit}
        if reason and not self._stop_reason:
            self._stop_reason = reason
            self._over_since = time.monotonic()
        if self.inline or not self._stop_reason:
            return
        runaway = mb > HARD_MEMORY_FACTOR * job.memory_limit
        if runaway or time.monotonic() - (self._over_since or 0) > GRACE:
            self._die(self._stop_reason)

    def _die(self, reason: str) -> None:
        """End the job as failed (its row, the domain row and the audit event, as any other
        end) and this worker process (the cluster starts a new one).

        When the work holds the database, the job cannot be ended here: it stays running
        with this dead worker's name, and the sweep ends it (or runs it again) within a
        minute or two, domain row and audit event included.
        """
        log.error("job %s: %s; ending worker %s", self.job.pk, reason, worker_id())
        try:
            _end(self.job, JobState.FAILED, reason, worker=worker_id(), ctx=self, lock_timeout=True)
        except Exception:
            log.exception("job %s: could not record the failure; the sweep will", self.job.pk)
        self._exit(70)

    @staticmethod
    def _exit(code: int) -> None:
        os._exit(code)

    def _watch(self) -> None:
        language = self.job.language or settings.LANGUAGE_CODE
        with translation.override(language):
            try:
                if not self.inline and connection.vendor == "sqlite":
                    # never wait long for the lock the work may hold: try again next tick
                    with connection.cursor() as cur:
                        cur.execute("PRAGMA busy_timeout = 300")
                last_beat = 0.0
                while not self._stop.wait(TICK):
                    self._limits()
                    now = time.monotonic()
                    self._write_file()
                    if self.inline:
                        continue
                    if self._dirty or now - last_beat >= HEARTBEAT:
                        if self._flush():
                            last_beat = now
                    if now - self._last_cancel_poll >= CANCEL_POLL:
                        self._last_cancel_poll = now
                        self._cancelled = self._cancelled or self._read_cancel()
            except Exception:
                log.exception("watchdog of job %s", self.job.pk)
            finally:
                if not self.inline:
                    connection.close()

    def _fields(self) -> dict:
        with self._lock:
            self._dirty = False
            return {**self._state, "heartbeat": timezone.now(), "peak_memory": int(self.peak_mb)}

    def _flush(self) -> bool:
        try:
            Job.objects.filter(pk=self.job.pk, worker=self.job.worker).update(**self._fields())
            return True
        except OperationalError:  # SQLite: the work holds the write lock; the file says it
            self._dirty = True
            return False

    def _flush_inline(self, now: float) -> None:
        self._last_flush = now
        Job.objects.filter(pk=self.job.pk, worker=self.job.worker).update(**self._fields())

    def _read_cancel(self) -> bool:
        try:
            return Job.objects.filter(pk=self.job.pk, cancel_requested_at__isnull=False).exists()
        except OperationalError:
            return False

    def _write_file(self) -> None:
        path = progress_path(self.job.pk)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps({**self.snapshot(), "worker": self.job.worker}), "utf-8")
            tmp.replace(path)
        except OSError:  # progress is a courtesy: never fail a job for it
            pass


# ---------------------------------------------------------------------------------
# claim, run, end
# ---------------------------------------------------------------------------------


def _lock_kind(kind: str) -> None:
    """Serialise claims of one kind (PostgreSQL; SQLite's IMMEDIATE transactions already are)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [0x4A57, zlib.crc32(kind.encode()) & 0x7FFFFFFF]
            )


def claim(job_id: int) -> Job | None:
    """Take a job for this process: a queued one while its kind is under its cap, or one
    whose worker died. None when the job is not ours to run (ended, running elsewhere,
    cap reached: it stays queued and is handed out when a job of its kind ends)."""
    me = worker_id()
    with transaction.atomic():
        head = Job.objects.filter(pk=job_id).values("kind").first()
        if head is None:
            return None
        _lock_kind(head["kind"])
        job = (
            Job.objects.select_for_update(of=("self",)).select_related("bureau", "started_by").get(pk=job_id)
        )
        kind = registry.KINDS.get(job.kind)
        if kind is None:
            _end(job, JobState.FAILED, f"unknown job kind {job.kind!r}", worker=job.worker)
            return None
        takeover = False
        if job.state == JobState.QUEUED:
            if job.cancel_requested_at is not None:
                _end(job, JobState.CANCELLED, "", worker=job.worker)
                return None
            if Job.objects.filter(kind=job.kind, state=JobState.RUNNING).count() >= kind.cap:
                return None
        elif job.state == JobState.RUNNING and job.worker != me and is_dead(job):
            if job.attempts >= job.max_attempts:
                _end(
                    job,
                    JobState.FAILED,
                    _stopped_message(job),
                    worker=job.worker,
                )
                return None
            takeover = True
        else:
            return None
        job.state = JobState.RUNNING
        job.attempts += 1
        job.worker = me
        job.started_at = job.started_at or timezone.now()
        job.heartbeat = timezone.now()
        job.save(update_fields=["state", "attempts", "worker", "started_at", "heartbeat", "updated_at"])
        if takeover:
            audit.record(
                "update",
                actor=job.started_by,
                bureau=job.bureau,
                obj=job,
                after={"state": job.state, "attempts": job.attempts},
                reason="job resumed after its worker stopped",
            )
    return job


def _stopped_message(job: Job) -> str:
    from django.utils.translation import gettext as _

    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _("The job's worker stopped %(n)d times; it was not tried again.") % {"n": job.attempts}


def run(job_id: int, *, inline: bool = False, listener=None) -> Job | None:
    """Run (or resume) job ``job_id`` to its end, if it is ours to run; return it.

    ``listener(ctx)`` is called after every progress report of the work (in this thread).
    An interrupt (Ctrl-C on the command line, ``SystemExit``: any ``BaseException`` that is
    not an error of the work) puts the job back in the queue as it stands (its committed
    chunks kept) and propagates: run it again, or the worker cluster's sweep hands it out.
    """
    job = claim(job_id)
    if job is None:
        return Job.objects.filter(pk=job_id).first()
    kind = registry.get(job.kind)
    ctx = JobContext(job, kind, inline=inline, listener=listener)
    outer = current_context()
    token = set_context(
        RequestContext(
            request_id=outer.request_id if outer else f"job-{job.pk}",
            ip=outer.ip if outer else "",
            user_agent=outer.user_agent if outer else "",
            via=outer.via if outer else "job",
        )
    )
    state, error = JobState.DONE, ""
    ctx.start()
    try:
        tz = getattr(job.bureau, "timezone", "") or settings.TIME_ZONE
        with translation.override(job.language or settings.LANGUAGE_CODE), timezone.override(tz):
            kind.run(job, ctx)
    except JobCancelled:
        state = JobState.CANCELLED
    except JobLimitExceeded as exc:
        state, error = JobState.FAILED, exc.message
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        state = JobState.FAILED
        error = "".join(traceback.format_exception_only(exc)).strip()
    except BaseException:
        ctx.stop()
        try:
            _requeue(job, ctx)
        finally:
            reset_context(token)
        raise
    finally:
        ctx.stop()
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            _end(job, state, error, worker=job.worker, ctx=ctx)
    finally:
        reset_context(token)
    kick(job.kind)
    job.refresh_from_db()
    return job


def _requeue(job: Job, ctx: JobContext) -> None:
    """Put an interrupted job back in the queue, with the progress it had reached."""
    fields = {**ctx.snapshot(), "state": JobState.QUEUED, "worker": "", "peak_memory": int(ctx.peak_mb)}
    try:
        with transaction.atomic():
            if not Job.objects.filter(pk=job.pk, worker=job.worker, state=JobState.RUNNING).update(**fields):
                return  # ended elsewhere meanwhile
            audit.record(
                "update",
                actor=job.started_by,
                bureau=job.bureau,
                obj=job,
                after={"state": JobState.QUEUED, "attempts": job.attempts},
                reason="job interrupted; queued again",
            )
    except Exception:  # the interrupt wins: the sweep finds the job of a process that is gone
        log.exception("job %s: could not queue it again", job.pk)


def _end(
    job: Job,
    state: str,
    error: str,
    *,
    worker: str,
    ctx: JobContext | None = None,
    lock_timeout: bool = False,
) -> None:
    """End ``job`` in one transaction: its row, the domain row (``on_ended``) and the audit event.

    ``lock_timeout``: give up after a few seconds behind a row the work itself holds locked
    (a watchdog ending its own worker must not wait for the work it is ending).
    """
    with transaction.atomic():
        if lock_timeout and connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SET LOCAL lock_timeout = '3s'")
        fields = {
            "state": state,
            "error": error[:ERROR_CHARS],
            "finished_at": timezone.now(),
            "worker": "",
        }
        if ctx is not None:
            fields.update({k: v for k, v in ctx.snapshot().items()})
            fields["peak_memory"] = int(ctx.peak_mb)
        if state == JobState.DONE:
            fields["percent"] = 100
        if not Job.objects.filter(pk=job.pk, worker=worker).update(**fields):
            return  # ended elsewhere meanwhile (a watchdog that gave up, a sweeper)
        job.refresh_from_db()
        kind = registry.KINDS.get(job.kind)
        if kind is not None and kind.on_ended is not None:
            kind.on_ended(job)
        seconds = job.duration.total_seconds() if job.duration is not None else None
        audit.record(
            "update",
            actor=job.started_by,
            bureau=job.bureau,
            obj=job,
            after={
                "kind": job.kind,
                "target": f"{job.target_type}:{job.target_id}" if job.target_type else "",
                "state": job.state,
                "attempts": job.attempts,
                "seconds": round(seconds, 1) if seconds is not None else None,
                "peak_memory_mb": job.peak_memory,
                "error": job.error[:500],
            },
            reason=f"job {job.state}",
        )


# ---------------------------------------------------------------------------------
# handing jobs to the worker
# ---------------------------------------------------------------------------------


def enqueue(job: Job) -> None:
    """Hand ``job`` to the worker cluster (django-q2); a job handed out twice runs once."""
    from django_q.tasks import async_task

    async_task("jingwu.jobs.tasks.run_job", job.pk, task_name=f"job-{job.kind}-{job.pk}", group=job.kind)


def kick(kind_name: str) -> int:
    """Hand out the oldest queued jobs of a kind while it is under its cap; how many."""
    kind = registry.KINDS.get(kind_name)
    if kind is None:
        return 0
    running = Job.objects.filter(kind=kind_name, state=JobState.RUNNING).count()
    room = kind.cap - running
    if room <= 0:
        return 0
    queued = list(
        Job.objects.filter(kind=kind_name, state=JobState.QUEUED).order_by("created_at", "id")[:room]
    )
    for job in queued:
        enqueue(job)
    return len(queued)


def sweep() -> dict:
    """Resume jobs whose worker died, and hand out queued jobs nobody is running.

    Runs every minute in the worker cluster (a django-q schedule), so a job taken by a
    worker that died is retried within a minute or two.
    """
    now = timezone.now()
    resumed = failed = 0
    for job in Job.objects.filter(state=JobState.RUNNING).select_related("bureau", "started_by"):
        if not is_dead(job, now):
            continue
        if job.attempts >= job.max_attempts:
            with translation.override(job.language or settings.LANGUAGE_CODE):
                _end(job, JobState.FAILED, _stopped_message(job), worker=job.worker)
            failed += 1
        else:
            enqueue(job)
            resumed += 1
    handed = sum(
        kick(k) for k in Job.objects.filter(state=JobState.QUEUED).values_list("kind", flat=True).distinct()
    )
    return {"resumed": resumed, "failed": failed, "handed_out": handed}
