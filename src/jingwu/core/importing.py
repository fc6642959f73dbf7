"""Spreadsheet import (CSV in UTF-8 or GBK, XLSX) through the same services as the UI.

All or nothing: the rows are written in one transaction, and any bad row rolls all of
them back; the report names each bad row, column, value and reason in the user's
language. Rows that already exist (same external key) are left alone, so importing the
same file twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return _("%(rows)d rows read, %(bad)d with problems: nothing was imported.") % {
                "rows": self.rows,
                "bad": len({p.row for p in self.problems}),
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


class _Rollback(Exception):
    pass


def read_table(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a CSV or XLSX file as dicts keyed by (alias-resolved) column names."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        rows = wb.active.iter_rows(values_only=True)
        header = [_column(c) for c in next(rows, ())]
        for values in rows:
            if values is None or all(v is None or str(v).strip() == "" for v in values):
                continue
            yield {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        wb.close()
        return
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(_("The file is neither UTF-8 nor GBK text."))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [_column(c) for c in next(reader, [])]
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        yield {h: v.strip() for h, v in zip(header, values, strict=False) if h}


def _column(name) -> str:
    name = str(name or "").strip()
    return ALIASES.get(name, name.lower())


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time(0) else v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def parse_datetime(value: str, column: str) -> dt.datetime | None:
    if not value:
        return None
    for fmt in (
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
    ):
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
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValidationError({column: _("Not a date like 2019-04-07.")})


def parse_float(value: str, column: str) -> float | None:
    if value == "":
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise ValidationError({column: _("Not a number.")}) from exc


def parse_int(value: str, column: str) -> int:
    if value == "":
        return 0
    try:
        return int(float(value))
    except ValueError as exc:
        raise ValidationError({column: _("Not a whole number.")}) from exc


def _require(row: dict, *columns: str) -> None:
    missing = {c: _("This column is required.") for c in columns if not row.get(c)}
    if missing:
        raise ValidationError(missing)


def _incident(row: dict, bureau, actor) -> bool:
    from jingwu.incidents.models import Incident
    from jingwu.incidents.services import do_record_incident

    _require(row, "received_at", "category")
    ext, system = row.get("external_id", ""), row.get("source_system", "")
    number = row.get("number", "")
    existing = Incident.objects.filter(bureau=bureau)
    if ext and existing.filter(source_system=system, external_id=ext).exists():
        return False
    if number and existing.filter(number=number).exists():
        return False
    do_record_incident(
        actor=actor,
        bureau=bureau,
        category=row["category"],
        number=number,
        external_id=ext,
        source_system=system,
        received_at=parse_datetime(row["received_at"], "received_at"),
        source=row.get("source") or "call_110",
        lon=parse_float(row.get("lon", ""), "lon"),
        lat=parse_float(row.get("lat", ""), "lat"),
        address=row.get("address", ""),
        description=row.get("description", ""),
        reporter_name=row.get("reporter_name", ""),
        reporter_phone=row.get("reporter_phone", ""),
        dispatched_at=parse_datetime(row.get("dispatched_at", ""), "dispatched_at"),
        arrived_at=parse_datetime(row.get("arrived_at", ""), "arrived_at"),
        cleared_at=parse_datetime(row.get("cleared_at", ""), "cleared_at"),
        status=row.get("status") or "closed",
    )
    return True


def _officer(row: dict, bureau, actor) -> bool:
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Officer
    from jingwu.personnel.services import do_create_officer, do_create_posting

    _require(row, "police_number", "name", "kind", "gender", "birth_date", "id_number")
    if Officer.objects.filter(bureau=bureau, police_number=row["police_number"]).exists():
        return False
    skills: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in row.get("skills", "").replace("；", ";").split(";"))):
        code, _sep, level = part.partition(":")
        skills[code.strip()] = parse_int(level or "1", "skills")
    officer = do_create_officer(
        actor=actor,
        bureau=bureau,
        police_number=row["police_number"],
        name=row["name"],
        kind=row["kind"],
        gender=row["gender"],
        birth_date=parse_date(row["birth_date"], "birth_date"),
        id_number=row["id_number"],
        rank=row.get("rank") or "none",
        phone=row.get("phone", ""),
        hired=parse_date(row.get("hired", ""), "hired"),
        status=row.get("status") or "active",
        skills=skills,
    )
    if row.get("unit"):
        unit = Unit.objects.current().filter(bureau=bureau, code=row["unit"]).first()
        if unit is None:
            raise ValidationError({"unit": _("No current unit has this code.")})
        do_create_posting(
            actor=actor,
            officer=officer,
            unit=unit,
            role=row.get("role") or "staff",
            start=parse_date(row.get("start", ""), "start") or timezone.localdate(),
        )
    return True


def _premises(row: dict, bureau, actor) -> bool:
    from jingwu.places.models import Premises
    from jingwu.places.services import do_create_premises

    _require(row, "external_id", "category", "name", "lon", "lat")
    if Premises.objects.filter(bureau=bureau, external_id=row["external_id"]).exists():
        return False
    do_create_premises(
        actor=actor,
        bureau=bureau,
        external_id=row["external_id"],
        category=row["category"],
        name=row["name"],
        lon=parse_float(row["lon"], "lon"),
        lat=parse_float(row["lat"], "lat"),
        address=row.get("address", ""),
        responsible_person=row.get("responsible_person", ""),
        responsible_phone=row.get("responsible_phone", ""),
        licence_no=row.get("licence_no", ""),
        status=row.get("status") or "active",
        employees=parse_int(row.get("employees", ""), "employees"),
    )
    return True


def _unit(row: dict, bureau, actor) -> bool:
    import json

    from jingwu.org.models import Unit
    from jingwu.org.services import do_create_unit

    _require(row, "code", "kind", "name_zh")
    valid_from = parse_date(row.get("valid_from", ""), "valid_from")
    if Unit.objects.filter(bureau=bureau, code=row["code"], valid_from=valid_from).exists():
        return False
    parent = None
    if row.get("parent"):
        parent = Unit.objects.current().filter(bureau=bureau, code=row["parent"]).first()
        if parent is None:
            raise ValidationError({"parent": _("No current unit has this code.")})
    boundary = None
    if row.get("boundary"):
        try:
            boundary = json.loads(row["boundary"])
        except ValueError as exc:
            raise ValidationError({"boundary": _("The boundary is not readable GeoJSON.")}) from exc
    do_create_unit(
        actor=actor,
        bureau=bureau,
        parent=parent,
        kind=row["kind"],
        code=row["code"],
        name_zh=row["name_zh"],
        name_en=row.get("name_en", ""),
        station_type=row.get("station_type", ""),
        boundary=boundary,
        households=parse_int(row.get("households", ""), "households"),
        residents=parse_int(row.get("residents", ""), "residents"),
        floating=parse_int(row.get("floating", ""), "floating"),
        valid_from=valid_from,
        valid_to=parse_date(row.get("valid_to", ""), "valid_to"),
    )
    return True


KINDS: dict[str, Callable[[dict, object, object], bool]] = {
    "incidents": _incident,
    "officers": _officer,
    "premises": _premises,
    "units": _unit,
}


def run_import(
    kind: str,
    path: Path,
    *,
    bureau,
    actor,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Report:
    handler = KINDS[kind]
    report = Report(kind=kind, dry_run=dry_run)
    try:
        with transaction.atomic():
            try:
                rows = read_table(Path(path))
                for number, row in enumerate(rows, start=2):  # row 1 is the header
                    report.rows += 1
                    try:
                        with transaction.atomic():
                            created = handler(row, bureau, actor)
                    except ValidationError as exc:
                        _collect(report, number, row, exc)
                        continue
                    except PermissionDenied as exc:
                        report.problems.append(Problem(number, "", "", str(exc)))
                        continue
                    if created:
                        report.created += 1
                    else:
                        report.unchanged += 1
                    if progress and report.rows % 1000 == 0:
                        progress(_("%(n)d rows checked…") % {"n": report.rows})
            except ValidationError as exc:
                report.problems.append(Problem(0, "", "", " ".join(exc.messages)))
            if report.problems or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return report


def _collect(report: Report, number: int, row: dict, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for column, errors in exc.message_dict.items():
            for message in errors:
                report.problems.append(Problem(number, column, row.get(column, ""), message))
    else:
        for message in exc.messages:
            report.problems.append(Problem(number, "", "", message))
