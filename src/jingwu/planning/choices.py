"""Statuses and steps of a planning scenario."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScenarioStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready for approval")
    FAILED = "failed", _("Failed")
    APPROVED = "approved", _("Approved")
    APPLIED = "applied", _("Applied")


#: A run may start from these statuses (a finished plan may be run again until approved).
RUNNABLE = (ScenarioStatus.DRAFT, ScenarioStatus.DONE, ScenarioStatus.FAILED)
#: The page polls the progress fragment while the scenario is in one of these.
ACTIVE = (ScenarioStatus.QUEUED, ScenarioStatus.RUNNING)
#: A run has finished (the plan has results).
FINISHED = (ScenarioStatus.DONE, ScenarioStatus.APPROVED, ScenarioStatus.APPLIED)


class Step(models.TextChoices):
    """The pipeline's steps, in order (the progress bar names the current one)."""

    LOAD = "load", _("Reading the bureau's data")
    DEMAND = "demand", _("Workload by grid, zone and station")
    CLASSIFY = "classify", _("Station types")
    STAFFING = "staffing", _("Officers needed per unit")
    ZONES = "zones", _("Zones")
    REASSIGN = "reassign", _("Reassignment of officers")
    REPORT = "report", _("Figures before and after")
    DONE = "done", _("Finished")


#: Share of the progress bar at the start of each step, in the order they run (the
#: reassignment takes the longest).
STEP_START = {
    Step.LOAD: 0,
    Step.CLASSIFY: 10,
    Step.DEMAND: 20,
    Step.STAFFING: 30,
    Step.ZONES: 35,
    Step.REASSIGN: 45,
    Step.REPORT: 95,
    Step.DONE: 100,
}
