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
