"""Benchmark: server time of the measurement pages on a province of data, beside one county.

Runs the dashboards (county, station, zone, grid, investigation center), the indicator
sets, the reports list, a zone's ETAS hot spots and its directed patrols in-process
through Django's test client (server time only), for bureau command, a station chief, a
zone lead and the investigation center of the first county (code 330522, the demo county),
and prints median and 95th percentile per page as JSON, side by side for the two
databases. It also prints the query plans of the dashboard's heavy queries (incidents by
month and place, night call-outs, visits, grid work, patrol tasks) on each database, and
on an empty SQLite database (``--sqlite``), to check they start from a bureau index.

    # both databases loaded first with bench/bench_demo.py (--scale N for the province)
    python bench/bench_measure_pages.py \\
        --province postgres://postgres@127.0.0.1:5432/jw_province \\
        --county postgres://postgres@127.0.0.1:5432/jw_one -n 15 --sqlite

Each database is migrated first (the measurement tables are added if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def timings(client, url: str, n: int) -> dict:
    r = client.get(url)  # warm caches (templates, the area index)
    assert r.status_code == 200, (url, r.status_code)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(0.95 * (n - 1))], 1),
    }


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    os.environ["JINGWU_OTP"] = "0"
    os.environ["JINGWU_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def plans(bureau_id: int = 1, station_id: int = 2, zone_id: int = 3, grid_id: int = 4) -> dict:
    """EXPLAIN of the dashboard's heavy queries, built for unsaved units (ids as given)."""
    import datetime as dt

    from django.db.models import Count, Q, Sum
    from django.db.models.functions import ExtractHour, TruncMonth

    from jingwu.analytics.models import PatrolTask
    from jingwu.core.clock import day_start, zone
    from jingwu.core.scope import under_unit_q
    from jingwu.duty.models import GridWork
    from jingwu.incidents.models import Incident
    from jingwu.inspections.models import Visit
    from jingwu.org.models import Unit

    tz = zone(None)
    station = Unit(pk=station_id, bureau_id=bureau_id, kind="station", path="0001.0002.")
    zone_u = Unit(pk=zone_id, bureau_id=bureau_id, kind="zone", path="0001.0002.0003.")
    first, last = dt.date(2018, 1, 1), dt.date(2018, 12, 31)
    start, end = day_start(first, tz), day_start(last + dt.timedelta(days=1), tz)
    inc = Incident.objects.filter(under_unit_q(Incident, station)).filter(
        received_at__gte=start, received_at__lt=end
    )
    qs = {
        "incidents_by_month (station)": inc.annotate(m=TruncMonth("received_at", tzinfo=tz))
        .order_by()
        .values("m")
        .annotate(n=Count("id")),
        "incidents_by_zone (station)": inc.order_by().values_list("zone_id").annotate(n=Count("id")),
        "night_callouts (station)": inc.filter(arrived_at__isnull=False)
        .annotate(h=ExtractHour("received_at", tzinfo=tz))
        .filter(Q(h__gte=22) | Q(h__lt=6))
        .values("id"),
        "visits_done (zone)": Visit.objects.filter(under_unit_q(Visit, zone_u)).filter(
            status="done", day__gte=first, day__lte=last
        ),
        "grid_work (zone)": GridWork.objects.filter(bureau_id=bureau_id, grid_id__in=[grid_id, grid_id + 1])
        .filter(day__gte=first, day__lte=last)
        .values("bureau_id")
        .annotate(m=Sum("minutes")),
        "patrol_tasks (zone)": PatrolTask.objects.filter(bureau_id=bureau_id, zone_id=zone_id).order_by(
            "-day", "method", "rank"
        ),
    }
    return {name: q.explain() for name, q in qs.items()}


def run(n: int) -> dict:
    _setup()
    from django.conf import settings
    from django.test import Client

    from jingwu.accounts.models import User
    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.core.models import Bureau
    from jingwu.incidents.models import Incident
    from jingwu.org.models import Unit

    settings.ALLOWED_HOSTS = ["*"]
    bureau = Bureau.objects.get(code="330522")
    hq = Unit.objects.get(bureau=bureau, kind="headquarters")
    station = Unit.objects.filter(bureau=bureau, kind="station", name_zh__startswith="夹浦").first() or (
        Unit.objects.filter(bureau=bureau, kind="station").order_by("code").first()
    )
    zone = Unit.objects.filter(parent=station, kind="zone").order_by("code").first()
    grid = Unit.objects.filter(parent=zone, kind="grid").order_by("code").first()
    center = Unit.objects.filter(bureau=bureau, kind="investigation_center").first()
    users = {}
    for name, unit, role in (
        ("bench-command", hq, "bureau_command"),
        ("bench-chief", station, "station_chief"),
        ("bench-zonelead", zone, "zone_lead"),
        ("bench-center", center, "investigation_center"),
    ):
        u = User.objects.filter(username=name).first()
        if u is None:
            u = do_create_user(actor=None, username=name, password="x", bureau=bureau, check_password=False)
            do_grant_membership(actor=None, user=u, unit=unit, role=role)
        users[name] = u
    pages = {
        "dashboard county (command)": ("bench-command", f"/measure/units/{hq.pk}/"),
        "dashboard station (chief)": ("bench-chief", f"/measure/units/{station.pk}/"),
        "dashboard zone (zone lead)": ("bench-zonelead", f"/measure/units/{zone.pk}/"),
        "dashboard grid (zone lead)": ("bench-zonelead", f"/measure/units/{grid.pk}/"),
        "dashboard center (center)": ("bench-center", f"/measure/units/{center.pk}/"),
        "indicator sets (command)": ("bench-command", "/measure/indicators/"),
        "reports (command)": ("bench-command", "/measure/reports/"),
        "hot spots zone, ETAS (zone lead)": (
            "bench-zonelead",
            f"/measure/units/{zone.pk}/hotspots/?method=etas",
        ),
        "patrols zone (zone lead)": ("bench-zonelead", f"/measure/units/{zone.pk}/patrols/"),
    }
    out = {"bureaus": Bureau.objects.count(), "incidents": Incident.objects.count(), "pages": {}}
    for label, (user, url) in pages.items():
        c = Client()
        c.force_login(users[user])
        out["pages"][label] = timings(c, url, n if "ETAS" not in label else max(3, n // 3))
    out["plans"] = plans(bureau.pk, station.pk, zone.pk, grid.pk)
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--province", required=False, help="DATABASE_URL of the province")
    p.add_argument("--county", required=False, help="DATABASE_URL of one county")
    p.add_argument("-n", type=int, default=15, help="requests per page")
    p.add_argument(
        "--sqlite", action="store_true", help="also print the query plans on an empty SQLite database"
    )
    p.add_argument("--child", choices=["run", "plans"])
    a = p.parse_args()
    if a.child == "run":
        print(json.dumps(run(a.n)))
        return 0
    if a.child == "plans":
        _setup()
        print(json.dumps(plans()))
        return 0
    results = {}
    for label, url in (("province", a.province), ("one_county", a.county)):
        if not url:
            continue
        r = subprocess.run(
            [sys.executable, __file__, "--child", "run", "-n", str(a.n)],
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        results[label] = json.loads(r.stdout.strip().splitlines()[-1])
    side = {}
    for page in results.get("province", results.get("one_county", {})).get("pages", {}):
        side[page] = {label: r["pages"][page] for label, r in results.items()}
    out = {
        "data": {
            label: {"bureaus": r["bureaus"], "incidents": r["incidents"]} for label, r in results.items()
        },
        "pages": side,
        "plans_postgresql": results.get("province", results.get("one_county", {})).get("plans"),
    }
    if a.sqlite:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["JINGWU_DATA_DIR"] = tempfile.mkdtemp(prefix="jingwu-bench-plans-")
        r = subprocess.run(
            [sys.executable, __file__, "--child", "plans"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        out["plans_sqlite"] = json.loads(r.stdout.strip().splitlines()[-1])
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
