"""The command for a person at a terminal: a database it cannot open is one line and a hint,
never a traceback; `users create` takes its password from an option or standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from fangkong.cli import app
from fangkong.core.db import make_engine
from fangkong.users.models import User


def test_no_database_is_one_line_and_a_hint(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FANGKONG_")}
    ran = subprocess.run(
        [sys.executable, "-m", "fangkong", "quarantine", "sites"],
        cwd=tmp_path,  # no var/ here: the default SQLite file cannot be opened
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    said = ran.stdout + ran.stderr
    assert ran.returncode == 2, said
    assert "Traceback" not in said and "无法打开数据库" in said
    assert "FANGKONG_DATA_DIR" in said and len(said.strip().splitlines()) <= 4


def test_users_create_takes_the_password_from_an_option_or_stdin(demo_cli: CliRunner) -> None:
    by_option = demo_cli.invoke(
        app, ["users", "create", "ward3", "--role", "tracer", "--jurisdiction", "140821",
              "--password", "correct horse battery"],
    )  # fmt: skip
    assert by_option.exit_code == 0, by_option.output
    piped = demo_cli.invoke(
        app, ["users", "create", "ward4", "--role", "viewer"], input="staple battery horse\n"
    )
    assert piped.exit_code == 0, piped.output
    short = demo_cli.invoke(app, ["users", "create", "ward5", "--role", "viewer"], input="x\n")
    assert short.exit_code == 1 and "password" in short.output
    engine = make_engine(f"sqlite:///{os.environ['FANGKONG_DATA_DIR']}/fangkong.db")
    with engine.connect() as conn:
        made = set(conn.scalars(select(User.username).where(User.username.like("ward%"))))
    engine.dispose()
    assert made == {"ward3", "ward4"}
