"""Background tasks (django-q2) of the job pattern: run a job, and the minute's sweep."""

from __future__ import annotations


def run_job(job_id: int) -> str:
    """Run or resume job ``job_id`` in this worker; its state afterwards ("queued": cap reached)."""
    from django_q.conf import Conf

    from .runner import run

    # a cluster configured to run tasks in the caller's process runs jobs inline too
    job = run(job_id, inline=bool(Conf.SYNC))
    return job.state if job is not None else "missing"


def sweep() -> dict:
    """Resume jobs whose worker died and hand out queued ones (every minute)."""
    from .runner import sweep as do_sweep

    return do_sweep()
