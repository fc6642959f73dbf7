"""A scenario's results as display rows, a standalone HTML report and an XLSX workbook.

``build(scenario)`` turns the stored results (codes and numbers) into rows in the active
language: unit names, station types, the reasons of each station type and of each move
as sentences. The scenario page, the HTML report and the workbook all use it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from jingwu.core.i18n import label, pick
from jingwu.engine import vocab

from .models import Scenario, ScenarioMove

FEATURE_LABELS = {
    "incidents_per_1000": gettext_lazy("incidents per 1,000 residents"),
    "incidents_per_km2": gettext_lazy("incidents per km²"),
    "criminal_share": gettext_lazy("share of criminal incidents"),
    "floating_share": gettext_lazy("share of floating population"),
    "premises_per_km2": gettext_lazy("key premises per km²"),
    "urban_share": gettext_lazy("share of residents in urban grids"),
    "seasonality": gettext_lazy("seasonal peak"),
}
BASIS_LABELS = {
    "closing": gettext_lazy("Merged away: emptied"),
    "kept": gettext_lazy("Keeps its staff"),
    "set": gettext_lazy("Set by the planner"),
    "cases": gettext_lazy("Centralised criminal cases"),
    "merged": gettext_lazy("Staff of the merged units"),
    "workload": gettext_lazy("Workload"),
}
STATUS_LABELS = {
    "OPTIMAL": gettext_lazy("Optimal"),
    "FEASIBLE": gettext_lazy("Feasible (time limit reached)"),
    "INFEASIBLE": gettext_lazy("Infeasible: the rules conflict"),
    "UNKNOWN": gettext_lazy("No plan found in the time limit"),
    "MODEL_INVALID": gettext_lazy("Invalid model"),
}


def _n(name: dict | None) -> str:
    if not name:
        return ""
    return pick(name.get("zh", ""), name.get("en", "") or name.get("zh", ""))


def _kind(code: str) -> str:
    return label(vocab.UNIT_KINDS, code)


def _officer_kind(code: str) -> str:
    return label(vocab.OFFICER_KINDS, code)


def _type(code: str) -> str:
    return label(vocab.STATION_TYPES, code) if code else ""


def _pct(x: float | None) -> str:
    return "" if x is None else f"{100 * x:.0f}%"


def feature_reason(reason: dict) -> str:
    direction, _sep, feature = reason["code"].partition("_")
    text = FEATURE_LABELS.get(feature, feature)
    if direction == "unknown":  # the feature needs resident figures the station lacks
        return _("%(feature)s: no resident data") % {"feature": text}
    high = reason["code"].startswith("high_")
    value = reason.get("value")
    shown = _pct(value) if feature.endswith("share") else (f"{value:,.1f}" if value is not None else "")
    if high:
        return _("high %(feature)s (%(value)s, z = %(z)s)") % {
            "feature": text,
            "value": shown,
            "z": reason["z"],
        }
    return _("low %(feature)s (%(value)s, z = %(z)s)") % {"feature": text, "value": shown, "z": reason["z"]}


def move_reason(reason: list, unit_names: dict[str, str]) -> str:
    """One of the engine's reason codes (``engine.reassign.Move``) as a sentence."""
    code, *args = reason

    def u(x) -> str:
        return unit_names.get(str(x), str(x))

    if code == "fills_target":
        return _("%(unit)s was %(gap)s %(kind)s short of its target") % {
            "unit": u(args[0]),
            "gap": args[2],
            "kind": _officer_kind(args[1]),
        }
    if code == "relieves_surplus":
        return _("%(unit)s had %(n)s %(kind)s above its target") % {
            "unit": u(args[0]),
            "n": args[2],
            "kind": _officer_kind(args[1]),
        }
    if code == "unit_closing":
        return _("%(unit)s is merged away") % {"unit": u(args[0])}
    if code == "skill_needed":
        return _("%(skill)s (level %(level)s or more) needed: %(have)s of %(need)s") % {
            "skill": label(vocab.SKILLS, args[0]),
            "level": args[1],
            "need": args[2],
            "have": args[3],
        }
    if code == "lead_needed":
        return _("%(unit)s needs a zone lead") % {"unit": u(args[0])}
    if code == "age_balance":
        return _("mean age of %(unit)s: %(before)s → %(after)s") % {
            "unit": u(args[0]),
            "before": args[1],
            "after": args[2],
        }
    if code == "gender_balance":
        return _("share of women in %(unit)s: %(before)s → %(after)s") % {
            "unit": u(args[0]),
            "before": _pct(args[1]),
            "after": _pct(args[2]),
        }
    if code == "female_to_operational":
        return _("a woman officer from the back office to operational work")
    if code == "commute_km":
        return _("commute %(old)s km → %(new)s km") % {"old": args[1], "new": args[0]}
    return " ".join(str(a) for a in reason)


def _requirement(name: str) -> str:
    """A requirement label of the engine (``investigation>=3 police``) in words."""
    if name == "lead":
        return _("zone leads")
    skill, _sep, rest = name.partition(">=")
    level, _sep, kind = rest.partition(" ")
    text = _("%(skill)s level %(level)s+") % {"skill": label(vocab.SKILLS, skill), "level": level}
    return f"{text} ({_officer_kind(kind)})" if kind else text


@dataclass
class Report:
    scenario: Scenario
    results: dict[str, Any]
    unit_names: dict[str, str] = field(default_factory=dict)
    stations: list[dict] = field(default_factory=list)
    demand_stations: list[dict] = field(default_factory=list)
    demand_grids: list[dict] = field(default_factory=list)
    staffing: list[dict] = field(default_factory=list)
    zones: dict | None = None
    what_if: dict | None = None
    moves: list[dict] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)
    reassign: dict = field(default_factory=dict)
    shape: dict = field(default_factory=dict)
    state: dict = field(default_factory=dict)
    chart_demand: dict = field(default_factory=dict)
    chart_staffing: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.results)


def build(scenario: Scenario, *, moves: bool = True, max_moves: int | None = None) -> Report:
    """The display rows of a scenario's results (empty when it has none)."""
    results = scenario.results or {}
    rep = Report(scenario=scenario, results=results)
    if not results:
        return rep
    figs = results.get("figures", [])
    rep.unit_names = {str(f["id"]): _n(f["name"]) for f in figs}
    for s in results.get("stations", []):
        rep.unit_names.setdefault(str(s["id"]), _n(s["name"]))
    rep.state = results.get("state", {})
    rep.timings = results.get("timings", {})
    for s in results.get("stations", []):
        rep.stations.append(
            s
            | {
                "label": _n(s["name"]),
                "type_label": _type(s["type"]),
                "original_label": _type(s["original_type"]),
                "recorded_label": _type(s.get("recorded_type", "")),
                "reason_texts": [feature_reason(r) for r in s.get("reasons", [])],
                "stability_pct": _pct(s.get("stability")),
            }
        )
    demand = results.get("demand", {})
    rep.demand_stations = [d | {"label": _n(d["name"])} for d in demand.get("stations", [])]
    rep.demand_grids = [
        d | {"label": _n(d["name"])}
        for d in sorted(demand.get("grids", []), key=lambda g: -(g["total"] or 0))
    ]
    rep.chart_demand = {
        "labels": [d["label"] for d in rep.demand_stations],
        "values": [round(d["total"] or 0) for d in rep.demand_stations],
    }
    for row in results.get("staffing", []):
        rep.staffing.append(
            row
            | {
                "label": _n(row["name"]),
                "kind_label": _kind(row["kind"]),
                "type_label": _type(row.get("type", "")),
                "basis_label": BASIS_LABELS.get(row.get("basis", ""), row.get("basis", "")),
                "committed_pct": _pct(row.get("committed_share")),
            }
        )
    w = results.get("what_if")
    if w:
        rep.what_if = w | {"row_list": [x | {"label": _n(x["name"])} for x in w.get("rows", [])]}
    st = [r for r in rep.staffing if r["kind"] == "station"]
    rep.chart_staffing = {"labels": [r["label"] for r in st], "values": [r["target_police"] for r in st]}
    z = results.get("zones")
    if z:
        rep.zones = z | {"station_label": _n(z.get("station_name"))}
        rep.zones["zone_rows"] = [
            zr | {"grid_labels": ", ".join(_n(g["name"]) for g in zr["grids"])} for zr in z.get("zones", [])
        ]
    for f in figs:
        row = f | {"label": _n(f["name"]), "kind_label": _kind(f["kind"])}
        for side in ("before", "after"):
            row[side] = f[side] | {
                "female_pct": _pct(f[side]["share_female"]),
                "skill_labels": [label(vocab.SKILLS, c) for c in f[side]["skills"]],
                "requirement_texts": [
                    f"{'✓' if have >= need else '✗'} {_requirement(name)} {have}/{need}"
                    for name, need, have in f[side]["requirements"]
                ],
            }
        rep.figures.append(row)
    rep.reassign = dict(results.get("reassign", {}))
    rep.reassign["conflicts"] = [
        c | {"message": pick(c.get("message_zh") or c.get("message", ""), c.get("message", ""))}
        for c in rep.reassign.get("conflicts", [])
    ]
    rep.reassign["status_label"] = STATUS_LABELS.get(
        rep.reassign.get("status", ""), rep.reassign.get("status", "")
    )
    rep.shape = results.get("shape", {})
    if moves:
        qs = (
            ScenarioMove.objects.filter(scenario=scenario)
            .select_related("officer", "from_unit", "to_unit", "posting")
            .order_by("to_unit__code", "officer__police_number")
        )
        if max_moves is not None:
            qs = qs[:max_moves]
        for m in qs:
            rep.moves.append(
                {
                    "id": m.pk,
                    "officer_id": m.officer_id,
                    "number": m.officer.police_number,
                    "name": m.officer.name,
                    "kind": m.officer.get_kind_display(),
                    "gender": m.officer.get_gender_display(),
                    "age": m.officer.age(scenario.as_of),
                    "from": m.from_unit.name,
                    "to": m.to_unit.name,
                    "role": m.get_role_display(),
                    "reasons": [move_reason(r, rep.unit_names) for r in m.reasons if r[0] != "commute_km"],
                    "commute": next(
                        (move_reason(r, rep.unit_names) for r in m.reasons if r[0] == "commute_km"), ""
                    ),
                    "posting": m.posting_id,
                }
            )
    return rep


# --- exports -------------------------------------------------------------------------------


def render_html(scenario: Scenario) -> str:
    """A self-contained HTML report (styles inline, no scripts): for meetings and printing."""
    from .services import thin_message

    rep = build(scenario)
    with timezone.override(scenario.bureau.tz):  # the bureau's clock, from a page or the CLI
        return render_to_string(
            "planning/report.html",
            {
                "scenario": scenario,
                "report": rep,
                "generated": timezone.localtime(),
                "thin_warning": thin_message((scenario.results or {}).get("incident_check")),
            },
        )


def _safe(value):
    from jingwu.imports.services import neutralise

    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, list | tuple):
        return neutralise("; ".join(str(v) for v in value))
    if isinstance(value, dict):
        return neutralise(str(value))
    return value


def render_xlsx(scenario: Scenario) -> bytes:
    """The scenario as a workbook: summary, station types, demand by station and grid,
    staffing, zones, figures before and after, and the moves with their reasons."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from .services import thin_message

    rep = build(scenario)
    wb = Workbook()
    bold = Font(bold=True)

    def sheet(title: str, header: list, rows: list[list], first: bool = False):
        ws = wb.active if first else wb.create_sheet()
        ws.title = title[:31]
        ws.append([str(h) for h in header])
        for cell in ws[1]:
            cell.font = bold
        for row in rows:
            ws.append([_safe(v) for v in row])
        ws.freeze_panes = "A2"
        for i, h in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(h)) + 4))
        return ws

    s = scenario
    r = rep.reassign
    summary = [
        [_("Scenario"), s.name],
        [_("Bureau"), s.bureau.name],
        [_("Status"), s.get_status_display()],
        [_("State as of"), s.as_of.isoformat()],
        [_("Reform date"), s.reform_date.isoformat()],
        [_("Incidents"), f"{s.incidents_from.isoformat()} – {s.incidents_to.isoformat()}"],
        [_("Incidents in the period"), rep.state.get("incidents")],
        [_("Officers"), rep.state.get("officers")],
        [_("Moves"), r.get("moves")],
        [_("Solver status"), str(r.get("status_label", ""))],
        [_("Objective"), r.get("objective")],
        [_("Best bound"), r.get("best_bound")],
        [_("Gap"), r.get("gap")],
        [_("Imbalance before"), r.get("imbalance_before")],
        [_("Imbalance after"), r.get("imbalance_after")],
        [_("Investigation center: mean age after"), rep.shape.get("ic_mean_age_after")],
    ]
    warning = thin_message((s.results or {}).get("incident_check"))
    if warning:
        summary.append([_("Few incidents:"), warning])
        summary.append([_("The planner's reason to plan from them anyway:"), s.thin_data_reason])
    for name, seconds in rep.timings.items():
        summary.append([_("Seconds: %(step)s") % {"step": name}, seconds])
    sheet(_("Summary"), [_("Item"), _("Value")], summary, first=True)
    sheet(
        _("Station types"),
        [
            _("Station"),
            _("Type"),
            _("Proposed"),
            _("Recorded"),
            _("Override reason"),
            _("Stability"),
            _("Reasons"),
        ],
        [
            [
                x["label"],
                str(x["type_label"]),
                str(x["original_label"]),
                str(x["recorded_label"]),
                x["override_reason"],
                x["stability"],
                x["reason_texts"],
            ]
            for x in rep.stations
        ],
    )
    cols = ["incidents", "reactive", "inspection", "inspection_separate", "basic", "total"]
    heads = [
        _("Incidents a year"),
        _("Calls and travel (h)"),
        _("Inspections (h)"),
        _("Separate inspections (h)"),
        _("Basic work (h)"),
        _("Total (h)"),
    ]
    sheet(
        _("Demand by station"),
        [_("Station"), _("Criminal a year"), *heads],
        [[d["label"], d["criminal"], *[d[c] for c in cols]] for d in rep.demand_stations],
    )
    sheet(
        _("Demand by grid"),
        [_("Grid code"), _("Grid"), _("Zone"), _("Station"), _("Households"), *heads],
        [
            [d["code"], d["label"], d["zone"], d["station"], d["households"], *[d[c] for c in cols]]
            for d in rep.demand_grids
        ],
    )
    sheet(
        _("Staffing"),
        [
            _("Unit"),
            _("Kind"),
            _("Station type"),
            _("Basis"),
            _("Obligated hours"),
            _("Needed before the reform"),
            _("FTE needed"),
            _("Officers needed"),
            _("Police today"),
            _("Auxiliaries today"),
            _("Police target"),
            _("Auxiliary target"),
        ],
        [
            [
                x["label"],
                str(x["kind_label"]),
                str(x["type_label"]),
                str(x["basis_label"]),
                x["obligated_hours"],
                x.get("fte_before"),
                x["fte"],
                x["officers_needed"],
                x["police_now"],
                x["auxiliary_now"],
                x["target_police"],
                x["target_auxiliary"],
            ]
            for x in rep.staffing
        ],
    )
    if rep.zones and rep.zones.get("zone_rows"):
        sheet(
            _("Zones"),
            [
                _("Zone"),
                _("Grids"),
                _("Households"),
                _("Workload (h)"),
                _("Share"),
                _("Compactness"),
                _("Police"),
                _("Auxiliaries"),
            ],
            [
                [
                    z["name"],
                    z["grid_labels"],
                    z["households"],
                    z["workload"],
                    z["share"],
                    z["ipq"],
                    z["police"],
                    z["auxiliary"],
                ]
                for z in rep.zones["zone_rows"]
            ],
        )
    sheet(
        _("Before and after"),
        [
            _("Unit"),
            _("Kind"),
            _("Police before"),
            _("Police after"),
            _("Auxiliaries before"),
            _("Auxiliaries after"),
            _("Officers per 1,000 h before"),
            _("Officers per 1,000 h after"),
            _("Mean age before"),
            _("Mean age after"),
            _("Share female before"),
            _("Share female after"),
            _("Skills after"),
        ],
        [
            [
                f["label"],
                str(f["kind_label"]),
                f["before"]["police"],
                f["after"]["police"],
                f["before"]["auxiliary"],
                f["after"]["auxiliary"],
                f["before"]["officers_per_1000_hours"],
                f["after"]["officers_per_1000_hours"],
                f["before"]["mean_age"],
                f["after"]["mean_age"],
                f["before"]["share_female"],
                f["after"]["share_female"],
                [label(vocab.SKILLS, c) for c in f["after"]["skills"]],
            ]
            for f in rep.figures
        ],
    )
    sheet(
        _("Moves"),
        [
            _("Police number"),
            pgettext("person", "Name"),
            _("Kind"),
            _("Gender"),
            _("Age"),
            _("From unit"),
            _("To unit"),
            _("New role"),
            _("Reasons"),
            _("Commute"),
        ],
        [
            [
                m["number"],
                m["name"],
                m["kind"],
                m["gender"],
                m["age"],
                m["from"],
                m["to"],
                m["role"],
                m["reasons"],
                m["commute"],
            ]
            for m in rep.moves
        ],
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
