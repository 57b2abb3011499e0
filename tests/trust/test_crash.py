"""kill -9 in the middle of an import, a placement batch and a round's bulk registration, on
both databases: afterwards every table holds what it held before — all or nothing — and the
same operation, run again to its end, writes it all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from tests.trust import crash_driver

ROOT = Path(__file__).resolve().parents[2]
TABLES = ("people", "contacts", "management_orders", "quarantine_stays", "quarantine_rooms",
          "samples", "tubes", "audit_entries", "import_batches")  # fmt: skip


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() or 0) for t in TABLES
        }


def state(engine: Engine) -> tuple[dict[str, int], int]:
    with engine.connect() as conn:
        occupied = conn.execute(
            text("SELECT count(*) FROM quarantine_rooms WHERE status <> 'ready'")
        ).scalar()
    return counts(engine), int(occupied or 0)


def run(op: str, url: str, *, kill: bool) -> str:
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.trust.crash_driver", op, url],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert child.stdout is not None
    said = ""
    for line in child.stdout:
        said += line
        if kill and line.startswith("MID"):
            child.send_signal(signal.SIGKILL)
            break
    child.wait(timeout=120)
    return said


@pytest.mark.parametrize("op", ["import", "place", "register"])
def test_kill_9_half_way_leaves_nothing_half_written(fresh_engine: Engine, op: str) -> None:
    url = fresh_engine.url.render_as_string(hide_password=False)
    crash_driver.setup(url)
    before = state(fresh_engine)
    said = run(op, url, kill=True)
    assert "MID" in said and "DONE" not in said, said
    fresh_engine.dispose()  # a new connection sees what the database kept
    assert state(fresh_engine) == before, op
    said = run(op, url, kill=False)
    assert "DONE" in said, said
    assert state(fresh_engine) != before  # the operation does write, when it is let finish
