from django.db import models
from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import choices
from jingwu.engine import vocab

SOURCE_CHOICES = choices(vocab.INCIDENT_SOURCES)
STATUS_CHOICES = choices(vocab.INCIDENT_STATUSES)


class CallbackResult(models.TextChoices):
    """What the reporter said when called back (警情回访): satisfied, basically satisfied,
    unsatisfied; or the reporter could not be reached (an attempt that may be repeated)."""

    SATISFIED = "satisfied", _("Satisfied")
    BASICALLY = "basically", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")
    UNREACHABLE = "unreachable", _("Unreachable")


# the results of a completed callback (the reporter was reached), and the satisfied ones among them
COMPLETED_RESULTS = (CallbackResult.SATISFIED, CallbackResult.BASICALLY, CallbackResult.UNSATISFIED)
SATISFIED_RESULTS = (CallbackResult.SATISFIED, CallbackResult.BASICALLY)
