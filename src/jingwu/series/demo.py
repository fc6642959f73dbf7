"""The demo's unreported offences: what the offenders of solved series admitted.

A layer over the loaded demo county (its own random stream, after the load: no row or
figure of the generator changes). The offender of each series with a solved case was
questioned and admitted offences nobody reported (余罪); each admission is a lead of the
series, at a place near one of its incidents, assigned to the station (zone, grid) there.
Most were followed up already (not a victim, unreachable, declined to report); the rest
are open, some overdue against the bureau's data date. No report was taken in the demo:
a report would be a new incident, and the demo's incidents are the generator's.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from jingwu.cases.models import Case, CaseIncident, Series, SeriesIncident
from jingwu.core import audit, clock
from jingwu.incidents.models import Incident
from jingwu.org.selectors import bureau_areas

from .models import LeadSource, LeadStatus, UnreportedLead

LEAD_STREAM = 7411  # the leads' own random stream
LEADS_PER_SERIES = (1, 4)  # admitted offences per solved series: 1 to 3
# Outcomes of the leads, by share: the rest are still to contact.
OUTCOMES = (
    (LeadStatus.NOT_VICTIM, 0.2),
    (LeadStatus.DECLINED, 0.2),
    (LeadStatus.UNREACHABLE, 0.15),
)
WHAT = (
    ("电动车", "供述在此附近盗窃电动车一辆，车主未报案"),
    ("商铺", "供述夜间撬门进入此处一商铺，盗走香烟、现金若干"),
    ("抢夺", "供述在此路段抢夺一名行人挎包（内有手机、现金）"),
    ("", "供述入户盗走手机一部、现金若干，事主未报案"),
)
RICE_COOKER = "供述入户盗走电饭煲一只（事主未报案）"
CONTACT = ("", "", "白天家中有人", "晚上七点后在家", "店主每天上午开门", "向村委会打听")
NOT_VICTIM_NOTES = ("住户称未发生失窃", "查无此事", "经核实为家人借用")
DECLINED_NOTES = ("损失小，不愿报案", "怕麻烦，不愿做笔录", "已自行找回")


def _what(name: str) -> str:
    return next(text for key, text in WHAT if key in name)


def ensure_unreported_leads(bureau, *, seed: int = 2019) -> int:
    """The leads of the bureau's solved demo series, once (nothing new on a second run);
    returns how many were written."""
    from django.db import transaction

    if UnreportedLead.objects.filter(bureau=bureau).exists():
        return 0
    series = list(Series.objects.filter(bureau=bureau, origin="ground_truth").order_by("code"))
    if not series:
        return 0
    rng = np.random.default_rng([int(bureau.code, 36) % (2**32), LEAD_STREAM, seed])
    latest = clock.data_date(bureau)
    tz = clock.zone(bureau)
    areas = bureau_areas(bureau.pk)
    rows: list[UnreportedLead] = []
    for s in series:
        members = list(
            Incident.objects.filter(
                pk__in=SeriesIncident.objects.filter(series=s).values("incident_id"), lon__isnull=False
            )
            .order_by("received_at", "pk")
            .values("pk", "lon", "lat", "address", "received_at", "station_id")
        )
        solved = Case.objects.filter(
            pk__in=CaseIncident.objects.filter(incident_id__in=[m["pk"] for m in members]).values("case_id"),
            status="solved",
        ).exists()
        if not members or not solved:
            continue
        first = clock.local_day(members[0]["received_at"], tz)
        last = clock.local_day(members[-1]["received_at"], tz)
        for k in range(int(rng.integers(*LEADS_PER_SERIES))):
            near = members[int(rng.integers(len(members)))]
            # 100 to 400 m from one of the series' incidents
            metres, angle = rng.uniform(100, 400), rng.uniform(0, 2 * np.pi)
            lon = round(near["lon"] + metres * np.cos(angle) / 95_000.0, 6)
            lat = round(near["lat"] + metres * np.sin(angle) / 111_000.0, 6)
            found = areas.locate_many([lon], [lat])[0]
            if found is None or found.station_id is None:  # off the county's edge: the incident's place
                lon, lat, found = near["lon"], near["lat"], areas.locate_many([near["lon"]], [near["lat"]])[0]
            day = first + dt.timedelta(days=int(rng.integers(0, (last - first).days + 1)))
            span = int(rng.integers(0, 8)) if rng.random() < 0.4 else 0
            # the offender was questioned lately: due within the last 45 days or the next two weeks
            due = latest + dt.timedelta(days=int(rng.integers(-45, 15)))
            draw, outcome = rng.random(), LeadStatus.TO_CONTACT
            edge = 0.0
            for status, share in OUTCOMES:
                edge += share
                if draw < edge:
                    outcome = status
                    break
            followed = due - dt.timedelta(days=int(rng.integers(0, 14)))
            note_pick = rng.random()
            contact = CONTACT[int(rng.integers(len(CONTACT)))]
            if outcome == LeadStatus.NOT_VICTIM:
                note = NOT_VICTIM_NOTES[int(note_pick * len(NOT_VICTIM_NOTES))]
            elif outcome == LeadStatus.DECLINED:
                note = DECLINED_NOTES[int(note_pick * len(DECLINED_NOTES))]
            else:
                note = ""
            rows.append(
                UnreportedLead(
                    bureau=bureau,
                    series=s,
                    source=LeadSource.ADMISSION,
                    first_day=min(day, latest),
                    last_day=min(day + dt.timedelta(days=span), latest) if span else None,
                    approximate=bool(span) or rng.random() < 0.5,
                    description=RICE_COOKER if ("电饭煲" in s.name and k == 0) else _what(s.name),
                    address=f"{near['address']}附近" if near["address"] else "",
                    lon=float(lon),
                    lat=float(lat),
                    contact_note=contact,
                    station_id=found.station_id if found else near["station_id"],
                    zone_id=found.zone_id if found else None,
                    grid_id=found.grid_id if found else None,
                    due=due,
                    status=outcome,
                    followed_up_on=min(followed, latest) if outcome != LeadStatus.TO_CONTACT else None,
                    outcome_note=note,
                )
            )
    with transaction.atomic():
        UnreportedLead.objects.bulk_create(rows)
        audit.record(
            "import",
            actor=None,
            bureau=bureau,
            object_type="series.unreportedlead",
            object_repr="demo",
            after={"leads": len(rows), "series": len({r.series_id for r in rows})},
            reason="demo: offences admitted by the offenders of solved series",
            via="job",
        )
    return len(rows)
