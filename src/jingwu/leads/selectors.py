"""Reads of the leads, always through the scoping layer."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Max, Min

from jingwu.core.scope import restrict

from .models import Cluster, Entity, ExtractionRun, Mention


def entities_for(user):
    return restrict(Entity.objects.all(), user)


def mentions_for(user):
    return restrict(Mention.objects.select_related("unit"), user)


def clusters_for(user):
    return restrict(Cluster.objects.all(), user)


def runs_for(user):
    return restrict(ExtractionRun.objects.select_related("job", "started_by"), user)


def entity_summaries(user, qs):
    """The entities of ``qs`` with the number of records the user sees naming them, and the years."""
    seen = mentions_for(user)
    rows = (
        seen.filter(entity__in=qs)
        .values("entity_id")
        .annotate(n=Count("pk"), first=Min("on_date"), last=Max("on_date"))
        .order_by()
    )
    return {r["entity_id"]: r for r in rows}


def by_year(mentions) -> list[tuple[int, int]]:
    """(year, number of mentions) over the years of ``mentions``, every year between shown."""
    counts: dict[int, int] = defaultdict(int)
    for on in mentions.values_list("on_date", flat=True):
        counts[on.year] += 1
    if not counts:
        return []
    rows = {y: counts.get(y, 0) for y in range(min(counts), max(counts) + 1)}
    return sorted(rows.items())
