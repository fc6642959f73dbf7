"""Saved column mappings, import jobs and the staging rows of a job.

An import runs as a job of the job pattern (``jingwu.jobs``, kind ``import``: the
``ImportJob.run`` is its current or last run, which holds the worker, progress, limits
and cancellation) in two phases (see docs/import-export.md):

1. *check*: the file is read in chunks of ``CHUNK`` rows; each row is mapped,
   parsed and validated, and the result is staged as an ``ImportRow``. Each chunk
   and the job's progress commit together, so a killed job resumes after its last
   committed chunk. Nothing of the bureau's data is touched in this phase.
2. *apply*: the staged rows are written in ONE transaction, which also marks the
   job done and writes its ``import`` audit event; an interrupted apply leaves
   nothing, and running the job again applies it again.

A cancelled import stops at its next chunk (check) or slice (apply: rolled back) and
changes nothing of the bureau's data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from jingwu.core.models import TenantModel

KIND_CHOICES = [
    ("incidents", _("Incidents")),
    ("officers", _("Officers")),
    ("premises", _("Key premises")),
    ("units", _("Units")),
    ("petitions", _("Petitions")),
    ("callbacks", _("Callbacks")),
]


class ImportMapping(TenantModel):
    """How the columns of a foreign file map to ours, saved per bureau and source."""

    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES)
    name = models.SlugField(_("name"), max_length=60, allow_unicode=True)
    description = models.CharField(pgettext_lazy("mapping", "description"), max_length=300, blank=True)
    source_system = models.CharField(
        _("source system"),
        max_length=32,
        blank=True,
        help_text=_("Stored with each imported row; with the external id it makes re-imports idempotent."),
    )
    columns = models.JSONField(
        _("columns"),
        default=dict,
        blank=True,
        help_text=_(
            'Our field → their column, a template like "{YEAR}-{MONTH|pad2}-{DAY|pad2}", '
            'a list of alternatives, or {"const": value}.'
        ),
    )
    category_map = models.JSONField(
        _("category map"),
        default=dict,
        blank=True,
        help_text=_('Their category → our category code; "*" is the default for values not listed.'),
    )
    value_maps = models.JSONField(
        _("value maps"),
        default=dict,
        blank=True,
        help_text=_("Per field (source, status, kind, ...): their value → our code."),
    )
    coordinate_system = models.CharField(
        _("coordinate system"),
        max_length=80,
        default="wgs84",
        help_text=_('"wgs84", "utm:10N", "epsg:26971" or "tm:lat0,lon0,k0,x0,y0".'),
    )
    datetime_formats = models.JSONField(
        _("date and time formats"),
        default=list,
        blank=True,
        help_text=_('strptime formats tried in order, e.g. "%m/%d/%Y %I:%M:%S %p".'),
    )
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    options = models.JSONField(_("options"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["bureau", "name"], name="import_mapping_name_unique")]

    def __str__(self) -> str:
        return self.name

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "source_system": self.source_system,
            "columns": self.columns,
            "category_map": self.category_map,
            "value_maps": self.value_maps,
            "coordinate_system": self.coordinate_system,
            "datetime_formats": self.datetime_formats,
            "timezone": self.timezone,
            "options": self.options,
        }


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    CHECKING = "checking", _("Checking rows")
    APPLYING = "applying", _("Saving")
    DONE = "done", _("Done")
    REJECTED = "rejected", _("Rejected: nothing imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled: nothing imported")


ACTIVE_STATUSES = (JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.APPLYING)
PROBLEM_CAP = 1000


def upload_to(instance, filename: str) -> str:
    return f"imports/uploads/{instance.bureau_id}/{filename}"


class ImportJob(TenantModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=KIND_CHOICES)
    mapping = models.ForeignKey(
        ImportMapping,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("mapping"),
    )
    mapping_snapshot = models.JSONField(_("mapping used"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to=upload_to, max_length=300, blank=True)
    source_path = models.CharField(_("file path"), max_length=1000, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, db_index=True)
    dry_run = models.BooleanField(_("dry run"), default=False)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    language = models.CharField(_("language"), max_length=10, default="zh-hans")
    via = models.CharField(_("via"), max_length=10, default="web")
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    source_info = models.JSONField(_("file details"), default=dict, blank=True)
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_done = models.PositiveIntegerField(_("rows checked"), default=0)
    last_row = models.PositiveIntegerField(_("last row checked"), default=0)
    rows_valid = models.PositiveIntegerField(_("valid rows"), default=0)
    rows_invalid = models.PositiveIntegerField(_("rows with problems"), default=0)
    created = models.PositiveIntegerField(_("imported"), default=0)
    unchanged = models.PositiveIntegerField(_("already present"), default=0)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problems_total = models.PositiveIntegerField(_("problems found"), default=0)
    near_duplicates = models.JSONField(
        _("possible duplicates"),
        default=list,
        blank=True,
        help_text=_(
            "Rows of the same category close in place and time to a recorded incident or an earlier "
            "row (the duty desk's duplicate rule): [row, incident number or row]. Imported, and listed."
        ),
    )
    near_duplicates_total = models.PositiveIntegerField(_("possible duplicates found"), default=0)
    reject_file = models.CharField(_("reject file"), max_length=300, blank=True)
    started = models.DateTimeField(_("started"), null=True, blank=True)
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    run = models.ForeignKey(
        "jobs.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("run"),
        help_text=_("The background job running this import (its current or last run)."),
    )

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["bureau", "user", "created_at"], name="import_job_user_idx"),
            models.Index(fields=["bureau", "status"], name="import_job_status_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.file_name}"

    @property
    def is_active(self) -> bool:
        """Whether the import is still under way: not ended, and its run (if any) not ended either."""
        if self.status not in ACTIVE_STATUSES:
            return False
        return self.run_id is None or self.run.is_live

    @property
    def percent(self) -> int:
        if self.status in (JobStatus.DONE, JobStatus.REJECTED):
            return 100
        if not self.rows_total:
            return 0
        return min(100, int(100 * self.rows_done / self.rows_total))

    @property
    def bad_rows(self) -> int:
        return self.rows_invalid


class RowStatus(models.TextChoices):
    OK = "ok", _("Valid")
    INVALID = "invalid", _("Invalid")


class ImportRow(models.Model):
    """A staged row of a job: the checked values of a valid row, or the raw values of a bad one."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rows", verbose_name=_("job"))
    row_no = models.PositiveIntegerField(_("row"))
    key = models.CharField(_("key"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=RowStatus.choices)
    data = models.JSONField(_("data"), default=dict)
    problems = models.JSONField(_("problems"), null=True, blank=True)

    class Meta:
        verbose_name = _("staged row")
        verbose_name_plural = _("staged rows")
        ordering = ["job", "row_no"]
        constraints = [
            models.UniqueConstraint(fields=["job", "row_no"], name="import_row_unique"),
            # A valid row's key appears once per job (duplicates are not staged). Being
            # unique also tells the planner that a lookup by key finds one row, so it uses
            # this index even while the table's statistics lag behind a growing job.
            models.UniqueConstraint(
                fields=["job", "key"], condition=~models.Q(key=""), name="import_row_key_unique"
            ),
        ]
        indexes = [models.Index(fields=["job", "status", "row_no"], name="import_row_status_idx")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_no}"
