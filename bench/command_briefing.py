"""The daily briefing and the big screen for a city under strain: the state of
bench/command_raise.py (1,000 infections with 100,000 contacts, 50 quarantine sites, a
1,000,000-person round, 10,000 arrivals) plus 1,000 more infections — 2,000 in 20 hospitals —
and 300 stock lines in 43 stores with their receipts.

    python bench/command_briefing.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Prints, as of one moment: the reference (the plain SQL counts a hand-written report would run
for the same sections), the briefing's figures (what the page and the screen draw), the page
itself (HTML, through the app), the PDF; then 50 open event streams on one server process
while 20 writes arrive, with how long each change took to reach every stream; and peak RSS.
The issue's bar: PDF under 10 s, page under 2 s, 50 streams held.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).parent))
from command_raise import (  # noqa: E402
    AS_OF,
    COUNTIES,
    INFECTIONS,
    PEOPLE,
    REPORTED,
    _insert,
    _people,
    build,
    console,
    peak_rss_mib,
)

MORE, HOSPITALS, STORES, STREAMS, WRITES = 1_000, 20, 43, 50, 20
PASSWORD = "bench-password"


def build_treatment_and_stock(session: Session) -> None:
    """1,000 more infections; all 2,000 in beds of 20 hospitals; 43 stores × 7 items."""
    from fangkong.command.models import StockLine, StockMove, Store
    from fangkong.command.stock import ITEMS
    from fangkong.tracing.models import Infection
    from fangkong.treatment.models import Admission, Hospital, Ward

    _people(session, PEOPLE + INFECTIONS, MORE, "M")
    _insert(
        session,
        Infection,
        [
            {
                "id": INFECTIONS + k + 1,
                "person_id": PEOPLE + INFECTIONS + k + 1,
                "kind": "asymptomatic" if k % 3 else "confirmed",
                "sampled_at": REPORTED - timedelta(days=k % 7, hours=9),
                "reported_at": REPORTED - timedelta(days=k % 7),
                "protocol_id": "cn-8",
                "created_at": REPORTED,
            }
            for k in range(MORE)
        ],
    )
    _insert(
        session,
        Hospital,
        [
            {
                "id": h + 1,
                "name": f"医院{h + 1}",
                "kind": "cabin" if h % 4 else "designated",
                "county_code": COUNTIES[h % 13],
                "created_at": REPORTED - timedelta(days=9),
            }
            for h in range(HOSPITALS)
        ],
    )
    _insert(
        session,
        Ward,
        [
            {
                "id": h * 2 + k + 1,
                "hospital_id": h + 1,
                "name": kind,
                "bed_kind": kind,
                "beds": beds,
            }
            for h in range(HOSPITALS)
            for k, (kind, beds) in enumerate((("general", 150), ("icu", 20)))
        ],
    )
    infections = INFECTIONS + MORE
    _insert(
        session,
        Admission,
        [
            {
                "infection_id": i + 1,
                "person_id": PEOPLE + i + 1,
                "ward_id": (i % HOSPITALS) * 2 + (2 if i % 17 == 0 else 1),
                "admitted_at": REPORTED + timedelta(hours=2) - timedelta(days=i % 7),
            }
            for i in range(infections)
        ],
    )
    _insert(
        session,
        Store,
        [
            {
                "id": s + 1,
                "name": f"仓库{s + 1}",
                "kind": "warehouse",
                "county_code": COUNTIES[s % 13] if s else None,
                "created_at": REPORTED - timedelta(days=9),
            }
            for s in range(STORES)
        ],
    )
    _insert(
        session,
        StockLine,
        [
            {"store_id": s + 1, "item": item, "safety_level": 100}
            for s in range(STORES)
            for item in ITEMS
        ][:300],
    )
    _insert(
        session,
        StockMove,
        [
            {
                "store_id": s + 1,
                "item": item,
                "kind": "receipt",
                "quantity": 50_000,
                "at": REPORTED - timedelta(days=d),
                "note": "",
                "created_by": "bench",
                "created_at": REPORTED,
            }
            for s in range(STORES)
            for item in ITEMS
            for d in range(3)
        ],
    )


def reference(url: str) -> float:
    from fangkong.core.db import make_engine

    queries = (
        "SELECT reported_at, kind FROM infections WHERE reported_at <= :as_of",
        "SELECT count(*), count(under_control_at) FROM contacts WHERE identified_at <= :as_of",
        "SELECT count(*) FROM samples WHERE sampled_at <= :as_of",
        "SELECT count(*) FROM tubes WHERE reported_at <= :as_of",
        "SELECT ward_id, count(*) FROM treatment_admissions WHERE admitted_at <= :as_of"
        " AND (left_at IS NULL OR left_at > :as_of) GROUP BY ward_id",
        "SELECT store_id, item, sum(quantity) FROM command_stock_moves WHERE at <= :as_of"
        " GROUP BY store_id, item",
        "SELECT group_id, count(*) FROM command_tasks GROUP BY group_id",
    )
    engine = make_engine(url)
    started = time.perf_counter()
    with engine.connect() as conn:
        for q in queries:
            conn.execute(text(q), {"as_of": AS_OF}).all()
    return time.perf_counter() - started


def timed(url: str) -> dict[str, float]:
    from fastapi.testclient import TestClient

    from fangkong.app import create_app
    from fangkong.command.briefing import build_briefing
    from fangkong.command.briefing_paper import briefing_pdf
    from fangkong.core.clock import FixedClock
    from fangkong.core.db import make_engine, make_session_factory, transaction
    from fangkong.users.schemas import UserCreate
    from fangkong.users.service import actor_of, create_user

    factory = make_session_factory(make_engine(url))
    with transaction(factory) as session:
        user = create_user(
            session,
            now=AS_OF,
            data=UserCreate(
                username="bench", display_name="bench", password=PASSWORD, role="commander"
            ),
        )
        actor = actor_of(user)
    day = AS_OF.date()
    out: dict[str, float] = {}
    with factory() as session:
        started = time.perf_counter()
        found = build_briefing(session, actor=actor, day=day, now=AS_OF)
        out["figures"] = time.perf_counter() - started
        started = time.perf_counter()
        out["pdf_kb"] = (
            len(briefing_pdf(build_briefing(session, actor=actor, day=day, now=AS_OF))) / 1024
        )
        out["pdf"] = time.perf_counter() - started
        out["infections"] = found.infections.confirmed + found.infections.asymptomatic
        out["in_beds"] = found.treatment.occupied
        out["stock_lines"] = len(found.stock.items)
    with TestClient(create_app(session_factory=factory, clock=FixedClock(AS_OF))) as client:
        token = client.post("/api/auth/token", data={"username": "bench", "password": PASSWORD})
        client.cookies.set("fangkong_token", token.json()["access_token"])
        started = time.perf_counter()
        page = client.get(f"/briefing?day={day.isoformat()}")
        out["page"] = time.perf_counter() - started
        assert page.status_code == 200 and "briefing-data" in page.text
    return out


def streams(url: str, folder: Path) -> dict[str, float]:
    """50 event streams on one server process, 20 writes through its API."""
    port = 8700 + os.getpid() % 200
    env = {
        **os.environ,
        "FANGKONG_DATABASE_URL": url,
        "FANGKONG_PORT": str(port),
        "FANGKONG_DATA_DIR": str(folder),
        "FANGKONG_CLOCK": AS_OF.isoformat(),
        "FANGKONG_COMMAND_RAISE_EVERY_SECONDS": "100000",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "fangkong", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        token = httpx.post(
            f"{base}/api/auth/token", data={"username": "bench", "password": PASSWORD}
        )
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        heard: list[list[float]] = [[] for _ in range(STREAMS)]
        ready = threading.Barrier(STREAMS + 1)

        def listen(n: int) -> None:
            with httpx.stream("GET", f"{base}/api/events", headers=auth, timeout=60) as s:
                for line in s.iter_lines():
                    if line.startswith("event: hello"):
                        ready.wait()
                    elif line.startswith("event: change"):
                        heard[n].append(time.perf_counter())
                        if len(heard[n]) == WRITES:
                            return

        threads = [threading.Thread(target=listen, args=(n,), daemon=True) for n in range(STREAMS)]
        for t in threads:
            t.start()
        ready.wait(timeout=30)
        sent = []
        for k in range(WRITES):
            sent.append(time.perf_counter())
            body = {
                "store_id": 1,
                "item": "mask",
                "kind": "receipt",
                "quantity": 10,
                "at": (AS_OF - timedelta(minutes=k)).isoformat(),
            }
            assert (
                httpx.post(
                    f"{base}/api/stock/moves", headers=auth, json=body, timeout=30
                ).status_code
                == 201
            )
            time.sleep(0.2)
        for t in threads:
            t.join(timeout=30)
        rss = (
            int(Path(f"/proc/{server.pid}/status").read_text().split("VmHWM:")[1].split()[0]) / 1024
        )
        lags = sorted(h[k] - sent[k] for h in heard for k in range(min(len(h), WRITES)))
        received = sum(len(h) for h in heard)
        return {
            "received": received,
            "expected": STREAMS * WRITES,
            "p50_ms": 1000 * lags[len(lags) // 2],
            "max_ms": 1000 * lags[-1],
            "server_mib": rss,
        }
    finally:
        server.terminate()
        server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg", help="a PostgreSQL URL (e.g. …/postgres); a database of its own is made"
    )
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    admin, name = None, ""
    if args.pg:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        name = f"fangkong_bench_briefing_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url, backend = (
            make_url(args.pg).set(database=name).render_as_string(hide_password=False),
            "PostgreSQL",
        )
    else:
        url, backend = f"sqlite:///{folder}/briefing.db", "SQLite"
    try:
        console.print(f"{backend}: building the city under strain …")
        build(url)
        from fangkong.core.db import make_engine, make_session_factory, transaction

        with transaction(make_session_factory(make_engine(url))) as session:
            build_treatment_and_stock(session)
        ref = reference(url)
        got = timed(url)
        live = streams(url, folder)
    finally:
        if admin is not None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(
        f"{backend}: {got['infections']:,.0f} infections, {got['in_beds']:,.0f} in beds, "
        "300 stock lines, 100,000 contacts, a 1,000,000-person round"
    )
    print(f"  reference (plain SQL counts)  {ref:6.2f} s")
    print(
        f"  briefing figures              {got['figures']:6.2f} s"
        f"  ({got['figures'] / ref:.1f}x the reference)"
    )
    print(f"  briefing page (HTML)          {got['page']:6.2f} s  (bar: 2 s)")
    print(f"  briefing PDF ({got['pdf_kb']:.0f} KB)        {got['pdf']:6.2f} s  (bar: 10 s)")
    print(
        f"  {STREAMS} streams x {WRITES} writes: {live['received']:,.0f}/{live['expected']:,.0f}"
        f" received, lag p50 {live['p50_ms']:.0f} ms, max {live['max_ms']:.0f} ms;"
        f" server peak {live['server_mib']:,.0f} MiB"
    )
    print(f"  peak RSS (this process) {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
