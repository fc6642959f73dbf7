from jingwu.core.i18n import choices
from jingwu.engine import vocab

PREMISES_CATEGORY_CHOICES = choices(vocab.PREMISES_CATEGORIES)
PREMISES_STATUS_CHOICES = choices(vocab.PREMISES_STATUSES)
