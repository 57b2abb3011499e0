"""The pages as a person uses them: a real server, a real database, Debian's Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.conftest import DATA

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(__file__).resolve().parents[2] / "screenshots"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(
            "CI must run the browser tests: install Debian's chromium (.ci/run does)"
        )
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

from tests.servers import fangkong_serve  # noqa: E402


@contextmanager
def serving(demo_data: Path, folder: Path) -> Iterator[str]:
    """`fangkong serve` over a copy of the run's demo (as `make demo` serves it), on a port of
    its own."""
    shutil.copytree(demo_data, folder)
    with fangkong_serve({"FANGKONG_DATA_DIR": str(folder)}, drop=("FANGKONG_DATABASE_URL",)) as url:
        yield url


@pytest.fixture(scope="module")
def server(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo for the pages that only read it, shared by this module."""
    with serving(demo_data, tmp_path_factory.mktemp("served") / "demo") as url:
        yield url


@pytest.fixture
def own_server(demo_data: Path, tmp_path: Path) -> Iterator[str]:
    """The demo for a test that changes it: a copy of its own, so no other test sees it."""
    with serving(demo_data, tmp_path / "demo") as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def signed_in(
    browser: Browser, server: str, user: str, password: str, *, width: int = 1440
) -> Page:
    page = browser.new_page(viewport={"width": width, "height": 1000 if width > 600 else 812})
    page.goto(f"{server}/infections")
    expect(page).to_have_url(f"{server}/login?next=/infections")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/infections")
    return page


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_wrong_password_stays_on_login(browser: Browser, server: str) -> None:
    page = browser.new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=username]", "linyi")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("用户名或密码错误")


def test_tracer_follows_the_outbreak(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "linyi", "linyi-demo-2022")
    expect(page.locator("#infections tbody tr")).to_have_count(5)
    expect(page.locator("#infections")).to_contain_text("王某强")
    shot(page, "infections")

    page.click("#infections tbody tr:first-child a >> nth=0")
    expect(page.locator("h1")).to_contain_text("王某强")
    expect(page.locator("#stops tbody tr")).to_have_count(9)
    expect(page.locator("#contacts")).to_contain_text("密接")
    expect(page.locator("#contacts")).to_contain_text("次密接")
    expect(page.locator("h2", has_text="接触者")).to_contain_text("其他县区协查")
    chain = page.locator("#chain")
    expect(chain.locator("canvas")).to_have_count(1)
    assert int(chain.get_attribute("data-drawn") or 0) > 5
    expect(page.locator("#kpi")).to_contain_text("达标")
    # Spatiotemporal companions found in the demo's location data, with their minutes.
    expect(page.locator("#contacts .companion-note")).to_have_count(8)
    assert int(page.locator("#companion-map").get_attribute("data-drawn") or 0) >= 1
    expect(page.locator("#contacts")).to_contain_text("时空伴随")
    shot(page, "infection")

    # A line list the platform refuses is explained row by row and nothing is written.
    page.goto(f"{server}/infections/2")
    before = page.locator("#contacts tbody tr").count()
    page.click("text=导入名单")
    page.set_input_files(
        "#import-form input[type=file]", str(DATA / "contacts-linyi-2022-03-07.xlsx")
    )
    page.click("#import-form button")
    expect(page.locator("#import-form .errors")).to_contain_text("第9行 · 末次接触时间")
    page.reload()
    expect(page.locator("#contacts tbody tr")).to_have_count(before)


def test_board_as_of_the_second_evening(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.goto(f"{server}/board?as_of=2022-03-07T20:00")
    expect(page.locator("#board tbody tr")).to_have_count(2)
    expect(page.locator("#board")).to_contain_text("进行中")
    assert int(page.locator("#board-chart").get_attribute("data-drawn") or 0) == 2
    shot(page, "board")
    page.goto(f"{server}/board?as_of=2022-03-12T00:00")
    expect(page.locator("#board tbody tr")).to_have_count(5)
    expect(page.locator(".tile.ok b")).to_have_text("5")


def test_english_and_masking_for_a_viewer(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "viewer", "viewer-demo-2022")
    page.click("a.lang")
    expect(page.locator("h1")).to_have_text("Infections")
    expect(page.locator("#infections")).to_contain_text("王**")
    expect(page.locator("#infections")).not_to_contain_text("王某强")
    page.goto(f"{server}/people")
    expect(page.locator("#people")).to_contain_text("140821********")
    expect(page.locator("main")).to_contain_text("Masked for your role")
    shot(page, "people-viewer-en")


def test_record_an_infection_from_the_page(browser: Browser, own_server: str) -> None:
    page = signed_in(browser, own_server, "linyi", "linyi-demo-2022")
    page.click("text=登记感染者")
    page.fill("input[name='person.name']", "新某某")
    page.fill("input[name='person.id_number']", "140821199002030421")
    page.fill("input[name='sampled_at']", "2022-03-08T08:00")
    page.fill("input[name='reported_at']", "2022-03-08T18:00")
    page.click("form[data-api='/api/infections'] button")
    expect(page.locator("form[data-api='/api/infections'] .errors")).to_contain_text("校验码")
    page.fill("input[name='person.id_number']", "140821199002030420")
    page.fill("input[name='person.name']", "王某某")
    page.fill("input[name='person.address']", "临猗县猗氏镇")
    page.click("form[data-api='/api/infections'] button")
    expect(page).to_have_url(f"{own_server}/infections/6")
    expect(page.locator("h1")).to_contain_text("#6")


def test_a_commander_steps_the_replay_from_the_header(browser: Browser, own_server: str) -> None:
    page = signed_in(browser, own_server, "commander", "command-demo-2022")
    expect(page.locator(".clock-now")).to_contain_text("2022-03-08 20:00")
    page.select_option(".clock select[name=day]", "2022-03-13")
    page.select_option(".clock select[name=hour]", "12")
    page.click(".clock button")
    expect(page).to_have_url(f"{own_server}/infections")
    expect(page.locator(".clock-now")).to_contain_text("2022-03-13 12:00")
    assert httpx.get(f"{own_server}/api/clock").json()["local"] == "2022-03-13 12:00"


def test_sites_at_a_glance(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.click("text=隔离点")
    expect(page.locator("#sites tbody tr")).to_have_count(3)
    expect(page.locator("#sites")).to_contain_text("临猗县方舱隔离点")
    assert int(page.locator("#sites-chart").get_attribute("data-drawn") or 0) == 3
    page.goto(f"{server}/sites?as_of=2022-03-09T20:00")
    assert int(page.locator("#outlook-chart").get_attribute("data-drawn") or 0) == 14
    expect(page.locator("#runs-out")).to_contain_text("未来14天房间充足")
    shot(page, "sites")


def test_placement_board_transfers_and_a_quarantine_record(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "linyi", "linyi-demo-2022")
    page.goto(f"{server}/placements")
    expect(page.locator("#stays tbody tr").first).to_be_visible()
    expect(page.locator("#stays")).to_contain_text("临猗县某酒店集中隔离点")
    shot(page, "placements")
    page.locator("#stays tbody tr a").first.click()
    expect(page.locator("h1")).to_contain_text("隔离记录")
    expect(page.locator(".swabs").first).to_be_visible()
    page.goto(f"{server}/transfers")
    expect(page.locator("h1")).to_have_text("转运任务")
    expect(page.locator("#transfers tbody tr")).to_have_count(5)
    expect(page.locator("#transfers")).to_contain_text("已到达")
    shot(page, "transfers")


def test_site_staff_see_their_site_only(browser: Browser, server: str) -> None:
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.goto(f"{server}/login?next=/sites")
    page.fill("input[name=username]", "hotel")
    page.fill("input[name=password]", "hotel-demo-2022")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{server}/sites")
    expect(page.locator("#sites tbody tr")).to_have_count(1)
    expect(page.locator("#sites")).to_contain_text("临猗县某酒店集中隔离点")
    with page.expect_download() as download:
        page.click("#sites a:has-text('花名册')")
    assert download.value.suggested_filename.startswith("roster-site-")
    page.goto(f"{server}/placements")
    expect(page.locator("#stays")).not_to_contain_text("盐湖区某宾馆")


def test_zones_on_the_county_map(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.goto(f"{server}/zones?as_of=2022-03-15T12:00")
    expect(page.locator("#zones tbody tr")).to_have_count(11)
    expect(page.locator("#zones")).to_contain_text("封控区")
    expect(page.locator("#zones thead th").first).to_have_text("区域名称")  # a zone, not 姓名
    # Every zone drawn as its shape, the map opened on the sealed and controlled ones, and a
    # legend naming each colour as the table does.
    assert int(page.locator("#zone-map").get_attribute("data-drawn") or 0) == 11
    shown = page.evaluate(
        "(() => { const o = echarts.getInstanceByDom(document.getElementById('zone-map'))"
        ".getOption(); return { zoom: o.geo[0].zoom, legend: o.legend[0].data }; })()"
    )
    assert shown["zoom"] > 5 and shown["legend"] == ["防范区", "管控区", "封控区"]
    assert int(page.locator("#zone-timeline").get_attribute("data-drawn") or 0) == 11
    shot(page, "zones")
    page.goto(f"{server}/zones?as_of=2022-03-21T08:00")
    expect(page.locator("#zones")).not_to_contain_text("生效中")


def test_the_screening_round(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.click("nav >> text=区域核酸")
    expect(page.locator("h1")).to_have_text("区域核酸")
    page.goto(f"{server}/testing?as_of=2022-03-10T12:00")  # the county's round of 9 March
    expect(page.locator("#round-tiles")).to_contain_text("应检未检")
    # The eight communities of the round, and the outbreak's own people elsewhere in the county.
    assert int(page.locator("#coverage-chart").get_attribute("data-drawn") or 0) >= 8
    assert int(page.locator("#turnaround-chart").get_attribute("data-drawn") or 0) > 1
    expect(page.locator("#recalls tbody tr")).to_have_count(1)
    expect(page.locator("#recalls")).to_contain_text("已完成")
    expect(page.locator("#labs tbody tr")).to_have_count(14)
    expect(page.locator("#sampling-sites tbody tr")).to_have_count(3)
    with page.expect_download() as download:
        page.click("#missing-list")
    assert download.value.suggested_filename == "missing-1.xlsx"
    shot(page, "testing")
    # A viewer sees the recall's members masked.
    viewer = signed_in(browser, server, "viewer", "viewer-demo-2022")
    viewer.goto(f"{server}/testing?as_of=2022-03-10T12:00")
    expect(viewer.locator("#recalls td").nth(3)).to_contain_text("*")


def test_the_forecast_from_the_live_state(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.click("nav >> text=需求预测")
    expect(page.locator("h1")).to_have_text("需求预测")
    page.close()  # its runs reload it when done: another moment is read on a page of its own
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.goto(f"{server}/forecast?as_of=2022-03-08T12:00&runs=2")
    # The runs go on in the background: a progress bar first, then the page fills in.
    expect(page.locator("#forecast-chart")).to_have_attribute("data-drawn", "14", timeout=90_000)
    expect(page.locator("#forecast-warning")).to_be_visible()
    shot(page, "forecast")


def test_the_inbound_loop_would_have_caught_the_index_case(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.click("nav >> text=入境闭环")
    page.goto(f"{server}/arrivals?as_of=2022-03-05T20:00")
    expect(page.locator("#arrivals tbody tr")).to_have_count(1)
    expect(page.locator("#arrivals .late")).to_have_text("2.0")  # the landing test, 2 h late
    page.goto(f"{server}/arrivals?as_of=2022-03-07T12:00")
    expect(page.locator("#arrivals .would-have")).to_contain_text("16.5")
    shot(page, "arrivals")


def test_a_persons_health_code_with_its_reasons(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "linyi", "linyi-demo-2022")
    page.goto(f"{server}/people?q=王某强")
    page.click("#people a:has-text('健康码')")
    expect(page.locator("h1")).to_contain_text("健康码")
    url = page.url.split("?")[0]
    page.goto(f"{url}?as_of=2022-03-07T12:00")
    expect(page.locator("#code")).to_have_attribute("data-colour", "red")
    expect(page.locator("#code-reasons")).to_contain_text("感染者")
    expect(page.locator("#code-history tr").first).to_contain_text("黄码")  # awaiting the test
    shot(page, "healthcode")


def test_an_appeal_filed_and_decided(browser: Browser, own_server: str) -> None:
    page = signed_in(browser, own_server, "commander", "command-demo-2022")
    page.goto(f"{own_server}/people?q=王某强")
    page.click("#people a:has-text('健康码')")
    page.fill("#appeal-form input[name=reason]", "已治愈出院，申请复核")
    page.click("#appeal-form button")
    expect(page).to_have_url(f"{own_server}/appeals")
    row = page.locator("#appeals tbody tr").first
    expect(row).to_contain_text("已治愈出院")
    row.locator("input[name=decision]").first.fill("出院后健康监测未满，维持")
    row.locator("button.reject").click()
    expect(page.locator("#appeals tbody tr").first.locator(".status")).to_contain_text("维持原码")
    shot(page, "appeals")


def test_a_checkpoint_scans_a_code_and_a_replaced_code_stops_answering(
    browser: Browser, own_server: str
) -> None:
    office = signed_in(browser, own_server, "linyi", "linyi-demo-2022")
    office.goto(f"{own_server}/people?q=王某强")
    office.click("#people a:has-text('健康码')")
    token = office.locator("#code-token code").inner_text()
    gate = signed_in(browser, own_server, "station", "station-demo-2022")
    gate.click("nav >> text=扫码核验")
    gate.fill("#scan-token", token)
    gate.press("#scan-token", "Enter")
    # At the demo's 8 March 20:00 he is two days confirmed: red, his name masked.
    expect(gate.locator("#scan-result")).to_have_attribute("data-colour", "red")
    expect(gate.locator("#scan-name")).to_have_text("王**")
    expect(gate.locator("#scan-at")).to_have_text("20:00:00")  # the platform's time, 24-hour
    expect(gate.locator("#scan-token")).to_have_value("")  # ready for the next code
    shot(gate, "scan")
    office.click("#code-token button")  # a lost phone: a new code, the old one revoked
    expect(office.locator("#code-token code")).not_to_have_text(token)
    gate.fill("#scan-token", token)
    gate.press("#scan-token", "Enter")
    expect(gate.locator("#scan-form .errors")).to_contain_text("无效或已更换")
    expect(gate.locator("#scan-history tbody tr")).to_have_count(2)


PHONE = 375  # the narrowest phone field staff carry


def fits_a_phone(page: Page) -> None:
    """Nothing makes the page scroll sideways (a wide table scrolls inside itself)."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE


def test_field_work_on_a_phone(browser: Browser, own_server: str) -> None:
    """Tracing a contact, the scan and a site's roster, at 375 px wide."""
    tracer = signed_in(browser, own_server, "linyi", "linyi-demo-2022", width=PHONE)
    tracer.goto(f"{own_server}/infections/1")
    fits_a_phone(tracer)
    before = tracer.locator("#contacts tbody tr").count()
    tracer.click("summary:has-text('添加接触者')")
    form = tracer.locator("form[data-api$='/contacts']")
    form.locator("input[name='person.name']").fill("赵某手机")
    form.locator("input[name='person.phone']").fill("13700001234")
    form.locator("input[name='person.address']").fill("临猗县猗氏镇某村")
    form.locator("select[name=category]").select_option("close")
    form.locator("select[name=setting]").select_option("workplace")
    form.locator("input[name=exposure_at]").fill("2022-03-05T12:00")
    for field in form.locator("input, select, button").all():
        box = field.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE
    form.locator("button[type=submit]").click()
    expect(tracer.locator("#contacts tbody tr")).to_have_count(before + 1)
    fits_a_phone(tracer)
    tracer.goto(f"{own_server}/people?q=王某强")
    tracer.click("#people a:has-text('健康码')")
    token = tracer.locator("#code-token code").inner_text()

    gate = signed_in(browser, own_server, "station", "station-demo-2022", width=PHONE)
    gate.goto(f"{own_server}/scan")
    gate.fill("#scan-token", token)
    gate.press("#scan-token", "Enter")
    expect(gate.locator("#scan-result")).to_have_attribute("data-colour", "red")
    box = gate.locator("#scan-result").bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE
    fits_a_phone(gate)
    shot(gate, "scan-375")

    site = signed_in(browser, own_server, "hotel", "hotel-demo-2022", width=PHONE)
    site.goto(f"{own_server}/placements")
    expect(site.locator("#stays tbody tr").first).to_be_visible()
    fits_a_phone(site)
    site.goto(f"{own_server}/sites")
    expect(site.locator("#sites a:has-text('花名册')")).to_be_visible()
    fits_a_phone(site)
    shot(site, "sites-375")
