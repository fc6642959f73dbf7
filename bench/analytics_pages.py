"""Server time of the measurement pages (p50/p95), printed as JSON.

    DATABASE_URL=... python bench/analytics_pages.py [--n 20]

Runs in the process against the database's demo county (``jingwu demo --no-serve`` first),
as the superuser, through Django's test client (no network, no browser).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment

    from jingwu.accounts.models import User
    from jingwu.core.models import Bureau
    from jingwu.org.models import Unit

    setup_test_environment()
    settings.OTP_REQUIRED = False  # the superuser is logged in directly, as in the tests
    bureau = Bureau.objects.order_by("code").first()
    hq = Unit.objects.get(bureau=bureau, kind="headquarters")
    station = Unit.objects.filter(bureau=bureau, kind="station", name_zh__startswith="夹浦").first()
    zone = Unit.objects.filter(parent=station, kind="zone").order_by("code").first()
    user = User.objects.filter(is_superuser=True).first()
    client = Client()
    client.force_login(user)
    pages = {
        "dashboard_county": f"/measure/units/{hq.pk}/",
        "dashboard_station": f"/measure/units/{station.pk}/",
        "dashboard_zone": f"/measure/units/{zone.pk}/",
        "effect_textile_12m": f"/measure/effect/?unit={station.pk}&change=2017-06-01&measure=incidents&months=12",
        "claims": "/measure/claims/",
    }
    out = {}
    for name, url in pages.items():
        client.get(url)
        times = []
        for _ in range(args.n):
            t = time.perf_counter()
            r = client.get(url)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200, (url, r.status_code)
        times.sort()
        out[name] = {
            "p50_ms": round(1000 * statistics.median(times)),
            "p95_ms": round(1000 * times[min(len(times) - 1, int(0.95 * len(times)))]),
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
