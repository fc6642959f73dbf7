"""Indicators: each with its definition, its source and its unit, shown on hover and in exports.

The catalogue (``CATALOGUE``) holds every indicator the dashboards can compute; a bureau
chooses, per kind of unit (and per station type for stations), which of them its units
are judged on (``IndicatorSet`` rows, edited by bureau command through
``do_set_indicators``). Without a row, ``DEFAULT_SETS`` apply: stations are judged on
their area (incidents, visits, premises compliance, duty coverage), not on case
clearance, and on public satisfaction (the callbacks to reporters, 警情回访), as are zones
and grids, judged on their area too; the investigation center on its cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from jingwu.core import audit
from jingwu.core.services import authorize, service

AREA = ("headquarters", "station", "zone", "grid")
EVERY_KIND = (
    "headquarters",
    "investigation_center",
    "prevention_center",
    "department",
    "squad",
    "station",
    "zone",
    "grid",
)
STATION_TYPES = ("full_spectrum", "proactive", "preventive")


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    definition: str
    source: str
    attr: str  # the dashboard's attribute holding the value
    kinds: tuple[str, ...]  # the kinds of unit it can be computed for
    needs: str  # what the user must see: incidents, people, cases, inspections, duty
    link: str = ""  # the dashboard's attribute holding the address of the rows behind it
    # a rate whose tile says "no data" when there is nothing to compute it from (rather than
    # disappearing): public satisfaction with no completed callback in the period
    no_data: bool = False
    # how the value follows from its source queries (A, B: the figures of the dashboard's
    # ``sources`` of the indicator)
    formula: str = "A"

    def value(self, d):
        if not getattr(d, "sees_" + self.needs, False):
            return None
        return getattr(d, self.attr, None)

    def url(self, d) -> str:
        return getattr(d, self.link, "") if self.link else ""

    @property
    def hover(self) -> str:
        return f"{self.definition} {_g('Source')}: {self.source} {_g('Unit')}: {self.unit}."

    def hover_for(self, d) -> str:
        """The hover text on a dashboard: the definition, the source queries counted, the unit."""
        query = self.query_hover(d)
        return f"{self.hover} {query}" if query else self.hover

    def query_hover(self, d) -> str:
        """The source query counted on dashboard ``d``, with the formula (code: the tile's
        information icon shows it on hover, marked not to be translated)."""
        query = d.source_text.get(self.code, "") if d is not None else ""
        return f"{_g('Source query')}: {self.formula_text} — {query}" if query else ""

    @property
    def formula_text(self) -> str:
        return f"{_g('value')} = {self.formula}"


CATALOGUE: dict[str, Indicator] = {
    i.code: i
    for i in (
        Indicator(
            "incidents",
            _("Incidents"),
            _("incidents"),
            _("Incidents received in the unit's area in the period (bureau local days)."),
            _("incident records, by the place they happened (station, zone, grid)."),
            "incidents",
            AREA,
            "incidents",
            "incidents_url",
        ),
        Indicator(
            "per_1000",
            _("per 1,000 residents"),
            _("incidents per 1,000 residents"),
            _("Incidents in the period per 1,000 registered residents of the area."),
            _("incident records and the unit's resident count."),
            "per_1000",
            AREA,
            "incidents",
            "incidents_url",
            formula=_("1000 × A ÷ residents"),
        ),
        Indicator(
            "police",
            _("Police officers"),
            _("officers"),
            _("Police officers (not auxiliaries) posted in the unit or below it on the last day."),
            _("postings valid on the last day of the period."),
            "police",
            EVERY_KIND,
            "people",
            "police_url",
        ),
        Indicator(
            "per_officer",
            _("Incidents per officer"),
            _("incidents per officer"),
            _("Incidents in the period divided by the police officers posted."),
            _("incident records and postings."),
            "per_officer",
            AREA,
            "incidents",
            "incidents_url",
            formula="A ÷ B",
        ),
        Indicator(
            "night_callouts",
            _("Night call-outs"),
            _("call-outs"),
            _("Incidents received between 22:00 and 06:00 (local time) to which an officer arrived."),
            _("incident records with an arrival time."),
            "night_callouts",
            AREA,
            "incidents",
            "night_url",
        ),
        Indicator(
            "night_per_officer",
            _("Night call-outs per officer"),
            _("call-outs per officer"),
            _("Night call-outs in the period divided by the police officers posted."),
            _("incident records with an arrival time, and postings."),
            "night_per_officer",
            AREA,
            "incidents",
            "night_url",
            formula="A ÷ B",
        ),
        Indicator(
            "visits",
            _("Inspection visits done"),
            _("visits"),
            _("Inspection visits recorded as done in the period on the premises of the area."),
            _("inspection visits."),
            "visits_done",
            AREA + ("prevention_center",),
            "inspections",
            "visits_url",
        ),
        Indicator(
            "compliance",
            _("Premises compliance"),
            # xgettext:no-python-format
            _("% of visits"),
            _("Share of the visits done in the period that found no failed checklist item."),
            _("inspection visits and their checklist results."),
            "compliance",
            AREA + ("prevention_center",),
            "inspections",
            "visits_url",
            formula="100 × A ÷ B",
        ),
        Indicator(
            "premises_overdue",
            _("Premises overdue"),
            _("premises"),
            _("Active premises with an inspection element past its due day on the bureau's data date."),
            _("premises, their inspection elements and visits."),
            "premises_overdue",
            AREA + ("prevention_center",),
            "inspections",
            "overdue_url",
        ),
        Indicator(
            "duty_coverage",
            _("Duty coverage"),
            # xgettext:no-python-format
            _("% of people-shifts"),
            _("Share of the people-shifts needed that the current rosters of the unit's stations fill."),
            _("the stations' current solved or published rosters."),
            "duty_coverage",
            ("headquarters", "station", "zone"),
            "duty",
            "duty_url",
            formula=_("100 × (1 − Σ people_short ÷ Σ people_needed) in the results of the rosters A"),
        ),
        Indicator(
            "grid_work_hours",
            _("Grid work"),
            _("hours"),
            _("Hours of grid work (visits, patrols, premises checks, mediation) logged in the period."),
            _("the grid work log."),
            "grid_work_hours",
            ("station", "zone", "grid"),
            "duty",
            "grid_work_url",
            formula="A ÷ 60",
        ),
        Indicator(
            "satisfaction",
            _("Public satisfaction"),
            # xgettext:no-python-format
            _("% of completed callbacks"),
            _(
                "Share of the callbacks made in the period that reached the reporter in which the "
                "reporter was satisfied or basically satisfied (unreachable attempts are not counted); "
                "no data without a completed callback."
            ),
            _("callbacks to the reporters of the incidents of the area (警情回访)."),
            "satisfaction",
            AREA,
            "callbacks",
            "callbacks_url",
            no_data=True,
            formula="100 × A ÷ B",
        ),
        Indicator(
            "cases",
            _("Cases opened"),
            _("cases"),
            _("Cases opened in the period and owned by the unit or a unit below it."),
            _("case records, by owning unit."),
            "cases_opened",
            EVERY_KIND,
            "cases",
            "cases_url",
        ),
        Indicator(
            "clearance",
            _("Case clearance"),
            # xgettext:no-python-format
            _("% of cases"),
            _("Share of the cases opened in the period that are solved or closed."),
            _("case records, by owning unit and stage."),
            "clearance",
            EVERY_KIND,
            "cases",
            "cases_url",
            formula="100 × A ÷ B",
        ),
        Indicator(
            "cases_old",
            _("Open cases older than 90 days"),
            _("cases"),
            _("Open cases owned by the unit or below it, opened more than 90 days before the last day."),
            _("case records, by owning unit and stage."),
            "cases_old",
            EVERY_KIND,
            "cases",
            "cases_old_url",
        ),
    )
}

DEFAULT_SETS: dict[tuple[str, str], tuple[str, ...]] = {
    ("headquarters", ""): (
        "incidents",
        "per_1000",
        "police",
        "per_officer",
        "visits",
        "duty_coverage",
        "satisfaction",
    ),
    ("investigation_center", ""): ("cases", "clearance", "cases_old", "police"),
    ("prevention_center", ""): ("visits", "compliance", "premises_overdue", "police"),
    ("department", ""): ("police",),
    ("squad", ""): ("police",),
    ("station", ""): (
        "incidents",
        "per_1000",
        "visits",
        "compliance",
        "premises_overdue",
        "duty_coverage",
        "satisfaction",
    ),
    ("station", "full_spectrum"): (
        "incidents",
        "per_1000",
        "visits",
        "compliance",
        "premises_overdue",
        "night_per_officer",
        "duty_coverage",
        "satisfaction",
    ),
    ("station", "proactive"): (
        "incidents",
        "per_1000",
        "per_officer",
        "night_per_officer",
        "visits",
        "compliance",
        "duty_coverage",
        "satisfaction",
    ),
    ("station", "preventive"): (
        "incidents",
        "per_1000",
        "visits",
        "compliance",
        "premises_overdue",
        "grid_work_hours",
        "duty_coverage",
        "satisfaction",
    ),
    ("zone", ""): (
        "incidents",
        "per_1000",
        "visits",
        "compliance",
        "night_callouts",
        "grid_work_hours",
        "satisfaction",
    ),
    ("grid", ""): ("incidents", "visits", "grid_work_hours", "satisfaction"),
}


def key_of(unit) -> tuple[str, str]:
    return (unit.kind, (unit.station_type or "") if unit.kind == "station" else "")


def stored_sets(bureau) -> dict[tuple[str, str], list[str]]:
    from .models import IndicatorSet

    return {(s.unit_kind, s.station_type): list(s.codes) for s in IndicatorSet.objects.filter(bureau=bureau)}


def codes_for(unit) -> list[str]:
    """The codes the unit is judged on: its bureau's set for its kind (and type), else the default."""
    from .models import IndicatorSet

    kind, stype = key_of(unit)
    row = (
        IndicatorSet.objects.filter(bureau_id=unit.bureau_id, unit_kind=kind, station_type=stype)
        .values_list("codes", flat=True)
        .first()
    )
    if row is not None:
        return [c for c in row if c in CATALOGUE]
    return list(DEFAULT_SETS.get((kind, stype), DEFAULT_SETS.get((kind, ""), ())))


def indicators_for(unit) -> list[Indicator]:
    return [CATALOGUE[c] for c in codes_for(unit)]


def values_of(d, indicators=None, *, no_data: bool = False):
    """``(indicator, value)`` of the dashboard's unit set that the user sees and that have a value;
    with ``no_data``, also ``(indicator, None)`` for the ``no_data`` indicators the user sees
    but that have nothing to be computed from (their tile says so)."""
    for i in indicators if indicators is not None else indicators_for(d.unit):
        value = i.value(d)
        if value is not None:
            yield i, value
        elif no_data and i.no_data and getattr(d, "sees_" + i.needs, False):
            yield i, None


def all_keys() -> list[tuple[str, str]]:
    return list(DEFAULT_SETS)


@service
def do_set_indicators(*, actor, bureau, unit_kind: str, station_type: str, codes: list[str]):
    """Store the indicators units of ``unit_kind`` (and ``station_type``) are judged on in ``bureau``."""
    from .models import IndicatorSet

    authorize(actor, IndicatorSet, "change", bureau=bureau)
    if unit_kind not in EVERY_KIND:
        raise ValidationError({"unit_kind": _g("Choose a kind of unit from the list.")})
    if station_type and (unit_kind != "station" or station_type not in STATION_TYPES):
        raise ValidationError({"station_type": _g("Only police stations have a station type.")})
    codes = list(dict.fromkeys(codes))
    if not codes:
        raise ValidationError({"codes": _g("Choose at least one indicator.")})
    unknown = [c for c in codes if c not in CATALOGUE]
    if unknown:
        raise ValidationError(
            {"codes": _g("Unknown indicators: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}}
        )
    unfit = [str(CATALOGUE[c].label) for c in codes if unit_kind not in CATALOGUE[c].kinds]
    if unfit:
        raise ValidationError(
            {
                "codes": _g("These indicators cannot be computed for this kind of unit: %(names)s.")
                % {"names": ", ".join(unfit)}
            }
        )
    row = IndicatorSet.objects.filter(bureau=bureau, unit_kind=unit_kind, station_type=station_type).first()
    before = list(row.codes) if row is not None else list(DEFAULT_SETS.get((unit_kind, station_type), ()))
    if row is None:
        row = IndicatorSet(bureau=bureau, unit_kind=unit_kind, station_type=station_type)
    row.codes = codes
    row.updated_by = actor if getattr(actor, "pk", None) else None
    row.save()
    audit.record(
        "update",
        actor=actor,
        bureau=bureau,
        obj=row,
        before={"codes": before},
        after={"unit_kind": unit_kind, "station_type": station_type, "codes": codes},
    )
    return row
