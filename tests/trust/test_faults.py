"""Faults: a database that does not answer is said so (503), never a plain-text 500."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from fangkong.app import create_app
from fangkong.core.clock import FixedClock
from fangkong.core.db import make_engine, make_session_factory, transaction
from fangkong.core.import_guard import import_key, one_at_a_time
from fangkong.users.schemas import UserCreate
from fangkong.users.service import create_user
from tests.builders.tracing import SAMPLE_PATH as SAMPLE
from tests.conftest import CST, NOW
from tests.tracing.test_api import record_infection

END = datetime(2022, 3, 21, 23, 0, tzinfo=CST)

PURGES = text("SELECT count(*) FROM audit_entries WHERE action = 'purge'")

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:1/fangkong?connect_timeout=2"


def test_health_and_routes_say_the_database_is_down() -> None:
    factory = make_session_factory(make_engine(NOWHERE))
    app = create_app(session_factory=factory, clock=FixedClock(NOW))
    with TestClient(app, raise_server_exceptions=False) as client:
        health = client.get("/api/health")
        assert health.status_code == 503 and health.json()["database"] == "down"
        login = client.post("/api/auth/token", data={"username": "a", "password": "b"})
        assert login.status_code == 503
        assert login.headers["content-type"] == "application/json"
        assert login.headers["retry-after"] == "5"
        assert "数据库" in login.json()["message"]


def test_health_says_ok_when_it_answers(client: TestClient) -> None:
    assert client.get("/api/health").json() == {"status": "ok", "database": "ok"}


def test_retention_runs_by_itself_while_the_server_runs(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every 1.8 s here (a day in production), as of the platform clock: at the replay's end
    with no retention days, the people no domain still needs go, and the audit says so."""
    from fangkong.core.settings import get_settings

    monkeypatch.setenv("FANGKONG_RETENTION_EVERY_HOURS", "0.0005")
    monkeypatch.setenv("FANGKONG_RETENTION_DAYS", "0")
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{demo_copy / 'fangkong.db'}")
    people = "SELECT count(*) FROM people"
    with engine.connect() as conn:
        before = conn.execute(text(people)).scalar()
    app = create_app(session_factory=make_session_factory(engine), clock=FixedClock(END))
    try:
        with TestClient(app):
            for _ in range(60):
                time.sleep(0.5)
                with engine.connect() as conn:
                    purges = conn.execute(PURGES).scalar()
                if purges:
                    break
    finally:
        get_settings.cache_clear()
    with engine.connect() as conn:
        assert int(conn.execute(PURGES).scalar() or 0) >= 1
        assert int(conn.execute(text(people)).scalar() or 0) < int(before or 0)
    engine.dispose()


def test_a_second_import_of_the_same_file_is_told_so(fresh_engine: Engine, tmp_path: Path) -> None:
    factory = make_session_factory(fresh_engine)
    app = create_app(session_factory=factory, clock=FixedClock(NOW))
    content = SAMPLE.read_bytes()
    with TestClient(app, raise_server_exceptions=False) as client:
        with transaction(factory) as session:
            tracer = create_user(session, data=UserCreate(username="t1", display_name="t",
                                 password="correct horse battery", role="tracer",
                                 jurisdiction="140821"), now=NOW)  # fmt: skip
        signed = client.post(
            "/api/auth/token", data={"username": "t1", "password": "correct horse battery"}
        ).json()
        headers = {"Authorization": f"Bearer {signed['access_token']}"}
        client.cookies.clear()
        infection_id = record_infection(client, headers)
        url = f"/api/infections/{infection_id}/contacts/import"
        files = {"file": (SAMPLE.name, content, "application/octet-stream")}
        key = import_key("contacts", infection_id, content=content)
        with transaction(factory) as session, one_at_a_time(session, key, filename=SAMPLE.name):
            second = client.post(url, files=files, headers=headers)  # while the first holds it
        assert second.status_code == 409 and "正在导入" in second.json()["message"]
        first = client.post(url, files=files, headers=headers)
        assert first.status_code == 200 and first.json()["contacts_created"] == 8
    assert tracer.id
