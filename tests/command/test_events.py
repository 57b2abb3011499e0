"""The big screen hears every change: `GET /api/events` streams a `change` for each committed
write, from any server process — on PostgreSQL two real servers, written through one and heard
from the other (LISTEN/NOTIFY); on SQLite within the one process. Signed-out: 401."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
from sqlalchemy import Engine

from fangkong.core.db import make_session_factory, transaction
from fangkong.users.schemas import UserCreate
from fangkong.users.service import create_user
from tests.conftest import NOW
from tests.servers import fangkong_serve

PASSWORD = "screen-password"


def server(engine: Engine, tmp_path: Path) -> AbstractContextManager[str]:
    url = engine.url.render_as_string(hide_password=False)
    return fangkong_serve({"FANGKONG_DATABASE_URL": url, "FANGKONG_DATA_DIR": str(tmp_path),
                           "FANGKONG_CLOCK": "2022-03-10 12:00"})  # fmt: skip


def _listen(
    base: str, auth: dict[str, str], heard: list[dict[str, list[str]]], ready: threading.Event
) -> None:
    with httpx.stream("GET", f"{base}/api/events", headers=auth, timeout=30) as stream:
        kind = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
                if kind == "hello":
                    ready.set()
            elif line.startswith("data: ") and kind == "change":
                heard.append(json.loads(line.removeprefix("data: ")))
                return


def test_a_change_through_one_server_reaches_the_screens_of_another(
    fresh_engine: Engine, tmp_path: Path
) -> None:
    with transaction(make_session_factory(fresh_engine)) as session:
        create_user(
            session,
            now=NOW,
            data=UserCreate(
                username="screen", display_name="大屏", password=PASSWORD, role="commander"
            ),
        )
    two = fresh_engine.dialect.name == "postgresql"  # SQLite: one process hears itself
    with (
        server(fresh_engine, tmp_path / "a") as writer,
        server(fresh_engine, tmp_path / "b") if two else _same(writer) as reader,
    ):
        signed = httpx.post(
            f"{writer}/api/auth/token", data={"username": "screen", "password": PASSWORD}
        )
        auth = {"Authorization": f"Bearer {signed.json()['access_token']}"}
        assert httpx.get(f"{reader}/api/events").status_code == 401
        heard: list[dict[str, list[str]]] = []
        ready = threading.Event()
        listener = threading.Thread(target=_listen, args=(reader, auth, heard, ready), daemon=True)
        listener.start()
        assert ready.wait(10)
        written = time.perf_counter()
        made = httpx.post(
            f"{writer}/api/stock/stores",
            headers=auth,
            json={"name": "市储备库", "kind": "warehouse"},
        )
        assert made.status_code == 201, made.text
        listener.join(timeout=5)
        assert heard and "command_stores" in heard[0]["tables"]
        assert time.perf_counter() - written < 2.0


@contextmanager
def _same(base: str) -> Iterator[str]:
    yield base
