"""Benchmark: the due list (``/inspections/``) with and without the due table.

Loads the demo county if the database lacks it (``ensure_demo``), then, as the prevention
center (the whole county: about 2,840 active premises), times:

- ``recompute``: the due list's inputs computed from the visits and incidents for every
  premises, as the list did on every request before the due table
  (``duetable.compute``, nothing saved);
- ``page, table emptied``: the page with the due table emptied before each request (so
  each request recomputes and saves every row: the old work plus the save);
- ``page, table fresh``: the page with the rows fresh (the normal case);
- ``page after a visit``: one visit recorded through the service (which refreshes its
  premises' row), then the page;
- ``sweep``: a sweep that finds everything fresh, and one after the data date's rows
  were made stale.

Prints one JSON object: median and 95th percentile in milliseconds per case.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/bench_due.py -n 10
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time


def setup() -> None:
    if "JINGWU_DATA_DIR" not in os.environ and "DATABASE_URL" not in os.environ:
        os.environ["JINGWU_DATA_DIR"] = tempfile.mkdtemp(prefix="jingwu-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingwu.site.settings")
    os.environ["JINGWU_OTP"] = "0"
    os.environ["JINGWU_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def stats(xs: list[tuple[float, float]]) -> dict:
    """Median and 95th percentile of the wall times, median of the CPU times (this process)."""
    wall = sorted(x for x, _ in xs)
    cpu = sorted(c for _, c in xs)
    return {
        "median_ms": round(1000 * statistics.median(wall), 1),
        "p95_ms": round(1000 * wall[min(len(wall) - 1, int(0.95 * len(wall)))], 1),
        "cpu_median_ms": round(1000 * statistics.median(cpu), 1),
        "n": len(wall),
    }


class timed:
    """Wall and CPU time of a block: ``with timed(xs): ...`` appends (wall, cpu) to ``xs``."""

    def __init__(self, into: list) -> None:
        self.into = into

    def __enter__(self):
        self.t0, self.c0 = time.perf_counter(), time.process_time()

    def __exit__(self, *exc):
        self.into.append((time.perf_counter() - self.t0, time.process_time() - self.c0))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=10, help="requests per case")
    args = ap.parse_args()
    setup()
    from django.conf import settings
    from django.test import Client

    from jingwu.accounts.models import User
    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.core.clock import data_date
    from jingwu.core.models import Bureau
    from jingwu.demo.load import ensure_demo
    from jingwu.inspections import duetable
    from jingwu.inspections.models import DueRow
    from jingwu.inspections.services import do_record_visit, required_elements
    from jingwu.org.models import Unit
    from jingwu.places.models import Premises

    settings.ALLOWED_HOSTS = ["*"]
    ensure_demo(seed=2019)
    bureau = Bureau.objects.get(code="330522")
    pc = Unit.objects.get(bureau=bureau, kind="prevention_center")
    user = User.objects.filter(username="bench-prevention").first()
    if user is None:
        user = do_create_user(
            actor=None, username="bench-prevention", password="x", bureau=bureau, check_password=False
        )
        do_grant_membership(actor=None, user=user, unit=pc, role="prevention_center")
    c = Client()
    c.force_login(user)
    group = list(
        Premises.objects.filter(bureau=bureau, status="active").only(
            "id", "bureau_id", "category", "lon", "lat"
        )
    )
    today = data_date(bureau)
    out: dict = {"premises_active": len(group), "data_date": today.isoformat()}

    def page(into: list) -> None:
        with timed(into):
            r = c.get("/inspections/")
        assert r.status_code == 200, r.status_code

    xs: list = []
    for _ in range(args.n):
        with timed(xs):
            duetable.compute(bureau, group, today, duetable.stamp(bureau, today))
    out["recompute (the old per-request work)"] = stats(xs)
    xs = []
    for _ in range(args.n):
        DueRow.objects.filter(bureau=bureau).delete()
        page(xs)
    out["page, table emptied"] = stats(xs)
    page([])
    xs = []
    for _ in range(args.n):
        page(xs)
    out["page, table fresh"] = stats(xs)
    xs, ys = [], []
    for p in group[: args.n]:
        els = sorted(required_elements(p))[:1]
        with timed(ys):
            do_record_visit(actor=None, premises=Premises.objects.get(pk=p.pk), day=today, elements=els)
        page(xs)
    out["record a visit (with its row refreshed)"] = stats(ys)
    out["page after a visit"] = stats(xs)
    t0 = time.perf_counter()
    out["sweep, all fresh"] = {**duetable.sweep(bureau), "s": round(time.perf_counter() - t0, 2)}
    DueRow.objects.filter(bureau=bureau).update(stamp="stale")
    t0 = time.perf_counter()
    out["sweep, all stale"] = {**duetable.sweep(bureau), "s": round(time.perf_counter() - t0, 2)}
    print(json.dumps(out, ensure_ascii=False, indent=1), flush=True)


if __name__ == "__main__":
    main()
