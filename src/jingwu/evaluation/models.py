"""The Four-Star Officer evaluation: quarterly cycles, their standards and criteria.

A cycle's rules (standards, criteria, weights, pass marks) are its own rows: a new
cycle copies the rules of the one before, and once a cycle is opened its rules are
frozen, so last year's results keep last year's rules.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import pick
from jingwu.core.models import TenantModel

from .choices import (
    AppealStatus,
    CommitteeDecision,
    ConductKind,
    CycleStatus,
    EvidenceSource,
    FileStatus,
    ReminderKind,
    ReviewDecision,
    ScoreKind,
)


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


class Nomination(TenantModel):
    """An officer's evaluation file in a cycle: nominated by a unit, self-assessed, scored by
    the unit, reviewed by the political department, decided by the committee."""

    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="nominations", verbose_name=_("cycle")
    )
    officer = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="nominations", verbose_name=_("officer")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="nominations", verbose_name=_("nominating unit")
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nominated by"),
    )
    nominated_on = models.DateField(_("nominated"))
    reason = models.TextField(_("reason for the nomination"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=FileStatus.choices, default="nominated")
    self_text = models.TextField(_("self-assessment"), blank=True)
    self_on = models.DateField(_("self-assessed"), null=True, blank=True)
    unit_note = models.TextField(_("unit's comment"), blank=True)
    scored_on = models.DateField(_("scored"), null=True, blank=True)
    review = models.CharField(
        _("political department's review"), max_length=10, choices=ReviewDecision.choices, blank=True
    )
    review_note = models.TextField(_("review note"), blank=True)
    reviewed_on = models.DateField(_("reviewed"), null=True, blank=True)
    committee = models.CharField(
        _("committee decision"), max_length=10, choices=CommitteeDecision.choices, blank=True
    )
    committee_note = models.TextField(_("committee note"), blank=True)
    decided_on = models.DateField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("evaluation file")
        verbose_name_plural = _("evaluation files")
        ordering = ["cycle", "unit__path", "officer__police_number"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "cycle", "officer"], name="eval_nomination_unique"),
        ]
        indexes = [models.Index(fields=["bureau", "cycle", "status"], name="eval_nomination_status_idx")]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.officer.name}"


class Score(TenantModel):
    """A criterion's score in a file: the officer's own (self) or the unit's."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="scores", verbose_name=_("file")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    kind = models.CharField(_("kind"), max_length=4, choices=ScoreKind.choices)
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=1)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "nomination", "criterion", "kind"], name="eval_score_unique"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="eval_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id} {self.kind} {self.value}"


class Objection(TenantModel):
    """An objection raised during the public notice; it must be answered before publication."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="objections", verbose_name=_("file")
    )
    filed_on = models.DateField(_("filed"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    text = models.TextField(_("objection"))
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["filed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.nomination} · {self.filed_on}"


class StarAward(TenantModel):
    """A star earned in a published cycle (one per standard met), or granted on appeal."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="stars", verbose_name=_("file")
    )
    officer = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="stars", verbose_name=_("officer")
    )
    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="stars", verbose_name=_("cycle"))
    standard = models.ForeignKey(
        Standard, on_delete=models.PROTECT, related_name="+", verbose_name=_("standard")
    )
    score = models.DecimalField(_("score (of 100)"), max_digits=5, decimal_places=1)
    on_appeal = models.BooleanField(_("granted on appeal"), default=False)

    class Meta:
        verbose_name = _("star")
        verbose_name_plural = _("stars")
        ordering = ["cycle", "standard__order"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "nomination", "standard"], name="eval_star_unique"),
        ]
        indexes = [models.Index(fields=["bureau", "officer", "cycle"], name="eval_star_officer_idx")]

    def __str__(self) -> str:
        return f"{self.officer.name} · {self.cycle} · {self.standard}"


class Appeal(TenantModel):
    """An officer's appeal against a published result, decided by the political department."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("file")
    )
    filed_on = models.DateField(_("filed"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed by"),
    )
    text = models.TextField(_("appeal"))
    status = models.CharField(_("status"), max_length=10, choices=AppealStatus.choices, default="open")
    answer = models.TextField(_("answer"), blank=True)
    decided_on = models.DateField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["filed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.nomination} · {self.filed_on}"


class ConductRecord(TenantModel):
    """A commendation, complaint or discipline record of an officer (evidence of the evaluation)."""

    officer = models.ForeignKey(
        "personnel.Officer",
        on_delete=models.PROTECT,
        related_name="conduct_records",
        verbose_name=_("officer"),
    )
    kind = models.CharField(_("kind"), max_length=14, choices=ConductKind.choices)
    day = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    substantiated = models.BooleanField(
        _("substantiated"),
        default=True,
        help_text=_("A complaint found to be groundless is kept but not counted."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("conduct record")
        verbose_name_plural = _("conduct records")
        ordering = ["-day", "pk"]
        indexes = [models.Index(fields=["bureau", "officer", "kind", "day"], name="eval_conduct_idx")]

    def __str__(self) -> str:
        return f"{self.officer.name} · {self.get_kind_display()} · {self.day}"


class OwnEvidence(TenantModel):
    """Evidence an officer adds to their file beside a criterion, with an optional attachment."""

    nomination = models.ForeignKey(
        Nomination, on_delete=models.CASCADE, related_name="own_evidence", verbose_name=_("file")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    text = models.TextField(_("description"))
    attachment = models.FileField(_("attachment"), upload_to="evaluation/%Y/%m/", blank=True)
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    added_on = models.DateField(_("added"))

    class Meta:
        verbose_name = _("own evidence")
        verbose_name_plural = _("own evidence")
        ordering = ["added_on", "pk"]

    def __str__(self) -> str:
        return f"{self.nomination} · {self.criterion_id}"


class FamilyVisit(TenantModel):
    """A visit of the bureau's leadership to an officer's family (officer care)."""

    officer = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="family_visits", verbose_name=_("officer")
    )
    day = models.DateField(_("date"))
    visitor = models.CharField(_("visited by"), max_length=100, help_text=_("e.g. the bureau chief"))
    note = models.TextField(_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        verbose_name = _("family visit")
        verbose_name_plural = _("family visits")
        ordering = ["-day", "pk"]
        indexes = [models.Index(fields=["bureau", "officer", "day"], name="eval_visit_idx")]

    def __str__(self) -> str:
        return f"{self.officer.name} · {self.day}"


class TrainingDay(TenantModel):
    """A day of training an officer attended."""

    officer = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="training_days", verbose_name=_("officer")
    )
    day = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.PositiveSmallIntegerField(
        _("hours"), default=8, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )

    class Meta:
        verbose_name = _("training day")
        verbose_name_plural = _("training days")
        ordering = ["-day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "officer", "day"], name="eval_training_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.officer.name} · {self.day} · {self.topic}"


class CareerPlan(TenantModel):
    """A new officer's career plan: goals, a mentor, the next review."""

    officer = models.OneToOneField(
        "personnel.Officer", on_delete=models.PROTECT, related_name="career_plan", verbose_name=_("officer")
    )
    mentor = models.ForeignKey(
        "personnel.Officer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mentees",
        verbose_name=_("mentor"),
    )
    goals = models.TextField(_("goals"))
    review_on = models.DateField(_("next review"))

    class Meta:
        verbose_name = _("career plan")
        verbose_name_plural = _("career plans")
        ordering = ["review_on", "pk"]

    def __str__(self) -> str:
        return f"{self.officer.name} · {self.review_on}"


class SupportFlag(TenantModel):
    """An officer flagged to their chief for support (not punishment), with the reasons;
    reviewed and closed with a note."""

    officer = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="support_flags", verbose_name=_("officer")
    )
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    raised_on = models.DateField(_("raised"))
    reasons = models.JSONField(_("reasons"), default=list)
    is_open = models.BooleanField(_("open"), default=True)
    note = models.TextField(_("note"), blank=True)
    closed_on = models.DateField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )

    class Meta:
        verbose_name = _("support flag")
        verbose_name_plural = _("support flags")
        ordering = ["-is_open", "-raised_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "officer"], condition=models.Q(is_open=True), name="eval_support_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer.name} · {self.raised_on}"


class Reminder(TenantModel):
    """A deadline of a cycle reminded to someone who must act on it (the daily sweep).

    One row per person, cycle, kind and unit: the sweep updates how many files wait and
    closes the reminder (``done_on``) when nothing waits any more or the step has closed.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    cycle = models.ForeignKey(
        Cycle, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("cycle")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    unit = models.ForeignKey(
        "org.Unit",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("unit"),
        help_text=_("The unit whose files wait (headquarters: the whole bureau's)."),
    )
    due = models.DateField(_("due"))
    pending = models.PositiveIntegerField(_("waiting"), default=0)
    raised_on = models.DateField(_("raised"))
    seen_on = models.DateField(_("last reminded"))
    done_on = models.DateField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["done_on", "due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "recipient", "cycle", "kind", "unit"],
                name="eval_reminder_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["bureau", "recipient", "done_on"], name="eval_reminder_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.get_kind_display()} · {self.due}"
