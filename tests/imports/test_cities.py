"""Real input: six cities' own police areas and incident files, through mappings stored as data.

For each city a bureau is set up from its district/precinct/beat polygons by the
GeoJSON unit import, a bounded sample of its incident file (the first rows) is
imported with --skip-invalid through the bundled mapping, and the report is checked
against an independent point-in-polygon test: rows clearly outside the imported
stations are reported as outside the area, rows clearly inside are not.

Needs the shared data folder (env JINGWU_SHARED_DATA, or ../shared/data next to the
repository); skipped with a message when it is absent.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, shape

from jingwu.imports.mapping import norm
from jingwu.imports.projections import to_lonlat
from jingwu.imports.services import bundled_mappings, find_mapping, run_import

from .conftest import shared_data

pytestmark = pytest.mark.slow

SAMPLE = 2000
EDGE = 1e-4  # degrees (~10 m): points nearer a boundary than this may fall either way

CITIES = {
    "chicago": {
        "units": [
            ("chicago/chicago_police_districts.geojson", "chicago-districts"),
            ("chicago/chicago_police_beats.geojson", "chicago-beats"),
        ],
        "incidents": [
            ("chicago/chicago_aggravated_assaults_2010_2019.csv.gz", "chicago-assaults"),
            ("chicago/chicago_burglary_2014_2017.csv", "chicago-burglary"),
        ],
    },
    "san_francisco": {
        "units": [("san_francisco/sf_police_districts.geojson", "sf-districts")],
        "incidents": [("san_francisco/sf_police_calls_for_service_geocoded.csv.gz", "sf-calls")],
    },
    "vancouver": {
        "units": [("vancouver/vancouver_neighbourhoods.geojson", "vancouver-neighbourhoods")],
        "incidents": [("vancouver/vpd_crimedata_all_neighbourhoods_2020.csv.gz", "vancouver-crimes")],
    },
    "new_york": {
        "units": [("nyc/nyc_police_precincts.geojson", "nyc-precincts")],
        "incidents": [("nyc/nyc_motor_vehicle_thefts_2014_2017.csv.gz", "nyc-vehicle-thefts")],
    },
    "memphis": {
        "units": [("memphis/memphis_police_precincts.geojson", "memphis-precincts")],
        "incidents": [("memphis/memphis_robberies_2019.csv", "memphis-robberies")],
    },
    "seattle": {
        "units": [("seattle/seattle_police_beats_2018.geojson", "seattle-beats")],
        "incidents": [("seattle/spd_call_data_sectorC_sample_2010_2023.csv", "seattle-calls")],
    },
}


@pytest.fixture(scope="module")
def data_dir() -> Path:
    path = shared_data()
    if path is None:
        pytest.skip(
            "real-data check skipped: the shared data folder is absent "
            "(set JINGWU_SHARED_DATA or put it at ../shared/data next to the repository)"
        )
    return path


def _sample(src: Path, dest: Path, n: int = SAMPLE) -> Path:
    opener = gzip.open if src.suffix == ".gz" else open
    with (
        opener(src, "rt", encoding="utf-8-sig", newline="") as fh,
        open(dest, "w", encoding="utf-8", newline="") as out,
    ):
        reader, writer = csv.reader(fh), csv.writer(out)
        for i, row in enumerate(reader):
            if i > n:
                break
            writer.writerow(row)
    return dest


def _points(path: Path, mapping) -> dict[int, Point]:
    """Row number -> point, read independently of the importer (same mapping columns)."""
    xcol, ycol = norm(mapping.columns["lon"]), norm(mapping.columns["lat"])
    rows, xs, ys = [], [], []
    with open(path, encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = [norm(h) for h in next(reader)]
        xi, yi = header.index(xcol), header.index(ycol)
        for number, row in enumerate(reader, start=2):
            try:
                x, y = float(row[xi]), float(row[yi])
            except (ValueError, IndexError):
                continue
            if x == 0 and y == 0:
                continue
            rows.append(number)
            xs.append(x)
            ys.append(y)
    lon, lat = to_lonlat(mapping.coordinate_system, xs, ys)
    return {n: Point(a, b) for n, a, b in zip(rows, lon, lat, strict=True)}


@pytest.mark.parametrize("city", sorted(CITIES))
def test_city(city, data_dir, tmp_path, django_db_blocker, db):
    from jingwu.core.models import Bureau
    from jingwu.incidents.taxonomy import sync_categories
    from jingwu.org.models import Unit
    from jingwu.org.services import do_create_unit

    sync_categories()
    spec = CITIES[city]
    bureau = Bureau.objects.create(code=city[:12].upper(), name_zh=city, name_en=city)
    do_create_unit(actor=None, bureau=bureau, parent=None, kind="headquarters", code="HQ", name_zh="局机关")

    for file, name in spec["units"]:
        mapping = find_mapping(bureau, name, kind="units")
        report = run_import(
            "units", data_dir / file, bureau=bureau, actor=None, mapping=mapping, skip_invalid=True
        )
        assert report.status == "done", (file, report.problems[:5])
        assert report.created > 0, (file, report.problems[:5])
        for p in report.problems:
            assert p.row > 0 and p.reason, p
    stations = Unit.objects.filter(bureau=bureau, kind="station")
    assert stations.exists()
    hq = Unit.objects.get(bureau=bureau, kind="headquarters")
    assert hq.boundary is not None  # the union of the stations
    area = shapely.union_all([shape(s.boundary) for s in stations])

    for file, name in spec["incidents"]:
        mapping = find_mapping(bureau, name, kind="incidents")
        sample = _sample(data_dir / file, tmp_path / f"{Path(file).name}.sample.csv")
        report = run_import(
            "incidents",
            sample,
            bureau=bureau,
            actor=None,
            mapping=mapping,
            skip_invalid=True,
            reject_file=tmp_path / "rejects.csv",
        )
        assert report.status == "done", (file, report.problems[:5])
        assert report.rows > 0
        assert report.created + report.unchanged + report.bad_rows == report.rows, report
        assert all(p.reason for p in report.problems)
        outside = {p.row for p in report.problems if "outside" in p.reason or "范围之外" in p.reason}
        rejected = {p.row for p in report.problems}
        clearly_inside = set()
        for row_no, point in _points(sample, mapping).items():
            inside = area.contains(point)
            depth = area.boundary.distance(point)
            if inside and depth > EDGE:
                assert row_no not in outside, (file, row_no, point)
                clearly_inside.add(row_no)
            elif not inside and depth > EDGE:
                assert row_no in outside, (file, row_no, point)
        # an importer that rejected every row would pass the checks above: the rows clearly
        # inside the area are imported, but for the few with another fault
        inside_rejected = len(clearly_inside & rejected)
        print(f"{city} {Path(file).name}: {len(clearly_inside)} clearly inside, {inside_rejected} rejected")
        assert clearly_inside and inside_rejected <= 0.02 * len(clearly_inside), (file, report.summary())
        assert report.created + report.unchanged >= len(clearly_inside) - inside_rejected, report.summary()
        if report.bad_rows:
            text = (tmp_path / "rejects.csv").read_bytes()
            assert text.startswith(b"\xef\xbb\xbf")
            assert len(list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))) == report.bad_rows + 1
        print(f"{city} {Path(file).name}: {report.summary()}")


def test_every_bundled_mapping_is_valid():
    from jingwu.imports.mapping import MappingSpec

    mappings = bundled_mappings()
    assert {m["_file"] for m in mappings.values()} >= {
        "chicago.json",
        "san_francisco.json",
        "vancouver.json",
        "new_york.json",
        "memphis.json",
        "seattle.json",
    }
    for data in mappings.values():
        MappingSpec.from_dict({k: v for k, v in data.items() if k != "_file"})
