"""The checklist at the door in Chromium at a phone's size: it survives a reload and a lost
connection, and is sent when the connection comes back (tests/test_browser.py drives Chromium)."""

from __future__ import annotations

import os

import pytest

from ..test_browser import ARGS, CHROMIUM, _login, _watch_requests

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run scripts/setup-system.sh (make install-dev does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def test_the_checklist_survives_a_reload_and_a_lost_connection(browser, live_server, county):
    from jingwu.engine.checklists import checklists_for, item_codes
    from jingwu.inspections.models import Visit
    from jingwu.inspections.services import do_begin_visit

    from .conftest import add_catalogue

    add_catalogue(county.bureau)
    visit = do_begin_visit(actor=None, premises=county.prem_west)
    codes = item_codes(checklists_for("hotel", visit.elements))
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    outside = _watch_requests(page, live_server)
    _login(page, live_server, county.community.username)
    url = f"{live_server.url}/inspections/visits/{visit.pk}/"
    page.goto(url)
    assert page.locator(".jw-item").count() == len(codes) == 12
    # a phone needs no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # the first answers, a failed item with its note; then a reload keeps them
    page.click(f'label[for="r-{codes[0]}-pass"]')
    page.click(f'label[for="r-{codes[1]}-fail"]')
    page.fill(f'input[name="n:{codes[1]}"]', "灭火器过期")
    page.reload()
    assert page.is_checked(f'[id="r-{codes[0]}-pass"]') and page.is_checked(f'[id="r-{codes[1]}-fail"]')
    assert page.input_value(f'input[name="n:{codes[1]}"]') == "灭火器过期"
    for code in codes[2:]:
        page.click(f'label[for="r-{code}-pass"]')
    # the connection is lost: the checklist waits on the phone
    ctx.set_offline(True)
    page.click("#jw-checklist-submit")
    page.wait_for_selector("#jw-checklist-pending:not(.d-none)")
    visit.refresh_from_db()
    assert visit.status == "planned"
    assert page.evaluate(f"JSON.parse(localStorage.getItem('jw-checklist-{visit.pk}')).pending") is True
    # back online: sent by itself, once, and the page goes to the premises
    ctx.set_offline(False)
    page.wait_for_url(f"{live_server.url}/premises/{county.prem_west.pk}/**", timeout=15000)
    visit = Visit.objects.get(pk=visit.pk)
    assert (visit.status, visit.failed_items) == ("done", 1)
    assert visit.answers[codes[1]] == {"result": "fail", "note": "灭火器过期"}
    assert page.evaluate(f"localStorage.getItem('jw-checklist-{visit.pk}')") is None
    page.goto(url)
    assert page.locator("#jw-checklist-done").is_visible()
    assert not outside
    ctx.close()


def test_the_routes_of_a_day_draw_on_the_map(browser, live_server, county):
    import datetime as dt

    from jingwu.inspections.services import do_start_plan
    from jingwu.jobs.services import latest_job, run_now
    from jingwu.personnel.services import do_create_officer, do_create_posting

    from .conftest import add_catalogue

    add_catalogue(county.bureau)
    for num, skills in [
        ("100011", {"public_order": 3, "fire_safety": 2}),
        ("100012", {"floating_population": 3}),
    ]:
        from jingwu.engine.ids import make_id_number

        o = do_create_officer(
            actor=None,
            bureau=county.bureau,
            police_number=num,
            name="检查员" + num[-1],
            kind="police",
            gender="M",
            birth_date=dt.date(1988, 2, 2),
            id_number=make_id_number("990001", dt.date(1988, 2, 2), int(num[-2:]), False),
            rank="sergeant_2",
            skills=skills,
        )
        do_create_posting(
            actor=None, officer=o, unit=county.zone_s, role="community", start=dt.date(2017, 1, 1)
        )
    plan = do_start_plan(actor=None, unit=county.west, start=dt.date(2018, 6, 4), days=5, hand_out=False)
    run_now(latest_job(plan))
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    outside = _watch_requests(page, live_server)
    _login(page, live_server, county.chief.username)
    page.goto(f"{live_server.url}/inspections/plans/{plan.pk}/routes/")
    page.wait_for_selector('#jw-routes-map[data-routes="1"]', state="attached")
    assert page.locator(".jw-stop").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not outside
