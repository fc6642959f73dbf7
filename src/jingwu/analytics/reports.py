"""Monthly and quarterly reports of a unit as PDF (the shipped CJK font embedded) and Excel, by a job.

``do_request_report`` records the request and starts the job; ``run_report_job`` counts
the figures as the requesting user sees them (the dashboard's, for the report's period)
and writes both files in one go, so running it again after a crash writes them again.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from jingwu.core import audit
from jingwu.core.clock import data_date, day_start, zone
from jingwu.core.services import authorize, service

from .measures import add_months

FONT = Path(__file__).resolve().parent.parent / "static" / "fonts" / "NotoSansSC-Regular.ttf"


def period_bounds(period: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the month or quarter that ``start`` falls in."""
    if period == "month":
        first = start.replace(day=1)
        return first, add_months(first, 1) - dt.timedelta(days=1)
    if period == "quarter":
        first = dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1)
        return first, add_months(first, 3) - dt.timedelta(days=1)
    raise ValidationError({"period": _("Choose a monthly or a quarterly report.")})


def report_dir(bureau) -> Path:
    return Path(settings.MEDIA_ROOT) / "reports" / bureau.code


@service
def do_request_report(*, actor, unit, period: str, start: dt.date, schedule=None):
    """Record a report request for ``unit`` and start the job that writes it."""
    from jingwu.jobs.services import do_start_job

    from .dashboard import data_begin
    from .models import Report

    authorize(actor, Report, "add", unit=unit)
    first, last = period_bounds(period, start)
    today = data_date(unit.bureau)
    # the bureau's local day of its first incident (not the UTC date)
    earliest = data_begin(unit.bureau)
    if earliest is None:
        raise ValidationError(_("There are no incidents on record: there is nothing to report."))
    if first > today:
        raise ValidationError(
            {"start": _("The period starts after the data end (%(date)s).") % {"date": today.isoformat()}}
        )
    if last < earliest:
        raise ValidationError(
            {"start": _("The period ends before the data begin (%(date)s).") % {"date": earliest.isoformat()}}
        )
    empty = _nothing_in_period(actor, unit, first, last)
    if empty:
        raise ValidationError({"start": empty})
    report = Report.objects.create(
        bureau=unit.bureau,
        unit=unit,
        period=period,
        start=first,
        end=last,
        requested_by=actor,
        schedule=schedule,
    )
    audit.record(
        "create",
        actor=actor,
        bureau=unit.bureau,
        obj=report,
        unit_path=unit.path,
        after={
            "unit": unit.code,
            "period": period,
            "start": first.isoformat(),
            "end": last.isoformat(),
            "schedule": schedule.pk if schedule is not None else None,
        },
    )
    do_start_job("measure_report", actor=actor, bureau=unit.bureau, target=report)
    return report


def _nothing_in_period(user, unit, first: dt.date, last: dt.date) -> str:
    """Why the unit's report of ``first``..``last`` would hold no figure from data (as ``user``
    sees the rows), or "": an area without incidents, the prevention center without a visit
    done, another unit (a center, a department) without a case opened."""
    from jingwu.cases.models import Case
    from jingwu.core.scope import restrict, under_unit_q
    from jingwu.incidents.models import Incident
    from jingwu.inspections.models import Visit

    tz = zone(unit.bureau)
    start, end = day_start(first, tz), day_start(last + dt.timedelta(days=1), tz)
    days = {"unit": unit.name, "first": first.isoformat(), "last": last.isoformat()}
    if unit.kind in ("headquarters", "station", "zone", "grid"):
        rows = restrict(Incident.objects.filter(under_unit_q(Incident, unit)), user)
        if not rows.filter(received_at__gte=start, received_at__lt=end).exists():
            return (
                _("%(unit)s has no incidents from %(first)s to %(last)s: there is nothing to report.") % days
            )
    elif unit.kind == "prevention_center":
        rows = restrict(Visit.objects.filter(bureau_id=unit.bureau_id), user)
        if not rows.filter(status="done", day__gte=first, day__lte=last).exists():
            return (
                _(
                    "%(unit)s has no inspection visits done from %(first)s to %(last)s: there is nothing to report."
                )
                % days
            )
    else:
        rows = restrict(Case.objects.filter(under_unit_q(Case, unit)), user)
        if not rows.filter(opened_at__gte=start, opened_at__lt=end).exists():
            return (
                _("%(unit)s has no cases opened from %(first)s to %(last)s: there is nothing to report.")
                % days
            )
    return ""


def run_report_job(job, ctx) -> None:
    from .dashboard import build
    from .models import Report

    report = Report.objects.select_related("unit", "bureau", "requested_by").get(pk=job.target_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        ctx.progress(0, 3, phase="figures")
        user = report.requested_by
        d = build(user, report.unit, period=(report.start, report.end))
        ctx.progress(1, 3, phase="write")
        folder = report_dir(report.bureau)
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"report-{report.pk}-{report.unit.code}-{report.start:%Y%m}"
        pdf_path = folder / f"{stem}.pdf"
        xlsx_path = folder / f"{stem}.xlsx"
        write_pdf(report, d, pdf_path)
        ctx.progress(2, 3, phase="write")
        write_xlsx(report, d, xlsx_path)
        report.pdf = str(pdf_path.relative_to(settings.MEDIA_ROOT))
        report.xlsx = str(xlsx_path.relative_to(settings.MEDIA_ROOT))
        report.save(update_fields=["pdf", "xlsx", "updated_at"])
        ctx.progress(3, 3, phase="write")


def _title(report) -> str:
    period = report.get_period_display()
    return _("%(unit)s · %(period)s report · %(first)s to %(last)s") % {
        "unit": report.unit.name,
        "period": period,
        "first": report.start.isoformat(),
        "last": report.end.isoformat(),
    }


def _sections(d) -> list[tuple[str, list[str], list[list]]]:
    """The report's tables: (heading, column names, rows), the same in PDF and Excel."""
    from .indicators import values_of

    out = []
    tiles = [
        [
            str(i.label),
            value,
            str(i.unit),
            f"{i.definition} {_('Source')}: {i.source}",
            f"{i.formula_text} — {d.source_text[i.code]}" if d.source_text.get(i.code) else "–",
        ]
        for i, value in values_of(d)
    ]
    out.append(
        (
            _("Indicators"),
            [_("Indicator"), _("Value"), _("Unit"), _("Definition and source"), _("Source query")],
            tiles,
        )
    )
    if d.by_month:
        # a month without data (before the data begin, after the data date): "–", never 0
        rows = [
            [label, n if n is not None else "–"]
            for label, n in zip(d.by_month["labels"], d.by_month["series"][0]["values"], strict=True)
        ]
        out.append((_("Incidents per month"), [_("Month"), _("Incidents")], rows))
    if d.by_category:
        rows = [
            [label, n]
            for label, n in zip(d.by_category["labels"], d.by_category["series"][0]["values"], strict=True)
        ]
        out.append((_("Incidents by category"), [_("Category"), _("Incidents")], rows))
    if d.children:
        rows = [
            [
                r["unit"].name,
                r["incidents"],
                r["per_1000"] if r["per_1000"] is not None else "–",
                r["police"] if r["police"] is not None else "–",
                r["per_officer"] if r["per_officer"] is not None else "–",
            ]
            for r in d.children
        ]
        out.append(
            (
                _("By place"),
                [
                    _("Unit"),
                    _("Incidents"),
                    _("per 1,000 residents"),
                    _("Police officers"),
                    _("Incidents per officer"),
                ],
                rows,
            )
        )
    if d.officers.get("rows"):
        out.append(_workload_section(d))
    if d.cases and d.cases.get("total"):
        rows = [[str(label), n] for label, n, _url in d.cases["status"]]
        out.append((_("Cases owned here, by stage"), [_("Stage"), _("Cases")], rows))
    return out


def _workload_section(d) -> tuple[str, list[str], list[list]]:
    """The workload per officer (by unit on the county), the columns the user sees."""
    w = d.officers
    cols = w["columns"]
    names = [("shifts", _("Shifts"), "duty"), ("hours", _("Duty hours"), "duty")]
    names += [("work", _("Grid work entries"), "work"), ("work_hours", _("Grid work hours"), "work")]
    names += [("visits", _("Inspection visits"), "visits"), ("callbacks", _("Callbacks made"), "callbacks")]
    names += [("cases", _("Cases of their unit"), "cases")]
    shown = [(key, label) for key, label, col in names if cols.get(col)]
    if w["by_unit"]:
        head = [_("Unit"), _("Officers")]
        rows = [[r["unit"].name, r["officers"]] + [_dash(r[k]) for k, _l in shown] for r in w["rows"]]
    else:
        head = [_("Officer"), _("Unit")]
        rows = [
            [f"{r['officer'].name} {r['officer'].police_number}", r["unit"].name]
            + [_dash(r[k]) for k, _l in shown]
            for r in w["rows"]
        ]
    return (_("Workload per officer"), head + [label for _k, label in shown], rows)


def _dash(v):
    return "–" if v is None else v


def source_rows(d) -> list[list]:
    """Each indicator's source queries: (indicator, query name, readable, SQL), for the Excel file."""
    from .indicators import values_of
    from .sources import unit_names

    pairs = [(i, s) for i, _v in values_of(d) for s in d.sources.get(i.code, ())]
    names = unit_names(s for _i, s in pairs)
    return [[str(i.label), s.name, s.readable(names), s.sql()] for i, s in pairs]


def write_pdf(report, d, path: Path) -> None:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("NotoSansSC", fname=str(FONT))
    pdf.set_title(_title(report))
    pdf.add_page()
    pdf.set_font("NotoSansSC", size=15)
    pdf.multi_cell(0, 8, _title(report), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSansSC", size=9)
    pdf.multi_cell(
        0,
        5,
        _("Figures as %(user)s sees them, computed on %(date)s from the bureau's records.")
        % {
            "user": report.requested_by.get_username() if report.requested_by else "—",
            "date": data_date(report.bureau).isoformat(),
        },
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for heading, columns, rows in _sections(d):
        pdf.ln(3)
        pdf.set_font("NotoSansSC", size=12)
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("NotoSansSC", size=8)
        widths = _widths(len(columns), wide_last=heading == _("Indicators"))
        head_style = FontFace(emphasis="", fill_color=(230, 236, 244))  # the font has one weight
        with pdf.table(
            col_widths=widths,
            text_align="LEFT",
            line_height=5,
            first_row_as_headings=True,
            headings_style=head_style,
        ) as table:
            head = table.row()
            for c in columns:
                head.cell(str(c))
            for r in rows:
                row = table.row()
                for v in r:
                    row.cell(str(v))
    pdf.output(str(path))


def _widths(n: int, wide_last: bool) -> tuple[int, ...]:
    if wide_last and n == 5:
        return (24, 14, 16, 50, 70)
    return tuple([3] + [2] * (n - 1))


def write_xlsx(report, d, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Report")[:31]
    ws.append([_title(report)])
    ws["A1"].font = Font(bold=True, size=13)
    for i, (heading, columns, rows) in enumerate(_sections(d)):
        sheet = wb.create_sheet(heading[:31]) if i else ws
        if i == 0:
            sheet.append([])
        sheet.append([str(c) for c in columns])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
        for r in rows:
            sheet.append([v if isinstance(v, (int, float)) else str(v) for v in r])
    # the source queries of the indicators, readable and as the SQL the database ran
    sheet = wb.create_sheet(_("Source queries")[:31])
    sheet.append([str(_("Indicator")), str(_("Query")), str(_("Source query")), "SQL"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for r in source_rows(d):
        sheet.append([str(v) for v in r])
    wb.save(str(path))
