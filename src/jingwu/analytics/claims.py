"""The reform's claims, each beside the figure the bureau's own data give.

The claimed figures are the reform's (docs/analytics.md); the measured ones are computed
here from incidents, postings, officers and cases, read through the scoping layer, so a
user sees only the claims whose rows they may see. Units are found by their Chinese
name's start (the demo county's towns) and dates by the data: the reform is the day
the investigation center starts, the zone model the day the station's zones start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.db.models import Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from jingwu.cases.models import Case
from jingwu.core.clock import data_date, zone
from jingwu.core.scope import can, restrict
from jingwu.incidents.models import Incident
from jingwu.org.models import Unit
from jingwu.personnel.models import Officer, Posting

from .evaluation import evaluate_change

TEXTILE_TOWN = "夹浦"
OLD_URBAN_TOWN = "雉城"


@dataclass
class Claim:
    key: str
    text: str
    claimed: str
    measured: str = ""
    status: str = "unmeasured"  # agrees | differs | unmeasured
    note: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url) of the rows behind it

    @property
    def status_label(self) -> str:
        return {"agrees": _("agrees"), "differs": _("differs"), "unmeasured": _("not measured")}[self.status]


def _station(bureau, prefix: str) -> Unit | None:
    return (
        Unit.objects.filter(bureau=bureau, kind="station", name_zh__startswith=prefix)
        .order_by("valid_from")
        .first()
    )


def reform_date(bureau) -> dt.date | None:
    """The day the investigation center starts: the reform's day one."""
    return Unit.objects.filter(bureau=bureau, kind="investigation_center").aggregate(d=Min("valid_from"))["d"]


def _police_on(user, unit: Unit, day: dt.date):
    """Police officers (not auxiliaries) posted under ``unit`` on ``day``, as the user sees them."""
    units = list(
        Unit.objects.filter(bureau=unit.bureau, path__startswith=unit.path).values_list("pk", flat=True)
    )
    postings = (
        restrict(Posting.objects.filter(bureau=unit.bureau), user)
        .filter(unit_id__in=units, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
    )
    # lists, not nested subqueries: the planner chose badly on a nested LIKE join
    ids = set(postings.values_list("officer_id", flat=True))
    return Officer.objects.filter(pk__in=sorted(ids), kind="police", bureau=unit.bureau)


def _mean_age(officers, day: dt.date) -> float | None:
    births = list(officers.values_list("birth_date", flat=True))
    if not births:
        return None
    return sum((day - b).days / 365.25 for b in births) / len(births)


def _close(measured: float, claimed: float, tolerance: float) -> str:
    return "agrees" if abs(measured - claimed) <= tolerance else "differs"


def _incident_link(unit: Unit, first: dt.date, last: dt.date) -> str:
    q = {"unit": unit.pk, "received_from": first.isoformat(), "received_to": last.isoformat()}
    return reverse("incidents:incident_list") + "?" + urlencode(q)


def reform_claims(user, bureau) -> list[Claim]:
    claims: list[Claim] = []
    reform = reform_date(bureau)
    textile = _station(bureau, TEXTILE_TOWN)
    urban = _station(bureau, OLD_URBAN_TOWN)
    center = Unit.objects.filter(bureau=bureau, kind="investigation_center").order_by("valid_from").first()
    sees_incidents = can(user, Incident, "view")
    sees_people = can(user, Officer, "view")
    visible = set(restrict(Unit.objects.filter(bureau=bureau), user).values_list("pk", flat=True))
    outside = _("%(unit)s is outside your view.")

    # 1. The textile town's incidents fell by about 30% in a year after its zones started.
    c = Claim(
        "textile_incidents",
        _(
            # xgettext:no-python-format
            "Incidents in the textile-town station's area fell by about 30% in the year after its zone model started."
        ),
        "−30%",
    )
    zones_from = (
        Unit.objects.filter(bureau=bureau, kind="zone", parent=textile).aggregate(d=Min("valid_from"))["d"]
        if textile
        else None
    )
    if textile is None or zones_from is None:
        c.note = _("The bureau has no textile-town station with zones.")
    elif not sees_incidents:
        c.note = _("Incidents are outside your view.")
    elif textile.pk not in visible:
        c.note = outside % {"unit": textile.name}
    else:
        try:
            ev = evaluate_change(user, textile, zones_from, "incidents", 12)
        except ValidationError as e:
            c.note = " ".join(e.messages)
        else:
            raw = 100.0 * (ev.treated_after / ev.treated_before - 1.0)
            c.measured = f"{raw:+.1f}%"
            c.status = _close(raw, -30.0, 5.0)
            c.note = _(
                "%(unit)s: %(before).0f incidents a month in the 12 months before %(date)s, %(after).0f in the 12 "
                "after. Against the other stations (difference in differences): %(did)+.1f%% "
                "(95%% interval %(low)+.1f%% to %(high)+.1f%%)."
            ) % {
                "unit": textile.name,
                "before": ev.treated_before,
                "after": ev.treated_after,
                "date": zones_from.isoformat(),
                "did": ev.did.percent,
                "low": ev.did.percent_low,
                "high": ev.did.percent_high,
            }
            b0, b1 = ev.months_before[0], ev.months_before[-1]
            a0, a1 = ev.months_after[0], ev.months_after[-1]
            c.links = [
                (_("Incidents before"), _incident_link(textile, b0, _month_end(b1))),
                (_("Incidents after"), _incident_link(textile, a0, _month_end(a1))),
                (
                    _("Evaluate"),
                    reverse("analytics:effect")
                    + "?"
                    + urlencode(
                        {
                            "unit": textile.pk,
                            "change": zones_from.isoformat(),
                            "measure": "incidents",
                            "months": 12,
                        }
                    ),
                ),
            ]
    claims.append(c)

    # 2. The textile town went from 18 to 15 police, three of them to the investigation center.
    c = Claim("textile_police", _("The textile-town station went from 18 to 15 police officers."), "18 → 15")
    if textile is None or reform is None:
        c.note = _("The bureau has no textile-town station or no reform date (no investigation center).")
    elif not sees_people:
        c.note = _("Officers are outside your view.")
    elif textile.pk not in visible:
        c.note = outside % {"unit": textile.name}
    else:
        day_before = reform - dt.timedelta(days=1)
        after_day = zones_from or reform
        n0 = _police_on(user, textile, day_before).count()
        n1 = _police_on(user, textile, after_day).count()
        c.measured = f"{n0} → {n1}"
        c.status = "agrees" if (n0, n1) == (18, 15) else "differs"
        c.note = _("Police posted at %(unit)s on %(d0)s and on %(d1)s.") % {
            "unit": textile.name,
            "d0": day_before.isoformat(),
            "d1": after_day.isoformat(),
        }
        c.links = [
            (
                _("Officers of the station"),
                reverse("personnel:officer_list") + "?" + urlencode({"unit": textile.pk}),
            )
        ]
    claims.append(c)

    # 3. The old urban station's average age fell from 47.6 to 34.7.
    c = Claim(
        "urban_age", _("An urban station's police average age fell from 47.6 to 34.7 years."), "47.6 → 34.7"
    )
    if urban is None or reform is None:
        c.note = _("The bureau has no old urban station or no reform date (no investigation center).")
    elif not sees_people:
        c.note = _("Officers are outside your view.")
    elif urban.pk not in visible:
        c.note = outside % {"unit": urban.name}
    else:
        day_before = reform - dt.timedelta(days=1)
        a0 = _mean_age(_police_on(user, urban, day_before), day_before)
        a1 = _mean_age(_police_on(user, urban, reform), reform)
        if a0 is None or a1 is None:
            c.note = _("No police posted at %(unit)s in your view on one of the two days.") % {
                "unit": urban.name
            }
        else:
            c.measured = f"{a0:.1f} → {a1:.1f}"
            c.status = "agrees" if abs(a0 - 47.6) <= 0.5 and abs(a1 - 34.7) <= 0.5 else "differs"
            c.note = _("Mean age of the police posted at %(unit)s on %(d0)s and on %(d1)s.") % {
                "unit": urban.name,
                "d0": day_before.isoformat(),
                "d1": reform.isoformat(),
            }
    claims.append(c)

    # 4. The investigation center's average age is 32.
    c = Claim("center_age", _("The investigation center's officers average 32 years of age."), "32")
    if center is None or reform is None:
        c.note = _("The bureau has no investigation center with a start date.")
    elif not sees_people:
        c.note = _("Officers are outside your view.")
    else:
        a = _mean_age(_police_on(user, center, reform), reform)
        if a is None:
            c.note = _("No police of the investigation center in your view.")
        else:
            c.measured = f"{a:.1f}"
            c.status = _close(a, 32.0, 0.5)
            c.note = _("Mean age of its police on %(d)s, the day it started.") % {"d": reform.isoformat()}
    claims.append(c)

    # 5. About 80% of criminal cases are handled by the investigation center.
    # xgettext:no-python-format
    c = Claim("center_cases", _("The investigation center handles about 80% of all criminal cases."), "≈80%")
    if center is None or reform is None:
        c.note = _("The bureau has no investigation center with a start date.")
    elif not can(user, Case, "view"):
        c.note = _("Cases are outside your view.")
    else:
        tz = zone(bureau)
        start = dt.datetime.combine(reform, dt.time.min, tzinfo=tz)
        crim = restrict(Case.objects.filter(bureau=bureau, kind="criminal", opened_at__gte=start), user)
        total = crim.count()
        if not total:
            c.note = _("No criminal cases since the reform in your view.")
        else:
            at_center = crim.filter(owning_unit__path__startswith=center.path).count()
            share = 100.0 * at_center / total
            c.measured = f"{share:.1f}%"
            c.status = _close(share, 80.0, 5.0)
            c.note = _(
                "%(n)d of %(total)d criminal cases opened since %(d)s are owned by the center or its squads."
            ) % {
                "n": at_center,
                "total": total,
                "d": reform.isoformat(),
            }
    claims.append(c)

    # 6. Eight women moved from back-office posts to a strike squad.
    c = Claim(
        "women_strike",
        _("Eight female officers moved from back-office posts to a strike squad."),
        "8",
    )
    if center is None or reform is None:
        c.note = _("The bureau has no investigation center with a start date.")
    elif not sees_people:
        c.note = _("Officers are outside your view.")
    else:
        postings = restrict(Posting.objects.filter(bureau=bureau), user)
        back = set(
            postings.filter(role="back_office", end=reform - dt.timedelta(days=1)).values_list(
                "officer_id", flat=True
            )
        )
        center_units = list(
            Unit.objects.filter(bureau=bureau, path__startswith=center.path).values_list("pk", flat=True)
        )
        joined = set(
            postings.filter(start=reform, unit_id__in=center_units).values_list("officer_id", flat=True)
        )
        moved = Officer.objects.filter(pk__in=sorted(back & joined), gender="F", kind="police").count()
        c.measured = str(moved)
        c.status = "agrees" if moved == 8 else "differs"
        c.note = _(
            "Female police whose back-office posting ended the day before the reform and who joined the center on its day."
        )
    claims.append(c)

    # 7. Thirteen stations in three types: 2 full-spectrum, 5 proactive, 6 preventive.
    c = Claim(
        "station_types",
        _("13 police stations in three types: 2 full-spectrum, 5 proactive, 6 preventive."),
        "2 / 5 / 6",
    )
    stations = restrict(Unit.objects.current(data_date(bureau)).filter(bureau=bureau, kind="station"), user)
    counts = [stations.filter(station_type=t).count() for t in ("full_spectrum", "proactive", "preventive")]
    c.measured = " / ".join(str(n) for n in counts)
    c.status = "agrees" if counts == [2, 5, 6] else "differs"
    c.note = _("Current police stations in your view, by type.")
    c.links = [(_("Stations"), reverse("org:unit_list") + "?" + urlencode({"kind": "station"}))]
    claims.append(c)
    return claims


def _month_end(month: dt.date) -> dt.date:
    nxt = dt.date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)
