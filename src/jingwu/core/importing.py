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
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# Real files carry long free-text fields; the model's own limits judge them per row.
csv.field_size_limit(16 * 1024 * 1024)

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
}


@dataclass
class Problem:
    row: int
    column: str
    value: str
    reason: str


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

    @property
    def ok(self) -> bool:
        """True when the file went in as asked (with --skip-invalid: whatever was valid)."""
        if self.status == "failed":
            return False
        if self.skip_invalid:
            return self.status != "rejected"
        return not self.problems and not self.bad_rows

    def _bad(self) -> int:
        return max(self.bad_rows, len({p.row for p in self.problems}))

    def summary(self) -> str:
        bad = self._bad()
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


def _open_binary(path: Path):
    return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")


def _head(path: Path, n: int = 4096) -> bytes:
    try:
        with _open_binary(path) as fh:
            return fh.read(n)
    except (OSError, EOFError, zlib.error) as exc:
        raise TableError(_("The file cannot be read: %(error)s") % {"error": exc}) from exc


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


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _open_csv(path: Path) -> Source:
    head = _head(path)
    for encoding in _encodings(head):
        try:
            with _text(path, encoding) as fh:
                first = fh.readline()
            delimiter = _sniff_delimiter(first)
            header: list[str] = []
            total = 0
            with _text(path, encoding) as fh:
                reader = csv.reader(fh, delimiter=delimiter)
                for values in reader:
                    if not header:
                        header = [str(v).strip().lstrip("\ufeff") for v in values]
                        continue
                    if any(v.strip() for v in values):
                        total += 1
            return Source(path, "csv", header, total, encoding, delimiter)
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
            reader = csv.reader(fh, delimiter=source.delimiter)
            next(reader, None)
            for number, values in enumerate(reader, start=2):
                if number <= start_after:
                    continue
                values = [v.strip() for v in values]
                if any(v[:1] == "'" for v in values):
                    values = [unguard(v) for v in values]
                if any(values):
                    yield number, values
    except UnicodeError as exc:
        raise TableError(_("The file is neither UTF-8 nor GBK text.")) from exc
    except csv.Error as exc:
        raise TableError(_("The file is not a readable table: %(error)s") % {"error": exc}) from exc
    except (OSError, EOFError, zlib.error) as exc:
        raise TableError(_("The file cannot be read: %(error)s") % {"error": exc}) from exc


def _load_workbook(path: Path):
    from openpyxl import load_workbook

    try:
        if _is_gzip(path):
            raise TableError(_("The file is not a readable Excel workbook."))
        return load_workbook(path, read_only=True, data_only=True)
    except TableError:
        raise
    except Exception as exc:  # zipfile, XML and openpyxl errors alike
        raise TableError(_("The file is not a readable Excel workbook.")) from exc


def _open_xlsx(path: Path) -> Source:
    wb = _load_workbook(path)
    try:
        ws = wb.active
        rows = ws.iter_rows(values_only=True)
        header = [_cell(c) for c in next(rows, ())]
        total = 0
        for values in rows:
            if values is not None and any(v is not None and str(v).strip() != "" for v in values):
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
            yield number, [unguard(_cell(v)) for v in values]
    finally:
        wb.close()


def _features(path: Path) -> list[dict]:
    try:
        with _open_binary(path) as fh:
            data = json.loads(fh.read().decode("utf-8-sig"))
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


def run_import(
    kind: str,
    path: Path,
    *,
    bureau,
    actor,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    mapping=None,
    skip_invalid: bool = False,
    reject_file: Path | None = None,
) -> Report:
    """Import ``path`` now (in this process) as an import job; return its report.

    ``mapping`` is an ``ImportMapping``, a mapping dict or None (our own column
    names and their Chinese aliases). See ``jingwu.imports.services``.
    """
    from jingwu.imports.services import run_import as run

    return run(
        kind,
        Path(path),
        bureau=bureau,
        actor=actor,
        dry_run=dry_run,
        progress=progress,
        mapping=mapping,
        skip_invalid=skip_invalid,
        reject_file=reject_file,
    )
