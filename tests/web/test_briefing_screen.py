"""The daily briefing and the big screen in Chromium, as the dispatch meeting and the command
room see them: the figures agree with the API, every chart has drawn, nothing in the console;
and the screen redraws by itself within two seconds of a change made elsewhere."""

from __future__ import annotations

import time

from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from tests.web.test_pages import browser, own_server, server, shot, signed_in

__all__ = ["browser", "own_server", "server"]


def _errors(page: Page) -> list[str]:
    said: list[str] = []

    def note(m: ConsoleMessage) -> None:
        if m.type == "error":
            said.append(m.text)

    page.on("console", note)
    page.on("pageerror", lambda e: said.append(str(e)))
    return said


def test_the_briefing_of_8_march(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    errors = _errors(page)
    page.click("nav >> text=日报")
    page.goto(f"{server}/briefing?day=2022-03-08")
    expect(page.locator("h1")).to_have_text("疫情防控日报 2022-03-08")
    api = page.request.get(f"{server}/api/briefing?day=2022-03-08").json()
    figure = page.locator("[data-figure=new_asymptomatic]")
    expect(figure).to_have_text(str(api["infections"]["new_asymptomatic"]))
    expect(page.locator("[data-figure=contacts_found]")).to_have_text(str(api["contacts"]["found"]))
    for chart in ("curve", "beds", "stock", "tasks"):
        expect(page.locator(f"#briefing-{chart}")).to_have_attribute("data-drawn", "1")
        assert page.locator(f"#briefing-{chart} canvas").count() == 1
    expect(page.locator("#section-zones_in_force")).to_contain_text("封控区")
    expect(page.locator("#section-duty")).to_contain_text("市指挥部值班长")
    pdf = page.request.get(f"{server}{page.locator('#briefing-pdf').get_attribute('href')}")
    assert pdf.ok and pdf.body()[:4] == b"%PDF"
    shot(page, "briefing")
    page.goto(f"{server}/briefing?day=2022-03-30")
    expect(page.locator("#briefing-refused")).to_contain_text("尚未到来")
    assert errors == []


def test_the_big_screen_redraws_on_a_change(browser: Browser, own_server: str) -> None:
    page = signed_in(browser, own_server, "commander", "command-demo-2022", width=1920)
    page.set_viewport_size({"width": 1920, "height": 1080})
    errors = _errors(page)
    page.goto(f"{own_server}/screen")
    screen = page.locator("#screen")
    expect(screen).to_have_attribute("data-updates", "1")
    expect(page.locator("#screen-state")).to_have_text("实时")
    api = page.request.get(f"{own_server}/api/screen").json()
    total = api["infections"]["confirmed"] + api["infections"]["asymptomatic"]
    expect(page.locator("#kpi-total")).to_have_text(str(total))
    expect(page.locator("#kpi-contacts")).to_have_text(str(api["contacts"]["found"]))
    for chart in ("#screen-curve", "#screen-tasks", "#screen-beds", "#screen-gauges", "#zone-map"):
        assert int(page.locator(chart).get_attribute("data-drawn") or 0) >= 1, chart
    # Past the page's scroll: the screen fits 1920×1080 as it is.
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    shot(page, "big-screen")
    # A close contact found positive, recorded through the API: the screen counts one more.
    infected = {i["person"]["id"] for i in page.request.get(f"{own_server}/api/infections").json()}
    contacts = page.request.get(f"{own_server}/api/infections/1/contacts").json()
    contact = next(c for c in contacts if c["person"]["id"] not in infected)
    written = time.perf_counter()
    made = page.request.post(
        f"{own_server}/api/infections",
        data={
            "person_id": contact["person"]["id"],
            "kind": "asymptomatic",
            "sampled_at": "2022-03-08T10:00:00+08:00",
            "reported_at": "2022-03-08T19:00:00+08:00",
        },
    )
    assert made.ok, made.text()
    expect(page.locator("#kpi-total")).to_have_text(str(total + 1), timeout=2000)
    assert time.perf_counter() - written < 2.0
    assert int(screen.get_attribute("data-updates") or 0) >= 2
    assert errors == []
