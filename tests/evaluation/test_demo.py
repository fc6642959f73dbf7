"""The demo county's evaluation: four published quarters, 58% of the stars to station officers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jingwu.core.models import Bureau
from jingwu.evaluation.models import Cycle, Nomination, StarAward
from jingwu.evaluation.results import share_by_unit_type


@pytest.mark.slow
def test_the_demo_shows_the_reforms_share_of_awards(demo_db, client):
    from jingwu.accounts.models import User

    bureau = Bureau.objects.get(code="330522")
    cycles = list(Cycle.objects.filter(bureau=bureau).order_by("year", "quarter"))
    assert len(cycles) == 4 and all(c.status == "published" for c in cycles)
    from jingwu.core.clock import data_date

    assert all(c.published_on <= data_date(bureau) for c in cycles)
    rows = {r["type"]: r for r in share_by_unit_type(StarAward.objects.filter(bureau=bureau))}
    assert 55.0 <= rows["station"]["stars_share"] <= 61.0, rows["station"]
    assert 55.0 <= rows["station"]["awarded_share"] <= 61.0, rows["station"]
    # every nominee is an officer of their nominating unit's subtree on the data date
    n = Nomination.objects.filter(bureau=bureau).select_related("unit").first()
    from jingwu.evaluation.services import officer_posted_in, today

    assert officer_posted_in(n.officer, n.unit, today(bureau))
    # the political department's results page shows it, in both languages
    client.force_login(User.objects.get(username="zhengzhi"))
    r = client.get(reverse("evaluation:results"))
    assert r.status_code == 200
    text = r.content.decode()
    assert f"{rows['station']['stars_share']}%" in text and "58%%" not in text and "58%" in text
    star = StarAward.objects.filter(bureau=bureau).order_by("pk").first()
    r = client.get(reverse("evaluation:officer_stars", args=[star.officer_id]))
    assert r.status_code == 200 and r.context["total"] >= 1


@pytest.mark.slow
def test_the_demo_evaluation_is_deterministic(demo_db):
    """Generating again from the same data (after removing it) gives the same rows."""
    from jingwu.evaluation.demo import ensure_evaluation
    from jingwu.evaluation.models import ConductRecord, Score

    bureau = Bureau.objects.get(code="330522")

    def snapshot():
        return (
            sorted(
                Nomination.objects.filter(bureau=bureau).values_list(
                    "cycle__quarter", "officer_id", "unit_id"
                )
            ),
            sorted(
                StarAward.objects.filter(bureau=bureau).values_list("officer_id", "standard__code", "score")
            ),
            sorted(ConductRecord.objects.filter(bureau=bureau).values_list("officer_id", "kind", "day")),
        )

    first = snapshot()
    Score.objects.filter(bureau=bureau).delete()
    StarAward.objects.filter(bureau=bureau).delete()
    Nomination.objects.filter(bureau=bureau).delete()
    ConductRecord.objects.filter(bureau=bureau).delete()
    from jingwu.evaluation.models import Criterion, Standard

    Criterion.objects.filter(bureau=bureau).delete()
    Standard.objects.filter(bureau=bureau).delete()
    Cycle.objects.filter(bureau=bureau).delete()
    ensure_evaluation(bureau, seed=2019)
    assert snapshot() == first
