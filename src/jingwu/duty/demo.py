"""Duty of the demo county, generated once (seeded): so that a user who runs the demo sees duty today.

For the stations the demo's log-ins belong to (the textile town Jiapu and the urban
Zhicheng): the duty set-up and its coverage needs from the demand model, a 4-week roster
starting a week before the data date, solved by the roster job and published; each
grid's responsible community officer and auxiliaries; some leave (two approved, which
re-plans their days of the published roster, one waiting for the chief); and the grid
work log of the last two weeks.
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import ValidationError

from jingwu.core.clock import data_date

DEMO_STATIONS = ("夹浦", "雉城")
ROSTER_DAYS = 28
TIME_LIMIT = 5  # seconds of solving per station (again with 25 s if no roster was found)


def demo_stations(bureau) -> list:
    from jingwu.org.models import Unit

    units = Unit.objects.current().filter(bureau=bureau, kind="station")
    out = [s for town in DEMO_STATIONS for s in units.filter(name_zh__startswith=town).order_by("code")[:1]]
    return out or list(units.order_by("code")[:1])


def ensure_duty_demo(bureau, *, seed: int = 2019) -> dict[str, int]:
    """Generate the bureau's demo duty once (a bureau that has a roster is kept)."""
    from .models import Roster

    if Roster.objects.filter(bureau=bureau).exists():
        return {}
    from jingwu.core.clock import _memo

    rng = random.Random(f"duty-{seed}-{bureau.code}")
    today = data_date(bureau)
    memo = _memo.set({bureau.pk: today})  # the data date, read once (duty does not move it)
    try:
        return _generate(bureau, rng, today)
    finally:
        _memo.reset(memo)


def _generate(bureau, rng: random.Random, today: dt.date) -> dict[str, int]:
    from jingwu.jobs.services import latest_job, run_now

    from .models import GridWork
    from .services import do_publish_roster, do_start_roster

    start = today - dt.timedelta(days=7)
    counts = {"rosters": 0, "grids": 0, "leave": 0, "work": 0}
    for station in demo_stations(bureau):
        grids = _assign_grids(station, today)
        counts["grids"] += len(grids)
        for limit in (TIME_LIMIT, 5 * TIME_LIMIT):  # a busy machine may need longer to find a roster
            roster = do_start_roster(
                station, actor=None, start=start, days=ROSTER_DAYS, time_limit=limit, hand_out=False
            )
            job = run_now(latest_job(roster))
            roster.refresh_from_db()
            if job.state == "done" and roster.results.get("status") in ("OPTIMAL", "FEASIBLE"):
                break
        else:
            continue
        do_publish_roster(roster, actor=None)
        counts["rosters"] += 1
        counts["leave"] += _leave(station, roster, today, rng)
        before = GridWork.objects.filter(bureau=bureau).count()
        _work_log(grids, today, rng)
        counts["work"] += GridWork.objects.filter(bureau=bureau).count() - before
    return counts


def _assign_grids(station, today) -> list:
    """Each grid's responsible officer: a community officer posted in the grid, else in its zone
    (one officer may hold several grids); the grid's auxiliaries attached."""
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Posting

    from .services import do_assign_grid

    grids = list(
        Unit.objects.current(today).filter(
            bureau_id=station.bureau_id, kind="grid", path__startswith=station.path
        )
    )
    postings = list(
        Posting.objects.current(today)
        .filter(bureau_id=station.bureau_id, unit__path__startswith=station.path)
        .exclude(officer__status="retired")
        .select_related("officer", "unit")
        .order_by("officer_id")
    )
    in_grid: dict[int, list] = {}
    in_zone: dict[int, list] = {}
    aux: dict[int, list] = {}
    for p in postings:
        if p.officer.kind == "auxiliary":
            if p.unit.kind == "grid":
                aux.setdefault(p.unit_id, []).append(p.officer)
        elif p.role in ("community", "zone_lead"):
            (in_grid if p.unit.kind == "grid" else in_zone).setdefault(p.unit_id, []).append(p.officer)
    done = []
    for i, g in enumerate(sorted(grids, key=lambda g: g.code)):
        people = in_grid.get(g.pk) or in_zone.get(g.parent_id) or []
        officer = people[i % len(people)] if people else None
        if officer is None and not aux.get(g.pk):
            continue
        done.append(do_assign_grid(g, actor=None, officer=officer, auxiliaries=aux.get(g.pk, [])))
    return done


def _leave(station, roster, today, rng: random.Random) -> int:
    """Two people's leave approved (their days of the published roster are re-planned), one waiting."""
    from .models import RosterEntry
    from .services import do_decide_leave, do_request_leave

    duty: dict[int, list] = {}
    for officer_id, day in (
        RosterEntry.objects.filter(roster=roster, day__gt=today + dt.timedelta(days=1), lead=False)
        .order_by("officer_id", "day")
        .values_list("officer_id", "day")
    ):
        duty.setdefault(officer_id, []).append(day)
    from jingwu.personnel.models import Officer

    people = Officer.objects.in_bulk(list(duty))
    chosen = rng.sample(sorted(people), min(3, len(people)))
    n = 0
    for k, pk in enumerate(chosen):
        first = rng.choice(duty[pk][:6])  # a day they have duty: approving it re-plans that day
        last = first + dt.timedelta(days=rng.randint(0, 2))
        reason = ("年休假", "探亲假", "事假")[k % 3]
        try:
            req = do_request_leave(
                people[pk], actor=None, station=station, first=first, last=last, reason=reason
            )
            if k < 2:
                do_decide_leave(req, actor=None, approve=True)
        except ValidationError:  # refused by a rule: the demo goes on without it
            continue
        n += 1
    return n


def _work_log(grids, today, rng: random.Random) -> None:
    """The grid work of the last two weeks: visits, patrols, premises checks and mediations."""
    from .choices import WorkKind
    from .models import GridWork

    notes = {
        WorkKind.VISIT: ("走访出租房屋", "入户登记流动人口", "走访重点人员家属"),
        WorkKind.PATROL: ("夜间巡逻", "校园周边巡逻", "集市巡逻"),
        WorkKind.PREMISES: ("检查企业消防通道", "检查出租房屋安全", "检查娱乐场所登记"),
        WorkKind.MEDIATION: ("调解邻里纠纷", "调解劳资纠纷"),
    }
    rows = []
    for row in grids:
        people = ([row.officer] if row.officer else []) + list(row.auxiliaries.all())
        for back in range(14):
            day = today - dt.timedelta(days=back)
            for person in people:
                if rng.random() < 0.55:
                    continue
                kind = rng.choice(
                    (WorkKind.VISIT, WorkKind.VISIT, WorkKind.PATROL, WorkKind.PREMISES, WorkKind.MEDIATION)
                )
                rows.append(
                    GridWork(
                        bureau_id=row.bureau_id,
                        grid_id=row.grid_id,
                        officer=person,
                        kind=kind,
                        day=day,
                        minutes=rng.choice((30, 45, 60, 90, 120)),
                        households=rng.randint(2, 12) if kind == WorkKind.VISIT else 0,
                        note=rng.choice(notes[kind]),
                    )
                )
    from django.db import transaction

    from jingwu.core import audit

    if not rows:
        return
    bureau = grids[0].bureau
    with transaction.atomic():
        GridWork.objects.bulk_create(rows, batch_size=1000)
        audit.record(
            "import",
            actor=None,
            bureau=bureau,
            object_type="demo.gridwork",
            object_id=bureau.code,
            object_repr=bureau.name_zh,
            after={"work": len(rows), "grids": len(grids)},
            reason="demo county generator",
            via="job",
        )
