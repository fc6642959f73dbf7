"""A roster out: an Excel workbook (people × days, and the needs left unmet with their reasons)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def roster_xlsx(ctx: dict) -> bytes:
    """The workbook of a roster page's context (``views._roster_context``): what the user sees."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    roster = ctx["roster"]
    wb = Workbook()
    ws = wb.active
    ws.title = _("Roster")[:31]
    ws.append([f"{roster.station.name} {roster.start:%Y-%m-%d} – {roster.end:%Y-%m-%d}"])
    ws["A1"].font = Font(bold=True, size=13)
    weekdays = ctx["weekdays"]
    ws.append(
        [pgettext("person", "Name"), _("Police number")]
        + [f"{d:%m-%d} {weekdays[d.weekday()]}" for d in ctx["days"]]
        + [_("Hours"), _("Nights")]
    )
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    night = PatternFill("solid", fgColor="DDEBF7")
    for r in ctx["rows"]:
        cells = [(f"{c['shift']} · {c['zone'].name}" if c else "") for c in r["cells"]]
        ws.append([r["officer"].name, r["officer"].police_number, *cells, round(r["hours"], 1), r["nights"]])
        for i, c in enumerate(r["cells"]):
            cell = ws.cell(row=ws.max_row, column=3 + i)
            if c and c["night"]:
                cell.fill = night
            if c and c["lead"]:
                cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 12
    for i in range(len(ctx["days"])):
        ws.column_dimensions[get_column_letter(3 + i)].width = 14
    ws.freeze_panes = "C3"
    un = wb.create_sheet(_("Needs left unmet")[:31])
    un.append([_("Day"), _("Shift"), _("Zone"), _("Missing"), _("Need"), _("Why")])
    for cell in un[1]:
        cell.font = Font(bold=True)
    for u in ctx["unmet"]:
        shift = u["shift_name"] + (f" · {_('leader')}" if u["kind"] == "lead" else "")
        un.append([u["day"], shift, u["zone_name"], u["missing"], u["need"], u["text"]])
    un.column_dimensions["F"].width = 60
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _day_letter(weekday: str) -> str:
    """``周一`` → ``一``, ``Mon`` → ``Mo``: a weekday that fits a day's column."""
    return weekday[-1:] if weekday.startswith("周") else weekday[:2]


def _short(name: str, width: int) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def roster_pdf(ctx: dict) -> bytes:
    """The PDF of a roster page's context: a landscape A4 table of people × days with the
    shift codes (leaders of a zone's shift marked ★, nights shaded), the legend of shifts
    and zones, and the needs left unmet. The bureau's CJK font (Noto Sans SC) is embedded,
    so Chinese names print as Chinese glyphs."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    from jingwu.analytics.reports import FONT

    roster = ctx["roster"]
    pattern = roster.pattern or {}
    shifts = pattern.get("shifts", [])
    codes = {s["code"]: s["code"][:1].upper() for s in shifts}
    if len(set(codes.values())) < len(codes):  # first letters clash: use the codes
        codes = {s["code"]: s["code"][:3] for s in shifts}
    by_name = {ctx["names"].get(s["code"], s["code"]): s["code"] for s in shifts}
    zones = sorted({c["zone"].pk: c["zone"] for r in ctx["rows"] for c in r["cells"] if c}.values(), key=str)
    zone_no = {z.pk: i + 1 for i, z in enumerate(zones)}
    title = f"{roster.station.name} · {_('Duty roster')} {roster.start:%Y-%m-%d} – {roster.end:%Y-%m-%d}"

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(8, 10, 8)
    pdf.add_font("NotoSansSC", fname=str(FONT))
    pdf.set_title(title)
    days = ctx["days"]
    name_w, tail_w = 26.0, 11.0
    day_w = max(5.0, (pdf.epw - name_w - 2 * tail_w) / max(1, len(days)))
    line_h = 5.2

    def head() -> None:
        pdf.set_font("NotoSansSC", size=12)
        pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("NotoSansSC", size=6.5)
        pdf.set_fill_color(230, 236, 244)
        pdf.cell(name_w, line_h * 2, pgettext("person", "Name"), border=1, fill=True)
        x, y = pdf.get_x(), pdf.get_y()
        weekdays = ctx["weekdays"]
        for i, d in enumerate(days):
            pdf.set_xy(x + i * day_w, y)
            weekend = d.weekday() >= 5
            pdf.set_fill_color(*((210, 214, 220) if weekend else (230, 236, 244)))
            pdf.cell(day_w, line_h, f"{d:%d}", border="LTR", align="C", fill=True)
            pdf.set_xy(x + i * day_w, y + line_h)
            pdf.cell(day_w, line_h, _day_letter(weekdays[d.weekday()]), border="LBR", align="C", fill=True)
        pdf.set_xy(x + len(days) * day_w, y)
        pdf.set_fill_color(230, 236, 244)
        pdf.cell(tail_w, line_h * 2, _("Hours"), border=1, align="C", fill=True)
        pdf.cell(
            tail_w, line_h * 2, _("Nights"), border=1, align="C", fill=True, new_x="LMARGIN", new_y="NEXT"
        )

    pdf.add_page()
    if not ctx["rows"]:  # nothing to show: say so, no table
        pdf.set_font("NotoSansSC", size=12)
        pdf.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("NotoSansSC", size=10)
        pdf.multi_cell(
            0, 6, _("No duty in this roster yet: it has not been solved, or you see none of its people.")
        )
        return bytes(pdf.output())
    head()
    for r in ctx["rows"]:
        if pdf.will_page_break(line_h):
            pdf.add_page()
            head()
        pdf.set_font("NotoSansSC", size=7)
        pdf.cell(name_w, line_h, _short(r["officer"].name, 8), border=1)
        pdf.set_font("NotoSansSC", size=6)
        for c in r["cells"]:
            if c is None:
                pdf.cell(day_w, line_h, "", border=1)
                continue
            text = f"{codes.get(by_name.get(c['shift'], ''), c['shift'][:1])}{zone_no[c['zone'].pk]}"
            if c["lead"]:
                text = "★" + text
            pdf.set_fill_color(221, 235, 247)
            pdf.cell(day_w, line_h, text, border=1, align="C", fill=c["night"])
        pdf.set_font("NotoSansSC", size=7)
        pdf.cell(tail_w, line_h, f"{r['hours']:.0f}", border=1, align="R")
        pdf.cell(tail_w, line_h, str(r["nights"]), border=1, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("NotoSansSC", size=8)
    legend = [
        _("Legend") + ":",
        " · ".join(f"{codes[s['code']]} = {ctx['names'].get(s['code'], s['code'])}" for s in shifts),
        " · ".join(f"{zone_no[z.pk]} = {z.name}" for z in zones),
        _("★ leads the zone's shift; shaded: a night shift."),
    ]
    pdf.multi_cell(0, 4.5, "\n".join(legend), new_x="LMARGIN", new_y="NEXT")
    results = ctx["results"]
    if results.get("status"):
        pdf.multi_cell(
            0,
            4.5,
            _("%(n)s of %(m)s people short; %(l)s shifts without a leader.")
            % {
                "n": results.get("people_short", 0),
                "m": results.get("people_needed", 0),
                "l": results.get("leads_short", 0),
            },
            new_x="LMARGIN",
            new_y="NEXT",
        )
    if ctx["unmet"]:
        pdf.ln(2)
        pdf.set_font("NotoSansSC", size=10)
        pdf.cell(0, 6, _("Needs left unmet, and why"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("NotoSansSC", size=7)
        with pdf.table(
            col_widths=(20, 28, 28, 14, 120),
            text_align="LEFT",
            line_height=4,
            headings_style=FontFace(emphasis="", fill_color=(230, 236, 244)),  # the font has one weight
        ) as table:
            row = table.row()
            for h in (_("Day"), _("Shift"), _("Zone"), _("Missing"), _("Why")):
                row.cell(h)
            for u in ctx["unmet"][:200]:
                row = table.row()
                shift = u["shift_name"] + (f" · {_('leader')}" if u["kind"] == "lead" else "")
                for v in (u["day"], shift, u["zone_name"], f"{u['missing']} / {u['need']}", u["text"]):
                    row.cell(str(v))
    return bytes(pdf.output())
