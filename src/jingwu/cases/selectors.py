"""Reads of cases for a user, always through the scoping layer, and the figures of the board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from jingwu.core.clock import day_start, latest_day, zone
from jingwu.core.i18n import label
from jingwu.core.models import AuditEvent
from jingwu.core.scope import restrict
from jingwu.engine import vocab
from jingwu.org.models import Unit

from .models import Case, CaseTransfer, RoutingRule


def cases_for(user, action: str = "view"):
    return restrict(Case.objects.select_related("category", "owning_unit"), user, action)


STEP_LABELS = {
    "open": _("Opening"),
    "change": _("Change"),
    "transfer": _("Hand-off"),
    "suspend": _("Suspension"),
    "close": _("Closing"),
    "withdraw": _("Withdrawal"),
    "reopen": _("Reopening"),
    "escalate": _("Escalation (督办)"),
    "review": _("Quality review"),
}


@dataclass
class HistoryEntry:
    event: AuditEvent
    step: str
    status: str


def case_history(case: Case) -> list[HistoryEntry]:
    """The case's audit events, oldest first (what was done, by whom, when, why)."""
    events = AuditEvent.objects.filter(
        bureau_id=case.bureau_id, object_type="cases.case", object_id=str(case.pk)
    ).order_by("seq")
    out = []
    for e in events:
        after = e.after if isinstance(e.after, dict) else {}
        step = after.get("step", "")
        out.append(
            HistoryEntry(
                event=e,
                step=str(STEP_LABELS.get(step, step or e.get_action_display())),
                status=label(vocab.CASE_STATUSES, after.get("status")) if after.get("status") else "",
            )
        )
    return out


def case_transfers(case: Case):
    return (
        CaseTransfer.objects.filter(case=case)
        .select_related("from_unit", "to_unit", "actor")
        .order_by("at", "id")
    )


# Age bands of the board, in days since the case was opened (the last is open-ended).
AGE_BANDS = (30, 60, 90)


@dataclass
class BoardRow:
    unit: Unit
    open: int = 0
    ages: list[int] = field(default_factory=list)
    overdue: int = 0
    awaiting_review: int = 0
    suspended: int = 0


@dataclass
class Board:
    unit: Unit
    as_of: dt.date
    rows: list[BoardRow]
    total: BoardRow
    overdue: list[Case]
    awaiting_review: list[Case]
    bands: list[str]


def board_units(user, bureau) -> list[Unit]:
    """The units whose boards the user may look at: the investigation center(s) and stations they see."""
    return list(
        restrict(Unit.objects.filter(bureau=bureau, kind__in=("investigation_center", "station")), user)
        .filter(valid_to__isnull=True)
        .order_by("kind", "code")
    )


def board(user, unit: Unit, *, as_of: dt.date | None = None, limit: int = 50) -> Board:
    """Caseload of ``unit`` and the teams below it, by age band, with the overdue cases and
    those awaiting review (solved, not yet closed): cases the user may see only."""
    as_of = as_of or latest_day(unit.bureau_id)
    tz = zone(unit.bureau)
    qs = cases_for(user).filter(bureau_id=unit.bureau_id, owning_unit__path__startswith=unit.path)
    working = Q(status__in=Case.OPEN_STATUSES)
    cut = [day_start(as_of - dt.timedelta(days=d), tz) for d in AGE_BANDS]
    age_q = [Q(opened_at__gte=cut[0])]
    age_q += [Q(opened_at__lt=cut[i], opened_at__gte=cut[i + 1]) for i in range(len(cut) - 1)]
    age_q += [Q(opened_at__lt=cut[-1])]
    overdue_q = working & Q(deadline__lt=as_of)
    aggregates = {
        "open": Count("pk", filter=working),
        "overdue": Count("pk", filter=overdue_q),
        "awaiting_review": Count("pk", filter=Q(status="solved")),
        "suspended": Count("pk", filter=Q(status="suspended")),
    }
    aggregates |= {f"age{i}": Count("pk", filter=working & q) for i, q in enumerate(age_q)}
    per_unit = {r["owning_unit"]: r for r in qs.order_by().values("owning_unit").annotate(**aggregates)}
    units = Unit.objects.filter(pk__in=list(per_unit) + [unit.pk]).order_by("path")
    rows, total = [], BoardRow(unit=unit, ages=[0] * len(age_q))
    for u in units:
        r = per_unit.get(u.pk)
        row = BoardRow(unit=u, ages=[0] * len(age_q))
        if r:
            row.open, row.overdue = r["open"], r["overdue"]
            row.awaiting_review, row.suspended = r["awaiting_review"], r["suspended"]
            row.ages = [r[f"age{i}"] for i in range(len(age_q))]
        rows.append(row)
        total.open += row.open
        total.overdue += row.overdue
        total.awaiting_review += row.awaiting_review
        total.suspended += row.suspended
        total.ages = [a + b for a, b in zip(total.ages, row.ages, strict=True)]
    bands = [f"0–{AGE_BANDS[0]}"]
    bands += [f"{AGE_BANDS[i] + 1}–{AGE_BANDS[i + 1]}" for i in range(len(AGE_BANDS) - 1)]
    bands += [f">{AGE_BANDS[-1]}"]
    return Board(
        unit=unit,
        as_of=as_of,
        rows=rows,
        total=total,
        overdue=list(qs.filter(overdue_q).order_by("deadline", "pk")[:limit]),
        awaiting_review=list(qs.filter(status="solved").order_by("opened_at", "pk")[:limit]),
        bands=bands,
    )


def rules_for(user, action: str = "view"):
    return restrict(RoutingRule.objects.select_related("category", "unit"), user, action).order_by(
        "priority", "id"
    )


@dataclass
class MonthShare:
    month: dt.date
    criminal: int
    center: int

    @property
    def share(self) -> float | None:
        return self.center / self.criminal if self.criminal else None


def center_share_by_month(user, bureau) -> list[MonthShare]:
    """Criminal cases opened each month (the bureau's months) and how many the
    investigation center (and its teams) owns: of the cases the user sees."""
    centres = Unit.objects.filter(bureau=bureau, kind="investigation_center")
    in_centre = Q(pk__in=[])
    for c in centres:
        in_centre |= Q(owning_unit__path__startswith=c.path)
    rows = (
        cases_for(user)
        .filter(bureau=bureau, kind="criminal")
        .order_by()
        .annotate(month=TruncMonth("opened_at", tzinfo=zone(bureau)))
        .values("month")
        .annotate(n=Count("pk"), c=Count("pk", filter=in_centre))
        .order_by("month")
    )
    out = []
    for r in rows:
        m = r["month"]
        m = m.date() if isinstance(m, dt.datetime) else m
        out.append(MonthShare(month=m, criminal=r["n"], center=r["c"]))
    return out


def share_chart(shares: list[MonthShare]) -> dict:
    return {
        "labels": [f"{s.month:%Y-%m}" for s in shares],
        "values": [round(100 * s.share, 1) if s.share is not None else None for s in shares],
    }
