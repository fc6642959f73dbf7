"""Load generated counties into the database, and the demo log-ins.

The generator (``jingwu.demo.synth``) produces plain dataclasses; this module writes
them with bulk inserts in one transaction per county, so an interrupted load leaves
nothing behind and the next run starts that county again. A county that is already
present is skipped, which makes ``jingwu demo`` safe to run twice.

Bulk loading bypasses the per-row services for speed; the rows it writes are checked
by the generator's own tests (tiling, ID numbers, posting rules), geometry is parsed
and normalised exactly as the unit service does it, and the load is recorded as one
``import`` audit event per bureau with its counts.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from django.db import reset_queries, transaction

from jingwu.accounts.choices import Role
from jingwu.cases.deadlines import seed_demo_deadlines
from jingwu.cases.models import Case, CaseIncident, Petition, PetitionIncident, Series, SeriesIncident
from jingwu.cases.services import seed_default_rules
from jingwu.core import audit
from jingwu.core.models import Bureau
from jingwu.engine import vocab
from jingwu.engine.geo import to_geojson
from jingwu.incidents.models import Incident, IncidentCategory
from jingwu.org.models import Unit
from jingwu.org.services import apply_geometry
from jingwu.personnel.models import Officer, OfficerSkill, Posting
from jingwu.places.models import ElementRequirement, InspectionElement, Premises

from .synth import County, generate_county

DEMO_PASSWORD = "jingwu-demo-2019"
BATCH = 5000
UTC = dt.UTC
DEMO_TIME_ZONE = "Asia/Shanghai"
BEIJING_OFFSET = np.timedelta64(8, "h")  # no daylight saving in China since 1991

Progress = Callable[[str], None] | None


@dataclass
class LoadStats:
    units: int = 0
    officers: int = 0
    postings: int = 0
    premises: int = 0
    incidents: int = 0
    cases: int = 0
    series: int = 0


def _say(progress: Progress, text: str) -> None:
    if progress:
        progress(text)


def county_present(code: str) -> bool:
    return Bureau.objects.filter(code=code).exists()


def load_county(county: County, *, progress: Progress = None, batch: int = BATCH) -> tuple[Bureau, LoadStats]:
    """Write one generated county in one transaction."""
    stats = LoadStats()
    with transaction.atomic():
        bureau = Bureau.objects.create(
            code=county.bureau_code,
            name_zh=county.bureau_name_zh,
            name_en=county.bureau_name_en,
            region_code=county.region_code,
            time_zone=DEMO_TIME_ZONE,  # the generator's times are Beijing local time
        )
        units = _load_units(bureau, county, stats)
        _say(progress, f"  {bureau.code}: {stats.units} units")
        _load_catalogue(bureau)
        officers = _load_people(bureau, county, units, stats, batch)
        _say(
            progress, f"  {bureau.code}: {stats.officers} officers and auxiliaries, {stats.postings} postings"
        )
        _load_premises(bureau, county, units, stats, batch)
        _say(progress, f"  {bureau.code}: {stats.premises} key premises")
        incident_ids = _load_incidents(bureau, county, units, stats, batch, progress)
        _load_cases(bureau, county, units, incident_ids, stats, batch)
        _load_series(bureau, county, incident_ids, stats, batch)
        _load_petitions(bureau, county, units, incident_ids, officers, batch)
        _load_callbacks(bureau, county, units, incident_ids, batch, officers)
        seed_default_rules(bureau)  # the reform's case routing (docs/cases.md)
        seed_demo_deadlines(bureau)
        audit.record(
            "import",
            actor=None,
            bureau=bureau,
            object_type="demo.county",
            object_id=bureau.code,
            object_repr=bureau.name_zh,
            unit_path=units[_root_code(county)].path,
            after={k: getattr(stats, k) for k in stats.__dataclass_fields__},
            reason="demo county generator",
            via="job",
        )
    reset_queries()
    return bureau, stats


def _root_code(county: County) -> str:
    return next(u.code for u in county.units if u.parent_code is None)


def _load_units(bureau: Bureau, county: County, stats: LoadStats) -> dict[str, Unit]:
    """Insert units level by level (parents first) and set their materialised paths."""
    by_code: dict[str, Unit] = {}
    pending = list(county.units)
    depth = 0
    while pending:
        level = [u for u in pending if u.parent_code is None or u.parent_code in by_code]
        if not level:
            raise ValueError("the generated unit tree has a unit whose parent does not exist")
        pending = [u for u in pending if not (u.parent_code is None or u.parent_code in by_code)]
        rows = []
        for spec in level:
            unit = Unit(
                bureau=bureau,
                parent=by_code.get(spec.parent_code) if spec.parent_code else None,
                kind=spec.kind,
                code=spec.code,
                name_zh=spec.name_zh,
                name_en=spec.name_en,
                station_type=spec.station_type or "",
                boundary=to_geojson(spec.boundary) if spec.boundary is not None else None,
                base_lon=spec.base[0] if spec.base else None,
                base_lat=spec.base[1] if spec.base else None,
                households=spec.households,
                residents=spec.residents,
                floating=spec.floating,
                valid_from=spec.valid_from,
                valid_to=spec.valid_to,
                depth=depth,
            )
            apply_geometry(unit)
            rows.append(unit)
        Unit.objects.bulk_create(rows, batch_size=1000)
        for unit in rows:
            parent_path = unit.parent.path if unit.parent is not None else "/"
            unit.path = f"{parent_path}{unit.pk}/"
            by_code[unit.code] = unit
        Unit.objects.bulk_update(rows, ["path"], batch_size=1000)
        depth += 1
    stats.units = len(by_code)
    return by_code


def _load_catalogue(bureau: Bureau) -> None:
    elements = InspectionElement.objects.bulk_create(
        [
            InspectionElement(bureau=bureau, code=t.code, name_zh=t.zh, name_en=t.en)
            for t in vocab.INSPECTION_ELEMENTS
        ]
    )
    by_code = {e.code: e for e in elements}
    ElementRequirement.objects.bulk_create(
        [
            ElementRequirement(bureau=bureau, category=cat, element=by_code[el], visits_per_year=n)
            for cat, reqs in vocab.ELEMENT_REQUIREMENTS.items()
            for el, n in reqs.items()
        ]
    )


def _load_people(
    bureau, county: County, units: dict[str, Unit], stats: LoadStats, batch: int
) -> dict[str, int]:
    officers = [
        Officer(
            bureau=bureau,
            police_number=o.police_number,
            name=o.name,
            kind=o.kind,
            gender=o.gender,
            birth_date=o.birth_date,
            id_number=o.id_number,
            rank=o.rank,
            phone=o.phone,
            hired=o.hired,
            status=o.status,
            home_lon=o.home[0],
            home_lat=o.home[1],
        )
        for o in county.officers
    ]
    Officer.objects.bulk_create(officers, batch_size=batch)
    ids = {o.police_number: o.pk for o in officers}
    skills = [
        OfficerSkill(bureau=bureau, officer_id=ids[o.police_number], skill=code, level=level)
        for o in county.officers
        for code, level in o.skills
    ]
    OfficerSkill.objects.bulk_create(skills, batch_size=batch)
    postings = [
        Posting(
            bureau=bureau,
            officer_id=ids[p.police_number],
            unit=units[p.unit_code],
            role=p.role,
            start=p.start,
            end=p.end,
        )
        for p in county.postings
    ]
    Posting.objects.bulk_create(postings, batch_size=batch)
    stats.officers, stats.postings = len(officers), len(postings)
    return ids


def _grid_owners(units: dict[str, Unit]) -> dict[str, tuple[int, int | None, int]]:
    """grid code -> (grid id, zone id or None, station id)."""
    by_id = {u.pk: u for u in units.values()}
    out = {}
    for u in units.values():
        if u.kind != "grid":
            continue
        parent = by_id[u.parent_id]
        if parent.kind == "zone":
            out[u.code] = (u.pk, parent.pk, parent.parent_id)
        else:
            out[u.code] = (u.pk, None, parent.pk)
    return out


def _load_premises(bureau, county: County, units: dict[str, Unit], stats: LoadStats, batch: int) -> None:
    owners = _grid_owners(units)
    rows = [
        Premises(
            bureau=bureau,
            external_id=p.external_id,
            category=p.category,
            name=p.name,
            address=p.address,
            lon=p.lon,
            lat=p.lat,
            grid_id=owners[p.grid_code][0],
            station_id=owners[p.grid_code][2],
            responsible_person=p.responsible_person,
            responsible_phone=p.phone,
            licence_no=p.licence_no,
            status=p.status,
            employees=p.employees,
        )
        for p in county.premises
    ]
    Premises.objects.bulk_create(rows, batch_size=batch)
    stats.premises = len(rows)


def load_order(inc) -> np.ndarray:
    """The order incidents are written in: the county's own, then those a layer added."""
    extra = inc.is_extra
    return np.r_[np.flatnonzero(~extra), np.flatnonzero(extra)]


def incident_rows(bureau: Bureau, county: County, units: dict[str, Unit]):
    """Yield unsaved Incident objects for a county, in batches (lists) of BATCH, in ``load_order``."""
    inc = county.incidents
    owners = _grid_owners(units)
    categories = dict(IncidentCategory.objects.values_list("code", "pk"))
    n = len(inc)
    local = inc.received.astype("datetime64[s]")
    utc = (local - BEIJING_OFFSET).tolist()
    days = local.astype("datetime64[D]")
    # Sequence within each local day: the data is sorted by time; the incidents a layer of
    # the generator added (the robbery series) come after a day's others, so that adding
    # them renumbers nothing.
    extra = inc.is_extra
    by_day = np.lexsort((extra, days))
    _, first = np.unique(days[by_day], return_index=True)
    seq = np.empty(n, dtype=np.int64)
    seq[by_day] = np.arange(n) - np.repeat(first, np.diff(np.append(first, n)))
    day_text = np.datetime_as_string(days).tolist()
    grids = inc.grid.tolist()
    cats = inc.category.tolist()
    sources = inc.source.tolist()
    statuses = inc.status.tolist()
    lon, lat = inc.lon.tolist(), inc.lat.tolist()
    disp, arr, clr = inc.dispatch_s.tolist(), inc.arrive_s.tolist(), inc.clear_s.tolist()
    addr, desc, rep = inc.address_idx.tolist(), inc.description_idx.tolist(), inc.reporter_idx.tolist()
    prefix = f"J{bureau.code}"
    out = []
    for i in load_order(inc).tolist():
        received = utc[i].replace(tzinfo=UTC)
        g = owners[grids[i]]
        reporter = inc.reporters[rep[i]]
        out.append(
            Incident(
                bureau=bureau,
                number=f"{prefix}{day_text[i].replace('-', '')}{seq[i] + 1:05d}",
                source_system="demo",
                received_at=received,
                category_id=categories[cats[i]],
                source=sources[i],
                lon=lon[i],
                lat=lat[i],
                address=inc.addresses[addr[i]],
                description=inc.description(i, desc[i]),
                reporter_name=reporter[0],
                reporter_phone=reporter[1],
                grid_id=g[0],
                zone_id=g[1],
                station_id=g[2],
                dispatched_at=received + dt.timedelta(seconds=disp[i]) if disp[i] >= 0 else None,
                arrived_at=received + dt.timedelta(seconds=arr[i]) if arr[i] >= 0 else None,
                cleared_at=received + dt.timedelta(seconds=clr[i]) if clr[i] >= 0 else None,
                status=statuses[i],
            )
        )
        if len(out) >= BATCH:
            yield out
            out = []
    if out:
        yield out


def _load_incidents(
    bureau, county: County, units, stats: LoadStats, batch: int, progress: Progress
) -> list[int]:
    ids: list[int] = []
    for rows in incident_rows(bureau, county, units):
        Incident.objects.bulk_create(rows, batch_size=batch)
        reset_queries()  # with DEBUG on, Django keeps every (huge) bulk INSERT statement
        ids.extend(r.pk for r in rows)
        if progress and len(ids) % (batch * 5) == 0:
            _say(progress, f"  {bureau.code}: {len(ids):,} incidents…")
    stats.incidents = len(ids)
    _say(progress, f"  {bureau.code}: {len(ids):,} incidents")
    by_index = [0] * len(ids)  # the ids by the county's index
    for i, pk in zip(load_order(county.incidents).tolist(), ids, strict=True):
        by_index[i] = pk
    return by_index


def _load_cases(bureau, county: County, units, incident_ids: list[int], stats: LoadStats, batch: int) -> None:
    """A case for every criminal incident: before the reform the station owns it; after it,
    about 80% go to the investigation center ("relatively centralised case handling")."""
    inc = county.incidents
    criminal_codes = {c.code for c in vocab.INCIDENT_CATEGORIES if c.criminal}
    is_criminal = np.isin(inc.category, list(criminal_codes))
    idx = np.flatnonzero(is_criminal)
    idx = np.r_[idx[~inc.is_extra[idx]], idx[inc.is_extra[idx]]]  # an added layer's cases last
    rng = np.random.default_rng(int(bureau.code, 36) % (2**32))
    centre = next((u for u in units.values() if u.kind == "investigation_center"), None)
    owners = _grid_owners(units)
    reform = np.datetime64(county.reform_date)
    received = inc.received.astype("datetime64[s]")
    to_centre = rng.random(len(idx)) < 0.8
    solved = rng.random(len(idx))
    categories = dict(IncidentCategory.objects.values_list("code", "pk"))
    cases, links = [], []
    for k, i in enumerate(idx.tolist()):
        station_id = owners[inc.grid[i]][2]
        after = received[i] >= reform
        owner_id = centre.pk if (after and to_centre[k] and centre is not None) else station_id
        opened = (received[i] - BEIJING_OFFSET).tolist().replace(tzinfo=UTC)
        status = "closed" if solved[k] < 0.45 else ("solved" if solved[k] < 0.6 else "investigating")
        cases.append(
            Case(
                bureau=bureau,
                number=f"A{bureau.code}{k + 1:07d}",
                kind="criminal",
                category_id=categories[inc.category[i]],
                title=inc.descriptions[inc.description_idx[i]][:200],
                owning_unit_id=owner_id,
                status=status,
                opened_at=opened,
                deadline=(opened + dt.timedelta(days=60)).date(),
                closed_at=opened + dt.timedelta(days=int(5 + solved[k] * 60)) if status == "closed" else None,
            )
        )
    Case.objects.bulk_create(cases, batch_size=batch)
    for case, i in zip(cases, idx.tolist(), strict=True):
        links.append(CaseIncident(bureau=bureau, case_id=case.pk, incident_id=incident_ids[i]))
    CaseIncident.objects.bulk_create(links, batch_size=batch)
    stats.cases = len(cases)


def _load_series(bureau, county: County, incident_ids: list[int], stats: LoadStats, batch: int) -> None:
    series = [
        Series(
            bureau=bureau,
            code=s.code,
            name=s.name_zh,
            origin="ground_truth",
            note=f"{s.first:%Y-%m-%d} – {s.last:%Y-%m-%d}",
        )
        for s in county.series
    ]
    Series.objects.bulk_create(series)
    members = load_order(county.incidents)
    members = members[county.incidents.series[members] >= 0]
    SeriesIncident.objects.bulk_create(
        [
            SeriesIncident(
                bureau=bureau,
                series_id=series[int(county.incidents.series[i])].pk,
                incident_id=incident_ids[i],
            )
            for i in members.tolist()
        ],
        batch_size=batch,
    )
    stats.series = len(series)


def _load_petitions(bureau, county: County, units, incident_ids: list[int], officers, batch: int) -> None:
    """The generator's petitions (some about incidents, and a car-loan gang's complaints)."""
    owners = _grid_owners(units)
    rows, links = [], []
    for k, p in enumerate(county.petitions):
        rows.append(
            Petition(
                bureau=bureau,
                number=f"X{bureau.code}{k + 1:06d}",
                received_at=(p.received - dt.timedelta(hours=8)).replace(tzinfo=UTC),
                petitioner_name=p.petitioner,
                petitioner_phone=p.phone,
                subject=p.subject,
                content=p.content,
                unit_id=owners[p.grid][2],
                status="closed" if k % 5 else "handling",
            )
        )
    Petition.objects.bulk_create(rows, batch_size=batch)
    for row, p in zip(rows, county.petitions, strict=True):
        if p.incident >= 0:
            links.append(
                PetitionIncident(bureau=bureau, petition_id=row.pk, incident_id=incident_ids[p.incident])
            )
    PetitionIncident.objects.bulk_create(links, batch_size=batch)


def ensure_near_repeat_alerts(bureau: Bureau, *, progress: Progress = None) -> int:
    """The near-repeat profile of the bureau's data date (what the hourly schedule computes)
    and the alerts of its last burglaries, so that the map and the zones show them at once
    (the bulk load raises none). Once: nothing new on a second run. Returns the alerts written."""
    from jingwu.incidents.nearrepeat import alerts_on_data_date

    t0 = time.perf_counter()
    profile, written = alerts_on_data_date(bureau)
    if profile is not None and (written or profile.supported):
        _say(
            progress,
            f"  {bureau.code}: near repeats within {profile.distance:.0f} m and {profile.days:.0f} days, "
            f"{written} alerts ({time.perf_counter() - t0:.1f} s)",
        )
    return written


# Callbacks to reporters (警情回访): a sample of the incidents is called back one to three days
# later, in office hours; some reporters cannot be reached; of those reached, each station's
# own share (drawn between 85% and 95%) is satisfied or basically satisfied.
CALLBACK_SHARE = 0.06
CALLBACK_UNREACHABLE = 0.1
CALLBACK_SATISFIED = (0.85, 0.95)
CALLBACK_BASICALLY = 0.3  # of the satisfied
CALLBACK_COMPLAINT = 0.3  # of the unsatisfied
CALLBACK_STREAM = 7301  # the callbacks' own random stream: no other generated figure changes
# who made each call: a community officer or grid auxiliary of the incident's zone posted
# there that day, else one of its station's; drawn from a stream of its own, so that the
# calls (and every figure of them) are the same as without officers
CALLBACK_OFFICER_STREAM = 7302
CALLBACK_OFFICER_ROLES = ("community", "grid_auxiliary")
UNSATISFIED_NOTES = ("出警慢", "未告知处理结果", "对处理结果不满意", "民警解释不清")


def _callers(county: County, calls: list[tuple[str, dt.date]], draws: np.ndarray) -> list[str | None]:
    """The police number of the officer who made each call ((grid code, local day) of the
    incident and the call): one of the community officers and grid auxiliaries posted in the
    incident's zone (the zone itself or one of its grids) on that day, else in its station
    (the station, its zones and grids: before the reform, community officers were posted
    to the station); chosen by ``draws`` (uniform in [0, 1), one per call). None when the
    station had nobody in those roles that day."""
    spec = {u.code: u for u in county.units}

    def up(code: str, kind: str) -> str | None:
        u = spec.get(code)
        while u is not None and u.kind != kind:
            u = spec.get(u.parent_code) if u.parent_code else None
        return u.code if u is not None else None

    by_zone: dict[str, list] = {}
    by_station: dict[str, list] = {}
    for p in county.postings:
        kind = spec[p.unit_code].kind
        if p.role not in CALLBACK_OFFICER_ROLES or kind not in ("station", "zone", "grid"):
            continue
        if kind != "station" and (zone := up(p.unit_code, "zone")):
            by_zone.setdefault(zone, []).append(p)
        if station := up(p.unit_code, "station"):
            by_station.setdefault(station, []).append(p)
    out: list[str | None] = []
    for (grid, day), u in zip(calls, draws.tolist(), strict=True):
        picked = None
        for posts in (by_zone.get(up(grid, "zone") or "", []), by_station.get(up(grid, "station") or "", [])):
            on = sorted(
                {p.police_number for p in posts if p.start <= day and (p.end is None or day <= p.end)}
            )
            if on:
                picked = on[int(u * len(on))]
                break
        out.append(picked)
    return out


def _load_callbacks(
    bureau, county: County, units, incident_ids: list[int], batch: int, officers: dict[str, int] | None = None
) -> int:
    """Callbacks for a sample of the incidents (see ``CALLBACK_SHARE``), none after the last
    day of the data, each with the officer who called (see ``_callers``; given ``officers``,
    police number -> id); returns how many."""
    from jingwu.incidents.models import Callback

    inc = county.incidents
    n = len(inc)
    if not n:
        return 0
    rng = np.random.default_rng([int(bureau.code, 36) % (2**32), CALLBACK_STREAM])
    owners = _grid_owners(units)
    stations = sorted({owner[2] for owner in owners.values()})
    low, high = CALLBACK_SATISFIED
    rate = dict(zip(stations, rng.uniform(low, high, len(stations)).tolist(), strict=True))
    local = inc.received.astype("datetime64[s]")
    days = local.astype("datetime64[D]")
    last = days.max()
    after = rng.integers(1, 4, n)  # called 1 to 3 days after
    picked = (rng.random(n) < CALLBACK_SHARE) & (days + after <= last)
    idx = np.flatnonzero(picked)
    minutes = rng.integers(9 * 60, 18 * 60, len(idx))  # 09:00 to 17:59 local time
    reach, sat, basic, complain, note = (rng.random(len(idx)) for _ in range(5))
    called = (days[idx] + after[idx]).astype("datetime64[m]") + minutes.astype("timedelta64[m]")
    called_utc = (called - BEIJING_OFFSET).astype("datetime64[s]").tolist()
    grids = inc.grid.tolist()
    callers: list[str | None] = [None] * len(idx)
    if officers is not None:
        draws = np.random.default_rng([int(bureau.code, 36) % (2**32), CALLBACK_OFFICER_STREAM]).random(
            len(idx)
        )
        call_days = (days[idx] + after[idx]).tolist()
        callers = _callers(county, [(grids[i], call_days[k]) for k, i in enumerate(idx.tolist())], draws)
    rows = []
    for k, i in enumerate(idx.tolist()):
        if reach[k] < CALLBACK_UNREACHABLE:
            result, text, complaint = "unreachable", "", False
        elif sat[k] < rate[owners[grids[i]][2]]:
            result, text, complaint = (
                ("basically" if basic[k] < CALLBACK_BASICALLY else "satisfied"),
                "",
                False,
            )
        else:
            text = UNSATISFIED_NOTES[int(note[k] * len(UNSATISFIED_NOTES))]
            result, complaint = "unsatisfied", bool(complain[k] < CALLBACK_COMPLAINT)
        rows.append(
            Callback(
                bureau=bureau,
                incident_id=incident_ids[i],
                called_at=called_utc[k].replace(tzinfo=UTC),
                result=result,
                note=text,
                complaint=complaint,
                officer_id=officers[callers[k]] if callers[k] else None,
            )
        )
    Callback.objects.bulk_create(rows, batch_size=batch)
    return len(rows)


def demo_bureau_code(index: int) -> str:
    """Bureau code of the generated county ``index`` (the generator's contract)."""
    return "330522" if index == 0 else f"9{index:05d}"


def ensure_demo(*, seed: int = 2019, scale: int = 1, progress: Progress = None) -> list[tuple[str, str]]:
    """Generate and load the demo counties that are not loaded yet; create the demo log-ins."""
    for index in range(scale):
        code = demo_bureau_code(index)
        if county_present(code):
            _say(progress, f"Bureau {code} is already loaded: keeping its data.")
            continue
        _say(progress, f"Generating county {index + 1} of {scale} (bureau {code}, seed {seed})…")
        county = generate_county(seed=seed, index=index)
        load_county(county, progress=progress)
    from jingwu.duty.demo import ensure_duty_demo
    from jingwu.evaluation.demo import ensure_evaluation
    from jingwu.inspections.demo import ensure_inspection_demo

    for index in range(scale):  # each bureau's Four-Star evaluation, inspections and duty, once
        bureau = Bureau.objects.get(code=demo_bureau_code(index))
        ensure_evaluation(bureau, seed=seed)
        ensure_inspection_demo(bureau, seed=seed)
        if index == 0:  # the duty of the first county's demo stations (where the log-ins are)
            _say(progress, "Duty: coverage needs, rosters, grids, leave and the work log…")
            ensure_duty_demo(bureau, seed=seed)
        ensure_near_repeat_alerts(bureau, progress=progress)
        from jingwu.series.demo import ensure_unreported_leads

        ensure_unreported_leads(bureau, seed=seed)  # what the offenders of solved series admitted
    return ensure_demo_users(Bureau.objects.get(code=demo_bureau_code(0)))


DEMO_USERS = [
    ("admin", None, "System administrator (superuser, Django admin)", "系统管理员"),
    ("command", Role.BUREAU_COMMAND, "Bureau commander: the whole county", "局长"),
    ("planner", Role.PLANNER, "Headquarters planner", "警务保障/指挥中心"),
    ("zhencha", Role.INVESTIGATION_CENTER, "Investigation & Strike Center analyst", "侦查打击中心"),
    ("fangkong", Role.PREVENTION_CENTER, "Prevention & Control Center inspector", "基础防控中心"),
    ("jiapu", Role.STATION_CHIEF, "Chief of the textile-town station (Jiapu)", "夹浦派出所所长"),
    ("jiapu-zone", Role.ZONE_LEAD, "Zone lead in Jiapu", "夹浦片区长"),
    ("jiapu-grid", Role.COMMUNITY_OFFICER, "Community officer of a Jiapu grid", "社区民警"),
    ("zhicheng", Role.STATION_CHIEF, "Chief of the urban station (Zhicheng)", "雉城派出所所长"),
    ("zhengzhi", Role.POLITICAL_DEPARTMENT, "Political department", "政治处"),
    ("audit", Role.AUDITOR, "Auditor (read-only)", "督察/审计"),
]


def _demo_unit(bureau: Bureau, role: str | None, username: str) -> Unit | None:
    units = Unit.objects.current().filter(bureau=bureau)
    kinds = {
        Role.INVESTIGATION_CENTER: "investigation_center",
        Role.PREVENTION_CENTER: "prevention_center",
    }
    if role in kinds:
        return units.filter(kind=kinds[role]).first()
    if username.startswith("jiapu") or username == "zhicheng":
        town = "夹浦" if username.startswith("jiapu") else "雉城"
        station = (
            units.filter(kind="station", name_zh__startswith=town).first()
            or units.filter(kind="station").order_by("code").first()
        )
        if role == Role.STATION_CHIEF:
            return station
        zone = units.filter(kind="zone", parent=station).order_by("code").first()
        if role == Role.ZONE_LEAD:
            return zone
        return units.filter(kind="grid", parent=zone).order_by("code").first()
    return units.filter(kind="headquarters").first()


def ensure_demo_users(bureau: Bureau) -> list[tuple[str, str]]:
    """Create the demo log-ins once (later runs leave them as they are)."""
    from jingwu.accounts.models import User
    from jingwu.accounts.services import do_create_user, do_grant_membership

    logins = []
    for username, role, en, zh in DEMO_USERS:
        logins.append((username, f"{zh} · {en}"))
        if User.objects.filter(username=username).exists():
            continue
        with transaction.atomic():
            unit = _demo_unit(bureau, role, username)
            officer = None
            if unit is not None and role in {Role.STATION_CHIEF, Role.ZONE_LEAD, Role.COMMUNITY_OFFICER}:
                wanted = {
                    Role.STATION_CHIEF: "chief",
                    Role.ZONE_LEAD: "zone_lead",
                    Role.COMMUNITY_OFFICER: "community",
                }
                posting = (
                    Posting.objects.current()
                    .filter(bureau=bureau, unit=unit, role=wanted[role], officer__user__isnull=True)
                    .select_related("officer")
                    .first()
                )
                officer = posting.officer if posting else None
            user = do_create_user(
                actor=None,
                username=username,
                password=DEMO_PASSWORD,
                bureau=bureau,
                officer=officer,
                first_name=officer.name if officer else zh,
                is_superuser=role is None,
                check_password=False,
            )
            if role is not None and unit is not None:
                do_grant_membership(actor=None, user=user, unit=unit, role=role)
    return logins
