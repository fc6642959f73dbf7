"""The tenant (Bureau), the tenant-owned base model and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from jingwu.engine import vocab

from .clock import DEFAULT_TIME_ZONE, validate_time_zone
from .i18n import choices, pick

# How a bureau's officers' identity numbers and phones are checked and masked (engine/ids.py).
ID_SCHEME_CHOICES = choices(vocab.ID_SCHEMES)


class Bureau(models.Model):
    """A public security bureau: the tenant. Every operational row points to one."""

    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("Administrative region code"))
    name_zh = models.CharField(_("Chinese name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    region_code = models.CharField(_("region code"), max_length=6, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=DEFAULT_TIME_ZONE,
        validators=[validate_time_zone],
        help_text=_(
            "IANA name, e.g. Asia/Shanghai or America/Chicago: the bureau's days, hours and "
            "incident numbers follow it."
        ),
    )
    id_scheme = models.CharField(
        _("identity number scheme"),
        max_length=12,
        choices=ID_SCHEME_CHOICES,
        default="cn",
        help_text=_("How officers' identity numbers and phone numbers are checked and masked"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Public Security Bureau")
        verbose_name_plural = _("Public Security Bureaus")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self.name_zh, self.name_en or self.name_zh)

    @property
    def tz(self):
        """The bureau's time zone (a ``zoneinfo.ZoneInfo``)."""
        from .clock import zone

        return zone(self)


class TenantModel(models.Model):
    """Base of every operational row: its bureau, and when it was created and changed.

    The bureau key leads every index and every unique constraint, so a province can be
    distributed by bureau (e.g. Citus, distribution column ``bureau_id``) without a
    schema change.
    """

    bureau = models.ForeignKey(Bureau, on_delete=models.PROTECT, verbose_name=_("bureau"), related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """One entry of the append-only audit trail.

    Each event carries a SHA-256 hash over its content and the previous event's hash of
    the same bureau, so a changed or removed event breaks the chain.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        VIEW = "view", _("View")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        LOGIN = "login", _("Log in")
        LOGIN_FAILED = "login_fail", _("Failed log-in")
        LOCKOUT = "lockout", _("Lock-out")
        TOKEN = "token", _("API token issued")
        REFUSED = "refused", _("Refused request")
        REVEAL = "reveal", _("Reveal personal data")
        APPLY = "apply", _("Apply")

    bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bureau")
    )
    seq = models.BigIntegerField(_("sequence"), help_text=_("Position in the bureau's chain"))
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    unit_path = models.CharField(_("unit path"), max_length=255, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    via = models.CharField(_("via"), max_length=10, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True)
    hash = models.CharField(_("hash"), max_length=64)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["bureau", "seq"], name="audit_bureau_seq_unique")]
        indexes = [
            models.Index(fields=["bureau", "object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["bureau", "actor", "at"], name="audit_actor_idx"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type} {self.object_repr}"
        )


class AuditHead(models.Model):
    """The newest event of one bureau's chain, moved in the same transaction as each event.

    Removing the newest events leaves the head pointing past the end of the trail, so
    ``jingwu audit verify`` notices a deleted tail (which the chain alone cannot show).
    ``rebuilt_at`` is set when the head itself had gone missing and was rebuilt from the
    trail: the evidence that something was removed stays.
    """

    bureau = models.ForeignKey(
        Bureau, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("bureau")
    )
    seq = models.BigIntegerField(_("sequence"), default=0)
    hash = models.CharField(_("hash"), max_length=64, blank=True)
    rebuilt_at = models.DateTimeField(_("rebuilt"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        constraints = [
            # one head per chain, the system chain (no bureau) included
            models.UniqueConstraint(Coalesce("bureau", Value(0)), name="audit_head_chain_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id or '-'}: {self.seq}"
