"""Screenshots of every page the menu offers, for each demo role, at two moments of the
replay: 20:00 on 8 March (the demo's default) and 12:00 on 13 March.

Run against a served demo (`make demo` in another terminal):
    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--out screenshots/roles]
It steps the platform's clock as the commander (every user sees the step), takes each role's
pages as that role sees them (the menu's links), and puts the clock back to 8 March 20:00."""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

import httpx
import pypdfium2 as pdfium
from playwright.sync_api import Browser, sync_playwright

ROLES = {
    "commander": "command-demo-2022",
    "linyi": "linyi-demo-2022",
    "yanhu": "yanhu-demo-2022",
    "viewer": "viewer-demo-2022",
    "hotel": "hotel-demo-2022",
    "lab": "lab-demo-2022",
    "station": "station-demo-2022",
    "admin": "admin-demo-2022",
}
MOMENTS = {"0308-2000": "2022-03-08T20:00", "0313-1200": "2022-03-13T12:00"}


def step_clock(url: str, at: str) -> None:
    token = httpx.post(
        f"{url}/api/auth/token", data={"username": "commander", "password": ROLES["commander"]}
    ).json()["access_token"]
    answer = httpx.put(
        f"{url}/api/clock", json={"at": at}, headers={"Authorization": f"Bearer {token}"}
    )
    answer.raise_for_status()


def role_pages(browser: Browser, url: str, role: str, out: Path) -> int:
    """Sign in as `role`, then screenshot its landing page and every page of its menu."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    page.goto(f"{url}/login")
    page.fill("input[name=username]", role)
    page.fill("input[name=password]", ROLES[role])
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    links = ["/"] + [a.get_attribute("href") or "" for a in page.locator("header nav a").all()]
    for href in dict.fromkeys(links):
        page.goto(f"{url}{href}")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(300)  # charts finish drawing
        name = href.strip("/").replace("/", "-") or "landing"
        page.screenshot(path=out / f"{role}-{name}.png", full_page=True)
    page.close()
    return len(dict.fromkeys(links))


def command_room(browser: Browser, url: str, out: Path) -> None:
    """The big screen at 1920×1080, the 8 March briefing's page, its PDF and that PDF's first
    two pages drawn as pictures (pypdfium2), as the commander sees them."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page.goto(f"{url}/login")
    page.fill("input[name=username]", "commander")
    page.fill("input[name=password]", ROLES["commander"])
    page.click("button[type=submit]")
    page.goto(f"{url}/screen")
    page.wait_for_selector("#screen[data-updates='1']")
    page.wait_for_timeout(500)
    page.screenshot(path=out / "big-screen.png")
    page.set_viewport_size({"width": 1440, "height": 1000})
    page.goto(f"{url}/briefing?day=2022-03-08")
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    page.screenshot(path=out / "briefing-0308.png", full_page=True)
    pdf = page.request.get(f"{url}/api/briefing/pdf?day=2022-03-08").body()
    page.close()
    (out / "briefing-0308.pdf").write_bytes(pdf)
    document = pdfium.PdfDocument(pdf)
    for n in range(min(2, len(document))):
        picture = document[n].render(scale=150 / 72).to_pil()  # 150 dpi
        picture.save(out / f"briefing-0308-pdf-page{n + 1}.png")
    print(f"the big screen, the briefing and its PDF's first two pages in {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("screenshots/roles"))
    args = parser.parse_args()
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            for label, at in MOMENTS.items():
                step_clock(args.url, at)
                folder = args.out / label
                folder.mkdir(parents=True, exist_ok=True)
                taken = sum(role_pages(browser, args.url, role, folder) for role in ROLES)
                print(f"{at}: {taken} screenshots in {folder}")
                command_room(browser, args.url, folder)
        finally:
            step_clock(args.url, MOMENTS["0308-2000"])
            browser.close()


if __name__ == "__main__":
    main()
