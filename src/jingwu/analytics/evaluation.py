"""Effect evaluation for a user: a change at a unit, a measure, before/after against comparable units.

A read: everything goes through the scoping layer, so a user only compares units whose
incidents they see. The question is refused with a message saying what is missing
(no data, a date outside the data, a window the data do not cover, too few comparison
units) rather than answered with a number from nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from jingwu.core.clock import zone
from jingwu.core.scope import can, restrict
from jingwu.engine import effect as fx
from jingwu.incidents.models import Incident
from jingwu.org.models import Unit

from .measures import MEASURES, Measure, add_months, month_list, monthly_panel

MIN_MONTHS = 3
MAX_MONTHS = 36
FEW_UNITS = 10  # below this many comparisons the synthetic control is the main check


@dataclass
class Evaluation:
    unit: Unit
    change: dt.date
    measure: Measure
    months_before: list[dt.date]
    months_after: list[dt.date]
    comparisons: list[Unit]
    dropped: list[Unit]
    treated_series: list[float]
    comparison_mean: list[float]
    treated_before: float
    treated_after: float
    comparison_before: float
    comparison_after: float
    did: fx.DidResult
    synth: fx.SynthResult | None
    trend: fx.PreTrend
    seasonal_ok: bool
    rtm: fx.RegressionToMean
    verdict: str = ""
    caveats: list[str] = field(default_factory=list)

    @property
    def chart(self) -> dict:
        labels = [m.strftime("%Y-%m") for m in self.months_before + self.months_after]
        series = [
            {"name": self.unit.name, "values": [_round(v) for v in self.treated_series]},
            {"name": _("Comparison mean"), "values": [_round(v) for v in self.comparison_mean]},
        ]
        if self.synth is not None:
            base = self.treated_before if self.measure.log else 1.0
            series.append(
                {"name": _("Synthetic control"), "values": [_round(v * base) for v in self.synth.synthetic]}
            )
        return {"labels": labels, "series": series, "mark": len(self.months_before)}

    @property
    def weights(self) -> list[tuple[Unit, float]]:
        if self.synth is None:
            return []
        pairs = [
            (u, float(w)) for u, w in zip(self.comparisons, self.synth.weights, strict=True) if w >= 0.005
        ]
        return sorted(pairs, key=lambda p: -p[1])


def _round(v: float) -> float | None:
    return None if not np.isfinite(v) else round(float(v), 2)


def _fmt_month(m: dt.date) -> str:
    return date_format(m, "Y-m")


def comparable_units(user, unit: Unit, same_type: bool):
    """Units of the same kind in the unit's bureau that the user sees, the unit excluded."""
    qs = restrict(Unit.objects.filter(bureau_id=unit.bureau_id, kind=unit.kind), user).exclude(pk=unit.pk)
    if same_type and unit.kind == "station":
        qs = qs.filter(station_type=unit.station_type)
    return qs.order_by("code", "valid_from")


def evaluate_change(
    user, unit: Unit, change: dt.date, measure_code: str, months: int = 12, *, same_type: bool = False
) -> Evaluation:
    errors = {}
    measure = MEASURES.get(measure_code)
    if measure is None:
        raise ValidationError({"measure": _("Choose a measure from the list.")})
    if unit.kind not in ("station", "zone"):
        raise ValidationError(
            {"unit": _("Choose a police station or a zone: changes are compared between them.")}
        )
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValidationError(
            {
                "months": _("Compare between %(lo)d and %(hi)d months on each side.")
                % {"lo": MIN_MONTHS, "hi": MAX_MONTHS}
            }
        )
    if measure.code == "clearance":
        from jingwu.cases.models import Case

        if not can(user, Case, "view"):
            raise ValidationError({"measure": _("Cases are outside your view: choose another measure.")})
    tz = zone(unit.bureau)
    incidents = restrict(Incident.objects.filter(bureau_id=unit.bureau_id), user)
    span = incidents.order_by().values_list("received_at", flat=True)
    first_at = span.order_by("received_at").first()
    last_at = span.order_by("-received_at").first()
    if first_at is None:
        raise ValidationError(
            _("There are no incidents on record in your view: there is nothing to measure.")
        )
    first_day = timezone.localtime(first_at, tz).date()
    last_day = min(timezone.localtime(last_at, tz).date(), timezone.localtime(timezone.now(), tz).date())
    if not first_day < change <= last_day:
        errors["change"] = _(
            "The change date %(date)s is outside the data, which runs from %(first)s to %(last)s."
        ) % {"date": change.isoformat(), "first": first_day.isoformat(), "last": last_day.isoformat()}
        raise ValidationError(errors)
    # whole months only: the month the change falls in is left out unless it starts on the 1st
    change_month = change.replace(day=1)
    first_after = change_month if change.day == 1 else add_months(change_month, 1)
    first_full = first_day.replace(day=1) if first_day.day == 1 else add_months(first_day.replace(day=1), 1)
    last_full = add_months(last_day.replace(day=1), 1 if _is_month_end(last_day) else 0)  # exclusive
    available_before = _months_between(first_full, change_month)
    available_after = _months_between(first_after, last_full)
    if available_before < months or available_after < months:
        most = min(available_before, available_after)
        if most < MIN_MONTHS:
            raise ValidationError(
                {
                    "change": _(
                        "The data (%(first)s to %(last)s) hold %(before)d whole months before the change and "
                        "%(after)d after it; at least %(min)d on each side are needed."
                    )
                    % {
                        "first": first_day.isoformat(),
                        "last": last_day.isoformat(),
                        "before": available_before,
                        "after": available_after,
                        "min": MIN_MONTHS,
                    }
                }
            )
        raise ValidationError(
            {
                "months": _(
                    "The data (%(first)s to %(last)s) hold %(before)d whole months before the change and "
                    "%(after)d after it: compare at most %(most)d months on each side."
                )
                % {
                    "first": first_day.isoformat(),
                    "last": last_day.isoformat(),
                    "before": available_before,
                    "after": available_after,
                    "most": most,
                }
            }
        )
    before = month_list(add_months(change_month, -months), months)
    after = month_list(first_after, months)
    # the window before the window before, for regression to the mean (when the data hold it)
    earlier = month_list(add_months(before[0], -months), months) if available_before >= 2 * months else None
    window_start, window_end = before[0], add_months(after[-1], 1) - dt.timedelta(days=1)
    candidates = [
        u
        for u in comparable_units(user, unit, same_type).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=window_start),
            Q(valid_to__isnull=True) | Q(valid_to__gte=window_end),
        )
    ]
    units = [unit, *candidates]
    ids = [u.pk for u in units]
    values, events = monthly_panel(incidents, unit.kind, ids, before + after, measure, tz)
    nb = len(before)
    name = unit.name
    if events[0, :nb].sum() == 0 or events[0, nb:].sum() == 0:
        which = _("before") if events[0, :nb].sum() == 0 else _("after")
        months_ = before if which == _("before") else after
        raise ValidationError(
            _(
                "No incidents are recorded at %(unit)s in the %(n)d months %(which)s the change "
                "(%(first)s to %(last)s): a period with no data cannot be compared."
            )
            % {
                "unit": name,
                "n": months,
                "which": which,
                "first": _fmt_month(months_[0]),
                "last": _fmt_month(months_[-1]),
            }
        )
    if not measure.log and (np.isnan(values[0]).any()):
        if measure.code == "clearance":
            text = _(
                "%(unit)s has months with no criminal incident, so no clearance, in the windows compared."
            )
        else:
            text = _(
                "%(unit)s has months with no dispatched incident, so no response time, in the windows compared."
            )
        raise ValidationError(text % {"unit": name})
    # a comparison unit needs data in every month (times) or events in both windows (counts)
    keep = [0]
    dropped = []
    for i in range(1, len(units)):
        ok = events[i, :nb].sum() > 0 and events[i, nb:].sum() > 0
        if not measure.log:
            ok = ok and not np.isnan(values[i]).any()
        (keep.append(i) if ok else dropped.append(units[i]))
    if len(keep) - 1 < fx.MIN_COMPARISONS:
        kind = unit.get_kind_display()
        raise ValidationError(
            _(
                "Too few comparison units: %(n)d other %(kind)s unit(s) with data in both periods are in your "
                "view (%(of)d considered); at least %(min)d are needed to tell an effect from chance."
            )
            % {"n": len(keep) - 1, "kind": kind, "of": len(candidates), "min": fx.MIN_COMPARISONS}
        )
    y = values[keep]
    comparisons = [units[i] for i in keep[1:]]
    did = fx.did_panel(y, 0, nb, log=measure.log)
    try:
        synth = fx.synthetic_control(y, 0, nb)
    except fx.EffectInputError:
        synth = None
    trend = fx.pre_trend(y, 0, nb, log=measure.log)
    seasonal_ok = fx.seasonality_covered([m.month for m in before], [m.month for m in after])
    if earlier is not None:
        ev, _e = monthly_panel(incidents, unit.kind, [units[i].pk for i in keep], earlier, measure, tz)
        rtm = fx.regression_to_mean(ev.mean(axis=1), y[:, :nb].mean(axis=1), 0, log=measure.log)
    else:
        rtm = fx.RegressionToMean(False, None, False)
    ev_ = Evaluation(
        unit=unit,
        change=change,
        measure=measure,
        months_before=before,
        months_after=after,
        comparisons=comparisons,
        dropped=dropped,
        treated_series=list(y[0]),
        comparison_mean=list(y[1:].mean(axis=0)),
        treated_before=float(y[0, :nb].mean()),
        treated_after=float(y[0, nb:].mean()),
        comparison_before=float(y[1:, :nb].mean()),
        comparison_after=float(y[1:, nb:].mean()),
        did=did,
        synth=synth,
        trend=trend,
        seasonal_ok=seasonal_ok,
        rtm=rtm,
    )
    ev_.verdict, ev_.caveats = _verdict(ev_)
    return ev_


def _is_month_end(d: dt.date) -> bool:
    return (d + dt.timedelta(days=1)).day == 1


def _months_between(a: dt.date, b: dt.date) -> int:
    """Whole months from month ``a`` up to (not including) month ``b``."""
    return max(0, (b.year - a.year) * 12 + b.month - a.month)


def _pct(x: float) -> str:
    return f"{x:+.1f}%"


def _verdict(e: Evaluation) -> tuple[str, list[str]]:
    d = e.did
    name = e.unit.name
    args = {"unit": name, "measure": e.measure.label, "n": d.comparisons, "level": round(100 * d.level)}
    if d.log:
        args |= {"est": _pct(d.percent), "low": _pct(d.percent_low), "high": _pct(d.percent_high)}
        if d.significant:
            text = _(
                "After the change, %(measure)s at %(unit)s moved %(est)s against what the %(n)d comparison units "
                "suggest (%(level)d%% interval %(low)s to %(high)s): a change this large is unlikely to be chance."
            )
        else:
            text = _(
                "No clear effect: %(measure)s at %(unit)s moved %(est)s against what the %(n)d comparison units "
                "suggest, but the %(level)d%% interval (%(low)s to %(high)s) includes no change."
            )
    else:
        unit_ = e.measure.difference or e.measure.unit
        args |= {"est": f"{d.estimate:+.1f} {unit_}", "low": f"{d.low:+.1f}", "high": f"{d.high:+.1f}"}
        if d.significant:
            text = _(
                "After the change, %(measure)s at %(unit)s changed by %(est)s against the %(n)d comparison units "
                "(%(level)d%% interval %(low)s to %(high)s): a change this large is unlikely to be chance."
            )
        else:
            text = _(
                "No clear effect: %(measure)s at %(unit)s changed by %(est)s against the %(n)d comparison units, "
                "but the %(level)d%% interval (%(low)s to %(high)s) includes no change."
            )
    caveats = []
    if e.trend.differs:
        caveats.append(
            _(
                "Trend before the change: %(unit)s was already drifting away from the comparison units "
                "(p = %(p).3f), so part of the difference may be that drift, not the change."
            )
            % {"unit": name, "p": e.trend.p_value}
        )
    else:
        caveats.append(
            _(
                "Trend before the change: no clear drift between %(unit)s and the comparison units (p = %(p).2f)."
            )
            % {"unit": name, "p": e.trend.p_value}
        )
    if e.seasonal_ok:
        caveats.append(
            _("Seasonality: both windows hold the same calendar months, so the seasons cancel out.")
        )
    else:
        caveats.append(
            _(
                "Seasonality: the two windows hold different calendar months; seasons differ between them. "
                "The comparison units share the seasons, but whole years (12 or 24 months) are safer."
            )
        )
    if not e.rtm.checked:
        caveats.append(
            _(
                "Regression to the mean: not checked; the data do not hold a second window before the one compared."
            )
        )
    elif e.rtm.suspicious:
        caveats.append(
            _(
                "Regression to the mean: %(unit)s rose unusually before the change (%(z).1f standard deviations above "
                "the comparison units); part of the fall after it would have come anyway."
            )
            % {"unit": name, "z": e.rtm.z}
        )
    else:
        caveats.append(
            _(
                "Regression to the mean: the period before the change was not unusual for %(unit)s "
                "(%(z).1f standard deviations from the comparison units)."
            )
            % {"unit": name, "z": e.rtm.z}
        )
    if e.synth is not None:
        pre_error = e.synth.pre_rmspe
        fit = _("a close fit") if pre_error < 0.1 else _("a loose fit; read it with care")
        caveats.append(
            _(
                "Synthetic control: a weighted mix of comparison units follows %(unit)s before the change with "
                "%(err).1f%% mean error (%(fit)s); after it %(unit)s is %(est)s from that mix "
                "(placebo rank p = %(p).2f)."
            )
            % {
                "unit": name,
                "err": 100 * pre_error,
                "fit": fit,
                "est": _pct(e.synth.percent),
                "p": e.synth.p_value,
            }
        )
    if d.comparisons < FEW_UNITS:
        caveats.append(
            _(
                "Few comparison units (%(n)d): the interval is wide and rests on their spread; the synthetic "
                "control above is the second opinion."
            )
            % {"n": d.comparisons}
        )
    return text % args, caveats
