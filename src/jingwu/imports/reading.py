"""Spreadsheet import (CSV/TSV in UTF-8, UTF-16 or GBK, XLSX, GeoJSON) through the same checks as the UI.

This module holds the file readers, the value parsers and the report; the import
itself runs as a job of ``jingwu.imports`` (checked in chunks, applied in one
transaction). All or nothing by default: any bad row and nothing is imported, and
the report names each bad row, column, value and reason in the user's language.
Rows that already exist (same source system + external id, or the same number)
are left alone, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Limits of what a file may hold, so that reading any file takes bounded memory and
# stores bounded reports (the upload limit itself is the setting IMPORT_MAX_BYTES).
# Real files carry long free-text fields; the model's own limits judge them per row.
MAX_RECORD = 1 << 20  # characters of one row (a CSV record, quoted line breaks included)
MAX_COLUMNS = 500
MAX_COLUMN_NAME = 200  # characters of a column name
MAX_GEOJSON = 64 << 20  # bytes of a GeoJSON file, read whole
MAX_SHARED_STRINGS = 128 << 20  # bytes of a workbook's table of texts, which openpyxl holds
EXPANSION = 50  # a compressed file that grows more than this (CSV grows 5-10 times)...
EXPANSION_FROM = 16 << 20  # ... from this size on, is refused as a compression bomb
csv.field_size_limit(MAX_RECORD)


def max_bytes() -> int:
    """The largest file an import takes (and the most a compressed one may expand to, x4)."""
    from django.conf import settings

    return int(getattr(settings, "IMPORT_MAX_BYTES", 512 << 20))


def _mb(n: int) -> str:
    mb = n / (1 << 20)
    return f"{mb:,.0f}" if mb >= 100 else f"{mb:,.1f}"


# Column names in Chinese that people's sheets already use, mapped to ours.
ALIASES = {
    "警情编号": "number",
    "接警时间": "received_at",
    "警情类别": "category",
    "类别代码": "category",
    "报警方式": "source",
    "经度": "lon",
    "纬度": "lat",
    "地址": "address",
    "发生地址": "address",
    "简要案情": "description",
    "报警人": "reporter_name",
    "报警人电话": "reporter_phone",
    "派警时间": "dispatched_at",
    "到达时间": "arrived_at",
    "处置完毕时间": "cleared_at",
    "状态": "status",
    "警号": "police_number",
    "姓名": "name",
    "人员类别": "kind",
    "性别": "gender",
    "出生日期": "birth_date",
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "警衔": "rank",
    "手机": "phone",
    "联系电话": "phone",
    "入警时间": "hired",
    "单位代码": "unit",
    "岗位": "role",
    "任职起始": "start",
    "技能": "skills",
    "场所编号": "external_id",
    "场所类别": "category",
    "场所名称": "name",
    "负责人": "responsible_person",
    "负责人电话": "responsible_phone",
    "许可证号": "licence_no",
    "从业人数": "employees",
    "代码": "code",
    "上级代码": "parent",
    "单位类别": "kind",
    "名称": "name_zh",
    "英文名称": "name_en",
    "所类型": "station_type",
    "边界": "boundary",
    "户数": "households",
    "人口": "residents",
    "流动人口": "floating",
    "启用日期": "valid_from",
    "停用日期": "valid_to",
    "外部编号": "external_id",
    "来源系统": "source_system",
    # the headers of our own exports, so an exported sheet imports again
    "到场时间": "arrived_at",
    "警情描述": "description",
    "来源": "source",
    "居民身份证号码": "id_number",
}

KINDS: dict[str, str] = {
    "incidents": "incidents.incident",
    "officers": "personnel.officer",
    "premises": "places.premises",
    "units": "org.unit",
    "petitions": "cases.petition",
    "callbacks": "incidents.callback",
}


@dataclass
class Problem:
    row: int  # 0: the file as a whole
    column: str
    value: str
    reason: str

    def describe(self) -> str:
        """One line for a terminal or a log: the row, column and value where there are any."""
        if not self.row:
            return self.reason
        where = _("row %(row)s") % {"row": self.row}
        if self.column:
            where += ", " + self.column
        if self.value:
            where += " " + repr(self.value if len(self.value) <= 60 else self.value[:59] + "…")
        return f"{where}: {self.reason}"


@dataclass
class Report:
    kind: str
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    dry_run: bool = False
    problems: list[Problem] = field(default_factory=list)
    bad_rows: int = 0
    skip_invalid: bool = False
    status: str = ""
    job_id: int | None = None
    reject_file: str = ""
    # rows the duty desk's duplicate rule flags: (row, incident number or earlier row)
    near_duplicates: list[tuple[int, str | int]] = field(default_factory=list)
    near_duplicates_total: int = 0

    @property
    def near_duplicate_lines(self) -> list[str]:
        """One line per flagged row, in the active language."""
        out = []
        for row, match in self.near_duplicates:
            if isinstance(match, int):
                out.append(
                    _(
                        "Row %(row)d may duplicate row %(other)d of the file (same category, nearby, close in time)."
                    )
                    % {"row": row, "other": match}
                )
            else:
                out.append(
                    _("Row %(row)d may duplicate incident %(number)s (same category, nearby, close in time).")
                    % {"row": row, "number": match}
                )
        return out

    @property
    def ok(self) -> bool:
        """True when the file went in as asked (with --skip-invalid: whatever was valid)."""
        if self.status == "failed":
            return False
        if self.skip_invalid:
            return self.status != "rejected"
        return not self.problems and not self.bad_rows

    def _bad(self) -> int:
        return max(self.bad_rows, len({p.row for p in self.problems if p.row}))

    @property
    def file_problems(self) -> list[Problem]:
        """Problems of the file as a whole (no row): told in the summary."""
        return [p for p in self.problems if not p.row]

    @property
    def row_problems(self) -> list[Problem]:
        return [p for p in self.problems if p.row]

    def summary(self) -> str:
        text = self._summary()
        if self.near_duplicates_total and self.status not in ("rejected", "failed"):
            text += " " + (
                ngettext(
                    "%(n)d row flagged as a possible duplicate (same category, nearby, close in time).",
                    "%(n)d rows flagged as possible duplicates (same category, nearby, close in time).",
                    self.near_duplicates_total,
                )
                % {"n": self.near_duplicates_total}
            )
        return text

    def _summary(self) -> str:
        bad = self._bad()
        whole = self.file_problems
        if whole and not bad:
            if self.status == "failed":
                return _("The import failed: nothing was imported.")
            return _("Nothing was imported: %(reason)s") % {"reason": " ".join(p.reason for p in whole)}
        if self.skip_invalid and (bad or self.problems) and self.status != "failed":
            if self.dry_run:
                return _(
                    "Dry run: %(rows)d rows read, %(new)d would be imported, %(same)d already present, "
                    "%(bad)d rejected; nothing was saved."
                ) % {"rows": self.rows, "new": self.created, "same": self.unchanged, "bad": bad}
            return _("%(rows)d rows read: %(new)d imported, %(same)d already present, %(bad)d rejected.") % {
                "rows": self.rows,
                "new": self.created,
                "same": self.unchanged,
                "bad": bad,
            }
        if self.problems or bad:
            return _("%(rows)d rows read, %(bad)d with problems: nothing was imported.") % {
                "rows": self.rows,
                "bad": bad,
            }
        if self.dry_run:
            return _(
                "Dry run: %(rows)d rows are valid (%(new)d new, %(same)d already present); nothing was saved."
            ) % {"rows": self.rows, "new": self.created, "same": self.unchanged}
        return _("%(rows)d rows read: %(new)d imported, %(same)d already present.") % {
            "rows": self.rows,
            "new": self.created,
            "same": self.unchanged,
        }


# Spreadsheet formulas start so; a cell of ours that would start so is written with a
# leading apostrophe (``jingwu.imports.services.neutralise``) unless it is a plain number.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def unguard(value: str) -> str:
    """A cell guarded against formulas by our reject files and exports (``'=x``, ``'-1.36``), as it was."""
    if value[:1] == "'" and value[1:2] and value[1] in FORMULA_START:
        return value[1:]
    return value


class TableError(ValidationError):
    """The file as a whole cannot be read (encoding, format, broken structure)."""


# ---------------------------------------------------------------------------
# Reading files
# ---------------------------------------------------------------------------


@dataclass
class Source:
    """A readable table: its format, encoding, header and number of data rows."""

    path: Path
    fmt: str  # "csv", "xlsx" or "geojson"
    header: list[str]
    total: int
    encoding: str = ""
    delimiter: str = ","
    dropped: tuple[int, ...] = ()  # columns of the file left out (see ``without``)

    def without(self, columns: set[int]) -> Source:
        """The same file without some of its columns (by position in the header)."""
        keep = [i for i in range(len(self.header)) if i not in columns]
        return dataclasses.replace(
            self, header=[self.header[i] for i in keep], dropped=tuple(sorted(set(self.dropped) | columns))
        )

    def info(self) -> dict:
        return {
            "format": self.fmt,
            "encoding": self.encoding,
            "delimiter": self.delimiter,
            "header": self.header,
        }

    def rows(self, start_after: int = 0) -> Iterator[tuple[int, list]]:
        """(row number, values) of the non-blank data rows after row ``start_after``.

        Row numbers are what a spreadsheet shows: the header is row 1. GeoJSON
        features are numbered from 1.
        """
        if self.fmt == "xlsx":
            rows = _xlsx_rows(self.path, start_after)
        elif self.fmt == "geojson":
            rows = _geojson_rows(self.path, self.header, start_after)
        else:
            rows = _csv_rows(self, start_after)
        if not self.dropped:
            yield from rows
            return
        drop = set(self.dropped)
        for number, values in rows:
            yield number, [v for i, v in enumerate(values) if i not in drop]


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _too_big_when_expanded(limit: int) -> TableError:
    return TableError(
        _("Uncompressed, the file is larger than %(limit)s MB, the most an import reads.")
        % {"limit": _mb(limit)}
    )


def _bomb() -> TableError:
    return TableError(
        _(
            "The compressed file expands more than %(ratio)d times (a compression bomb?): it is not a table this import reads."
        )
        % {"ratio": EXPANSION}
    )


def _expansion(packed: int, expanded: int, limit: int) -> None:
    if expanded > limit:
        raise _too_big_when_expanded(limit)
    if expanded > EXPANSION_FROM and expanded > EXPANSION * max(packed, 1):
        raise _bomb()


class _Inflated(io.RawIOBase):
    """A gzip stream that refuses to expand beyond the limits (a compression bomb).

    The size a gzip file declares (its last four bytes, modulo 4 GiB) refuses most bombs
    before any is read; the count of bytes read refuses the ones that lie.
    """

    def __init__(self, path: Path):
        self.packed = max(path.stat().st_size, 1)
        self.limit = 4 * max_bytes()
        self.n = 0
        with open(path, "rb") as fh:
            fh.seek(-4, io.SEEK_END)
            declared = int.from_bytes(fh.read(4), "little")
        _expansion(self.packed, declared, self.limit)
        self.inner = gzip.open(path, "rb")

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:
        data = self.inner.read(len(b))
        self.n += len(data)
        _expansion(self.packed, self.n, self.limit)
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.inner.close()
        super().close()


def _open_binary(path: Path):
    return io.BufferedReader(_Inflated(path), 1 << 16) if _is_gzip(path) else open(path, "rb")


def _head(path: Path, n: int = 4096) -> bytes:
    try:
        with _open_binary(path) as fh:
            return fh.read(n)
    except (OSError, EOFError, zlib.error) as exc:
        raise TableError(_("The file cannot be read: %(error)s") % {"error": exc}) from exc


def size_error(size: int) -> str | None:
    """Why a file of ``size`` bytes is too large to import (None when it is not)."""
    if size <= max_bytes():
        return None
    return _(
        "The file is %(size)s MB; this server imports files of up to %(limit)s MB. Compress it "
        "(.csv.gz) or split it, or ask the administrator to raise the limit."
    ) % {"size": _mb(size), "limit": _mb(max_bytes())}


def check_size(path: Path) -> None:
    """Refuse a file larger than the import limit, before reading any of it."""
    message = size_error(Path(path).stat().st_size)
    if message:
        raise TableError(message)


def _check_header(header: list[str]) -> None:
    if len(header) > MAX_COLUMNS:
        raise TableError(
            _(
                "The first row has %(n)s columns; an import reads at most %(max)d. Is it a table with a header row?"
            )
            % {"n": f"{len(header):,}", "max": MAX_COLUMNS}
        )
    long = next((h for h in header if len(h) > MAX_COLUMN_NAME), None)
    if long is not None:
        raise TableError(
            _(
                "A column name in the first row is %(n)s characters long (%(start)s…); names are at most "
                "%(max)d. Is the first row a header?"
            )
            % {"n": f"{len(long):,}", "start": long[:40], "max": MAX_COLUMN_NAME}
        )


def _too_long(number: int) -> TableError:
    return TableError(
        _(
            "Row %(row)s is longer than %(max)s characters: a line without an end, or a quote that "
            "is never closed? Nothing was read past it."
        )
        % {"row": f"{number:,}", "max": f"{MAX_RECORD:,}"}
    )


def _too_wide(number: int, n: int) -> TableError:
    return TableError(
        _("Row %(row)s has %(n)s values; an import reads at most %(max)d columns.")
        % {"row": f"{number:,}", "n": f"{n:,}", "max": MAX_COLUMNS}
    )


def sniff_format(path: Path) -> str:
    head = _head(path)
    suffixes = [s.lower() for s in Path(path).suffixes]
    if head.startswith(b"PK\x03\x04") or ".xlsx" in suffixes or ".xlsm" in suffixes:
        return "xlsx"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if ".geojson" in suffixes or (".json" in suffixes and text.startswith(b"{")):
        return "geojson"
    if text.startswith(b"{") and b'"type"' in head:
        return "geojson"
    return "csv"


def open_source(path: Path | str) -> Source:
    """Open and check a file: detect its format and encoding and count its rows."""
    path = Path(path)
    check_size(path)
    fmt = sniff_format(path)
    if fmt == "xlsx":
        return _open_xlsx(path)
    if fmt == "geojson":
        return _open_geojson(path)
    return _open_csv(path)


def _encodings(head: bytes) -> list[str]:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ["utf-16"]
    return ["utf-8-sig", "gb18030"]


def _text(path: Path, encoding: str):
    return io.TextIOWrapper(_open_binary(path), encoding=encoding, newline="")


class _Lines:
    """The lines of a text stream for ``csv.reader``, none longer than a row may be.

    ``pending`` counts the characters read since the reader's last row: a row that runs
    over ``MAX_RECORD`` (no line end, or a quote never closed) stops the reading there,
    so memory stays bounded whatever the file.
    """

    def __init__(self, fh):
        self.fh = fh
        self.pending = 0
        self.row = 1

    def __iter__(self):
        return self

    def __next__(self) -> str:
        line = self.fh.readline(MAX_RECORD + 1)
        if not line:
            raise StopIteration
        self.pending += len(line)
        if self.pending > MAX_RECORD:
            raise _too_long(self.row)
        return line


def _records(fh, delimiter: str) -> Iterator[list[str]]:
    """The CSV records of ``fh``, each bounded in length and width (the header is record 1)."""
    lines = _Lines(fh)
    for values in csv.reader(lines, delimiter=delimiter):
        if len(values) > MAX_COLUMNS and lines.row > 1:
            raise _too_wide(lines.row, len(values))
        yield values
        lines.pending = 0
        lines.row += 1


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _open_csv(path: Path) -> Source:
    head = _head(path)
    for encoding in _encodings(head):
        try:
            with _text(path, encoding) as fh:
                first = fh.readline(MAX_RECORD + 1)
            if len(first) > MAX_RECORD:
                raise _too_long(1)
            delimiter = _sniff_delimiter(first)
            header: list[str] | None = None
            total = 0
            with _text(path, encoding) as fh:
                for values in _records(fh, delimiter):
                    if header is None:
                        header = [str(v).strip().lstrip("\ufeff") for v in values]
                        _check_header(header)
                        continue
                    if any(v.strip() for v in values):
                        total += 1
            return Source(path, "csv", header or [], total, encoding, delimiter)
        except UnicodeError:
            continue
        except csv.Error as exc:
            raise TableError(_("The file is not a readable table: %(error)s") % {"error": exc}) from exc
        except (OSError, EOFError, zlib.error) as exc:
            raise TableError(_("The file cannot be read: %(error)s") % {"error": exc}) from exc
    raise TableError(_("The file is neither UTF-8 nor GBK text."))


def _csv_rows(source: Source, start_after: int) -> Iterator[tuple[int, list]]:
    try:
        with _text(source.path, source.encoding) as fh:
            records = _records(fh, source.delimiter)
            next(records, None)
            for number, values in enumerate(records, start=2):
                if number <= start_after:
                    continue
                values = [v.strip() for v in values]
                if "'" in "".join(values):  # a C-speed test first: most rows have no apostrophe
                    values = [unguard(v) for v in values]
                if any(values):
                    yield number, values
    except UnicodeError as exc:
        raise TableError(_("The file is neither UTF-8 nor GBK text.")) from exc
    except csv.Error as exc:
        raise TableError(_("The file is not a readable table: %(error)s") % {"error": exc}) from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise TableError(_("The file cannot be read: %(error)s") % {"error": exc}) from exc


def _check_workbook(path: Path) -> None:
    """Refuse a workbook whose parts expand beyond the limits, before openpyxl reads any."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            parts = z.infolist()
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise TableError(_("The file is not a readable Excel workbook.")) from exc
    total = sum(p.file_size for p in parts)
    if total > 4 * max_bytes():
        raise _too_big_when_expanded(4 * max_bytes())
    for p in parts:
        _expansion(p.compress_size, p.file_size, 4 * max_bytes())
        if p.filename.lower().endswith("sharedstrings.xml") and p.file_size > MAX_SHARED_STRINGS:
            raise TableError(
                _(
                    "The workbook holds more than %(limit)s MB of text, which Excel files keep in one "
                    "table read whole: save the sheet as CSV (UTF-8) and import that."
                )
                % {"limit": _mb(MAX_SHARED_STRINGS)}
            )
    with zipfile.ZipFile(path) as z:
        for p in parts:
            name = p.filename.lower()
            if name.startswith("xl/worksheets/") or name.endswith("sharedstrings.xml"):
                _check_text_runs(z, p)


def _check_text_runs(z, part) -> None:
    """Refuse an XML part with a text longer than a row may be, before openpyxl holds it whole.

    Reads the part in blocks of 1 MB and measures the runs of bytes without a ``<``
    that cross a block's border (a run inside one block is shorter than the limit).
    """
    limit = 4 * MAX_RECORD  # bytes: up to four per character
    run = 0
    with z.open(part) as fh:
        while block := fh.read(1 << 20):
            first = block.find(b"<")
            if first < 0:
                run += len(block)
            else:
                run += first
                if run > limit:
                    break
                run = len(block) - block.rfind(b"<") - 1
            if run > limit:
                break
    if run > limit:
        raise TableError(
            _("The workbook has a cell longer than %(max)s characters; an import reads rows of at most that.")
            % {"max": f"{MAX_RECORD:,}"}
        )


def _load_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        if _is_gzip(path):
            raise TableError(_("The file is not a readable Excel workbook."))
        _check_workbook(path)
        return load_workbook(path, read_only=True, data_only=True)
    except TableError:
        raise
    except Exception as exc:  # zipfile, XML and openpyxl errors alike
        raise TableError(_("The file is not a readable Excel workbook.")) from exc


def _check_xlsx_row(number: int, values: tuple) -> None:
    if len(values) > MAX_COLUMNS:
        raise _too_wide(number, len(values))
    if sum(len(v) for v in values if isinstance(v, str)) > MAX_RECORD:
        raise _too_long(number)


def _open_xlsx(path: Path) -> Source:
    wb = _load_workbook(path)
    try:
        ws = wb.active
        rows = ws.iter_rows(values_only=True)
        first = next(rows, ())
        if first and len(first) > MAX_COLUMNS:  # the sheet is as wide as its widest row
            raise _too_wide(1, len(first))
        header = [_cell(c) for c in first]
        _check_header(header)
        total = 0
        for number, values in enumerate(rows, start=2):
            if values is not None:
                _check_xlsx_row(number, values)
                if any(v is not None and str(v).strip() != "" for v in values):
                    total += 1
    except TableError:
        raise
    except Exception as exc:
        raise TableError(_("The file is not a readable Excel workbook.")) from exc
    finally:
        wb.close()
    return Source(path, "xlsx", header, total)


def _xlsx_rows(path: Path, start_after: int) -> Iterator[tuple[int, list]]:
    wb = _load_workbook(path)
    try:
        rows = wb.active.iter_rows(values_only=True)
        next(rows, None)
        for number, values in enumerate(rows, start=2):
            if number <= start_after or values is None:
                continue
            if all(v is None or str(v).strip() == "" for v in values):
                continue
            _check_xlsx_row(number, values)
            yield number, [unguard(_cell(v)) for v in values]
    finally:
        wb.close()


def _features(path: Path) -> list[dict]:
    try:
        with _open_binary(path) as fh:
            raw = fh.read(MAX_GEOJSON + 1)
        if len(raw) > MAX_GEOJSON:
            raise TableError(
                _("A GeoJSON file is read whole, and this one is larger than %(limit)s MB.")
                % {"limit": _mb(MAX_GEOJSON)}
            )
        data = json.loads(raw.decode("utf-8-sig"))
        del raw
    except (OSError, EOFError, UnicodeError, ValueError, zlib.error) as exc:
        raise TableError(_("The file is not a GeoJSON FeatureCollection.")) from exc
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = {"type": "FeatureCollection", "features": [data]}
    if not isinstance(data, dict) or not isinstance(data.get("features"), list):
        raise TableError(_("The file is not a GeoJSON FeatureCollection."))
    return [f for f in data["features"] if isinstance(f, dict)]


def _open_geojson(path: Path) -> Source:
    features = _features(path)
    header: list[str] = []
    seen: set[str] = set()
    for f in features:
        for key in (f.get("properties") or {}).keys():
            if key not in seen:
                seen.add(key)
                header.append(str(key))
    header.append("geometry")
    _check_header(header)
    return Source(path, "geojson", header, len(features), "utf-8")


def _geojson_rows(path: Path, header: list[str], start_after: int) -> Iterator[tuple[int, list]]:
    for number, f in enumerate(_features(path), start=1):
        if number <= start_after:
            continue
        props = f.get("properties") or {}
        values = [_cell(props.get(h)) if h in props else "" for h in header[:-1]]
        values.append(f.get("geometry"))
        yield number, values


def read_table(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts keyed by (alias-resolved) column names."""
    source = open_source(Path(path))
    header = [_column(c) for c in source.header]
    for _number, values in source.rows():
        yield {h: v for h, v in zip(header, values, strict=False) if h}


def _column(name) -> str:
    name = str(name or "").strip().lstrip("\ufeff")
    return ALIASES.get(name, name.lower())


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v).strip()


# ---------------------------------------------------------------------------
# Parsing values
# ---------------------------------------------------------------------------

DATETIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
)
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")


def parse_datetime(value: str, column: str) -> dt.datetime | None:
    if not value:
        return None
    for fmt in DATETIME_FORMATS:
        try:
            return timezone.make_aware(dt.datetime.strptime(value, fmt))
        except ValueError:
            continue
    raise ValidationError({column: _("Not a date and time like 2019-04-07 08:30.")})


def parse_date(value: str, column: str) -> dt.date | None:
    if not value:
        return None
    if len(value) > 10 and value[10] in " T" and value[11:].strip("0:. ") == "":
        value = value[:10]  # a date typed into a date-time cell
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError({column: _("Not a date like 2019-04-07.")})


def parse_float(value: str, column: str) -> float | None:
    if value == "":
        return None
    try:
        number = float(value)
    except ValueError as exc:
        raise ValidationError({column: _("Not a number.")}) from exc
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError({column: _("Not a number.")})
    return number


def parse_int(value: str, column: str) -> int:
    if value == "":
        return 0
    try:
        number = float(value)
        if number != number or abs(number) > 2**31:
            raise ValueError(value)
        return int(number)
    except ValueError as exc:
        raise ValidationError({column: _("Not a whole number.")}) from exc
