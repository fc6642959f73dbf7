"""Background tasks (django-q2) of imports: an import runs as a job of the job pattern
(kind ``import``, ``jingwu.jobs.tasks.run_job``); this runs an import's run by the import's id."""

from __future__ import annotations


def run_job(job_id: int) -> str:
    """Run or resume import ``job_id`` (its current run; a new one if it has none); its status afterwards."""
    from jingwu.jobs.tasks import run_job as run_a_job

    from .models import ImportJob
    from .services import start_job

    job = ImportJob.objects.select_related("run").filter(pk=job_id).first()
    if job is None:
        return "missing"
    run = job.run if job.run_id and job.run.is_live else start_job(job, hand_out=False)
    run_a_job(run.pk)
    job.refresh_from_db()
    return job.status
