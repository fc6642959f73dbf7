"""Column mappings: how a foreign file's columns and values become our fields and codes.

A mapping is data (an ``ImportMapping`` row or a JSON file in ``mappings/``)::

    {
      "name": "vancouver-crimes", "kind": "incidents", "source_system": "vpd",
      "columns": {
        "external_id": "_hash",
        "received_at": "{YEAR}-{MONTH|pad2}-{DAY|pad2} {HOUR|pad2}:{MINUTE|pad2}",
        "category": "TYPE", "lon": "X", "lat": "Y", "address": "HUNDRED_BLOCK"
      },
      "category_map": {"Theft from Vehicle": "0101", "*": "0699"},
      "value_maps": {"status": {"HAN": "closed"}},
      "coordinate_system": "utm:10N",
      "datetime_formats": ["%Y-%m-%d %H:%M"],
      "timezone": "America/Vancouver",
      "options": {}
    }

A column expression is
- a column name (matched without regard to case or surrounding blanks);
- a template with ``{column}`` or ``{column|filter|...}`` parts; filters: ``int``
  (drop leading zeros and ".0"), ``pad2``, ``pad3``, ``pad4`` (zero-pad a number),
  ``upper``, ``lower``, ``title``, ``strip``, ``digits``;
- ``{"const": value}``;
- a list of expressions: the first that is not empty.

Two pseudo-columns exist: ``_row`` (the row number) and ``_hash`` (a digest of the
row's values, with a counter for identical rows): an external id for files without
one, stable as long as the file is the same.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from jingwu.imports.reading import ALIASES, DATE_FORMATS, DATETIME_FORMATS

from .projections import ProjectionError, projection

FIELDS: dict[str, tuple[str, ...]] = {
    "incidents": (
        "external_id",
        "source_system",
        "number",
        "received_at",
        "category",
        "source",
        "status",
        "lon",
        "lat",
        "address",
        "description",
        "reporter_name",
        "reporter_phone",
        "dispatched_at",
        "arrived_at",
        "cleared_at",
    ),
    "officers": (
        "police_number",
        "name",
        "kind",
        "gender",
        "birth_date",
        "id_number",
        "rank",
        "phone",
        "hired",
        "status",
        "unit",
        "role",
        "start",
        "skills",
    ),
    "premises": (
        "external_id",
        "category",
        "name",
        "lon",
        "lat",
        "address",
        "responsible_person",
        "responsible_phone",
        "licence_no",
        "status",
        "employees",
    ),
    "petitions": (
        "number",
        "received_at",
        "petitioner_name",
        "petitioner_phone",
        "subject",
        "content",
        "unit",
        "incidents",
    ),
    "callbacks": ("number", "called_at", "result", "complaint", "officer", "note"),
    "units": (
        "code",
        "parent",
        "kind",
        "name_zh",
        "name_en",
        "station_type",
        "boundary",
        "households",
        "residents",
        "floating",
        "valid_from",
        "valid_to",
        "base_lon",
        "base_lat",
    ),
}

PSEUDO = {"_row", "_hash"}

# The keys of a mapping, and the options each kind reads (UnitHandler documents its own).
KEYS = (
    "name",
    "kind",
    "description",
    "source_system",
    "columns",
    "category_map",
    "value_maps",
    "coordinate_system",
    "datetime_formats",
    "timezone",
    "options",
)
OPTIONS: dict[str, tuple[str, ...]] = {
    "units": (
        "unit_kind",
        "station_type",
        "exclude",
        "merge_same_code",
        "repair_geometry",
        "trim_overlaps",
        "create_parents",
        "headquarters_boundary",
    ),
}
# The fields that decide whether a row is already imported (its key), per kind.
KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "incidents": ("source_system", "external_id", "number"),
    "officers": ("police_number",),
    "premises": ("external_id",),
    "units": ("code", "valid_from"),
    "petitions": ("number",),
    "callbacks": ("number", "called_at"),
}


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


MODELS = {
    "incidents": "incidents.Incident",
    "officers": "personnel.Officer",
    "premises": "places.Premises",
    "units": "org.Unit",
    "petitions": "cases.Petition",
    "callbacks": "incidents.Callback",
}
_VERBOSE: dict[str, dict[str, str]] = {}


def header_aliases(kind: str) -> dict[str, str]:
    """The field names of a kind as our pages and exports head their columns, in every language.

    So that a sheet exported from a list imports again, whatever the language it was
    exported in ("接收时间", "received" -> ``received_at``): the export's own headers of
    the columns that carry an import field (``exports.Column.field``: "Incident number"
    -> ``number`` for callbacks, "Premises name" -> ``name``), then the verbose names of
    the kind's model fields.
    """
    if kind not in _VERBOSE:
        from django.apps import apps
        from django.core.exceptions import FieldDoesNotExist
        from django.utils import translation

        from .exports import import_headers

        meta = apps.get_model(MODELS[kind])._meta
        out: dict[str, str] = {}
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for header, f in import_headers(kind):
                    out.setdefault(norm(header), f)
                for f in FIELDS[kind]:
                    try:
                        field = meta.get_field(f)
                    except FieldDoesNotExist:
                        continue
                    if hasattr(field, "verbose_name"):  # not a reverse relation (officers' skills)
                        out.setdefault(norm(str(field.verbose_name)), f)
        _VERBOSE[kind] = out
    return _VERBOSE[kind]


class MappingError(ValueError):
    """A mapping that cannot work (unknown field, bad expression, unknown time zone...)."""


def norm(name: Any) -> str:
    return str(name or "").strip().lstrip("\ufeff").strip().lower()


_TEMPLATE = re.compile(r"\{([^{}|]+)((?:\|[a-z0-9]+)*)\}")


def _f_int(v: str) -> str:
    v = v.strip()
    if not v:
        return v
    try:
        f = float(v)
    except ValueError:
        return v.lstrip("0") or ("0" if v else v)
    return str(int(f)) if f == int(f) else v


def _pad(width: int) -> Callable[[str], str]:
    def pad(v: str) -> str:
        v = _f_int(v)
        return v.zfill(width) if v.isdigit() else v

    return pad


FILTERS: dict[str, Callable[[str], str]] = {
    "int": _f_int,
    "pad2": _pad(2),
    "pad3": _pad(3),
    "pad4": _pad(4),
    "upper": str.upper,
    "lower": str.lower,
    "title": str.title,
    "strip": str.strip,
    "digits": lambda v: "".join(ch for ch in v if ch.isdigit()),
}


@dataclass
class Expr:
    """A compiled column expression: ``fn(row) -> str`` and the columns it reads."""

    fn: Callable[[dict], str]
    columns: tuple[str, ...]
    label: str
    simple: bool = False  # the value of one column, as it is

    def __call__(self, row: dict) -> str:
        return self.fn(row)


def compile_expr(expr: Any) -> Expr:
    if isinstance(expr, dict):
        if "const" in expr:
            value = "" if expr["const"] is None else str(expr["const"])
            return Expr(lambda row: value, (), value)
        raise MappingError(_("Unknown expression %(expr)s.") % {"expr": _show(expr)})
    if isinstance(expr, list):
        parts = [compile_expr(e) for e in expr]
        if not parts:
            raise MappingError(_("An empty list of alternatives."))

        def first(row: dict) -> str:
            for p in parts:
                v = p(row)
                if v != "":
                    return v
            return ""

        cols = tuple(c for p in parts for c in p.columns)
        return Expr(first, cols, " / ".join(p.label for p in parts))
    if not isinstance(expr, str) or not expr.strip():
        raise MappingError(_("Not a column expression: %(expr)s.") % {"expr": _show(expr)})
    if "{" not in expr:
        key = norm(expr)
        return Expr(lambda row: row.get(key, ""), (key,), expr.strip(), simple=key not in PSEUDO)
    pieces: list[tuple[str, str, tuple[Callable[[str], str], ...]]] = []
    pos = 0
    for m in _TEMPLATE.finditer(expr):
        names = [f for f in m.group(2).split("|") if f]
        unknown = [f for f in names if f not in FILTERS]
        if unknown:
            raise MappingError(
                _("Unknown filter %(filter)s in %(expr)s; the filters are %(known)s.")
                % {"filter": _show(unknown[0]), "expr": _show(expr), "known": ", ".join(FILTERS)}
            )
        pieces.append((expr[pos : m.start()], norm(m.group(1)), tuple(FILTERS[f] for f in names)))
        pos = m.end()
    tail = expr[pos:]
    if not pieces:
        raise MappingError(_("No {column} in the template %(expr)s.") % {"expr": _show(expr)})

    def render(row: dict) -> str:
        out = []
        empty = True
        for literal, key, filters in pieces:
            v = row.get(key, "")
            if v != "":
                empty = False
            for f in filters:
                v = f(v)
            out.append(literal)
            out.append(v)
        return "" if empty else ("".join(out) + tail).strip()

    return Expr(render, tuple(p[1] for p in pieces), expr)


@dataclass
class MappingSpec:
    """A mapping as the importer uses it; built from a model row, a dict, or the default."""

    kind: str
    name: str = ""
    source_system: str = ""
    columns: dict[str, Any] = field(default_factory=dict)
    category_map: dict[str, str] = field(default_factory=dict)
    value_maps: dict[str, dict[str, str]] = field(default_factory=dict)
    coordinate_system: str = "wgs84"
    datetime_formats: list[str] = field(default_factory=list)
    timezone: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    default: bool = False  # our own column names and the Chinese aliases

    @classmethod
    def from_dict(cls, data: dict, kind: str | None = None) -> MappingSpec:
        if not isinstance(data, dict):
            raise MappingError(
                _("A mapping is a JSON object ({...}), not %(value)s.") % {"value": _show(data)}
            )
        data = dict(data)
        unknown = [k for k in data if k not in KEYS]
        if unknown:  # a misspelt key ("colums") would otherwise be ignored without a word
            raise MappingError(
                _("Unknown key(s) in the mapping: %(unknown)s; the keys are %(known)s.")
                % {"unknown": ", ".join(map(str, unknown)), "known": ", ".join(KEYS)}
            )
        spec = cls(
            kind=kind or data.get("kind", ""),
            name=str(data.get("name", "")),
            source_system=str(data.get("source_system", "") or ""),
            columns=dict(data.get("columns") or {}),
            category_map={str(k): str(v) for k, v in (data.get("category_map") or {}).items()},
            value_maps={
                str(f): {str(k): str(v) for k, v in (m or {}).items()}
                for f, m in (data.get("value_maps") or {}).items()
            },
            coordinate_system=str(data.get("coordinate_system") or "wgs84"),
            datetime_formats=list(data.get("datetime_formats") or []),
            timezone=str(data.get("timezone") or ""),
            options=dict(data.get("options") or {}),
            description=str(data.get("description") or ""),
        )
        spec.check()
        return spec

    @classmethod
    def default_for(cls, kind: str) -> MappingSpec:
        return cls(kind=kind, default=True)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "source_system": self.source_system,
            "columns": self.columns,
            "category_map": self.category_map,
            "value_maps": self.value_maps,
            "coordinate_system": self.coordinate_system,
            "datetime_formats": self.datetime_formats,
            "timezone": self.timezone,
            "options": self.options,
        }

    def check(self) -> None:
        """Raise MappingError when the mapping cannot work, whatever the file."""
        if self.kind not in FIELDS:
            raise MappingError(
                _("Unknown kind %(kind)s; choose one of %(kinds)s.")
                % {"kind": _show(self.kind), "kinds": ", ".join(FIELDS)}
            )
        unknown = [f for f in self.columns if f not in FIELDS[self.kind]]
        if unknown:
            raise MappingError(
                _("Unknown field(s) for %(kind)s: %(unknown)s; the fields are %(fields)s.")
                % {"kind": self.kind, "unknown": ", ".join(unknown), "fields": ", ".join(FIELDS[self.kind])}
            )
        wrong = [o for o in self.options if o not in OPTIONS.get(self.kind, ())]
        if wrong:
            raise MappingError(
                _("Unknown option(s) for %(kind)s: %(unknown)s; the options are %(known)s.")
                % {
                    "kind": self.kind,
                    "unknown": ", ".join(map(str, wrong)),
                    "known": ", ".join(OPTIONS.get(self.kind, ())) or _("none"),
                }
            )
        for expr in self.columns.values():
            compile_expr(expr)
        try:
            projection(self.coordinate_system)
        except ProjectionError as exc:
            raise MappingError(
                _(
                    "Unknown coordinate system %(name)s: use wgs84, utm:<zone><N|S>, epsg:326zz, epsg:327zz, "
                    "epsg:269zz, epsg:26971, epsg:2790, epsg:26972 or tm:lat0,lon0,k0,x0,y0."
                )
                % {"name": _show(self.coordinate_system)}
            ) from exc
        self.tz()
        for fmt in self.datetime_formats:
            if not isinstance(fmt, str) or "%" not in fmt:
                raise MappingError(
                    _("Not a date and time format for strptime: %(format)s.") % {"format": _show(fmt)}
                )

    def tz(self) -> dt.tzinfo:
        # no zone of its own: the bureau's (the job runs under its time zone)
        name = self.timezone or timezone.get_current_timezone_name()
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise MappingError(f"unknown time zone {name!r}") from exc

    def uses_hash(self) -> bool:
        return any("_hash" in compile_expr(e).columns for e in self.columns.values())


class Binding:
    """A mapping bound to a file's header: evaluates our fields on a row."""

    def __init__(self, spec: MappingSpec, header: list[str]):
        self.spec = spec
        self.header = list(header)
        if spec.default:
            verbose = header_aliases(spec.kind)
            self.keys = []
            for h in header:
                name = str(h).strip().lstrip("\ufeff")
                key = ALIASES.get(name) or (norm(h) if norm(h) in FIELDS[spec.kind] else None)
                self.keys.append(key or verbose.get(norm(h), norm(h)))
        else:
            self.keys = [norm(h) for h in header]
        self.original = {}
        for k, h in zip(self.keys, self.header, strict=True):
            self.original.setdefault(k, str(h))
        if spec.default:
            self.exprs = {f: compile_expr(f) for f in FIELDS[spec.kind] if f in self.original}
        else:
            self.exprs = {f: compile_expr(e) for f, e in spec.columns.items()}
        self.tz = spec.tz()
        self.formats = tuple(spec.datetime_formats) or DATETIME_FORMATS
        self.custom_formats = bool(spec.datetime_formats)
        self._value_maps = {f: {norm(k): v for k, v in m.items()} for f, m in spec.value_maps.items()}
        self._category_map = {norm(k): v for k, v in spec.category_map.items()}
        first = {}
        for i, k in enumerate(self.keys):
            if k:
                first.setdefault(k, i)
        # fields that are one column of the file, by position (see ``values_of``)
        self._positions = {
            f: first[e.columns[0]]
            for f, e in self.exprs.items()
            if e.simple and e.columns and e.columns[0] in first
        }

    def missing_columns(self) -> list[str]:
        """Columns the mapping reads that the file does not have."""
        out = []
        for expr in self.exprs.values():
            for c in expr.columns:
                if c not in PSEUDO and c not in self.original and self.original.get(c) is None:
                    out.append(c)
        return sorted(set(out))

    def row_dict(self, values: list) -> dict:
        row: dict = {}
        for k, v in zip(self.keys, values, strict=False):
            if k and k not in row:
                row[k] = v
        return row

    def has(self, fieldname: str) -> bool:
        return fieldname in self.exprs

    def values_of(self, rows: list, fieldname: str) -> list[str]:
        """``get`` of one field for a whole chunk of rows, column-wise.

        A field that is a plain column is read straight from each row's raw values by
        position (the first column of that name, as ``row_dict`` keeps it); anything
        else evaluates the expression on each row.
        """
        expr = self.exprs.get(fieldname)
        if expr is None:
            return [""] * len(rows)
        pos = self._positions.get(fieldname)
        if pos is not None:
            vals = [r.raw[pos] if pos < len(r.raw) else "" for r in rows]
            if set(map(type, vals)) <= {str}:
                return vals
            return [v if isinstance(v, str) else ("" if v is None else str(v)) for v in vals]
        out = []
        for r in rows:
            v = expr(r.values)
            out.append(v if isinstance(v, str) else ("" if v is None else str(v)))
        return out

    def get(self, row: dict, fieldname: str) -> str:
        expr = self.exprs.get(fieldname)
        if expr is None:
            return ""
        v = expr(row)
        return v if isinstance(v, str) else ("" if v is None else str(v))

    def column(self, fieldname: str) -> str:
        """Their column name(s) for our field, for reports (the file's own header)."""
        if self.spec.default:
            return self.original.get(fieldname, fieldname)
        expr = self.exprs.get(fieldname)
        if expr is None:
            return fieldname
        cols = [self.original.get(c, c) for c in expr.columns if c not in PSEUDO]
        return "+".join(dict.fromkeys(cols)) if cols else fieldname

    # -- values ------------------------------------------------------------

    def mapped(self, fieldname: str, value: str) -> str:
        """Apply the value map of ``fieldname`` (exact, then case-insensitive, then "*")."""
        vmap = self.spec.value_maps.get(fieldname)
        if not vmap:
            return value
        if value in vmap:
            return vmap[value]
        low = self._value_maps[fieldname]
        key = norm(value)
        if key in low:
            return low[key]
        return value

    def map_default(self, fieldname: str) -> str | None:
        vmap = self.spec.value_maps.get(fieldname) or {}
        return vmap.get("*")

    def category(self, value: str) -> str:
        if value in self.spec.category_map:
            return self.spec.category_map[value]
        return self._category_map.get(norm(value), value)

    def category_default(self) -> str | None:
        return self.spec.category_map.get("*")

    def datetime(self, value: str) -> dt.datetime:
        """Parse a date-time in the mapping's formats and time zone; ValueError if it does not fit."""
        value = value.strip()
        if not self.custom_formats and _ISO.match(value):
            naive = dt.datetime.fromisoformat(value.replace("/", "-"))
            return naive.replace(tzinfo=self.tz)
        for fmt in self.formats:
            try:
                parsed = dt.datetime.strptime(value, fmt)
            except ValueError:
                continue
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=self.tz)
            return parsed
        raise ValueError(value)

    def date(self, value: str) -> dt.date:
        value = value.strip()
        if len(value) > 10 and value[10] in " T" and value[11:].strip("0:. ") == "":
            value = value[:10]
        for fmt in (*DATE_FORMATS, *self.spec.datetime_formats):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise ValueError(value)

    def datetime_message(self) -> str:
        if self.custom_formats:
            return _("Not a date and time in the expected format (%(formats)s).") % {
                "formats": " | ".join(self.formats)
            }
        return _("Not a date and time like 2019-04-07 08:30.")


_ISO = re.compile(r"^\d{4}[-/]\d{2}[-/]\d{2}[ T]\d{2}:\d{2}(:\d{2})?$")
