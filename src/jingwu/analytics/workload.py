"""Workload per officer on a unit's dashboard, each figure with the rows behind it.

For each officer posted in the unit (or below it) in the period, as the user sees them:
- duty: shifts and hours in the stations' published rosters (``duty.RosterEntry``);
- grid work: entries and hours in the grid work log (``duty.GridWork``), summed as the
  Four-Star evaluation sums them (``evaluation.evidence.grid_work_by_officer``);
- inspection visits done that the officer recorded (the visit's ``recorded_by`` user);
- callbacks to reporters the officer made (``incidents.Callback.officer``);
- cases opened in the period owned by the officer's unit or below it: the bureau's cases
  name no officer, so the officer's unit stands for their case work, as in the Four-Star
  evidence.
Night call-outs are not attributed: an incident names no officer who went.

A fixed number of grouped queries whatever the number of officers. Each column is shown
only to a user who sees its rows; a user who sees no officers (a community officer) gets
their own row only. On the county, the figures are summed by the unit below (a station,
a center) with a link to its dashboard.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.urls import reverse

from jingwu.core.clock import day_start, zone
from jingwu.core.scope import can, restrict

COLUMNS = ("shifts", "hours", "work", "work_hours", "visits", "callbacks", "cases")


def _url(name: str, **q) -> str:
    return reverse(name) + "?" + urlencode(q)


def per_officer(user, unit, first: dt.date, last: dt.date) -> dict:
    """``{"rows": [...], "columns": {...}, "by_unit": bool, "totals": {...}}`` or ``{}``."""
    from jingwu.accounts.models import User
    from jingwu.cases.models import Case
    from jingwu.duty.models import GridWork, RosterEntry
    from jingwu.evaluation.evidence import grid_work_by_officer
    from jingwu.incidents.models import Callback
    from jingwu.inspections.models import Visit
    from jingwu.org.models import Unit
    from jingwu.personnel.models import Officer, Posting

    tz = zone(unit.bureau)
    start, end = day_start(first, tz), day_start(last + dt.timedelta(days=1), tz)
    bureau_id = unit.bureau_id
    postings = (
        Posting.objects.filter(bureau_id=bureau_id, unit__path__startswith=unit.path, start__lte=last)
        .filter(Q(end__isnull=True) | Q(end__gte=first))
        .select_related("officer", "unit")
        .defer("unit__boundary")
        .order_by("officer_id", "-start", "-id")
    )
    if can(user, Posting, "view"):
        postings = restrict(postings, user)
    else:
        # who sees no officers sees their own row, if they are posted here
        own = getattr(user, "officer_id", None)
        if own is None:
            return {}
        postings = postings.filter(officer_id=own)
    officers: dict[int, tuple] = {}  # officer id -> (officer, their unit in the period, latest posting)
    for p in postings:
        officers.setdefault(p.officer_id, (p.officer, p.unit))
    if not officers:
        return {}
    ids = list(officers)
    cols = {
        "duty": can(user, RosterEntry, "view"),
        "work": can(user, GridWork, "view"),
        "visits": can(user, Visit, "view"),
        "callbacks": can(user, Callback, "view"),
        "cases": can(user, Case, "view"),
    }
    shifts: dict[int, tuple[int, float]] = {}
    if cols["duty"]:
        hours = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
        for officer_id, n, length in (
            restrict(RosterEntry.objects.filter(bureau_id=bureau_id), user)
            .filter(roster__status="published", officer_id__in=ids, day__gte=first, day__lte=last)
            .order_by()
            .values_list("officer_id")
            .annotate(n=Count("id"), length=Sum(hours))
        ):
            shifts[officer_id] = (n, round(length.total_seconds() / 3600, 1) if length else 0.0)
    work: dict[int, dict] = {}
    if cols["work"]:
        work = grid_work_by_officer(
            restrict(GridWork.objects.filter(bureau_id=bureau_id), user).filter(
                officer_id__in=ids, day__gte=first, day__lte=last
            )
        )
    visits: dict[int, int] = {}
    if cols["visits"]:
        users = dict(User.objects.filter(officer_id__in=ids).values_list("pk", "officer_id"))
        if users:
            for user_id, n in (
                restrict(Visit.objects.filter(bureau_id=bureau_id), user)
                .filter(recorded_by_id__in=list(users), status="done", day__gte=first, day__lte=last)
                .order_by()
                .values_list("recorded_by_id")
                .annotate(n=Count("id"))
            ):
                visits[users[user_id]] = visits.get(users[user_id], 0) + n
    callbacks: dict[int, int] = {}
    if cols["callbacks"]:
        callbacks = dict(
            restrict(Callback.objects.filter(bureau_id=bureau_id), user)
            .filter(officer_id__in=ids, called_at__gte=start, called_at__lt=end)
            .order_by()
            .values_list("officer_id")
            .annotate(n=Count("id"))
        )
    case_units: dict[int, int] = {}
    if cols["cases"]:
        case_units = dict(
            restrict(Case.objects.filter(bureau_id=bureau_id), user)
            .filter(owning_unit__path__startswith=unit.path, opened_at__gte=start, opened_at__lt=end)
            .order_by()
            .values_list("owning_unit__path")
            .annotate(n=Count("id"))
        )

    def cases_under(u) -> int:
        return sum(n for path, n in case_units.items() if path.startswith(u.path))

    period = {"day_from": first.isoformat(), "day_to": last.isoformat()}
    rows = []
    for officer_id, (officer, posted) in officers.items():
        w = work.get(officer_id, {})
        n_shifts, n_hours = shifts.get(officer_id, (0, 0.0))
        rows.append(
            {
                "officer": officer,
                "unit": posted,
                "shifts": n_shifts if cols["duty"] else None,
                "hours": n_hours if cols["duty"] else None,
                "work": w.get("entries", 0) if cols["work"] else None,
                "work_hours": round(w.get("minutes", 0) / 60, 1) if cols["work"] else None,
                "visits": visits.get(officer_id, 0) if cols["visits"] else None,
                "callbacks": callbacks.get(officer_id, 0) if cols["callbacks"] else None,
                "cases": cases_under(posted) if cols["cases"] else None,
                "urls": {
                    "work": _url("duty:work_log", officer=officer_id, **period),
                    "visits": _url("inspections:visit_list", officer=officer_id, status="done", **period),
                    "callbacks": _url(
                        "incidents:callback_list",
                        officer=officer_id,
                        called_from=first.isoformat(),
                        called_to=last.isoformat(),
                    ),
                    "cases": _url(
                        "cases:case_list",
                        unit=posted.pk,
                        opened_from=first.isoformat(),
                        opened_to=last.isoformat(),
                    ),
                    "shifts": _url("duty:entry_list", officer=officer_id, **period),
                },
            }
        )
    rows.sort(key=lambda r: (r["unit"].path, r["officer"].police_number))
    out = {"columns": cols, "rows": rows, "by_unit": False, "officers": len(rows)}
    if unit.kind == "headquarters":
        # the county: summed by the unit below headquarters, each opening its own dashboard
        children = list(
            restrict(Unit.objects.current(last).filter(parent=unit), user).defer("boundary").order_by("code")
        )
        grouped = []
        for ch in children:
            mine = [r for r in rows if r["unit"].path.startswith(ch.path)]
            if not mine:
                continue
            g = {"unit": ch, "officers": len(mine), "url": reverse("analytics:dashboard", args=[ch.pk])}
            for c in COLUMNS:
                if c == "cases":
                    g[c] = cases_under(ch) if cols["cases"] else None
                    continue
                vals = [r[c] for r in mine if r[c] is not None]
                g[c] = round(sum(vals), 1) if vals else None
            grouped.append(g)
        out.update(rows=grouped, by_unit=True)
    # Officer rows have no model of their own to hide: a user who sees no officers got
    # their own row (above); the aggregation is what the page shows.
    out["sees_officers"] = can(user, Officer, "view")
    return out
