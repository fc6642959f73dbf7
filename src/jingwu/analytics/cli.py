"""``jingwu knox`` and ``jingwu hotspots``: near-repeat and hot-spot analytics on any CSV file.

    jingwu knox burglary.csv --x x --y y --date date_single --date-format %d/%m/%Y \\
        --distance-band 100 --distance-bands 3 --time-band 2 --time-bands 2 --iterations 20 --nrc-bands
    jingwu hotspots evaluate assaults.csv.gz --x longitude --y latitude --date date --crs 4326 \\
        --cell 250 --train-days 365 --test-from 2019-01-01 --test-to 2019-12-31 --method etas --json

They read a file and print a result: no database, no settings (``register`` adds them to the ``jingwu`` command;
they import neither Django nor the web application). Errors are one line on stderr and
a non-zero exit status.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from jingwu.engine.spacetime import Events

FILE_HELP = "A CSV or TSV file (UTF-8; may be gzipped) with a header row."
X_HELP = "Column of the x coordinate (easting, or longitude with --crs 4326)."
Y_HELP = "Column of the y coordinate (northing, or latitude with --crs 4326)."
DATE_HELP = (
    "Column of the date or date and time (local time). Several columns are joined with spaces: "
    "--date YEAR,MONTH,DAY --date-format '%Y %m %d'."
)
DATE_FORMAT_HELP = (
    "strptime format of the dates, e.g. %d/%m/%Y (default: ISO 8601, 2016-01-31 or 2016-01-31 18:05)."
)
CRS_HELP = (
    "EPSG code of the coordinates, e.g. 4326 for longitude/latitude (projected to the local UTM zone) "
    "or 26971; default: metres in a projected system."
)


class InputError(Exception):
    """Bad input: the message is shown to the user as it is."""


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class Points:
    events: Events
    rows: int
    skipped: int
    crs: str


def _open_text(path: Path) -> io.TextIOBase:
    with path.open("rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    raw = gzip.open(path, "rb") if gzipped else path.open("rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _date_parser(fmt: str | None) -> Callable[[str], dt.datetime]:
    cache: dict[str, dt.datetime] = {}

    def parse(value: str) -> dt.datetime:
        hit = cache.get(value)
        if hit is None:
            if fmt:
                hit = dt.datetime.strptime(value, fmt)
            else:
                text = value.strip()
                if text.endswith(("Z", "z")):
                    text = text[:-1]
                hit = dt.datetime.fromisoformat(text)
                if hit.tzinfo is not None:  # keep the wall-clock time as written
                    hit = hit.replace(tzinfo=None)
            cache[value] = hit
        return hit

    return parse


def _projector(crs: str, lon: list[float], lat: list[float]):
    """A function (x, y) -> metres for the coordinates' EPSG code, and the CRS used."""
    code = crs.strip().upper().removeprefix("EPSG:")
    if not code.isdigit():
        raise InputError(f"--crs must be an EPSG code such as 4326 or 26971, got {crs!r}")
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        source = CRS.from_epsg(int(code))
    except CRSError as exc:
        raise InputError(f"unknown coordinate system EPSG:{code}") from exc
    if source.is_geographic:
        if not lon:
            return None, f"EPSG:{code}"
        if any(abs(v) > 180 for v in lon) or any(abs(v) > 90 for v in lat):
            raise InputError(
                f"EPSG:{code} takes longitude (--x) and latitude (--y) in degrees, but the values are out of range"
            )
        mid_lon = sorted(lon)[len(lon) // 2]
        mid_lat = sorted(lat)[len(lat) // 2]
        zone = min(60, int((mid_lon + 180) // 6) + 1)
        target = (32600 if mid_lat >= 0 else 32700) + zone
        tr = Transformer.from_crs(source, CRS.from_epsg(target), always_xy=True)
        return tr.transform, f"EPSG:{code} projected to EPSG:{target} (UTM zone {zone})"
    if not source.is_projected:
        raise InputError(f"EPSG:{code} is neither a projected nor a geographic coordinate system")
    factor = source.axis_info[0].unit_conversion_factor if source.axis_info else 1.0
    if abs(factor - 1.0) < 1e-12:
        return None, f"EPSG:{code}"
    return (lambda x, y: (x * factor, y * factor)), f"EPSG:{code} ({factor:g} m per unit)"


def read_points(
    path: Path,
    x_col: str,
    y_col: str,
    date_col: str,
    date_format: str | None = None,
    crs: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Points:
    """Read events from a CSV: rows without coordinates (empty, or 0/0 for a suppressed
    location) or without a date are skipped and counted; an unreadable value stops with a
    message naming the row."""
    import numpy as np

    from jingwu.engine.spacetime import Events, day_number

    date_cols = [c.strip() for c in date_col.split(",") if c.strip()]
    parse = _date_parser(date_format)
    xs: list[float] = []
    ys: list[float] = []
    ts: list[float] = []
    rows = skipped = 0
    try:
        with _open_text(path) as f:
            head = f.readline()
            delimiter = "\t" if head.count("\t") > head.count(",") else ","
            reader = csv.reader(f, delimiter=delimiter)
            header = next(csv.reader([head], delimiter=delimiter), [])
            header = [h.strip() for h in header]
            missing = [c for c in (x_col, y_col, *date_cols) if c not in header]
            if missing:
                raise InputError(
                    f"{path.name} has no column {', '.join(repr(c) for c in missing)}; its columns are: "
                    + ", ".join(header)
                )
            ix, iy = header.index(x_col), header.index(y_col)
            idates = [header.index(c) for c in date_cols]
            for line, row in enumerate(reader, start=2):
                if not row:
                    continue
                rows += 1
                try:
                    xv, yv = row[ix].strip(), row[iy].strip()
                    date_text = " ".join(row[i].strip() for i in idates)
                except IndexError:
                    raise InputError(f"row {line} of {path.name} has too few columns") from None
                if not xv or not yv or not date_text.strip():
                    skipped += 1
                    continue
                try:
                    xf, yf = float(xv), float(yv)
                except ValueError:
                    raise InputError(f"row {line}: {xv!r}, {yv!r} are not coordinates") from None
                if (xf == 0 and yf == 0) or not (math.isfinite(xf) and math.isfinite(yf)):
                    skipped += 1
                    continue
                try:
                    when = parse(date_text)
                except ValueError:
                    hint = "" if date_format else " (give --date-format, e.g. %d/%m/%Y)"
                    raise InputError(f"row {line}: cannot read the date {date_text!r}{hint}") from None
                if (start and when.date() < start) or (end and when.date() > end):
                    continue
                xs.append(xf)
                ys.append(yf)
                ts.append(day_number(when))
    except (OSError, EOFError, UnicodeDecodeError, gzip.BadGzipFile, csv.Error) as exc:
        raise InputError(f"cannot read {path}: {exc}") from None
    if rows == 0:
        raise InputError(f"{path.name} has no rows")
    used = "metres"
    if crs:
        project, used = _projector(crs, xs, ys)
        if project is not None and xs:
            px, py = project(np.asarray(xs), np.asarray(ys))
            xs, ys = list(np.asarray(px)), list(np.asarray(py))
    elif xs and all(abs(v) <= 180 for v in xs[:1000]) and all(abs(v) <= 90 for v in ys[:1000]):
        raise InputError("the coordinates look like longitude and latitude: give --crs 4326")
    return Points(events=Events(xs, ys, ts), rows=rows, skipped=skipped, crs=used)


def _date_arg(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _fail(f"{option} must be a date like 2016-01-31, got {value!r}", 2) from None


def _note(points: Points) -> None:
    if points.skipped:
        typer.echo(
            f"Skipped {points.skipped:,} of {points.rows:,} rows without coordinates or date.", err=True
        )


# --------------------------------------------------------------------------- knox


def knox(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=FILE_HELP),
    x: str = typer.Option(..., "--x", help=X_HELP),
    y: str = typer.Option(..., "--y", help=Y_HELP),
    date: str = typer.Option(..., "--date", help=DATE_HELP),
    date_format: str = typer.Option("", "--date-format", help=DATE_FORMAT_HELP),
    crs: str = typer.Option("", "--crs", help=CRS_HELP),
    date_from: str = typer.Option("", "--from", help="Only events on or after this date (2016-01-01)."),
    date_to: str = typer.Option("", "--to", help="Only events on or before this date (2016-12-31)."),
    distance_band: float = typer.Option(..., "--distance-band", help="Width of a distance band, metres."),
    distance_bands: int = typer.Option(..., "--distance-bands", help="Number of distance bands."),
    time_band: float = typer.Option(..., "--time-band", help="Width of a time band, days."),
    time_bands: int = typer.Option(..., "--time-bands", help="Number of time bands."),
    iterations: int = typer.Option(
        20, "--iterations", help="The observed table plus ITERATIONS-1 random permutations (20: p >= 0.05)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of the permutations (the same seed, the same result)."),
    nrc_bands: bool = typer.Option(
        False,
        "--nrc-bands",
        help="The Near Repeat Calculator's bands: a 'Same location' row, and a band labelled "
        "'a to b' counting [a-1, b) as the calculator does (dates only, coordinates to 0.1 m).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
) -> None:
    """Knox test for near repeats: observed/expected ratios by distance and time band, with
    Monte Carlo p-values."""
    from jingwu.engine.nearrepeat import KnoxParams, knox_test, near_repeat_extent

    start, end = _date_arg(date_from, "--from"), _date_arg(date_to, "--to")
    try:
        params = KnoxParams(
            distance_band=distance_band,
            distance_bands=distance_bands,
            time_band=time_band,
            time_bands=time_bands,
            iterations=iterations,
            seed=seed,
            convention="nrc" if nrc_bands else "corrected",
        )
        points = read_points(file, x, y, date, date_format or None, crs or None, start, end)
        if len(points.events) < 2:
            raise InputError(
                f"the Knox test needs at least two events; {file.name} has {len(points.events)} here"
            )
        result = knox_test(points.events, params)
    except (InputError, ValueError) as exc:
        raise _fail(str(exc)) from None
    _note(points)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    typer.echo(
        f"Knox test: {result.n_events:,} events, {result.n_pairs:,} pairs, {params.permutations} permutations"
        f" ({'Near Repeat Calculator bands' if nrc_bands else 'corrected bands'})."
    )
    for title, table, fmt in (
        ("Observed / mean expected", result.ratios, "{:.2f}"),
        ("p-value", result.p_values, "{:.3f}"),
        ("Observed pairs", result.observed, "{:,}"),
    ):
        typer.echo("")
        typer.echo(_table(title, result.distance_labels, result.time_labels, table, fmt))
    extent = near_repeat_extent(result)
    typer.echo("")
    if extent is None:
        typer.echo("No near-repeat pattern at p <= 0.05 in the nearest bands.")
    else:
        typer.echo(
            f"Near repeats (p <= 0.05): within {extent.distance:g} m for up to {extent.days:g} days"
            + (
                f"; repeats at the same location for up to {extent.repeat_days:g} days."
                if extent.repeat_days
                else "."
            )
        )


def _table(title: str, rows: tuple[str, ...], cols: tuple[str, ...], values, fmt: str) -> str:
    cells = [
        [("-" if isinstance(v, float) and not math.isfinite(v) else fmt.format(v)) for v in row]
        for row in values.tolist()
    ]
    first = max(len(title), *(len(r) for r in rows))
    widths = [max(len(c), *(len(row[j]) for row in cells)) for j, c in enumerate(cols)]
    lines = [title.ljust(first) + "  " + "  ".join(c.rjust(w) for c, w in zip(cols, widths, strict=True))]
    for label, row in zip(rows, cells, strict=True):
        lines.append(
            label.ljust(first) + "  " + "  ".join(v.rjust(w) for v, w in zip(row, widths, strict=True))
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- hotspots

hotspots_app = typer.Typer(
    help="Hot-spot forecasts: evaluate a method on a file of events.", no_args_is_help=True
)


@hotspots_app.callback()
def _hotspots() -> None:
    """Hot-spot forecasts: evaluate a method on a file of events."""


class _Progress:
    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.tty:
            return
        pct = 100 * done // total
        if pct != self.last:
            self.last = pct
            sys.stderr.write(f"\rforecasting day {done}/{total} ({pct}%)")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()


@hotspots_app.command("evaluate")
def evaluate(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help=FILE_HELP),
    x: str = typer.Option(..., "--x", help=X_HELP),
    y: str = typer.Option(..., "--y", help=Y_HELP),
    date: str = typer.Option(..., "--date", help=DATE_HELP),
    date_format: str = typer.Option("", "--date-format", help=DATE_FORMAT_HELP),
    crs: str = typer.Option("", "--crs", help=CRS_HELP),
    cell: float = typer.Option(250.0, "--cell", help="Cell size, metres."),
    train_days: int = typer.Option(365, "--train-days", help="Days of history each daily forecast uses."),
    test_from: str = typer.Option(..., "--test-from", help="First day forecast (2019-01-01)."),
    test_to: str = typer.Option(..., "--test-to", help="Last day forecast (2019-12-31)."),
    method: str = typer.Option("naive", "--method", help="naive, kde, prospective or etas."),
    offset_x: float = typer.Option(
        0.0, "--offset-x", help="Shift the grid's lines east by this many metres."
    ),
    offset_y: float = typer.Option(
        0.0, "--offset-y", help="Shift the grid's lines north by this many metres."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Forecast every day of a test period from the days before it, and score the best 1%, 5%
    and 10% of the area: hit rate, PAI and PEI."""
    from jingwu.engine import hotspots
    from jingwu.engine.spacetime import day_number

    first, last = _date_arg(test_from, "--test-from"), _date_arg(test_to, "--test-to")
    try:
        params = hotspots.EvaluationParams(
            method=hotspots.method_params(method),
            test_from=int(day_number(first)),
            test_to=int(day_number(last)),
            cell=cell,
            train_days=train_days,
            offset=(offset_x, offset_y),
        )
        points = read_points(file, x, y, date, date_format or None, crs or None)
        result = hotspots.evaluate(points.events, params, progress=_Progress())
    except (InputError, ValueError) as exc:
        raise _fail(str(exc)) from None
    _note(points)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
        return
    typer.echo(
        f"{method}: {result.days} daily forecasts {first} to {last}, {result.events:,} events; "
        f"area {result.cells:,} cells of {cell:g} m ({result.area_km2:,.1f} km², {points.crs})."
    )
    typer.echo(f"{'area':>6}  {'cells':>6}  {'hit rate':>8}  {'PAI':>6}  {'PEI':>5}")
    for c, s in result.coverage.items():
        typer.echo(f"{c:>6.0%}  {s.cells:>6,}  {s.hit_rate:>8.3f}  {s.pai:>6.2f}  {s.pei:>5.3f}")
    if result.etas is not None:
        e = result.etas
        typer.echo(
            f"ETAS (last fit): theta {e.theta:.3f}, 1/omega {1 / e.omega:.2f} days, {e.iterations} EM iterations."
        )


# After ``plan`` (see ``jingwu.cli.app_command_lines``).
ORDER = 20


reports_app = typer.Typer(help="Scheduled reports of the bureaus' units.", no_args_is_help=True)


@reports_app.callback()
def _reports() -> None:
    """Scheduled reports of the bureaus' units."""


@reports_app.command("sweep")
def reports_sweep(
    bureau: str = typer.Option("", help="Only this bureau's schedules (its code); all bureaus by default."),
) -> None:
    """Start the scheduled reports whose period the bureau's data now cover (once per period)."""
    from jingwu.clitools import bureau as find_bureau
    from jingwu.clitools import setup

    setup()
    from .schedules import sweep

    out = sweep(find_bureau(bureau) if bureau else None)
    typer.echo(json.dumps(out))


def register(app: typer.Typer) -> None:
    """Add ``knox``, ``hotspots`` and ``reports`` to the ``jingwu`` command."""
    app.command("knox")(knox)
    app.add_typer(hotspots_app, name="hotspots")
    app.add_typer(reports_app, name="reports")
