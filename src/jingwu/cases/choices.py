from jingwu.core.i18n import choices
from jingwu.engine import vocab

CASE_KIND_CHOICES = choices(vocab.CASE_KINDS)
CASE_STATUS_CHOICES = choices(vocab.CASE_STATUSES)
PETITION_STATUS_CHOICES = choices(vocab.PETITION_STATUSES)
SERIES_ORIGIN_CHOICES = choices(vocab.SERIES_ORIGINS)
CASE_TRANSFER_KIND_CHOICES = choices(vocab.CASE_TRANSFER_KINDS)
