"""`fangkong purge-expired` on the demo's own data: every domain's rows of a person past
retention go with them (no foreign key left dangling), and what is still needed stays."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from fangkong.cli import app as cli


def _count(folder: Path, sql: str) -> int:
    with sqlite3.connect(folder / "fangkong.db") as db:
        return int(db.execute(sql).fetchone()[0])


def test_purge_expired_runs_on_the_demo(demo_cli: CliRunner, demo_copy: Path) -> None:
    # At the demo's own moment nothing is past 30 days yet.
    kept = demo_cli.invoke(cli, ["purge-expired"])
    assert kept.exit_code == 0, kept.output
    assert "已删除人员 0 人" in kept.output

    # At the replay's end with no retention, everyone not still needed goes, with their stays,
    # swabs, arrivals and appeals; infected people and open stays stay.
    assert demo_cli.invoke(cli, ["clock", "--set", "2022-03-21 23:00"]).exit_code == 0
    open_stays = "SELECT count(*) FROM quarantine_stays WHERE released_at IS NULL"
    staying = _count(demo_copy, open_stays)
    cases = _count(demo_copy, "SELECT count(*) FROM infections")
    stays = _count(demo_copy, "SELECT count(*) FROM quarantine_stays")
    gone = demo_cli.invoke(cli, ["purge-expired", "--retention-days", "0"])
    assert gone.exit_code == 0, gone.output
    assert "已删除人员 0 人" not in gone.output
    assert _count(demo_copy, open_stays) == staying
    assert _count(demo_copy, "SELECT count(*) FROM quarantine_stays") < stays
    assert _count(demo_copy, "SELECT count(*) FROM infections") == cases
    for table in ("quarantine_stays", "quarantine_swabs", "arrivals", "contacts"):
        orphans = _count(
            demo_copy,
            f"SELECT count(*) FROM {table} WHERE person_id NOT IN (SELECT id FROM people)",
        )
        assert orphans == 0, table
    # Run again: nothing more to do.
    again = demo_cli.invoke(cli, ["purge-expired", "--retention-days", "0"])
    assert "已删除人员 0 人、接触记录 0 条" in " ".join(again.output.split())
