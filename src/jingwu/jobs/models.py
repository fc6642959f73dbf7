"""The job row: what runs, for whom, how far it is, and how it ended."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.models import TenantModel


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


#: States of a job that has not ended (a page polls while its job is in one of these).
LIVE = (JobState.QUEUED, JobState.RUNNING)
ENDED = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class Job(TenantModel):
    """One run of long work of a registered kind (``jingwu.jobs.registry``).

    ``target_type``/``target_id`` name the row the work is about (an import job, a
    planning scenario); that row keeps the domain's own state and results, this one the
    run: progress, the worker, limits, attempts, cancellation and how it ended.
    """

    kind = models.CharField(_("kind"), max_length=40)
    target_type = models.CharField(_("about (type)"), max_length=60, blank=True)
    target_id = models.BigIntegerField(_("about (id)"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    phase = models.CharField(_("phase"), max_length=20, blank=True)
    done = models.BigIntegerField(_("done"), default=0)
    total = models.BigIntegerField(_("total"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    heartbeat = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(_("maximum attempts"), default=3)
    time_limit = models.PositiveIntegerField(_("time limit (s)"), default=3600)
    memory_limit = models.PositiveIntegerField(_("memory limit (MB)"), default=2048)
    peak_memory = models.PositiveIntegerField(_("peak memory (MB)"), null=True, blank=True)
    cancel_requested_at = models.DateTimeField(_("cancel requested"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["bureau", "state"], name="job_bureau_state_idx"),
            models.Index(fields=["bureau", "target_type", "target_id"], name="job_target_idx"),
            # the worker's own questions ("how many imports run now?", "which jobs are
            # live?") span bureaus: the one index that does not lead with the bureau
            models.Index(fields=["state", "kind"], name="job_state_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_live(self) -> bool:
        return self.state in LIVE

    @property
    def kind_label(self) -> str:
        from .registry import KINDS

        k = KINDS.get(self.kind)
        return str(k.label) if k else self.kind

    @property
    def duration(self):
        if self.started_at is None:
            return None
        from django.utils import timezone

        return (self.finished_at or timezone.now()) - self.started_at
