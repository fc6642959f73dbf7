"""Background tasks (django-q2) of planning: a plan runs as a job of the job pattern
(kind ``planning``, ``jingwu.jobs.tasks.run_job``); this runs a scenario's run by its id."""

from __future__ import annotations


def run_scenario(scenario_id: int) -> str:
    """Run scenario ``scenario_id``'s queued run; one not under way is left alone. Its status afterwards."""
    from jingwu.jobs.tasks import run_job

    from .models import Scenario

    scenario = Scenario.objects.filter(pk=scenario_id).first()
    if scenario is None:
        return "missing"
    if scenario.run_id and scenario.is_active:
        run_job(scenario.run_id)
        scenario.refresh_from_db()
    return scenario.status
