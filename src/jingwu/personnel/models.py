"""Officers and auxiliaries, their skills and their postings (who worked where, when)."""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jingwu.core.models import TenantModel
from jingwu.engine.ids import mask_id_number, mask_phone

from .choices import (
    GENDER_CHOICES,
    OFFICER_KIND_CHOICES,
    OFFICER_STATUS_CHOICES,
    RANK_CHOICES,
    ROLE_CHOICES,
    SKILL_CHOICES,
)


class Officer(TenantModel):
    police_number = models.CharField(_("police number"), max_length=16)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=10, choices=OFFICER_KIND_CHOICES)
    gender = models.CharField(_("gender"), max_length=1, choices=GENDER_CHOICES)
    birth_date = models.DateField(_("birth date"))
    # A mainland resident ID number, or (a bureau of another scheme) any identity number.
    id_number = models.CharField(_("resident ID number"), max_length=32)
    rank = models.CharField(_("rank"), max_length=20, choices=RANK_CHOICES, default="none")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    hired = models.DateField(_("hired"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=OFFICER_STATUS_CHOICES, default="active")
    home_lon = models.FloatField(_("home longitude"), null=True, blank=True)
    home_lat = models.FloatField(_("home latitude"), null=True, blank=True)

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["police_number"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "police_number"], name="officer_number_unique"),
            models.UniqueConstraint(fields=["bureau", "id_number"], name="officer_id_number_unique"),
        ]
        indexes = [models.Index(fields=["bureau", "kind", "status"], name="officer_kind_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.police_number})"

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def age(self, on: dt.date | None = None) -> int:
        """Age in whole years on ``on``; by default on the day the bureau's records reach
        (``clock.data_date``), not the server's today."""
        if on is None:
            from jingwu.core.clock import data_date

            on = data_date(self.bureau_id)
        b = self.birth_date
        return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


class OfficerSkill(TenantModel):
    officer = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="skills", verbose_name=_("officer")
    )
    skill = models.CharField(_("skill"), max_length=24, choices=SKILL_CHOICES)
    level = models.PositiveSmallIntegerField(
        _("level"), default=1, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "officer", "skill"], name="officer_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="officer_skill_level"
            ),
        ]
        indexes = [models.Index(fields=["bureau", "skill", "level"], name="officer_skill_idx")]

    def __str__(self) -> str:
        return f"{self.get_skill_display()} {self.level}"


class PostingQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None):
        on = on or dt.date.today()
        return self.filter(start__lte=on).filter(models.Q(end__isnull=True) | models.Q(end__gte=on))


class Posting(TenantModel):
    """An officer's post in a unit, in a role, from ``start`` to ``end`` (open when None)."""

    officer = models.ForeignKey(
        Officer, on_delete=models.CASCADE, related_name="postings", verbose_name=_("officer")
    )
    unit = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="postings", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=24, choices=ROLE_CHOICES)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = PostingQuerySet.as_manager()

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="posting_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["bureau", "unit", "end"], name="posting_unit_idx"),
            models.Index(fields=["bureau", "officer", "start"], name="posting_officer_idx"),
        ]

    def __str__(self) -> str:
        end = self.end.isoformat() if self.end else "…"
        return f"{self.officer.name} · {self.unit} · {self.get_role_display()} · {self.start:%Y-%m-%d}–{end}"
