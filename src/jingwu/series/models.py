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


class LeadSource(models.TextChoices):
    ADMISSION = "admission", _("Suspect's admission")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door visit")
    ANALYST = "analyst", _("Analyst")
    OTHER = "other", _("Other")


class LeadStatus(models.TextChoices):
    TO_CONTACT = "to_contact", _("To contact")
    REPORTED = "reported", _("Victim confirmed, report taken")
    NOT_VICTIM = "not_victim", _("Not a victim, nothing happened")
    UNREACHABLE = "unreachable", _("Unreachable")
    DECLINED = "declined", _("Declined to report")


# Statuses still to be followed up (the unreachable are tried again): these can be overdue.
OPEN_STATUSES = (LeadStatus.TO_CONTACT, LeadStatus.UNREACHABLE)


class UnreportedLead(TenantModel):
    """A possible victim of a series who never reported (未报案被害人/余罪线索): an offence the
    suspect admitted, or a door the officers found on the series' path. It is assigned to the
    station whose area it is in, which contacts the victim and records the outcome; a report
    taken is linked to the incident recorded for it (docs/series.md)."""

    series = models.ForeignKey(
        "cases.Series", on_delete=models.CASCADE, related_name="unreported_leads", verbose_name=_("series")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    first_day = models.DateField(_("on or from"))
    last_day = models.DateField(_("to"), null=True, blank=True)
    approximate = models.BooleanField(_("approximate date"), default=False)
    description = models.TextField(_("what happened"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=LeadSource.choices)
    premises = models.ForeignKey(
        "places.Premises",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key premises"),
    )
    contact_note = models.CharField(
        _("how to reach"),
        max_length=200,
        blank=True,
        help_text=_("Where and when to find the person (no names, phone or ID numbers)."),
    )
    station = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("station following up")
    )
    zone = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("zone")
    )
    grid = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grid")
    )
    due = models.DateField(_("follow up by"))
    status = models.CharField(
        _("follow-up"), max_length=12, choices=LeadStatus.choices, default=LeadStatus.TO_CONTACT
    )
    followed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )
    followed_up_on = models.DateField(_("followed up on"), null=True, blank=True)
    outcome_note = models.CharField(_("outcome note"), max_length=300, blank=True)
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident of the report"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )

    class Meta:
        verbose_name = _("unreported-victim lead")
        verbose_name_plural = _("unreported-victim leads")
        ordering = ["due", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="reported") | models.Q(incident__isnull=False),
                name="unreportedlead_report_has_incident",
            ),
            models.CheckConstraint(
                condition=models.Q(last_day__isnull=True) | models.Q(last_day__gte=models.F("first_day")),
                name="unreportedlead_day_order",
            ),
        ]
        indexes = [
            models.Index(fields=["bureau", "series"], name="unreportedlead_series_idx"),
            models.Index(fields=["bureau", "station", "status"], name="unreportedlead_station_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.first_day:%Y-%m-%d} {self.address}"[:80]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES
