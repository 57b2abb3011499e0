"""Backup and restore: into an empty place, the platform answers the same."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url
from typer.testing import CliRunner

from fangkong.app import create_app
from fangkong.cli import app as cli
from fangkong.core.backup import backup, restore
from fangkong.core.clock import FixedClock
from fangkong.core.db import make_engine, make_session_factory
from fangkong.core.errors import Conflict
from tests.conftest import PG_URL, _pg_admin, migrated_database
from tests.trust import crash_driver
from tests.web.demo_client import WALK_AT


def answers(url: str, username: str, password: str) -> dict[str, object]:
    """What the platform says: counts, a person, a code, a zone, as one user sees them."""
    engine = make_engine(url)
    app = create_app(session_factory=make_session_factory(engine), clock=FixedClock(WALK_AT))
    try:
        with TestClient(app) as client:
            token = client.post(
                "/api/auth/token", data={"username": username, "password": password}
            ).json()["access_token"]
            h = {"Authorization": f"Bearer {token}"}
            people = client.get("/api/people", params={"limit": 5}, headers=h).json()
            first = people["items"][0]["id"] if people["items"] else None
            said: dict[str, object] = {
                "people": people,
                "infections": client.get("/api/infections", headers=h).json(),
                "zones": client.get("/api/zones", headers=h).json(),
            }
            if first is not None:
                said["person"] = client.get(f"/api/people/{first}", headers=h).json()
                said["code"] = client.get(f"/api/people/{first}/healthcode", headers=h).json()
            return said
    finally:
        engine.dispose()


def test_the_demo_restored_into_a_new_folder_answers_the_same(
    demo_cli: CliRunner, demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fangkong.core.settings import get_settings

    archive = tmp_path / "fangkong.tar"
    made = demo_cli.invoke(cli, ["backup", "--out", str(archive)])
    assert made.exit_code == 0 and "已备份" in made.output, made.output
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("FANGKONG_DATA_DIR", str(elsewhere))
    get_settings.cache_clear()
    done = demo_cli.invoke(cli, ["restore", str(archive)])
    assert done.exit_code == 0 and "已恢复" in done.output, done.output
    again = demo_cli.invoke(cli, ["restore", str(archive)])
    assert again.exit_code == 1 and "不为空" in again.output  # never over a platform's data
    assert sorted(p.name for p in (elsewhere / "location").rglob("*.parquet")) == sorted(
        p.name for p in (demo_copy / "location").rglob("*.parquet")
    )
    original = answers(f"sqlite:///{demo_copy / 'fangkong.db'}", "commander", "command-demo-2022")
    restored = answers(f"sqlite:///{elsewhere / 'fangkong.db'}", "commander", "command-demo-2022")
    assert restored == original and original["person"]
    assert demo_cli.invoke(cli, ["audit", "verify"]).exit_code == 0


@pytest.fixture
def empty_pg() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("FANGKONG_TEST_PG_URL not set")
    name = f"fangkong_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_pg_admin(PG_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_pg_admin(PG_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.postgresql
def test_postgresql_restored_into_an_empty_database(empty_pg: str, tmp_path: Path) -> None:
    """On PostgreSQL (pg_dump / pg_restore), from a migrated database of this test's own into
    an empty one."""
    with migrated_database("postgresql", tmp_path) as source:
        url = source.url.render_as_string(hide_password=False)
        crash_driver.setup(url)
        archive = tmp_path / "pg.tar"
        made = backup(url, None, archive, now=WALK_AT)
        assert made.dialect == "postgresql" and made.tables["contacts"] > 0
        restore(archive, empty_pg, None)
        with pytest.raises(Conflict):
            restore(archive, empty_pg, None)
        login = ("crash", "crash-password")
        assert answers(empty_pg, *login) == answers(url, *login)
