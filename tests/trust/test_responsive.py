"""Heavy work runs off the event loop: while a line list of 20,000 rows is imported, the
health check and the checkpoint scan keep answering, against a real server (`fangkong serve`,
one worker) on each database. No timing is asserted (the latencies are printed): what is held
is that answers keep coming back while the import is still running — were the import on the
event loop, the first check would wait for it to end.

The import runs in the server's import process (core/uploads.py). SQLite has one writer at a
time, and a scan writes its audit: on SQLite a scan waits for the import's transaction, so
there the health check is measured; on PostgreSQL, the production database, both."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
from sqlalchemy import Engine

from fangkong.core.db import make_session_factory, transaction
from fangkong.healthcode import scan
from fangkong.people.service import upsert_people
from fangkong.travel import service as travel
from fangkong.travel.schemas import CheckpointIn
from fangkong.users.schemas import UserCreate
from fangkong.users.service import actor_of, create_user
from tests.builders.people import make_person
from tests.builders.tracing import make_infection
from tests.conftest import NOW
from tests.servers import fangkong_serve
from tests.trust.crash_driver import line_list

ROWS = 20_000
PASSWORD = "loop-password"
ANSWERED_DURING = 10  # a blocked loop answers one or two, after the import


def prepare(engine: Engine) -> tuple[int, str, str]:
    """A tracer's infection to import into, a scanner's key, a person's code token."""
    with transaction(make_session_factory(engine)) as session:
        data = UserCreate(username="loop", display_name="loop", password=PASSWORD, role="admin")
        admin = actor_of(create_user(session, now=NOW, data=data))
        infection = make_infection(session, admin)
        gate = CheckpointIn(name="站", kind="hsr", county_code="140802")
        station = travel.add_checkpoint(session, actor=admin, data=gate)
        _, key = scan.add_scanner(
            session, actor=admin, checkpoint_id=station.id, label="1", now=NOW
        )
        [person] = upsert_people(session, items=[make_person("扫码人")], now=NOW).people
        token = scan.issue_token(session, actor=admin, person_id=person.id, now=NOW).token
        return infection.id, key, token


def p99(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def test_answers_go_on_during_a_big_import(fresh_engine: Engine, tmp_path: Path) -> None:
    infection_id, key, token = prepare(fresh_engine)
    url = fresh_engine.url.render_as_string(hide_password=False)
    env = {"FANGKONG_DATABASE_URL": url, "FANGKONG_DATA_DIR": str(tmp_path),
           "FANGKONG_CLOCK": "2022-03-10 12:00"}  # fmt: skip
    with fangkong_serve(env) as base:
        login = {"username": "loop", "password": PASSWORD}
        signed = httpx.post(f"{base}/api/auth/token", data=login).json()
        auth = {"Authorization": f"Bearer {signed['access_token']}"}
        sheet = line_list(ROWS)
        result: dict[str, object] = {}

        def importing() -> None:
            answer = httpx.post(f"{base}/api/infections/{infection_id}/contacts/import",
                                files={"file": ("big.csv", sheet, "text/csv")}, headers=auth,
                                timeout=600)  # fmt: skip
            result["status"], result["body"] = answer.status_code, answer.text[:300]

        worker = threading.Thread(target=importing)
        health: list[float] = []
        scans: list[float] = []
        during = 0  # checks answered while the import was still running
        device = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=base, timeout=30) as client:
            worker.start()
            while worker.is_alive():
                started = time.perf_counter()
                assert client.get("/api/health").status_code == 200
                health.append((time.perf_counter() - started) * 1000)
                if fresh_engine.dialect.name == "postgresql":
                    started = time.perf_counter()
                    assert (
                        client.post("/api/scan", json={"token": token}, headers=device).status_code
                        == 200
                    )
                    scans.append((time.perf_counter() - started) * 1000)
                during += worker.is_alive()
                time.sleep(0.12)  # under the scanner's rate
        worker.join()
        assert result["status"] == 200, result
        print(f"{fresh_engine.dialect.name}: {len(health)} health checks p99 {p99(health):.1f} ms; "
              f"{len(scans)} scans p99 {p99(scans) if scans else 0:.1f} ms")  # fmt: skip
        assert during >= ANSWERED_DURING, f"{during} answers while the import ran"
