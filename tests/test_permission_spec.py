"""Who may see and do what: the specification, written by hand from personas.md.

``test_permission_matrix.py`` sweeps every route and checks that the views agree with
``restrict()``, the function they use; it cannot notice a wrong rule in the permission
table. This file is the specification instead: for each persona of the test county
(tests/conftest.py) and each key route (page and API; list, detail, write), the rows it
must see and the status it must get, written from /work/shared/docs/personas.md without
looking at ``core/permissions.py``. Where personas.md is silent the rule is "what the
persona's work needs, nothing more".

Reading the tables:
- SEES: the rows of the test county a persona sees. A list shows exactly these rows (page
  and API); a detail answers 200 for them and 404 for every other row of the county.
- ADD: what a persona may add through the API. ``POST {}`` answers 400 (allowed, the empty
  body is invalid) or 403 (refused before validation). Cases are opened by the center and
  station chiefs.
- CHANGE: statuses of ``PATCH`` with an invalid value on a west-station row (grid S01-Z1-G1,
  the community officer 陈静, the hotel 城西宾馆): 400 = allowed (and refused as invalid),
  403 = seen but not changeable, 404 = not seen. Nothing is written.
- PAGES: audit, imports and planning pages.

The outsider is a station chief of another bureau: nothing of this county, whatever the route.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from jingwu.core.models import AuditEvent
from jingwu.personnel.models import Posting

from .conftest import minimal_scenario

# --- the rows of the test county -------------------------------------------------------

ALL_UNITS = {"hq", "ic", "pc", "west", "east", "zone_s", "zone_n", "grid_s1", "grid_s2", "grid_n1"}
ALL_UNITS |= {"zone_e", "grid_e1"}
WEST_UNITS = {"west", "zone_s", "zone_n", "grid_s1", "grid_s2", "grid_n1"}
SOUTH_ZONE_UNITS = {"zone_s", "grid_s1", "grid_s2"}
ALL_OFFICERS = {"off_chief", "off_lead", "off_comm", "off_east", "off_ic", "off_aux"}
WEST_OFFICERS = {"off_chief", "off_lead", "off_comm", "off_aux"}
SOUTH_ZONE_OFFICERS = {"off_lead", "off_comm", "off_aux"}
ALL_PREMISES = {"prem_west", "prem_east"}
ALL_INCIDENTS = {"inc_west_theft", "inc_west_dispute", "inc_east_theft", "inc_east_traffic"}
CRIMINAL_INCIDENTS = {"inc_west_theft", "inc_east_theft"}
ALL_CASES = {
    "case_west",
    "case_east",
}  # a criminal case of the west station, an administrative one of the east
NONE: set[str] = set()

# --- SEES: persona -> (units, officers and their postings, premises, incidents, cases) -----

SEES = {
    # the whole bureau, no other bureau
    "command": (ALL_UNITS, ALL_OFFICERS, ALL_PREMISES, ALL_INCIDENTS, ALL_CASES),
    # imports and plans: the bureau's units, people, premises and incidents; no case files
    "planner": (ALL_UNITS, ALL_OFFICERS, ALL_PREMISES, ALL_INCIDENTS, NONE),
    # criminal incidents and cases wherever they happened; never stations' non-criminal work;
    # the unit tree to route cases; its own people
    "center": (ALL_UNITS, {"off_ic"}, NONE, CRIMINAL_INCIDENTS, {"case_west"}),
    # consolidated inspections county-wide; never cases and investigations
    "prevention": (ALL_UNITS, NONE, ALL_PREMISES, NONE, NONE),
    # the station's zones, grids, people, incidents, premises (and its cases); no other station
    "chief": (
        WEST_UNITS,
        WEST_OFFICERS,
        {"prem_west"},
        {"inc_west_theft", "inc_west_dispute"},
        {"case_west"},
    ),
    # the zone like a small station; not other zones' personal data
    "zone_lead": (SOUTH_ZONE_UNITS, SOUTH_ZONE_OFFICERS, {"prem_west"}, {"inc_west_theft"}, NONE),
    # the grid's tasks, premises and incidents; nothing outside the grid
    "community": ({"grid_s1"}, NONE, {"prem_west"}, {"inc_west_theft"}, NONE),
    # officers (Four-Star, officer care, promotions); never case contents
    "political": (ALL_UNITS, ALL_OFFICERS, NONE, NONE, NONE),
    # read-only, everything
    "auditor": (ALL_UNITS, ALL_OFFICERS, ALL_PREMISES, ALL_INCIDENTS, ALL_CASES),
    # accounts and roles over the unit tree; no personal data unless granted
    "sysadmin": (ALL_UNITS, NONE, NONE, NONE, NONE),
    "outsider": (NONE, NONE, NONE, NONE, NONE),
}

# --- ADD: what each persona may add (POST {} -> 400, else 403) ---------------------------

EVERY_KIND = {"unit", "officer", "posting", "premises", "incident"}
CASE = {"case"}
ADD = {
    "command": NONE,  # approves plans; does not edit records
    "planner": EVERY_KIND,  # imports the bureau's data
    "center": CASE,  # opens the criminal cases it takes
    "prevention": {"premises"},
    "chief": EVERY_KIND | CASE,  # the station's own records and cases
    "zone_lead": {"premises", "incident"},
    "community": {"premises", "incident"},  # records what is found on patrol
    "political": {"officer", "posting"},
    "auditor": NONE,  # read-only
    "sysadmin": NONE,
    "outsider": EVERY_KIND | CASE,  # as a station chief, in their own bureau
}

# --- CHANGE: PATCH of grid S01-Z1-G1, officer 陈静, hotel 城西宾馆 -------------------------

CHANGE = {
    "command": (403, 403, 403),
    "planner": (400, 400, 400),
    "center": (403, 404, 404),
    "prevention": (403, 404, 400),
    "chief": (400, 400, 400),
    "zone_lead": (403, 403, 400),
    "community": (403, 404, 403),
    "political": (403, 400, 404),
    "auditor": (403, 403, 403),
    "sysadmin": (403, 404, 404),
    "outsider": (404, 404, 404),
}

# --- PAGES -----------------------------------------------------------------------------
# audit: list, an event, CSV export | imports: jobs, the planner's job, new import |
# planning: scenarios, a scenario, new scenario | series: the board (the center's), the series

PAGE_ROUTES = (
    "audit_list",
    "audit_detail",
    "audit_export",
    "imports:job_list",
    "imports:job_detail",
    "imports:job_new",
    "planning:scenario_list",
    "planning:scenario_detail",
    "planning:scenario_new",
    "analytics:effect",
    "analytics:claims",
    "series:board",
    "series:series_list",
)
PAGES = {
    #              audit            imports          planning         measure   series: board, list
    "command": (404, 404, 404, 200, 404, 200, 200, 200, 403, 200, 200, 200, 200),  # imports callbacks
    "planner": (404, 404, 404, 200, 200, 200, 200, 200, 200, 200, 200, 404, 404),
    "center": (404, 404, 404, 200, 404, 200, 404, 404, 404, 200, 200, 200, 200),  # imports petitions
    "prevention": (404, 404, 404, 200, 404, 200, 404, 404, 404, 404, 200, 404, 404),
    "chief": (404, 404, 404, 200, 404, 200, 404, 404, 404, 200, 200, 404, 200),
    "zone_lead": (404, 404, 404, 200, 404, 200, 404, 404, 404, 200, 200, 404, 200),
    "community": (404, 404, 404, 200, 404, 200, 404, 404, 404, 200, 200, 404, 404),
    "political": (404, 404, 404, 200, 404, 200, 404, 404, 404, 404, 200, 404, 404),
    "auditor": (200, 200, 200, 200, 200, 403, 200, 200, 403, 200, 200, 200, 200),
    "sysadmin": (404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "outsider": (404, 404, 404, 200, 404, 200, 404, 404, 404, 200, 200, 404, 200),
}

# --- DUTY: the west station's duty page, the east's, the duty patterns, a new pattern -----
# A station's duty is its people's (chief, zone lead, community officer) and headquarters'
# (command, planner, auditor); patterns are headquarters' to edit and the stations' to read.

DUTY = {  # ... and the west station's roster as PDF
    "command": (200, 200, 200, 200, 200),
    "planner": (200, 200, 200, 200, 200),
    "center": (404, 404, 404, 404, 404),
    "prevention": (404, 404, 200, 403, 404),
    "chief": (200, 404, 200, 403, 200),
    "zone_lead": (200, 404, 200, 403, 200),
    "community": (200, 404, 404, 404, 200),
    "political": (404, 404, 404, 404, 404),
    "auditor": (200, 200, 200, 403, 200),
    "sysadmin": (404, 404, 404, 404, 404),
    "outsider": (404, 404, 200, 403, 404),
}

# --- MEASURE: the indicator sets page, the reports page, the south zone's directed patrols
# (GET); then POST: command changes a kind's indicator set (302 saved, 403 refused, 404 not
# seen); schedule the west station's monthly report (302, 403, 404; 200 = the form refuses a
# unit outside the user's area); make the south zone's patrols from its forecast (302, 403, 404).
# Bureau command sets the indicators; command, planners and station chiefs schedule reports
# (the centers read the reports page: they ask for their own unit's reports);
# command, the station and the zone lead direct patrols; the grid officer reads the grid's.

MEASURE = {
    "command": (200, 200, 200, 302, 302, 302),
    "planner": (200, 200, 200, 403, 302, 403),
    "center": (200, 200, 200, 403, 403, 403),
    "prevention": (200, 200, 200, 403, 403, 403),
    "chief": (200, 200, 200, 403, 302, 302),
    "zone_lead": (200, 200, 200, 403, 403, 302),
    "community": (200, 200, 404, 403, 403, 404),
    "political": (200, 404, 200, 403, 404, 403),
    "auditor": (200, 200, 200, 403, 403, 403),
    "sysadmin": (404, 404, 200, 404, 404, 403),
    "outsider": (200, 200, 404, 403, 200, 404),
}

# --- EVALUATION (API): an open cycle, the file of 陈静 (nominated by the west station), the
# file of 赵强 (east), POST {} to the cycles and to the family visits.
# Every participant reads the cycle; a file is its unit's (the chief), the political
# department's, command's and auditors', and the officer's own; the political department
# alone creates cycles and records officer care (400: allowed, the empty body invalid).

EVALUATION = {
    "command": (200, 200, 200, 403, 403),
    "planner": (404, 404, 404, 403, 403),
    "center": (200, 404, 404, 403, 403),
    "prevention": (200, 404, 404, 403, 403),
    "chief": (200, 200, 404, 403, 403),
    "zone_lead": (200, 404, 404, 403, 403),
    "community": (200, 200, 404, 403, 403),  # 陈静's own file
    "political": (200, 200, 200, 400, 400),
    "auditor": (200, 200, 200, 403, 403),
    "sysadmin": (404, 404, 404, 403, 403),
    "outsider": (404, 404, 404, 403, 403),
}

# --- LEADS: entities named in records (tests/leads) ------------------------------------------
# A west petition names a phone and a plate, an east petition a company and another phone, a
# neighbour dispute (not criminal) in the west station a third phone. The investigation
# center mines criminal incidents and petitions across the bureau (never a station's
# non-criminal work) and gets the clusters; station chiefs and zone leads see what their
# area's records name; command and auditors everything. Personal values are masked; the
# center, command, station chiefs and auditors may reveal one, with a reason.
# persona -> (entities seen, clusters page, entity list page, may reveal)
ALL_ENTITIES = {"phone_west", "plate_west", "company_east", "phone_east", "phone_dispute"}
LEADS = {
    "command": (ALL_ENTITIES, 200, 200, True),
    "planner": (NONE, 404, 404, False),
    "center": (ALL_ENTITIES - {"phone_dispute"}, 200, 200, True),
    "prevention": (NONE, 404, 404, False),
    "chief": ({"phone_west", "plate_west", "phone_dispute"}, 404, 200, True),
    "zone_lead": (NONE, 404, 200, False),  # the petition is the station's, the dispute in the north zone
    "community": (NONE, 404, 404, False),
    "political": (NONE, 404, 404, False),
    "auditor": (ALL_ENTITIES, 200, 200, True),
    "sysadmin": (NONE, 404, 404, False),
    "outsider": (NONE, 404, 200, False),  # its own bureau's list
}

PERSONAS = list(SEES)
AREAS = [
    "units",
    "officers",
    "postings",
    "premises",
    "incidents",
    "cases",
    "writes",
    "pages",
    "duty",
    "measure",
]
AREAS += ["evaluation"]
AREAS += ["leads"]
AREAS += ["drill"]

# --- DRILL: the rows behind the dashboard's figures: the visit list (a visit at each of the
# two premises) and the grid work log (an entry in grid S01-Z1-G1 of the west station and in
# the east station's grid): status, premises of the visits shown, grids of the work shown.
# Visits follow inspections (not the center, political department, sysadmin); the work log
# follows duty (command, planners and auditors read the bureau's; a station its grids).
DRILL = {
    "command": (200, ALL_PREMISES, 200, {"grid_s1", "grid_e1"}),
    "planner": (200, ALL_PREMISES, 200, {"grid_s1", "grid_e1"}),
    "center": (404, NONE, 404, NONE),
    "prevention": (200, ALL_PREMISES, 404, NONE),
    "chief": (200, {"prem_west"}, 200, {"grid_s1"}),
    "zone_lead": (200, {"prem_west"}, 200, {"grid_s1"}),
    "community": (200, {"prem_west"}, 200, {"grid_s1"}),
    "political": (404, NONE, 404, NONE),
    "auditor": (200, ALL_PREMISES, 200, {"grid_s1", "grid_e1"}),
    "sysadmin": (404, NONE, 404, NONE),
    "outsider": (200, NONE, 200, NONE),
}

# --- CALLBACKS: calls back to the reporters of the county's four incidents (警情回访) ------
# A callback follows its incident: who sees the incident sees its callbacks (the center the
# criminal ones). The area's people record them (the station chief, the zone lead, the
# community officer), and command, which judges stations on public satisfaction; planners
# and auditors read them. persona -> (callback list, incidents whose callbacks it shows,
# recording one for the west theft from its page: 302 done, 403 seen not allowed, 404 unseen)
CALLBACKS = {
    "command": (200, ALL_INCIDENTS, 302),
    "planner": (200, ALL_INCIDENTS, 403),
    "center": (200, CRIMINAL_INCIDENTS, 403),
    "prevention": (404, NONE, 404),
    "chief": (200, {"inc_west_theft", "inc_west_dispute"}, 302),
    "zone_lead": (200, {"inc_west_theft"}, 302),
    "community": (200, {"inc_west_theft"}, 302),
    "political": (404, NONE, 404),
    "auditor": (200, ALL_INCIDENTS, 403),
    "sysadmin": (404, NONE, 404),
    "outsider": (200, NONE, 404),
}
AREAS += ["callbacks"]

# --- FOLLOW-UPS: possible victims of a series who never reported (未报案被害人/余罪线索) ------
# A lead of the series of the two thefts near the west theft (grid S01-Z1-G1) and one near
# the east theft. The series' owner (the center) sees and records them all; a station the
# doors of its area: the chief adds and records, the community officer records the grid's,
# the zone lead reads the zone's; command and auditors read them all. persona -> (the
# follow-up list, the leads it shows, recording "unreachable" for the west lead from the
# page: 302 done, 403 seen not allowed, 404 unseen; POST {} to the API: 400 allowed, 403)
FOLLOW_UPS = {
    "command": (200, {"west", "east"}, 403, 403),
    "planner": (404, NONE, 404, 403),
    "center": (200, {"west", "east"}, 302, 400),
    "prevention": (404, NONE, 404, 403),
    "chief": (200, {"west"}, 302, 400),
    "zone_lead": (200, {"west"}, 403, 403),
    "community": (200, {"west"}, 302, 403),
    "political": (404, NONE, 404, 403),
    "auditor": (200, {"west", "east"}, 403, 403),
    "sysadmin": (404, NONE, 404, 403),
    "outsider": (200, NONE, 404, 400),  # a chief: adds in their own bureau
}
AREAS += ["follow_ups"]


# Rows where today's behaviour differs from the specification and the fix belongs to
# another area: (persona, area) -> reason. Each is xfail(strict=True), so it fails once fixed.
KNOWN_GAPS: dict[tuple[str, str], str] = {}


# --- helpers ---------------------------------------------------------------------------


def _objects(county, area: str) -> dict[str, object]:
    """Name -> row of the county for an area (the names used in the tables)."""
    if area == "units":
        names = ALL_UNITS
    elif area in ("officers", "postings"):
        names = ALL_OFFICERS
    elif area == "premises":
        names = ALL_PREMISES
    elif area == "incidents":
        names = ALL_INCIDENTS
    else:
        return _cases(county)
    rows = {name: getattr(county, name) for name in names}
    if area == "postings":
        rows = {name: Posting.objects.get(officer=officer) for name, officer in rows.items()}
    return rows


def _cases(county) -> dict[str, object]:
    import datetime as dt

    from jingwu.cases.models import Case

    when = dt.datetime(2018, 6, 2, tzinfo=dt.UTC)
    west = Case.objects.create(
        bureau=county.bureau,
        number="S1",
        kind="criminal",
        title="盗窃",
        owning_unit=county.west,
        opened_at=when,
    )
    east = Case.objects.create(
        bureau=county.bureau,
        number="S2",
        kind="administrative",
        title="纠纷",
        owning_unit=county.east,
        opened_at=when,
    )
    return {"case_west": west, "case_east": east}


SEEN_INDEX = {"units": 0, "officers": 1, "postings": 1, "premises": 2, "incidents": 3, "cases": 4}
PAGE_NAMES = {
    "units": ("org:unit_list", "org:unit_detail", "units"),
    "officers": ("personnel:officer_list", "personnel:officer_detail", "page"),
    "premises": ("places:premises_list", "places:premises_detail", "page"),
    "incidents": ("incidents:incident_list", "incidents:incident_detail", "page"),
}
API_NAMES = {
    "units": "unit",
    "officers": "officer",
    "postings": "posting",
    "premises": "premises",
    "incidents": "incident",
    "cases": "case",
}


def _user(county, other_county, persona: str):
    return other_county.chief if persona == "outsider" else getattr(county, persona)


def _api_ids(client, url: str) -> set[int]:
    ids: set[int] = set()
    while url:
        data = client.get(url).json()
        ids |= {row["id"] for row in data["results"]}
        url = data.get("next")
    return ids


def _check_rows(client, area: str, expected: set[str], rows: dict[str, object]) -> list[str]:
    """Lists show exactly the expected rows of the county; details answer 200 or 404."""
    wrong = []
    pk_to_name = {row.pk: name for name, row in rows.items()}
    api = API_NAMES[area]
    shown = {pk_to_name[pk] for pk in _api_ids(client, reverse(f"api:{api}-list")) if pk in pk_to_name}
    if shown != expected:
        wrong.append(f"API list of {area}: shows {sorted(shown)}, must show {sorted(expected)}")
    for name, row in rows.items():
        status = client.get(reverse(f"api:{api}-detail", args=[row.pk])).status_code
        must = 200 if name in expected else 404
        if status != must:
            wrong.append(f"API {area} {name}: {status}, must be {must}")
    if area in PAGE_NAMES:
        list_name, detail_name, context = PAGE_NAMES[area]
        r = client.get(reverse(list_name))
        if r.status_code != 200:
            wrong.append(f"page list of {area}: {r.status_code}, must be 200")
        else:
            shown = {pk_to_name[o.pk] for o in r.context[context] if o.pk in pk_to_name}
            listed = expected
            if area == "units":  # the list page stops at zones (grids are on the map and station
                # page), unless a grid is all the user has: a grid officer's list shows their grid
                above = {name for name in expected if not name.startswith("grid")}
                listed = above or expected
            if shown != listed:
                wrong.append(f"page list of {area}: shows {sorted(shown)}, must show {sorted(listed)}")
        for name, row in rows.items():
            status = client.get(reverse(detail_name, args=[row.pk])).status_code
            must = 200 if name in expected else 404
            if status != must:
                wrong.append(f"page {area} {name}: {status}, must be {must}")
    return wrong


def _check_writes(client, county, persona: str) -> list[str]:
    wrong = []
    for kind in sorted(EVERY_KIND) + ["case"]:
        must = 400 if kind in ADD[persona] else 403
        status = client.post(
            reverse(f"api:{kind}-list"), data="{}", content_type="application/json"
        ).status_code
        if status != must:
            wrong.append(f"add {kind}: {status}, must be {must}")
    targets = (
        ("unit", county.grid_s1, {"households": -5}),
        ("officer", county.off_comm, {"gender": "X"}),
        ("premises", county.prem_west, {"lon": "x"}),
    )
    for (kind, row, body), must in zip(targets, CHANGE[persona], strict=True):
        url = reverse(f"api:{kind}-detail", args=[row.pk])
        status = client.patch(url, data=json.dumps(body), content_type="application/json").status_code
        if status != must:
            wrong.append(f"change {kind}: {status}, must be {must}")
    # incidents and postings are added, never edited, through the API
    for kind, row in (("incident", county.inc_west_theft), ("posting", Posting.objects.first())):
        url = reverse(f"api:{kind}-detail", args=[row.pk])
        status = client.patch(url, data="{}", content_type="application/json").status_code
        if status != 405:
            wrong.append(f"change {kind}: {status}, must be 405")
    return wrong


def _check_pages(client, county, persona: str) -> list[str]:
    from .test_permission_matrix import _import_jobs

    event = AuditEvent.objects.filter(bureau=county.bureau).order_by("seq").first()
    planner_job = next(j for j in _import_jobs(county) if j.user_id == county.planner.pk)
    scenario = minimal_scenario(county.bureau)
    args = {"audit_detail": [event.pk], "imports:job_detail": [planner_job.pk]}
    args["planning:scenario_detail"] = [scenario.pk]
    wrong = []
    for name, must in zip(PAGE_ROUTES, PAGES[persona], strict=True):
        status = client.get(reverse(name, args=args.get(name, []))).status_code
        if status != must:
            wrong.append(f"{name}: {status}, must be {must}")
    return wrong


def _check_duty(client, county, persona: str) -> list[str]:
    from jingwu.duty.models import Roster
    from jingwu.duty.services import station_setup

    station_setup(county.west)
    roster = Roster.objects.create(
        bureau=county.bureau, station=county.west, start=dt.date(2018, 7, 2), days=7
    )
    urls = (
        reverse("duty:station", args=[county.west.pk]),
        reverse("duty:station", args=[county.east.pk]),
        reverse("duty:pattern_list"),
        reverse("duty:pattern_new"),
        reverse("duty:roster_pdf", args=[roster.pk]),
    )
    wrong = []
    for url, must in zip(urls, DUTY[persona], strict=True):
        status = client.get(url).status_code
        if status != must:
            wrong.append(f"{url}: {status}, must be {must}")
    return wrong


def _check_measure(client, county, persona: str) -> list[str]:
    zone = county.zone_s
    calls = (
        ("GET indicators", lambda: client.get(reverse("analytics:indicators"))),
        ("GET reports", lambda: client.get(reverse("analytics:report_list"))),
        ("GET patrols", lambda: client.get(reverse("analytics:patrols", args=[zone.pk]))),
        (
            "POST indicators",
            lambda: client.post(
                reverse("analytics:indicators"), {"unit_kind": "zone", "codes": ["incidents"]}
            ),
        ),
        (
            "POST schedule",
            lambda: client.post(
                reverse("analytics:report_list"), {"unit": county.west.pk, "period": "month"}
            ),
        ),
        (
            "POST patrols",
            lambda: client.post(
                reverse("analytics:patrols", args=[zone.pk]),
                {"method": "naive", "start": "19:00", "hours": 2},
            ),
        ),
    )
    wrong = []
    for (what, call), must in zip(calls, MEASURE[persona], strict=True):
        status = call().status_code
        if status != must:
            wrong.append(f"{what}: {status}, must be {must}")
    return wrong


def _check_evaluation(client, county, persona: str) -> list[str]:
    import datetime as dt

    from jingwu.evaluation.services import do_create_cycle, do_nominate, do_open_cycle

    d = dt.date(2018, 6, 10)
    cycle = do_create_cycle(
        actor=None,
        bureau=county.bureau,
        year=2018,
        quarter=2,
        nomination_deadline=d,
        self_assessment_deadline=d,
        scoring_deadline=d,
        review_deadline=d,
    )
    cycle = do_open_cycle(cycle, actor=None)
    west = do_nominate(cycle, actor=None, officer=county.off_comm, unit=county.west)
    east = do_nominate(cycle, actor=None, officer=county.off_east, unit=county.east)
    calls = (
        ("get", reverse("api:eval-cycle-detail", args=[cycle.pk])),
        ("get", reverse("api:eval-file-detail", args=[west.pk])),
        ("get", reverse("api:eval-file-detail", args=[east.pk])),
        ("post", reverse("api:eval-cycle-list")),
        ("post", reverse("api:eval-family-visit-list")),
    )
    wrong = []
    for (method, url), must in zip(calls, EVALUATION[persona], strict=True):
        if method == "get":
            status = client.get(url).status_code
        else:
            status = client.post(url, data="{}", content_type="application/json").status_code
        if status != must:
            wrong.append(f"{method} {url}: {status}, must be {must}")
    return wrong


def _check_leads(client, county, persona: str) -> list[str]:
    import datetime as dt

    from jingwu.cases.services import do_record_petition
    from jingwu.incidents.services import do_record_incident
    from jingwu.leads.models import Entity
    from jingwu.leads.services import do_start_extraction

    when = dt.datetime(2018, 6, 2, tzinfo=dt.UTC)
    for k, (unit, text) in enumerate(
        ((county.west, "电话13812345678，车辆浙E12345"), (county.east, "鑫达商贸有限公司，电话13912345678"))
    ):
        do_record_petition(
            actor=None,
            bureau=county.bureau,
            unit=unit,
            number=f"SP{k}",
            received_at=when,
            petitioner_name="测试人",
            subject="反映",
            content=text,
        )
    d = county.inc_west_dispute
    do_record_incident(
        actor=None,
        bureau=county.bureau,
        category="0401",
        received_at=when,
        lon=d.lon,
        lat=d.lat,
        description="与邻居13700001111争吵",
    )
    do_start_extraction(county.bureau, actor=None, sync=True)
    values = {
        "phone_west": "13812345678",
        "plate_west": "浙E12345",
        "company_east": "鑫达商贸有限公司",
        "phone_east": "13912345678",
        "phone_dispute": "13700001111",
    }
    rows = {name: Entity.objects.get(bureau=county.bureau, value=v) for name, v in values.items()}
    seen, clusters, listing, reveal = LEADS[persona]
    wrong = []
    status = client.get(reverse("leads:cluster_list")).status_code
    if status != clusters:
        wrong.append(f"clusters page: {status}, must be {clusters}")
    r = client.get(reverse("leads:entity_list"))
    if r.status_code != listing:
        wrong.append(f"entity list: {r.status_code}, must be {listing}")
    elif listing == 200:
        names = {n for n, e in rows.items() if e.pk in {o.pk for o in r.context["page"]}}
        if names != seen:
            wrong.append(f"entity list shows {sorted(names)}, must show {sorted(seen)}")
    for name, e in rows.items():
        status = client.get(reverse("leads:entity_detail", args=[e.pk])).status_code
        must = 200 if name in seen else 404
        if status != must:
            wrong.append(f"entity {name}: {status}, must be {must}")
    if "phone_west" in seen:
        r = client.post(
            reverse("leads:entity_detail", args=[rows["phone_west"].pk]),
            {"reason_code": "investigation", "reason": "核查车贷线索 SP0 号信访件"},
        )
        shown = r.status_code == 200 and "13812345678" in r.content.decode()
        if shown != reveal:
            wrong.append(f"reveal: {r.status_code}, value shown {shown}, must be {reveal}")
    return wrong


def _check_drill(client, county, persona: str) -> list[str]:
    from jingwu.duty.services import do_assign_grid, do_log_work

    from .test_permission_matrix import _visits

    _visits(county, None)
    for grid, officer in ((county.grid_s1, county.off_comm), (county.grid_e1, county.off_east)):
        do_assign_grid(grid, actor=None, officer=officer)
        do_log_work(grid, actor=None, officer=officer, kind="patrol", day=dt.date(2018, 6, 1), minutes=30)
    names = {getattr(county, n).pk: n for n in ("prem_west", "prem_east", "grid_s1", "grid_e1")}
    v_status, v_rows, w_status, w_rows = DRILL[persona]
    wrong = []
    r = client.get(reverse("inspections:visit_list"))
    if r.status_code != v_status:
        wrong.append(f"visit list: {r.status_code}, must be {v_status}")
    elif r.status_code == 200 and {names[v.premises_id] for v in r.context["page"]} != v_rows:
        wrong.append(f"visit list shows {sorted(names[v.premises_id] for v in r.context['page'])}")
    r = client.get(reverse("duty:work_log"))
    if r.status_code != w_status:
        wrong.append(f"work log: {r.status_code}, must be {w_status}")
    elif r.status_code == 200 and {names[w.grid_id] for w in r.context["page"]} != w_rows:
        wrong.append(f"work log shows {sorted(names[w.grid_id] for w in r.context['page'])}")
    return wrong


def _check_callbacks(client, county, persona: str) -> list[str]:
    from jingwu.incidents.services import do_record_callback

    when = dt.datetime(2018, 6, 3, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    names = {getattr(county, n).pk: n for n in ALL_INCIDENTS}
    for name in sorted(ALL_INCIDENTS):
        do_record_callback(getattr(county, name), actor=None, result="unreachable", called_at=when)
    status, rows, record = CALLBACKS[persona]
    wrong = []
    r = client.get(reverse("incidents:callback_list"))
    if r.status_code != status:
        wrong.append(f"callback list: {r.status_code}, must be {status}")
    elif r.status_code == 200 and {names.get(c.incident_id) for c in r.context["page"]} - {None} != rows:
        wrong.append(
            f"callback list shows {sorted(names.get(c.incident_id, '?') for c in r.context['page'])}"
        )
    r = client.post(
        reverse("incidents:callback_record", args=[county.inc_west_theft.pk]),
        {"called_at": "2018-06-03T12:30", "result": "satisfied"},
    )
    if r.status_code != record:
        wrong.append(f"recording a callback: {r.status_code}, must be {record}")
    return wrong


def _check_follow_ups(client, county, persona: str) -> list[str]:
    from jingwu.cases.models import Series, SeriesIncident
    from jingwu.series.services import do_add_lead

    from .conftest import X0, Y0

    s = Series.objects.create(bureau=county.bureau, code="F1", name="系列", origin="analyst")
    for inc in (county.inc_west_theft, county.inc_east_theft):
        SeriesIncident.objects.create(bureau=county.bureau, series=s, incident=inc)
    west, east = (
        do_add_lead(
            s, actor=None, source="admission", first_day=dt.date(2018, 5, 20), address=a, lon=x, lat=y
        )
        for a, x, y in (("西", X0 + 0.006, Y0 + 0.003), ("东", X0 + 0.032, Y0 + 0.012))
    )
    names = {west.pk: "west", east.pk: "east"}
    status, rows, record, add = FOLLOW_UPS[persona]
    wrong = []
    r = client.get(reverse("series:lead_list"))
    if r.status_code != status:
        wrong.append(f"follow-up list: {r.status_code}, must be {status}")
    elif r.status_code == 200 and {names.get(x.pk, "?") for x in r.context["page"]} != rows:
        wrong.append(f"follow-up list shows {sorted(names.get(x.pk, '?') for x in r.context['page'])}")
    api_rows = {names.get(x, "?") for x in _api_ids(client, reverse("api:series-lead-list"))}
    if api_rows != rows:
        wrong.append(f"follow-up API shows {sorted(api_rows)}")
    r = client.post(reverse("series:lead_outcome", args=[west.pk]), {"status": "unreachable"})
    if r.status_code != record:
        wrong.append(f"recording a follow-up: {r.status_code}, must be {record}")
    r = client.post(reverse("api:series-lead-list"), {}, content_type="application/json")
    if r.status_code != add:
        wrong.append(f"adding a lead through the API: {r.status_code}, must be {add}")
    return wrong


def _cases_of_spec():
    for persona in PERSONAS:
        for area in AREAS:
            marks = []
            if (persona, area) in KNOWN_GAPS:
                marks = [pytest.mark.xfail(strict=True, reason=KNOWN_GAPS[persona, area])]
            yield pytest.param(persona, area, id=f"{persona}-{area}", marks=marks)


@pytest.mark.parametrize(("persona", "area"), _cases_of_spec())
def test_persona_gets_what_personas_md_says(client, county, other_county, persona, area):
    client.force_login(_user(county, other_county, persona))
    if area == "writes":
        wrong = _check_writes(client, county, persona)
    elif area == "pages":
        wrong = _check_pages(client, county, persona)
    elif area == "duty":
        wrong = _check_duty(client, county, persona)
    elif area == "measure":
        wrong = _check_measure(client, county, persona)
    elif area == "evaluation":
        wrong = _check_evaluation(client, county, persona)
    elif area == "leads":
        wrong = _check_leads(client, county, persona)
    elif area == "drill":
        wrong = _check_drill(client, county, persona)
    elif area == "callbacks":
        wrong = _check_callbacks(client, county, persona)
    elif area == "follow_ups":
        wrong = _check_follow_ups(client, county, persona)
    else:
        expected = SEES[persona][SEEN_INDEX[area]]
        wrong = _check_rows(client, area, expected, _objects(county, area))
    assert not wrong, f"{persona}, {area}:\n  " + "\n  ".join(wrong)


def test_the_tables_cover_every_persona_of_the_county():
    from .test_permission_matrix import PERSONAS as MATRIX_PERSONAS

    assert set(PERSONAS) == set(MATRIX_PERSONAS) | {"outsider"}
    assert (
        set(SEES)
        == set(ADD)
        == set(CHANGE)
        == set(PAGES)
        == set(DUTY)
        == set(MEASURE)
        == set(EVALUATION)
        == set(LEADS)
        == set(DRILL)
        == set(CALLBACKS)
        == set(FOLLOW_UPS)
    )
    assert all(len(row) == len(PAGE_ROUTES) for row in PAGES.values())
