"""Starting and cancelling jobs (the writes of the job pattern).

A domain service starts its long work with ``do_start_job`` in the same transaction as
its own row (the job is handed to the worker when that transaction commits), and lets
a user stop it with ``do_cancel_job``. ``run_now`` runs a job in the calling process
(the command line, tests) through exactly the same runner.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.services import service

from . import registry, runner
from .models import ENDED, Job, JobState


def _label(obj: models.Model | None) -> tuple[str, int | None]:
    if obj is None:
        return "", None
    return obj._meta.label_lower, obj.pk


@service
def do_start_job(
    kind: str,
    *,
    actor,
    bureau,
    target: models.Model | None = None,
    language: str | None = None,
    hand_out: bool = True,
) -> Job:
    """Queue a job of ``kind`` about ``target`` for ``actor``; the worker gets it on commit.

    The caller has authorised the work itself (it is the domain's service: "run this
    scenario", "import this file"); this records who started what, with the kind's
    limits. ``hand_out=False`` leaves it queued (for ``run_now``).
    """
    k = registry.get(kind)
    target_type, target_id = _label(target)
    job = Job.objects.create(
        bureau=bureau,
        kind=k.name,
        target_type=target_type,
        target_id=target_id,
        started_by=actor if getattr(actor, "pk", None) else None,
        language=(language or translation.get_language() or "")[:10],
        time_limit=k.time_limit,
        memory_limit=k.memory_limit,
        max_attempts=k.max_attempts,
    )
    audit.record(
        "create",
        actor=actor,
        bureau=bureau,
        obj=job,
        after={
            "kind": job.kind,
            "target": f"{target_type}:{target_id}" if target_type else "",
            "time_limit": job.time_limit,
            "memory_limit": job.memory_limit,
        },
    )
    if hand_out:
        transaction.on_commit(lambda: runner.enqueue(job))
    return job


@service
def do_cancel_job(job: Job, *, actor, reason: str = "") -> Job:
    """Ask a job to stop. A queued job ends at once; a running one at its next progress call.

    The caller has checked that ``actor`` may stop it (the starter, or who may change
    the job's target: see the domain's own cancel service).
    """
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.state in ENDED:
        raise ValidationError(_("This job has already ended."))
    if job.cancel_requested_at is not None:
        return job
    job.cancel_requested_at = timezone.now()
    job.cancelled_by = actor if getattr(actor, "pk", None) else None
    job.save(update_fields=["cancel_requested_at", "cancelled_by", "updated_at"])
    audit.record(
        "update",
        actor=actor,
        bureau=job.bureau,
        obj=job,
        after={"state": job.state, "cancel_requested": True},
        reason=reason or "cancel requested",
    )
    if job.state == JobState.QUEUED:
        runner._end(job, JobState.CANCELLED, "", worker=job.worker)
        job.refresh_from_db()
    return job


def run_now(job: Job, *, progress=None) -> Job:
    """Run a queued job in this process (command line, tests) through the same runner.

    ``progress(ctx)`` is called after each progress report of the work, in this process
    (``ctx.snapshot()``: phase, done, total, percent, message; ``ctx.target``: the row the
    work is about, when it says). Ctrl-C puts the job back in the queue (it resumes when
    run again) and propagates.
    """
    return runner.run(job.pk, inline=True, listener=progress) or job


def latest_job(target: models.Model) -> Job | None:
    """The newest job about ``target`` (its current or last run)."""
    target_type, target_id = _label(target)
    return (
        Job.objects.filter(bureau_id=target.bureau_id, target_type=target_type, target_id=target_id)
        .order_by("-created_at", "-id")
        .first()
    )
