from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from fangkong.cli import app


def flat(text: str) -> str:
    return " ".join(text.split())


def test_quarantine_commands_on_the_demo(tmp_path: Path, demo_cli: CliRunner) -> None:
    runner = demo_cli
    sites = runner.invoke(app, ["quarantine", "sites"])
    assert sites.exit_code == 0 and "临猗县方舱隔离点" in sites.output
    roster = runner.invoke(
        app,
        [
            "quarantine",
            "roster",
            "--site",
            "1",
            "--day",
            "2022-03-07",
            "--out",
            str(tmp_path / "r.xlsx"),
        ],
    )
    assert roster.exit_code == 0 and (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"
    bad_day = runner.invoke(
        app,
        [
            "quarantine",
            "roster",
            "--site",
            "1",
            "--day",
            "7 March",
            "--out",
            str(tmp_path / "x.xlsx"),
        ],
    )
    assert bad_day.exit_code != 0
    papers = runner.invoke(
        app, ["quarantine", "papers", "--site", "1", "--out", str(tmp_path / "n.pdf")]
    )
    assert papers.exit_code == 0, papers.output
    assert (tmp_path / "n.pdf").read_bytes()[:4] == b"%PDF"
    missing = runner.invoke(app, ["quarantine", "place", "--infection", "999"])
    assert missing.exit_code == 1 and "未找到感染者" in flat(missing.output)
    dispatch = runner.invoke(app, ["quarantine", "dispatch"])
    assert dispatch.exit_code == 0 and "转运调度计划" in flat(dispatch.output)
    release = runner.invoke(app, ["quarantine", "release-due"])
    assert release.exit_code == 0 and "暂缓" in release.output


def test_placing_an_infections_contacts_says_who_is_already_in_a_room(
    demo_cli: CliRunner,
) -> None:
    # Late in the replay the index case's contacts are long in rooms, their central phase
    # over for some: each is told "already placed", not "no central-quarantine order".
    assert demo_cli.invoke(app, ["clock", "--set", "2022-03-20 12:00"]).exit_code == 0
    placed = demo_cli.invoke(app, ["quarantine", "place", "--infection", "1"])
    assert placed.exit_code == 0, placed.output
    lines = placed.output.splitlines()
    assert any("已入住房间" in line for line in lines)
    already = [line for line in lines if "已入住" in line]
    assert not any("无集中隔离管理措施" in line for line in already)
