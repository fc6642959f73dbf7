"""The unit tree: headquarters, centers, departments, stations, zones and grids."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import pick
from jingwu.core.models import TenantModel

from .choices import STATION_TYPE_CHOICES, UNIT_KIND_CHOICES, UnitKind


class UnitQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None):
        on = on or dt.date.today()
        return self.filter(models.Q(valid_from__isnull=True) | models.Q(valid_from__lte=on)).filter(
            models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=on)
        )

    def subtree(self, unit: Unit):
        return self.filter(bureau_id=unit.bureau_id, path__startswith=unit.path)


class Unit(TenantModel):
    """A unit of the bureau. Area units (headquarters, station, zone, grid) have a boundary.

    ``path`` is the materialised path of ids from the root ("/1/5/23/"), so a subtree
    is one indexed prefix query. ``valid_from``/``valid_to`` keep the history of a
    reorganisation: a merged unit is ended, not deleted.
    """

    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    path = models.CharField(_("path"), max_length=255, blank=True, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)
    kind = models.CharField(_("kind"), max_length=24, choices=UNIT_KIND_CHOICES)
    code = models.CharField(_("code"), max_length=32)
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    station_type = models.CharField(
        _("station type"), max_length=16, choices=STATION_TYPE_CHOICES, blank=True, default=""
    )
    boundary = models.JSONField(_("boundary"), null=True, blank=True, help_text=_("GeoJSON polygon, WGS84"))
    area_km2 = models.FloatField(_("area (km²)"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    base_lon = models.FloatField(_("office longitude"), null=True, blank=True)
    base_lat = models.FloatField(_("office latitude"), null=True, blank=True)
    households = models.PositiveIntegerField(_("households"), default=0)
    residents = models.PositiveIntegerField(_("residents"), default=0)
    floating = models.PositiveIntegerField(_("floating population"), default=0)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "code", "valid_from"], name="unit_code_unique"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_from__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_dates",
            ),
        ]
        indexes = [models.Index(fields=["bureau", "kind"], name="unit_kind_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en or self.name_zh)

    @property
    def is_area(self) -> bool:
        return self.kind in {UnitKind.HEADQUARTERS, UnitKind.STATION, UnitKind.ZONE, UnitKind.GRID}

    @cached_property
    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or dt.date.today()
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )
