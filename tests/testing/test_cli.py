from __future__ import annotations

from pathlib import Path

import openpyxl
from typer.testing import CliRunner

from fangkong.cli import app


def test_testing_commands_on_the_demo(tmp_path: Path, demo_cli: CliRunner) -> None:
    runner = demo_cli
    listed = runner.invoke(app, ["testing", "rounds"])
    assert listed.exit_code == 0 and "3270" in listed.output  # sampled, of 3440
    out = tmp_path / "missing.xlsx"
    missing = runner.invoke(app, ["testing", "missing", "1", "--out", str(out)])
    assert missing.exit_code == 0, missing.output
    rows = list(openpyxl.load_workbook(out).active.values)
    assert rows[1][0] == "社区/村" and len(rows) > 100
    bad = tmp_path / "scans.csv"
    bad.write_text(
        "身份证号,管号,采样点,采样时间\n140821199001010011,X0001,火星采样点,2022-03-09 08:00\n"
    )
    refused = runner.invoke(app, ["testing", "register", "1", str(bad)])
    assert refused.exit_code == 1
    assert "未登记任何采样" in refused.output and "第2行" in refused.output
    assert "火星采样点" in refused.output
    planned = runner.invoke(app, ["testing", "plan", "1"])
    assert planned.exit_code == 0 and "试管 0 支" in planned.output
    results = tmp_path / "results.csv"
    results.write_text("管号,结果\nNOPE1,阴性\n", encoding="utf-8")
    unknown = runner.invoke(app, ["testing", "results", "1", str(results)])
    assert unknown.exit_code == 1 and "未登记试管 'NOPE1'" in unknown.output
