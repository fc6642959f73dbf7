"""Reads of officers and postings for a user, always through the scoping layer."""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from jingwu.core.scope import restrict

from .models import Officer, Posting


def officers_for(user, action: str = "view"):
    today = dt.date.today()
    current = Posting.objects.current(today).select_related("unit", "unit__parent")
    return restrict(Officer.objects.all(), user, action).prefetch_related(
        Prefetch("postings", queryset=current, to_attr="current_postings"), "skills"
    )


def postings_for(user, action: str = "view"):
    return restrict(Posting.objects.select_related("officer", "unit"), user, action)
