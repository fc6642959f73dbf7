"""What each kind of file becomes: the row checks (phase 1) and the writes (phase 2).

Incidents are the volume kind: every check ``do_record_incident`` makes (category,
location inside the bureau, grid/zone/station, the actor's scope, the order of the
times, field lengths and choices) is made here on a whole chunk at once, and the
apply phase inserts the checked rows in bulk. Officers, premises and units are
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

from jingwu.engine import vocab

from .mapping import Binding, norm
from .projections import to_lonlat

REQUIRED = "This column is required."


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


@dataclass
class Row:
    """A row of the file: its number, its values by (normalised) column, and the raw values."""

    row_no: int
    values: dict
    raw: list


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


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


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
        if value == "":
            mapped_default = self.binding.map_default(fieldname)
            return mapped_default if mapped_default is not None else default
        table = self.cache.get(f"choices:{fieldname}")
        if table is None:
            table = self.cache[f"choices:{fieldname}"] = _choices(terms)
        mapped = self.binding.mapped(fieldname, value)
        code = table.get(norm(mapped))
        if code is None:
            fallback = self.binding.map_default(fieldname)
            if fallback is not None and norm(fallback) in table:
                return table[norm(fallback)]
            problems.add(
                fieldname,
                value,
                _("Unknown value %(value)s: use one of %(codes)s, or map it in the column mapping.")
                % {"value": value, "codes": ", ".join(sorted({v for v in table.values()}))},
            )
            return None
        return code

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

    # helpers shared by kinds
    @staticmethod
    def _coordinates(ctx: Context, rows: list[Row], plist: list[Problems], lon_field="lon", lat_field="lat"):
        """Parse and project the coordinates of a chunk: arrays lon, lat and a validity mask."""
        n = len(rows)
        xs = np.full(n, np.nan)
        ys = np.full(n, np.nan)
        for i, row in enumerate(rows):
            x_raw = ctx.binding.get(row.values, lon_field)
            y_raw = ctx.binding.get(row.values, lat_field)
            if x_raw == "" and y_raw == "":
                continue
            bad = False
            for fieldname, raw, arr in ((lon_field, x_raw, xs), (lat_field, y_raw, ys)):
                try:
                    v = float(raw) if raw != "" else float("nan")
                except ValueError:
                    plist[i].add(fieldname, raw, _("Not a number."))
                    bad = True
                    continue
                if not np.isfinite(v):
                    if raw != "":
                        plist[i].add(fieldname, raw, _("Not a number."))
                    bad = True
                    continue
                arr[i] = v
            if bad:
                xs[i] = ys[i] = np.nan
        given = np.isfinite(xs) & np.isfinite(ys) & ~((xs == 0) & (ys == 0))
        lon = np.full(n, np.nan)
        lat = np.full(n, np.nan)
        if given.any():
            with np.errstate(all="ignore"):
                plon, plat = to_lonlat(ctx.spec.coordinate_system, xs[given], ys[given])
            lon[given], lat[given] = plon, plat
        return lon, lat, given


# ---------------------------------------------------------------------------
# Incidents
# ---------------------------------------------------------------------------


class IncidentHandler(Handler):
    kind = "incidents"
    bulk = True
    stores_raw = False

    def model(self):
        from jingwu.incidents.models import Incident

        return Incident

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

    def _category(self, ctx: Context, value: str, problems: Problems) -> int | None:
        by_code, by_label = self._categories(ctx)
        default = ctx.binding.category_default()
        if value == "":
            if default is not None and default in by_code:
                return by_code[default]
            problems.add("category", "", _(REQUIRED))
            return None
        code = ctx.binding.category(value)
        if code in by_code:
            return by_code[code]
        code = by_label.get(norm(code), code)
        if code in by_code:
            return by_code[code]
        if default is not None and default in by_code:
            return by_code[default]
        if ctx.spec.default:
            problems.add("category", value, _("Unknown incident category code %(code)s.") % {"code": value})
        else:
            problems.add(
                "category",
                value,
                _("Unknown incident category %(value)s: add it to the mapping's category map.")
                % {"value": value},
            )
        return None

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

    def check(self, ctx: Context, rows: list[Row]) -> list[Staged]:
        from jingwu.incidents.services import validate_times
        from jingwu.org.selectors import bureau_areas

        b = ctx.binding
        plist = [Problems(b, r) for r in rows]
        parsed: list[dict] = []
        for row, problems in zip(rows, plist, strict=True):
            v = row.values
            item: dict[str, Any] = {}
            received = b.get(v, "received_at")
            if received == "":
                problems.add("received_at", "", _(REQUIRED))
            else:
                try:
                    item["received_at"] = b.datetime(received)
                except ValueError:
                    problems.add("received_at", received, b.datetime_message())
            for name in ("dispatched_at", "arrived_at", "cleared_at"):
                raw = b.get(v, name)
                if raw:
                    try:
                        item[name] = b.datetime(raw)
                    except ValueError:
                        problems.add(name, raw, b.datetime_message())
            item["category_id"] = self._category(ctx, b.get(v, "category"), problems)
            item["source"] = ctx.choice(
                "source", b.get(v, "source"), vocab.INCIDENT_SOURCES, "call_110", problems
            )
            item["status"] = ctx.choice(
                "status", b.get(v, "status"), vocab.INCIDENT_STATUSES, "closed", problems
            )
            for name in ("number", "address", "description", "reporter_name", "reporter_phone"):
                item[name] = b.get(v, name)
            item["source_system"] = ctx.spec.source_system or b.get(v, "source_system")
            ext = b.get(v, "external_id")
            if not ext and not item["number"]:
                ext = "h:" + (v.get("_hash") or _row_digest(row))
            item["external_id"] = ext
            parsed.append(item)

        lon, lat, given = self._coordinates(ctx, rows, plist)
        in_range = given & (lon >= -180) & (lon <= 180) & (lat >= -90) & (lat <= 90)
        located: list = [None] * len(rows)
        idx = np.flatnonzero(in_range)
        if len(idx):
            areas = bureau_areas(ctx.bureau.pk)
            found = areas.locate_many(lon[idx].tolist(), lat[idx].tolist())
            for i, loc in zip(idx.tolist(), found, strict=True):
                located[i] = loc

        out: list[Staged] = []
        for i, (row, problems, item) in enumerate(zip(rows, plist, parsed, strict=True)):
            lon_raw = b.get(row.values, "lon")
            if not given[i]:
                if not any(p[0] == b.column("lon") or p[0] == b.column("lat") for p in problems):
                    problems.add("lon", lon_raw, _("An incident needs a location (longitude and latitude)."))
            elif not in_range[i]:
                problems.add(
                    "lon", lon_raw, _("Longitude must be within -180..180 and latitude within -90..90.")
                )
            elif located[i] is None:
                problems.add(
                    "lon",
                    lon_raw,
                    _("The location (%(lon).5f, %(lat).5f) is outside the bureau's area.")
                    % {"lon": lon[i], "lat": lat[i]},
                )
            else:
                loc = located[i]
                refusal = self._authorized(ctx, loc.grid_id or loc.station_id)
                if refusal:
                    problems.add("", "", refusal)
                item.update(
                    lon=float(lon[i]),
                    lat=float(lat[i]),
                    grid_id=loc.grid_id,
                    zone_id=loc.zone_id,
                    station_id=loc.station_id,
                )
            if not problems and item.get("received_at") is not None:
                try:
                    validate_times(SimpleNamespace(**{k: item.get(k) for k in _TIMES}))
                except ValidationError as exc:
                    problems.from_error(exc)
                for name, f in self._text_fields():
                    value = item.get(name)
                    if value and (
                        (f.max_length is not None and len(value) > f.max_length) or "\x00" in value
                    ):
                        try:
                            f.run_validators(value)
                        except ValidationError as exc:
                            for message in exc.messages:
                                problems.add(name, value, message)
            if problems:
                out.append(Staged(row.row_no, "invalid", problems=list(problems), raw=row.raw))
                continue
            key = (
                f"x:{item['source_system']}:{item['external_id']}"
                if item["external_id"]
                else f"n:{item['number']}"
            )
            data = {k: v for k, v in item.items() if v not in ("", None)}
            for name in ("received_at", "dispatched_at", "arrived_at", "cleared_at"):
                if name in data:
                    data[name] = _iso(data[name])
            out.append(Staged(row.row_no, "ok", key=key, data=data))
        self._mark_present(ctx, out)
        return out

    def _present_keys(self, ctx: Context, items: list[dict]) -> set[str]:
        Incident = self.model()
        by_system: dict[str, list[str]] = {}
        numbers: list[str] = []
        for d in items:
            if d.get("external_id"):
                by_system.setdefault(d.get("source_system", ""), []).append(d["external_id"])
            if d.get("number"):
                numbers.append(d["number"])
        present: set[str] = set()
        base = Incident.objects.filter(bureau=ctx.bureau)
        step = _batch()
        for system, exts in by_system.items():
            for i in range(0, len(exts), step):
                # (external_id <> '' lets PostgreSQL use the partial unique index)
                found = base.filter(source_system=system, external_id__in=exts[i : i + step]).exclude(
                    external_id=""
                )
                for ext in found.values_list("external_id", flat=True):
                    present.add(f"x:{system}:{ext}")
        for i in range(0, len(numbers), step):
            for number in base.filter(number__in=numbers[i : i + step]).values_list("number", flat=True):
                present.add(f"n:{number}")
        return present

    @staticmethod
    def _keys(d: dict) -> list[str]:
        keys = []
        if d.get("external_id"):
            keys.append(f"x:{d.get('source_system', '')}:{d['external_id']}")
        if d.get("number"):
            keys.append(f"n:{d['number']}")
        return keys

    def _mark_present(self, ctx: Context, staged: list[Staged]) -> None:
        ok = [s for s in staged if s.status == "ok"]
        if not ok:
            return
        present = self._present_keys(ctx, [s.data for s in ok])
        for s in ok:
            if any(k in present for k in self._keys(s.data)):
                s.status = "present"

    def apply(self, ctx: Context, chunks):
        from .db import copy_insert

        Incident = self.model()
        columns = [f for f in Incident._meta.concrete_fields if not f.primary_key]
        counters: dict[str, int] = {}
        created = unchanged = 0
        now = timezone.now()
        # Rows present before a chunk was checked were set aside then; what may have come
        # since is what others wrote after the job started. Looking that up once (rather
        # than per chunk, in a table this very transaction is filling) keeps the apply linear.
        since = (ctx.job.started or ctx.job.created_at or now) - dt.timedelta(minutes=10)
        present: set[str] = set()
        for system, ext, number in Incident.objects.filter(
            bureau=ctx.bureau, created_at__gte=since
        ).values_list("source_system", "external_id", "number"):
            present.update(self._keys({"source_system": system, "external_id": ext, "number": number}))
        for chunk in chunks:
            items = [r.data for r in chunk]
            new = []
            for d in items:
                if any(k in present for k in self._keys(d)):
                    unchanged += 1
                    continue
                values = {k: d.get(k) for k in _INCIDENT_FIELDS}
                for name in _TIMES:
                    values[name] = _dt(values[name])
                for name in (
                    "address",
                    "description",
                    "reporter_name",
                    "reporter_phone",
                    "number",
                    "source_system",
                    "external_id",
                ):
                    if values[name] is None:
                        values[name] = ""
                values.update(bureau_id=ctx.bureau.pk, created_at=now, updated_at=now)
                new.append(values)
            self._number(ctx, new, counters)
            if not copy_insert(
                Incident, [f.column for f in columns], ([v[f.attname] for f in columns] for v in new)
            ):
                Incident.objects.bulk_create([Incident(**v) for v in new], batch_size=500)
            created += len(new)
            if ctx.apply_progress:
                ctx.apply_progress(len(chunk))
        return created, unchanged, {}

    def _number(self, ctx: Context, rows: list[dict], counters: dict[str, int]) -> None:
        """Number the rows without one as ``next_number`` does: J + bureau + day + sequence."""
        from django.db.models import Max
        from django.db.models.functions import Substr

        Incident = self.model()
        code = ctx.bureau.code
        if "" not in counters:  # the last number of every day so far, in one query
            base = f"J{code}"
            counters[""] = 0
            for day, last in (
                Incident.objects.filter(bureau=ctx.bureau, number__startswith=base)
                .annotate(day=Substr("number", 1, len(base) + 8))
                .values("day")
                .annotate(last=Max("number"))
                .values_list("day", "last")
            ):
                try:
                    counters[day] = int(last[len(day) :])
                except ValueError:
                    continue
        for values in rows:
            if values["number"]:
                continue
            local = timezone.localtime(values["received_at"])
            prefix = f"J{code}{local:%Y%m%d}"
            counters[prefix] = counters.get(prefix, 0) + 1
            values["number"] = f"{prefix}{counters[prefix]:05d}"


def _batch() -> int:
    """How many values an IN (...) query may carry on this database."""
    from django.db import connection

    limit = connection.features.max_query_params or 2000
    return max(100, min(2000, limit - 50))


_TIMES = ("received_at", "dispatched_at", "arrived_at", "cleared_at")
_INCIDENT_FIELDS = (
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
                    values["id_number"] = validate_id_number(id_raw)
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
                start=dt.date.fromisoformat(values["start"]) if values.get("start") else timezone.localdate(),
            )
        return True


class PremisesHandler(ServiceHandler):
    kind = "premises"

    def model(self):
        from jingwu.places.models import Premises

        return Premises

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
        out = []
        for i, (row, p, values) in enumerate(zip(rows, plist, items, strict=True)):
            if given[i]:
                if i not in located:
                    p.add(
                        "lon",
                        b.get(row.values, "lon"),
                        _("Longitude must be within -180..180 and latitude within -90..90."),
                    )
                elif located[i] is None:
                    p.add(
                        "lon",
                        b.get(row.values, "lon"),
                        _("The location (%(lon).5f, %(lat).5f) is outside the bureau's area.")
                        % {"lon": lon[i], "lat": lat[i]},
                    )
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
            .values_list("external_id", flat=True)
        }
        self._dedupe(out, present)
        return out

    def create(self, ctx: Context, values: dict) -> bool:
        from jingwu.places.services import do_create_premises

        if self.model().objects.filter(bureau=ctx.bureau, external_id=values["external_id"]).exists():
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
}

__all__ = ["HANDLERS", "Context", "Handler", "Q", "Row", "Staged"]
