"""Benchmark: a quarter's Four-Star evaluation for a province, side by side with one county.

Generates (bulk_create) ``--bureaus`` bureaus of ``--officers / --bureaus`` officers each:
10 stations of 4 zones of 5 grids, a community officer per grid, zone leads, the rest
posted to the stations; in the quarter 20 incidents a grid, 40 grid-work entries a grid
officer, 100 cases, conduct records for 5% and a training day for 60% of the officers; a
published previous quarter with stars for a third of them; the current quarter's cycle
with every officer nominated. Measures, first with the first bureau alone (the county),
then with all of them (the province):

- evidence gathering of every file (``gather_many``, a bureau at a time): wall time and
  the process's peak resident memory;
- the per-file path of the file page (``gather``) on a sample: ms and queries per file;
- the officer's pages (the file with its evidence, the star history) as the political
  department: server time (median, p95) and queries;
- the query plans of the evidence's largest reads (``--explain``).

Prints one JSON object per measurement. Usage (PostgreSQL preferred)::

    createdb -h 127.0.0.1 -U postgres jw_eval2
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jw_eval2 nice -n 10 \\
        python bench/bench_evaluation.py --bureaus 100 --officers 100000 --explain
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import statistics
import tempfile
import time

YEAR, QUARTER = 2026, 2
FIRST, LAST = dt.date(2026, 4, 1), dt.date(2026, 6, 30)
DATA_DATE = dt.date(2026, 6, 20)
STATIONS, ZONES, GRIDS = 10, 4, 5


def setup() -> None:
    if "JINGWU_DATA_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        os.environ["JINGWU_DATA_DIR"] = tempfile.mkdtemp(prefix="jingwu-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def emit(**row) -> None:
    print(json.dumps(row, ensure_ascii=False), flush=True)


def make_bureau(index: int, per_bureau: int, rng: random.Random, user_model):
    """One bureau of the province with its quarter's records (bulk); returns (bureau, political user)."""
    from jingwu.accounts.models import Membership
    from jingwu.cases.models import Case
    from jingwu.core.models import Bureau
    from jingwu.duty.models import GridWork
    from jingwu.evaluation.models import ConductRecord, Nomination, TrainingDay
    from jingwu.evaluation.services import do_create_cycle
    from jingwu.incidents.models import Incident, IncidentCategory
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Officer, Posting

    code = f"9{index:05d}"
    bureau = Bureau.objects.create(code=code, name_zh=f"测试县{index}", time_zone="Asia/Shanghai")
    hq = Unit(bureau=bureau, kind="headquarters", code=f"{code}-HQ", name_zh="县局")
    hq.save()
    stations = Unit.objects.bulk_create(
        [
            Unit(
                bureau=bureau, parent=hq, kind="station", code=f"{code}-S{s}", name_zh=f"第{s}派出所", depth=1
            )
            for s in range(STATIONS)
        ]
    )
    for s in stations:
        s.path = f"{hq.path}{s.pk}/"
    Unit.objects.bulk_update(stations, ["path"])
    zones = Unit.objects.bulk_create(
        [
            Unit(
                bureau=bureau,
                parent=s,
                kind="zone",
                code=f"{s.code}-Z{z}",
                name_zh=f"{s.name_zh}{z}区",
                depth=2,
            )
            for s in stations
            for z in range(ZONES)
        ]
    )
    for z in zones:
        z.path = f"{z.parent.path}{z.pk}/"
    Unit.objects.bulk_update(zones, ["path"])
    grids = Unit.objects.bulk_create(
        [
            Unit(
                bureau=bureau,
                parent=z,
                kind="grid",
                code=f"{z.code}-G{g}",
                name_zh=f"{z.name_zh}{g}格",
                depth=3,
            )
            for z in zones
            for g in range(GRIDS)
        ]
    )
    for g in grids:
        g.path = f"{g.parent.path}{g.pk}/"
    Unit.objects.bulk_update(grids, ["path"])

    officers = Officer.objects.bulk_create(
        [
            Officer(
                bureau=bureau,
                police_number=f"{index:03d}{i:06d}",
                name=f"警员{index}-{i}",
                kind="police",
                gender="M" if i % 3 else "F",
                birth_date=dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28),
                id_number=f"ID{index:04d}{i:08d}",
                hired=dt.date(2000 + i % 25, 3, 1),
            )
            for i in range(per_bureau)
        ],
        batch_size=5000,
    )
    postings = []
    grid_officer = {}
    for i, o in enumerate(officers):
        if i < len(grids):
            unit, role = grids[i], "community"
            grid_officer[grids[i].pk] = o
        elif i < len(grids) + len(zones):
            unit, role = zones[i - len(grids)], "zone_lead"
        else:
            unit, role = stations[i % STATIONS], "patrol"
        postings.append(Posting(bureau=bureau, officer=o, unit=unit, role=role, start=dt.date(2020, 1, 1)))
    Posting.objects.bulk_create(postings, batch_size=5000)

    category = IncidentCategory.objects.order_by("pk").first()
    span = (LAST - FIRST).days * 86400
    start = dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)
    incidents = []
    for g in grids:
        z = g.parent
        for k in range(20):
            at = start + dt.timedelta(seconds=rng.randrange(span))
            incidents.append(
                Incident(
                    bureau=bureau,
                    number=f"{g.code}-{k}",
                    received_at=at,
                    category=category,
                    grid=g,
                    zone=z,
                    station=z.parent,
                    cleared_at=at + dt.timedelta(hours=2) if k % 3 else None,
                )
            )
    Incident.objects.bulk_create(incidents, batch_size=5000)
    kinds = ["visit"] * 20 + ["patrol"] * 10 + ["premises"] * 6 + ["mediation"] * 4
    work = []
    for g in grids:
        o = grid_officer[g.pk]
        for k in kinds:
            day = FIRST + dt.timedelta(days=rng.randrange((DATA_DATE - FIRST).days))
            work.append(
                GridWork(
                    bureau=bureau,
                    grid=g,
                    officer=o,
                    kind=k,
                    day=day,
                    minutes=rng.randrange(20, 180),
                    households=rng.randrange(1, 15) if k == "visit" else 0,
                    note="走访" if k == "visit" else "",
                )
            )
    GridWork.objects.bulk_create(work, batch_size=5000)
    Case.objects.bulk_create(
        [
            Case(
                bureau=bureau,
                number=f"{code}-C{k}",
                kind="criminal" if k % 2 else "administrative",
                title="案件",
                owning_unit=stations[k % STATIONS],
                opened_at=start + dt.timedelta(seconds=rng.randrange(span)),
            )
            for k in range(100)
        ]
    )
    ConductRecord.objects.bulk_create(
        [
            ConductRecord(
                bureau=bureau,
                officer=o,
                kind=("commendation", "complaint", "discipline")[i % 3],
                day=FIRST + dt.timedelta(days=i % 80),
                title="记录",
            )
            for i, o in enumerate(officers)
            if i % 20 == 0
        ]
    )
    TrainingDay.objects.bulk_create(
        [
            TrainingDay(bureau=bureau, officer=o, day=FIRST + dt.timedelta(days=i % 80), topic="培训")
            for i, o in enumerate(officers)
            if i % 5 < 3
        ],
        batch_size=5000,
    )
    # the data date: an incident that day
    Incident.objects.create(
        bureau=bureau,
        number=f"{code}-last",
        received_at=dt.datetime.combine(DATA_DATE, dt.time(2), tzinfo=dt.UTC),
        category=category,
    )

    political = user_model.objects.create(username=f"{code}-political", bureau=bureau)
    Membership.objects.create(bureau=bureau, user=political, unit=hq, role="political_department")

    # last quarter published with stars for a third; this quarter open, everyone nominated
    prev = do_create_cycle(
        actor=None,
        bureau=bureau,
        year=YEAR,
        quarter=QUARTER - 1,
        nomination_deadline=dt.date(2026, 3, 1),
        self_assessment_deadline=dt.date(2026, 3, 5),
        scoring_deadline=dt.date(2026, 3, 10),
        review_deadline=dt.date(2026, 3, 15),
    )
    cycle = do_create_cycle(
        actor=None,
        bureau=bureau,
        year=YEAR,
        quarter=QUARTER,
        nomination_deadline=dt.date(2026, 6, 25),
        self_assessment_deadline=dt.date(2026, 6, 28),
        scoring_deadline=dt.date(2026, 7, 5),
        review_deadline=dt.date(2026, 7, 10),
    )
    from jingwu.evaluation.models import Cycle, StarAward

    Cycle.objects.filter(pk=prev.pk).update(status="published", published_on=dt.date(2026, 4, 20))
    Cycle.objects.filter(pk=cycle.pk).update(status="open", opened_on=dt.date(2026, 6, 1))
    unit_of = {p.officer_id: p.unit for p in postings}

    def home(o):
        u = unit_of[o.pk]
        return u if u.kind == "station" else (u.parent if u.kind == "zone" else u.parent.parent)

    prev_files = Nomination.objects.bulk_create(
        [
            Nomination(
                bureau=bureau,
                cycle=prev,
                officer=o,
                unit=home(o),
                nominated_on=dt.date(2026, 2, 20),
                status="approved",
            )
            for i, o in enumerate(officers)
            if i % 3 == 0
        ],
        batch_size=5000,
    )
    standards = list(prev.standards.all())
    StarAward.objects.bulk_create(
        [
            StarAward(bureau=bureau, nomination=n, officer_id=n.officer_id, cycle=prev, standard=s, score=88)
            for n in prev_files
            for s in standards
        ],
        batch_size=5000,
    )
    Nomination.objects.bulk_create(
        [
            Nomination(bureau=bureau, cycle=cycle, officer=o, unit=home(o), nominated_on=dt.date(2026, 6, 2))
            for o in officers
        ],
        batch_size=5000,
    )
    return bureau, political


def measure(label: str, bureaus, users, rng: random.Random, sample: int, pages: int) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from jingwu.evaluation.evidence import gather, gather_many
    from jingwu.evaluation.models import Cycle, Nomination

    cycles = list(
        Cycle.objects.filter(bureau__in=bureaus, year=YEAR, quarter=QUARTER).select_related("bureau")
    )
    files = 0
    rss0 = peak_mb()
    t0 = time.perf_counter()
    per_bureau = []
    for c in cycles:
        t = time.perf_counter()
        files += len(gather_many(c))
        per_bureau.append(time.perf_counter() - t)
    emit(
        scale=label,
        what="gather_many: every file of the quarter",
        bureaus=len(cycles),
        files=files,
        seconds=round(time.perf_counter() - t0, 2),
        per_bureau_s_median=round(statistics.median(per_bureau), 3),
        peak_rss_mb=peak_mb(),
        rss_before_mb=rss0,
    )

    ids = list(Nomination.objects.filter(cycle__in=cycles).values_list("pk", flat=True))
    picks = rng.sample(ids, min(sample, len(ids)))
    times, queries = [], []
    reset_queries()  # the query log keeps 9,000: counting past it would read 0
    for pk in picks:
        n = Nomination.objects.select_related("cycle", "cycle__bureau", "officer").get(pk=pk)
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            gather(n)
            times.append((time.perf_counter() - t) * 1000)
        queries.append(len(q))
    emit(
        scale=label,
        what="gather: one file (the file page's path)",
        files=len(picks),
        ms_median=round(statistics.median(times), 2),
        ms_p95=round(sorted(times)[int(0.95 * (len(times) - 1))], 2),
        queries=max(queries),
        extrapolated_all_files_s=round(statistics.mean(times) * len(ids) / 1000, 1),
    )

    reset_queries()
    by_bureau = {u.bureau_id: u for u in users}
    for name, url_of in (
        ("file page (evidence)", lambda n: reverse("evaluation:file_detail", args=[n.pk])),
        ("star history page", lambda n: reverse("evaluation:officer_stars", args=[n.officer_id])),
    ):
        times, queries = [], []
        for pk in picks[:pages]:
            n = Nomination.objects.get(pk=pk)
            client = Client()
            client.force_login(by_bureau[n.bureau_id])
            with CaptureQueriesContext(connection) as q:
                t = time.perf_counter()
                r = client.get(url_of(n))
                times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (name, r.status_code)
            queries.append(len(q))
        emit(
            scale=label,
            what=name,
            pages=len(times),
            ms_median=round(statistics.median(times), 1),
            ms_p95=round(sorted(times)[int(0.95 * (len(times) - 1))], 1),
            queries_median=statistics.median(queries),
        )


def explain(bureau) -> None:
    from django.db import connection

    from jingwu.duty.models import GridWork
    from jingwu.evaluation.models import Nomination
    from jingwu.incidents.models import Incident

    n = Nomination.objects.filter(bureau=bureau, cycle__quarter=QUARTER).order_by("pk").first()
    plans = {
        "grid work of one officer (file page)": GridWork.objects.filter(
            bureau=bureau, officer_id=n.officer_id, day__gte=FIRST, day__lte=LAST
        ).values_list("kind"),
        "grid work of a bureau (gather_many)": GridWork.objects.filter(
            bureau=bureau, day__gte=FIRST, day__lte=LAST
        ).values_list("officer_id", "kind"),
        "incidents of a bureau's quarter (gather_many)": Incident.objects.filter(
            bureau=bureau,
            received_at__gte=dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC),
            received_at__lt=dt.datetime(2026, 6, 30, 16, tzinfo=dt.UTC),
        ).values_list("grid_id", "zone_id", "station_id"),
        "files of a cycle": Nomination.objects.filter(cycle_id=n.cycle_id).values_list("pk", "officer_id"),
    }
    for name, qs in plans.items():
        plan = qs.explain() if connection.vendor != "postgresql" else qs.explain(analyze=True)
        emit(what="plan", query=name, plan=plan.splitlines()[:6])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bureaus", type=int, default=100)
    ap.add_argument("--officers", type=int, default=100_000, help="officers of the province")
    ap.add_argument("--sample", type=int, default=200, help="files timed one by one")
    ap.add_argument("--pages", type=int, default=30, help="pages timed per kind")
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--checkpoints", default="10,30", help="also measure at these numbers of bureaus")
    args = ap.parse_args()
    setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from jingwu.core.models import Bureau

    if Bureau.objects.filter(code__startswith="9", code__regex=r"^9\d{5}$").exists():
        raise SystemExit("The database already holds the benchmark's bureaus: use a fresh database.")
    rng = random.Random(args.seed)
    per = args.officers // args.bureaus
    user_model = get_user_model()
    emit(what="setup", database=connection.vendor, bureaus=args.bureaus, officers_per_bureau=per)

    t = time.perf_counter()
    first = [make_bureau(0, per, rng, user_model)]
    emit(what="generate", bureaus=1, seconds=round(time.perf_counter() - t, 1))
    measure("county", [first[0][0]], [first[0][1]], rng, args.sample, args.pages)

    made = list(first)
    checkpoints = sorted({int(x) for x in args.checkpoints.split(",") if x} | {args.bureaus})
    for point in checkpoints:
        t = time.perf_counter()
        made += [make_bureau(i, per, rng, user_model) for i in range(len(made), point)]
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        emit(what="generate", bureaus=len(made), seconds=round(time.perf_counter() - t, 1))
        label = "province" if point == args.bureaus else f"{point} bureaus"
        measure(label, [b for b, _u in made], [u for _b, u in made], rng, args.sample, args.pages)
    if args.explain:
        explain(made[-1][0])


if __name__ == "__main__":
    main()
