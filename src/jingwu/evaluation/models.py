"""The Four-Star Officer evaluation: quarterly cycles, their standards and criteria.

A cycle's rules (standards, criteria, weights, pass marks) are its own rows: a new
cycle copies the rules of the one before, and once a cycle is opened its rules are
frozen, so last year's results keep last year's rules.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import pick
from jingwu.core.models import TenantModel

from .choices import CycleStatus, EvidenceSource


class Cycle(TenantModel):
    """One quarter's evaluation of a bureau, with its deadlines and its state."""

    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    status = models.CharField(_("status"), max_length=10, choices=CycleStatus.choices, default="draft")
    scale_max = models.PositiveSmallIntegerField(
        _("highest score of a criterion"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Each criterion is scored from 0 to this value."),
    )
    nomination_deadline = models.DateField(_("nominations until"))
    self_assessment_deadline = models.DateField(_("self-assessments until"))
    scoring_deadline = models.DateField(_("unit scoring until"))
    review_deadline = models.DateField(_("reviews until"))
    notice_days = models.PositiveSmallIntegerField(
        _("public notice (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    appeal_days = models.PositiveSmallIntegerField(
        _("appeals within (days)"), default=15, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    opened_on = models.DateField(_("opened"), null=True, blank=True)
    notice_start = models.DateField(_("notice from"), null=True, blank=True)
    notice_end = models.DateField(_("notice until"), null=True, blank=True)
    published_on = models.DateField(_("published"), null=True, blank=True)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rules copied from"),
    )

    class Meta:
        verbose_name = _("evaluation cycle")
        verbose_name_plural = _("evaluation cycles")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "year", "quarter"], name="eval_cycle_quarter_unique"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="eval_cycle_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} Q{self.quarter}"

    @property
    def rules_frozen(self) -> bool:
        return self.status != CycleStatus.DRAFT


class Standard(TenantModel):
    """One of a cycle's four standards (a star each)."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="standards", verbose_name=_("cycle")
    )
    code = models.CharField(_("code"), max_length=24)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The weighted score out of 100 that earns the star."),
    )

    class Meta:
        verbose_name = _("standard")
        verbose_name_plural = _("standards")
        ordering = ["cycle", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "cycle", "code"], name="eval_standard_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en or self.name_zh)


class Criterion(TenantModel):
    """A criterion of a standard, with its weight and the evidence beside it."""

    standard = models.ForeignKey(
        Standard, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("standard")
    )
    code = models.CharField(_("code"), max_length=24)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    weight = models.PositiveSmallIntegerField(
        _("weight"), validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    evidence = models.CharField(
        _("evidence"), max_length=16, choices=EvidenceSource.choices, default=EvidenceSource.OWN
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["standard", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "standard", "code"], name="eval_criterion_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en or self.name_zh)
