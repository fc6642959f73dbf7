"""Who was posted where on the day of the state, with their age, skills, rank, role and home."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from .scoped import visible
from .state import OfficerInfo, UnitInfo

#: Ages are clamped to working ages (a wrong birth date must not make a child or a centenarian).
MIN_AGE, MAX_AGE = 16, 70
#: Statuses of officers no longer in the force (today: they may have served on a past day).
GONE_STATUSES = ("retired", "left")
#: Officer fields read from the database.
OFFICER_FIELDS = (
    "id",
    "police_number",
    "name",
    "kind",
    "gender",
    "birth_date",
    "rank",
    "status",
    "home_lon",
    "home_lat",
)


@dataclass
class Postings:
    """The posting each officer held on ``as_of``, and who held it with no end date."""

    primary: dict[int, tuple[int, int, str]]  # officer -> (posting, unit, role)
    open_ended: set[int]


def primary_postings(bureau, user, as_of: dt.date, units: dict[int, UnitInfo]) -> Postings:
    """The posting current on ``as_of`` of each officer: the latest started, then the highest id."""
    from jingwu.personnel.models import Posting

    rows = (
        visible(Posting, user)
        .filter(bureau_id=bureau.pk, start__lte=as_of)
        .filter(Q(end__isnull=True) | Q(end__gte=as_of))
        .order_by("officer_id", "-start", "-id")
        .values_list("id", "officer_id", "unit_id", "role", "end")
    )
    out = Postings(primary={}, open_ended=set())
    for pid, oid, uid, role, end in rows:
        if oid not in out.primary and uid in units:
            out.primary[oid] = (pid, uid, role)
            if end is None:
                out.open_ended.add(oid)
    return out


def officer_skills(bureau, user, officer_ids: list[int]) -> dict[int, dict[str, int]]:
    """officer -> {skill: level}."""
    from jingwu.personnel.models import OfficerSkill

    skills: dict[int, dict[str, int]] = {}
    for oid, code, level in (
        visible(OfficerSkill, user)
        .filter(bureau_id=bureau.pk, officer_id__in=officer_ids)
        .values_list("officer_id", "skill", "level")
    ):
        skills.setdefault(oid, {})[code] = int(level)
    return skills


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years on ``day``, clamped to working ages."""
    age = day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
    return max(MIN_AGE, min(MAX_AGE, age))


def read_officers(
    bureau,
    user,
    as_of: dt.date,
    units: dict[int, UnitInfo],
    plan_unit: Callable[[int], int],
) -> list[OfficerInfo]:
    """Every officer in the force with a posting current on ``as_of``, by police number."""
    from jingwu.personnel.models import Officer

    postings = primary_postings(bureau, user, as_of, units)
    primary = postings.primary
    skills = officer_skills(bureau, user, list(primary))
    rows = (
        visible(Officer, user)
        .filter(bureau_id=bureau.pk, pk__in=list(primary))
        # serving on the day of the state: a posting that covers it. The status is today's, so
        # it only rules out whom the records still post although they have retired or left;
        # an officer who retired after the state date served on it.
        .exclude(Q(status__in=GONE_STATUSES) & Q(pk__in=postings.open_ended))
        .order_by("police_number")
        .values(*OFFICER_FIELDS)
    )
    return [officer_info(o, primary[o["id"]], skills.get(o["id"], {}), as_of, units, plan_unit) for o in rows]


def officer_info(
    o: dict[str, Any],
    posting: tuple[int, int, str],
    skills: dict[str, int],
    as_of: dt.date,
    units: dict[int, UnitInfo],
    plan_unit: Callable[[int], int],
) -> OfficerInfo:
    """One officer: their home (else their planning unit's location) and posting."""
    pid, uid, role = posting
    pu = plan_unit(uid)
    home = (
        (o["home_lon"], o["home_lat"])
        if o["home_lon"] is not None and o["home_lat"] is not None
        else (units[pu].lon, units[pu].lat)
    )
    return OfficerInfo(
        id=o["id"],
        number=o["police_number"],
        name=o["name"],
        kind=o["kind"],
        gender=o["gender"],
        age=age_on(o["birth_date"], as_of),
        rank=o["rank"] if o["kind"] == "police" else "none",
        # retired or left since the state date: serving on it
        status="active" if o["status"] in GONE_STATUSES else o["status"],
        lon=float(home[0]),
        lat=float(home[1]),
        skills=skills,
        posting_id=pid,
        posting_unit=uid,
        role=role,
        unit=pu,
    )
