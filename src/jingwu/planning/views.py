"""Planning pages: the list of scenarios, a new scenario, its progress and results, the
map layers, the reports, command's approval, applying the plan, and two scenarios side by side.

Who sees what: planner, bureau command and auditor see their bureau's scenarios
(``scenarios_for``); anyone else gets 404, as for an object outside their scope. A
person who sees a scenario but may not do an action (a planner approving, command
running a plan) gets 403.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingwu.core import audit
from jingwu.core.clock import data_date
from jingwu.core.models import Bureau
from jingwu.core.scope import can, current_memberships
from jingwu.org.selectors import units_for

from . import reports
from .choices import ScenarioStatus
from .forms import ApplyForm, ApproveForm, ScenarioForm
from .models import Scenario
from .services import (
    apply_problem,
    can_approve,
    can_plan,
    check_incidents,
    default_dates,
    do_apply_scenario,
    do_approve_scenario,
    do_cancel_run,
    do_create_scenario,
    do_delete_scenario,
    do_run_scenario,
    do_withdraw_approval,
    scenarios_for,
    thin_message,
)


def _visible(user) -> bool:
    return user.is_authenticated and can(user, Scenario, "view")


def _scenario(request, pk: int) -> Scenario:
    if not _visible(request.user):
        raise Http404
    return get_object_or_404(scenarios_for(request.user), pk=pk)


def _bureaus(user, action: str) -> list[Bureau]:
    """Bureaus in which the user may ``action`` scenarios."""
    from jingwu.core.permissions import allowed

    if user.is_superuser:
        return list(Bureau.objects.all())
    ids = {m.bureau_id for m in current_memberships(user) if allowed(m.role, "planning.scenario", action)[0]}
    return list(Bureau.objects.filter(pk__in=ids))


def _errors(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return str(exc) or _("You do not have permission to do this here.")


@login_required
@require_GET
def scenario_list(request):
    if not _visible(request.user):
        raise Http404
    qs = (
        scenarios_for(request.user)
        .defer("results", "params")
        .annotate(n_moves=Count("moves"))
        .order_by("-created_at", "-id")
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "planning/scenario_list.html", {"page": page, "can_plan": can_plan(request.user)})


@login_required
def scenario_new(request):
    if not _visible(request.user):
        raise Http404
    if not can_plan(request.user):
        raise PermissionDenied
    bureaus = _bureaus(request.user, "add")
    if not bureaus:
        raise PermissionDenied
    source = None
    if request.GET.get("from"):
        source = get_object_or_404(scenarios_for(request.user), pk=request.GET["from"])
    bureau = source.bureau if source else bureaus[0]
    if request.method == "POST":
        picked = request.POST.get("bureau")
        bureau = next((b for b in bureaus if str(b.pk) == picked), bureau)
    stations = list(units_for(request.user).filter(bureau=bureau, kind="station").order_by("code"))
    stations = [s for s in stations if s.valid_to is None] or stations
    if request.method == "POST":
        form = ScenarioForm(request.POST, bureaus=bureaus, stations=stations)
        if form.is_valid():
            d = form.cleaned_data
            try:
                scenario = do_create_scenario(
                    actor=request.user,
                    bureau=d["bureau"],
                    name=d["name"],
                    note=d["note"],
                    as_of=d["as_of"],
                    reform_date=d["reform_date"],
                    incidents_from=d["incidents_from"],
                    incidents_to=d["incidents_to"],
                    params=d["params"],
                    thin_data_reason=d["thin_data_reason"],
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, _errors(exc))
            else:
                if request.POST.get("run"):
                    try:
                        do_run_scenario(scenario, actor=request.user)
                        messages.success(request, _("The plan is being computed; this page follows it."))
                    except (PermissionDenied, ValidationError) as exc:
                        messages.error(request, _errors(exc))
                return redirect("planning:scenario_detail", pk=scenario.pk)
    else:
        form = ScenarioForm(
            initial=ScenarioForm.initial_from(source, bureau=bureau), bureaus=bureaus, stations=stations
        )
    d = default_dates(bureau)
    facts = check_incidents(bureau, d["incidents_from"], d["incidents_to"])
    return render(request, "planning/scenario_form.html", {"form": form, "source": source, "facts": facts})


def _form_errors(form, exc: ValidationError) -> None:
    """A service's refusal on the form: by field where the form has the field."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            form.add_error(key if key in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@login_required
@require_GET
def scenario_detail(request, pk: int):
    scenario = _with_run(_scenario(request, pk), request.user)
    rep = reports.build(scenario) if scenario.has_results else None
    user = request.user
    return render(
        request,
        "planning/scenario_detail.html",
        {
            "scenario": scenario,
            "report": rep,
            "can_run": can_plan(user) and scenario.runnable,
            "can_approve": can_approve(user) and scenario.status == ScenarioStatus.DONE,
            "can_withdraw": can_approve(user) and scenario.status == ScenarioStatus.APPROVED,
            "can_apply": can_plan(user) and scenario.status == ScenarioStatus.APPROVED,
            "can_delete": can(user, Scenario, "delete")
            and scenario.status not in (ScenarioStatus.APPLIED, ScenarioStatus.RUNNING),
            "can_copy": can_plan(user),
            "approve_form": ApproveForm(),
            "apply_form": ApplyForm(initial={"apply_date": scenario.reform_date}),
            # a period with few incidents, and why the plan was made from it anyway
            "thin_warning": thin_message((scenario.results or {}).get("incident_check")),
            # why the plan cannot be applied to the postings as they stand (said before approval)
            "apply_problem": apply_problem(scenario)
            if scenario.status in (ScenarioStatus.DONE, ScenarioStatus.APPROVED)
            else "",
            "data_date": data_date(scenario.bureau),
            "others": scenarios_for(user).filter(bureau=scenario.bureau).exclude(pk=scenario.pk)[:50],
        },
    )


def _with_run(scenario: Scenario, user) -> Scenario:
    """The scenario with its run as the progress fragment shows it (live progress; who may stop it)."""
    from jingwu.jobs.views import decorate

    if scenario.run_id:
        run = decorate(scenario.run, user)
        # who may change the scenario may stop its run (the planners of the bureau)
        run.may_cancel = run.is_live and can_plan(user)
        scenario.run = run
    return scenario


@login_required
@require_GET
def scenario_progress(request, pk: int):
    scenario = _with_run(_scenario(request, pk), request.user)
    response = render(request, "planning/_progress.html", {"scenario": scenario})
    if not scenario.is_active:
        # the run has ended: reload the whole page once to show the results
        response["HX-Refresh"] = "true" if request.GET.get("running") else "false"
    return response


def _action(request, pk: int, fn, ok_message: str, **kwargs):
    scenario = _scenario(request, pk)
    try:
        fn(scenario, actor=request.user, **kwargs)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, ok_message)
    return redirect("planning:scenario_detail", pk=pk)


@login_required
@require_POST
def scenario_run(request, pk: int):
    return _action(request, pk, do_run_scenario, _("The plan is being computed; this page follows it."))


@login_required
@require_POST
def scenario_cancel(request, pk: int):
    return _action(request, pk, do_cancel_run, _("The run was asked to stop."))


@login_required
@require_POST
def scenario_approve(request, pk: int):
    form = ApproveForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    return _action(request, pk, do_approve_scenario, _("The plan is approved."), note=note)


@login_required
@require_POST
def scenario_withdraw(request, pk: int):
    return _action(request, pk, do_withdraw_approval, _("The approval is withdrawn."))


@login_required
@require_POST
def scenario_apply(request, pk: int):
    form = ApplyForm(request.POST)
    if not form.is_valid():
        _scenario(request, pk)
        messages.error(request, _("Give the date the new postings start."))
        return redirect("planning:scenario_detail", pk=pk)
    return _action(
        request,
        pk,
        do_apply_scenario,
        _("The plan is applied: the new postings are written."),
        apply_date=form.cleaned_data["apply_date"],
    )


@login_required
@require_POST
def scenario_delete(request, pk: int):
    scenario = _scenario(request, pk)
    try:
        do_delete_scenario(scenario, actor=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("planning:scenario_detail", pk=pk)
    messages.success(request, _("The scenario is deleted."))
    return redirect("planning:scenario_list")


@login_required
@require_GET
def scenario_map(request, pk: int):
    """GeoJSON layers: grids with their workload (``properties.workload``), and the stations;
    with ``?zones=1`` the zone station's grids and its proposed zones."""
    import shapely

    from jingwu.engine.geo import polygon_from_geojson, to_geojson

    scenario = _scenario(request, pk)
    results = scenario.results or {}
    grids = {g["id"]: g for g in results.get("demand", {}).get("grids", [])}
    types = {s["id"]: s["type"] for s in results.get("stations", [])}
    zones = results.get("zones") or {}
    visible = units_for(request.user).filter(bureau=scenario.bureau).exclude(boundary__isnull=True)
    layers: dict[str, dict] = {}
    labels = {"grids": _("Workload by grid"), "areas": _("Stations"), "boundary": _("Station")}
    if request.GET.get("zones"):
        grid_zone = {int(k): v for k, v in (zones.get("grid_zone") or {}).items()}
        units = {u.pk: u for u in visible.filter(pk__in=list(grid_zone))}
        station = visible.filter(pk=zones.get("station_id")).first()
        if station is not None:
            layers["boundary"] = {"type": "FeatureCollection", "features": [_feature(station, types)]}
        feats, parts = [], {}
        for gid, z in grid_zone.items():
            u = units.get(gid)
            if u is None:
                continue
            feats.append(_feature(u, types, grids.get(gid), zone=z))
            parts.setdefault(z, []).append(polygon_from_geojson(u.boundary))
        layers["grids"] = {"type": "FeatureCollection", "features": feats}
        areas = []
        for z, polys in sorted(parts.items()):
            shape = shapely.coverage_union_all(polys) if len(polys) > 1 else polys[0]
            areas.append(
                {
                    "type": "Feature",
                    "geometry": to_geojson(shape),
                    "properties": {
                        "id": 0,
                        "name": _("Proposed zone %(n)s") % {"n": z},
                        "kind": "zone",
                        "station_type": types.get(zones.get("station_id"), ""),
                    },
                }
            )
        layers["areas"] = {"type": "FeatureCollection", "features": areas}
        labels["areas"] = _("Proposed zones")
    else:
        feats = []
        top = max((g["total"] or 0 for g in grids.values()), default=0) or 1.0
        for u in visible.filter(pk__in=list(grids)):
            g = grids[u.pk]
            feats.append(_feature(u, types, g, workload_share=round((g["total"] or 0) / top, 3)))
        layers["grids"] = {"type": "FeatureCollection", "features": feats}
        layers["areas"] = {
            "type": "FeatureCollection",
            "features": [_feature(u, types) for u in visible.filter(pk__in=list(types))],
        }
    return JsonResponse({"layers": layers, "labels": labels})


def _feature(u, types: dict, g: dict | None = None, **props) -> dict:
    station_type = types.get(u.pk) or types.get(u.parent_id) or u.station_type
    if u.kind == "grid" and u.parent is not None and u.parent.parent_id in types:
        station_type = types[u.parent.parent_id]
    out = {
        "id": u.pk,
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "station_type": station_type,
        "households": u.households,
    }
    if g is not None:
        out["workload"] = round(g["total"] or 0)
        out["incidents"] = g["incidents"]
    out.update(props)
    return {"type": "Feature", "geometry": u.boundary, "properties": out}


def _export(request, scenario: Scenario, fmt: str) -> None:
    with transaction.atomic():
        audit.record(
            "export",
            actor=request.user,
            bureau=scenario.bureau,
            obj=scenario,
            after={"format": fmt, "moves": scenario.moves.count()},
            via="web",
        )


@login_required
@require_GET
def scenario_report(request, pk: int):
    """The standalone HTML report (for meetings and printing), as a download."""
    scenario = _scenario(request, pk)
    if not scenario.has_results:
        raise Http404
    _export(request, scenario, "html")
    response = HttpResponse(reports.render_html(scenario), content_type="text/html; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.pk}.html"'
    return response


@login_required
@require_GET
def scenario_xlsx(request, pk: int):
    scenario = _scenario(request, pk)
    if not scenario.has_results:
        raise Http404
    _export(request, scenario, "xlsx")
    response = HttpResponse(
        reports.render_xlsx(scenario),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="scenario-{scenario.pk}.xlsx"'
    return response


@login_required
@require_GET
def compare(request):
    """Two scenarios side by side: ``?a=ID&b=ID`` (without both, a choice of scenarios)."""
    if not _visible(request.user):
        raise Http404
    qs = scenarios_for(request.user)
    a = b = None
    try:
        if request.GET.get("a"):
            a = qs.filter(pk=int(request.GET["a"])).first()
        if request.GET.get("b"):
            b = qs.filter(pk=int(request.GET["b"])).first()
    except (ValueError, OverflowError):  # not a number, or no id a column can hold
        raise Http404 from None
    if (request.GET.get("a") and a is None) or (request.GET.get("b") and b is None):
        raise Http404
    rows, summary = [], []
    if a is not None and b is not None:
        ra, rb = reports.build(a, moves=False), reports.build(b, moves=False)
        fa = {f["id"]: f for f in ra.figures}
        fb = {f["id"]: f for f in rb.figures}
        order = [f["id"] for f in ra.figures] + [f["id"] for f in rb.figures if f["id"] not in fa]
        for uid in order:
            x, y = fa.get(uid), fb.get(uid)
            ref = x or y
            rows.append({"label": ref["label"], "kind_label": ref["kind_label"], "a": x, "b": y})

        def pick(rep, *keys):
            if keys == ("reassign", "status"):  # the solver's code (FEASIBLE) in words
                return str(rep.reassign.get("status_label") or "") or None
            d = rep.results
            for k in keys:
                d = (d or {}).get(k)
            return d

        for title, keys in (
            (_("Moves"), ("reassign", "moves")),
            (_("Solver status"), ("reassign", "status")),
            (_("Gap"), ("reassign", "gap")),
            (_("Imbalance after"), ("reassign", "imbalance_after")),
            (_("Investigation center: mean age after"), ("shape", "ic_mean_age_after")),
            (_("Investigation center: police after"), ("shape", "ic_police_after")),
            (_("Share of criminal cases centralised"), None),
        ):
            if keys is None:
                summary.append((title, a.params.get("centralised_share"), b.params.get("centralised_share")))
            else:
                summary.append((title, pick(ra, *keys), pick(rb, *keys)))
    return render(
        request,
        "planning/compare.html",
        {"a": a, "b": b, "rows": rows, "summary": summary, "choices": qs.order_by("-created_at")[:200]},
    )
