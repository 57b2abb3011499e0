"""Every command the README shows is one the CLI takes as written (its subcommand and every
option), and the ones that need no file made beforehand run on the demo as shown. A README
that drifts from the code fails here, not in a newcomer's terminal."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fangkong.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
OPTIONAL = re.compile(r"\[[^\]]*\]")  # [--transfer], [--kind release]: shown as optional


def readme_commands() -> list[list[str]]:
    """The `fangkong …` lines of the README's code blocks, comments and optional parts off."""
    found = []
    for line in README.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line.startswith(".venv/bin/fangkong "):
            continue
        words = shlex.split(OPTIONAL.sub("", line), comments=True)
        found.append(words[1:])
    return found


COMMANDS = readme_commands()
# Run as shown on a copy of the demo (the others need a file a step before makes, or a long
# run, and have tests of their own in their domain's folder).
RUN_AS_SHOWN = {
    "clock",
    "people check-id",
    "contacts export",
    "users create",
    "purge-expired",
    "quarantine place",
    "quarantine dispatch",
    "quarantine release-due",
    "quarantine roster",
    "quarantine papers",
    "zones list",
    "zones export",
    "testing pool-size",
    "testing rounds",
    "testing missing",
    "geo convert",
    "healthcode issue-tokens",
}


def name_of(args: list[str]) -> str:
    return " ".join(a for a in args[:2] if not a.startswith("-") and not re.search(r"[./\d]", a))


def test_the_readme_shows_commands() -> None:
    assert len(COMMANDS) > 25
    assert RUN_AS_SHOWN <= {name_of(c) for c in COMMANDS}


@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_every_readme_command_parses(args: list[str]) -> None:
    """Its subcommand exists and takes every option as written (help is eager: it answers
    once the options before it have been read)."""
    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_the_readme_commands_run_on_the_demo(demo_cli: CliRunner, tmp_path: Path) -> None:
    ran = set()
    for args in COMMANDS:
        name = name_of(args)
        if name not in RUN_AS_SHOWN:
            continue
        args = [str(tmp_path / a) if a.endswith((".xlsx", ".pdf", ".geojson")) else a
                for a in args]  # fmt: skip
        if name == "users create":
            args = [*args, "--password", "a long enough password"]
        result = demo_cli.invoke(app, args)
        # 0, or 1 for check-id's answer "invalid"; never a traceback
        allowed = (0, 1) if name == "people check-id" else (0,)
        assert result.exit_code in allowed, (args, result.output)
        assert "Traceback" not in result.output
        ran.add(name)
    assert ran == RUN_AS_SHOWN
