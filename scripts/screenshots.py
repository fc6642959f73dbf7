"""Take screenshots of a running Jingwu (the demo) in headless Chromium.

    python scripts/screenshots.py --base http://127.0.0.1:8000 --out /tmp/shots [--lang en] [--phone]

Used to look at the pages and to refresh docs/img/.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

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


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--base", default="http://127.0.0.1:8000")
    p.add_argument("--out", default="/tmp/shots")
    p.add_argument("--lang", default="zh-hans")
    p.add_argument("--phone", action="store_true")
    p.add_argument("--password", default="jingwu-demo-2019")
    p.add_argument("--only", default="")
    p.add_argument("--viewport-only", action="store_true", help="the first screen only, not the whole page")
    a = p.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    viewport = {"width": 390, "height": 844} if a.phone else {"width": 1440, "height": 960}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for user, name, path in PAGES:
            if a.only and name not in a.only.split(","):
                continue
            ctx = browser.new_context(viewport=viewport, is_mobile=a.phone, device_scale_factor=1)
            ctx.add_cookies([{"name": "django_language", "value": a.lang, "url": a.base}])
            page = ctx.new_page()
            page.goto(a.base + "/login/")
            page.fill("#id_username", user)
            page.fill("#id_password", a.password)
            page.click("button[type=submit]")
            page.wait_for_url(a.base + "/")
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
