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
    assert missing.exit_code == 1 and "not found" in flat(missing.output)
    dispatch = runner.invoke(app, ["quarantine", "dispatch"])
    assert dispatch.exit_code == 0 and "Dispatch plan" in flat(dispatch.output)
    release = runner.invoke(app, ["quarantine", "release-due"])
    assert release.exit_code == 0 and "held" in release.output
