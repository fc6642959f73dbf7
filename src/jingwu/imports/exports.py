"""Export the incident, officer, premises, callback and follow-up lists as CSV (UTF-8 with BOM) or XLSX.

The export is the list page as filtered: the same FilterSet on ``request.GET``,
the same scoping selector, the same masking of personal data. CSV streams row by
row; XLSX is written by openpyxl in write-only mode to a temporary file and then
streamed, so neither holds the list in memory. A cell a spreadsheet would run as
a formula (starting with = + - @, a tab or a carriage return) gets a leading
apostrophe. Every export is an ``export`` audit event with its filters and count.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import BooleanField, Case, ExpressionWrapper, Value, When
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingwu.core import audit
from jingwu.core.scope import can, current_memberships, personal_q

from .services import neutralise

CHUNK = 2000


@dataclass(frozen=True)
class Column:
    header: object  # lazy text
    get: Callable
    kind: str = "text"  # text, number, datetime, date
    # the import field (``mapping.FIELDS``) the column carries: its header, in every
    # language, is a name of that field when the sheet is imported again
    field: str = ""


class _ByBureau(dict):
    """Bureau id -> ``fn(bureau id)``, computed once per export (rows stream after the
    request's time zone is gone, so each row's bureau gives its own)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, bureau_id):
        value = self[bureau_id] = self.fn(bureau_id)
        return value


def _zones() -> _ByBureau:
    from jingwu.core.clock import zone
    from jingwu.core.models import Bureau

    return _ByBureau(lambda pk: zone(Bureau.objects.filter(pk=pk).first()))


def _local(value, tz):
    """A time as the bureau's local wall-clock time (what its staff read and type)."""
    return value.astimezone(tz).replace(tzinfo=None) if value else None


def _v(model_path: str, name: str):
    """A column header: the model field's own (translated) name."""
    from django.apps import apps
    from django.utils.text import capfirst

    app_label, model_name = model_path.split(".")
    return capfirst(apps.get_model(app_label, model_name)._meta.get_field(name).verbose_name)


def _incident_columns() -> list[Column]:
    i_ = "incidents.Incident"
    tz = _zones()
    return [
        Column(
            _v(i_, "received_at"), lambda i: _local(i.received_at, tz[i.bureau_id]), "datetime", "received_at"
        ),
        Column(_v(i_, "number"), lambda i: i.number, field="number"),
        Column(gettext_lazy("Category code"), lambda i: i.category.code, field="category"),
        Column(_v(i_, "category"), lambda i: i.category.name),
        Column(_v(i_, "source"), lambda i: i.get_source_display(), field="source"),
        Column(_v(i_, "status"), lambda i: i.get_status_display(), field="status"),
        Column(_v(i_, "station"), lambda i: i.station.name if i.station else ""),
        Column(_v(i_, "zone"), lambda i: i.zone.name if i.zone else ""),
        Column(_v(i_, "grid"), lambda i: i.grid.name if i.grid else ""),
        Column(_v(i_, "address"), lambda i: i.address, field="address"),
        Column(_v(i_, "lon"), lambda i: i.lon, "number", "lon"),
        Column(_v(i_, "lat"), lambda i: i.lat, "number", "lat"),
        Column(_v(i_, "reporter_name"), lambda i: i.reporter_masked, field="reporter_name"),
        Column(_v(i_, "reporter_phone"), lambda i: i.reporter_phone_masked, field="reporter_phone"),
        Column(
            _v(i_, "dispatched_at"),
            lambda i: _local(i.dispatched_at, tz[i.bureau_id]),
            "datetime",
            "dispatched_at",
        ),
        Column(
            _v(i_, "arrived_at"), lambda i: _local(i.arrived_at, tz[i.bureau_id]), "datetime", "arrived_at"
        ),
        Column(
            _v(i_, "cleared_at"), lambda i: _local(i.cleared_at, tz[i.bureau_id]), "datetime", "cleared_at"
        ),
        Column(_v(i_, "description"), lambda i: i.description, field="description"),
        Column(_v(i_, "source_system"), lambda i: i.source_system, field="source_system"),
        Column(_v(i_, "external_id"), lambda i: i.external_id, field="external_id"),
    ]


def _officer_columns(personal: bool = False) -> list[Column]:
    """The officer list's columns; the masked ID number and phone only for roles that see them
    (``personal``), and then only on the rows whose personal data they may see."""
    from jingwu.core.clock import data_date

    on = _ByBureau(data_date)  # ages on the day the bureau's records reach
    o_ = "personnel.Officer"

    def postings(o) -> str:
        return "; ".join(
            f"{p.unit.name} · {p.get_role_display()}" for p in getattr(o, "current_postings", [])
        )

    def skills(o) -> str:
        return "; ".join(f"{s.get_skill_display()} {s.level}" for s in o.skills.all())

    return [
        Column(_v(o_, "police_number"), lambda o: o.police_number, field="police_number"),
        Column(_v(o_, "name"), lambda o: o.name, field="name"),
        Column(_v(o_, "kind"), lambda o: o.get_kind_display(), field="kind"),
        Column(_v(o_, "gender"), lambda o: o.get_gender_display(), field="gender"),
        Column(gettext_lazy("Age"), lambda o: o.age(on[o.bureau_id]), "number"),
        Column(_v(o_, "rank"), lambda o: o.get_rank_display(), field="rank"),
        Column(_v(o_, "status"), lambda o: o.get_status_display(), field="status"),
        Column(gettext_lazy("Current posting"), postings),
        Column(gettext_lazy("Skills"), skills),
        *(
            [
                Column(
                    _v(o_, "id_number"),
                    lambda o: o.id_number_masked if o.jw_personal else "",
                    field="id_number",
                ),
                Column(_v(o_, "phone"), lambda o: o.phone_masked if o.jw_personal else "", field="phone"),
            ]
            if personal
            else []
        ),
        Column(_v(o_, "hired"), lambda o: o.hired, "date", "hired"),
    ]


def _premises_columns() -> list[Column]:
    p_ = "places.Premises"
    return [
        Column(_v(p_, "external_id"), lambda p: p.external_id, field="external_id"),
        Column(gettext_lazy("Premises name"), lambda p: p.name, field="name"),
        Column(_v(p_, "category"), lambda p: p.get_category_display(), field="category"),
        Column(_v(p_, "status"), lambda p: p.get_status_display(), field="status"),
        Column(_v(p_, "station"), lambda p: p.station.name if p.station else ""),
        Column(_v(p_, "grid"), lambda p: p.grid.name if p.grid else ""),
        Column(_v(p_, "address"), lambda p: p.address, field="address"),
        Column(_v(p_, "lon"), lambda p: p.lon, "number", "lon"),
        Column(_v(p_, "lat"), lambda p: p.lat, "number", "lat"),
        Column(_v(p_, "responsible_person"), lambda p: p.responsible_person, field="responsible_person"),
        Column(_v(p_, "responsible_phone"), lambda p: p.phone_masked, field="responsible_phone"),
        Column(_v(p_, "licence_no"), lambda p: p.licence_no, field="licence_no"),
        Column(_v(p_, "employees"), lambda p: p.employees, "number", "employees"),
    ]


def _callback_columns() -> list[Column]:
    c_ = "incidents.Callback"
    i_ = "incidents.Incident"
    tz = _zones()
    return [
        Column(_v(c_, "called_at"), lambda c: _local(c.called_at, tz[c.bureau_id]), "datetime", "called_at"),
        Column(_v(i_, "number"), lambda c: c.incident.number, field="number"),
        Column(_v(i_, "received_at"), lambda c: _local(c.incident.received_at, tz[c.bureau_id]), "datetime"),
        Column(_v(i_, "category"), lambda c: c.incident.category.name),
        Column(_v(i_, "station"), lambda c: c.incident.station.name if c.incident.station else ""),
        Column(_v(i_, "zone"), lambda c: c.incident.zone.name if c.incident.zone else ""),
        Column(_v(i_, "grid"), lambda c: c.incident.grid.name if c.incident.grid else ""),
        Column(_v(c_, "result"), lambda c: c.get_result_display(), field="result"),
        Column(_v(c_, "complaint"), lambda c: _("yes") if c.complaint else _("no"), field="complaint"),
        # the officer by police number first (names repeat), then by name: an import reads the first
        Column(
            gettext_lazy("Officer's police number"),
            lambda c: c.officer.police_number if c.officer else "",
            field="officer",
        ),
        Column(_v(c_, "officer"), lambda c: c.officer.name if c.officer else ""),
        Column(_v(c_, "note"), lambda c: c.note, field="note"),
    ]


def _lead_columns() -> list[Column]:
    from jingwu.core.clock import data_date

    l_ = "series.UnreportedLead"
    overdue = _ByBureau(data_date)

    def is_overdue(lead) -> str:
        return _("yes") if lead.is_open and lead.due < overdue[lead.bureau_id] else _("no")

    return [
        Column(_v(l_, "series"), lambda r: f"{r.series.code} {r.series.name}"),
        Column(_v(l_, "first_day"), lambda r: r.first_day, "date"),
        Column(_v(l_, "last_day"), lambda r: r.last_day, "date"),
        Column(_v(l_, "approximate"), lambda r: _("yes") if r.approximate else _("no")),
        Column(_v(l_, "address"), lambda r: r.address),
        Column(_v(l_, "description"), lambda r: r.description),
        Column(_v(l_, "source"), lambda r: r.get_source_display()),
        Column(_v(l_, "premises"), lambda r: r.premises.name if r.premises else ""),
        Column(_v(l_, "contact_note"), lambda r: r.contact_note),
        Column(_v(l_, "station"), lambda r: r.station.name),
        Column(_v(l_, "grid"), lambda r: r.grid.name if r.grid else ""),
        Column(_v(l_, "due"), lambda r: r.due, "date"),
        Column(gettext_lazy("Overdue"), is_overdue),
        Column(_v(l_, "status"), lambda r: r.get_status_display()),
        Column(_v(l_, "followed_up_on"), lambda r: r.followed_up_on, "date"),
        Column(_v(l_, "outcome_note"), lambda r: r.outcome_note),
        Column(_v(l_, "incident"), lambda r: r.incident.number if r.incident else ""),
    ]


def _followups(request):
    from jingwu.series.filters import LeadFilter
    from jingwu.series.models import UnreportedLead
    from jingwu.series.selectors import leads_for

    qs = leads_for(request.user).order_by("due", "id")
    return UnreportedLead, LeadFilter(request.GET, queryset=qs, request=request), _lead_columns()


def _callbacks(request):
    from jingwu.core.scope import restrict
    from jingwu.incidents.filters import CallbackFilter
    from jingwu.incidents.models import Callback

    qs = restrict(
        Callback.objects.select_related(
            "incident",
            "incident__category",
            "incident__station",
            "incident__zone",
            "incident__grid",
            "officer",
        ).defer("incident__station__boundary", "incident__zone__boundary", "incident__grid__boundary"),
        request.user,
    ).order_by("-called_at", "-id")
    return Callback, CallbackFilter(request.GET, queryset=qs, request=request), _callback_columns()


def _incidents(request):
    from jingwu.incidents.filters import IncidentFilter
    from jingwu.incidents.models import Incident
    from jingwu.incidents.selectors import incidents_for

    qs = incidents_for(request.user).order_by("-received_at", "-id")
    return Incident, IncidentFilter(request.GET, queryset=qs, request=request), _incident_columns()


def _officers(request):
    from jingwu.personnel.filters import OfficerFilter
    from jingwu.personnel.models import Officer
    from jingwu.personnel.selectors import officers_for

    q = personal_q(request.user, "masked")
    if q is None or not q:  # nobody's, or (a superuser) everyone's
        seen = Value(q is not None)
    else:
        seen = Case(When(q, then=Value(True)), default=Value(False))
    qs = (
        officers_for(request.user)
        .annotate(jw_personal=ExpressionWrapper(seen, output_field=BooleanField()))
        .order_by("police_number")
    )
    f = OfficerFilter(request.GET, queryset=qs, request=request)
    return Officer, f, _officer_columns(personal=q is not None)


def _premises(request):
    from jingwu.places.filters import PremisesFilter
    from jingwu.places.models import Premises
    from jingwu.places.selectors import premises_for

    qs = premises_for(request.user).order_by("station__code", "name")
    return Premises, PremisesFilter(request.GET, queryset=qs, request=request), _premises_columns()


KINDS = {
    "incidents": _incidents,
    "officers": _officers,
    "premises": _premises,
    "callbacks": _callbacks,
    "followups": _followups,
}
# each list's columns, all of them (an officer export's personal columns too)
COLUMNS: dict[str, Callable[[], list[Column]]] = {
    "incidents": _incident_columns,
    "officers": lambda: _officer_columns(personal=True),
    "premises": _premises_columns,
    "callbacks": _callback_columns,
}


def import_headers(kind: str) -> list[tuple[str, str]]:
    """(header, import field) of the columns of ``kind``'s export that carry an import field,
    in the active language: the names an exported sheet's columns are imported by."""
    if kind not in COLUMNS:
        return []
    return [(str(c.header), c.field) for c in COLUMNS[kind]() if c.field]


FORMATS = ("csv", "xlsx")


def _cell(column: Column, obj):
    value = column.get(obj)
    if value is None:
        return ""
    if column.kind == "text":
        return neutralise(str(value))
    return value


class _Echo:
    def write(self, value):
        return value


def _csv_text(value) -> str:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def csv_stream(columns: list[Column], rows: Iterable) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(str(c.header)) for c in columns])
    for obj in rows:
        yield writer.writerow([_csv_text(_cell(c, obj)) for c in columns])


def xlsx_file(columns: list[Column], rows: Iterable, title: str):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31])
    bold = Font(bold=True)
    head = []
    for c in columns:
        cell = WriteOnlyCell(ws, value=neutralise(str(c.header)))
        cell.font = bold
        head.append(cell)
    ws.append(head)
    for obj in rows:
        out = []
        for c in columns:
            value = _cell(c, obj)
            if c.kind in ("datetime", "date") and value:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = "yyyy-mm-dd hh:mm" if c.kind == "datetime" else "yyyy-mm-dd"
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    tmp = tempfile.TemporaryFile(suffix=".xlsx")
    wb.save(tmp)
    tmp.seek(0)
    return tmp


def _bureau_of(user):
    if getattr(user, "bureau_id", None):
        return user.bureau
    ms = current_memberships(user)
    bureaus = {m.bureau_id: m.bureau for m in ms}
    return next(iter(bureaus.values())) if len(bureaus) == 1 else None


def export(request, kind: str, fmt: str):
    if kind not in KINDS or fmt not in FORMATS:
        raise Http404
    model, f, columns = KINDS[kind](request)
    if not can(request.user, model, "view"):
        raise Http404
    qs = f.qs
    count = qs.count()
    filters = {k: [v for v in request.GET.getlist(k) if v] for k in request.GET if k != "page"}
    filters = {k: v if len(v) != 1 else v[0] for k, v in filters.items() if v}
    with transaction.atomic():
        audit.record(
            "export",
            actor=request.user,
            bureau=_bureau_of(request.user),
            object_type=model._meta.label_lower,
            object_repr=f"{kind}.{fmt}",
            after={"filters": filters, "rows": count, "format": fmt},
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    filename = f"{kind}-{stamp}.{fmt}"
    rows = qs.iterator(chunk_size=CHUNK)
    if fmt == "csv":
        response = StreamingHttpResponse(csv_stream(columns, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    else:
        title = {
            "incidents": _("Incidents"),
            "officers": _("Officers"),
            "premises": _("Key premises"),
            "callbacks": _("Callbacks"),
            "followups": _("Possible victims to follow up"),
        }[kind]
        response = FileResponse(
            xlsx_file(columns, rows, str(title)),
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["X-Export-Rows"] = str(count)
    return response
