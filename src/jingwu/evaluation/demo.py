"""Demo rows of the evaluation, generated from the demo county's officers (seeded).

Of the four quarters before the bureau's data date, each one whose results would be
published by then (40 days after the quarter ends) gets a published cycle with the
default rules. Each cycle nominates about one police officer in twenty: 58% of the
nominees from the stations (the share the reform reported for awards going to station
officers), the rest from the centers and headquarters, each group given the same
pattern of scores, so the stars' share by unit type shows the same split. Conduct
records (commendations, complaints, a few discipline records) are spread over the
officers. Rows are bulk-inserted in one transaction with one audit event per bureau.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from jingwu.core import audit
from jingwu.core.clock import data_date

STATION_SHARE = 0.58
# Scores by nominee (cycled within each group): the standards they miss (by code).
MISSES = [(), ("law",), (), ("loyalty", "service"), ("discipline",), ()]


def _quarters_before(day: dt.date, n: int) -> list[tuple[int, int]]:
    y, q = day.year, (day.month - 1) // 3 + 1
    out = []
    for _ in range(n + 1):
        q -= 1
        if q == 0:
            y, q = y - 1, 4
        out.append((y, q))
    return list(reversed(out))


def ensure_evaluation(bureau, *, seed: int = 2019) -> dict:
    """Generate the demo evaluation of ``bureau`` once (nothing when it has cycles)."""
    from .models import Cycle

    if Cycle.objects.filter(bureau=bureau).exists():
        return {}
    with transaction.atomic():
        return _generate(bureau, seed)


def _generate(bureau, seed: int) -> dict:
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Posting

    from .evidence import quarter_days
    from .models import ConductRecord, Criterion, Cycle, Nomination, Score, StarAward
    from .services import do_create_cycle

    rng = random.Random(seed * 7919 + bureau.pk)
    today = data_date(bureau)
    units = {u.pk: u for u in Unit.objects.filter(bureau=bureau)}
    hq = next(u for u in units.values() if u.kind == "headquarters")

    def nominating(unit):
        for part in unit.path.strip("/").split("/"):
            anc = units.get(int(part))
            if anc is not None and anc.kind in ("station", "investigation_center", "prevention_center"):
                return anc
        return hq

    postings = (
        Posting.objects.current(today)
        .filter(bureau=bureau, officer__kind="police", officer__status="active")
        .select_related("unit")
        .order_by("officer_id", "-start")
    )
    home: dict[int, object] = {}
    for p in postings:
        home.setdefault(p.officer_id, nominating(p.unit))
    stations = sorted(o for o, u in home.items() if u.kind == "station")
    others = sorted(o for o, u in home.items() if u.kind != "station")
    counts = {"cycles": 0, "nominations": 0, "stars": 0, "conduct": 0}
    if not stations or not others:
        return counts
    n_total = max(12, len(home) // 20)
    n_station = round(STATION_SHARE * n_total)
    n_other = min(n_total - n_station, len(others))
    n_station = min(n_station, len(stations))

    for year, quarter in _quarters_before(today, 4)[-4:]:
        first, last = quarter_days(year, quarter)
        published = last + dt.timedelta(days=40)
        if published > today:
            continue
        cycle = do_create_cycle(
            actor=None,
            bureau=bureau,
            year=year,
            quarter=quarter,
            nomination_deadline=last + dt.timedelta(days=7),
            self_assessment_deadline=last + dt.timedelta(days=12),
            scoring_deadline=last + dt.timedelta(days=18),
            review_deadline=last + dt.timedelta(days=25),
        )
        criteria = list(Criterion.objects.filter(standard__cycle=cycle).select_related("standard"))
        standards = {s.code: s for s in cycle.standards.all()}
        notice_start = last + dt.timedelta(days=30)
        Cycle.objects.filter(pk=cycle.pk).update(
            status="published",
            opened_on=first,
            notice_start=notice_start,
            notice_end=notice_start + dt.timedelta(days=cycle.notice_days - 1),
            published_on=published,
        )
        chosen = rng.sample(stations, n_station) + rng.sample(others, n_other)
        group_index = {o: i for i, o in enumerate(chosen[:n_station])} | {
            o: i for i, o in enumerate(chosen[n_station:])
        }
        files = Nomination.objects.bulk_create(
            [
                Nomination(
                    bureau=bureau,
                    cycle=cycle,
                    officer_id=o,
                    unit=home[o],
                    nominated_on=last + dt.timedelta(days=3),
                    status="approved",
                    self_text="本季度工作总结。",
                    self_on=last + dt.timedelta(days=8),
                    scored_on=last + dt.timedelta(days=15),
                    review="endorsed",
                    reviewed_on=last + dt.timedelta(days=22),
                    committee="approved",
                    decided_on=last + dt.timedelta(days=27),
                )
                for o in chosen
            ]
        )
        scores, stars = [], []
        for n in files:
            misses = MISSES[group_index[n.officer_id] % len(MISSES)]
            per_std: dict[str, Decimal] = {}
            for c in criteria:
                value = (
                    Decimal("6.0")
                    if c.standard.code in misses
                    else Decimal(rng.choice(["8.5", "9.0", "9.5"]))
                )
                scores.append(Score(bureau=bureau, nomination=n, criterion=c, kind="unit", value=value))
                per_std[c.standard.code] = per_std.get(c.standard.code, Decimal(0)) + c.weight * value
            for code, total in per_std.items():
                score = (total / cycle.scale_max).quantize(Decimal("0.1"))
                if score >= standards[code].pass_mark:
                    stars.append(
                        StarAward(
                            bureau=bureau,
                            nomination=n,
                            officer_id=n.officer_id,
                            cycle=cycle,
                            standard=standards[code],
                            score=score,
                        )
                    )
        Score.objects.bulk_create(scores, batch_size=5000)
        StarAward.objects.bulk_create(stars, batch_size=5000)
        counts["cycles"] += 1
        counts["nominations"] += len(files)
        counts["stars"] += len(stars)

    # Conduct records over the last two years: commendations for one officer in eight,
    # complaints for one in fifteen (a third found groundless), discipline for one in sixty.
    officers = sorted(home)
    records = []
    span = 700
    for o in officers:
        r = rng.random()
        if r < 1 / 8:
            for _ in range(rng.randint(1, 3)):
                records.append(("commendation", o, "群众赠送锦旗", True))
        elif r < 1 / 8 + 1 / 15:
            records.append(("complaint", o, "群众投诉执法态度", rng.random() > 1 / 3))
        elif r < 1 / 8 + 1 / 15 + 1 / 60:
            records.append(("discipline", o, "违反工作纪律，诫勉谈话", True))
    ConductRecord.objects.bulk_create(
        [
            ConductRecord(
                bureau=bureau,
                officer_id=o,
                kind=kind,
                day=today - dt.timedelta(days=rng.randint(0, span)),
                title=title,
                substantiated=ok,
            )
            for kind, o, title, ok in records
        ]
    )
    counts["conduct"] = len(records)
    audit.record(
        "import",
        actor=None,
        bureau=bureau,
        object_type="demo.evaluation",
        object_id=bureau.code,
        object_repr=bureau.name_zh,
        unit_path=hq.path,
        after=counts,
        reason="demo evaluation generator",
        via="job",
    )
    return counts
