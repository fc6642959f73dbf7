"""What each kind of file becomes: the row checks (phase 1) and the writes (phase 2).

Incidents are the volume kind: every check ``do_record_incident`` makes (category,
location inside the bureau, grid/zone/station, the actor's scope, the order of the
times, field lengths and choices) is made here on a whole chunk at once, and the
apply phase inserts the checked rows in bulk. Officers, premises, units, petitions and callbacks are
checked here as far as a row alone allows and then written one by one through
their services, which check the rest (and audit each created row).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jingwu.core.clock import today
from jingwu.engine import vocab

from .mapping import Binding, norm
from .projections import to_lonlat

REQUIRED = gettext_noop("This column is required.")


@dataclass
class Staged:
    row_no: int
    status: str  # ok, invalid, present, duplicate, merged, skipped
    key: str = ""
    data: dict = field(default_factory=dict)
    problems: list[list[str]] = field(default_factory=list)
    raw: list | None = None


class StagedRow(NamedTuple):
    row_no: int
    data: dict


class Row:
    """A row of the file: its number, its raw values, and its values by (normalised) column.

    ``values`` (a dict, with the pseudo-columns ``_row`` and ``_hash``) is built on first
    use: the column-wise checks read the raw values by position and never need it.
    """

    __slots__ = ("row_no", "raw", "_values", "_extra", "_binding")

    def __init__(self, row_no: int, values: dict | None, raw: list, *, binding=None, extra=None):
        self.row_no = row_no
        self.raw = raw
        self._values = values
        self._binding = binding
        self._extra = extra

    @property
    def values(self) -> dict:
        if self._values is None:
            d = self._binding.row_dict(self.raw)
            if self._extra:
                d.update(self._extra)
            self._values = d
        return self._values


class Checked(NamedTuple):
    """What a column-wise check of a chunk found: the bad rows, and the good ones as typed tuples."""

    staged: list[Staged]  # invalid (and otherwise set-aside) rows
    typed: list[tuple]  # valid rows in the handler's STAGE_COLUMNS order


class Problems(list):
    def __init__(self, binding: Binding, row: Row):
        super().__init__()
        self.binding = binding
        self.row = row

    def add(self, fieldname: str, value: Any, reason: str) -> None:
        text = "" if value is None else str(value)
        if len(text) > 200:
            text = text[:200] + "…"
        self.append([self.binding.column(fieldname) if fieldname else "", text, str(reason)])

    def value_of(self, fieldname: str) -> str:
        return self.binding.get(self.row.values, fieldname) if fieldname in self.binding.exprs else ""

    def from_error(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for fieldname, messages in exc.message_dict.items():
                name = "" if fieldname == "__all__" else fieldname
                for message in messages:
                    self.add(name, self.value_of(name) if name else "", message)
        else:
            for message in exc.messages:
                self.add("", "", message)


def _choices(terms: Iterable[vocab.Term]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in terms:
        for label in (t.code, t.en, t.zh):
            out.setdefault(norm(label), t.code)
    return out


class Context:
    """What the checks of one job share: bureau, actor, mapping, and caches."""

    def __init__(self, job, binding: Binding):
        self.job = job
        self.bureau = job.bureau
        self.actor = job.user
        self.binding = binding
        self.spec = binding.spec
        self.options = binding.spec.options
        self.cache: dict[str, Any] = {}
        self.apply_progress = None  # callable(done) set by the runner

    def choice(
        self, fieldname: str, value: str, terms, default: str | None, problems: Problems
    ) -> str | None:
        """Resolve a coded value: value map, then code or label in either language."""
        code, reason = self.resolve(fieldname, value, terms, default)
        if reason:
            problems.add(fieldname, value, reason)
        return code

    def resolve(self, fieldname: str, value: str, terms, default: str | None) -> tuple[str | None, str]:
        """(code, "") for a known value, (None, reason) for an unknown one; remembered per value."""
        memo = self.cache.setdefault(f"resolved:{fieldname}", {})
        hit = memo.get(value)
        if hit is not None:
            return hit
        if value == "":
            mapped_default = self.binding.map_default(fieldname)
            result = (mapped_default if mapped_default is not None else default, "")
        else:
            table = self.cache.get(f"choices:{fieldname}")
            if table is None:
                table = self.cache[f"choices:{fieldname}"] = _choices(terms)
            code = table.get(norm(self.binding.mapped(fieldname, value)))
            fallback = self.binding.map_default(fieldname)
            if code is not None:
                result = (code, "")
            elif fallback is not None and norm(fallback) in table:
                result = (table[norm(fallback)], "")
            else:
                result = (
                    None,
                    _("Unknown value %(value)s: use one of %(codes)s, or map it in the column mapping.")
                    % {"value": value, "codes": ", ".join(sorted({v for v in table.values()}))},
                )
        if len(memo) < 10_000:  # a column of free text must not fill the memory
            memo[value] = result
        return result

    def units_by_code(self) -> dict[str, int]:
        if "units_by_code" not in self.cache:
            from jingwu.org.models import Unit

            self.cache["units_by_code"] = dict(
                Unit.objects.current().filter(bureau=self.bureau).values_list("code", "id")
            )
        return self.cache["units_by_code"]


class Handler:
    kind = ""
    bulk = False  # True: the check is complete, a dry run need not run the writes
    typed = False  # True: ``check`` returns ``Checked`` and the handler stages valid rows itself
    stores_raw = True  # keep the raw values of valid rows (needed when writes may still fail)

    def model(self):
        raise NotImplementedError

    def check(self, ctx: Context, rows: list[Row]) -> list[Staged]:
        raise NotImplementedError

    def apply(self, ctx: Context, chunks: Iterator[list]) -> tuple[int, int, dict[int, list]]:
        """Write the staged rows; return (created, unchanged, {row_no: problems})."""
        raise NotImplementedError

    def finish(self, ctx: Context) -> None:
        """Anything to do after all rows are written (in the same transaction)."""

    def precheck(self, ctx: Context) -> None:
        """Refuse the whole file (``TableError``) for a reason no row could overcome."""

    @staticmethod
    def _needs_areas(ctx: Context) -> None:
        """Rows placed by their location need stations or grids to fall in."""
        from jingwu.imports.reading import TableError
        from jingwu.org.selectors import bureau_areas

        areas = bureau_areas(ctx.bureau.pk)
        if not areas.grids.keys and not areas.stations.keys:
            raise TableError(
                _(
                    "Bureau %(bureau)s has no stations or grids with a boundary yet, so no location can be "
                    "placed in it: import its stations and grids first (kind: units), then this file."
                )
                % {"bureau": ctx.bureau.code}
            )

    def _swapped(self, ctx: Context, rows: list[Row], indices: list[int]) -> set[int]:
        """Which of ``rows[i]`` (i in ``indices``) fall inside the bureau with longitude and latitude swapped."""
        if not indices:
            return set()
        from jingwu.org.selectors import bureau_areas

        sub = [rows[i] for i in indices]
        xs = _floats(ctx.binding.values_of(sub, "lon"))
        ys = _floats(ctx.binding.values_of(sub, "lat"))
        with np.errstate(all="ignore"):
            lon, lat = to_lonlat(ctx.spec.coordinate_system, ys, xs)  # the other way round
        ok = np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90)
        pick = np.flatnonzero(ok)
        if not len(pick):
            return set()
        found = bureau_areas(ctx.bureau.pk).locate_many(lon[pick].tolist(), lat[pick].tolist())
        return {indices[int(k)] for k, loc in zip(pick, found, strict=True) if loc is not None}

    def _place_problems(
        self, ctx: Context, rows: list[Row], i: int, lon, lat, in_range, swapped, plist
    ) -> None:
        """Why row ``i``, whose location was given, is not placed in the bureau: named by its column."""
        b = ctx.binding
        if i in swapped:
            plist.append(
                [
                    f"{b.column('lon')}, {b.column('lat')}",
                    f"{b.values_of([rows[i]], 'lon')[0]}, {b.values_of([rows[i]], 'lat')[0]}",
                    _(
                        "Longitude and latitude seem swapped: read the other way round, this location is "
                        "inside the bureau's area. Are the columns %(lon)s and %(lat)s the wrong way round?"
                    )
                    % {"lon": b.column("lon"), "lat": b.column("lat")},
                ]
            )
        elif not in_range:
            if not -180 <= lon <= 180:
                plist.add("lon", b.values_of([rows[i]], "lon")[0], _("Longitude must be within -180..180."))
            if not -90 <= lat <= 90:
                plist.add("lat", b.values_of([rows[i]], "lat")[0], _("Latitude must be within -90..90."))
        else:
            plist.add(
                "lon",
                b.values_of([rows[i]], "lon")[0],
                _("The location (%(lon).5f, %(lat).5f) is outside the bureau's area.")
                % {"lon": lon, "lat": lat},
            )

    # helpers shared by kinds
    @staticmethod
    def _coordinates(ctx: Context, rows: list[Row], plist, lon_field="lon", lat_field="lat"):
        """Parse and project the coordinates of a chunk: arrays lon, lat and a validity mask.

        ``plist[i]`` is the problem list of row ``i``. Columns that are all numbers (or
        blank) convert in one step; a column with text in it is parsed value by value.
        """
        n = len(rows)
        x_raw = ctx.binding.values_of(rows, lon_field)
        y_raw = ctx.binding.values_of(rows, lat_field)
        xs = _floats(x_raw)
        ys = _floats(y_raw)
        for i in np.flatnonzero(~(np.isfinite(xs) & np.isfinite(ys))).tolist():
            xr, yr = x_raw[i], y_raw[i]
            if xr == "" and yr == "":
                continue
            for fieldname, raw in ((lon_field, xr), (lat_field, yr)):
                if raw == "":
                    continue
                try:
                    v = float(raw)
                except ValueError:
                    v = float("nan")
                if not np.isfinite(v):
                    plist[i].add(fieldname, raw, _("Not a number."))
            xs[i] = ys[i] = np.nan
        given = np.isfinite(xs) & np.isfinite(ys) & ~((xs == 0) & (ys == 0))
        lon = np.full(n, np.nan)
        lat = np.full(n, np.nan)
        if given.any():
            with np.errstate(all="ignore"):
                plon, plat = to_lonlat(ctx.spec.coordinate_system, xs[given], ys[given])
            lon[given], lat[given] = plon, plat
        return lon, lat, given


def _floats(values: list[str]) -> np.ndarray:
    """The numbers of a column; blank and unreadable values are NaN."""
    try:
        return np.array([v or "nan" for v in values], dtype=np.float64)
    except ValueError:
        out = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            try:
                out[i] = float(v) if v else np.nan
            except ValueError:
                pass
        return out


class LazyProblems(dict):
    """The problem lists of a chunk's rows, made for the rows that have any."""

    def __init__(self, binding: Binding, rows: list[Row]):
        super().__init__()
        self.binding = binding
        self.rows = rows

    def __missing__(self, i: int) -> Problems:
        p = self[i] = Problems(self.binding, self.rows[i])
        return p


# ---------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------


class IncidentHandler(Handler):
    """Incidents: checked column-wise, staged typed in a scratch table, written by SQL.

    The check phase parses and validates a chunk a column at a time (category,
    source and status through memos of their distinct values, coordinates as numpy
    arrays located in one spatial query, times only where the file has them) and
    copies the valid rows, already typed, into the job's scratch table
    ``imports_stage_<job id>`` (COPY on PostgreSQL). The apply phase moves them into
    the incidents table with ``INSERT ... SELECT`` in slices of row numbers, leaving
    out rows whose key an earlier row of the file had and rows the bureau already
    holds (same source system and external id, or same number), and numbering the
    rows without a number as ``next_number`` does (J + bureau + local day + sequence).
    """

    kind = "incidents"
    bulk = True
    stores_raw = False
    typed = True
    APPLY_SLICE = 50_000
    MAX_ID_RUNS = 1_000  # in the audit event
    # the scratch table: row number, key, local day and sequence (for numbering), then the values
    EXTRA_COLUMNS = (
        ("row_no", "integer"),
        ("key", "varchar(200)"),
        ("day", "varchar(8)"),
        ("seq", "integer"),
    )
    VALUE_COLUMNS = (
        "number",
        "source_system",
        "external_id",
        "received_at",
        "category_id",
        "source",
        "lon",
        "lat",
        "address",
        "description",
        "reporter_name",
        "reporter_phone",
        "grid_id",
        "zone_id",
        "station_id",
        "dispatched_at",
        "arrived_at",
        "cleared_at",
        "status",
    )

    def model(self):
        from jingwu.incidents.models import Incident

        return Incident

    def precheck(self, ctx: Context) -> None:
        self._needs_areas(ctx)

    # -- check ---------------------------------------------------------------

    def _categories(self, ctx: Context) -> tuple[dict[str, int], dict[str, str]]:
        if "categories" not in ctx.cache:
            from jingwu.incidents.models import IncidentCategory

            by_code, by_label = {}, {}
            for c in IncidentCategory.objects.all():
                by_code[c.code] = c.pk
                for label in (c.name_zh, c.name_en):
                    by_label.setdefault(norm(label), c.code)
            ctx.cache["categories"] = (by_code, by_label)
        return ctx.cache["categories"]

    def _category(self, ctx: Context, value: str) -> tuple[int | None, str]:
        """(category id, "") or (None, the reason); remembered per value."""
        memo = ctx.cache.setdefault("category-memo", {})
        hit = memo.get(value)
        if hit is not None:
            return hit
        by_code, by_label = self._categories(ctx)
        default = ctx.binding.category_default()
        if value == "":
            if default is not None and default in by_code:
                result = (by_code[default], "")
            else:
                result = (None, _(REQUIRED))
        else:
            code = ctx.binding.category(value)
            if code not in by_code:
                code = by_label.get(norm(code), code)
            if code in by_code:
                result = (by_code[code], "")
            elif default is not None and default in by_code:
                result = (by_code[default], "")
            elif ctx.spec.default:
                result = (None, _("Unknown incident category code %(code)s.") % {"code": value})
            else:
                result = (
                    None,
                    _("Unknown incident category %(value)s: add it to the mapping's category map.")
                    % {"value": value},
                )
        if len(memo) < 10_000:
            memo[value] = result
        return result

    def _text_fields(self):
        """The text fields and their model validators (lengths): the checks ``full_clean`` makes."""
        if not hasattr(self, "_fields"):
            meta = self.model()._meta
            self._fields = [
                (name, meta.get_field(name))
                for name in (
                    "number",
                    "source_system",
                    "external_id",
                    "address",
                    "description",
                    "reporter_name",
                    "reporter_phone",
                )
            ]
        return self._fields

    def _authorized(self, ctx: Context, unit_id: int) -> str | None:
        """None when the actor may add incidents in this unit, else the reason."""
        cache = ctx.cache.setdefault("auth", {})
        if unit_id not in cache:
            from jingwu.core.services import authorize
            from jingwu.org.models import Unit

            unit = Unit.objects.get(pk=unit_id)
            try:
                authorize(ctx.actor, self.model(), "add", unit=unit)
                cache[unit_id] = None
            except PermissionDenied as exc:
                cache[unit_id] = str(exc)
        return cache[unit_id]

    def _times(self, ctx: Context, rows: list[Row], fieldname: str, problems) -> list:
        """The parsed date-times of a column (None where blank or bad; bad ones get a problem)."""
        b = ctx.binding
        out: list = [None] * len(rows)
        if not b.has(fieldname):
            return out
        memo: dict[str, dt.datetime] = {}
        parse = b.datetime
        for i, raw in enumerate(b.values_of(rows, fieldname)):
            if raw == "":
                continue
            v = memo.get(raw)
            if v is None:
                try:
                    v = memo[raw] = parse(raw)
                except ValueError:
                    problems[i].add(fieldname, raw, b.datetime_message())
                    continue
            out[i] = v
        return out

    def check(self, ctx: Context, rows: list[Row]) -> Checked:
        from jingwu.incidents.services import validate_times
        from jingwu.org.selectors import bureau_areas

        b = ctx.binding
        n = len(rows)
        problems = LazyProblems(b, rows)

        received = self._times(ctx, rows, "received_at", problems)
        if b.has("received_at"):
            for i, raw in enumerate(b.values_of(rows, "received_at")):
                if raw == "":
                    problems[i].add("received_at", "", _(REQUIRED))
        else:
            for i in range(n):
                problems[i].add("received_at", "", _(REQUIRED))
        later = {name: self._times(ctx, rows, name, problems) for name in _TIMES[1:] if b.has(name)}

        category_ids: list = [None] * n
        for i, value in enumerate(b.values_of(rows, "category")):
            cid, reason = self._category(ctx, value)
            if reason:
                problems[i].add("category", value, reason)
            category_ids[i] = cid
        coded = {}
        for name, terms, default in (
            ("source", vocab.INCIDENT_SOURCES, "call_110"),
            ("status", vocab.INCIDENT_STATUSES, "closed"),
        ):
            col = b.values_of(rows, name)
            codes: list = [None] * n
            for i, value in enumerate(col):
                code, reason = ctx.resolve(name, value, terms, default)
                if reason:
                    problems[i].add(name, value, reason)
                codes[i] = code
            coded[name] = codes
        texts = {
            name: b.values_of(rows, name)
            for name in ("number", "address", "description", "reporter_name", "reporter_phone")
        }
        systems = (
            [ctx.spec.source_system] * n if ctx.spec.source_system else b.values_of(rows, "source_system")
        )
        externals = b.values_of(rows, "external_id")
        numbers = texts["number"]
        for i in range(n):
            if not externals[i] and not numbers[i]:
                externals[i] = "h:" + (rows[i].values.get("_hash") or _row_digest(rows[i]))
        texts["source_system"] = systems
        texts["external_id"] = externals

        # lengths (and NUL characters) as the model's validators see them, per column
        for name, f in self._text_fields():
            col = texts[name]
            limit = f.max_length
            if (
                limit is not None
                and max(map(len, col), default=0) <= limit
                and not any("\x00" in v for v in col)
            ):
                continue
            for i, value in enumerate(col):
                if value and ((limit is not None and len(value) > limit) or "\x00" in value):
                    try:
                        f.run_validators(value)
                    except ValidationError as exc:
                        for message in exc.messages:
                            problems[i].add(name, value, message)

        lon, lat, given = self._coordinates(ctx, rows, problems)
        in_range = given & (lon >= -180) & (lon <= 180) & (lat >= -90) & (lat <= 90)
        located: list = [None] * n
        idx = np.flatnonzero(in_range)
        if len(idx):
            areas = bureau_areas(ctx.bureau.pk)
            found = areas.locate_many(lon[idx].tolist(), lat[idx].tolist())
            for i, loc in zip(idx.tolist(), found, strict=True):
                located[i] = loc
        lon_raw = b.values_of(rows, "lon")
        lon_column, lat_column = b.column("lon"), b.column("lat")
        lons, lats = lon.tolist(), lat.tolist()
        unplaced = [i for i in range(n) if given[i] and located[i] is None]
        swapped = self._swapped(ctx, rows, unplaced)
        for i in range(n):
            loc = located[i]
            if loc is not None:
                refusal = self._authorized(ctx, loc.grid_id or loc.station_id)
                if refusal:
                    problems[i].add("", "", refusal)
            elif not given[i]:
                if i not in problems or not any(p[0] in (lon_column, lat_column) for p in problems[i]):
                    problems[i].add(
                        "lon", lon_raw[i], _("An incident needs a location (longitude and latitude).")
                    )
            else:
                self._place_problems(ctx, rows, i, lons[i], lats[i], in_range[i], swapped, problems[i])

        # the order of the times, and none in the future
        soon = timezone.now() + dt.timedelta(minutes=5)
        for i in range(n):
            r = received[i]
            if r is None or i in problems:
                continue
            if r > soon or (later and any(col[i] is not None for col in later.values())):
                try:
                    validate_times(
                        SimpleNamespace(
                            received_at=r,
                            **{name: (later[name][i] if name in later else None) for name in _TIMES[1:]},
                        )
                    )
                except ValidationError as exc:
                    problems[i].from_error(exc)

        staged: list[Staged] = []
        typed: list[tuple] = []
        local_tz = ctx.bureau.tz  # incident numbers count the bureau's local days
        day_memo: dict = {}
        seq = self._sequences(ctx)
        none = [None] * n
        dispatched = later.get("dispatched_at", none)
        arrived = later.get("arrived_at", none)
        cleared = later.get("cleared_at", none)
        addresses, descriptions = texts["address"], texts["description"]
        reporters, phones = texts["reporter_name"], texts["reporter_phone"]
        sources, statuses = coded["source"], coded["status"]
        for i, row in enumerate(rows):
            if i in problems:
                staged.append(Staged(row.row_no, "invalid", problems=list(problems[i]), raw=row.raw))
                continue
            ext, number, system = externals[i], numbers[i], systems[i]
            key = f"x:{system}:{ext}" if ext else f"n:{number}"
            r = received[i]
            if number:
                day, s = "", 0
            else:
                # the local day of the received time, for the number (``next_number``)
                stamp = int(r.timestamp()) // 900  # every UTC offset is a multiple of 15 minutes
                day = day_memo.get(stamp)
                if day is None:
                    day = day_memo[stamp] = f"{r.astimezone(local_tz):%Y%m%d}"
                s = seq[day] = seq.get(day, 0) + 1
            loc = located[i]
            typed.append(
                (
                    row.row_no,
                    key[:200],
                    day,
                    s,
                    number,
                    system,
                    ext,
                    r,
                    category_ids[i],
                    sources[i],
                    lons[i],
                    lats[i],
                    addresses[i],
                    descriptions[i],
                    reporters[i],
                    phones[i],
                    loc.grid_id,
                    loc.zone_id,
                    loc.station_id,
                    dispatched[i],
                    arrived[i],
                    cleared[i],
                    statuses[i],
                )
            )
        self._flag_near_duplicates(ctx, typed)
        return Checked(staged, typed)

    def _flag_near_duplicates(self, ctx: Context, typed: list[tuple]) -> None:
        """The duty desk's duplicate rule on the chunk's valid rows (``engine.intake.near_duplicates``):
        a row of the same category close in place and time to an incident the bureau holds or to
        an earlier row of the file is *flagged*, not refused: it is imported, and listed in the
        job's report with what it may duplicate (``ctx.cache["near_duplicates"]``, saved with the
        chunk). An import carries records its source system already accepted one by one; the
        desk and the API, where a person is there to confirm, refuse until confirmed.
        """
        from django.db import connection

        from jingwu.engine.intake import DUPLICATE_METRES, DUPLICATE_MINUTES, Call, bbox, near_duplicates

        ctx.cache["near_duplicates"] = []
        if not typed:
            return
        window = dt.timedelta(minutes=DUPLICATE_MINUTES)
        times = [t[7] for t in typed]
        cats = sorted({t[8] for t in typed})
        lons, lats = [t[10] for t in typed], [t[11] for t in typed]
        x0, y0, _x, _y = bbox(min(lons), min(lats), DUPLICATE_METRES)
        _x, _y, x1, y1 = bbox(max(lons), max(lats), DUPLICATE_METRES)
        spans = _time_spans(times, window)
        when = Q()
        for lo, hi in spans:
            when |= Q(received_at__gte=lo, received_at__lte=hi)
        known: list[Call] = []
        existing = (
            self.model()
            .objects.filter(
                when,
                bureau=ctx.bureau,
                category_id__in=cats,
                lon__gte=x0,
                lon__lte=x1,
                lat__gte=y0,
                lat__lte=y1,
            )
            .values_list("number", "source_system", "external_id", "category_id", "lon", "lat", "received_at")
        )
        for number, system, ext, cat, lon, lat, at in existing:
            if lon is None or lat is None:
                continue
            key = f"x:{system}:{ext}" if ext else f"n:{number}"
            known.append(Call(number, key[:200], cat, lon, lat, at.timestamp()))
        # rows of the file staged by earlier chunks
        if ctx.job.rows_valid:  # earlier chunks staged rows: the scratch table exists
            table = self.table(ctx.job)
            adapt = connection.ops.adapt_datetimefield_value
            marks = ", ".join(["%s"] * len(cats))
            ranges = " OR ".join(["(received_at >= %s AND received_at <= %s)"] * len(spans))
            bounds = [adapt(v) for span in spans for v in span]
            with connection.cursor() as cur:
                cur.execute(
                    f"SELECT row_no, key, category_id, lon, lat, received_at FROM {table}"
                    f" WHERE ({ranges}) AND category_id IN ({marks})"
                    f" AND lon >= %s AND lon <= %s AND lat >= %s AND lat <= %s",
                    [*bounds, *cats, x0, x1, y0, y1],
                )
                staged_rows = cur.fetchall()
            for row_no, key, cat, lon, lat, at in staged_rows:
                if isinstance(at, str):  # SQLite
                    from django.utils.dateparse import parse_datetime

                    at = parse_datetime(at)
                if timezone.is_naive(at):  # stored in UTC
                    at = at.replace(tzinfo=dt.UTC)
                known.append(Call(f"#{row_no}", key, cat, lon, lat, at.timestamp()))
        present = {c.key for c in known if not c.label.startswith("#")}
        # a row the bureau already holds (the same key) is left out at apply: not flagged
        rows = [
            Call(f"#{t[0]}", t[1], t[8], t[10], t[11], t[7].timestamp()) for t in typed if t[1] not in present
        ]
        found = near_duplicates(rows, known)
        ctx.cache["near_duplicates"] = [
            [int(label[1:]), int(match[1:]) if match.startswith("#") else match]
            for label, match in found.items()
        ]

    # -- the scratch table ---------------------------------------------------

    @staticmethod
    def table(job) -> str:
        return f"imports_stage_{int(job.pk)}"

    def _column_types(self) -> list[tuple[str, str]]:
        from django.db import connection

        by_column = {f.column: f for f in self.model()._meta.concrete_fields}
        return list(self.EXTRA_COLUMNS) + [(c, by_column[c].db_type(connection)) for c in self.VALUE_COLUMNS]

    def columns(self) -> list[str]:
        return [c for c, _t in self.EXTRA_COLUMNS] + list(self.VALUE_COLUMNS)

    def _sequences(self, ctx: Context) -> dict[str, int]:
        """The last sequence number given per local day in this job (read back on resume)."""
        seq = ctx.cache.get("seq")
        if seq is None:
            from django.db import connection

            seq = ctx.cache["seq"] = {}
            if ctx.job.rows_valid:
                with connection.cursor() as cur:
                    cur.execute(
                        f"SELECT day, MAX(seq) FROM {self.table(ctx.job)} WHERE day <> '' GROUP BY day"
                    )
                    seq.update({day: int(last) for day, last in cur.fetchall()})
        return seq

    def stage(self, ctx: Context, typed: list[tuple]) -> None:
        """Write a chunk's valid rows to the scratch table (in the chunk's transaction)."""
        from django.db import connection

        from .db import copy_rows

        table = self.table(ctx.job)
        if not ctx.cache.get("stage-ready"):
            cols = ", ".join(f"{connection.ops.quote_name(c)} {t}" for c, t in self._column_types())
            with connection.cursor() as cur:
                cur.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
                # the duplicate rule looks up earlier rows of the file by time
                cur.execute(f"CREATE INDEX IF NOT EXISTS {table}_time ON {table} (received_at)")
            ctx.cache["stage-ready"] = True
        if not typed:
            return
        if not copy_rows(table, self.columns(), typed):
            adapt = connection.ops.adapt_datetimefield_value
            times = {self.columns().index(c) for c in _TIMES}
            rows = [tuple(adapt(v) if j in times else v for j, v in enumerate(t)) for t in typed]
            marks = ", ".join(["%s"] * len(self.columns()))
            with connection.cursor() as cur:
                cur.executemany(f"INSERT INTO {table} ({', '.join(self.columns())}) VALUES ({marks})", rows)

    def drop(self, job) -> None:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {self.table(job)}")

    # -- apply ---------------------------------------------------------------

    def _selection(self, ctx: Context) -> tuple[str, list]:
        """FROM/WHERE of the staged rows to write: first of their key in the file, not in the bureau yet."""
        from django.db import connection

        incidents = connection.ops.quote_name(self.model()._meta.db_table)
        t = self.table(ctx.job)
        # Each presence test is a plain NOT EXISTS, so that PostgreSQL plans it as an anti
        # join (under ``NOT (x AND EXISTS ...)`` it can only run a subplan), and the
        # external id test repeats the predicate of the partial unique index
        # ``incident_external_unique`` word for word: SQLite uses a partial index only when
        # the query contains its WHERE term (``<> ''`` does not count), and otherwise walks
        # every incident of the bureau for every staged row. ``s.external_id = ''`` can
        # match nothing there, so rows without an external id pass the first test.
        sql = (
            f" FROM {t} s"
            f" WHERE s.row_no > %s AND s.row_no <= %s"
            f" AND NOT EXISTS (SELECT 1 FROM {t} d WHERE d.key = s.key AND d.row_no < s.row_no)"
            f" AND NOT EXISTS (SELECT 1 FROM {incidents} i"
            f" WHERE i.bureau_id = %s AND i.source_system = s.source_system AND i.external_id = s.external_id"
            f" AND NOT (i.external_id = ''))"
            f" AND NOT EXISTS (SELECT 1 FROM {incidents} i"
            f" WHERE i.bureau_id = %s AND i.number = s.number AND s.number <> '')"
        )
        return sql, [ctx.bureau.pk, ctx.bureau.pk]

    def _prepare(self, ctx: Context) -> int:
        """Index the scratch table for the key lookups (once) and return its last row number."""
        from django.db import connection

        t = self.table(ctx.job)
        self.stage(ctx, [])
        with connection.cursor() as cur:
            cur.execute(f"CREATE INDEX IF NOT EXISTS {t}_key ON {t} (key, row_no)")
            cur.execute(f"CREATE INDEX IF NOT EXISTS {t}_row ON {t} (row_no)")
            if connection.vendor == "postgresql":
                cur.execute(f"ANALYZE {t}")
            cur.execute(f"SELECT MAX(row_no) FROM {t}")
            return cur.fetchone()[0] or 0

    def count_new(self, ctx: Context) -> int:
        """How many staged rows an apply would write (for a dry run)."""
        from django.db import connection

        last = self._prepare(ctx)
        where, params = self._selection(ctx)
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*)" + where, [0, last, *params])
            return cur.fetchone()[0]

    def _day_bases(self, ctx: Context) -> dict[str, int]:
        """The last sequence of each local day of the file that already has numbers J + bureau + day + NNNNN.

        One probe of the index on (bureau, number) per distinct day of the file, for the
        day's highest number: the cost follows the file, not the years the bureau holds.
        The range ends at the prefix + "A": digits sort before letters in every collation
        (a "~" or other punctuation is ignored by linguistic ones such as en_US).
        """
        from django.db import connection

        incidents = connection.ops.quote_name(self.model()._meta.db_table)
        base = f"J{ctx.bureau.code}"
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT d.day, (SELECT MAX(i.number) FROM {incidents} i WHERE i.bureau_id = %s"
                f" AND i.number >= %s || d.day AND i.number < %s || d.day || 'A')"
                f" FROM (SELECT DISTINCT day FROM {self.table(ctx.job)} WHERE day <> '') d",
                [ctx.bureau.pk, base, base],
            )
            rows = cur.fetchall()
        out: dict[str, int] = {}
        for day, number in rows:
            if number is None:
                continue
            try:
                out[day] = int(number[len(base) + 8 :])
            except ValueError:
                continue
        return out

    def apply(self, ctx: Context, chunks):
        """INSERT ... SELECT the staged rows, a slice of row numbers at a time."""
        from django.db import connection

        Incident = self.model()
        last = self._prepare(ctx)
        fields = [f for f in Incident._meta.concrete_fields if not f.primary_key]
        expected = {"bureau_id", "created_at", "updated_at", *self.VALUE_COLUMNS}
        if {f.column for f in fields} != expected:  # a new field on Incident must be staged too
            raise RuntimeError(f"incident columns changed: {sorted({f.column for f in fields} ^ expected)}")
        bases = self._day_bases(ctx)
        q = connection.ops.quote_name
        t = self.table(ctx.job)
        base_table = f"{t}_base"
        join = ""
        offset = "s.seq"
        with connection.cursor() as cur:
            if bases:
                cur.execute(f"DROP TABLE IF EXISTS {base_table}")
                cur.execute(f"CREATE TABLE {base_table} (day varchar(8) PRIMARY KEY, base integer NOT NULL)")
                cur.executemany(f"INSERT INTO {base_table} (day, base) VALUES (%s, %s)", list(bases.items()))
                join = f" LEFT JOIN {base_table} b ON b.day = s.day"
                offset = "(COALESCE(b.base, 0) + s.seq)"
            if connection.vendor == "postgresql":
                padded = f"CASE WHEN {offset} < 100000 THEN lpad(CAST({offset} AS text), 5, '0') ELSE CAST({offset} AS text) END"
            else:
                padded = f"printf('%%05d', {offset})"
            number = f"CASE WHEN s.number <> '' THEN s.number ELSE %s || s.day || {padded} END"
            values = ["%s", "%s", "%s"] + [
                number if c == "number" else f"s.{q(c)}" for c in self.VALUE_COLUMNS
            ]
            where, params = self._selection(ctx)
            where = where.replace(f" FROM {t} s", f" FROM {t} s{join}", 1)
            sql = (
                f"INSERT INTO {q(Incident._meta.db_table)} (bureau_id, created_at, updated_at, "
                f"{', '.join(q(c) for c in self.VALUE_COLUMNS)}) SELECT {', '.join(values)}{where}"
            )
            now = timezone.now()
            if connection.vendor != "postgresql":
                now = connection.ops.adapt_datetimefield_value(now)
            created = 0
            start = 0
            # which rows the job wrote, for its audit event: runs of ids [first, last]
            # (one run unless other writers interleaved)
            runs: list[list[int]] = []
            while start < last:
                stop = start + self.APPLY_SLICE
                cur.execute(
                    sql + " RETURNING id",
                    [ctx.bureau.pk, now, now, f"J{ctx.bureau.code}", start, stop, *params],
                )
                ids = sorted(r[0] for r in cur.fetchall())
                created += len(ids)
                for pk in ids:
                    if runs and pk == runs[-1][1] + 1:
                        runs[-1][1] = pk
                    elif len(runs) < self.MAX_ID_RUNS:
                        runs.append([pk, pk])
                    else:  # more runs than an audit event should hold: the count says the rest
                        ctx.cache["created_ids_truncated"] = True
                        break
                if ctx.apply_progress:
                    cur.execute(f"SELECT COUNT(*) FROM {t} WHERE row_no > %s AND row_no <= %s", [start, stop])
                    ctx.apply_progress(cur.fetchone()[0])
                start = stop
            if bases:
                cur.execute(f"DROP TABLE IF EXISTS {base_table}")
        ctx.cache["created_ids"] = runs
        return created, ctx.job.rows_valid - created, {}

    def finish(self, ctx: Context) -> None:
        """Near-repeat alerts of the burglaries imported (as the duty desk raises them)."""
        from jingwu.incidents.nearrepeat import raise_alerts_for_ids

        if ctx.cache.get("created_ids"):
            raise_alerts_for_ids(ctx.bureau, ctx.cache["created_ids"])


def _batch() -> int:
    """How many values an IN (...) query may carry on this database."""
    from django.db import connection

    limit = connection.features.max_query_params or 2000
    return max(100, min(2000, limit - 50))


_TIMES = ("received_at", "dispatched_at", "arrived_at", "cleared_at")
MAX_SPANS = 100  # time ranges per duplicate look-up (an unsorted chunk spans many days)


def _time_spans(times: list, window: dt.timedelta, most: int = MAX_SPANS) -> list[tuple]:
    """The times' ``± window`` as few disjoint ranges: overlapping ones merged, then the
    closest neighbours merged until at most ``most`` remain (a look-up never misses a time,
    and reads only the days the chunk has)."""
    spans: list[list] = []
    for t in sorted(times):
        lo, hi = t - window, t + window
        if spans and lo <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], hi)
        else:
            spans.append([lo, hi])
    if len(spans) > most:  # bridge the smallest gaps
        gaps = sorted(spans[k + 1][0] - spans[k][1] for k in range(len(spans) - 1))
        limit = gaps[len(spans) - most - 1]
        merged = [spans[0]]
        for lo, hi in spans[1:]:
            if lo - merged[-1][1] <= limit:
                merged[-1][1] = hi
            else:
                merged.append([lo, hi])
        spans = merged
    return [(lo, hi) for lo, hi in spans]


def _row_digest(row: Row) -> str:
    h = hashlib.blake2b(digest_size=12)
    h.update(repr(row.raw).encode("utf-8", "surrogatepass"))
    h.update(f"@{row.row_no}".encode())
    return h.hexdigest()


# ---------------------------------------------------------------------------
# Service kinds: officers, premises, units
# ---------------------------------------------------------------------------


class ServiceHandler(Handler):
    """Rows written one by one through a service, each in a savepoint."""

    def create(self, ctx: Context, data: dict) -> bool:
        raise NotImplementedError

    def apply(self, ctx: Context, chunks):
        from django.db import transaction

        created = unchanged = 0
        problems: dict[int, list] = {}
        for chunk in chunks:
            for r in chunk:
                row = Row(r.row_no, ctx.binding.row_dict(r.data.get("raw") or []), r.data.get("raw") or [])
                plist = Problems(ctx.binding, row)
                try:
                    with transaction.atomic():
                        if self.create(ctx, r.data["values"]):
                            created += 1
                        else:
                            unchanged += 1
                except ValidationError as exc:
                    plist.from_error(exc)
                except PermissionDenied as exc:
                    plist.add("", "", str(exc))
                if plist:
                    problems[r.row_no] = list(plist)
            if ctx.apply_progress:
                ctx.apply_progress(len(chunk))
        return created, unchanged, problems

    def _dedupe(self, staged: list[Staged], present: set[str]) -> None:
        for s in staged:
            if s.status == "ok" and s.key in present:
                s.status = "present"


class OfficerHandler(ServiceHandler):
    kind = "officers"

    def model(self):
        from jingwu.personnel.models import Officer

        return Officer

    def check(self, ctx: Context, rows: list[Row]) -> list[Staged]:
        from jingwu.personnel.services import validate_id_number

        b = ctx.binding
        out = []
        for row in rows:
            v = row.values
            p = Problems(b, row)
            values: dict[str, Any] = {}
            for name in ("police_number", "name", "kind", "gender", "birth_date", "id_number"):
                if b.get(v, name) == "":
                    p.add(name, "", _(REQUIRED))
            values["police_number"] = b.get(v, "police_number")
            values["name"] = b.get(v, "name")
            values["kind"] = ctx.choice("kind", b.get(v, "kind"), vocab.OFFICER_KINDS, None, p)
            values["gender"] = ctx.choice("gender", b.get(v, "gender"), vocab.GENDERS, None, p)
            values["rank"] = ctx.choice("rank", b.get(v, "rank"), vocab.RANKS, "none", p)
            values["status"] = ctx.choice("status", b.get(v, "status"), vocab.OFFICER_STATUSES, "active", p)
            values["role"] = ctx.choice("role", b.get(v, "role"), vocab.POSTING_ROLES, "staff", p)
            values["phone"] = b.get(v, "phone")
            for name in ("birth_date", "hired", "start"):
                raw = b.get(v, name)
                if raw:
                    try:
                        values[name] = b.date(raw).isoformat()
                    except ValueError:
                        p.add(name, raw, _("Not a date like 2019-04-07."))
            id_raw = b.get(v, "id_number")
            if id_raw:
                try:
                    values["id_number"] = validate_id_number(id_raw, ctx.bureau.id_scheme)
                except ValidationError as exc:
                    p.from_error(exc)
            skills: dict[str, int] = {}
            table = ctx.cache.get("choices:skills") or ctx.cache.setdefault(
                "choices:skills", _choices(vocab.SKILLS)
            )
            raw_skills = b.get(v, "skills")
            for part in filter(None, (s.strip() for s in raw_skills.replace("；", ";").split(";"))):
                code, _sep, level = part.partition(":")
                skill = table.get(norm(code))
                if skill is None:
                    p.add("skills", part, _("Unknown skill %(value)s.") % {"value": code.strip()})
                    continue
                try:
                    skills[skill] = int(float(level or "1"))
                except ValueError:
                    p.add("skills", part, _("Not a whole number."))
            values["skills"] = skills
            unit = b.get(v, "unit")
            if unit:
                if unit not in ctx.units_by_code():
                    p.add("unit", unit, _("No current unit has this code."))
                values["unit"] = unit
            if p:
                out.append(Staged(row.row_no, "invalid", problems=list(p), raw=row.raw))
            else:
                out.append(
                    Staged(
                        row.row_no,
                        "ok",
                        key=f"p:{values['police_number']}",
                        data={"values": values, "raw": row.raw},
                    )
                )
        numbers = [s.data["values"]["police_number"] for s in out if s.status == "ok"]
        present = {
            f"p:{n}"
            for n in self.model()
            .objects.filter(bureau=ctx.bureau, police_number__in=numbers)
            .values_list("police_number", flat=True)
        }
        self._dedupe(out, present)
        return out

    def create(self, ctx: Context, values: dict) -> bool:
        from jingwu.org.models import Unit
        from jingwu.personnel.services import do_create_officer, do_create_posting

        Officer = self.model()
        if Officer.objects.filter(bureau=ctx.bureau, police_number=values["police_number"]).exists():
            return False
        officer = do_create_officer(
            actor=ctx.actor,
            bureau=ctx.bureau,
            police_number=values["police_number"],
            name=values["name"],
            kind=values["kind"],
            gender=values["gender"],
            birth_date=dt.date.fromisoformat(values["birth_date"]),
            id_number=values["id_number"],
            rank=values.get("rank") or "none",
            phone=values.get("phone", ""),
            hired=dt.date.fromisoformat(values["hired"]) if values.get("hired") else None,
            status=values.get("status") or "active",
            skills=values.get("skills") or {},
        )
        if values.get("unit"):
            unit = Unit.objects.current().filter(bureau=ctx.bureau, code=values["unit"]).first()
            if unit is None:
                raise ValidationError({"unit": _("No current unit has this code.")})
            do_create_posting(
                actor=ctx.actor,
                officer=officer,
                unit=unit,
                role=values.get("role") or "staff",
                start=dt.date.fromisoformat(values["start"]) if values.get("start") else today(ctx.bureau),
            )
        return True


class PremisesHandler(ServiceHandler):
    kind = "premises"

    def model(self):
        from jingwu.places.models import Premises

        return Premises

    def precheck(self, ctx: Context) -> None:
        self._needs_areas(ctx)

    def check(self, ctx: Context, rows: list[Row]) -> list[Staged]:
        from jingwu.org.selectors import bureau_areas

        b = ctx.binding
        plist = [Problems(b, r) for r in rows]
        items = []
        for row, p in zip(rows, plist, strict=True):
            v = row.values
            values: dict[str, Any] = {}
            for name in ("external_id", "category", "name", "lon", "lat"):
                if b.get(v, name) == "":
                    p.add(name, "", _(REQUIRED))
            values["external_id"] = b.get(v, "external_id")
            cat = b.get(v, "category")
            if cat:
                values["category"] = ctx.choice(
                    "category", b.category(cat), vocab.PREMISES_CATEGORIES, None, p
                )
            values["status"] = ctx.choice("status", b.get(v, "status"), vocab.PREMISES_STATUSES, "active", p)
            for name in ("name", "address", "responsible_person", "responsible_phone", "licence_no"):
                values[name] = b.get(v, name)
            raw = b.get(v, "employees")
            try:
                values["employees"] = int(float(raw)) if raw else 0
            except ValueError:
                p.add("employees", raw, _("Not a whole number."))
            items.append(values)
        lon, lat, given = self._coordinates(ctx, rows, plist)
        ok_idx = [i for i in range(len(rows)) if given[i] and -180 <= lon[i] <= 180 and -90 <= lat[i] <= 90]
        found = bureau_areas(ctx.bureau.pk).locate_many([lon[i] for i in ok_idx], [lat[i] for i in ok_idx])
        located = dict(zip(ok_idx, found, strict=True))
        swapped = self._swapped(
            ctx, rows, [i for i in range(len(rows)) if given[i] and located.get(i) is None]
        )
        out = []
        for i, (row, p, values) in enumerate(zip(rows, plist, items, strict=True)):
            if given[i]:
                if located.get(i) is None:
                    self._place_problems(ctx, rows, i, float(lon[i]), float(lat[i]), i in located, swapped, p)
                values["lon"], values["lat"] = float(lon[i]), float(lat[i])
            if p:
                out.append(Staged(row.row_no, "invalid", problems=list(p), raw=row.raw))
            else:
                out.append(
                    Staged(
                        row.row_no,
                        "ok",
                        key=f"e:{values['external_id']}",
                        data={"values": values, "raw": row.raw},
                    )
                )
        exts = [s.data["values"]["external_id"] for s in out if s.status == "ok"]
        present = {
            f"e:{e}"
            for e in self.model()
            .objects.filter(bureau=ctx.bureau, external_id__in=exts)
            .exclude(external_id="")  # the partial unique index's own condition (see IncidentHandler)
            .values_list("external_id", flat=True)
        }
        self._dedupe(out, present)
        return out

    def create(self, ctx: Context, values: dict) -> bool:
        from jingwu.places.services import do_create_premises

        present = self.model().objects.filter(bureau=ctx.bureau, external_id=values["external_id"])
        if present.exclude(external_id="").exists():
            return False
        do_create_premises(actor=ctx.actor, bureau=ctx.bureau, **values)
        return True


class UnitHandler(ServiceHandler):
    """Units from a CSV/XLSX sheet or from GeoJSON polygons (districts, precincts, beats...).

    Options of the mapping (``options``):
    - ``unit_kind``: the kind of every row (else the ``kind`` column);
    - ``station_type``: for stations without one (default ``full_spectrum``);
    - ``exclude``: ``{column: [values]}`` rows to leave out (e.g. a "water" beat);
    - ``merge_same_code`` (default true): features with the same code are one unit,
      their polygons merged (a district in three pieces);
    - ``repair_geometry``: repair self-intersecting polygons instead of refusing them;
    - ``trim_overlaps``: cut a polygon back to its parent and off its siblings
      already imported (for boundaries that overlap by a sliver);
    - ``create_parents``: ``{"kind": "station", "name_zh": "{code}", ...}`` create a
      missing parent from the union of its children (stations from beats);
    - ``headquarters_boundary``: ``"union"`` to set the bureau's boundary to the
      union of its stations after the import (done anyway while it has none).
    """

    kind = "units"

    def model(self):
        from jingwu.org.models import Unit

        return Unit

    def _geometry(self, ctx: Context, row: Row, p: Problems):
        from jingwu.engine.geo import GeometryError, polygon_from_geojson
        from jingwu.org.services import geometry_error

        from .projections import is_wgs84

        b = ctx.binding
        if "boundary" in b.exprs:
            expr = b.exprs["boundary"]
            raw = row.values.get(expr.columns[0]) if len(expr.columns) == 1 else expr(row.values)
        else:
            raw = row.values.get("geometry", row.values.get("boundary", ""))
        if raw in (None, ""):
            return None
        try:
            geom = _shape(raw)
            if not is_wgs84(ctx.spec.coordinate_system):
                system = ctx.spec.coordinate_system
                geom = shapely.transform(geom, lambda c: np.column_stack(to_lonlat(system, c[:, 0], c[:, 1])))
            if ctx.options.get("repair_geometry"):
                fixed = _polygonal(geom)
                if fixed is None:
                    raise GeometryError("not_polygon", geom.geom_type)
                geom = fixed
            geom = polygon_from_geojson(geom)
        except GeometryError as exc:
            p.from_error(geometry_error(exc))
            return None
        return shapely.geometry.mapping(geom)

    def check(self, ctx: Context, rows: list[Row]) -> list[Staged]:
        from jingwu.imports.models import ImportRow

        b = ctx.binding
        opts = ctx.options
        exclude = {norm(k): {str(x) for x in vals} for k, vals in (opts.get("exclude") or {}).items()}
        out: list[Staged] = []
        seen_codes: dict[str, Staged] = ctx.cache.setdefault("unit_codes", {})
        for row in rows:
            v = row.values
            if any(str(v.get(col, "")) in vals for col, vals in exclude.items()):
                out.append(Staged(row.row_no, "skipped"))
                continue
            p = Problems(b, row)
            values: dict[str, Any] = {}
            code = b.get(v, "code")
            name_zh = b.get(v, "name_zh") or code
            if not code:
                p.add("code", "", _(REQUIRED))
            kind_raw = opts.get("unit_kind") or b.get(v, "kind")
            if not kind_raw:
                p.add("kind", "", _(REQUIRED))
            kind = ctx.choice("kind", kind_raw, vocab.UNIT_KINDS, None, p) if kind_raw else None
            station_type = b.get(v, "station_type")
            if kind == "station":
                station_type = station_type or opts.get("station_type") or "full_spectrum"
                station_type = ctx.choice("station_type", station_type, vocab.STATION_TYPES, None, p)
            elif station_type:
                station_type = ctx.choice("station_type", station_type, vocab.STATION_TYPES, None, p)
            values.update(code=code, kind=kind, name_zh=name_zh, name_en=b.get(v, "name_en"))
            values["station_type"] = station_type or ""
            for name in ("households", "residents", "floating"):
                raw = b.get(v, name)
                try:
                    values[name] = int(float(raw)) if raw else 0
                    if values[name] < 0:
                        raise ValueError(raw)
                except ValueError:
                    p.add(name, raw, _("Not a whole number."))
            for name in ("base_lon", "base_lat"):
                raw = b.get(v, name)
                if raw:
                    try:
                        values[name] = float(raw)
                    except ValueError:
                        p.add(name, raw, _("Not a number."))
            for name in ("valid_from", "valid_to"):
                raw = b.get(v, name)
                if raw:
                    try:
                        values[name] = b.date(raw).isoformat()
                    except ValueError:
                        p.add(name, raw, _("Not a date like 2019-04-07."))
            parent = b.get(v, "parent")
            values["parent"] = parent
            if parent and parent not in ctx.units_by_code() and parent not in seen_codes:
                if not opts.get("create_parents"):
                    p.add("parent", parent, _("No current unit has this code."))
            if not parent and kind in ("zone", "grid"):
                p.add("parent", "", _(REQUIRED))
            values["boundary"] = self._geometry(ctx, row, p)
            if p:
                out.append(Staged(row.row_no, "invalid", problems=list(p), raw=_raw_for_reject(row.raw)))
                continue
            key = f"u:{code}:{values.get('valid_from') or ''}"
            staged = Staged(
                row.row_no, "ok", key=key, data={"values": values, "raw": _raw_for_reject(row.raw)}
            )
            earlier = seen_codes.get(key)
            if earlier is None and opts.get("merge_same_code", True):
                stored = ImportRow.objects.filter(job=ctx.job, key=key, status="ok").first()
                if stored is not None:
                    earlier = Staged(stored.row_no, "ok", key=key, data=stored.data)
                    earlier.stored_pk = stored.pk  # type: ignore[attr-defined]
                    seen_codes[key] = earlier
            if earlier is not None and opts.get("merge_same_code", True):
                merged = _union(earlier.data["values"].get("boundary"), values["boundary"])
                earlier.data["values"]["boundary"] = merged
                if hasattr(earlier, "stored_pk"):
                    ctx.cache.setdefault("updates", {})[earlier.stored_pk] = earlier.data
                out.append(Staged(row.row_no, "merged"))
                continue
            seen_codes[key] = staged
            seen_codes.setdefault(code, staged)
            out.append(staged)
        present = set()
        Unit = self.model()
        for s in out:
            if s.status == "ok":
                vals = s.data["values"]
                if Unit.objects.filter(
                    bureau=ctx.bureau, code=vals["code"], valid_from=vals.get("valid_from")
                ).exists():
                    present.add(s.key)
        self._dedupe(out, present)
        return out

    def apply(self, ctx: Context, chunks):
        rows = [r for chunk in chunks for r in chunk]
        created = unchanged = 0
        problems: dict[int, list] = {}
        self._create_parents(ctx, rows, problems)
        pending = list(rows)
        while pending:
            later = []
            progress = False
            codes = ctx.units_by_code()
            for r in pending:
                parent = r.data["values"].get("parent")
                if (
                    parent
                    and parent not in codes
                    and any(o.data["values"]["code"] == parent for o in pending if o is not r)
                ):
                    later.append(r)
                    continue
                c, u, probs = super().apply(ctx, iter([[r]]))
                created, unchanged = created + c, unchanged + u
                problems.update(probs)
                if c:
                    codes[r.data["values"]["code"]] = None  # created: children may follow
                progress = True
            if not progress:
                for r in later:
                    c, u, probs = super().apply(ctx, iter([[r]]))
                    created, unchanged = created + c, unchanged + u
                    problems.update(probs)
                break
            pending = later
        ctx.cache.pop("units_by_code", None)
        return created, unchanged, problems

    def _create_parents(self, ctx: Context, rows: list, problems: dict) -> None:
        spec = ctx.options.get("create_parents")
        if not spec:
            return
        from jingwu.org.services import do_create_unit

        known = set(ctx.units_by_code()) | {r.data["values"]["code"] for r in rows}
        groups: dict[str, list] = {}
        for r in rows:
            parent = r.data["values"].get("parent")
            if parent and parent not in known:
                groups.setdefault(parent, []).append(r)
        hq = self._headquarters(ctx)
        for code, children in groups.items():
            polys = [
                shapely.geometry.shape(c.data["values"]["boundary"])
                for c in children
                if c.data["values"].get("boundary")
            ]
            boundary = shapely.geometry.mapping(_polygonal(shapely.union_all(polys))) if polys else None
            kind = spec.get("kind", "station")
            fields = {
                "name_en": str(spec.get("name_en", "")).replace("{code}", code),
                "boundary": boundary,
            }
            if kind == "station":
                fields["station_type"] = spec.get("station_type", "full_spectrum")
            try:
                unit = do_create_unit(
                    actor=ctx.actor,
                    bureau=ctx.bureau,
                    parent=hq if kind == "station" else None,
                    kind=kind,
                    code=code,
                    name_zh=str(spec.get("name_zh", "{code}")).replace("{code}", code),
                    **fields,
                )
                ctx.units_by_code()[code] = unit.pk
            except (ValidationError, PermissionDenied) as exc:
                reason = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
                for c in children:
                    problems[c.row_no] = [[ctx.binding.column("parent"), code, reason]]

    def _headquarters(self, ctx: Context):
        Unit = self.model()
        return Unit.objects.current().filter(bureau=ctx.bureau, kind="headquarters").order_by("id").first()

    def create(self, ctx: Context, values: dict) -> bool:
        from jingwu.org.services import do_create_unit

        Unit = self.model()
        valid_from = dt.date.fromisoformat(values["valid_from"]) if values.get("valid_from") else None
        if Unit.objects.filter(bureau=ctx.bureau, code=values["code"], valid_from=valid_from).exists():
            return False
        parent = None
        if values.get("parent"):
            parent = Unit.objects.current().filter(bureau=ctx.bureau, code=values["parent"]).first()
            if parent is None:
                raise ValidationError({"parent": _("No current unit has this code.")})
        elif values["kind"] in ("station", "investigation_center", "prevention_center", "department"):
            parent = self._headquarters(ctx)
            if parent is None:
                raise ValidationError(
                    {"parent": _("The bureau has no headquarters unit yet: create the bureau first.")}
                )
        boundary = values.get("boundary")
        if boundary is not None and (ctx.options.get("trim_overlaps")):
            boundary = self._trimmed(ctx, values, parent, boundary)
            if boundary is None:
                raise ValidationError({"boundary": _("The boundary is empty.")})
        do_create_unit(
            actor=ctx.actor,
            bureau=ctx.bureau,
            parent=parent,
            kind=values["kind"],
            code=values["code"],
            name_zh=values["name_zh"],
            name_en=values.get("name_en", ""),
            station_type=values.get("station_type", ""),
            boundary=boundary,
            households=values.get("households", 0),
            residents=values.get("residents", 0),
            floating=values.get("floating", 0),
            base_lon=values.get("base_lon"),
            base_lat=values.get("base_lat"),
            valid_from=valid_from,
            valid_to=dt.date.fromisoformat(values["valid_to"]) if values.get("valid_to") else None,
        )
        return True

    def _trimmed(self, ctx: Context, values: dict, parent, boundary: dict):
        Unit = self.model()
        geom = shapely.geometry.shape(boundary)
        if parent is not None and parent.boundary is not None:
            geom = geom.intersection(shapely.geometry.shape(parent.boundary))
        minx, miny, maxx, maxy = geom.bounds if not geom.is_empty else (0, 0, 0, 0)
        siblings = (
            Unit.objects.current()
            .filter(bureau=ctx.bureau, parent=parent, kind=values["kind"])
            .exclude(boundary__isnull=True)
            .filter(min_lon__lte=maxx, max_lon__gte=minx, min_lat__lte=maxy, max_lat__gte=miny)
        )
        others = [shapely.geometry.shape(s.boundary) for s in siblings]
        if others:
            geom = geom.difference(shapely.union_all(others))
        geom = _polygonal(geom)
        if geom is None or geom.is_empty or geom.area == 0:
            return None
        return shapely.geometry.mapping(geom)

    def finish(self, ctx: Context) -> None:
        """Give the bureau the union of its stations as its boundary (when asked, or when it has none)."""
        from jingwu.org.services import do_update_unit

        hq = self._headquarters(ctx)
        if hq is None or (hq.boundary is not None and ctx.options.get("headquarters_boundary") != "union"):
            return
        Unit = self.model()
        stations = (
            Unit.objects.current().filter(bureau=ctx.bureau, kind="station").exclude(boundary__isnull=True)
        )
        polys = [shapely.geometry.shape(s.boundary) for s in stations]
        if not polys:
            return
        union = _polygonal(shapely.union_all(polys))
        if union is None:
            return
        do_update_unit(
            hq,
            actor=ctx.actor,
            reason=_("Boundary set to the union of the stations by an import."),
            boundary=shapely.geometry.mapping(union),
        )


class PetitionHandler(ServiceHandler):
    """Petitions (信访件) by their number, written one by one through ``do_record_petition``.

    The handling unit is given by its code (it decides who may import the row: the
    service checks the actor's scope there); related incidents by their numbers,
    separated by ";".
    """

    kind = "petitions"
    LIMITS = {"number": 32, "petitioner_name": 50, "petitioner_phone": 20, "subject": 200}

    def model(self):
        from jingwu.cases.models import Petition

        return Petition

    def check(self, ctx: Context, rows: list[Row]) -> list[Staged]:
        from jingwu.incidents.models import Incident

        b = ctx.binding
        now = timezone.now()
        items = []
        wanted: set[str] = set()
        for row in rows:
            v = row.values
            p = Problems(b, row)
            values: dict[str, Any] = {}
            for name in ("number", "received_at", "petitioner_name", "subject", "unit"):
                if b.get(v, name).strip() == "":
                    p.add(name, "", _(REQUIRED))
            for name in ("number", "petitioner_name", "petitioner_phone", "subject", "content"):
                values[name] = b.get(v, name).strip()
            for name, most in self.LIMITS.items():
                if len(values[name]) > most:
                    p.add(
                        name,
                        values[name],
                        _("At most %(count)d characters.") % {"count": most},
                    )
            raw = b.get(v, "received_at")
            if raw.strip():
                try:
                    when = b.datetime(raw)
                except ValueError:
                    p.add("received_at", raw, b.datetime_message())
                else:
                    if when > now:
                        p.add("received_at", raw, _("A petition cannot be received in the future."))
                    values["received_at"] = when.isoformat()
            unit = b.get(v, "unit").strip()
            if unit:
                if unit not in ctx.units_by_code():
                    p.add("unit", unit, _("No current unit has this code."))
                values["unit"] = unit
            numbers = [n.strip() for n in b.get(v, "incidents").replace("；", ";").split(";") if n.strip()]
            values["incidents"] = numbers
            wanted.update(numbers)
            items.append((row, p, values))
        known = dict(
            Incident.objects.filter(bureau=ctx.bureau, number__in=wanted).values_list("number", "pk")
        )
        out = []
        for row, p, values in items:
            for n in values["incidents"]:
                if n not in known:
                    p.add(
                        "incidents",
                        n,
                        _("No incident of the bureau has the number %(number)s.") % {"number": n},
                    )
            if p:
                out.append(Staged(row.row_no, "invalid", problems=list(p), raw=row.raw))
            else:
                out.append(
                    Staged(
                        row.row_no, "ok", key=f"n:{values['number']}", data={"values": values, "raw": row.raw}
                    )
                )
        numbers = [s.data["values"]["number"] for s in out if s.status == "ok"]
        present = {
            f"n:{n}"
            for n in self.model()
            .objects.filter(bureau=ctx.bureau, number__in=numbers)
            .values_list("number", flat=True)
        }
        self._dedupe(out, present)
        return out

    def create(self, ctx: Context, values: dict) -> bool:
        from jingwu.cases.services import do_record_petition
        from jingwu.incidents.models import Incident
        from jingwu.org.models import Unit

        if self.model().objects.filter(bureau=ctx.bureau, number=values["number"]).exists():
            return False
        unit = Unit.objects.current().filter(bureau=ctx.bureau, code=values["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": _("No current unit has this code.")})
        incidents = list(Incident.objects.filter(bureau=ctx.bureau, number__in=values.get("incidents") or []))
        do_record_petition(
            actor=ctx.actor,
            bureau=ctx.bureau,
            unit=unit,
            number=values["number"],
            received_at=dt.datetime.fromisoformat(values["received_at"]),
            petitioner_name=values["petitioner_name"],
            petitioner_phone=values.get("petitioner_phone", ""),
            subject=values["subject"],
            content=values.get("content", ""),
            incidents=incidents,
        )
        return True


CALLBACK_RESULTS = (
    vocab.Term("satisfied", "Satisfied", "满意"),
    vocab.Term("basically", "Basically satisfied", "基本满意"),
    vocab.Term("unsatisfied", "Unsatisfied", "不满意"),
    vocab.Term("unreachable", "Unreachable", "未接通"),
)
YES_NO = (
    vocab.Term("yes", "yes", "是"),
    vocab.Term("no", "no", "否"),
    vocab.Term("yes", "true", "有"),
    vocab.Term("no", "false", "无"),
    vocab.Term("yes", "1", "y"),
    vocab.Term("no", "0", "n"),
)


class CallbackHandler(ServiceHandler):
    """Callbacks to reporters (警情回访), written one by one through ``do_record_callback``.

    The incident is given by its number (警情编号); the service checks the importer may
    record callbacks in the incident's area, one completed callback per incident and the
    time of the call. The officer who called is given by police number, or by name when
    one officer of the bureau has it (the export gives both, the police number first);
    without one, the importer's own officer record, as on the incident page. A row with the
    incident, time and result of a callback already recorded is left alone (a second
    import adds nothing).
    """

    kind = "callbacks"

    def model(self):
        from jingwu.incidents.models import Callback

        return Callback

    def check(self, ctx: Context, rows: list[Row]) -> list[Staged]:
        from jingwu.incidents.models import Incident

        b = ctx.binding
        items = []
        wanted: set[str] = set()
        for row in rows:
            v = row.values
            p = Problems(b, row)
            values: dict[str, Any] = {"number": b.get(v, "number").strip(), "note": b.get(v, "note").strip()}
            for name in ("number", "called_at", "result"):
                if b.get(v, name).strip() == "":
                    p.add(name, "", _(REQUIRED))
            if len(values["note"]) > 300:
                p.add("note", values["note"], _("At most %(count)d characters.") % {"count": 300})
            raw = b.get(v, "called_at")
            if raw.strip():
                try:
                    values["called_at"] = b.datetime(raw).isoformat()
                except ValueError:
                    p.add("called_at", raw, b.datetime_message())
            result = b.get(v, "result").strip()
            if result:
                values["result"] = ctx.choice("result", result, CALLBACK_RESULTS, None, p)
            values["complaint"] = (
                ctx.choice("complaint", b.get(v, "complaint").strip(), YES_NO, "no", p) == "yes"
            )
            officer = b.get(v, "officer").strip()
            if officer:
                values["officer"] = self._officer(ctx, officer, p)
            wanted.add(values["number"])
            items.append((row, p, values))
        known = set(
            Incident.objects.filter(bureau=ctx.bureau, number__in=wanted).values_list("number", flat=True)
        )
        out = []
        for row, p, values in items:
            if values["number"] and values["number"] not in known:
                p.add(
                    "number",
                    values["number"],
                    _("No incident of the bureau has the number %(number)s.") % {"number": values["number"]},
                )
            if p:
                out.append(Staged(row.row_no, "invalid", problems=list(p), raw=row.raw))
            else:
                key = f"c:{values['number']}|{values['called_at']}|{values['result']}"
                out.append(Staged(row.row_no, "ok", key=key, data={"values": values, "raw": row.raw}))
        return out

    def _officer(self, ctx: Context, value: str, p: Problems) -> str | None:
        """The police number of the officer ``value`` names (a police number, or a name
        that one officer of the bureau has); None and a problem otherwise."""
        table = ctx.cache.get("callback_officers")
        if table is None:
            from jingwu.personnel.models import Officer

            numbers: set[str] = set()
            names: dict[str, list[str]] = {}
            for number, name in Officer.objects.filter(bureau=ctx.bureau).values_list(
                "police_number", "name"
            ):
                numbers.add(number)
                names.setdefault(name.strip(), []).append(number)
            table = ctx.cache["callback_officers"] = (numbers, names)
        numbers, names = table
        if value in numbers:
            return value
        named = names.get(value, [])
        if len(named) == 1:
            return named[0]
        if named:
            p.add(
                "officer",
                value,
                _("%(count)d officers of the bureau are named %(name)s: give the police number.")
                % {"count": len(named), "name": value},
            )
        else:
            p.add(
                "officer",
                value,
                _("No officer of the bureau has this police number or name."),
            )
        return None

    def create(self, ctx: Context, values: dict) -> bool:
        from jingwu.incidents.models import Incident
        from jingwu.incidents.services import do_record_callback
        from jingwu.personnel.models import Officer

        incident = Incident.objects.filter(bureau=ctx.bureau, number=values["number"]).first()
        if incident is None:
            raise ValidationError(
                {
                    "number": _("No incident of the bureau has the number %(number)s.")
                    % {"number": values["number"]}
                }
            )
        called_at = dt.datetime.fromisoformat(values["called_at"])
        if (
            self.model()
            .objects.filter(
                bureau=ctx.bureau, incident=incident, called_at=called_at, result=values["result"]
            )
            .exists()
        ):
            return False
        officer = None
        if values.get("officer"):
            officer = Officer.objects.filter(bureau=ctx.bureau, police_number=values["officer"]).first()
            if officer is None:
                raise ValidationError(
                    {"officer": _("No officer of the bureau has this police number or name.")}
                )
        do_record_callback(
            incident,
            actor=ctx.actor,
            result=values["result"],
            called_at=called_at,
            note=values.get("note", ""),
            complaint=bool(values.get("complaint")),
            officer=officer,
        )
        return True


def _raw_for_reject(raw: list) -> list:
    import json

    return [json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v for v in raw]


def _polygonal(geom):
    """The polygonal part of a geometry (after make_valid), or None."""
    from shapely.geometry import GeometryCollection, MultiPolygon, Polygon

    if geom is None or geom.is_empty:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    if isinstance(geom, GeometryCollection):
        polys = []
        for g in geom.geoms:
            if isinstance(g, Polygon):
                polys.append(g)
            elif isinstance(g, MultiPolygon):
                polys.extend(g.geoms)
        if not polys:
            return None
        return polys[0] if len(polys) == 1 else MultiPolygon(polys)
    return None


def _shape(raw):
    """Parse a GeoJSON geometry (dict or text) without judging it."""
    import json

    from jingwu.engine.geo import GeometryError

    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
        if isinstance(data, dict) and data.get("type") == "Feature":
            data = data.get("geometry") or {}
        geom = shapely.geometry.shape(data)
    except Exception as exc:
        raise GeometryError("not_geojson", str(exc)) from exc
    return geom


def _union(a: dict | None, b: dict | None) -> dict | None:
    if a is None:
        return b
    if b is None:
        return a
    return shapely.geometry.mapping(
        _polygonal(shapely.union_all([shapely.geometry.shape(a), shapely.geometry.shape(b)]))
    )


HANDLERS: dict[str, Handler] = {
    "incidents": IncidentHandler(),
    "officers": OfficerHandler(),
    "premises": PremisesHandler(),
    "units": UnitHandler(),
    "petitions": PetitionHandler(),
    "callbacks": CallbackHandler(),
}

__all__ = ["HANDLERS", "Context", "Handler", "Q", "Row", "Staged"]
