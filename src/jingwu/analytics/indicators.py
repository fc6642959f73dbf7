"""Indicators: each with its definition, source and unit, shown on hover and in exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    unit: str
    definition: str
    attr: str  # the dashboard's attribute holding the value


class IndicatorSet:
    def __init__(self, *indicators: Indicator):
        self.indicators = indicators

    def values_of(self, d):
        for i in self.indicators:
            value = getattr(d, i.attr)
            if value is None or (i.attr == "incidents" and not d.sees_incidents):
                continue
            if i.attr in ("per_1000", "per_officer") and not d.sees_incidents:
                continue
            yield i, value


DASHBOARD_INDICATORS = IndicatorSet(
    Indicator(
        "incidents",
        _("Incidents"),
        _("incidents"),
        _(
            "Incidents received in the unit's area in the period (bureau local days); source: incident records."
        ),
        "incidents",
    ),
    Indicator(
        "per_1000",
        _("per 1,000 residents"),
        _("incidents per 1,000 residents"),
        _(
            "Incidents in the period per 1,000 registered residents of the area; source: incidents and unit statistics."
        ),
        "per_1000",
    ),
    Indicator(
        "police",
        _("Police officers"),
        _("officers"),
        _(
            "Police officers (not auxiliaries) posted in the unit or below it on the last day; source: postings."
        ),
        "police",
    ),
    Indicator(
        "per_officer",
        _("Incidents per officer"),
        _("incidents per officer"),
        _("Incidents in the period divided by the police officers posted; source: incidents and postings."),
        "per_officer",
    ),
)
