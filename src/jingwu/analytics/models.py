"""A requested report: a unit's figures for a month or a quarter, written as PDF and Excel by a job."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.models import TenantModel

PERIOD_CHOICES = [("month", _("Monthly")), ("quarter", _("Quarterly"))]


class Report(TenantModel):
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    period = models.CharField(_("period"), max_length=8, choices=PERIOD_CHOICES)
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    schedule = models.ForeignKey(
        "analytics.ReportSchedule",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("schedule"),
    )
    pdf = models.CharField(_("PDF file"), max_length=255, blank=True)
    xlsx = models.CharField(_("Excel file"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["bureau", "unit", "start"], name="report_unit_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "start"],
                condition=models.Q(schedule__isnull=False),
                name="analytics_report_scheduled_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.start:%Y-%m}"


class IndicatorSet(TenantModel):
    """The indicators a bureau judges one kind of unit on (a station type, for stations).

    Without a row the defaults of ``indicators.DEFAULT_SETS`` apply."""

    unit_kind = models.CharField(_("kind of unit"), max_length=24)
    station_type = models.CharField(_("station type"), max_length=16, blank=True, default="")
    codes = models.JSONField(_("indicators"), default=list)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "unit_kind", "station_type"], name="analytics_indicatorset_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_kind} {self.station_type}".strip()


class ReportSchedule(TenantModel):
    """A unit's report written every month or quarter, once the bureau's data cover the period."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    period = models.CharField(_("period"), max_length=8, choices=PERIOD_CHOICES)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("scheduled by"),
    )

    class Meta:
        verbose_name = _("report schedule")
        verbose_name_plural = _("report schedules")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "unit", "period"], name="analytics_schedule_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period}"


class PatrolTask(TenantModel):
    """A directed patrol: one forecast hot cell of a zone, to be patrolled in a time window.

    The dosage (time spent there) is read from the duty app's grid work log: the patrol
    entries of the cell's grid on the task's day."""

    zone = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("zone"))
    grid = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grid")
    )
    day = models.DateField(_("day"))
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    method = models.CharField(_("forecast method"), max_length=12)
    rank = models.PositiveSmallIntegerField(_("rank"))
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    cell_m = models.PositiveSmallIntegerField(_("cell size (m)"))
    share = models.FloatField(_("share of the forecast"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("directed patrol task")
        verbose_name_plural = _("directed patrol tasks")
        ordering = ["-day", "rank"]
        indexes = [models.Index(fields=["bureau", "zone", "day"], name="analytics_patrol_zone_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "zone", "day", "method", "rank"], name="analytics_patrol_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.zone} {self.day:%Y-%m-%d} #{self.rank}"
