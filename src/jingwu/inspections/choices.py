from django.utils.translation import gettext_lazy as _

from jingwu.core.i18n import choices
from jingwu.engine import inspection_rules as rules

TIMER_KIND_CHOICES = choices(rules.TIMER_KINDS)
TIMER_STATE_CHOICES = choices(rules.TIMER_STATES)
DUE_STATE_CHOICES = choices(rules.DUE_STATES)
RISK_LEVEL_CHOICES = choices(rules.RISK_LEVELS)

VISIT_STATUS_CHOICES = [
    ("planned", _("Planned")),
    ("done", _("Done")),
    ("cancelled", _("Cancelled")),
]
