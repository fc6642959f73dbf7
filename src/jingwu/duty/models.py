"""Duty: patterns of shifts, a station's duty set-up and coverage needs, rosters and their entries."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import pick
from jingwu.core.models import TenantModel

from .choices import RequestStatus, RosterStatus, WorkKind


class DutyPattern(TenantModel):
    """A duty pattern the bureau uses (day and night shifts, 24-hour duty rotations).

    ``shifts`` is a list of ``{"code", "name_zh", "name_en", "start": "HH:MM", "hours", "night"}``;
    ``cycle`` one entry per day of the rotation, a shift code or ``null`` for a day off.
    ``min_rest_hours`` is the rest a person must have between the end of one shift and
    the start of the next (the rule the pattern and every roster made from it keep).
    """

    code = models.CharField(_("code"), max_length=32)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    shifts = models.JSONField(_("shifts"), default=list)
    cycle = models.JSONField(_("rotation"), default=list)
    weekdays_only = models.BooleanField(_("weekdays only"), default=False)
    min_rest_hours = models.PositiveSmallIntegerField(_("minimum rest between shifts (hours)"), default=8)

    class Meta:
        verbose_name = _("duty pattern")
        verbose_name_plural = _("duty patterns")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["bureau", "code"], name="duty_pattern_code_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en or self.name_zh)

    def shift_name(self, code: str) -> str:
        for s in self.shifts:
            if s["code"] == code:
                return pick(s.get("name_zh") or code, s.get("name_en") or s.get("name_zh") or code)
        return code


class StationDuty(TenantModel):
    """A station's duty set-up and its coverage needs per zone and hour of the week.

    ``coverage`` is ``{zone id: [168 people]}`` (Monday 00:00 first), computed from the
    demand model and the station type's proactive share; ``coverage_basis`` says from what.
    """

    station = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police station")
    )
    pattern = models.ForeignKey(
        DutyPattern, on_delete=models.PROTECT, related_name="+", verbose_name=_("duty pattern")
    )
    min_on_duty = models.PositiveSmallIntegerField(
        _("least people on duty per zone"), default=1, help_text=_("At every hour, in every zone.")
    )
    lead_per_zone = models.BooleanField(
        _("a leader per zone on duty"),
        default=True,
        help_text=_("Each zone's shift has someone who may lead it."),
    )
    max_week_hours = models.PositiveSmallIntegerField(_("most hours a week"), default=56)
    max_consecutive_days = models.PositiveSmallIntegerField(_("most days in a row"), default=6)
    coverage = models.JSONField(_("coverage needs"), default=dict, blank=True)
    coverage_basis = models.JSONField(_("basis of the coverage needs"), default=dict, blank=True)
    coverage_at = models.DateTimeField(_("coverage computed"), null=True, blank=True)

    class Meta:
        verbose_name = _("station duty set-up")
        verbose_name_plural = _("station duty set-ups")
        constraints = [models.UniqueConstraint(fields=["bureau", "station"], name="duty_station_unique")]

    def __str__(self) -> str:
        return str(self.station)


class Roster(TenantModel):
    """A station's duty roster for ``days`` days from ``start``, solved as a background job."""

    station = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police station")
    )
    start = models.DateField(_("first day"))
    days = models.PositiveSmallIntegerField(_("days"), default=28)
    status = models.CharField(
        _("status"), max_length=10, choices=RosterStatus.choices, default=RosterStatus.QUEUED
    )
    time_limit = models.PositiveIntegerField(_("solver time limit (s)"), default=30)
    pattern = models.JSONField(_("duty pattern used"), default=dict, blank=True)
    problem = models.JSONField(_("rules and needs"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("duty roster")
        verbose_name_plural = _("duty rosters")
        ordering = ["-start", "-id"]
        indexes = [models.Index(fields=["bureau", "station", "start"], name="duty_roster_station_idx")]

    def __str__(self) -> str:
        return f"{self.station} {self.start:%Y-%m-%d} +{self.days}"

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)

    def covers(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


class RosterEntry(TenantModel):
    """One person's duty on one day: a shift in a zone (``lead``: they lead the zone's shift)."""

    roster = models.ForeignKey(
        Roster, on_delete=models.CASCADE, related_name="entries", verbose_name=_("roster")
    )
    officer = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    day = models.DateField(_("day"))
    shift = models.CharField(_("shift"), max_length=16)
    start = models.DateTimeField(_("starts"))
    end = models.DateTimeField(_("ends"))
    zone = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("zone"))
    lead = models.BooleanField(_("leads the shift"), default=False)

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster entries")
        ordering = ["day", "start", "zone_id", "officer_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "roster", "officer", "day"], name="duty_entry_one_a_day"
            )
        ]
        indexes = [
            models.Index(fields=["bureau", "roster", "day"], name="duty_entry_day_idx"),
            models.Index(fields=["bureau", "zone", "start"], name="duty_entry_zone_idx"),
            # an officer's duty in a period (the dashboard's workload per officer)
            models.Index(fields=["bureau", "officer", "day"], name="duty_entry_officer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.shift} {self.officer_id}"


class LeaveRequest(TenantModel):
    """An officer's request for leave from ``first`` to ``last``; the station chief decides.

    Approving it re-plans only the leave's days and the officer's zones of the station's solved
    and published rosters (published: the days after the data date)."""

    station = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police station")
    )
    officer = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    replan = models.JSONField(
        _("re-plan on approval"),
        default=list,
        blank=True,
        help_text=_(
            "Per roster re-planned: its days and zones, the duties changed and the needs left unmet."
        ),
    )

    class Meta:
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        ordering = ["-first", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(last__gte=models.F("first")), name="duty_leave_dates")
        ]
        indexes = [models.Index(fields=["bureau", "station", "status"], name="duty_leave_station_idx")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.first:%Y-%m-%d}–{self.last:%Y-%m-%d}"


class SwapRequest(TenantModel):
    """Two people of a roster swap what they do on one day; the station chief decides."""

    roster = models.ForeignKey(
        Roster, on_delete=models.CASCADE, related_name="swaps", verbose_name=_("roster")
    )
    day = models.DateField(_("day"))
    officer_a = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    officer_b = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="+", verbose_name=_("swaps with")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("swap request")
        verbose_name_plural = _("swap requests")
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["bureau", "roster", "status"], name="duty_swap_roster_idx")]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.officer_a_id}↔{self.officer_b_id}"


class GridDuty(TenantModel):
    """A grid's responsible community officer (one officer may hold several grids) and its auxiliaries."""

    grid = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    officer = models.ForeignKey(
        "personnel.Officer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible officer"),
    )
    auxiliaries = models.ManyToManyField(
        "personnel.Officer", blank=True, related_name="+", verbose_name=_("auxiliary officers")
    )

    class Meta:
        verbose_name = _("grid duty")
        verbose_name_plural = _("grid duties")
        constraints = [models.UniqueConstraint(fields=["bureau", "grid"], name="duty_grid_unique")]

    def __str__(self) -> str:
        return str(self.grid)


class GridWork(TenantModel):
    """One piece of work done in a grid (a door-to-door visit, a patrol, a premises check, a mediation)."""

    grid = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"))
    officer = models.ForeignKey(
        "personnel.Officer", on_delete=models.PROTECT, related_name="+", verbose_name=_("officer")
    )
    kind = models.CharField(_("kind of work"), max_length=12, choices=WorkKind.choices)
    day = models.DateField(_("day"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    households = models.PositiveSmallIntegerField(_("households visited"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("grid work")
        verbose_name_plural = _("grid work")
        ordering = ["-day", "-id"]
        indexes = [
            models.Index(fields=["bureau", "grid", "day"], name="duty_gridwork_idx"),
            # an officer's work in a period (the dashboard's workload per officer)
            models.Index(fields=["bureau", "officer", "day"], name="duty_gridwork_officer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.kind} {self.minutes}"


class Retasking(TenantModel):
    """A calendar period (a public holiday, the tourist season) moving some of a station's people
    to traffic posts, with the forecast that justifies it and its cost to the station's coverage."""

    station = models.ForeignKey(
        "org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("police station")
    )
    name = models.CharField(_("name"), max_length=80)
    first = models.DateField(_("first day"))
    last = models.DateField(_("last day"))
    officers = models.ManyToManyField("personnel.Officer", related_name="+", verbose_name=_("people moved"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    forecast = models.JSONField(_("forecast traffic demand"), default=dict, blank=True)
    cost = models.JSONField(_("cost to coverage"), default=dict, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        verbose_name = _("seasonal re-tasking")
        verbose_name_plural = _("seasonal re-taskings")
        ordering = ["-first", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last__gte=models.F("first")), name="duty_retasking_dates"
            )
        ]

    def __str__(self) -> str:
        return self.name
