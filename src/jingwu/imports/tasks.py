"""Background tasks (django-q2): run an import job in the worker."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def run_job(job_id: int) -> str:
    """Run or resume import job ``job_id``; a job already finished or running elsewhere is left alone."""
    from .models import ImportJob
    from .services import JobBusy, process_job

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None:
        return "missing"
    try:
        job = process_job(job)
    except JobBusy:
        log.info("import job %s is running elsewhere", job_id)
        return "busy"
    return job.status
