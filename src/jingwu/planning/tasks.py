"""Background tasks (django-q2): run a planning scenario in the worker."""

from __future__ import annotations


def run_scenario(scenario_id: int) -> str:
    """Run queued scenario ``scenario_id``; one that is not queued (done, running elsewhere) is left alone."""
    from .models import Scenario
    from .services import execute_scenario

    if not Scenario.objects.filter(pk=scenario_id).exists():
        return "missing"
    return execute_scenario(scenario_id, ticker=True).status
