"""Test databases: SQLite always, PostgreSQL when FANGKONG_TEST_PG_URL is set.

Each database is built by the migrations, once per run; each test runs inside a transaction
that is rolled back at its end, so tests never see each other's rows. A PostgreSQL run
creates a database of its own and drops it afterwards: the server outlives the run."""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from fangkong.app import create_app
from fangkong.core.auth import Actor, Role
from fangkong.core.clock import FixedClock
from fangkong.core.db import make_engine, make_session_factory
from fangkong.core.migrate import upgrade
from fangkong.users.schemas import UserCreate
from fangkong.users.service import actor_of, create_user

CST = ZoneInfo("Asia/Shanghai")
# Tests live inside the founding outbreak: "now" is noon on 10 March 2022, city time.
NOW = datetime(2022, 3, 10, 12, 0, tzinfo=CST)
DATA = Path(__file__).parent / "data"
PG_URL = os.environ.get("FANGKONG_TEST_PG_URL")
# Tokens signed for this run only (an installation makes its own in its data folder).
os.environ.setdefault("FANGKONG_SECRET_KEY", secrets.token_urlsafe(48))
# Pages that open the forecast (every walk through the menu) ask for few runs: its 200 are
# measured in bench/forecast.py and tested where they are the point (tests/sim).
os.environ.setdefault("FANGKONG_FORECAST_RUNS", "10")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against PostgreSQL")


def _pg_admin(url: str) -> str:
    return (
        make_url(url)
        .set(drivername="postgresql", database="postgres")
        .render_as_string(hide_password=False)
    )


@contextmanager
def migrated_database(kind: str, tmp: Path) -> Iterator[Engine]:
    """A new database built by the migrations: a SQLite file, or a PostgreSQL database of its
    own that is dropped afterwards (the server outlives the run)."""
    if kind == "sqlite":
        url = f"sqlite:///{tmp / f'{uuid.uuid4().hex[:8]}.db'}"
        upgrade(url)
        eng = make_engine(url, connect_args={"check_same_thread": False})
        yield eng
        eng.dispose()
        return
    if not PG_URL:
        pytest.skip("FANGKONG_TEST_PG_URL not set")
    name = f"fangkong_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin(PG_URL)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        eng = make_engine(url, pool_size=20, max_overflow=40)
        yield eng
        eng.dispose()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    with migrated_database(request.param, tmp_path_factory.mktemp("db")) as eng:
        yield eng


@pytest.fixture(params=BACKENDS)
def fresh_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of this test's own, for tests whose transactions must really commit
    (concurrency): the shared one only ever sees rolled-back work."""
    with migrated_database(request.param, tmp_path) as eng:
        yield eng


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo outbreak built once per run, as `fangkong demo` builds it: a folder with the
    SQLite file and the location data. Read it as it is; copy it (`demo_copy`) to change it."""
    from fangkong.core.clock import ReplaySpan
    from fangkong.core.db import make_session_factory, transaction
    from fangkong.core.platform_clock import start_replay
    from fangkong.demo import build_demo
    from fangkong.demo.when import OPENS_AT, REPLAY_FROM, REPLAY_TO

    folder = tmp_path_factory.mktemp("demo")
    url = f"sqlite:///{folder / 'fangkong.db'}"
    upgrade(url)
    engine = make_engine(url)
    with transaction(make_session_factory(engine)) as session:
        build_demo(session, location_dir=folder / "location")
    engine.dispose()
    start_replay(folder, OPENS_AT, ReplaySpan(REPLAY_FROM, REPLAY_TO))
    return folder


@pytest.fixture
def demo_session(demo_data: Path) -> Iterator[Session]:
    """A session on the run's demo, to read it as it is (rolled back after)."""
    engine = make_engine(f"sqlite:///{demo_data / 'fangkong.db'}")
    with make_session_factory(engine)() as session:
        yield session
        session.rollback()
    engine.dispose()


@pytest.fixture
def demo_copy(demo_data: Path, tmp_path: Path) -> Path:
    """A copy of the demo's folder of this test's own (FANGKONG_DATA_DIR for the CLI)."""
    target = tmp_path / "demo"
    shutil.copytree(demo_data, target)
    return target


@pytest.fixture
def demo_cli(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The `fangkong` command pointed at a copy of the run's demo (FANGKONG_DATA_DIR)."""
    from fangkong.core.settings import get_settings

    monkeypatch.setenv("FANGKONG_DATA_DIR", str(demo_copy))
    monkeypatch.delenv("FANGKONG_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield CliRunner()
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    # Every commit of the code under test releases a savepoint; the outer rollback undoes all.
    return sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    s = session_factory()
    yield s
    s.close()


class MakeActor(Protocol):
    def __call__(
        self,
        role: Role = "tracer",
        jurisdiction: str | None = "140821",
        username: str | None = None,
        *,
        site_id: int | None = None,
        lab_id: int | None = None,
        checkpoint_id: int | None = None,
    ) -> Actor: ...


class Login(Protocol):
    def __call__(
        self,
        role: Role = "tracer",
        jurisdiction: str | None = "140821",
        *,
        site_id: int | None = None,
        lab_id: int | None = None,
        checkpoint_id: int | None = None,
    ) -> dict[str, str]: ...


@pytest.fixture
def make_actor(session: Session) -> MakeActor:
    """A real user in the database, as the Actor services take; staff of a site, a lab or a
    checkpoint are tied to theirs."""

    def make(
        role: Role = "tracer",
        jurisdiction: str | None = "140821",
        username: str | None = None,
        *,
        site_id: int | None = None,
        lab_id: int | None = None,
        checkpoint_id: int | None = None,
    ) -> Actor:
        user = create_user(
            session,
            data=UserCreate(
                username=username or f"{role}-{uuid.uuid4().hex[:6]}",
                display_name=role,
                password="correct horse battery",
                role=role,
                jurisdiction=jurisdiction,
                site_id=site_id,
                lab_id=lab_id,
                checkpoint_id=checkpoint_id,
            ),
            now=NOW,
        )
        return actor_of(user)

    return make


@pytest.fixture
def client(session_factory: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(session_factory=session_factory, clock=FixedClock(NOW))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def login(client: TestClient, make_actor: MakeActor, session: Session) -> Login:
    """Sign in for real: create the user, post the password, return auth headers."""

    def do(
        role: Role = "tracer",
        jurisdiction: str | None = "140821",
        *,
        site_id: int | None = None,
        lab_id: int | None = None,
        checkpoint_id: int | None = None,
    ) -> dict[str, str]:
        actor = make_actor(
            role, jurisdiction, site_id=site_id, lab_id=lab_id, checkpoint_id=checkpoint_id
        )
        session.commit()
        response = client.post(
            "/api/auth/token",
            data={"username": actor.username, "password": "correct horse battery"},
        )
        assert response.status_code == 200, response.text
        client.cookies.clear()
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return do


@pytest.fixture
def tracer(make_actor: MakeActor) -> Actor:
    """A tracer of Linyi county (临猗县, 140821)."""
    return make_actor("tracer", "140821")
