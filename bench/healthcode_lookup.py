"""The checkpoint scan under load: wrk on loopback against the server started as in production.

    python bench/healthcode_lookup.py [--people 1000000] [--seconds 20] [--connections 64]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Builds a database of its own on the PostgreSQL server (dropped after): PEOPLE residents, each
with a code token; a city-wide screening round closed two days ago with 98 % of them in
negative pools (the other 2 % are yellow: 应检未检); per million, 2,000 infections (red), 20,000
close contacts in central quarantine (red) and 20,000 secondary contacts at home (yellow); 5,000
arrivals from a medium-risk area, half still awaiting their landing test (yellow); 400
checkpoint scanners (each device is held to its own rate: healthcode/refusals.py).

Then, turn about, two servers with the same uvicorn settings (2 workers, uvloop, httptools,
no access log), each warmed up and then loaded by the same wrk (2 threads, CONNECTIONS
connections, SECONDS seconds, POST {"token": …} over 100,000 tokens in a random order):

- bare: FastAPI looking the token up in a Python dict of the same answers (the ceiling),
  configured as ours (OpenTelemetry hooks off);
- ours: `fangkong serve --workers 2` on the database — the scanner's key checked, the colour
  computed from the live state, the last negative test read, the scan audited.

Prints p50, p99, requests/s and errors of each round, the ratio ours/bare, the scans audited
against the requests answered, and the peak RSS of the servers' workers. Needs wrk
(`apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from fangkong.core.ids import divisions_in

console = Console(stderr=True)
ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC).replace(microsecond=0)  # the servers read the wall clock too
COUNTIES = [d.code for d in divisions_in("1408")]  # 运城市's 13 counties
SAMPLE_TOKENS = 100_000

BARE_APP = """
import json, os
from fastapi import FastAPI, Request, Response
ANSWERS = json.load(open(os.environ["BARE_ANSWERS"], encoding="utf-8"))
# Configured as ours is: no OpenTelemetry hooks (nothing to export on an isolated network).
OFF = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
app = FastAPI(telemetry=OFF)

@app.post("/api/scan")
async def scan(request: Request) -> Response:
    token = json.loads(await request.body())["token"]
    found = ANSWERS.get(token)
    if found is None:
        return Response('{"message": "code not recognised"}', 404, media_type="application/json")
    return Response(json.dumps(found, ensure_ascii=False), media_type="application/json")
"""

WRK_SCRIPT = """
local tokens = {}
for line in io.lines("%(tokens)s") do tokens[#tokens + 1] = line end
local keys = {}
for line in io.lines("%(keys)s") do keys[#keys + 1] = line end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- Each request from one of the checkpoints' scanners in turn: a device is held to its own
-- rate (healthcode/refusals.py), as a city's hundreds of scanners are.
request = function()
  n = n + 1
  local t = tokens[(n * 7919 + math.random(0, 7)) %% #tokens + 1]
  local k = keys[(n + math.random(0, #keys)) %% #keys + 1]
  local headers = {["Authorization"] = "Bearer " .. k}
  return wrk.format(nil, "/api/scan", headers, '{"token": "' .. t .. '"}')
end
"""
# Every wrk script of the benches ends with this: one line of JSON that `wrk()` reads.
WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %f, "p50_ms": %f, "p99_ms": %f, ' ..
    '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def scan_script(tokens: Path, keys: Path, pace: str = "") -> str:
    """The scans' wrk script; `pace`, Lua appended to it (a `delay` function), if any."""
    return WRK_SCRIPT % {"tokens": tokens, "keys": keys} + pace + WRK_DONE


def build(url: str, people: int, tmp: Path, scanners: int = 400) -> tuple[Path, Path, Path]:
    """The city's state; returns the scanners' keys file, the tokens file for wrk and the bare
    answers."""
    from sqlalchemy import insert, select

    from fangkong.core.db import make_engine, make_session_factory, transaction
    from fangkong.core.ids import mask_name
    from fangkong.core.migrate import upgrade
    from fangkong.healthcode import scan
    from fangkong.healthcode.models import CodeState, Scan
    from fangkong.people.models import Person
    from fangkong.testing.models import Sample, SamplingSite, ScreeningRound, Tube
    from fangkong.tracing.models import Contact, Infection, ManagementOrder, OrderPhase
    from fangkong.travel.models import Arrival, Checkpoint
    from fangkong.users.schemas import UserCreate
    from fangkong.users.service import actor_of, create_user

    upgrade(url)
    factory = make_session_factory(make_engine(url))
    rng = random.Random(7)
    closed = NOW - timedelta(days=2)
    chunk = 20_000
    with Progress(console=console) as progress, transaction(factory) as session:
        task = progress.add_task("building the city", total=people)
        admin = actor_of(
            create_user(
                session,
                now=NOW,
                data=UserCreate(
                    username="bench", display_name="bench", password="bench-password", role="admin"
                ),
            )
        )
        found = ScreeningRound(
            name="全市全员核酸",
            area="city",
            pool_size=10,
            starts_at=closed - timedelta(hours=14),
            created_at=closed - timedelta(days=1),
            created_by="bench",
            closed_at=closed,
        )
        session.add(found)
        session.flush()
        site = SamplingSite(
            round_id=found.id, name="采样点", county_code="140821", per_hour=300, staff=6
        )
        session.add(site)
        session.flush()
        tube_id = 0
        for start in range(0, people, chunk):
            ids = range(start + 1, min(start + chunk, people) + 1)
            session.execute(
                insert(Person),
                [
                    {
                        "id": i,
                        "person_key": f"K{i:09d}",
                        "name": f"居民{i}",
                        "sex": "unknown",
                        "address": f"运城市某镇第{i // 2000}村",
                        "county_code": COUNTIES[i % 13],
                        "created_at": closed,
                        "updated_at": closed,
                    }
                    for i in ids
                ],
            )
            sampled = [i for i in ids if i % 50]  # 98 %
            tubes = [sampled[k : k + 10] for k in range(0, len(sampled), 10)]
            session.execute(
                insert(Tube),
                [
                    {
                        "id": tube_id + k + 1,
                        "barcode": f"T{tube_id + k + 1:08d}",
                        "round_id": found.id,
                        "site_id": site.id,
                        "kind": "pooled",
                        "size": 10,
                        "members": len(members),
                        "opened_at": closed - timedelta(hours=10),
                        "closed_at": closed - timedelta(hours=9),
                        "tested_at": closed - timedelta(hours=4),
                        "reported_at": closed - timedelta(hours=3),
                        "result": "negative",
                    }
                    for k, members in enumerate(tubes)
                ],
            )
            session.execute(
                insert(Sample),
                [
                    {
                        "round_id": found.id,
                        "person_id": i,
                        "tube_id": tube_id + k + 1,
                        "purpose": "screen",
                        "sampled_at": closed - timedelta(hours=10),
                    }
                    for k, members in enumerate(tubes)
                    for i in members
                ],
            )
            tube_id += len(tubes)
            progress.update(task, completed=ids[-1])
        k = max(1, people // 500)  # 2,000 infected in a million
        scan.issue_missing_tokens(session, now=closed)  # everyone has a code
        picked = rng.sample(range(1, people + 1), min(people, 47 * k // 2))
        infected, close, secondary, arriving = (
            picked[:k],
            picked[k : 11 * k],
            picked[11 * k : 21 * k],
            picked[21 * k : 47 * k // 2],
        )
        session.execute(
            insert(Infection),
            [
                {
                    "person_id": p,
                    "kind": "confirmed",
                    "sampled_at": NOW - timedelta(days=3),
                    "reported_at": NOW - timedelta(days=2),
                    "protocol_id": "cn-8",
                    "created_at": NOW - timedelta(days=2),
                }
                for p in infected
            ],
        )
        index_id = session.scalar(select(Infection.id).limit(1))
        for category, who, kind, days in (
            ("close", close, "central_quarantine", 14),
            ("secondary", secondary, "home_quarantine", 7),
        ):
            for start in range(0, len(who), chunk):
                part = who[start : start + chunk]
                contact_ids = session.scalars(
                    insert(Contact).returning(Contact.id),
                    [
                        {
                            "infection_id": index_id,
                            "person_id": p,
                            "category": category,
                            "setting": "household",
                            "exposure_at": NOW - timedelta(days=3),
                            "identified_at": NOW - timedelta(days=2),
                        }
                        for p in part
                    ],
                ).all()
                order_ids = session.scalars(
                    insert(ManagementOrder).returning(ManagementOrder.id),
                    [
                        {
                            "contact_id": c,
                            "person_id": p,
                            "protocol_id": "cn-8",
                            "category": category,
                            "starts_at": NOW - timedelta(days=2),
                            "ends_at": NOW + timedelta(days=days),
                            "issued_at": NOW - timedelta(days=2),
                        }
                        for c, p in zip(contact_ids, part, strict=True)
                    ],
                ).all()
                session.execute(
                    insert(OrderPhase),
                    [
                        {
                            "order_id": o,
                            "seq": 0,
                            "kind": kind,
                            "starts_at": NOW - timedelta(days=2),
                            "ends_at": NOW + timedelta(days=days),
                            "test_dates": [],
                        }
                        for o in order_ids
                    ],
                )
        station = Checkpoint(name="运城北站", kind="hsr", county_code="140802")
        session.add(station)
        session.flush()
        session.execute(
            insert(Arrival),
            [
                {
                    "person_id": p,
                    "checkpoint_id": station.id,
                    "origin": "陕西省西安市",
                    "mode": "train",
                    "departed_at": NOW - timedelta(hours=6),
                    "arrived_at": NOW - timedelta(hours=3),
                    "reported_at": NOW - timedelta(hours=3),
                    "risk_level": "medium",
                    "path": "test_home_monitoring",
                    "days": 14,
                    "protocol_id": "cn-8",
                    "tested_at": NOW - timedelta(hours=1) if k % 2 else None,
                }
                for k, p in enumerate(arriving)
            ],
        )
        keys = [
            scan.add_scanner(
                session, actor=admin, checkpoint_id=station.id, label=f"bench {i}", now=NOW
            )[1]
            for i in range(scanners)
        ]
        key = keys[0]
        # The wrk token list and the bare server's answers: a random 100,000 codes.
        sample = rng.sample(range(1, people + 1), min(people, SAMPLE_TOKENS))
        wanted = set(sample)
        tokens = {
            p: t
            for p, t in session.execute(select(CodeState.person_id, CodeState.token))
            if p in wanted
        }
        answers = []
        for start in range(0, len(sample), 500):
            part = sample[start : start + 500]
            answers += scan.scan_batch(
                session, [scan.ScanRequest(tokens[p], key) for p in part], NOW
            )
        names = {p: mask_name(f"居民{p}") for p in sample}
        bare = {
            tokens[p]: {
                "colour": a.colour,
                "name": names[p],
                "last_negative_at": a.last_negative_at.isoformat() if a.last_negative_at else None,
            }
            for p, a in zip(sample, answers, strict=True)
        }
        session.execute(Scan.__table__.delete())  # the answers above were a check, not scans
    _advance_sequences(url)
    colours: dict[str, int] = {}
    for a in answers:
        colours[a.colour or "?"] = colours.get(a.colour or "?", 0) + 1
    console.print(f"colours of the sampled codes: {colours}")
    (tmp / "tokens.txt").write_text("\n".join(tokens[p] for p in sample))
    (tmp / "keys.txt").write_text("\n".join(keys))
    (tmp / "bare.json").write_text(json.dumps(bare, ensure_ascii=False), encoding="utf-8")
    return tmp / "keys.txt", tmp / "tokens.txt", tmp / "bare.json"


def _advance_sequences(url: str) -> None:
    """Rows inserted above with their ids given: each table's id sequence moved past them, so
    that rows the platform adds later (an import's people) get ids of their own."""
    from sqlalchemy import Integer, text

    from fangkong.core.db import make_engine
    from fangkong.models import Base

    with make_engine(url).begin() as conn:
        for table in Base.metadata.sorted_tables:
            if "id" in table.c and table.c.id.primary_key and isinstance(table.c.id.type, Integer):
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {table.name}), false)"
                ))  # fmt: skip


def start_server(
    kind: str, url: str, port: int, tmp: Path, workers: int = 2
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FANGKONG_DATABASE_URL": url,
        "FANGKONG_PORT": str(port),
        "FANGKONG_HOST": "127.0.0.1",
        "BARE_ANSWERS": str(tmp / "bare.json"),
    }
    if kind == "bare":
        (tmp / "bare_app.py").write_text(BARE_APP)
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--workers",
            "2",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ]
    else:
        cmd = [sys.executable, "-m", "fangkong", "serve", "--workers", str(workers)]
    proc = subprocess.Popen(
        cmd,
        cwd=tmp,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp / f"{kind}.log", "ab"),
        start_new_session=True,
    )
    import httpx

    for _ in range(300):
        try:
            httpx.post(f"http://127.0.0.1:{port}/api/scan", json={"token": "A" * 22}, timeout=1)
            return proc
        except httpx.TransportError:
            time.sleep(0.1)
    raise SystemExit(f"the {kind} server did not start: see {tmp / f'{kind}.log'}")


def worker_peak_mib(proc: subprocess.Popen[bytes]) -> float:
    """The largest VmHWM among the server's worker processes."""
    peak = 0.0
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    for pid in children.read_text().split() if children.exists() else []:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = max(peak, int(line.split()[1]) / 1024)
    return peak


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def wrk(port: int, script: Path, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    result: dict[str, float] = json.loads(line[len("RESULT ") :])
    result["rps"] = result["requests"] / result["seconds"]
    result["errors"] = sum(result[k] for k in ("connect", "read", "write", "status", "timeout"))
    return result


def count_scans(url: str) -> int:
    from sqlalchemy import func, select

    from fangkong.core.db import make_engine
    from fangkong.healthcode.models import Scan

    with make_engine(url).connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(Scan)) or 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=2, help="bare/ours turns about")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")

    from sqlalchemy import text

    from fangkong.core.db import make_engine

    name = f"fangkong_bench_scan_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.pg.rsplit("/", 1)[0] + f"/{name}"
    tmp = Path(tempfile.mkdtemp(prefix="fangkong-scan-"))
    servers: list[subprocess.Popen[bytes]] = []
    try:
        t0 = time.perf_counter()
        keys, tokens, _ = build(url, args.people, tmp)
        with make_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
            # As autovacuum and the checkpointer would have, long before a peak: the build's
            # millions of rows are not the scans' work to clean up.
            conn.execute(text("VACUUM ANALYZE"))
            conn.execute(text("CHECKPOINT"))
        console.print(f"built {args.people:,} people in {time.perf_counter() - t0:.1f} s")
        script = tmp / "scan.lua"
        script.write_text(scan_script(tokens, keys))
        runs: dict[str, list[dict[str, float]]] = {"bare": [], "ours": []}
        peaks: dict[str, float] = {}
        for kind, port in (("bare", 8931), ("ours", 8932)):
            servers.append(start_server(kind, url, port, tmp))
        for turn in range(args.rounds):
            for (kind, port), proc in zip((("bare", 8931), ("ours", 8932)), servers, strict=True):
                console.print(f"round {turn + 1}: {kind} …")
                wrk(port, script, 3, args.connections)  # warm up: connections, caches, plans
                runs[kind].append(wrk(port, script, args.seconds, args.connections))
                peaks[kind] = worker_peak_mib(proc)
        answered = sum(r["requests"] for r in runs["ours"]) + 0
        audited = count_scans(url)
    finally:
        for proc in servers:
            stop(proc)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        shutil.rmtree(tmp, ignore_errors=True)

    table = Table("server", "round", "requests/s", "p50 ms", "p99 ms", "errors", "requests")
    for kind, results in runs.items():
        for k, r in enumerate(results, 1):
            table.add_row(
                kind,
                str(k),
                f"{r['rps']:,.0f}",
                f"{r['p50_ms']:.2f}",
                f"{r['p99_ms']:.2f}",
                f"{r['errors']:,.0f}",
                f"{r['requests']:,.0f}",
            )
    Console().print(table)
    bare = sum(r["rps"] for r in runs["bare"]) / len(runs["bare"])
    ours = sum(r["rps"] for r in runs["ours"]) / len(runs["ours"])
    worst_p99 = max(r["p99_ms"] for r in runs["ours"])
    print(f"ratio ours/bare (mean requests/s): {ours / bare:.2f} ({ours:,.0f} vs {bare:,.0f})")
    print(f"worst p99 of ours: {worst_p99:.2f} ms")
    # The warm-ups were scans too: every answered scan is audited, none twice.
    print(
        f"scans audited: {audited:,} (measured requests answered: {answered:,.0f}, plus warm-ups)"
    )
    print(
        f"peak RSS of a server worker: bare {peaks['bare']:.0f} MiB, ours {peaks['ours']:.0f} MiB"
    )


if __name__ == "__main__":
    main()
