from jingwu.core.i18n import choices
from jingwu.engine import vocab

SOURCE_CHOICES = choices(vocab.INCIDENT_SOURCES)
STATUS_CHOICES = choices(vocab.INCIDENT_STATUSES)
