"""Duty pages: a station's duty (set-up, coverage needs, rosters, today's duty), patterns, a roster."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingwu.core.clock import data_date, user_bureau
from jingwu.core.i18n import is_chinese
from jingwu.core.scope import can, restrict
from jingwu.engine.roster.reasons import describe
from jingwu.jobs.services import latest_job
from jingwu.jobs.views import decorate

from .choices import ACTIVE
from .models import DutyPattern, GridDuty, GridWork, LeaveRequest, Retasking, Roster, StationDuty, SwapRequest
from .patterns import shift_types
from .selectors import duty_today, may_see_leave_reason, patterns_for, rosters_for, setups_for, stations_for
from .services import (
    default_setup,
    do_compute_coverage,
    do_decide_leave,
    do_decide_swap,
    do_publish_roster,
    do_request_leave,
    do_request_swap,
    do_save_pattern,
    do_set_station_duty,
    do_start_roster,
)


def _weekdays() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def _errors(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _station(request, pk: int):
    return get_object_or_404(stations_for(request.user), pk=pk)


@login_required
def station_duty(request, pk: int):
    """A station's duty: today's duty, the set-up, coverage needs per zone and hour, the rosters."""
    from .roster import station_staff

    station = _station(request, pk)
    user = request.user
    if not can(user, StationDuty, "view"):
        raise Http404
    setup = setups_for(user).filter(station=station).first()
    may_change = _may(user, StationDuty, "change", station)
    # read only: a station not set up yet shows its type's defaults, unsaved, and the button
    # that sets it up and computes its coverage needs (a POST, through the services)
    set_up = setup is not None
    if setup is None:
        setup = default_setup(station)
    from jingwu.org.models import Unit

    zones = {
        str(z.pk): z for z in Unit.objects.filter(pk__in=[int(k) for k in setup.coverage]).order_by("code")
    }
    days = _weekdays()
    coverage = []
    for zid, zone in zones.items():
        row = setup.coverage.get(zid) or []
        coverage.append(
            {
                "zone": zone,
                "days": [{"label": days[d], "hours": row[d * 24 : d * 24 + 24]} for d in range(7)],
                "peak": max(row) if row else 0,
                "reactive": setup.coverage_basis.get("reactive_hours", {}).get(zid),
                "scheduled": setup.coverage_basis.get("scheduled_hours", {}).get(zid),
            }
        )
    rosters = list(rosters_for(user).filter(station=station)[:20])
    ctx = {
        "station": station,
        "setup": setup,
        "set_up": set_up,
        "computed": set_up and setup.coverage_at is not None,
        "coverage": coverage,
        "hours": list(range(24)),
        "rosters": rosters,
        "today": duty_today(user, station),
        "may_change": may_change,
        "may_roster": _may(user, Roster, "add", station),
        "patterns": list(patterns_for(user)),
        "default_start": data_date(station.bureau_id),
        "leave": _leave_rows(user, station),
        "may_leave": can(user, LeaveRequest, "add"),
        "may_decide": _may(user, LeaveRequest, "approve", station),
        "people": _people_for(user, station),
        "grids": _grids(user, station),
        "retaskings": list(
            restrict(Retasking.objects.filter(station=station), user).prefetch_related("officers")[:10]
        ),
        "may_retask": _may(user, Retasking, "add", station),
        "may_approve_retask": _may(user, Retasking, "approve", station),
        "staff": sorted(
            (o for o, _z, _r in station_staff(station, data_date(station.bureau_id))),
            key=lambda o: o.police_number,
        ),
    }
    return render(request, "duty/station.html", ctx)


def _leave_rows(user, station) -> list:
    """The station's leave the user sees; approved leave with what its re-plan changed and
    the needs of the re-planned days left unmet (zone and shift by name)."""
    from jingwu.org.models import Unit

    rows = list(
        restrict(LeaveRequest.objects.filter(station=station), user).select_related(
            "officer", "requested_by"
        )[:30]
    )
    zone_ids = {u["zone"] for lv in rows for r in lv.replan for u in r.get("unmet", [])}
    zones = {z.pk: z.name for z in Unit.objects.filter(pk__in=zone_ids)}
    visible = dict(
        rosters_for(user)
        .filter(pk__in=[r["roster"] for lv in rows for r in lv.replan])
        .values_list("pk", "pattern")
    )
    zh = is_chinese()

    def shift_name(roster_id: int, code: str) -> str:
        for sh in (visible[roster_id] or {}).get("shifts", []):
            if sh["code"] == code:
                return (sh.get("name_zh") if zh else sh.get("name_en")) or code
        return code

    for lv in rows:
        lv.reason_shown = lv.reason if may_see_leave_reason(user, lv) else ""
        lv.replan_rows = []
        for r in lv.replan:
            if r["roster"] not in visible:
                continue
            lv.replan_rows.append(
                {
                    **r,
                    "unmet_rows": [
                        {
                            **u,
                            "zone_name": zones.get(u["zone"], ""),
                            "shift_name": shift_name(r["roster"], u["shift"]),
                            "lead": u["kind"] == "lead",
                        }
                        for u in r.get("unmet", [])
                    ],
                    "missing": sum(u["missing"] for u in r.get("unmet", [])),
                }
            )
    return rows


def _grids(user, station) -> list:
    """The station's grids the user sees, their responsible officer and hours of work in 28 days."""
    from .selectors import grid_workload, grids_for

    today = data_date(station.bureau_id)
    grids = list(grids_for(user).filter(path__startswith=station.path).current(today).order_by("code"))
    rows = {g.grid_id: g for g in GridDuty.objects.filter(grid__in=grids).select_related("officer")}
    load = grid_workload(user, [g.pk for g in grids], first=today - dt.timedelta(days=27), last=today)
    return [
        {
            "grid": g,
            "officer": getattr(rows.get(g.pk), "officer", None),
            "hours": load.get(g.pk, {}).get("hours", 0),
        }
        for g in grids
    ]


def _people_for(user, station) -> list:
    """The station's people the user may ask leave or a swap for (the chief: everyone)."""
    from .roster import station_staff
    from .services import _authorize_for

    out = []
    on = data_date(station.bureau_id)
    for officer, _z, _r in station_staff(station, on):
        try:
            _authorize_for(user, LeaveRequest, "add", station, officer, on)
        except PermissionDenied:
            continue
        out.append(officer)
    return sorted(out, key=lambda o: o.police_number)


def _may(user, model, action: str, unit) -> bool:
    from jingwu.core.services import authorize

    try:
        authorize(user, model, action, unit=unit)
    except PermissionDenied:
        return False
    return True


@login_required
@require_POST
def station_setup_save(request, pk: int):
    station = _station(request, pk)
    if not can(request.user, StationDuty, "view"):
        raise Http404
    pattern = patterns_for(request.user).filter(pk=request.POST.get("pattern") or 0).first()
    try:
        if pattern is None:
            raise ValidationError({"pattern": _("Choose a duty pattern.")})
        do_set_station_duty(
            station,
            actor=request.user,
            pattern=pattern,
            min_on_duty=_int(request.POST.get("min_on_duty"), -1),
            lead_per_zone=request.POST.get("lead_per_zone") == "on",
            max_week_hours=_int(request.POST.get("max_week_hours"), -1),
            max_consecutive_days=_int(request.POST.get("max_consecutive_days"), -1),
        )
    except PermissionDenied:
        raise
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The station's duty set-up is saved and its coverage needs recomputed."))
    return redirect("duty:station", pk=station.pk)


def _int(value, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


@login_required
@require_POST
def coverage_compute(request, pk: int):
    station = _station(request, pk)
    if not can(request.user, StationDuty, "view"):
        raise Http404
    try:
        do_compute_coverage(station, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Coverage needs recomputed from the last year's incidents."))
    return redirect("duty:station", pk=station.pk)


@login_required
@require_POST
def roster_start(request, pk: int):
    station = _station(request, pk)
    if not can(request.user, Roster, "view"):
        raise Http404
    try:
        try:
            start = dt.date.fromisoformat(request.POST.get("start", ""))
        except ValueError:
            raise ValidationError({"start": _("Give the first day as a date (YYYY-MM-DD).")}) from None
        roster = do_start_roster(
            station,
            actor=request.user,
            start=start,
            days=_int(request.POST.get("days"), 0),
            time_limit=_int(request.POST.get("time_limit"), 0),
        )
    except ValidationError as exc:
        _errors(request, exc)
        return redirect("duty:station", pk=station.pk)
    messages.success(request, _("The roster is being solved."))
    return redirect("duty:roster_detail", pk=roster.pk)


def _roster_context(request, roster: Roster) -> dict:
    from jingwu.org.models import Unit

    from .roster import station_staff

    user = request.user
    zh = is_chinese()
    pattern = roster.pattern or {}
    names = {
        s["code"]: (s.get("name_zh") if zh else s.get("name_en")) or s["code"]
        for s in pattern.get("shifts", [])
    }
    nights = {s["code"] for s in pattern.get("shifts", []) if s.get("night")}
    from jingwu.core.scope import restrict

    from .models import RosterEntry

    entries = list(
        restrict(RosterEntry.objects.filter(roster=roster), user).select_related("officer", "zone")
    )
    days = [roster.start + dt.timedelta(days=i) for i in range(roster.days)]
    index = {d: i for i, d in enumerate(days)}
    rows: dict[int, dict] = {}
    for e in entries:
        row = rows.setdefault(
            e.officer_id, {"officer": e.officer, "cells": [None] * len(days), "minutes": 0, "nights": 0}
        )
        row["cells"][index[e.day]] = {
            "shift": names.get(e.shift, e.shift),
            "zone": e.zone,
            "lead": e.lead,
            "night": e.shift in nights,
        }
        row["minutes"] += int((e.end - e.start).total_seconds() // 60)
        row["nights"] += e.shift in nights
    for row in rows.values():
        row["hours"] = row["minutes"] / 60
    results = roster.results or {}
    zone_ids = {u["zone"] for u in results.get("unmet", [])}
    zone_names = {z.pk: z.name for z in Unit.objects.filter(pk__in=zone_ids)}
    lang = "zh" if zh else "en"
    unmet = []
    for u in results.get("unmet", []):
        m = u.get("eligible", 0)
        n = dict((k, v) for k, v in u.get("reasons", [])).get(u["reason"], m)
        unmet.append(
            {
                **u,
                "zone_name": zone_names.get(u["zone"], ""),
                "shift_name": names.get(u["shift"], u["shift"]),
                "text": describe(
                    u["reason"],
                    lang,
                    n=n,
                    m=m,
                    zone=zone_names.get(u["zone"], ""),
                    shift=names.get(u["shift"], u["shift"]),
                    skill=u.get("skill", ""),
                ),
            }
        )
    job = latest_job(roster)
    statuses = {
        "OPTIMAL": _("the best roster under these rules"),
        "FEASIBLE": _("a good roster found within the time limit"),
        "INFEASIBLE": _("the hard rules cannot all hold"),
        "UNKNOWN": _("no roster found within the time limit"),
    }
    return {
        "solver_status": statuses.get(results.get("status"), ""),
        "roster": roster,
        "days": days,
        "weekdays": _weekdays(),
        "names": names,
        "rows": sorted(rows.values(), key=lambda r: r["officer"].police_number),
        "results": results,
        "unmet": unmet,
        "job": decorate(job, user) if job else None,
        "active": roster.status in ACTIVE,
        "may_publish": roster.status == "done" and _may(user, Roster, "change", roster.station),
        "swaps": list(
            restrict(SwapRequest.objects.filter(roster=roster), user).select_related("officer_a", "officer_b")
        ),
        "may_swap": roster.status in ("done", "published") and can(user, SwapRequest, "add"),
        "may_decide": _may(user, SwapRequest, "approve", roster.station),
        "people": _people_for(user, roster.station) if can(user, SwapRequest, "add") else [],
        "everyone": sorted(
            (o for o, _z, _r in station_staff(roster.station, roster.start)), key=lambda o: o.police_number
        ),
    }


@login_required
def roster_detail(request, pk: int):
    roster = get_object_or_404(rosters_for(request.user), pk=pk)
    return render(request, "duty/roster_detail.html", _roster_context(request, roster))


@login_required
@require_GET
def roster_progress(request, pk: int):
    roster = get_object_or_404(rosters_for(request.user), pk=pk)
    return render(request, "duty/_roster_progress.html", _roster_context(request, roster))


@login_required
@require_POST
def roster_publish(request, pk: int):
    roster = get_object_or_404(rosters_for(request.user), pk=pk)
    try:
        do_publish_roster(roster, actor=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The roster is published: it is the station's duty for its days."))
    return redirect("duty:roster_detail", pk=roster.pk)


# --- duty patterns --------------------------------------------------------------------


@login_required
def pattern_list(request):
    if not can(request.user, DutyPattern, "view"):
        raise Http404
    from .services import do_add_builtin_patterns, missing_builtin_patterns

    bureau = user_bureau(request.user)
    may_add = can(request.user, DutyPattern, "add")
    if request.method == "POST":  # add the built-in patterns the bureau lacks
        if bureau is None or not may_add:
            raise PermissionDenied
        try:
            do_add_builtin_patterns(actor=request.user, bureau=bureau)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The built-in duty patterns are added."))
        return redirect("duty:pattern_list")
    patterns = list(patterns_for(request.user).order_by("code"))
    for p in patterns:
        types = {t.code: t for t in shift_types(p.shifts)}
        p.shift_rows = [
            {**s, "name": p.shift_name(s["code"]), "end": _end_label(types[s["code"]])} for s in p.shifts
        ]
        p.cycle_names = [p.shift_name(c) if c else "–" for c in p.cycle]
    return render(
        request,
        "duty/pattern_list.html",
        {
            "patterns": patterns,
            "may_add": may_add,
            "builtin_missing": may_add and bureau is not None and bool(missing_builtin_patterns(bureau)),
        },
    )


def _end_label(t) -> str:
    end = ((t.start_minute or 0) + t.minutes) % 1440
    return f"{end // 60:02d}:{end % 60:02d}"


def _pattern_form_data(post) -> dict:
    shifts = []
    for line in (post.get("shifts") or "").splitlines():
        parts = [x.strip() for x in line.replace("，", ",").split(",")]
        if not any(parts):
            continue
        parts += [""] * (6 - len(parts))
        shifts.append(
            {
                "code": parts[0],
                "start": parts[1],
                "hours": parts[2],
                "night": parts[3].lower() in ("1", "y", "yes", "night", "夜", "是", "true"),
                "name_zh": parts[4],
                "name_en": parts[5],
            }
        )
    cycle = (
        [
            None if c.strip() in ("", "-", "–", "休", "off") else c.strip()
            for c in (post.get("cycle") or "").replace("，", ",").split(",")
        ]
        if (post.get("cycle") or "").strip()
        else []
    )
    return {
        "code": post.get("code", ""),
        "name_zh": post.get("name_zh", ""),
        "name_en": post.get("name_en", ""),
        "min_rest_hours": post.get("min_rest_hours", ""),
        "weekdays_only": post.get("weekdays_only") == "on",
        "shifts": shifts,
        "cycle": cycle,
    }


def _pattern_initial(p: DutyPattern | None) -> dict:
    if p is None:
        return {
            "code": "",
            "name_zh": "",
            "name_en": "",
            "min_rest_hours": 12,
            "weekdays_only": False,
            "shifts": "day,08:00,12,no,白班,Day\nnight,20:00,12,yes,夜班,Night",
            "cycle": "day,night,-,-",
        }
    return {
        "code": p.code,
        "name_zh": p.name_zh,
        "name_en": p.name_en,
        "min_rest_hours": p.min_rest_hours,
        "weekdays_only": p.weekdays_only,
        "shifts": "\n".join(
            f"{s['code']},{s['start']},{s['hours']:g},{'yes' if s.get('night') else 'no'},{s.get('name_zh', '')},{s.get('name_en', '')}"
            for s in p.shifts
        ),
        "cycle": ",".join(c or "-" for c in p.cycle),
    }


def _pattern_form(request, pattern: DutyPattern | None):
    from jingwu.core.clock import user_bureau

    if not can(request.user, DutyPattern, "view"):
        raise Http404
    may_save = can(request.user, DutyPattern, "change" if pattern else "add")
    if not may_save and (pattern is None or request.method == "POST"):
        raise PermissionDenied
    bureau = pattern.bureau if pattern else user_bureau(request.user)
    if bureau is None:
        raise Http404
    initial = _pattern_initial(pattern)
    if request.method == "POST":
        data = _pattern_form_data(request.POST)
        try:
            do_save_pattern(actor=request.user, bureau=bureau, data=data, pattern=pattern)
        except ValidationError as exc:
            _errors(request, exc)
            initial = {**request.POST.dict(), "weekdays_only": data["weekdays_only"]}
        else:
            messages.success(request, _("The duty pattern is saved."))
            return redirect("duty:pattern_list")
    return render(
        request, "duty/pattern_form.html", {"pattern": pattern, "form": initial, "may_save": may_save}
    )


@login_required
def pattern_new(request):
    return _pattern_form(request, None)


@login_required
def pattern_edit(request, pk: int):
    pattern = get_object_or_404(patterns_for(request.user), pk=pk)
    return _pattern_form(request, pattern)


@login_required
def duty_index(request):
    """The stations whose duty the user sees (one station: straight to it)."""
    if not can(request.user, Roster, "view"):
        raise Http404
    bureau = user_bureau(request.user)
    on = data_date(bureau.pk) if bureau is not None else None
    stations = list(stations_for(request.user).current(on).order_by("code"))
    if len(stations) == 1:
        return redirect("duty:station", pk=stations[0].pk)
    return render(request, "duty/index.html", {"stations": stations})


# --- leave and swaps -----------------------------------------------------------------


def _officer(request, station, field: str):
    """An officer of the station the user names (the station's people only)."""
    from jingwu.personnel.models import Officer

    from .roster import station_staff

    pk = _int(request.POST.get(field), 0)
    ids = {o.pk for o, _z, _r in station_staff(station, data_date(station.bureau_id))}
    if pk not in ids:
        raise ValidationError({field: _("Choose someone of this station.")})
    return Officer.objects.get(pk=pk)


def _date(request, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(request.POST.get(field, ""))
    except ValueError:
        raise ValidationError({field: _("Give the day as a date (YYYY-MM-DD).")}) from None


@login_required
@require_POST
def leave_request(request, pk: int):
    station = _station(request, pk)
    if not can(request.user, LeaveRequest, "view"):
        raise Http404
    try:
        do_request_leave(
            _officer(request, station, "officer"),
            actor=request.user,
            station=station,
            first=_date(request, "first"),
            last=_date(request, "last"),
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The leave is requested; the station chief decides."))
    return redirect("duty:station", pk=station.pk)


@login_required
@require_POST
def leave_decide(request, pk: int):
    req = get_object_or_404(restrict(LeaveRequest.objects.select_related("station"), request.user), pk=pk)
    try:
        req = do_decide_leave(req, actor=request.user, approve=request.POST.get("approve") == "1")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        if req.status == "approved":
            n = sum(r["changes"] for r in req.replanned)
            m = sum(u["missing"] for r in req.replanned for u in r["unmet"])
            messages.success(
                request,
                _(
                    "Leave approved; %(n)s duties changed in the re-planned days, %(m)s people still short there."
                )
                % {"n": n, "m": m},
            )
        else:
            messages.success(request, _("Leave refused."))
    return redirect("duty:station", pk=req.station_id)


@login_required
@require_POST
def swap_request(request, pk: int):
    roster = get_object_or_404(rosters_for(request.user), pk=pk)
    try:
        do_request_swap(
            roster,
            actor=request.user,
            day=_date(request, "day"),
            officer_a=_officer(request, roster.station, "officer_a"),
            officer_b=_officer(request, roster.station, "officer_b"),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The swap is requested; the station chief decides."))
    return redirect("duty:roster_detail", pk=roster.pk)


@login_required
@require_POST
def swap_decide(request, pk: int):
    req = get_object_or_404(restrict(SwapRequest.objects.select_related("roster"), request.user), pk=pk)
    try:
        req = do_decide_swap(req, actor=request.user, approve=request.POST.get("approve") == "1")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Swap approved.") if req.status == "approved" else _("Swap refused."))
    return redirect("duty:roster_detail", pk=req.roster_id)


# --- grids ---------------------------------------------------------------------------


@login_required
@require_GET
def work_log(request):
    """Grid work logged in the user's grids, newest first, with its hours (the rows behind the dashboard's grid work)."""
    from django.core.paginator import Paginator
    from django.db.models import Sum

    from .filters import WorkFilter

    if not can(request.user, GridWork, "view"):
        raise Http404
    qs = restrict(
        GridWork.objects.select_related("grid", "officer").defer("grid__boundary"), request.user
    ).order_by("-day", "-id")
    f = WorkFilter(request.GET, queryset=qs, request=request)
    minutes = f.qs.aggregate(m=Sum("minutes"))["m"] or 0
    page = Paginator(f.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "duty/work_log.html",
        {"filter": f, "page": page, "query": query.urlencode(), "hours": round(minutes / 60, 1)},
    )


@login_required
@require_GET
def entry_list(request):
    """Duty in the published rosters the user sees, by day (the rows behind the dashboard's
    shifts and hours per officer)."""
    from django.core.paginator import Paginator
    from django.db.models import DurationField, ExpressionWrapper, F, Sum

    from .filters import EntryFilter
    from .models import RosterEntry

    if not can(request.user, RosterEntry, "view"):
        raise Http404
    qs = restrict(
        RosterEntry.objects.filter(roster__status="published")
        .select_related("officer", "zone", "roster__station")
        .defer("zone__boundary", "roster__station__boundary"),
        request.user,
    ).order_by("-day", "start", "officer_id")
    f = EntryFilter(request.GET, queryset=qs, request=request)
    rows = f.qs
    length = rows.aggregate(h=Sum(ExpressionWrapper(F("end") - F("start"), output_field=DurationField())))[
        "h"
    ]
    seconds = length.total_seconds() if length else 0
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "duty/entry_list.html",
        {"filter": f, "page": page, "query": query.urlencode(), "hours": round(seconds / 3600, 1)},
    )


@login_required
def grid_page(request, pk: int):
    """A grid on the phone: its officer and auxiliaries, the work log and its hours."""
    from jingwu.personnel.models import Officer

    from .choices import WorkKind
    from .roster import station_staff
    from .selectors import grid_workload, grids_for, station_of
    from .services import do_assign_grid, do_log_work

    grid = get_object_or_404(grids_for(request.user), pk=pk)
    user = request.user
    # read only: the grid's duty row is made when its officers are first named (a service)
    row = GridDuty.objects.filter(bureau_id=grid.bureau_id, grid=grid).select_related("officer").first()
    station = station_of(grid)
    today = data_date(grid.bureau_id)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "assign":
                ids = [_int(x, 0) for x in request.POST.getlist("auxiliaries")]
                officer_id = _int(request.POST.get("officer"), 0)
                do_assign_grid(
                    grid,
                    actor=user,
                    officer=Officer.objects.filter(pk=officer_id, bureau_id=grid.bureau_id).first()
                    if officer_id
                    else None,
                    auxiliaries=list(Officer.objects.filter(pk__in=ids, bureau_id=grid.bureau_id)),
                )
                messages.success(request, _("The grid's officers are saved."))
            else:
                do_log_work(
                    grid,
                    actor=user,
                    officer=Officer.objects.filter(
                        pk=_int(request.POST.get("officer"), 0), bureau_id=grid.bureau_id
                    ).first(),
                    kind=request.POST.get("kind", ""),
                    day=_date(request, "day"),
                    minutes=_int(request.POST.get("minutes"), 0),
                    households=_int(request.POST.get("households") or 0, -1),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("The work is logged."))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("duty:grid", pk=grid.pk)
    first = today - dt.timedelta(days=27)
    load = grid_workload(user, [grid.pk], first=first, last=today).get(
        grid.pk, {"kinds": {}, "officers": {}, "hours": 0, "households": 0}
    )
    labels = dict(WorkKind.choices)
    people = [p for p in [row.officer, *row.auxiliaries.all()] if p is not None] if row else []
    staff = [o for o, _z, _r in station_staff(station, today)] if station else []
    ctx = {
        "grid": grid,
        "row": row,
        "station": station,
        "today": today,
        "people": people,
        "kinds": WorkKind.choices,
        "load": [{"label": labels[k], "hours": h} for k, h in sorted(load["kinds"].items())],
        "load_total": load["hours"],
        "households": load["households"],
        "by_officer": [{"officer": o, "hours": load["officers"].get(o.pk, 0)} for o in people],
        "first": first,
        "recent": list(restrict(GridWork.objects.filter(grid=grid), user).select_related("officer")[:20]),
        "may_assign": _may(user, GridDuty, "change", grid),
        "may_log": _may(user, GridWork, "add", grid) and bool(people),
        "police": [o for o in staff if o.kind == "police"],
        "auxiliary": [o for o in staff if o.kind == "auxiliary"],
        "aux_ids": {a.pk for a in row.auxiliaries.all()} if row else set(),
        "me": getattr(user, "officer_id", None),
    }
    return render(request, "duty/grid.html", ctx)


# --- out -----------------------------------------------------------------------------


def _export_event(request, roster: Roster, fmt: str) -> None:
    from django.db import transaction

    from jingwu.core import audit

    with transaction.atomic():
        audit.record(
            "export",
            actor=request.user,
            bureau=roster.bureau,
            obj=roster,
            unit_path=roster.station.path,
            after={"format": fmt, "start": roster.start.isoformat(), "days": roster.days},
            via="web",
        )


@login_required
@require_GET
def roster_xlsx(request, pk: int):
    from django.http import HttpResponse

    from .export import roster_xlsx as render_xlsx

    roster = get_object_or_404(rosters_for(request.user), pk=pk)
    ctx = _roster_context(request, roster)
    _export_event(request, roster, "xlsx")
    response = HttpResponse(
        render_xlsx(ctx), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="roster-{roster.station.code}-{roster.start:%Y%m%d}.xlsx"'
    )
    return response


@login_required
@require_GET
def roster_pdf(request, pk: int):
    from django.http import HttpResponse

    from .export import roster_pdf as render_pdf

    roster = get_object_or_404(rosters_for(request.user), pk=pk)
    ctx = _roster_context(request, roster)
    _export_event(request, roster, "pdf")
    response = HttpResponse(render_pdf(ctx), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="roster-{roster.station.code}-{roster.start:%Y%m%d}.pdf"'
    )
    return response


@login_required
@require_GET
def roster_print(request, pk: int):
    roster = get_object_or_404(rosters_for(request.user), pk=pk)
    ctx = _roster_context(request, roster)
    _export_event(request, roster, "print")
    return render(request, "duty/roster_print.html", ctx)


# --- seasonal re-tasking -------------------------------------------------------------


@login_required
@require_POST
def retasking_propose(request, pk: int):
    from jingwu.personnel.models import Officer

    from .services import do_propose_retasking

    station = _station(request, pk)
    if not can(request.user, Retasking, "view"):
        raise Http404
    ids = [_int(x, 0) for x in request.POST.getlist("officers")]
    try:
        do_propose_retasking(
            station,
            actor=request.user,
            name=request.POST.get("name", ""),
            first=_date(request, "first"),
            last=_date(request, "last"),
            officers=Officer.objects.filter(pk__in=ids, bureau_id=station.bureau_id),
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("The re-tasking is proposed with its forecast and cost; command decides.")
        )
    return redirect("duty:station", pk=station.pk)


@login_required
@require_POST
def retasking_decide(request, pk: int):
    from .services import do_decide_retasking

    r = get_object_or_404(restrict(Retasking.objects.select_related("station"), request.user), pk=pk)
    try:
        r = do_decide_retasking(r, actor=request.user, approve=request.POST.get("approve") == "1")
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("Re-tasking approved.") if r.status == "approved" else _("Re-tasking refused.")
        )
    return redirect("duty:station", pk=r.station_id)
