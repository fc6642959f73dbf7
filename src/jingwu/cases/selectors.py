"""Reads of cases for a user, always through the scoping layer."""

from __future__ import annotations

from jingwu.core.scope import restrict

from .models import Case


def cases_for(user, action: str = "view"):
    return restrict(Case.objects.select_related("category", "owning_unit"), user, action)
