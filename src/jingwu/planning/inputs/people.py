"""Who was posted where on the day of the state, with their age, skills, rank, role and home."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q

from .scoped import visible
from .state import OfficerInfo, UnitInfo

#: Ages are clamped to working ages (a wrong birth date must not make a child or a centenarian).
MIN_AGE, MAX_AGE = 16, 70
#: Officers who are no longer in the force (not planned even with a current posting).
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


def primary_postings(
    bureau, user, as_of: dt.date, units: dict[int, UnitInfo]
) -> dict[int, tuple[int, int, str]]:
    """officer -> (posting, unit, role) current on ``as_of``: the latest started, then the highest id."""
    from jingwu.personnel.models import Posting

    rows = (
        visible(Posting, user)
        .filter(bureau_id=bureau.pk, start__lte=as_of)
        .filter(Q(end__isnull=True) | Q(end__gte=as_of))
        .order_by("officer_id", "-start", "-id")
        .values_list("id", "officer_id", "unit_id", "role")
    )
    primary: dict[int, tuple[int, int, str]] = {}
    for pid, oid, uid, role in rows:
        if oid not in primary and uid in units:
            primary[oid] = (pid, uid, role)
    return primary


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

    primary = primary_postings(bureau, user, as_of, units)
    skills = officer_skills(bureau, user, list(primary))
    rows = (
        visible(Officer, user)
        .filter(bureau_id=bureau.pk, pk__in=list(primary))
        .exclude(status__in=GONE_STATUSES)
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
        status=o["status"],
        lon=float(home[0]),
        lat=float(home[1]),
        skills=skills,
        posting_id=pid,
        posting_unit=uid,
        role=role,
        unit=pu,
    )
