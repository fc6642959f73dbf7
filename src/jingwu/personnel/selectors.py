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


# Officers on strength: at work or on leave (retired and departed people are not counted).
ON_STRENGTH = ("active", "leave")


def strength(user, unit=None) -> dict[str, int]:
    """Police and auxiliary officers on strength that ``user`` sees, under ``unit`` when given.

    The one count of "police / auxiliary officers" that the home page and the unit pages
    show: officers on strength (at work or on leave) with a current posting in the unit
    or below it; for a bureau's headquarters, every officer of the bureau on strength.
    """
    from django.db.models import Count

    from jingwu.core.scope import under_unit_q

    qs = restrict(Officer.objects.filter(status__in=ON_STRENGTH), user)
    if unit is not None:
        qs = qs.filter(under_unit_q(Officer, unit))
    counts = {row["kind"]: row["n"] for row in qs.order_by().values("kind").annotate(n=Count("id"))}
    return {"police": counts.get("police", 0), "auxiliary": counts.get("auxiliary", 0)}
