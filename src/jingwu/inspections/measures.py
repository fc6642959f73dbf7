"""Measured: per unit and month, the visits made, the elements they covered, the visits avoided,
the legal deadlines missed, the findings and the rectifications closed on time.

Every count reads through the scoping layer; months are the bureau's (its time zone) and
end with the month of its data date."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jingwu.core.clock import data_date, local_day, zone
from jingwu.core.scope import restrict
from jingwu.engine import inspection_rules as rules
from jingwu.org.models import Unit

from .models import Finding, LegalTimer, Visit
from .services import bureau_now

MAX_MONTHS = 24
LEVELS = ("station", "zone")
# premises -> the unit a row counts for
UNIT_PATH = {"station": "premises__station_id", "zone": "premises__grid__parent_id"}
COUNTS = ("visits", "elements", "avoided", "timers_overdue", "findings", "rect_due", "rect_on_time")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(month: dt.date, n: int) -> dt.date:
    i = month.year * 12 + month.month - 1 + n
    return dt.date(i // 12, i % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], month_start(first)
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


@dataclass
class Row:
    unit: Unit
    month: dt.date
    visits: int = 0
    elements: int = 0
    avoided: int = 0
    timers_overdue: int = 0
    findings: int = 0
    rect_due: int = 0
    rect_on_time: int = 0

    @property
    def per_visit(self) -> float | None:
        return round(self.elements / self.visits, 1) if self.visits else None

    @property
    def on_time_share(self) -> int | None:
        return round(100 * self.rect_on_time / self.rect_due) if self.rect_due else None


@dataclass
class Measures:
    by: str
    months: list[dt.date]
    rows: list[Row]
    as_of: dt.date
    totals: dict = field(default_factory=dict)

    def chart(self) -> dict:
        per: dict[dt.date, dict[str, int]] = {m: defaultdict(int) for m in self.months}
        for r in self.rows:
            for k in ("visits", "avoided", "findings", "timers_overdue"):
                per[r.month][k] += getattr(r, k)
        names = {
            "visits": _("Visits made"),
            "avoided": _("Visits avoided"),
            "findings": _("Findings"),
            "timers_overdue": _("Legal deadlines missed"),
        }
        return {
            "labels": [f"{m:%Y-%m}" for m in self.months],
            "series": [
                {"name": str(n), "values": [per[m][k] for m in self.months]} for k, n in names.items()
            ],
        }


def default_period(bureau) -> tuple[dt.date, dt.date]:
    """The six months ending with the month of the bureau's data date."""
    last = month_start(data_date(bureau))
    return add_months(last, -5), last


def measures(user, bureau, *, first: dt.date, last: dt.date, by: str = "station") -> Measures:
    """The measures of ``user``'s units of kind ``by`` for the months ``first`` to ``last``.

    Raises ValidationError for a bad period and for a period without any data."""
    if by not in LEVELS:
        raise ValidationError(_("Choose stations or zones."))
    first, last = month_start(first), month_start(last)
    today = data_date(bureau)
    if first > last:
        raise ValidationError(_("The first month comes after the last."))
    if last > month_start(today):
        raise ValidationError(
            _("The records reach %(date)s: choose months up to that one.") % {"date": f"{today:%Y-%m}"}
        )
    months = months_between(first, last)
    if len(months) > MAX_MONTHS:
        raise ValidationError(_("Choose at most %(n)d months.") % {"n": MAX_MONTHS})
    end = min(add_months(last, 1) - dt.timedelta(days=1), today)
    tz = zone(bureau)
    now = bureau_now(bureau)
    key = UNIT_PATH[by]
    counts: dict[tuple[int, dt.date], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))

    visits = restrict(Visit.objects.filter(bureau=bureau, status="done"), user).filter(
        day__gte=first, day__lte=end
    )
    for unit_id, day, elements in visits.values_list(key, "day", "elements"):
        c = counts[(unit_id, month_start(day))]
        n = len(elements or [])
        c["visits"] += 1
        c["elements"] += n
        c["avoided"] += max(n - 1, 0)  # one specialist per element would have come n times

    deliver = [k for k, r in rules.TIMER_RULES.items() if r.mode == "deliver"]
    span = (
        dt.datetime.combine(first, dt.time(), tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz),
    )
    timers = restrict(LegalTimer.objects.filter(bureau=bureau, kind__in=deliver), user).filter(
        due_at__gte=span[0], due_at__lt=min(span[1], now)
    )
    for unit_id, due_at, done_at in timers.values_list(key, "due_at", "done_at"):
        if done_at is None or done_at > due_at:
            counts[(unit_id, month_start(local_day(due_at, tz)))]["timers_overdue"] += 1

    findings = restrict(Finding.objects.filter(bureau=bureau), user)
    for unit_id, day in findings.filter(visit__day__gte=first, visit__day__lte=end).values_list(
        key, "visit__day"
    ):
        counts[(unit_id, month_start(day))]["findings"] += 1
    for unit_id, deadline, closed_on in findings.filter(deadline__gte=first, deadline__lte=end).values_list(
        key, "deadline", "closed_on"
    ):
        c = counts[(unit_id, month_start(deadline))]
        c["rect_due"] += 1
        if closed_on is not None and closed_on <= deadline:
            c["rect_on_time"] += 1

    seen = {u for u, _m in counts if u is not None}
    ids = set(restrict(Unit.objects.filter(bureau=bureau, kind=by), user).values_list("pk", flat=True))
    units = list(Unit.objects.filter(pk__in=ids | seen).order_by("path"))
    rows = [Row(u, m, **counts.get((u.pk, m), {})) for u in units for m in months]
    totals = {k: sum(getattr(r, k) for r in rows) for k in COUNTS}
    if not any(totals.values()):
        raise ValidationError(
            _("No inspection visits, legal deadlines or findings in your units from %(first)s to %(last)s.")
            % {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"}
        )
    totals["per_visit"] = round(totals["elements"] / totals["visits"], 1) if totals["visits"] else None
    return Measures(by=by, months=months, rows=rows, as_of=today, totals=totals)


def measures_xlsx(m: Measures, title: str) -> bytes:
    """The table of the measures page as a workbook."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _("Measures")[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(header())
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in m.rows:
        ws.append(
            [
                r.unit.name,
                f"{r.month:%Y-%m}",
                r.visits,
                r.per_visit,
                r.avoided,
                r.timers_overdue,
                r.findings,
                r.rect_due,
                r.rect_on_time,
            ]
        )
    ws.column_dimensions["A"].width = 18
    ws.freeze_panes = "C3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def header() -> list[str]:
    return [
        _("Unit"),
        _("Month"),
        _("Visits made"),
        _("Elements per visit"),
        _("Visits avoided"),
        _("Legal deadlines missed"),
        _("Findings"),
        _("Rectifications due"),
        _("Closed on time"),
    ]
