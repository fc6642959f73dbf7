"""The figures of a unit's dashboard, read through the scoping layer.

Every figure comes with the address of the rows behind it: the incident list filtered by
unit, month, category family or night hours, the case list filtered by unit, stage, age or
period, the visit list, the duty pages.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Min, Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext

from jingwu.cases.choices import CASE_STATUS_CHOICES
from jingwu.cases.models import Case
from jingwu.core.clock import data_date, day_start, local_day, zone
from jingwu.core.scope import area_q, can, restrict, under_unit_q
from jingwu.duty.models import GridWork, Roster
from jingwu.incidents.choices import COMPLETED_RESULTS, SATISFIED_RESULTS
from jingwu.incidents.models import Callback, Incident, IncidentCategory
from jingwu.incidents.selectors import night_callouts
from jingwu.inspections.models import Visit
from jingwu.org.models import Unit
from jingwu.personnel.models import Posting

from .indicators import values_of
from .measures import add_months, month_list
from .sources import DISTINCT, OVERDUE, SUM, Source, unit_names

INSPECTION_KINDS = ("headquarters", "prevention_center", "station", "zone", "grid")

PERIODS = (3, 6, 12, 24)
OLD_CASE_DAYS = 90
CLOSED_STAGES = ("closed", "solved")
CHILD_KINDS = {"headquarters": ("station",), "station": ("zone",), "zone": ("grid",)}


@dataclass
class Dashboard:
    unit: Unit
    months: int
    first: dt.date
    last: dt.date
    sees_incidents: bool
    sees_people: bool
    sees_cases: bool
    sees_inspections: bool = False
    sees_duty: bool = False
    sees_callbacks: bool = False
    incidents: int = 0
    police: int | None = None
    by_month: dict = field(default_factory=dict)
    by_category: dict = field(default_factory=dict)
    children: list = field(default_factory=list)
    cases: dict = field(default_factory=dict)
    list_unit: Unit | None = None  # the unit the case and officer lists are filtered by (a grid's zone)
    night_callouts: int | None = None
    visits_done: int | None = None
    compliance: float | None = None  # percent of the visits done
    premises_overdue: int | None = None
    inspections: dict = field(default_factory=dict)
    duty: dict = field(default_factory=dict)
    duty_coverage: float | None = None  # percent
    grid_work_hours: float | None = None
    cases_opened: int | None = None
    clearance: float | None = None  # percent
    cases_old: int | None = None
    satisfaction: float | None = None  # percent of the completed callbacks
    callbacks: dict = field(default_factory=dict)
    incidents_url: str = ""
    police_url: str = ""
    overdue_url: str = ""
    visits_url: str = ""
    grid_work_url: str = ""
    cases_url: str = ""
    callbacks_url: str = ""
    night_url: str = ""
    cases_old_url: str = ""
    duty_url: str = ""
    indicators: list = field(default_factory=list)  # (indicator, value, url) of the unit's set
    # indicator code -> the querysets its value was computed from (``sources.Source``)
    sources: dict = field(default_factory=dict)
    source_text: dict = field(default_factory=dict)  # indicator code -> the readable source queries
    officers: dict = field(default_factory=dict)  # the workload per officer (``workload.per_officer``)

    @property
    def night_per_officer(self) -> float | None:
        if self.night_callouts is None or not self.police:
            return None
        return round(self.night_callouts / self.police, 2)

    @property
    def per_officer(self) -> float | None:
        return round(self.incidents / self.police, 1) if self.police else None

    @property
    def per_1000(self) -> float | None:
        return round(1000 * self.incidents / self.unit.residents, 1) if self.unit.residents else None


def _incident_url(unit: Unit, first: dt.date, last: dt.date, **extra) -> str:
    q = {"unit": unit.pk, "received_from": first.isoformat(), "received_to": last.isoformat(), **extra}
    return reverse("incidents:incident_list") + "?" + urlencode(q)


def _month_end(m: dt.date) -> dt.date:
    return add_months(m, 1) - dt.timedelta(days=1)


def data_begin(bureau, tz=None) -> dt.date | None:
    """The bureau's local day of its first incident (None without one): its data begin."""
    earliest = Incident.objects.filter(bureau=bureau).aggregate(m=Min("received_at"))["m"]
    return local_day(earliest, tz or zone(bureau)) if earliest is not None else None


def _area_q(unit: Unit) -> Q:
    return under_unit_q(Incident, unit)


def _police_postings(user, unit: Unit, day: dt.date, units=None):
    """The postings of police officers in the unit or below valid on ``day``, as the user sees them."""
    if units is None:
        units = Unit.objects.filter(bureau=unit.bureau, path__startswith=unit.path).values_list(
            "pk", flat=True
        )
    return (
        restrict(Posting.objects.filter(bureau=unit.bureau), user)
        .filter(unit_id__in=list(units), start__lte=day, officer__kind="police")
        .filter(Q(end__isnull=True) | Q(end__gte=day))
    )


def _police_by_unit(user, unit: Unit, day: dt.date) -> dict[str, int]:
    """Police posted on ``day`` (as the user sees them), by the path of the posting's unit."""
    units = dict(
        Unit.objects.filter(bureau=unit.bureau, path__startswith=unit.path).values_list("pk", "path")
    )
    rows = _police_postings(user, unit, day, units).values_list("officer_id", "unit_id")
    seen: dict[int, str] = {}
    for officer_id, unit_id in rows:
        seen.setdefault(officer_id, units[unit_id])
    return Counter(seen.values())


def build(user, unit: Unit, months: int = 12, *, period: tuple[dt.date, dt.date] | None = None) -> Dashboard:
    """The figures of ``months`` months up to the data date, or of ``period`` (first and last day)."""
    tz = zone(unit.bureau)
    if period is None:
        last_day = data_date(unit.bureau)
        # the months up to the data date; the last one may be partial (the data end in it)
        ms = month_list(add_months(last_day.replace(day=1), -(months - 1)), months)
        first, last = ms[0], last_day
    else:
        first, last = period
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        ms = month_list(first.replace(day=1), months)
    d = Dashboard(
        unit=unit,
        months=months,
        first=first,
        last=last,
        # centers and departments have no area of their own: their work is their cases
        sees_incidents=can(user, Incident, "view")
        and unit.kind in ("headquarters", "station", "zone", "grid"),
        sees_people=can(user, Posting, "view"),
        sees_cases=can(user, Case, "view"),
        sees_inspections=can(user, Visit, "view") and unit.kind in INSPECTION_KINDS,
        sees_duty=can(user, Roster, "view") or can(user, GridWork, "view"),
        sees_callbacks=can(user, Callback, "view")
        and unit.kind in ("headquarters", "station", "zone", "grid"),
    )
    d.list_unit = unit.parent if unit.kind == "grid" else unit
    start, end = day_start(first, tz), day_start(last + dt.timedelta(days=1), tz)
    police = _police_by_unit(user, unit, last) if d.sees_people else {}
    if d.sees_people:
        d.police = sum(police.values())
        d.sources["police"] = [Source("A", _police_postings(user, unit, last), DISTINCT, "officer_id", tz=tz)]
        d.police_url = reverse("personnel:officer_list") + "?" + urlencode({"unit": d.list_unit.pk})
    if d.sees_incidents:
        inc = restrict(Incident.objects.filter(_area_q(unit)), user).filter(
            received_at__gte=start, received_at__lt=end
        )
        per_month = {
            (r["m"].date() if isinstance(r["m"], dt.datetime) else r["m"]).replace(day=1): r["n"]
            for r in inc.annotate(m=TruncMonth("received_at", tzinfo=tz))
            .order_by()
            .values("m")
            .annotate(n=Count("id"))
        }
        # a month wholly before the bureau's first incident or after its data date has no
        # data: null (a gap in the chart, "–" in a report), never 0
        begin, end_day = data_begin(unit.bureau, tz), data_date(unit.bureau)

        def has_data(m: dt.date) -> bool:
            return begin is not None and _month_end(m) >= begin and m <= end_day

        d.by_month = {
            "labels": [m.strftime("%Y-%m") for m in ms],
            "series": [
                {
                    "name": gettext("Incidents"),
                    "values": [per_month.get(m, 0) if has_data(m) else None for m in ms],
                }
            ],
            "links": [_incident_url(unit, m, min(_month_end(m), last)) if has_data(m) else "" for m in ms],
        }
        d.incidents = sum(per_month.values())
        d.incidents_url = _incident_url(unit, first, last)
        night = night_callouts(inc, tz)
        d.night_callouts = night.count()
        d.sources["incidents"] = [Source("A", inc, tz=tz)]
        d.sources["night_callouts"] = [Source("A", night, tz=tz)]
        d.night_url = _incident_url(unit, first, last, night="yes")
        fams = Counter()
        for code, n in inc.order_by().values_list("category__code").annotate(n=Count("id")):
            fams[code[:2]] += n
        names = {c.code: c for c in IncidentCategory.objects.filter(code__in=list(fams))}
        top = fams.most_common()
        d.by_category = {
            "labels": [names[c].name if c in names else c for c, _n in top],
            "series": [{"name": gettext("Incidents"), "values": [n for _c, n in top]}],
            "links": [
                _incident_url(unit, first, last, category=names[c].pk) if c in names else "" for c, _n in top
            ],
        }
        kinds = CHILD_KINDS.get(unit.kind)
        if kinds:
            children = list(
                restrict(Unit.objects.current(last).filter(parent=unit, kind__in=kinds), user).order_by(
                    "code"
                )
            )
            field_name = {"station": "station_id", "zone": "zone_id", "grid": "grid_id"}[kinds[0]]
            counts = dict(inc.order_by().values_list(field_name).annotate(n=Count("id")))
            for ch in children:
                n = counts.get(ch.pk, 0)
                p = (
                    sum(v for path, v in police.items() if path.startswith(ch.path))
                    if d.sees_people
                    else None
                )
                d.children.append(
                    {
                        "unit": ch,
                        "incidents": n,
                        "per_1000": round(1000 * n / ch.residents, 1) if ch.residents else None,
                        "police": p,
                        "per_officer": round(n / p, 1) if p else None,
                        "url": _incident_url(ch, first, last),
                    }
                )
    if d.sees_cases:
        _cases(d, user, unit, tz)
    if d.sees_inspections:
        _inspections(d, user, unit, first, last)
    if d.sees_duty:
        _duty(d, user, unit, first, last)
    if d.sees_callbacks:
        _callbacks(d, user, unit, start, end)
    from .workload import per_officer

    d.officers = per_officer(user, unit, first, last)
    # the rates: their sources are those of their parts
    police_src = [Source("B", s.qs, s.measure, s.field, tz=tz) for s in d.sources.get("police", [])]
    if "incidents" in d.sources:
        d.sources["per_1000"] = d.sources["incidents"]
        if police_src:
            d.sources["per_officer"] = d.sources["incidents"] + police_src
            d.sources["night_per_officer"] = d.sources["night_callouts"] + police_src
    d.indicators = [(i, v, i.url(d)) for i, v in values_of(d, no_data=True)]
    names = unit_names(s for i, _v, _u in d.indicators for s in d.sources.get(i.code, ()))
    d.source_text = {
        i.code: "; ".join(s.readable(names) for s in d.sources.get(i.code, ())) for i, _v, _u in d.indicators
    }
    return d


def _case_list_url(**q) -> str:
    return reverse("cases:case_list") + "?" + urlencode(q)


def _cases(d: Dashboard, user, unit: Unit, tz) -> None:
    """Cases owned by the unit or below: by stage, by owning unit, by age; opened in the period."""
    cases = restrict(Case.objects.filter(under_unit_q(Case, unit)), user)
    by_status = dict(cases.order_by().values_list("status").annotate(n=Count("id")))
    # unsolved and not ended: registered, under investigation, suspended (a withdrawn case is
    # ended; a solved one waits only for its file to close)
    open_cases = cases.exclude(status__in=Case.SETTLED_STATUSES)
    # ages in whole local days on the last day: opened on or after the start of day last-30
    # is 0-30 days old, and so on, counted in the database
    since_30 = day_start(d.last - dt.timedelta(days=30), tz)
    since_90 = day_start(d.last - dt.timedelta(days=90), tz)
    ages = open_cases.aggregate(
        young=Count("id", filter=Q(opened_at__gte=since_30)),
        middle=Count("id", filter=Q(opened_at__gte=since_90, opened_at__lt=since_30)),
        old=Count("id", filter=Q(opened_at__lt=since_90)),
    )
    ages = {"0-30": ages["young"], "31-90": ages["middle"], "91+": ages["old"]}
    # the case list's local-day range of each age band (opened on or after / on or before)
    day = d.last
    bands = {
        "0-30": {"opened_from": day - dt.timedelta(days=30)},
        "31-90": {"opened_from": day - dt.timedelta(days=90), "opened_to": day - dt.timedelta(days=31)},
        "91+": {"opened_to": day - dt.timedelta(days=91)},
    }
    owners = Counter(dict(cases.order_by().values_list("owning_unit_id").annotate(n=Count("id"))))
    names = {u.pk: u for u in Unit.objects.filter(pk__in=list(owners))}
    start, end = day_start(d.first, tz), day_start(d.last + dt.timedelta(days=1), tz)
    opened = cases.filter(opened_at__gte=start, opened_at__lt=end)
    d.cases_opened = opened.count()
    cleared_qs = opened.filter(status__in=CLOSED_STAGES)
    cleared = cleared_qs.count()
    d.clearance = round(100 * cleared / d.cases_opened, 1) if d.cases_opened else None
    old = open_cases.filter(opened_at__lt=day_start(d.last - dt.timedelta(days=OLD_CASE_DAYS), tz))
    d.cases_old = old.count()
    d.sources["cases"] = [Source("A", opened, tz=tz)]
    d.sources["clearance"] = [Source("A", cleared_qs, tz=tz), Source("B", opened, tz=tz)]
    d.sources["cases_old"] = [Source("A", old, tz=tz)]
    d.cases_url = _case_list_url(
        unit=d.list_unit.pk, opened_from=d.first.isoformat(), opened_to=d.last.isoformat()
    )
    # the same rows as the "91+" age band
    d.cases_old_url = _case_list_url(
        unit=d.list_unit.pk, unsolved="yes", opened_to=bands["91+"]["opened_to"].isoformat()
    )
    d.cases = {
        "status": [
            (
                label,
                by_status.get(code, 0),
                _case_list_url(unit=d.list_unit.pk, status=code),
            )
            for code, label in CASE_STATUS_CHOICES
            if by_status.get(code)
        ],
        "total": sum(by_status.values()),
        "ages": [
            (
                k,
                ages.get(k, 0),
                _case_list_url(
                    unit=d.list_unit.pk,
                    unsolved="yes",
                    **{f: v.isoformat() for f, v in bands[k].items()},
                ),
            )
            for k in ("0-30", "31-90", "91+")
        ],
        "owners": [
            (names[pk], n, _case_list_url(unit=pk))
            for pk, n in sorted(owners.items(), key=lambda kv: (-kv[1], names[kv[0]].path))
            if pk in names
        ],
    }


def _inspections(d: Dashboard, user, unit: Unit, first: dt.date, last: dt.date) -> None:
    """Visits done in the period and their compliance; premises overdue and due on the data date
    (counted from the inspections due table, as the due list counts them)."""
    from jingwu.inspections.selectors import due_counts
    from jingwu.places.selectors import premises_for

    area = Q(bureau_id=unit.bureau_id) if unit.kind == "prevention_center" else under_unit_q(Visit, unit)
    done = restrict(Visit.objects.filter(area), user).filter(status="done", day__gte=first, day__lte=last)
    counts = done.aggregate(n=Count("id"), clean=Count("id", filter=Q(failed_items=0)))
    d.visits_done = counts["n"]
    d.compliance = round(100 * counts["clean"] / counts["n"], 1) if counts["n"] else None
    tz = zone(unit.bureau)
    d.sources["visits"] = [Source("A", done, tz=tz)]
    d.sources["compliance"] = [Source("A", done.filter(failed_items=0), tz=tz), Source("B", done, tz=tz)]
    visits_q = {"status": "done", "day_from": first.isoformat(), "day_to": last.isoformat()}
    if unit.kind != "prevention_center":
        visits_q["unit"] = unit.pk
    d.visits_url = reverse("inspections:visit_list") + "?" + urlencode(visits_q)
    premises = premises_for(user).filter(status="active")
    if unit.kind != "prevention_center":
        premises = premises.filter(area_q(unit))
    due = due_counts(premises)
    d.premises_overdue = due["overdue"]
    d.sources["premises_overdue"] = [Source("A", premises, OVERDUE, tz=zone(unit.bureau))]
    query = {"state": "overdue"}
    if unit.kind != "prevention_center":
        query["unit"] = unit.pk
    d.overdue_url = reverse("inspections:due_list") + "?" + urlencode(query)
    d.inspections = {
        "done": d.visits_done,
        "done_url": d.visits_url,
        "clean": counts["clean"],
        "premises": due["premises"],
        "overdue": d.premises_overdue,
        "due": due["due"],
        "due_url": reverse("inspections:due_list") + "?" + urlencode({**query, "state": "due"}),
    }


def _duty(d: Dashboard, user, unit: Unit, first: dt.date, last: dt.date) -> None:
    """Duty coverage of the current rosters of the unit's stations; grid work logged in the period."""
    from django.db.models import Sum

    from jingwu.duty.selectors import roster_on, station_of, stations_for

    if can(user, Roster, "view"):
        if unit.kind == "headquarters":
            stations = list(stations_for(user).filter(bureau=unit.bureau).order_by("code"))
        else:
            st = station_of(unit)
            stations = [st] if st is not None and stations_for(user).filter(pk=st.pk).exists() else []
        today = data_date(unit.bureau)
        rows, needed, short = [], 0, 0
        for st in stations:
            roster = roster_on(user, st, today)
            if roster is None or not roster.covers(today):
                rows.append({"station": st, "roster": None})
                continue
            r = roster.results or {}
            needed += int(r.get("people_needed", 0))
            short += int(r.get("people_short", 0))
            rows.append(
                {
                    "station": st,
                    "roster": roster,
                    "needed": r.get("people_needed", 0),
                    "short": r.get("people_short", 0),
                    "share": round(100 * float(r.get("coverage_share", 0)), 1),
                    "url": reverse("duty:roster_detail", args=[roster.pk]),
                }
            )
        d.duty = {"rows": rows, "today": today}
        # one station's roster, else the duty page listing the stations
        with_roster = [r for r in rows if r["roster"] is not None]
        if unit.kind != "headquarters" and len(with_roster) == 1:
            d.duty_url = with_roster[0]["url"]
        elif unit.kind != "headquarters" and stations:
            d.duty_url = reverse("duty:station", args=[stations[0].pk])
        else:
            d.duty_url = reverse("duty:index")
        d.duty_coverage = round(100 * (1 - short / needed), 1) if needed else None
        counted = [r["roster"].pk for r in with_roster]
        d.sources["duty_coverage"] = [
            Source("A", Roster.objects.filter(bureau_id=unit.bureau_id, pk__in=counted), tz=zone(unit.bureau))
        ]
    if can(user, GridWork, "view") and unit.kind in ("headquarters", "station", "zone", "grid"):
        # by the grids' ids, so the log's (bureau, grid, day) index is used
        work = restrict(
            GridWork.objects.filter(bureau=unit.bureau, grid_id__in=_grid_ids(unit)), user
        ).filter(day__gte=first, day__lte=last)
        minutes = work.aggregate(m=Sum("minutes"))["m"]
        d.sources["grid_work_hours"] = [Source("A", work, SUM, "minutes", tz=zone(unit.bureau))]
        d.grid_work_hours = round(minutes / 60, 1) if minutes else None
        d.grid_work_url = (
            reverse("duty:work_log")
            + "?"
            + urlencode({"unit": unit.pk, "day_from": first.isoformat(), "day_to": last.isoformat()})
        )


def _callbacks(d: Dashboard, user, unit: Unit, start: dt.datetime, end: dt.datetime) -> None:
    """Public satisfaction: the callbacks to the reporters of the area's incidents made in the
    period (bureau local days), the share of the completed ones that were (basically) satisfied."""
    calls = restrict(Callback.objects.filter(under_unit_q(Callback, unit)), user).filter(
        called_at__gte=start, called_at__lt=end
    )
    tz = zone(unit.bureau)
    d.sources["satisfaction"] = [
        Source("A", calls.filter(result__in=SATISFIED_RESULTS), tz=tz),
        Source("B", calls.filter(result__in=COMPLETED_RESULTS), tz=tz),
    ]
    counts = calls.aggregate(
        calls=Count("id"),
        completed=Count("id", filter=Q(result__in=COMPLETED_RESULTS)),
        satisfied=Count("id", filter=Q(result__in=SATISFIED_RESULTS)),
        complaints=Count("id", filter=Q(complaint=True)),
    )
    # no completed callback: no figure (never 0% or 100% of nothing)
    d.satisfaction = (
        round(100 * counts["satisfied"] / counts["completed"], 1) if counts["completed"] else None
    )
    d.callbacks_url = (
        reverse("incidents:callback_list")
        + "?"
        + urlencode({"unit": unit.pk, "called_from": d.first.isoformat(), "called_to": d.last.isoformat()})
    )
    d.callbacks = {**counts, "url": d.callbacks_url}


def _grid_ids(unit: Unit) -> list[int]:
    if unit.kind == "grid":
        return [unit.pk]
    return list(
        Unit.objects.filter(bureau_id=unit.bureau_id, kind="grid", path__startswith=unit.path).values_list(
            "pk", flat=True
        )
    )
