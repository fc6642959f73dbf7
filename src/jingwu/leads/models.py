"""Leads: entities named in incidents, cases and petitions, where they were named, and the
clusters of records that point at the same entities."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.models import TenantModel
from jingwu.core.roles import Role
from jingwu.engine.ids import mask_id_number, mask_phone
from jingwu.engine.leads import PERSONAL_KINDS, mask_plate

KIND_CHOICES = [
    ("company", _("Company")),
    ("phone", _("Phone number")),
    ("plate", _("Vehicle plate")),
    ("id_number", _("ID number")),
    ("address", _("Address")),
]
SOURCE_CHOICES = [("incident", _("Incident")), ("case", _("Case")), ("petition", _("Petition"))]
RUN_STATUS_CHOICES = [
    ("queued", _("Queued")),
    ("running", _("Running")),
    ("done", _("Finished")),
    ("failed", _("Failed")),
    ("cancelled", _("Cancelled")),
]
SOURCES = ("incident", "case", "petition")

# Who sees an entity's personal value (phone, plate, ID number) in full, with a reason that
# is audited: the roles that may reveal an officer's ID number, and the investigation
# center, whose work it is. Every other role with access sees the masked value.
REVEAL_ROLES = frozenset({Role.INVESTIGATION_CENTER, Role.BUREAU_COMMAND, Role.STATION_CHIEF, Role.AUDITOR})


def mask_value(kind: str, value: str) -> str:
    """How a value is shown before a reveal: personal kinds masked, companies and addresses as they are."""
    if kind == "phone":
        return mask_phone(value)
    if kind == "id_number":
        return mask_id_number(value)
    if kind == "plate":
        return mask_plate(value)
    return value


class Entity(TenantModel):
    """A company, phone number, plate, ID number or address, by its normalised value."""

    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES)
    value = models.CharField(_("value"), max_length=120)
    detail = models.CharField(_("detail"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "kind", "value"], name="leads_entity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.masked}"

    @property
    def personal(self) -> bool:
        return self.kind in PERSONAL_KINDS

    @property
    def masked(self) -> str:
        return mask_value(self.kind, self.value)


class Mention(TenantModel):
    """One place where a record (incident, case, petition) names an entity."""

    entity = models.ForeignKey(
        Entity, on_delete=models.CASCADE, related_name="mentions", verbose_name=_("entity")
    )
    source = models.CharField(_("source"), max_length=10, choices=SOURCE_CHOICES)
    record_id = models.PositiveBigIntegerField(_("record"))
    record_number = models.CharField(_("record number"), max_length=32)
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    criminal = models.BooleanField(_("criminal"), default=False)
    on_date = models.DateField(_("date"))
    start = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("mention")
        verbose_name_plural = _("mentions")
        ordering = ["on_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "source", "record_id", "entity", "start"], name="leads_mention_unique"
            )
        ]
        indexes = [
            models.Index(fields=["bureau", "entity", "on_date"], name="leads_mention_entity_idx"),
            models.Index(fields=["bureau", "source", "record_id"], name="leads_mention_record_idx"),
            models.Index(fields=["bureau", "unit", "on_date"], name="leads_mention_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.record_number} {self.entity}"


class ExtractionRun(TenantModel):
    """One reading of the bureau's records: where it got to (resumable), and what it found."""

    status = models.CharField(_("status"), max_length=10, choices=RUN_STATUS_CHOICES, default="queued")
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("job")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    cursors = models.JSONField(_("progress"), default=dict, blank=True)
    records = models.PositiveIntegerField(_("records read"), default=0)
    mentions = models.PositiveIntegerField(_("mentions"), default=0)
    clusters = models.PositiveIntegerField(_("clusters"), default=0)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("leads extraction")
        verbose_name_plural = _("leads extractions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.pk}"


class Cluster(TenantModel):
    """Records that point at the same entities, flagged for the investigation center.

    ``evidence``: per entity ``{"entity": id, "kind", "records": [[source, id, number,
    date, unit id], ...]}``, the most-named entity first.
    """

    run = models.ForeignKey(
        ExtractionRun, on_delete=models.CASCADE, related_name="+", verbose_name=_("extraction")
    )
    number = models.PositiveIntegerField(_("number"))
    records = models.PositiveIntegerField(_("records"))
    entities = models.PositiveIntegerField(_("entities"))
    first = models.DateField(_("first"))
    last = models.DateField(_("last"))
    evidence = models.JSONField(_("evidence"), default=list)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "run", "number"], name="leads_cluster_unique")
        ]

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.number}"
