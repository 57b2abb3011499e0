"""The command centre's pages as its staff see them, in Chinese: the board and a group's,
a task with its history and supervision, my work, places on the map, teams, the rota."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from tests.web.test_pages import browser, own_server, server, shot, signed_in

__all__ = ["browser", "own_server", "server"]  # the fixtures, shared with the pages' tests


def test_the_command_board_on_the_evening_of_7_march(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.click("nav >> text=指挥调度看板")
    expect(page.locator("h1")).to_have_text("指挥调度看板")
    page.goto(f"{server}/command?as_of=2022-03-07T21:00")
    expect(page.locator("#groups .tile")).to_have_count(7)
    expect(page.locator("#groups")).to_contain_text("流调溯源组")
    rows = page.locator("#tasks tbody tr")
    expect(rows).to_have_count(2)  # the two train passengers not under control at 24 h
    expect(page.locator("#tasks")).to_contain_text("密接报告24小时未管控")
    assert int(page.locator("#group-chart").get_attribute("data-drawn") or 0) == 7
    shot(page, "command-board")
    page.click("#tasks tbody tr:first-child td:first-child a")
    expect(page.locator("h1")).to_contain_text("密接报告24小时未管控")
    expect(page.locator("#task-history")).to_contain_text("平台发起")
    page.click("#task-facts a >> text=接触者")
    expect(page).to_have_url(f"{server}/infections/1")


def test_a_groups_board_and_a_task_escalated_at_the_demos_clock(
    browser: Browser, server: str
) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.goto(f"{server}/command")
    page.click("#groups .tile >> text=流调溯源组")
    expect(page.locator("h1")).to_contain_text("流调溯源组")
    expect(page.locator("#tasks")).to_contain_text("排查临猗县人民医院发热门诊3月6日就诊人员")
    expect(page.locator("#tasks")).to_contain_text("已超时")
    expect(page.locator("#tasks")).to_contain_text("已督办至 市疾控流调组长")


def test_my_work_for_the_head_of_tracing(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "cdc", "cdc-demo-2022")
    page.click("nav >> text=我的工作")
    expect(page.locator("#my-counts")).to_contain_text("督办给我的 1")
    expect(page.locator("#escalated-tasks")).to_contain_text("发热门诊")
    shot(page, "my-work")


def test_a_task_made_and_supervised_from_the_pages(browser: Browser, own_server: str) -> None:
    page = signed_in(browser, own_server, "commander", "command-demo-2022")
    page.goto(f"{own_server}/command")
    page.click("#groups .tile >> text=转运隔离组")
    page.click("#new-task summary")
    page.fill("#new-task input[name=title]", "核查县酒店隔离点<b>房间</b>消毒记录")
    page.fill("#new-task input[name=deadline]", "2022-03-07T09:00")
    page.click("#new-task button")
    expect(page.locator("#new-task .errors")).to_contain_text("时限早于任务创建时间")
    page.fill("#new-task input[name=deadline]", "2022-03-09T09:00")
    page.click("#new-task button")
    expect(page.locator("h1")).to_contain_text("核查县酒店隔离点<b>房间</b>消毒记录")  # as text
    page.select_option("#task-change select[name=status]", "in_progress")
    page.fill("#task-change input[name=note]", "已调取消毒台账")
    page.click("#task-change button")
    expect(page.locator("#task-history")).to_contain_text("已调取消毒台账")
    expect(page.locator("#task-history")).to_contain_text("办理中")


def test_places_on_the_map_and_their_night_of_6_march(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.click("nav >> text=场所")
    expect(page.locator("#places tbody tr")).to_have_count(9)
    expect(page.locator("#places")).to_contain_text("临猗县某超市")
    expect(page.locator("#places")).to_contain_text("已消杀")
    assert int(page.locator("#place-map").get_attribute("data-drawn") or 0) == 7
    shot(page, "places")
    page.goto(f"{server}/places?as_of=2022-03-06T20:30")
    expect(page.locator("#places")).to_contain_text("待采样")


def test_teams_and_the_rota(browser: Browser, server: str) -> None:
    page = signed_in(browser, server, "commander", "command-demo-2022")
    page.click("nav >> text=流调专班")
    expect(page.locator("section.team")).to_have_count(2)
    expect(page.locator("body")).to_contain_text("协查：D2535次 5车厢同车厢旅客")
    page.click("nav >> text=应急值守")
    expect(page.locator("#on-duty tbody tr")).to_have_count(2)
    expect(page.locator("#on-duty")).to_contain_text("市指挥部值班长乙")
    expect(page.locator("#shifts")).to_contain_text("临猗县指挥部值班员")
    shot(page, "duty")
