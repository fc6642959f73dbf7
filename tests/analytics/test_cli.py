"""``jingwu knox`` and ``jingwu hotspots evaluate``: files in, tables and JSON out, errors
as one line, and no database or settings needed."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from jingwu.analytics.cli import InputError, read_points
from jingwu.cli import app

runner = CliRunner()
EXTRACT = Path(__file__).parents[1] / "engine" / "data" / "chicago_burglary_2016_extract.csv"
KNOX = [
    "knox",
    str(EXTRACT),
    "--x",
    "x",
    "--y",
    "y",
    "--date",
    "date_single",
    "--date-format",
    "%d/%m/%Y",
    "--distance-band",
    "100",
    "--distance-bands",
    "3",
    "--time-band",
    "2",
    "--time-bands",
    "2",
    "--iterations",
    "20",
    "--seed",
    "1",
]


def _error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_help_texts():
    assert "knox" in runner.invoke(app, ["--help"]).output
    assert "hotspots" in runner.invoke(app, ["--help"]).output
    knox = runner.invoke(app, ["knox", "--help"])
    assert knox.exit_code == 0 and "--nrc-bands" in knox.output and "--iterations" in knox.output
    ev = runner.invoke(app, ["hotspots", "evaluate", "--help"])
    assert ev.exit_code == 0
    for option in ("--test-from", "--train-days", "--method", "--crs", "--cell", "--json"):
        assert option in ev.output


def test_knox_json_with_calculator_bands():
    result = runner.invoke(app, [*KNOX, "--nrc-bands", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == ["distance_bands", "time_bands", "ratios", "p_values"]
    assert data["distance_bands"] == [
        "Same location",
        "1 to 100 m",
        "101 to 200 m",
        "201 to 300 m",
        "More than 300 m",
    ]
    assert data["time_bands"] == ["0 to 2 days", "3 to 4 days", "More than 4 days"]
    assert np.array(data["ratios"], dtype=float).shape == (5, 3)
    p = np.array(data["p_values"], dtype=float)
    assert p.shape == (5, 3) and p.min() >= 0.05 and p.max() <= 1.0
    # same file, same seed: the same JSON
    assert runner.invoke(app, [*KNOX, "--nrc-bands", "--json"]).stdout == result.stdout


def test_knox_corrected_bands_and_the_printed_tables():
    data = json.loads(runner.invoke(app, [*KNOX, "--json"]).stdout)
    assert data["distance_bands"] == ["[0, 100] m", "(100, 200] m", "(200, 300] m", "> 300 m"]
    text = runner.invoke(app, KNOX)
    assert text.exit_code == 0
    assert "458 events, 104,653 pairs, 19 permutations" in text.stdout
    for title in ("Observed / mean expected", "p-value", "Observed pairs"):
        assert title in text.stdout


def test_knox_date_filter():
    data = runner.invoke(app, [*KNOX, "--from", "2016-07-01", "--to", "2016-07-31"])
    assert data.exit_code == 0
    assert "events," in data.stdout and "458 events" not in data.stdout


@pytest.mark.parametrize(
    "change, message",
    [
        (["--x", "easting"], "has no column 'easting'; its columns are: x, y, date_single"),
        (["--date-format", "%Y-%m-%d"], "row 2: cannot read the date '02/01/2016'"),
        (["--distance-band", "0"], "distance band must be a positive number"),
        (["--iterations", "1"], "iterations must be at least 2"),
        (["--crs", "99999"], "unknown coordinate system EPSG:99999"),
        (["--from", "2030-01-01"], "needs at least two events"),
    ],
)
def test_knox_errors_are_one_line(change, message):
    args = list(KNOX)
    for i in range(0, len(change), 2):
        if change[i] in args:
            args[args.index(change[i]) + 1] = change[i + 1]
        else:
            args += change[i : i + 2]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert message in _error_line(result)


def test_knox_without_a_date_format_says_what_to_give():
    args = [a for a in KNOX if a not in ("--date-format", "%d/%m/%Y")]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "give --date-format" in _error_line(result)


def _line_csv(path: Path, *, gz: bool = False) -> Path:
    """The hand-worked line of cells of tests/engine/test_hotspots.py as a CSV (day 0 is
    2020-01-01): 10 cells before the test, test days 2020-01-11 and 2020-01-12."""
    from tests.engine.test_hotspots import _line_events

    ev = _line_events()
    lines = ["easting,northing,when"]
    for x, y, t in zip(ev.x, ev.y, ev.t, strict=True):
        day = np.datetime64("2020-01-01") + int(t)
        lines.append(f"{x},{y},{day} 12:00")
    lines.append(",,2020-01-05 10:00")  # no coordinates: skipped
    text = "\n".join(lines) + "\n"
    if gz:
        path.write_bytes(gzip.compress(text.encode()))
    else:
        path.write_text(text)
    return path


HOT = ["--x", "easting", "--y", "northing", "--date", "when", "--cell", "100", "--train-days", "10"]


@pytest.mark.parametrize("gz", [False, True])
def test_hotspots_evaluate_json_by_hand(tmp_path, gz):
    """10 cells: 1%, 5% and 10% of the area are all one cell; by hand (see the engine's
    test) one cell catches 1 of 8 events, PAI 1.25, and 1 of the 4 the best cells held."""
    path = _line_csv(tmp_path / ("line.csv.gz" if gz else "line.csv"), gz=gz)
    args = ["hotspots", "evaluate", str(path), *HOT, "--test-from", "2020-01-11", "--test-to", "2020-01-12"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    one = {"hit_rate": 0.125, "pai": 1.25, "pei": 0.25}
    assert json.loads(result.stdout) == {
        "method": "naive",
        "coverage": {"0.01": one, "0.05": one, "0.10": one},
    }
    assert "Skipped 1 of 26 rows" in result.stderr
    text = runner.invoke(app, args)
    assert "2 daily forecasts 2020-01-11 to 2020-01-12, 8 events" in text.stdout
    assert "PAI" in text.stdout


@pytest.mark.parametrize("method", ["naive", "kde", "prospective", "etas"])
def test_hotspots_every_method_prints_the_same_json_keys(tmp_path, method):
    path = _line_csv(tmp_path / "line.csv")
    args = ["hotspots", "evaluate", str(path), *HOT, "--test-from", "2020-01-11", "--test-to", "2020-01-12"]
    result = runner.invoke(app, [*args, "--method", method, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["method"] == method
    assert list(data["coverage"]) == ["0.01", "0.05", "0.10"]
    assert all(list(v) == ["hit_rate", "pai", "pei"] for v in data["coverage"].values())


@pytest.mark.parametrize(
    "change, message",
    [
        (
            ["--test-from", "2021-01-01", "--test-to", "2021-01-31"],
            "is outside the data: the data cover 2020-01-01 to 2020-01-12",
        ),
        (
            ["--test-from", "2020-01-05", "--test-to", "2020-01-12"],
            "10-day training window before 2020-01-05 starts on 2019-12-26",
        ),
        (["--test-from", "2020-01-11", "--test-to", "2020-01-20"], "ends on 2020-01-20, after the data"),
        (
            ["--test-from", "2020-01-11", "--test-to", "2020-01-12", "--crs", "EPSG:0"],
            "unknown coordinate system EPSG:0",
        ),
        (
            ["--test-from", "2020-01-11", "--test-to", "2020-01-12", "--crs", "metres"],
            "--crs must be an EPSG code",
        ),
        (
            ["--test-from", "2020-01-11", "--test-to", "2020-01-12", "--method", "magic"],
            "unknown method 'magic'",
        ),
        (["--test-from", "2020-13-01", "--test-to", "2020-01-12"], "--test-from must be a date like"),
    ],
)
def test_hotspots_errors_are_one_line(tmp_path, change, message):
    path = _line_csv(tmp_path / "line.csv")
    result = runner.invoke(app, ["hotspots", "evaluate", str(path), *HOT, *change])
    assert result.exit_code != 0
    assert message in _error_line(result)


def test_a_period_with_no_data_is_refused(tmp_path):
    path = tmp_path / "gap.csv"
    rows = ["x,y,date"] + [f"{100 + i},{200 + i},2020-01-{1 + i % 10:02d}" for i in range(40)]
    rows += [f"{100 + i},{200 + i},2020-03-{1 + i % 10:02d}" for i in range(40)]
    path.write_text("\n".join(rows) + "\n")
    args = ["hotspots", "evaluate", str(path), "--x", "x", "--y", "y", "--date", "date"]
    period = ["--test-from", "2020-02-10", "--test-to", "2020-02-20"]
    result = runner.invoke(app, [*args, "--train-days", "40", *period])
    assert result.exit_code == 1
    assert "no events in the test period 2020-02-10 to 2020-02-20" in _error_line(result)
    result = runner.invoke(
        app, [*args, "--train-days", "30", "--test-from", "2020-03-01", "--test-to", "2020-03-05"]
    )
    assert result.exit_code == 1
    assert "no events in the training window 2020-01-31 to 2020-02-29" in _error_line(result)


def test_longitude_latitude_need_a_crs_and_are_projected(tmp_path):
    path = tmp_path / "lonlat.csv"
    path.write_text("lon,lat,date\n-87.6000,41.8000,2020-01-01\n-87.6000,41.8010,2020-01-02\n")
    with pytest.raises(InputError, match="give --crs 4326"):
        read_points(path, "lon", "lat", "date")
    pts = read_points(path, "lon", "lat", "date", crs="4326")
    assert "UTM zone 16" in pts.crs
    d = float(np.hypot(pts.events.x[1] - pts.events.x[0], pts.events.y[1] - pts.events.y[0]))
    assert d == pytest.approx(111.1, abs=0.5)  # 0.001 degree of latitude
    swapped = tmp_path / "swapped.csv"
    swapped.write_text("lon,lat,date\n41.8,-187.6,2020-01-01\n")
    with pytest.raises(InputError, match="out of range"):
        read_points(swapped, "lon", "lat", "date", crs="4326")


def test_feet_are_converted_to_metres(tmp_path):
    path = tmp_path / "feet.csv"
    path.write_text("x,y,date\n1000,2000,2020-01-01\n")
    pts = read_points(path, "x", "y", "date", crs="3435")  # NAD83 / Illinois East (ftUS)
    assert pts.events.x[0] == pytest.approx(304.8006, abs=1e-3)


def test_date_from_several_columns_and_suppressed_locations(tmp_path):
    path = tmp_path / "vpd.csv"
    path.write_text(
        "TYPE,YEAR,MONTH,DAY,HOUR,MINUTE,X,Y\n"
        "Theft,2020,6,19,3,40,491059.48,5459122.41\n"
        "Assault,2020,6,20,0,0,0,0\n"
        "Theft,2020,12,31,23,5,491068.68,5459126.13\n"
    )
    pts = read_points(path, "X", "Y", "YEAR,MONTH,DAY,HOUR,MINUTE", "%Y %m %d %H %M", "26910")
    assert len(pts.events) == 2 and pts.skipped == 1
    assert pts.events.t[0] == pytest.approx(18432 + (3 * 60 + 40) / 1440)  # 2020-06-19 03:40


def test_the_commands_need_neither_django_nor_settings():
    """Run in a fresh interpreter with settings that would refuse to load: the command
    works, and neither Django nor the web application is imported."""
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from jingwu.cli import app\n"
        f"r = CliRunner().invoke(app, {[*KNOX, '--json']!r})\n"
        "assert r.exit_code == 0, r.output\n"
        "bad = [m for m in sys.modules if m == 'django' or m.startswith(('django.', 'jingwu.site'))]\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JINGWU_", "DJANGO_"))}
    env.update({"JINGWU_MODE": "production", "DATABASE_URL": "mysql://nowhere/none"})
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


SHARED = Path(os.environ.get("JINGWU_SHARED_DATA") or Path(__file__).parents[3] / "shared" / "data")
# docs/engine-analytics.md, "Results on the real data": file, columns and settings
REAL = {
    "chicago-assaults": (
        "chicago/chicago_aggravated_assaults_2010_2019.csv.gz",
        ["--x", "longitude", "--y", "latitude", "--date", "date", "--crs", "4326"],
        ["--train-days", "365", "--test-from", "2019-01-01", "--test-to", "2019-12-31"],
    ),
    "chicago-burglaries": (
        "chicago/chicago_burglary_2014_2017.csv",
        ["--x", "x", "--y", "y", "--date", "date_single", "--date-format", "%d/%m/%Y"],
        ["--train-days", "365", "--test-from", "2017-01-01", "--test-to", "2017-12-31"],
    ),
    "nyc": (
        "nyc/nyc_motor_vehicle_thefts_2014_2017.csv.gz",
        ["--x", "longitude", "--y", "latitude", "--date", "date_single", "--crs", "4326"],
        ["--train-days", "365", "--test-from", "2017-01-01", "--test-to", "2017-12-30"],
    ),
    "vancouver": (
        "vancouver/vpd_crimedata_all_neighbourhoods_2020.csv.gz",
        ["--x", "X", "--y", "Y", "--date", "YEAR,MONTH,DAY,HOUR,MINUTE"]
        + ["--date-format", "%Y %m %d %H %M", "--crs", "26910"],
        ["--train-days", "180", "--test-from", "2020-07-01", "--test-to", "2020-12-31"],
    ),
}


def _evaluate_real(name: str, method: str, *extra: str) -> tuple[tuple, str]:
    """``jingwu hotspots evaluate`` on a real file of the shared data, 250 m cells: the
    printed (hit rate, PAI, PEI) at 1%, 5% and 10%, which the command rounds as the docs do
    (3, 2 and 3 decimals, from the exact figures: the JSON's four decimals rounded again
    can differ in the last digit), and the whole output."""
    file, columns, period = REAL[name]
    path = SHARED / file
    if not path.exists():
        pytest.skip(f"{path} not found (set JINGWU_SHARED_DATA to the shared data folder)")
    args = ["hotspots", "evaluate", str(path), *columns, "--cell", "250", *period]
    result = runner.invoke(app, [*args, "--method", method, *extra])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"{method}: ")
    rows = [
        r for r in (line.split() for line in result.stdout.splitlines()) if r and r[0] in ("1%", "5%", "10%")
    ]
    assert [r[0] for r in rows] == ["1%", "5%", "10%"], result.stdout
    return tuple((float(r[2]), float(r[3]), float(r[4])) for r in rows), result.stdout + result.stderr


# docs/engine-analytics.md, "Results on the real data": events tested, area (cells)
DOCUMENTED_AREA = {
    "chicago-assaults": ("15,328", "7,073"),
    "nyc": ("7,885", "7,460"),
    "vancouver": ("16,023", "1,588"),
}


@pytest.mark.slow
@pytest.mark.parametrize(
    "method, expected",
    [  # docs/engine-analytics.md, "Results on the real data": (hit rate, PAI, PEI) at 1%, 5%, 10%
        ("naive", ((0.081, 8.03, 0.081), (0.248, 4.96, 0.250), (0.387, 3.87, 0.390))),
        ("etas", ((0.081, 8.07, 0.082), (0.248, 4.96, 0.250), (0.387, 3.87, 0.389))),
    ],
)
def test_hotspots_evaluate_on_chicago_assaults_gives_the_documented_table(method, expected):
    """The command itself on the real file (10 years of Chicago's aggravated assaults,
    lon/lat), 2019 forecast day by day from the 365 days before, 250 m cells."""
    table, output = _evaluate_real("chicago-assaults", method)
    assert table == expected
    events, cells = DOCUMENTED_AREA["chicago-assaults"]
    assert f"{events} events; area {cells} cells of 250 m" in output


@pytest.mark.slow
def test_knox_command_on_the_whole_chicago_file_gives_the_calculators_table():
    """``jingwu knox`` itself on the real 45,319-row file (2014-2017), 2016 kept with
    --from/--to, the Near Repeat Calculator's published settings and bands: the
    calculator's p-values exactly, and the ratios docs/engine-analytics.md prints for this
    seed (the engine test checks them against the calculator's up to Monte Carlo noise)."""
    from tests.engine.test_nearrepeat import CHICAGO, NRC_P

    if not CHICAGO.exists():
        pytest.skip(f"Chicago burglaries not found at {CHICAGO} (set JINGWU_SHARED_DATA)")
    args = ["knox", str(CHICAGO), "--x", "x", "--y", "y", "--date", "date_single"]
    args += ["--date-format", "%d/%m/%Y", "--from", "2016-01-01", "--to", "2016-12-31"]
    args += ["--distance-band", "100", "--distance-bands", "3", "--time-band", "2", "--time-bands", "2"]
    args += ["--iterations", "20", "--seed", "2016", "--nrc-bands", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["distance_bands"] == [
        "Same location",
        "1 to 100 m",
        "101 to 200 m",
        "201 to 300 m",
        "More than 300 m",
    ]
    assert data["time_bands"] == ["0 to 2 days", "3 to 4 days", "More than 4 days"]
    assert data["p_values"] == NRC_P
    assert np.round(np.array(data["ratios"], dtype=float), 2).tolist() == [
        [18.81, 3.5, 0.82],
        [2.75, 1.56, 0.98],
        [1.45, 1.29, 0.99],
        [1.27, 1.1, 1.0],
        [1.0, 1.0, 1.0],
    ]


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, method, expected",
    [  # docs/engine-analytics.md, "Results on the real data": (hit rate, PAI, PEI) at 1%, 5%, 10%
        ("nyc", "naive", ((0.055, 5.46, 0.059), (0.126, 2.52, 0.136), (0.198, 1.98, 0.213))),
        ("nyc", "etas", ((0.056, 5.55, 0.060), (0.129, 2.58, 0.139), (0.205, 2.05, 0.220))),
        ("vancouver", "naive", ((0.172, 17.07, 0.492), (0.392, 7.88, 0.406), (0.514, 5.13, 0.522))),
        ("vancouver", "kde", ((0.158, 15.72, 0.453), (0.379, 7.62, 0.392), (0.505, 5.04, 0.513))),
    ],
)
def test_hotspots_evaluate_on_new_york_and_vancouver_gives_the_documented_table(name, method, expected):
    """The command on New York's vehicle thefts (lon/lat, 2017-01-01 to 12-30 from the 365
    days before) and Vancouver's reported crimes of 2020 (UTM 10N, July to December from
    the 180 days before). Vancouver's ETAS (refitted every day on downtown cells of up to
    293 events) takes minutes: KDE, next after it and a second a run, is pinned instead."""
    table, output = _evaluate_real(name, method)
    assert table == expected
    events, cells = DOCUMENTED_AREA[name]
    assert f"{events} events; area {cells} cells of 250 m" in output
    if name == "vancouver":  # the docs: rows without a location are skipped, and said so
        assert "Skipped 3,751 of 37,512 rows" in output


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, pai5",
    [  # docs/engine-analytics.md, "Grid offset": naive counts, PAI at 5%, lines shifted 125 m / 125 m
        ("chicago-assaults", 4.85),
        ("chicago-burglaries", 2.90),
        ("nyc", 2.70),
        ("vancouver", 7.90),
    ],
)
def test_hotspots_evaluate_with_a_shifted_grid_gives_the_documented_offset_table(name, pai5):
    """The grid's lines half a cell east and north (--offset-x/--offset-y 125): naive
    counts' PAI at 5% as the docs' offset table prints it."""
    table, _ = _evaluate_real(name, "naive", "--offset-x", "125", "--offset-y", "125")
    assert table[1][1] == pai5
