"""Real data on a foreign clock: Chicago's aggravated assaults (local times, see
/work/shared/data/chicago/SOURCE.txt) imported into a bureau in America/Chicago through
the bundled mapping with its time zone removed.

Checked against the file itself, read here without the importer: every incident keeps
the wall-clock time the file gives (in the bureau's zone), is numbered on that local
day, and the plan's hour-of-week demand has the file's own hour-of-week profile, which
peaks in Chicago's night. Read as Beijing time, the same file peaks mid-afternoon.

Needs the shared data folder; skipped with a message when it is absent.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from collections import Counter
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from shapely.geometry import box, mapping

from ..imports.conftest import shared_data

pytestmark = pytest.mark.slow

CHI = ZoneInfo("America/Chicago")
EVERY = 50  # every 50th row of the 148,636: about 3,000 incidents over the ten years


@pytest.fixture
def assaults(tmp_path):
    root = shared_data()
    if root is None:
        pytest.skip(
            "real-data check skipped: the shared data folder is absent "
            "(set JINGWU_SHARED_DATA or put it at ../shared/data next to the repository)"
        )
    src = root / "chicago" / "chicago_aggravated_assaults_2010_2019.csv.gz"
    out = tmp_path / "assaults.csv"
    with gzip.open(src, "rt", encoding="utf-8") as fh, open(out, "w", encoding="utf-8", newline="") as w:
        reader, writer = csv.reader(fh), csv.writer(w)
        writer.writerow(next(reader))
        for i, row in enumerate(reader):
            if i % EVERY == 0:
                writer.writerow(row)
    return out


def _expected_local(text: str) -> str:
    """The file's local time as the bureau reads it back (a time in the spring-forward gap
    moves on by the hour, as zoneinfo resolves it)."""
    naive = dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
    return naive.replace(tzinfo=CHI).astimezone(dt.UTC).astimezone(CHI).strftime("%Y-%m-%d %H:%M")


def test_chicago_assaults_on_chicago_time(db, assaults, tmp_path, settings):
    from jingwu.core.models import Bureau
    from jingwu.engine.demand import compute_demand
    from jingwu.imports.services import bundled_mappings, run_import
    from jingwu.incidents.models import Incident
    from jingwu.incidents.taxonomy import sync_categories
    from jingwu.org.services import do_create_unit
    from jingwu.planning.inputs import (
        ScenarioParams,
        demand_policy,
        grid_arrays,
        incident_arrays,
        load_state,
        premises_arrays,
    )

    settings.MEDIA_ROOT = tmp_path / "media"
    sync_categories()
    bureau = Bureau.objects.create(
        code="CHI", name_zh="芝加哥", name_en="Chicago", time_zone="America/Chicago"
    )
    city = mapping(box(-87.95, 41.6, -87.5, 42.05))
    hq = do_create_unit(
        actor=None,
        bureau=bureau,
        parent=None,
        kind="headquarters",
        code="HQ",
        name_zh="局机关",
        boundary=city,
    )
    station = do_create_unit(
        actor=None,
        bureau=bureau,
        parent=hq,
        kind="station",
        code="S01",
        name_zh="全市",
        station_type="full_spectrum",
        boundary=city,
    )
    do_create_unit(
        actor=None, bureau=bureau, parent=station, kind="grid", code="G1", name_zh="全市", boundary=city
    )

    spec = {k: v for k, v in bundled_mappings()["chicago-assaults"].items() if k not in ("_file", "timezone")}
    report = run_import("incidents", assaults, bureau=bureau, actor=None, mapping=spec, skip_invalid=True)
    assert report.status == "done" and report.created > 2500, report.problems[:5]

    with open(assaults, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    inside = [r for r in rows if r["longitude"] and -87.95 < float(r["longitude"]) < -87.5]
    assert report.created == len(inside), (report.created, len(inside), report.problems[:5])
    expected = Counter(_expected_local(r["date"]) for r in inside)
    stored = list(Incident.objects.filter(bureau=bureau).values_list("received_at", "number"))
    got = Counter(t.astimezone(CHI).strftime("%Y-%m-%d %H:%M") for t, _ in stored)
    assert got == expected
    for t, number in stored:  # numbered on Chicago's day
        assert number[4:12] == t.astimezone(CHI).strftime("%Y%m%d"), (t, number)

    state = load_state(
        bureau,
        as_of=dt.date(2019, 12, 31),
        reform_date=dt.date(2020, 1, 1),
        incidents_from=dt.date(2010, 1, 1),
        incidents_to=dt.date(2019, 12, 31),
    )
    assert len(state.inc_grid) == report.created
    how = incident_arrays(state).hour_of_week
    want = np.zeros(168, dtype=int)
    for text in expected.elements():
        local = dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
        want[local.weekday() * 24 + local.hour] += 1
    assert np.bincount(how, minlength=168).tolist() == want.tolist()

    demand = compute_demand(
        grid_arrays(state, {"S01": "full_spectrum"}),
        incident_arrays(state),
        premises_arrays(state),
        demand_policy(ScenarioParams()),
    )
    by_hour = demand.station_hour_of_week[0].reshape(7, 24).sum(axis=0)
    peak = int(np.argmax(by_hour))
    print(f"Chicago assaults: peak hour of the day {peak}:00 local; by hour {np.round(by_hour).tolist()}")
    assert peak in (0, 1, 2, 20, 21, 22, 23)  # night in Chicago (mid-afternoon in Beijing)
    assert by_hour[peak] > 2 * by_hour[6:12].mean()  # the morning is quiet
