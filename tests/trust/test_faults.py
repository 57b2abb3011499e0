"""Faults: a database that does not answer is said so (503), never a plain-text 500."""

from __future__ import annotations

from fastapi.testclient import TestClient

from fangkong.app import create_app
from fangkong.core.clock import FixedClock
from fangkong.core.db import make_engine, make_session_factory
from tests.conftest import NOW

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
