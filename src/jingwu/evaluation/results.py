"""Results of published cycles: star histories, honour rolls, statistics by unit type and
the promotion candidate list. Every function takes rows already read through the
scoping layer, so each user's figures cover what they may see."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .choices import ConductKind, CycleStatus

# How a nominating unit's kind is reported (the reform's comparison: station officers).
UNIT_TYPES = ("station", "investigation_center", "prevention_center", "headquarters")


def unit_type(unit) -> str:
    """The unit type a star is counted under: the nominating unit's kind (other kinds as headquarters)."""
    return unit.kind if unit.kind in UNIT_TYPES else "headquarters"


@dataclass
class CycleStars:
    cycle: object
    standards: list = field(default_factory=list)  # the cycle's standards, in order
    earned: set = field(default_factory=set)  # standard ids earned

    @property
    def count(self) -> int:
        return len(self.earned)

    @property
    def all_four(self) -> bool:
        return len(self.standards) > 0 and all(s.pk in self.earned for s in self.standards)


def star_history(stars, cycles) -> list[CycleStars]:
    """An officer's stars per published cycle (newest first); ``stars`` their StarAward rows."""
    from .models import Standard

    by_cycle: dict[int, set] = defaultdict(set)
    for s in stars:
        by_cycle[s.cycle_id].add(s.standard_id)
    out = []
    standards = defaultdict(list)
    for s in Standard.objects.filter(cycle__in=cycles).order_by("order"):
        standards[s.cycle_id].append(s)
    for c in cycles:
        out.append(CycleStars(c, standards[c.pk], by_cycle.get(c.pk, set())))
    return out


def honour_roll(stars) -> list[tuple[object, list[tuple[object, int]]]]:
    """Units and their officers with the stars each earned, most stars first."""
    per: dict[int, Counter] = defaultdict(Counter)
    units, officers = {}, {}
    for s in stars.select_related("nomination__unit", "officer"):
        u = s.nomination.unit
        units[u.pk], officers[s.officer_id] = u, s.officer
        per[u.pk][s.officer_id] += 1
    rows = []
    for uid in sorted(per, key=lambda k: units[k].path):
        ranked = sorted(per[uid].items(), key=lambda kv: (-kv[1], officers[kv[0]].police_number))
        rows.append((units[uid], [(officers[oid], n) for oid, n in ranked]))
    return rows


def share_by_unit_type(stars) -> list[dict]:
    """Stars and officers awarded (at least one star) by the nominating unit's type, with shares."""
    star_count: Counter = Counter()
    awarded: dict[str, set] = defaultdict(set)
    for s in stars.select_related("nomination__unit"):
        t = unit_type(s.nomination.unit)
        star_count[t] += 1
        awarded[t].add((s.cycle_id, s.officer_id))
    total_stars = sum(star_count.values())
    total_awarded = sum(len(v) for v in awarded.values())
    rows = []
    for t in UNIT_TYPES:
        rows.append(
            {
                "type": t,
                "stars": star_count[t],
                "stars_share": round(100 * star_count[t] / total_stars, 1) if total_stars else 0.0,
                "awarded": len(awarded[t]),
                "awarded_share": round(100 * len(awarded[t]) / total_awarded, 1) if total_awarded else 0.0,
            }
        )
    return rows


# --- promotion candidates -------------------------------------------------------------------
#
# A documented score out of 100, stars being one factor among others:
#   stars        40  stars of the last four published cycles (16 stars = 40)
#   service      20  years of service (hired), 20 years or more = 20
#   commendations 20 commendations of the last two years, 4 or more = 20
#   appraisal    20  20 less 5 per substantiated complaint of the last two years (not below 0)
# Officers with a discipline record in the last two years are not candidates; auxiliaries
# hold no police rank and are not promoted.
PROMOTION_WEIGHTS = {"stars": 40, "service": 20, "commendations": 20, "appraisal": 20}


@dataclass
class Candidate:
    officer: object
    stars: int
    years: int
    commendations: int
    complaints: int
    factors: dict
    total: float


def promotion_candidates(officers, stars, records, cycles, on: dt.date, limit: int = 50) -> list[Candidate]:
    """Rank ``officers`` (police, active) by the documented factors; ``stars`` and ``records``
    are the StarAward and ConductRecord rows the reader may see."""
    recent = [c.pk for c in cycles if c.status == CycleStatus.PUBLISHED][:4]
    star_n = Counter(s.officer_id for s in stars.filter(cycle_id__in=recent))
    since = on - dt.timedelta(days=730)
    commend, complain, disciplined = Counter(), Counter(), set()
    for r in records.filter(day__gte=since, day__lte=on, substantiated=True):
        if r.kind == ConductKind.COMMENDATION:
            commend[r.officer_id] += 1
        elif r.kind == ConductKind.COMPLAINT:
            complain[r.officer_id] += 1
        else:
            disciplined.add(r.officer_id)
    out = []
    for o in officers.filter(kind="police", status="active"):
        if o.pk in disciplined:
            continue
        years = 0
        if o.hired:
            years = on.year - o.hired.year - ((on.month, on.day) < (o.hired.month, o.hired.day))
        f = {
            "stars": min(star_n[o.pk], 16) / 16 * PROMOTION_WEIGHTS["stars"],
            "service": min(max(years, 0), 20) / 20 * PROMOTION_WEIGHTS["service"],
            "commendations": min(commend[o.pk], 4) / 4 * PROMOTION_WEIGHTS["commendations"],
            "appraisal": max(PROMOTION_WEIGHTS["appraisal"] - 5 * complain[o.pk], 0),
        }
        f = {k: round(v, 1) for k, v in f.items()}
        out.append(
            Candidate(o, star_n[o.pk], years, commend[o.pk], complain[o.pk], f, round(sum(f.values()), 1))
        )
    out.sort(key=lambda c: (-c.total, -c.stars, c.officer.police_number))
    return out[:limit]
