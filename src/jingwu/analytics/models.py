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
    pdf = models.CharField(_("PDF file"), max_length=255, blank=True)
    xlsx = models.CharField(_("Excel file"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["bureau", "unit", "start"], name="report_unit_idx")]

    def __str__(self) -> str:
        return f"{self.unit} {self.start:%Y-%m}"
