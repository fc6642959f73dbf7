"""The pages in a real browser (Debian's Chromium driven by Playwright): maps and charts draw,
Chinese renders, nothing loads from outside, and a phone-sized screen needs no sideways scroll."""

from __future__ import annotations

import os
import shutil
from urllib.parse import urlparse

import pytest

# Playwright's sync API runs an event loop in this thread; the fixtures' ORM calls are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run scripts/setup-system.sh (make install-dev does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _login(page, live_server, username):
    page.goto(live_server.url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "x")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/")


def _watch_requests(page, live_server):
    outside = []
    host = urlparse(live_server.url).netloc

    def on_request(req):
        if not req.url.startswith("data:") and urlparse(req.url).netloc != host:
            outside.append(req.url)

    page.on("request", on_request)
    return outside


def test_station_page_draws_its_map_and_chart(browser, live_server, county, tmp_path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    outside = _watch_requests(page, live_server)
    errors, console = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: console.append(m.text))
    _login(page, live_server, county.chief.username)
    page.goto(f"{live_server.url}/units/{county.west.pk}/")
    try:
        page.wait_for_selector("#unit-map[data-ready]", state="attached", timeout=15000)
    except Exception:
        pytest.fail(f"map never drew; console: {console}; errors: {errors}")
    assert page.get_attribute("#unit-map", "data-ready") == "1", console
    paths = (
        page.locator("#unit-map path.leaflet-interactive").count() + page.locator("#unit-map canvas").count()
    )
    assert paths > 0
    page.wait_for_selector(".jw-chart[data-ready='1']", timeout=15000)
    assert "城西派出所" in page.inner_text("h1")
    page.screenshot(path=str(tmp_path / "station.png"), full_page=True)
    # what the scripts drew (map controls, layer names, chart) is in Chinese too
    from .language_scan import english_words

    assert english_words(page.content()) == set()
    assert page.get_attribute(".leaflet-control-zoom-in", "title") == "放大"
    assert errors == []
    assert outside == []
    assert not [m for m in console if "Content Security Policy" in m], console


def test_home_and_lists_fit_a_phone(browser, live_server, county):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, live_server, county.zone_lead.username)
    for path in ["/", "/incidents/", "/premises/", "/units/"]:
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    assert errors == []


def test_language_switch_in_the_browser(browser, live_server, county):
    page = browser.new_page()
    _login(page, live_server, county.command.username)
    assert "概览" in page.inner_text("h1")
    page.select_option("select[name=language]", "en")
    page.wait_for_load_state("load")
    page.wait_for_function("document.querySelector('h1').innerText.includes('Overview')")


def _click_at(page, selector, lat, lon):
    """Click the map at a place (through Leaflet's own projection of the drawn map)."""
    x, y = page.evaluate(
        "([sel, lat, lon]) => { const p = document.querySelector(sel).jwMap.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [selector, lat, lon],
    )
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_a_click_on_a_grid_opens_it_with_the_zone_layer_on(browser, live_server, county):
    """Zones are drawn under the grids; switching the zone layer off and on keeps them there."""
    from .conftest import X0, Y0

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _login(page, live_server, county.chief.username)
    station = f"{live_server.url}/units/{county.west.pk}/"
    inside_grid = (Y0 + 0.007, X0 + 0.007)  # in grid S01-Z1-G1 (and zone S01-Z1), away from the points
    page.goto(station)
    page.wait_for_selector("#unit-map[data-ready='1']", state="attached", timeout=15000)
    _click_at(page, "#unit-map", *inside_grid)
    page.wait_for_url(f"{live_server.url}/units/{county.grid_s1.pk}/", timeout=5000)

    page.goto(station)
    page.wait_for_selector("#unit-map[data-ready='1']", state="attached", timeout=15000)
    zones = page.locator(".leaflet-control-layers-overlays label", has_text="片区").locator("input")
    zones.uncheck()
    zones.check()  # the zone layer is drawn again, last
    _click_at(page, "#unit-map", *inside_grid)
    page.wait_for_url(f"{live_server.url}/units/{county.grid_s1.pk}/", timeout=5000)
