"""Incidents (calls for service, 警情) and their category taxonomy."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import pick
from jingwu.core.models import TenantModel
from jingwu.engine.ids import mask_name, mask_phone

from .choices import SOURCE_CHOICES, STATUS_CHOICES, CallbackResult


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


class NearRepeatProfile(TenantModel):
    """The near-repeat pattern of the bureau's burglaries: a Knox test over the year up to
    ``as_of`` (``jingwu.incidents.nearrepeat``), and the risk area and window it supports
    (none when the nearest band after a burglary is not significant)."""

    as_of = models.DateField(_("as of"))
    first_day = models.DateField(_("from"))
    events = models.PositiveIntegerField(_("burglaries"))
    distance_band = models.FloatField(_("distance band (m)"))
    distance_bands = models.PositiveSmallIntegerField(_("distance bands"))
    time_band = models.FloatField(_("time band (days)"))
    time_bands = models.PositiveSmallIntegerField(_("time bands"))
    iterations = models.PositiveIntegerField(_("iterations"))
    seed = models.IntegerField(_("seed"), default=0)
    supported = models.BooleanField(_("pattern supported"), default=False)
    distance = models.FloatField(_("risk distance (m)"), null=True, blank=True)
    days = models.FloatField(_("risk window (days)"), null=True, blank=True)
    ratio = models.FloatField(_("Knox ratio, nearest band"), null=True, blank=True)
    p_value = models.FloatField(_("p-value, nearest band"), null=True, blank=True)
    table = models.JSONField(_("Knox table"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("computed"))

    class Meta:
        verbose_name = _("near-repeat profile")
        verbose_name_plural = _("near-repeat profiles")
        ordering = ["-as_of", "-id"]
        indexes = [models.Index(fields=["bureau", "as_of"], name="near_repeat_profile_idx")]

    def __str__(self) -> str:
        return f"{self.as_of} {self.supported}"


class NearRepeatAlert(TenantModel):
    """After a burglary: the zone within the risk distance, until the window ends."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="near_repeat_alerts", verbose_name=_("burglary")
    )
    zone = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("zone"))
    profile = models.ForeignKey(
        NearRepeatProfile, on_delete=models.PROTECT, related_name="alerts", verbose_name=_("evidence")
    )
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    radius = models.FloatField(_("radius (m)"))
    starts = models.DateField(_("from"))
    ends = models.DateField(_("until"))

    class Meta:
        verbose_name = _("near-repeat alert")
        verbose_name_plural = _("near-repeat alerts")
        ordering = ["-starts", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "incident", "zone"], name="near_repeat_alert_unique")
        ]
        indexes = [models.Index(fields=["bureau", "zone", "ends"], name="near_repeat_alert_zone_idx")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.zone_id} {self.ends}"


class Callback(TenantModel):
    """A call back to the person who reported an incident (警情回访): whether they are
    satisfied with how the police handled it. At most one completed callback per incident
    (the reporter reached); attempts that did not reach the reporter may repeat."""

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("incident")
    )
    called_at = models.DateTimeField(_("called"))
    result = models.CharField(_("result"), max_length=12, choices=CallbackResult.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    complaint = models.BooleanField(_("complaint"), default=False)
    officer = models.ForeignKey(
        "personnel.Officer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("called by (officer)"),
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["-called_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "incident"],
                condition=~models.Q(result="unreachable"),
                name="callback_completed_unique",
            )
        ]
        indexes = [
            models.Index(fields=["bureau", "called_at"], name="callback_time_idx"),
            models.Index(fields=["bureau", "incident"], name="callback_incident_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.called_at:%Y-%m-%d} {self.result}"

    @property
    def completed(self) -> bool:
        return self.result != CallbackResult.UNREACHABLE
