"""Candidate links between incidents, the analysts' decisions, and the runs that scored them.

The series themselves are ``cases.Series`` (with ``cases.SeriesIncident``): a series
built here from confirmed links is one of them, beside the series the demo and imports
bring (docs/series.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.models import TenantModel


class LinkStatus(models.TextChoices):
    OPEN = "open", _("To decide")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class LinkRun(TenantModel):
    """One scoring of candidate links: the window read, the model, what it found."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    first_day = models.DateField(_("from"))
    last_day = models.DateField(_("to"))
    method = models.CharField(_("model"), max_length=16, default="boosting")
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.QUEUED)
    results = models.JSONField(_("results"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("link scoring run")
        verbose_name_plural = _("link scoring runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["bureau", "created_at"], name="linkrun_time_idx")]

    def __str__(self) -> str:
        return f"{self.first_day:%Y-%m-%d} – {self.last_day:%Y-%m-%d}"


class CandidateLink(TenantModel):
    """A pair of incidents that may be one offender's work, with the model's probability."""

    run = models.ForeignKey(LinkRun, on_delete=models.SET_NULL, null=True, related_name="links")
    incident_a = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="+", verbose_name=_("incident")
    )
    incident_b = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="+", verbose_name=_("linked incident")
    )
    probability = models.FloatField(_("probability"))
    features = models.JSONField(_("features"), default=dict)
    status = models.CharField(
        _("decision"), max_length=12, choices=LinkStatus.choices, default=LinkStatus.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("candidate link")
        verbose_name_plural = _("candidate links")
        ordering = ["-probability", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "incident_a", "incident_b"], name="candidatelink_pair_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(incident_a__lt=models.F("incident_b")), name="candidatelink_order"
            ),
        ]
        indexes = [models.Index(fields=["bureau", "status", "-probability"], name="candidatelink_board_idx")]

    def __str__(self) -> str:
        return f"{self.incident_a_id}–{self.incident_b_id}"
