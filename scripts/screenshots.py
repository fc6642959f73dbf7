"""Take screenshots of a running Jingwu (the demo) in headless Chromium.

    python scripts/screenshots.py --base http://127.0.0.1:8000 --out /tmp/shots [--lang en] [--phone]
    python scripts/screenshots.py --walk --out /tmp/walk [--users command,jiapu]

Without ``--walk``: the pages of docs/img/. With ``--walk``: every demo log-in opens
every page (lists, the first row of each list, its own unit, planning, imports, audit, a
page that does not exist), a screenshot of each goes to OUT/USER/PAGE.png, and the
Latin-letter words left on the Chinese pages (tests/language_scan.py), browser errors
and failed pages are printed and written to OUT/report.json. Used to look at the pages
and to refresh docs/img/.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.language_scan import english_words

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PAGES = [
    ("command", "home", "/"),
    ("command", "units", "/units/"),
    ("jiapu", "station", "@station"),
    ("jiapu", "officers", "/officers/"),
    ("command", "incidents", "/incidents/"),
    ("fangkong", "premises", "/premises/"),
    ("jiapu-zone", "zone", "@zone"),
    ("planner", "imports", "/imports/"),
    ("planner", "import-new", "/imports/new/"),
    ("planner", "mappings", "/imports/mappings/"),
    ("audit", "imports-audit", "/imports/"),
    ("planner", "planning", "/planning/"),
]

# The demo's log-ins (jingwu demo prints them).
DEMO_USERS = [
    "command",
    "planner",
    "zhencha",
    "fangkong",
    "jiapu",
    "jiapu-zone",
    "jiapu-grid",
    "zhicheng",
    "zhengzhi",
    "audit",
    "admin",
]
# name, path; "@own" is the user's first unit, "@first:/list/" the first row of a list.
WALK = [
    ("home", "/"),
    ("units", "/units/"),
    ("units-grids", "/units/?grids=1"),
    ("own-unit", "@own"),
    ("officers", "/officers/"),
    ("officer", "@first:/officers/"),
    ("incidents", "/incidents/"),
    ("incident", "@first:/incidents/"),
    ("premises", "/premises/"),
    ("premises-detail", "@first:/premises/"),
    ("imports", "/imports/"),
    ("import-job", "@first:/imports/"),
    ("import-new", "/imports/new/"),
    ("mappings", "/imports/mappings/"),
    ("planning", "/planning/"),
    ("scenario", "@first:/planning/"),
    ("scenario-new", "/planning/new/"),
    ("audit", "/audit/"),
    ("audit-event", "@first:/audit/"),
    ("not-found", "/units/99999999/"),
]


def _login(browser, a, user, viewport):
    ctx = browser.new_context(viewport=viewport, is_mobile=a.phone, device_scale_factor=1)
    ctx.add_cookies([{"name": "django_language", "value": a.lang, "url": a.base}])
    page = ctx.new_page()
    page.goto(a.base + "/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", a.password)
    page.click("button[type=submit]")
    page.wait_for_url(a.base + "/")
    return ctx, page


def _open(page, base: str, path: str) -> bool:
    """Go to ``path``; False when there is nothing to open (no unit, an empty list)."""
    if path == "@own":
        page.goto(base + "/")
        links = page.locator(".list-group a")
        if not links.count():
            return False
        links.first.click()
    elif path.startswith("@first:"):
        prefix = path[len("@first:") :]
        page.goto(base + prefix)
        hrefs = page.eval_on_selector_all("table tbody a", "els => els.map(e => e.getAttribute('href'))")
        hrefs = [h for h in hrefs if h and h.startswith(prefix) and h != prefix and "?" not in h]
        if not hrefs:
            return False
        page.goto(base + hrefs[0])
    else:
        page.goto(base + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(500)
    return True


def walk(browser, a, out: Path, viewport) -> dict:
    users = a.users.split(",") if a.users else DEMO_USERS
    report: dict = {}
    for user in users:
        ctx, page = _login(browser, a, user, viewport)
        errors: list[str] = []
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        (out / user).mkdir(parents=True, exist_ok=True)
        seen = report[user] = {}
        for name, path in WALK:
            try:
                if not _open(page, a.base, path):
                    continue
                page.screenshot(path=str(out / user / f"{name}.png"), full_page=True)
                words = sorted(english_words(page.content())) if a.lang.startswith("zh") else []
                seen[name] = {"url": page.url, "english": words}
            except Exception as exc:  # a page that does not load is a finding too
                seen[name] = {"url": path, "error": str(exc).splitlines()[0]}
            item = seen.get(name)
            if item and (item.get("english") or item.get("error")):
                print(f"{user:12} {name:16} {item.get('error') or ' '.join(item['english'])}")
        if errors:
            seen["_browser_errors"] = errors
            print(f"{user:12} browser errors: {errors}")
        ctx.close()
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return report


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://127.0.0.1:8000")
    p.add_argument("--out", default="/tmp/shots")
    p.add_argument("--lang", default="zh-hans")
    p.add_argument("--phone", action="store_true")
    p.add_argument("--password", default="jingwu-demo-2019")
    p.add_argument("--only", default="")
    p.add_argument(
        "--walk", action="store_true", help="every demo log-in, every page, with the language scan"
    )
    p.add_argument("--users", default="", help="with --walk: these log-ins only (comma-separated)")
    p.add_argument("--viewport-only", action="store_true", help="the first screen only, not the whole page")
    a = p.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    viewport = {"width": 390, "height": 844} if a.phone else {"width": 1440, "height": 960}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        if a.walk:
            walk(browser, a, out, viewport)
            browser.close()
            return
        for user, name, path in PAGES:
            if a.only and name not in a.only.split(","):
                continue
            ctx, page = _login(browser, a, user, viewport)
            if path.startswith("@"):
                # the user's own unit: first link under "your units" on the home page
                page.click(".list-group a")
            else:
                page.goto(a.base + path)
            page.wait_for_load_state("networkidle")
            page.wait_for_timeout(800)
            suffix = ("-phone" if a.phone else "") + ("-en" if a.lang == "en" else "")
            page.screenshot(path=str(out / f"{name}{suffix}.png"), full_page=not (a.phone or a.viewport_only))
            ctx.close()
        browser.close()


if __name__ == "__main__":
    main()
