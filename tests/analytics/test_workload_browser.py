"""The station dashboard's workload per officer in a real browser: the table draws beside
the tiles, the figures are links and nothing overflows sideways."""

from __future__ import annotations

import os

import pytest

from tests.analytics.test_workload import work  # noqa: F401 - the fixture
from tests.test_browser import _login, browser  # noqa: F401 - the fixture

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_station_dashboard_shows_its_officers(browser, live_server, work, tmp_path):  # noqa: F811
    county = work
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, live_server, county.chief.username)
    page.goto(f"{live_server.url}/measure/units/{county.west.pk}/")
    table = page.locator("#jw-dash-officers")
    table.wait_for(timeout=15000)
    text = table.inner_text()
    assert "民警工作量" in page.inner_text("body")
    for name in ("王建国", "李明", "陈静"):
        assert name in text
    # the community officer's grid work (3 entries) is a link to the log filtered by officer
    links = table.locator("a[href*='/duty/work/?officer=']")
    assert links.count() >= 1
    # no sideways scroll of the page itself
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1400
    assert not errors
    shots = os.environ.get("JINGWU_SHOTS") or str(tmp_path)
    page.screenshot(path=os.path.join(shots, "station-dashboard.png"), full_page=True)
    # a tile's ⓘ opens the indicator's page: its source queries, readable and as SQL
    page.click("#jw-dash-compliance-source")
    page.wait_for_selector("#jw-indicator-sources")
    assert "inspections.Visit WHERE" in page.inner_text("#jw-indicator-sources")
    page.screenshot(path=os.path.join(shots, "indicator.png"), full_page=True)
    page.close()
