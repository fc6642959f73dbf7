"""Statuses of a duty roster."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RosterStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Solving")
    DONE = "done", _("Solved")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")
    PUBLISHED = "published", _("Published")


#: A roster whose solve has not ended (its page polls).
ACTIVE = (RosterStatus.QUEUED, RosterStatus.RUNNING)
#: A roster whose entries are the station's duty.
SOLVED = (RosterStatus.DONE, RosterStatus.PUBLISHED)


class RequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class WorkKind(models.TextChoices):
    VISIT = "visit", _("Door-to-door visit")
    PATROL = "patrol", _("Patrol")
    PREMISES = "premises", _("Premises check")
    MEDIATION = "mediation", _("Mediation")
