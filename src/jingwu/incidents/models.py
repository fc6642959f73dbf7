"""Incidents (calls for service, 警情) and their category taxonomy."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import pick
from jingwu.core.models import TenantModel
from jingwu.engine.ids import mask_name, mask_phone

from .choices import SOURCE_CHOICES, STATUS_CHOICES


class IncidentCategory(models.Model):
    """A node of the national-style category taxonomy with a stable code.

    Reference data shared by all bureaus (in a distributed database: a reference table
    replicated to every node), seeded from ``jingwu.engine.vocab``.
    """

    code = models.CharField(_("code"), max_length=8, unique=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    name_zh = models.CharField(_("Chinese name"), max_length=40)
    name_en = models.CharField(_("English name"), max_length=60)
    criminal = models.BooleanField(_("criminal"), default=False)
    minutes = models.PositiveSmallIntegerField(_("minutes per call"), default=45)
    backup = models.FloatField(_("backup officers per call"), default=0)

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en)


class Incident(TenantModel):
    number = models.CharField(_("incident number"), max_length=32)
    source_system = models.CharField(_("source system"), max_length=32, blank=True)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    received_at = models.DateTimeField(_("received"))
    category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("category")
    )
    source = models.CharField(_("source"), max_length=10, choices=SOURCE_CHOICES, default="call_110")
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter phone"), max_length=20, blank=True)
    grid = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("grid")
    )
    zone = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("zone")
    )
    station = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("station"),
    )
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=STATUS_CHOICES, default="received")

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "number"], name="incident_number_unique"),
            models.UniqueConstraint(
                fields=["bureau", "source_system", "external_id"],
                condition=~models.Q(external_id=""),
                name="incident_external_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["bureau", "received_at"], name="incident_time_idx"),
            models.Index(fields=["bureau", "station", "received_at"], name="incident_station_idx"),
            models.Index(fields=["bureau", "zone", "received_at"], name="incident_zone_idx"),
            models.Index(fields=["bureau", "grid", "received_at"], name="incident_grid_idx"),
            models.Index(fields=["bureau", "category", "received_at"], name="incident_category_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def reporter_masked(self) -> str:
        return mask_name(self.reporter_name)

    @property
    def reporter_phone_masked(self) -> str:
        return mask_phone(self.reporter_phone)
