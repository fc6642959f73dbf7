"""Key premises, the catalogue of inspection elements and what each category requires."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import pick
from jingwu.core.models import TenantModel
from jingwu.engine.ids import mask_phone

from .choices import PREMISES_CATEGORY_CHOICES, PREMISES_STATUS_CHOICES


class InspectionElement(TenantModel):
    """A public-order element a consolidated inspection covers (hazardous chemicals, fire...)."""

    code = models.CharField(_("code"), max_length=32)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("inspection element")
        verbose_name_plural = _("inspection elements")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["bureau", "code"], name="element_code_unique")]

    def __str__(self) -> str:
        return pick(self.name_zh, self.name_en or self.name_zh)


class ElementRequirement(TenantModel):
    """Premises of ``category`` must be inspected for ``element`` ``visits_per_year`` times."""

    category = models.CharField(_("premises category"), max_length=20, choices=PREMISES_CATEGORY_CHOICES)
    element = models.ForeignKey(
        InspectionElement, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("element")
    )
    visits_per_year = models.PositiveSmallIntegerField(_("visits per year"))

    class Meta:
        verbose_name = _("inspection requirement")
        verbose_name_plural = _("inspection requirements")
        ordering = ["category", "element__code"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "category", "element"], name="requirement_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.element} · {self.visits_per_year}"


class Premises(TenantModel):
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=PREMISES_CATEGORY_CHOICES)
    name = models.CharField(_("name"), max_length=120)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"))
    lat = models.FloatField(_("latitude"))
    grid = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="premises", verbose_name=_("grid"), null=True
    )
    station = models.ForeignKey(
        "org.Unit",
        on_delete=models.PROTECT,
        related_name="station_premises",
        verbose_name=_("station"),
        null=True,
    )
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    responsible_phone = models.CharField(_("phone"), max_length=11, blank=True)
    licence_no = models.CharField(_("licence number"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=PREMISES_STATUS_CHOICES, default="active")
    employees = models.PositiveIntegerField(_("employees"), default=0)

    class Meta:
        verbose_name = _("key premises")
        verbose_name_plural = _("key premises")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "external_id"],
                condition=~models.Q(external_id=""),
                name="premises_external_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["bureau", "station", "category"], name="premises_station_idx"),
            models.Index(fields=["bureau", "grid"], name="premises_grid_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.responsible_phone)
