"""Cases (criminal or administrative), series of linked incidents, and petitions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.models import TenantModel
from jingwu.engine.ids import mask_name

from .choices import (
    CALENDAR_DAY_KIND_CHOICES,
    CASE_KIND_CHOICES,
    CASE_STAGE_CHOICES,
    CASE_STATUS_CHOICES,
    CASE_TRANSFER_KIND_CHOICES,
    PETITION_STATUS_CHOICES,
    REVIEW_OUTCOME_CHOICES,
    ROUTING_TARGET_CHOICES,
    SERIES_ORIGIN_CHOICES,
    STATION_TYPE_CHOICES,
)


class Case(TenantModel):
    number = models.CharField(_("case number"), max_length=32)
    kind = models.CharField(_("kind"), max_length=16, choices=CASE_KIND_CHOICES)
    category = models.ForeignKey(
        "incidents.IncidentCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    owning_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="cases", verbose_name=_("owning unit")
    )
    status = models.CharField(_("status"), max_length=16, choices=CASE_STATUS_CHOICES, default="registered")
    opened_at = models.DateTimeField(_("opened"))
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    amount_lost = models.DecimalField(
        _("amount lost (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    suspected_series = models.BooleanField(_("suspected series"), default=False)
    incidents = models.ManyToManyField(
        "incidents.Incident", through="CaseIncident", related_name="cases", verbose_name=_("incidents")
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at"]
        constraints = [models.UniqueConstraint(fields=["bureau", "number"], name="case_number_unique")]
        indexes = [models.Index(fields=["bureau", "owning_unit", "status"], name="case_unit_idx")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    # Statuses of a case still being worked on (a suspended case waits; closed and withdrawn ended).
    OPEN_STATUSES = ("registered", "investigating", "solved")
    ENDED_STATUSES = ("closed", "withdrawn")
    # Statuses of a case no longer open to solving: solved, or ended (the dashboard's open cases are the rest).
    SETTLED_STATUSES = ("solved", "closed", "withdrawn")

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CaseTransfer(TenantModel):
    """One hand-off of a case: who owned it, who owns it now, when, by whom and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("case"))
    kind = models.CharField(_("kind"), max_length=12, choices=CASE_TRANSFER_KIND_CHOICES, default="transfer")
    from_unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("from"),
    )
    to_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("case hand-off")
        verbose_name_plural = _("case hand-offs")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["bureau", "case", "at"], name="case_transfer_idx")]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_unit_id} -> {self.to_unit_id}"


class RoutingRule(TenantModel):
    """One rule of the bureau's case routing: which cases go to whom (first matching rule wins).

    A rule matches a case when every condition it sets holds: the kind, the category (the
    rule's category and every category under it), the amount lost at least ``min_amount``,
    the suspected series flag, and the type of the station where the first incident
    happened. Empty conditions match anything.
    """

    priority = models.PositiveIntegerField(_("priority"), help_text=_("Lower numbers are tried first."))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=CASE_KIND_CHOICES, blank=True)
    category = models.ForeignKey(
        "incidents.IncidentCategory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
    )
    min_amount = models.DecimalField(
        _("amount lost at least (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    suspected_series = models.BooleanField(_("suspected series"), null=True, blank=True)
    station_type = models.CharField(
        _("station type"), max_length=16, choices=STATION_TYPE_CHOICES, blank=True
    )
    target = models.CharField(_("owner"), max_length=8, choices=ROUTING_TARGET_CHOICES)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("named unit"),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["priority", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "priority"], name="routing_rule_priority_unique")
        ]

    def __str__(self) -> str:
        return f"{self.priority} {self.name}"


class CalendarDay(TenantModel):
    """A day of the bureau's calendar that is not as the week says: a holiday, or a weekend
    day worked (调休). Deadlines in working days count by it."""

    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=8, choices=CALENDAR_DAY_KIND_CHOICES)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["bureau", "day"], name="calendar_day_unique")]

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class DeadlineLimit(TenantModel):
    """The bureau's own time limit of one stage of one kind of case (days, natural or
    working); a stage without a row keeps the default limit (``engine.deadlines.LIMITS``).
    Set by bureau command through ``deadlines.do_set_limit``; every change is audited with
    the limit before and after."""

    kind = models.CharField(_("kind"), max_length=16, choices=CASE_KIND_CHOICES)
    stage = models.CharField(_("stage"), max_length=16, choices=CASE_STAGE_CHOICES)
    days = models.PositiveSmallIntegerField(_("days"))
    working = models.BooleanField(_("working days"), default=False)

    class Meta:
        verbose_name = _("deadline limit")
        verbose_name_plural = _("deadline limits")
        ordering = ["kind", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "kind", "stage"], name="deadline_limit_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.stage} {self.days}"


class CaseDeadline(TenantModel):
    """The deadline of one stage of a case; met when the case moves past the stage."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("case"))
    stage = models.CharField(_("stage"), max_length=16, choices=CASE_STAGE_CHOICES)
    due = models.DateField(_("due"))
    met_at = models.DateTimeField(_("met"), null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    last_escalated = models.DateField(_("last escalated"), null=True, blank=True)

    class Meta:
        verbose_name = _("case deadline")
        verbose_name_plural = _("case deadlines")
        ordering = ["due", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "case", "stage"], name="case_deadline_unique")
        ]
        indexes = [models.Index(fields=["bureau", "met_at", "due"], name="case_deadline_due_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.stage} {self.due}"


class Escalation(TenantModel):
    """One escalation (督办) of an overdue deadline to the next level of the unit tree."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="escalations", verbose_name=_("case")
    )
    deadline = models.ForeignKey(
        CaseDeadline, on_delete=models.CASCADE, related_name="+", verbose_name=_("deadline")
    )
    level = models.PositiveSmallIntegerField(_("level"))
    to_unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    as_of = models.DateField(_("as of"))
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.level} {self.to_unit_id}"


class CaseReview(TenantModel):
    """A quality review of a solved case's file (the checklist of its kind), before the file
    goes on; a file sent back returns to investigation and counts against its owner."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("case"))
    owning_unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("owning unit")
    )
    reviewer = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    at = models.DateTimeField(_("time"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=REVIEW_OUTCOME_CHOICES)
    items = models.JSONField(_("checklist"), default=dict)
    notes = models.TextField(_("reviewer's notes"), blank=True)

    class Meta:
        verbose_name = _("case review")
        verbose_name_plural = _("case reviews")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["bureau", "owning_unit", "outcome"], name="case_review_owner_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.outcome}"


class CaseIncident(TenantModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bureau", "case", "incident"], name="case_incident_unique")
        ]


class Series(TenantModel):
    """Incidents linked as the work of one offender or group (串并案)."""

    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=120)
    origin = models.CharField(_("origin"), max_length=16, choices=SERIES_ORIGIN_CHOICES, default="analyst")
    note = models.TextField(_("note"), blank=True)
    incidents = models.ManyToManyField(
        "incidents.Incident", through="SeriesIncident", related_name="series", verbose_name=_("incidents")
    )

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["bureau", "code"], name="series_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SeriesIncident(TenantModel):
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bureau", "series", "incident"], name="series_incident_unique")
        ]


class Petition(TenantModel):
    """A complaint letter or visit (信访件)."""

    number = models.CharField(_("petition number"), max_length=32)
    received_at = models.DateTimeField(_("received"))
    petitioner_name = models.CharField(_("petitioner"), max_length=50)
    petitioner_phone = models.CharField(_("phone"), max_length=20, blank=True)
    subject = models.CharField(_("subject"), max_length=200)
    content = models.TextField(_("content"), blank=True)
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="petitions", verbose_name=_("handling unit")
    )
    status = models.CharField(_("status"), max_length=12, choices=PETITION_STATUS_CHOICES, default="received")
    incidents = models.ManyToManyField(
        "incidents.Incident",
        through="PetitionIncident",
        blank=True,
        related_name="petitions",
        verbose_name=_("related incidents"),
    )

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["bureau", "number"], name="petition_number_unique")]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    @property
    def petitioner_masked(self) -> str:
        return mask_name(self.petitioner_name)


class PetitionIncident(TenantModel):
    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "petition", "incident"], name="petition_incident_unique"
            )
        ]
