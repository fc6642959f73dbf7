"""Inspections of key premises: visits (planned and made) and legal timers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingwu.core.models import TenantModel
from jingwu.engine import inspection_rules as rules

from .choices import (
    PLAN_STATUS_CHOICES,
    SANCTION_CHOICES,
    SOLVER_CHOICES,
    TIMER_KIND_CHOICES,
    VISIT_STATUS_CHOICES,
)


class InspectionPlan(TenantModel):
    """A planning run: the visits of a unit's premises over some days, teams and routes."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    start = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"))
    min_team = models.PositiveSmallIntegerField(_("smallest team"), default=2)
    max_team = models.PositiveSmallIntegerField(_("largest team"), default=3)
    visits_per_team_day = models.PositiveSmallIntegerField(_("visits a team a day"), default=6)
    solver = models.CharField(_("routing solver"), max_length=10, choices=SOLVER_CHOICES, default="pyvrp")
    leave = models.JSONField(_("leave"), default=dict, blank=True)  # officer id -> [ISO days]
    status = models.CharField(_("status"), max_length=12, choices=PLAN_STATUS_CHOICES, default="queued")
    results = models.JSONField(_("results"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.start:%Y-%m-%d} +{self.days}"


class Visit(TenantModel):
    """One inspection visit of one premises covering one or more elements."""

    premises = models.ForeignKey(
        "places.Premises",
        on_delete=models.PROTECT,
        related_name="inspection_visits",
        verbose_name=_("premises"),
    )
    status = models.CharField(_("status"), max_length=12, choices=VISIT_STATUS_CHOICES, default="planned")
    day = models.DateField(_("day"))
    elements = models.JSONField(_("elements"), default=list)  # element codes covered
    failed_items = models.PositiveIntegerField(_("failed checklist items"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    plan = models.ForeignKey(
        InspectionPlan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("plan"),
    )
    team = models.PositiveSmallIntegerField(
        _("team"), null=True, blank=True
    )  # index in plan.results["teams"]
    start_minute = models.PositiveSmallIntegerField(_("arrival"), null=True, blank=True)
    answers = models.JSONField(_("checklist answers"), default=dict, blank=True)  # item -> {result, note}
    submission = models.CharField(_("submission key"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["-day", "pk"]
        indexes = [models.Index(fields=["bureau", "premises", "status", "day"], name="visit_premises_idx")]

    def __str__(self) -> str:
        return f"{self.premises} · {self.day:%Y-%m-%d}"


class LegalTimer(TenantModel):
    """A legal deadline running at a premises, started by an event (a guest, a sale, a ledger)."""

    premises = models.ForeignKey(
        "places.Premises", on_delete=models.PROTECT, related_name="legal_timers", verbose_name=_("premises")
    )
    kind = models.CharField(_("obligation"), max_length=24, choices=TIMER_KIND_CHOICES)
    event_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("deadline"))
    done_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    missing = models.BooleanField(_("found missing"), default=False)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("legal timer")
        verbose_name_plural = _("legal timers")
        ordering = ["due_at", "pk"]
        indexes = [
            models.Index(fields=["bureau", "premises", "due_at"], name="timer_premises_idx"),
            models.Index(fields=["bureau", "done_at", "due_at"], name="timer_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.premises} · {self.get_kind_display()}"

    def state(self, now=None) -> str:
        return rules.timer_state(self.kind, self.due_at, self.done_at, self.missing, now or timezone.now())

    @property
    def mode(self) -> str:
        return rules.TIMER_RULES[self.kind].mode


def photo_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"inspections/{instance.bureau_id}/{instance.visit_id}/{instance.item}-{timezone.now():%H%M%S%f}.{ext}"


class VisitPhoto(TenantModel):
    """A photo taken at the door for one checklist item."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos", verbose_name=_("visit"))
    item = models.CharField(_("checklist item"), max_length=40)
    file = models.FileField(_("photo"), upload_to=photo_path)
    content_type = models.CharField(_("type"), max_length=40)
    size = models.PositiveIntegerField(_("size"))

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["visit", "item", "pk"]


class Finding(TenantModel):
    """A checklist item failed at a visit; it leads to a rectification order."""

    visit = models.ForeignKey(
        Visit, on_delete=models.CASCADE, related_name="findings", verbose_name=_("visit")
    )
    premises = models.ForeignKey(
        "places.Premises",
        on_delete=models.PROTECT,
        related_name="inspection_findings",
        verbose_name=_("premises"),
    )
    item = models.CharField(_("checklist item"), max_length=40)
    note = models.CharField(_("note"), max_length=500, blank=True)
    deadline = models.DateField(_("rectify by"))
    closed_on = models.DateField(_("rectified on"), null=True, blank=True)
    reinspection = models.ForeignKey(
        Visit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reinspected_findings",
        verbose_name=_("re-inspection"),
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return f"{self.premises} · {self.item}"

    @property
    def on_time(self) -> bool | None:
        return None if self.closed_on is None else self.closed_on <= self.deadline


class Sanction(TenantModel):
    """A step of the sanction ladder, for a finding (and the incident it concerns, if any)."""

    premises = models.ForeignKey(
        "places.Premises",
        on_delete=models.PROTECT,
        related_name="inspection_sanctions",
        verbose_name=_("premises"),
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.PROTECT, related_name="sanctions", verbose_name=_("finding")
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident"),
    )
    kind = models.CharField(_("sanction"), max_length=12, choices=SANCTION_CHOICES)
    step = models.PositiveSmallIntegerField(_("step of the ladder"))
    fine = models.PositiveIntegerField(_("fine (yuan)"), default=0)
    suspension_days = models.PositiveSmallIntegerField(_("days suspended"), default=0)
    decided_on = models.DateField(_("decided on"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-decided_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.premises} · {self.get_kind_display()}"


class DueRow(TenantModel):
    """The due table: what the due list needs of one premises, computed for a data date.

    Refreshed for a premises when a visit there is recorded (``do_record_visit``,
    ``do_submit_checklist``) and for a bureau by the sweep (``jingwu inspections sweep``);
    a row whose data date, bureau stamp (incidents in the risk window, the category
    requirements) or premises (category, place) no longer match is recomputed when read.
    Overdue legal timers are not stored: they are counted when read (they change with
    the hour)."""

    premises = models.ForeignKey(
        "places.Premises", on_delete=models.CASCADE, related_name="+", verbose_name=_("premises")
    )
    as_of = models.DateField(_("data date"))
    stamp = models.CharField(_("inputs stamp"), max_length=64)
    category = models.CharField(_("category"), max_length=40)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    last_visits = models.JSONField(_("last visit per element"), default=dict)  # code -> ISO day
    last_visit = models.DateField(_("last visit"), null=True, blank=True)
    failed = models.PositiveIntegerField(_("failed checklist items (two years)"), default=0)
    near = models.PositiveIntegerField(_("incidents nearby"), default=0)

    class Meta:
        verbose_name = _("due table row")
        verbose_name_plural = _("due table")
        constraints = [models.UniqueConstraint(fields=["bureau", "premises"], name="due_row_one_a_premises")]
        indexes = [models.Index(fields=["bureau", "as_of", "stamp"], name="due_row_fresh_idx")]

    def __str__(self) -> str:
        return f"{self.premises_id} @ {self.as_of:%Y-%m-%d}"
