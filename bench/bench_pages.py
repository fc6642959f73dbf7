"""Benchmark: server time of the incident list and the station page on a province of data.

Runs the pages in-process through Django's test client (server time only, no network),
for a station chief and for bureau command of the first county, and prints median and
95th percentile per page, side by side with the same pages on a database holding a
single small county (the "empty" baseline).

    # the province: load it first with bench/bench_demo.py --scale 100 into this database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jingwu_bench python bench/bench_pages.py
    # the baseline database is created (and dropped) by the script: jingwu_bench_empty
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def timings(client, url: str, n: int) -> dict:
    client.get(url)  # warm caches (area index, templates)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        r = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(samples[int(0.95 * (n - 1))], 1),
    }


def run(n: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    os.environ["JINGWU_OTP"] = "0"
    os.environ["JINGWU_DEBUG"] = "0"
    import django

    django.setup()
    from django.conf import settings
    from django.db.models import Count
    from django.test import Client

    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.core.models import Bureau
    from jingwu.incidents.models import Incident
    from jingwu.org.models import Unit

    settings.ALLOWED_HOSTS = ["*"]
    bureau = Bureau.objects.order_by("code").first()
    station = (
        Unit.objects.filter(bureau=bureau, kind="station").annotate(n=Count("id")).order_by("code").first()
    )
    hq = Unit.objects.get(bureau=bureau, kind="headquarters")
    users = {}
    for name, unit, role in (
        ("bench-chief", station, "station_chief"),
        ("bench-command", hq, "bureau_command"),
    ):
        from jingwu.accounts.models import User

        u = User.objects.filter(username=name).first()
        if u is None:
            u = do_create_user(actor=None, username=name, password="x", bureau=bureau, check_password=False)
            do_grant_membership(actor=None, user=u, unit=unit, role=role)
        users[name] = u
    pages = {
        "incident_list (chief)": ("bench-chief", "/incidents/"),
        "incident_list page 50 (chief)": ("bench-chief", "/incidents/?page=50"),
        "incident_list filtered (command)": (
            "bench-command",
            f"/incidents/?unit={station.pk}&received_from=2018-01-01",
        ),
        "station_page (chief)": ("bench-chief", f"/units/{station.pk}/"),
        "station_map (chief)": ("bench-chief", f"/units/{station.pk}/map.json"),
        "home (command)": ("bench-command", "/"),
    }
    out = {"bureaus": Bureau.objects.count(), "incidents": Incident.objects.count()}
    for label, (user, url) in pages.items():
        c = Client()
        c.force_login(users[user])
        out[label] = timings(c, url, n)
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("-n", type=int, default=40, help="requests per page")
    p.add_argument("--child", action="store_true")
    a = p.parse_args()
    if a.child:
        print(json.dumps(run(a.n)))
        return 0
    province_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jingwu_bench")
    base = province_url.rsplit("/", 1)[0]
    empty_url = base + "/jingwu_bench_empty"
    subprocess.run(
        ["psql", base + "/postgres", "-qc", "DROP DATABASE IF EXISTS jingwu_bench_empty"], check=True
    )
    subprocess.run(["psql", base + "/postgres", "-qc", "CREATE DATABASE jingwu_bench_empty"], check=True)
    env = {**os.environ, "DATABASE_URL": empty_url, "JINGWU_DEBUG": "0"}
    # The baseline: a single small county (one county of the generator, scale 1).
    subprocess.run([sys.executable, "-m", "jingwu.cli", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import os,django;os.environ.setdefault('DJANGO_SETTINGS_MODULE','jingwu.site.settings');django.setup();"
                "from jingwu.demo.load import load_county;from jingwu.demo.synth import generate_county;"
                "load_county(generate_county(seed=2019,index=0))"
            ),
        ],
        env=env,
        check=True,
    )
    results = {}
    for label, url in (("province", province_url), ("one_county", empty_url)):
        r = subprocess.run(
            [sys.executable, __file__, "--child", "-n", str(a.n)],
            env={**os.environ, "DATABASE_URL": url},
            capture_output=True,
            text=True,
            check=True,
        )
        results[label] = json.loads(r.stdout.strip().splitlines()[-1])
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
