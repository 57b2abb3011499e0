"""While the server runs, the raising pass runs by itself as of the platform clock."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from fangkong.app import create_app
from fangkong.core.clock import FixedClock
from fangkong.core.db import make_engine, make_session_factory
from fangkong.demo.when import at

RAISED = text("SELECT count(*) FROM command_tasks WHERE created_by IS NULL")


def test_the_server_raises_tasks_by_itself_as_of_its_clock(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every 0.2 s here (a minute in production): with the raised tasks gone, the server at
    7 March 21:00 raises the two late train passengers' again — and no more than once."""
    from fangkong.core.settings import get_settings

    monkeypatch.setenv("FANGKONG_COMMAND_RAISE_EVERY_SECONDS", "0.2")
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{demo_copy / 'fangkong.db'}")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM command_task_events"))
        conn.execute(text("DELETE FROM command_tasks WHERE created_by IS NULL"))
    app = create_app(session_factory=make_session_factory(engine), clock=FixedClock(at(7, 21)))
    try:
        with TestClient(app):
            for _ in range(50):
                time.sleep(0.2)
                with engine.connect() as conn:
                    if conn.execute(RAISED).scalar():
                        break
            time.sleep(0.6)  # a few more rounds: they find everything raised already
    finally:
        get_settings.cache_clear()
    with engine.connect() as conn:
        kinds = conn.execute(
            text("SELECT kind, count(*) FROM command_tasks WHERE created_by IS NULL GROUP BY kind")
        ).all()
    engine.dispose()
    counts = {str(kind): int(n) for kind, n in kinds}
    assert counts.get("contact_not_under_control") == 2
