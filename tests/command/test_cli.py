"""`fangkong command` on the demo: a pass as of a moment, the open tasks, who is on duty, the
places; a moment that is not one is refused naming the option."""

from __future__ import annotations

from typer.testing import CliRunner

from fangkong.cli import app


def test_the_command_centre_from_the_terminal(demo_cli: CliRunner) -> None:
    again = demo_cli.invoke(app, ["command", "raise", "--as-of", "2022-03-07 20:00"])
    assert again.exit_code == 0, again.output
    assert "0 tasks raised" in again.output or "新发起任务 0 项" in again.output  # raised already
    shown = demo_cli.invoke(app, ["command", "tasks", "--as-of", "2022-03-07 21:00"])
    assert shown.exit_code == 0 and shown.output.count("流调溯源组") == 2, shown.output
    assert "待办" in shown.output
    on = demo_cli.invoke(app, ["command", "duty", "--at", "2022-03-08 20:00"])
    assert on.exit_code == 0 and "市指挥部值班长乙" in on.output and "140821" in on.output
    found = demo_cli.invoke(app, ["command", "places", "--as-of", "2022-03-08 20:00"])
    assert found.exit_code == 0 and "临猗县某超市" in found.output and "已消杀" in found.output


def test_a_moment_that_is_not_one_is_refused_naming_the_option(demo_cli: CliRunner) -> None:
    bad = demo_cli.invoke(app, ["command", "raise", "--as-of", "March the 7th"])
    assert bad.exit_code == 2 and "--as-of" in bad.output
    future = demo_cli.invoke(app, ["command", "duty", "--at", "2022-13-01 08:00"])
    assert future.exit_code == 2 and "--at" in future.output
