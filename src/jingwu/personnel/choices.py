from jingwu.core.i18n import choices
from jingwu.engine import vocab

OFFICER_KIND_CHOICES = choices(vocab.OFFICER_KINDS)
GENDER_CHOICES = choices(vocab.GENDERS)
OFFICER_STATUS_CHOICES = choices(vocab.OFFICER_STATUSES)
RANK_CHOICES = choices(vocab.RANKS)
SKILL_CHOICES = choices(vocab.SKILLS)
ROLE_CHOICES = choices(vocab.POSTING_ROLES)
RANK_ORDER = {t.code: i for i, t in enumerate(vocab.RANKS)}
