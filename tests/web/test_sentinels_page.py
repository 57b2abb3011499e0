"""Sentinel alarms in Chromium as the city CDC's head of tracing works them: the map marks the
points alarming, each point's curve is drawn with its alarm days; an open alarm confirmed on the
page is confirmed in the API and shows on the command board; nothing in the console."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.web.test_briefing_screen import _errors
from tests.web.test_pages import browser, own_server, shot, signed_in

__all__ = ["browser", "own_server"]


def test_alarms_drawn_and_confirmed_on_the_page(browser: Browser, own_server: str) -> None:
    page = signed_in(browser, own_server, "cdc", "cdc-demo-2022")
    errors = _errors(page)
    page.goto(f"{own_server}/sentinels?as_of=2022-03-08T20:00")
    api = page.request.get(
        f"{own_server}/api/surveillance/alarms", params={"as_of": "2022-03-08T20:00:00"}
    ).json()
    expect(page.locator("#sentinel-map")).to_have_attribute("data-drawn", "6")
    assert page.locator("#sentinel-map canvas").count() == 1
    curves = page.locator("#sentinel-curves > div")
    assert curves.count() == 15  # 6 points' measures
    fever = page.locator("[data-series='LY-FC-1:fever_visits']")
    assert int(fever.get_attribute("data-drawn") or 0) >= 5  # 2-8 March alarmed
    quiet = page.locator("[data-series='YH-FC-1:fever_visits']")
    expect(quiet).to_have_attribute("data-drawn", "0")
    rows = page.locator("#alarms tbody tr")
    assert rows.count() == len(api)
    first_open = next(a for a in api if a["status"] == "open")
    row = page.locator(f"#alarm-{first_open['id']}")
    expect(row).to_contain_text("待研判")
    shot(page, "sentinels")
    row.locator("input[name=note]").fill("已派流调队伍核查")
    row.locator("button[value=confirm]").click()
    expect(page.locator(f"#alarm-{first_open['id']}")).to_contain_text("已确认")
    again = page.request.get(f"{own_server}/api/surveillance/alarms").json()
    assert next(a for a in again if a["id"] == first_open["id"])["status"] == "confirmed"
    page.goto(f"{own_server}/command")
    expect(page.locator("#board-alarms")).to_contain_text("哨点预警")
    assert errors == []
