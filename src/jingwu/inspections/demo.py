"""Inspection history and legal timers of the demo county, generated from its premises (seeded).

Visits: the last year before the data date, made the old way (one specialism a visit),
so that some elements are overdue, some due soon and some not yet due; a few visits
failed checklist items. Timers: guest registrations of hotels over the last days, sales
of precursor chemicals by hazardous-chemicals users over the last two months, and each
hotel's, hazardous-chemicals user's and entertainment venue's ledger; a few deadlines
were missed.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from jingwu.core import audit
from jingwu.core.clock import data_date, day_start, zone
from jingwu.engine import inspection_rules as rules
from jingwu.places.models import ElementRequirement, Premises

from .models import LegalTimer, Visit


def ensure_inspection_demo(bureau, *, seed: int = 2019) -> dict[str, int]:
    """Generate the bureau's inspection history once (a bureau that has visits is kept)."""
    if Visit.objects.filter(bureau=bureau).exists():
        return {}
    rng = random.Random(f"inspections-{seed}-{bureau.code}")
    today = data_date(bureau)
    tz = zone(bureau)
    reqs: dict[str, dict[str, int]] = {}
    for cat, code, n in ElementRequirement.objects.filter(bureau=bureau).values_list(
        "category", "element__code", "visits_per_year"
    ):
        reqs.setdefault(cat, {})[code] = n
    visits: list[Visit] = []
    timers: list[LegalTimer] = []
    now = day_start(today + dt.timedelta(days=1), tz)
    for p in Premises.objects.filter(bureau=bureau, status="active").order_by("pk"):
        for code, per_year in sorted(reqs.get(p.category, {}).items()):
            if rng.random() < 0.08:  # never inspected for this element
                continue
            interval = rules.interval_days(per_year)
            # the last visit for the element: mostly within its interval, some late
            back = int(rng.random() * interval * 1.4)
            day = today - dt.timedelta(days=back)
            failed = rng.choice((0,) * 28 + (1, 1, 2, 3))
            visits.append(
                Visit(bureau=bureau, premises=p, status="done", day=day, elements=[code], failed_items=failed)
            )
        for kind, rule in rules.TIMER_RULES.items():
            if p.category not in rule.categories:
                continue
            if kind == "guest_registration":
                events = [now - dt.timedelta(hours=rng.randint(1, 96)) for _ in range(rng.randint(1, 3))]
            elif kind.startswith("precursor"):
                events = [
                    now - dt.timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
                    for _ in range(rng.randint(0, 2))
                ]
            else:
                events = [now - dt.timedelta(days=rng.randint(30, 1000))]
            for k, event_at in enumerate(events):
                due = rules.deadline(kind, event_at)
                done = None
                missing = False
                if rule.mode == "deliver":
                    if rng.random() < 0.9:  # delivered, mostly in time
                        span = (due - event_at).total_seconds()
                        done = event_at + dt.timedelta(seconds=span * rng.uniform(0.1, 1.05))
                        if done > now:
                            done = None
                elif rng.random() < 0.03:
                    done, missing = now - dt.timedelta(days=rng.randint(1, 20)), True
                timers.append(
                    LegalTimer(
                        bureau=bureau,
                        premises=p,
                        kind=kind,
                        event_at=event_at,
                        due_at=due,
                        done_at=done,
                        missing=missing,
                        reference=f"{p.external_id or p.pk}-{kind[:2].upper()}{k + 1}",
                    )
                )
    with transaction.atomic():
        Visit.objects.bulk_create(visits, batch_size=5000)
        LegalTimer.objects.bulk_create(timers, batch_size=5000)
        audit.record(
            "import",
            actor=None,
            bureau=bureau,
            object_type="demo.inspections",
            object_id=bureau.code,
            object_repr=bureau.name_zh,
            after={"visits": len(visits), "timers": len(timers)},
            reason="demo county generator",
            via="job",
        )
    return {"visits": len(visits), "timers": len(timers)}
