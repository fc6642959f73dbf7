"""The duty desk in a real browser (Debian's Chromium driven by Playwright), as an officer at
the desk uses it: by keyboard only, by a click on the map, with an address or category that
matches nothing, with a possible duplicate, on a phone, in both languages.

Screenshots go to ``$JW_SHOTS`` when it is set (to look at them), else to the test's tmp dir.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from jingwu.incidents.models import Incident

from ..conftest import X0, Y0
from ..test_browser import ARGS, CHROMIUM, _click_at, _login, _watch_requests

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is missing: run scripts/setup-system.sh (make install-dev does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("JW_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _desk(browser, live_server, user, *, phone=False, lang=None):
    """A fresh browser context (a Chinese-speaking desk PC, or a phone) on the duty desk."""
    size = {"width": 390, "height": 844} if phone else {"width": 1400, "height": 1000}
    ctx = browser.new_context(viewport=size, is_mobile=phone, has_touch=phone, locale="zh-CN")
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.outside = _watch_requests(page, live_server)
    _login(page, live_server, user.username)
    if lang:
        if phone:
            page.tap(".navbar-toggler")
        with page.expect_navigation():
            page.select_option("select[name=language]", lang)
    page.goto(live_server.url + "/intake/")
    page.wait_for_selector("#intake-map[data-ready='1']", state="attached")
    return ctx, page


def _focused(page) -> str:
    return page.evaluate("document.activeElement.id")


def _options(page, which: str) -> list[str]:
    """The suggestions shown under a search box, once they have come."""
    page.wait_for_selector(f"#{which}-list > *")
    return [t.strip() for t in page.locator(f"#{which}-list [role=option]").all_inner_texts()]


def _active(page, which: str) -> str:
    return page.locator(f"#{which}-list .active").inner_text().strip()


def _where(page) -> tuple[str, str, str]:
    page.wait_for_selector("#where [data-where=grid]")
    return tuple(page.inner_text(f"#where [data-where={k}]") for k in ("station", "zone", "grid"))


def test_an_incident_recorded_by_keyboard_only(browser, live_server, county, shots):
    ctx, page = _desk(browser, live_server, county.community)
    n = Incident.objects.count()
    # the category box has the focus; Tab goes down the form, one stop a field
    assert _focused(page) == "category-search"
    order = []
    for _ in range(9):
        page.keyboard.press("Tab")
        order.append(_focused(page) or page.evaluate("document.activeElement.type"))
    assert order == [
        "id_received_at",
        "id_source",
        "id_address",
        "id_lon",
        "id_lat",
        "id_description",
        "id_reporter_name",
        "id_reporter_phone",
        "submit",
    ]
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == "id_reporter_phone"
    page.focus("#category-search")

    # Chinese: the exact name first, then those starting with it, then containing it
    page.keyboard.type("盗窃")
    assert [o.split()[0] for o in _options(page, "category")] == ["0101", "0103", "0102"]
    assert _active(page, "category").startswith("0101")
    page.keyboard.press("ArrowDown")
    assert _active(page, "category").startswith("0103")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # past the last: back to the first
    assert _active(page, "category").startswith("0101")
    page.keyboard.press("ArrowUp")
    assert _active(page, "category").startswith("0102")
    page.keyboard.press("Enter")
    assert page.input_value("#id_category") == "0102"
    assert page.input_value("#category-search") == "0102 入室盗窃"
    assert page.locator("#category-list > *").count() == 0
    assert page.url == live_server.url + "/intake/"  # Enter chose; it did not send the form
    # pinyin, then its initials, typed over the choice
    page.keyboard.press("Control+A")
    page.keyboard.type("daoqie")
    assert page.input_value("#id_category") == ""  # the text changed: no category until one is chosen
    assert [o.split()[0] for o in _options(page, "category")][:2] == ["0101", "0103"]
    assert "dao qie" in _active(page, "category")
    page.keyboard.press("Control+A")
    page.keyboard.type("rsdq")
    page.wait_for_selector("#category-list [role=option] >> text=入室盗窃")
    page.keyboard.press("Control+A")
    page.keyboard.type("dq")
    page.keyboard.press("Enter")  # typed before the suggestions came: takes the first when they come
    expect(page.locator("#id_category")).to_have_value("0101")
    assert page.input_value("#category-search") == "0101 盗窃"
    assert page.url == live_server.url + "/intake/"

    # Tab: the time of the call (typed in its parts), the source (arrow keys), the address
    page.keyboard.press("Tab")
    assert _focused(page) == "id_received_at"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", page.input_value("#id_received_at"))  # now
    page.keyboard.press("Control+A")
    page.keyboard.type("2018-06-03 10:15")
    page.keyboard.press("Tab")
    assert _focused(page) == "id_source"
    page.keyboard.press("ArrowDown")
    assert page.input_value("#id_source") == "walk_in"
    page.keyboard.press("Tab")
    assert _focused(page) == "id_address"
    page.keyboard.type("城西璐1")  # a wrong character, the 号 not typed yet
    assert _options(page, "address")[0].startswith("城西路1号")
    page.screenshot(path=str(shots / "intake-desktop-zh-address.png"))
    page.keyboard.press("Enter")
    assert page.input_value("#id_address") == "城西路1号"
    assert (page.input_value("#id_lon"), page.input_value("#id_lat")) == (
        f"{X0 + 0.004:.6f}",
        f"{Y0 + 0.004:.6f}",
    )
    assert _where(page) == ("城西派出所 (全攻全守型)", "南片", "南片一格")
    assert page.is_hidden("#duplicates")  # two days after the recorded theft there
    page.screenshot(path=str(shots / "intake-desktop-zh.png"), full_page=True)

    for _ in range(3):  # past the coordinates, filled by the pick
        page.keyboard.press("Tab")
    assert _focused(page) == "id_description"
    page.keyboard.type("电动车被盗")
    page.keyboard.press("Enter")  # a new line in the description, not the form sent
    page.keyboard.type("车锁被剪断")
    page.keyboard.press("Tab")
    page.keyboard.type("王五")
    page.keyboard.press("Tab")
    page.keyboard.type("13800000009")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    assert _focused(page) == "id_description"
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")  # the documented shortcut, from the description
    new = Incident.objects.exclude(pk__lte=county.inc_east_traffic.pk).get()
    assert Incident.objects.count() == n + 1
    assert (new.category.code, new.source, new.address, new.reporter_name, new.reporter_phone) == (
        "0101",
        "walk_in",
        "城西路1号",
        "王五",
        "13800000009",
    )
    assert new.description == "电动车被盗\n车锁被剪断"
    assert (new.grid, new.zone, new.station) == (county.grid_s1, county.zone_s, county.west)
    assert new.received_at == dt.datetime(2018, 6, 3, 10, 15, tzinfo=CST)
    assert page.url == f"{live_server.url}/incidents/{new.pk}/"
    assert f"警情 {new.number} 已登记" in page.inner_text(".alert-success")
    assert page.errors == [] and page.outside == []
    ctx.close()


def test_a_click_on_the_map_places_the_incident(browser, live_server, county):
    ctx, page = _desk(browser, live_server, county.planner)  # the whole bureau
    _click_at(page, "#intake-map", Y0 + 0.01, X0 + 0.03)  # the east station's only grid
    assert _where(page) == ("城东派出所 (积极防范型)", "东片", "东片一格")
    assert abs(float(page.input_value("#id_lon")) - (X0 + 0.03)) < 2e-4
    assert abs(float(page.input_value("#id_lat")) - (Y0 + 0.01)) < 2e-4
    assert page.locator("#intake-map .leaflet-marker-icon").count() == 1
    # the west station's south zone, its second grid (a quarter of the county across)
    _click_at(page, "#intake-map", Y0 + 0.003, X0 + 0.015)
    expect(page.locator("#where [data-where=grid]")).to_have_text("南片二格")
    assert _where(page) == ("城西派出所 (全攻全守型)", "南片", "南片二格")
    assert page.locator("#intake-map .leaflet-marker-icon").count() == 1  # moved, not a second one
    # the north zone is one grid
    _click_at(page, "#intake-map", Y0 + 0.015, X0 + 0.005)
    expect(page.locator("#where [data-where=grid]")).to_have_text("北片一格")
    assert _where(page) == ("城西派出所 (全攻全守型)", "北片", "北片一格")
    # outside the county's rectangle: said so, in red
    _click_at(page, "#intake-map", Y0 + 0.021, X0 + 0.005)
    page.wait_for_selector("#where.alert-danger")
    assert "在本局辖区范围之外" in page.inner_text("#where")
    assert page.errors == [] and page.outside == []
    ctx.close()


def test_what_matches_nothing_is_said_and_not_saved(browser, live_server, county, shots):
    ctx, page = _desk(browser, live_server, county.community)
    n = Incident.objects.count()
    page.keyboard.type("xyz")
    page.wait_for_selector("#category-list .jw-no-match")
    assert page.inner_text("#category-list") == "没有匹配项。"
    page.keyboard.press("Enter")  # nothing to take, nothing sent
    assert page.url == live_server.url + "/intake/" and page.input_value("#id_category") == ""
    page.keyboard.press("Escape")
    assert page.locator("#category-list > *").count() == 0
    assert page.get_attribute("#category-search", "aria-expanded") == "false"
    page.focus("#id_address")
    page.keyboard.type("火星大道99号")
    page.wait_for_selector("#address-list .jw-no-match")
    assert page.inner_text("#address-list") == "没有匹配项。"
    page.keyboard.press("Enter")
    assert page.url == live_server.url + "/intake/"
    assert page.input_value("#id_lon") == ""
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert Incident.objects.count() == n
    alert = page.inner_text(".alert-danger")
    assert "未保存" in alert
    body = page.inner_text("#intake")
    assert "请从候选项中选择类别" in body
    assert "火星大道99号 与本局地址库中的地址均不匹配" in body
    assert page.input_value("#id_address") == "火星大道99号"  # what was typed stays
    page.screenshot(path=str(shots / "intake-refused-zh.png"), full_page=True)
    # a code that is no category is refused by name
    page.focus("#category-search")
    page.keyboard.press("Control+A")
    page.keyboard.type("9999")
    page.keyboard.press("Tab")
    assert page.input_value("#id_category") == "9999"
    page.fill("#id_address", "")
    _click_at(page, "#intake-map", Y0 + 0.004, X0 + 0.006)
    _where(page)
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert Incident.objects.count() == n
    assert "未知的警情类别编码 9999" in page.inner_text("#intake")
    # an address edited after a pick no longer stands for the picked point
    page.focus("#id_address")
    page.keyboard.type("城西路1")
    _options(page, "address")
    page.keyboard.press("Enter")
    assert page.input_value("#id_lon") != ""
    page.keyboard.type("302室")  # more detail after the picked address: the point stays
    assert page.input_value("#id_lon") != ""
    page.keyboard.press("Control+A")
    page.keyboard.type("城东路5号")  # another address, not picked: the point is dropped
    assert page.input_value("#id_lon") == "" and "确定地点后" in page.inner_text("#where")
    assert page.errors == [] and page.outside == []
    ctx.close()


def test_the_duplicate_warning_comes_before_saving(browser, live_server, county, shots):
    ctx, page = _desk(browser, live_server, county.community)
    n = Incident.objects.count()
    page.keyboard.type("dq")
    _options(page, "category")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("2018-06-01 09:50")  # 20 minutes after the recorded theft at 城西路1号
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.type("城西路1号")
    _options(page, "address")
    page.keyboard.press("Enter")
    page.wait_for_selector("#duplicates:not(.d-none)")
    warning = page.inner_text("#duplicates")
    assert "可能重复" in warning and county.inc_west_theft.number in warning and "09:30" in warning
    page.screenshot(path=str(shots / "intake-duplicate-zh.png"), full_page=True)
    # sent without the tick: refused, nothing saved, the warning still there with the number
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert Incident.objects.count() == n
    assert page.is_visible("#duplicates") and county.inc_west_theft.number in page.inner_text("#duplicates")
    assert page.input_value("#category-search") == "0101 盗窃"  # the choice is kept, by name
    assert page.input_value("#id_address") == "城西路1号"
    # the refused form has the focus on "a different incident": the officer ticks it and records
    assert _focused(page) == "id_allow_duplicate"
    page.keyboard.press("Space")
    assert page.is_checked("#id_allow_duplicate")
    with page.expect_navigation():
        page.keyboard.press("Control+Enter")
    assert Incident.objects.count() == n + 1
    new = Incident.objects.latest("pk")
    assert (new.category.code, new.received_at, new.grid) == (
        "0101",
        dt.datetime(2018, 6, 1, 9, 50, tzinfo=CST),
        county.grid_s1,
    )
    assert page.url == f"{live_server.url}/incidents/{new.pk}/"
    assert page.errors == [] and page.outside == []
    ctx.close()


def test_the_desk_on_a_phone_in_english(browser, live_server, county, shots):
    ctx, page = _desk(browser, live_server, county.community, phone=True, lang="en")
    assert page.inner_text("h1") == "Duty desk: record an incident"
    # the keyboard's hints are for the desk's PC, not a phone
    assert page.is_hidden("#intake-keys") and "Ctrl+Enter records" in page.text_content("#intake-keys")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    # every field is on the screen's width, none narrower than a thumb's tap
    for sel in [
        "#category-search",
        "#id_received_at",
        "#id_source",
        "#id_address",
        "#id_lon",
        "#id_lat",
        "#id_description",
        "#id_reporter_name",
        "#id_reporter_phone",
        "#intake button[type=submit]",
        "#intake-map",
    ]:
        box = page.locator(sel).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, sel
        assert box["width"] >= 100 and box["height"] >= 24, sel
    page.tap("#category-search")
    page.keyboard.type("theft")
    opts = _options(page, "category")
    assert opts[0].startswith("0101 Theft")
    list_box = page.locator("#category-list").bounding_box()
    assert list_box["x"] + list_box["width"] <= 390
    page.screenshot(path=str(shots / "intake-phone-en-category.png"))
    page.tap("#category-list [role=option] >> nth=0")
    assert page.input_value("#id_category") == "0101"
    page.tap("#id_address")
    page.keyboard.type("Mars Road")
    page.wait_for_selector("#address-list .jw-no-match")
    assert page.inner_text("#address-list") == "Nothing matches."
    page.fill("#id_address", "")
    page.keyboard.type("城西宾")
    _options(page, "address")
    page.tap("#address-list [role=option] >> nth=0")
    assert page.input_value("#id_address") == "城西宾馆"
    assert _where(page) == ("West Station (Full-spectrum station)", "South zone", "South grid 1")
    assert page.inner_text("#where") == (
        "Station West Station (Full-spectrum station) Zone South zone Grid South grid 1"
    )
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    page.screenshot(path=str(shots / "intake-phone-en.png"), full_page=True)
    # a tap on the map, below the form, places the incident elsewhere
    page.locator("#intake-map").scroll_into_view_if_needed()
    x, y = page.evaluate(
        "([lat, lon]) => { const p = document.querySelector('#intake-map').jwMap.latLngToContainerPoint([lat, lon]);"
        " return [p.x, p.y]; }",
        [Y0 + 0.015, X0 + 0.005],
    )
    box = page.locator("#intake-map").bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)
    expect(page.locator("#where [data-where=grid]")).to_have_text("North grid 1")
    assert _where(page) == ("West Station (Full-spectrum station)", "North zone", "North grid 1")
    assert page.errors == [] and page.outside == []
    ctx.close()
