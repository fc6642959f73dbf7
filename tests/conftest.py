"""Shared fixtures: a small county built through the services, and named personas.

The county ("Test County", 测试县) is a 4 x 2 km rectangle near Changxing with
headquarters, the two centers, two stations (a full-spectrum one in the west and a
preventive one in the east), two zones in the west station, grids, officers,
premises and incidents. A second bureau exists so that an outsider can be tested.
"""

from __future__ import annotations

import datetime as dt

import pytest
from shapely.geometry import box, mapping

X0, Y0 = 119.90, 31.00
DX, DY = 0.04, 0.02  # about 3.8 km x 2.2 km


def poly(x0, y0, x1, y1):
    return mapping(box(x0, y0, x1, y1))


class County:
    """Handles to the rows of the test county."""


def build_county(code: str = "990001", name: str = "测试县公安局", dx: float = 0.0):
    from jingwu.accounts.choices import Role
    from jingwu.accounts.services import do_create_user, do_grant_membership
    from jingwu.core.models import Bureau
    from jingwu.engine.ids import make_id_number
    from jingwu.incidents.services import do_record_incident
    from jingwu.incidents.taxonomy import sync_categories
    from jingwu.org.services import do_create_unit
    from jingwu.personnel.services import do_create_officer, do_create_posting
    from jingwu.places.services import do_create_premises

    sync_categories()  # transactional tests flush the migration's seed rows
    c = County()
    x0 = X0 + dx
    c.bureau = b = Bureau.objects.create(
        code=code, name_zh=name, name_en="Test County PSB", region_code=code[:6]
    )
    mk = do_create_unit
    c.hq = mk(
        actor=None,
        bureau=b,
        parent=None,
        kind="headquarters",
        code="HQ",
        name_zh="局机关",
        name_en="Headquarters",
        boundary=poly(x0, Y0, x0 + DX, Y0 + DY),
    )
    c.ic = mk(
        actor=None,
        bureau=b,
        parent=c.hq,
        kind="investigation_center",
        code="ZC",
        name_zh="侦查打击中心",
        name_en="Investigation & Strike Center",
    )
    c.pc = mk(
        actor=None,
        bureau=b,
        parent=c.hq,
        kind="prevention_center",
        code="FK",
        name_zh="基础防控中心",
        name_en="Basic Prevention & Control Center",
    )
    mid = x0 + DX / 2
    c.west = mk(
        actor=None,
        bureau=b,
        parent=c.hq,
        kind="station",
        code="S01",
        name_zh="城西派出所",
        name_en="West Station",
        station_type="full_spectrum",
        boundary=poly(x0, Y0, mid, Y0 + DY),
        residents=12000,
        households=4600,
    )
    c.east = mk(
        actor=None,
        bureau=b,
        parent=c.hq,
        kind="station",
        code="S02",
        name_zh="城东派出所",
        name_en="East Station",
        station_type="preventive",
        boundary=poly(mid, Y0, x0 + DX, Y0 + DY),
        residents=8000,
        households=3000,
    )
    ym = Y0 + DY / 2
    c.zone_s = mk(
        actor=None,
        bureau=b,
        parent=c.west,
        kind="zone",
        code="S01-Z1",
        name_zh="南片",
        name_en="South zone",
        boundary=poly(x0, Y0, mid, ym),
    )
    c.zone_n = mk(
        actor=None,
        bureau=b,
        parent=c.west,
        kind="zone",
        code="S01-Z2",
        name_zh="北片",
        name_en="North zone",
        boundary=poly(x0, ym, mid, Y0 + DY),
    )
    qx = x0 + DX / 4
    c.grid_s1 = mk(
        actor=None,
        bureau=b,
        parent=c.zone_s,
        kind="grid",
        code="S01-Z1-G1",
        name_zh="南片一格",
        name_en="South grid 1",
        boundary=poly(x0, Y0, qx, ym),
        households=300,
    )
    c.grid_s2 = mk(
        actor=None,
        bureau=b,
        parent=c.zone_s,
        kind="grid",
        code="S01-Z1-G2",
        name_zh="南片二格",
        name_en="South grid 2",
        boundary=poly(qx, Y0, mid, ym),
        households=280,
    )
    c.grid_n1 = mk(
        actor=None,
        bureau=b,
        parent=c.zone_n,
        kind="grid",
        code="S01-Z2-G1",
        name_zh="北片一格",
        name_en="North grid 1",
        boundary=poly(x0, ym, mid, Y0 + DY),
        households=420,
    )
    c.zone_e = mk(
        actor=None,
        bureau=b,
        parent=c.east,
        kind="zone",
        code="S02-Z1",
        name_zh="东片",
        name_en="East zone",
        boundary=poly(mid, Y0, x0 + DX, Y0 + DY),
    )
    c.grid_e1 = mk(
        actor=None,
        bureau=b,
        parent=c.zone_e,
        kind="grid",
        code="S02-Z1-G1",
        name_zh="东片一格",
        name_en="East grid 1",
        boundary=poly(mid, Y0, x0 + DX, Y0 + DY),
        households=350,
    )

    def officer(num, name, gender, birth, unit, role, kind="police"):
        o = do_create_officer(
            actor=None,
            bureau=b,
            police_number=num,
            name=name,
            kind=kind,
            gender=gender,
            birth_date=birth,
            id_number=make_id_number(
                code[:6] if code[:6].isdigit() else "330522", birth, int(num[-2:]), gender == "F"
            ),
            rank="sergeant_1" if kind == "police" else "none",
            phone="139" + num[-6:].replace("F", "9").rjust(8, "0"),
            skills={"community_work": 3} if kind == "police" else {},
        )
        do_create_posting(actor=None, officer=o, unit=unit, role=role, start=dt.date(2017, 5, 1))
        return o

    c.off_chief = officer("100001", "王建国", "M", dt.date(1975, 3, 2), c.west, "chief")
    c.off_lead = officer("100002", "李明", "M", dt.date(1985, 6, 12), c.zone_s, "zone_lead")
    c.off_comm = officer("100003", "陈静", "F", dt.date(1990, 9, 9), c.grid_s1, "community")
    c.off_east = officer("100004", "赵强", "M", dt.date(1980, 1, 20), c.east, "chief")
    c.off_ic = officer("100005", "孙磊", "M", dt.date(1992, 4, 4), c.ic, "investigator")
    c.off_aux = officer(
        "F00006", "周洋", "M", dt.date(1996, 7, 7), c.grid_s1, "grid_auxiliary", kind="auxiliary"
    )

    c.prem_west = do_create_premises(
        actor=None,
        bureau=b,
        category="hotel",
        name="城西宾馆",
        lon=x0 + 0.005,
        lat=Y0 + 0.005,
        external_id="P1",
    )
    c.prem_east = do_create_premises(
        actor=None,
        bureau=b,
        category="enterprise",
        name="城东纺织有限公司",
        lon=x0 + 0.03,
        lat=Y0 + 0.01,
        external_id="P2",
    )
    when = dt.datetime(2018, 6, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    c.inc_west_theft = do_record_incident(
        actor=None,
        bureau=b,
        category="0101",
        received_at=when,
        lon=x0 + 0.004,
        lat=Y0 + 0.004,
        reporter_name="张三",
        reporter_phone="13800000001",
        address="城西路1号",
    )
    c.inc_west_dispute = do_record_incident(
        actor=None,
        bureau=b,
        category="0401",
        received_at=when + dt.timedelta(hours=3),
        lon=x0 + 0.004,
        lat=Y0 + 0.015,
        address="城西路9号",
    )
    c.inc_east_theft = do_record_incident(
        actor=None,
        bureau=b,
        category="0102",
        received_at=when + dt.timedelta(days=1),
        lon=x0 + 0.03,
        lat=Y0 + 0.012,
        address="城东路5号",
    )
    c.inc_east_traffic = do_record_incident(
        actor=None,
        bureau=b,
        category="0301",
        received_at=when + dt.timedelta(days=2),
        lon=x0 + 0.031,
        lat=Y0 + 0.013,
        address="城东路7号",
    )

    def persona(username, role, unit, officer=None):
        u = do_create_user(
            actor=None,
            username=f"{code}-{username}",
            password="x",
            bureau=b,
            officer=officer,
            check_password=False,
        )
        do_grant_membership(actor=None, user=u, unit=unit, role=role)
        return u

    c.command = persona("command", Role.BUREAU_COMMAND, c.hq)
    c.planner = persona("planner", Role.PLANNER, c.hq)
    c.center = persona("center", Role.INVESTIGATION_CENTER, c.ic, c.off_ic)
    c.prevention = persona("prevention", Role.PREVENTION_CENTER, c.pc)
    c.chief = persona("chief", Role.STATION_CHIEF, c.west, c.off_chief)
    c.zone_lead = persona("zonelead", Role.ZONE_LEAD, c.zone_s, c.off_lead)
    c.community = persona("community", Role.COMMUNITY_OFFICER, c.grid_s1, c.off_comm)
    c.political = persona("political", Role.POLITICAL_DEPARTMENT, c.hq)
    c.auditor = persona("auditor", Role.AUDITOR, c.hq)
    c.sysadmin = persona("sysadmin", Role.SYSADMIN, c.hq)
    return c


# The personas of ``build_county`` (attribute names), the outsider aside.
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


def minimal_scenario(bureau):
    """A finished scenario with almost no results (the permission matrix's, and the pages' edge case)."""
    from jingwu.planning.models import Scenario

    return Scenario.objects.create(
        bureau=bureau,
        name="矩阵",
        as_of=dt.date(2018, 6, 30),
        reform_date=dt.date(2018, 7, 1),
        incidents_from=dt.date(2018, 1, 1),
        incidents_to=dt.date(2018, 6, 30),
        status="done",
        results={"reassign": {"moves": 0}},
    )


# The two counties are built once per test process (each xdist worker has its own test
# database) and committed; every test runs in a transaction that is rolled back, so each
# test starts from the same rows, and gets fresh Python objects loaded by primary key (a
# test may change its objects freely). A test on a transactional database flushes every
# table afterwards; the next test that asks for a county finds it gone and builds it again.
COUNTIES = {
    "990001": {"code": "990001", "name": "测试县公安局"},
    "990002": {"code": "990002", "name": "邻县公安局", "dx": 0.5},
}
_BUILT: dict[str, dict[str, tuple[type, int]]] = {}


def _shared_county(code: str, django_db_blocker) -> dict[str, tuple[type, int]]:
    """The county's rows as attribute -> (model, pk), built and committed if missing."""
    from django.db import connection
    from django.test.utils import override_settings

    from jingwu.core.models import Bureau

    with django_db_blocker.unblock():
        rows = _BUILT.get(code)
        if rows is not None and Bureau.objects.filter(pk=rows["bureau"][1], code=code).exists():
            return rows
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            c = build_county(**COUNTIES[code])
        rows = {k: (type(v), v.pk) for k, v in vars(c).items()}
        if not connection.in_atomic_block:  # committed: keep it for the next tests
            _BUILT[code] = rows
        return rows


def _load_county(rows: dict[str, tuple[type, int]]) -> County:
    by_model: dict[type, list[int]] = {}
    for model, pk in rows.values():
        by_model.setdefault(model, []).append(pk)
    loaded = {model: model._default_manager.in_bulk(pks) for model, pks in by_model.items()}
    c = County()
    for name, (model, pk) in rows.items():
        setattr(c, name, loaded[model][pk])
    return c


@pytest.fixture
def _county_rows(django_db_setup, django_db_blocker):
    return _shared_county("990001", django_db_blocker)


@pytest.fixture
def _other_county_rows(django_db_setup, django_db_blocker):
    return _shared_county("990002", django_db_blocker)


@pytest.fixture
def county(_county_rows, db):
    return _load_county(_county_rows)


@pytest.fixture
def other_county(_other_county_rows, db):
    return _load_county(_other_county_rows)


@pytest.fixture
def outsider(other_county):
    """A station chief of another bureau: sees nothing of ``county``."""
    return other_county.chief


# The demo county (tens of thousands of rows) is loaded once per run, committed, for the
# tests that ask for ``demo_db``. They run first, on one worker (xdist group "demo"), and
# after the last of them the database is flushed, so no other test sees the demo's rows.
_DEMO = {"left": 0}


def _uses_demo(item) -> bool:
    return "demo_db" in getattr(item, "fixturenames", ())


def pytest_itemcollected(item):
    # marked as it is collected: xdist writes the groups into the node ids in its own
    # pytest_collection_modifyitems, which may run before any of ours
    if _uses_demo(item):
        item.add_marker(pytest.mark.xdist_group("demo"))


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    demo = [item for item in items if _uses_demo(item)]
    if demo:
        items[:] = demo + [item for item in items if item not in set(demo)]


def pytest_collection_finish(session):
    """Under xdist's loadgroup, the demo's tests must be one group (one worker loads and then
    flushes the demo); a pytest that ignores xdist's group names would spread them silently."""
    if getattr(session.config.option, "loadgroup", False):
        spread = [item.nodeid for item in session.items if _uses_demo(item) and "@demo" not in item.nodeid]
        if spread:
            raise pytest.UsageError(f"the demo's tests are not grouped under xdist: {spread[:3]}")


@pytest.fixture(scope="session")
def _demo_loaded(request, django_db_setup, django_db_blocker):
    from jingwu.demo.load import ensure_demo

    # the demo's tests this process runs (counted now: -k and -m have deselected; under xdist
    # they are all in the group "demo", on one worker), so that the last of them flushes
    _DEMO["left"] = sum(1 for item in request.session.items if _uses_demo(item))

    with django_db_blocker.unblock():
        ensure_demo(seed=2019)


@pytest.fixture
def demo_db(_demo_loaded, db, django_db_blocker):
    """The demo county (seed 2019), loaded once per run; each test's changes are rolled back."""
    yield
    _DEMO["left"] -= 1


@pytest.fixture(autouse=True)
def _flush_after_the_demo(request, django_db_blocker):
    yield
    if "demo_db" in request.fixturenames and _DEMO["left"] == 0:
        from django.core.management import call_command

        from jingwu.incidents.taxonomy import sync_categories

        with django_db_blocker.unblock():
            call_command("flush", interactive=False, verbosity=0)
            sync_categories()  # the migration's seed rows, as after migrate
        _BUILT.clear()


@pytest.fixture(autouse=True, scope="session")
def _media_per_process(tmp_path_factory):
    """Files the code writes (uploads, rejects) go to a folder of this test process, not ./var:
    parallel workers each have their own database, so their row ids, and file names, collide."""
    from django.test.utils import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_second_factor(settings, request):
    """Page tests log personas in directly; tests/accounts/test_login_security.py turns 2FA on."""
    if "otp_required" not in request.keywords:
        settings.OTP_REQUIRED = False


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A page asked for in English leaves the thread's language in English: restore the
    default after every test, so that no test depends on which ran before it."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
