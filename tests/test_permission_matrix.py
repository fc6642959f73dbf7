"""Every URL of the project, with every persona, inside and outside scope.

The routes are discovered from the URL configuration, so a new page cannot escape:
the meta-test fails until the route is described in ROUTES (or exempted with a reason).
For each route, persona and object, the view's answer must agree with the scoping
layer: 200 when ``restrict`` lets the persona see the object, 404 when it does not,
and a list or map may only ever show rows that ``restrict`` allows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jingwu.cases.models import Case
from jingwu.core.models import AuditEvent
from jingwu.core.scope import restrict
from jingwu.imports.models import ImportJob, ImportMapping
from jingwu.incidents.models import Incident
from jingwu.org.models import Unit
from jingwu.personnel.models import Officer, Posting
from jingwu.places.models import Premises
from jingwu.planning.models import Scenario

from .conftest import minimal_scenario

PERSONAS = [
    "command",
    "planner",
    "center",
    "prevention",
    "chief",
    "zone_lead",
    "community",
    "political",
    "auditor",
    "sysadmin",
]


@dataclass
class Route:
    model: type | None = None
    kind: str = "detail"  # detail | list | json | page | export
    objects: tuple[str, ...] = ()  # attributes of the county fixture to try
    context: str = "page"  # context variable of a list
    json_layer: str = ""
    expect: dict = field(default_factory=dict)  # persona -> status of a page, export or list (else 200)


# Who may import (add rows of some importable kind): 200 on the import forms, 404 for the rest.
IMPORTERS = ("planner", "prevention", "chief", "zone_lead", "community", "political")
IMPORT_PAGE = {p: 200 if p in IMPORTERS else 404 for p in PERSONAS}
# Planning: planners, command and auditors of the bureau.
PLANNING_PAGE = {p: 200 if p in ("planner", "command", "auditor") else 404 for p in PERSONAS}

ROUTES: dict[str, Route] = {
    "home": Route(kind="page"),
    "org:unit_list": Route(Unit, "list", context="units"),
    "org:unit_detail": Route(
        Unit, "detail", ("hq", "ic", "west", "east", "zone_s", "zone_n", "grid_s1", "grid_e1")
    ),
    "org:unit_map": Route(Unit, "detail", ("hq", "west", "east", "zone_s", "grid_s1")),
    "personnel:officer_list": Route(Officer, "list"),
    "personnel:officer_detail": Route(
        Officer, "detail", ("off_chief", "off_comm", "off_east", "off_ic", "off_aux")
    ),
    "places:premises_list": Route(Premises, "list"),
    "places:premises_map": Route(Premises, "json", json_layer="premises"),
    "places:premises_detail": Route(Premises, "detail", ("prem_west", "prem_east")),
    "incidents:incident_list": Route(Incident, "list"),
    "incidents:incident_detail": Route(
        Incident, "detail", ("inc_west_theft", "inc_west_dispute", "inc_east_theft", "inc_east_traffic")
    ),
    "audit_list": Route(AuditEvent, "list", expect={p: (200 if p == "auditor" else 404) for p in PERSONAS}),
    "audit_detail": Route(AuditEvent, "detail", ()),
    "audit_export": Route(
        AuditEvent, "export", expect={p: (200 if p == "auditor" else 404) for p in PERSONAS}
    ),
    # The REST API: the same scoping as the pages.
    "api:api-root": Route(kind="page"),
    "api:unit-list": Route(Unit, "api_list"),
    "api:unit-detail": Route(Unit, "detail", ("hq", "west", "east", "zone_s", "grid_e1")),
    "api:officer-list": Route(Officer, "api_list"),
    "api:officer-detail": Route(Officer, "detail", ("off_chief", "off_comm", "off_east", "off_ic")),
    "api:posting-list": Route(Posting, "api_list"),
    "api:posting-detail": Route(Posting, "detail", ()),
    "api:premises-list": Route(Premises, "api_list"),
    "api:premises-detail": Route(Premises, "detail", ("prem_west", "prem_east")),
    "api:incident-list": Route(Incident, "api_list"),
    "api:incident-detail": Route(
        Incident, "detail", ("inc_west_theft", "inc_east_theft", "inc_east_traffic")
    ),
    "api:case-list": Route(Case, "api_list"),
    "api:case-detail": Route(Case, "detail", ()),
    # Planning: planners, command and auditors of the bureau.
    "planning:scenario_list": Route(Scenario, "list", expect=PLANNING_PAGE),
    "planning:scenario_detail": Route(Scenario, "detail"),
    "planning:scenario_progress": Route(Scenario, "detail"),
    "planning:scenario_map": Route(Scenario, "detail"),
    "planning:scenario_report": Route(Scenario, "detail"),
    "planning:scenario_xlsx": Route(Scenario, "detail"),
    "planning:scenario_new": Route(
        kind="page",
        expect={p: {"planner": 200, "command": 403, "auditor": 403}.get(p, 404) for p in PERSONAS},
    ),
    # Imports: a job is its owner's (and the bureau auditors'); mappings are the bureau's importers'.
    "imports:job_list": Route(ImportJob, "list", expect=IMPORT_PAGE | {"auditor": 200}),
    "imports:job_detail": Route(ImportJob, "detail"),
    "imports:job_progress": Route(ImportJob, "detail"),
    "imports:job_rejects": Route(ImportJob, "detail"),
    "imports:job_new": Route(kind="page", expect=IMPORT_PAGE | {"auditor": 403}),
    "imports:mapping_list": Route(ImportMapping, "list", context="mappings", expect=IMPORT_PAGE),
    "imports:mapping_edit": Route(ImportMapping, "detail"),
    "imports:mapping_new": Route(kind="page", expect=IMPORT_PAGE),
    "planning:compare": Route(kind="page", expect=PLANNING_PAGE),
}

# Routes outside the matrix, and why.
EXEMPT = {
    "login": "public: the log-in form",
    "logout": "ends the session; no data",
    "otp": "the second-factor form for the logged-in user only",
    "set_language": "stores the language choice; no data",
    "api-schema": "the OpenAPI description; no data",
    "api-docs": "the interactive API documentation page; no data",
    "api-token": "exchanges a user name and password for a token (POST only); no data",
    "planning:scenario_run": "POST only (405 on GET); tests/planning/test_views.py",
    "imports:export": "the lists' own scoping and filters; tests/imports/test_views.py (exports and outsiders)",
    "planning:scenario_approve": "POST only (405 on GET); tests/planning/test_views.py",
    "planning:scenario_withdraw": "POST only (405 on GET); tests/planning/test_views.py",
    "planning:scenario_apply": "POST only (405 on GET); tests/planning/test_views.py",
    "planning:scenario_delete": "POST only (405 on GET); tests/planning/test_views.py",
}


def _routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin" or (p.namespace or "") == "admin":
                continue  # the admin has its own test (superusers only)
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _routes(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}{p.name}", prefix + str(p.pattern)


def test_every_route_is_in_the_matrix():
    missing = sorted({name for name, _ in _routes() if name not in ROUTES and name not in EXEMPT})
    assert not missing, f"describe these routes in ROUTES (or EXEMPT with a reason): {missing}"


def test_every_route_in_the_matrix_exists():
    """Removing a route (or renaming it) fails here, not only as errors further down."""
    routed = {name for name, _ in _routes()}
    gone = sorted((set(ROUTES) | set(EXEMPT)) - routed)
    assert not gone, f"routes in the matrix that the URL configuration no longer has: {gone}"


def test_every_scoped_model_has_a_route_in_the_matrix():
    """A model that users read through the scoping layer must be covered by some route.

    Coverage is read from the live URL configuration: a page route counts when it is
    routed and described in ROUTES, an API route when the router serves its model. So
    removing the only route of a model fails here, and so does a stale NOT_YET_ROUTED.
    """
    from jingwu.core.scope import _UNIT_SCOPES

    routed = {name for name, _ in _routes()}
    covered = {r.model._meta.label_lower for n, r in ROUTES.items() if r.model is not None and n in routed}
    covered |= _api_covered()
    uncovered = sorted(set(_UNIT_SCOPES) - covered - NOT_YET_ROUTED)
    assert not uncovered, f"models without a page or API route in the matrix: {uncovered}"
    stale = sorted(NOT_YET_ROUTED & covered)
    assert not stale, f"these models have routes now: take them out of NOT_YET_ROUTED: {stale}"
    assert NOT_YET_ROUTED <= set(_UNIT_SCOPES), sorted(NOT_YET_ROUTED - set(_UNIT_SCOPES))
    unknown = [
        m._meta.label_lower
        for m in apps.get_models()
        if m.__module__.startswith("jingwu.")
        and hasattr(m, "bureau_id")
        and m._meta.label_lower not in _UNIT_SCOPES
        and m._meta.label_lower not in UNSCOPED_MODELS
    ]
    assert not unknown, f"tenant models with no rule in core/scope.py: {unknown}"


# Models with rows read only through another model's pages (links, catalogues) or not read by users.
UNSCOPED_MODELS = {
    "planning.scenariomove": "rows of a scenario, shown through its page",
    "accounts.user": "administered by system administrators in the admin",
    "accounts.membership": "administered by system administrators in the admin",
    "cases.caseincident": "link rows, shown through cases",
    "cases.seriesincident": "link rows, shown through series",
    "cases.petitionincident": "link rows, shown through petitions",
}
# Scoped models whose pages come with later work; they are still covered by restrict's tests.
NOT_YET_ROUTED = {
    "cases.series",
    "cases.petition",
    "personnel.officerskill",
    "places.inspectionelement",
    "places.elementrequirement",
}


def _api_covered() -> set[str]:
    """Models served by the routed REST API viewsets (read from the URL configuration)."""
    labels = set()
    for p in _patterns():
        cls = getattr(p.callback, "cls", None)
        model = getattr(cls, "model", None) or getattr(getattr(cls, "queryset", None), "model", None)
        if model is not None and (p.name or "").endswith(("-list", "-detail")):
            labels.add(model._meta.label_lower)
    return labels


def _patterns(resolver=None):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p)
        elif isinstance(p, URLPattern):
            yield p


def _cases(county):
    """A criminal case owned by the west station and an administrative one owned by the east."""
    import datetime as dt

    from jingwu.cases.models import Case

    if not Case.objects.filter(bureau=county.bureau).exists():
        when = dt.datetime(2018, 6, 2, tzinfo=dt.UTC)
        Case.objects.create(
            bureau=county.bureau,
            number="A1",
            kind="criminal",
            title="盗窃",
            owning_unit=county.west,
            opened_at=when,
        )
        Case.objects.create(
            bureau=county.bureau,
            number="A2",
            kind="administrative",
            title="纠纷",
            owning_unit=county.east,
            opened_at=when,
        )
    return Case.objects.filter(bureau=county.bureau).order_by("pk")


def _objects(county, route: Route):
    if route.model is AuditEvent and route.kind == "detail":
        mine = AuditEvent.objects.filter(bureau=county.bureau).order_by("seq")
        return [mine.first(), mine.filter(unit_path__startswith=county.east.path).first()]
    if route.model is Scenario:
        s = Scenario.objects.filter(bureau=county.bureau).first() or minimal_scenario(county.bureau)
        return [s]
    if route.model is ImportJob:
        return _import_jobs(county)
    if route.model is ImportMapping:
        from jingwu.imports.services import save_mapping

        m = ImportMapping.objects.filter(bureau=county.bureau).first() or save_mapping(
            actor=None, bureau=county.bureau, data={"name": "matrix", "kind": "incidents", "columns": {}}
        )
        return [m]
    if route.model is Posting:
        return list(Posting.objects.filter(bureau=county.bureau).order_by("pk")[:6])
    if route.model is Case:
        return list(_cases(county))
    return [getattr(county, name) for name in route.objects]


def _import_jobs(county):
    """A finished job of the planner's and one of the west chief's, each with a rejected row."""
    import tempfile
    from pathlib import Path

    from jingwu.imports.services import run_import

    jobs = list(ImportJob.objects.filter(bureau=county.bureau).order_by("pk"))
    if not jobs:
        folder = Path(tempfile.mkdtemp(prefix="jingwu-matrix-"))
        for user in (county.planner, county.chief):
            path = folder / f"{user.username}.csv"
            path.write_text(
                "external_id,received_at,category,lon,lat\nM1,2018-13-45 99:99,0101,0,0\n", "utf-8"
            )
            report = run_import("incidents", path, bureau=county.bureau, actor=user, skip_invalid=True)
            assert report.status == "done" and report.bad_rows == 1, report
        jobs = list(ImportJob.objects.filter(bureau=county.bureau).order_by("pk"))
    return jobs


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_views_agree_with_the_scoping_layer(client, county, other_county, name):
    route = ROUTES[name]
    people = {p: getattr(county, p) for p in PERSONAS} | {
        "outsider": other_county.chief,
        "outsider_command": other_county.command,
    }
    objects = _objects(county, route) if route.kind == "detail" else []
    for persona, user in people.items():
        client.force_login(user)
        expected = route.expect.get(persona, 200)
        if persona.startswith("outsider"):  # as their namesakes in their own bureau
            expected = route.expect.get("chief" if persona == "outsider" else "command", 200)
        if route.kind in ("page", "export"):
            assert client.get(reverse(name)).status_code == expected, (name, persona)
            continue
        allowed_ids = set(restrict(route.model._default_manager.all(), user).values_list("pk", flat=True))
        if route.kind == "detail":
            for obj in objects:
                if obj is None:
                    continue
                r = client.get(reverse(name, args=[obj.pk]))
                expected = 200 if obj.pk in allowed_ids else 404
                assert r.status_code == expected, (name, persona, obj, r.status_code)
        elif route.kind == "list":
            r = client.get(reverse(name))
            assert r.status_code == expected, (name, persona, r.status_code)
            if r.status_code == 200:
                shown = {o.pk for o in r.context[route.context]}
                assert shown <= allowed_ids, (name, persona, shown - allowed_ids)
                assert all(
                    getattr(o, "bureau_id", user.bureau_id) == user.bureau_id
                    for o in r.context[route.context]
                ), (name, persona)
        elif route.kind == "api_list":
            r = client.get(reverse(name))
            assert r.status_code == expected, (name, persona, r.status_code)
            if r.status_code == 200:
                shown = {row["id"] for row in r.json()["results"]}
                assert shown <= allowed_ids, (name, persona, shown - allowed_ids)
        elif route.kind == "json":
            r = client.get(reverse(name))
            assert r.status_code == 200
            shown = {f["properties"]["id"] for f in r.json()["layers"][route.json_layer]["features"]}
            assert shown <= allowed_ids, (name, persona)


def test_map_layers_never_leak_rows_outside_scope(client, county, other_county):
    """The unit map draws premises and incidents: each drawn row must pass restrict."""
    for persona in PERSONAS:
        user = getattr(county, persona)
        client.force_login(user)
        prem_ok = set(restrict(Premises.objects.all(), user).values_list("pk", flat=True))
        inc_ok = set(restrict(Incident.objects.all(), user).values_list("pk", flat=True))
        unit_ok = set(restrict(Unit.objects.all(), user).values_list("pk", flat=True))
        for unit in (county.hq, county.west, county.zone_s):
            r = client.get(reverse("org:unit_map", args=[unit.pk]))
            if r.status_code == 404:
                continue
            layers = r.json()["layers"]
            for key in ("areas", "grids"):
                assert {f["properties"]["id"] for f in layers.get(key, {}).get("features", [])} <= unit_ok
            assert {f["properties"]["id"] for f in layers.get("premises", {}).get("features", [])} <= prem_ok
            assert {f["properties"]["id"] for f in layers.get("incidents", {}).get("features", [])} <= inc_ok
