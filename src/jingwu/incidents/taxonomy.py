"""Keep the category table in step with ``jingwu.engine.vocab.INCIDENT_CATEGORIES``."""

from __future__ import annotations


def sync_categories(Category=None) -> int:
    """Insert or update every category of the vocabulary; return how many exist."""
    from jingwu.engine.vocab import INCIDENT_CATEGORIES

    if Category is None:
        from .models import IncidentCategory as Category
    by_code = {}
    for c in INCIDENT_CATEGORIES:
        obj, _ = Category.objects.update_or_create(
            code=c.code,
            defaults={
                "parent": by_code.get(c.parent),
                "name_zh": c.zh,
                "name_en": c.en,
                "criminal": c.criminal,
                "minutes": c.minutes,
                "backup": c.backup,
            },
        )
        by_code[c.code] = obj
    return len(by_code)
