"""Planning scenarios: parameters, the background run (a job), the results and the moves."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.models import TenantModel
from jingwu.personnel.choices import ROLE_CHOICES

from .choices import ACTIVE, FINISHED, RUNNABLE, ScenarioStatus, Step


class Scenario(TenantModel):
    """A what-if plan of the bureau: made from its state on ``as_of``, applied from ``reform_date``.

    ``params`` holds every setting of the pipeline (see ``jingwu.planning.inputs.ScenarioParams``);
    ``results`` the figures of the last run (demand, staffing, station types, zones,
    reassignment before/after, timings). The moves of the plan are ``ScenarioMove`` rows.
    """

    name = models.CharField(_("name"), max_length=120)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ScenarioStatus.choices, default=ScenarioStatus.DRAFT
    )
    as_of = models.DateField(_("state as of"), help_text=_("The staff and units as they were on this day."))
    reform_date = models.DateField(
        _("reform date"), help_text=_("The new structure applies, and the new postings start, on this day.")
    )
    incidents_from = models.DateField(_("incidents from"))
    incidents_to = models.DateField(_("incidents to"))
    thin_data_reason = models.TextField(
        _("reason to plan from few incidents"),
        blank=True,
        help_text=_(
            "Given by the planner when the incident period holds none, or far fewer than the "
            "bureau's usual year; shown at approval."
        ),
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    results = models.JSONField(_("results"), null=True, blank=True)
    run = models.ForeignKey(
        "jobs.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run"),
        help_text=_("The background job computing the plan (its current or last run)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run by"),
    )
    started_at = models.DateTimeField(_("run started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("run finished"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approval_note = models.TextField(_("approval note"), blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    class Meta:
        verbose_name = _("planning scenario")
        verbose_name_plural = _("planning scenarios")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(incidents_to__gte=models.F("incidents_from")),
                name="scenario_incident_period",
            ),
            models.CheckConstraint(
                condition=models.Q(reform_date__gt=models.F("as_of")), name="scenario_reform_after_state"
            ),
        ]
        indexes = [models.Index(fields=["bureau", "status"], name="scenario_status_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """Whether a run is under way (queued or running, and its job has not ended)."""
        if self.status not in ACTIVE:
            return False
        return self.run_id is None or self.run.is_live

    @property
    def runnable(self) -> bool:
        """Whether a run may start: a draft, finished or failed plan, or one whose run ended
        without saying so (its worker was ended past a limit)."""
        return self.status in RUNNABLE or (self.status in ACTIVE and not self.is_active)

    # The run's progress, read from its job (``jingwu.jobs``): the step it is at and the
    # share done while it runs; where a failed run stopped; "done" and 100 % once finished.

    def _shown_run(self):
        if not self.run_id:
            return None
        run = self.run
        return run if run.is_live or self.status == ScenarioStatus.FAILED else None

    @property
    def step(self) -> str:
        run = self._shown_run()
        if run is not None:
            return run.phase
        return Step.DONE if self.status in FINISHED else ""

    @property
    def progress(self) -> int:
        run = self._shown_run()
        if run is not None:
            return run.percent
        return 100 if self.status in FINISHED else 0

    @property
    def worker(self) -> str:
        run = self._shown_run()
        return run.worker if run is not None and run.is_live else ""

    def get_step_display(self) -> str:
        step = self.step
        return str(dict(Step.choices).get(step, step))

    @property
    def has_results(self) -> bool:
        return bool(self.results)


class ScenarioMove(TenantModel):
    """One officer moved by the plan, with the engine's reasons; ``posting`` once applied."""

    scenario = models.ForeignKey(
        Scenario, on_delete=models.CASCADE, related_name="moves", verbose_name=_("scenario")
    )
    officer = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    from_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("from unit")
    )
    to_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("to unit")
    )
    from_posting = models.ForeignKey(
        "personnel.Posting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posting the plan ends"),
    )
    role = models.CharField(_("new role"), max_length=24, choices=ROLE_CHOICES)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    posting = models.ForeignKey(
        "personnel.Posting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("new posting"),
    )

    class Meta:
        verbose_name = _("planned move")
        verbose_name_plural = _("planned moves")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "scenario", "officer"], name="scenario_move_unique"),
        ]
        indexes = [models.Index(fields=["bureau", "scenario"], name="scenario_move_idx")]

    def __str__(self) -> str:
        return f"{self.officer} · {self.from_unit} → {self.to_unit}"
