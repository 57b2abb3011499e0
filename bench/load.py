"""Ten minutes of a city's peak against the production set-up, from wrk on loopback.

    python bench/load.py [--people 300000] [--seconds 600] [--workers 2]
        [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The city of bench/healthcode_lookup.py (PEOPLE residents with code tokens, a closed round,
infections, contacts, arrivals, 500 checkpoint scanners) on a PostgreSQL database of its own,
plus an open screening round; `fangkong serve --workers WORKERS` on it. Then, at once, for
SECONDS seconds, three wrk processes paced by their scripts and an importer:

- scans: 2,000 a second, POST /api/scan, each from one of the 500 scanners in turn;
- reads: 100 a second of case and contact reads (a case's contacts, a person's record), as a
  commander — each a disclosure of full identities, audited;
- registrations: 50 a second, as desks post them: a pooled tube's ten people a request;
- a contact import of 1,000 rows every minute, into a case of its own.

Prints, for each kind, requests, throughput, p50 and p99 (wrk's) and errors; the imports'
durations; and what was found afterwards: every scan audited, every registration stored.
Needs wrk (`apt-get install wrk`)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
from rich.table import Table

sys.path.insert(0, str(Path(__file__).parent))
import healthcode_lookup as city  # noqa: E402

from fangkong.core.timeutil import local  # noqa: E402

SCANS_PER_S, READS_PER_S, REGISTRATIONS_PER_S = 2000, 100, 50
# Today's round, its desk, the cases.
Setup = tuple[int, int, list[int]]
READS = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local n = 0
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  n = n + 1
  return wrk.format("GET", paths[n %% #paths + 1])
end
delay = function() return %(delay)d end
"""
REGISTRATIONS = """
local people = {}
for line in io.lines("%(people)s") do people[#people + 1] = line end
local n = 0
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer %(token)s"
wrk.headers["Content-Type"] = "application/json"
-- A desk's batch: the ten people of one pooled tube, as a sampling desk posts them.
request = function()
  n = n + 1
  local items = {}
  for k = 1, 10 do
    items[k] = string.format('{"person": "%%s", "barcode": "L%%07d", "site_id": %(site)d, ' ..
      '"sampled_at": "%(at)s"}', people[(n * 10 + k) %% #people + 1], n)
  end
  return wrk.format(nil, "/api/testing/rounds/%(round)d/samples", nil,
    '{"items": [' .. table.concat(items, ",") .. ']}')
end
delay = function() return %(delay)d end
"""


def open_round(url: str, tmp: Path) -> Setup:
    """Today's round and its desk; the reads' paths (a case, a contact, a person, a case's
    contacts) and the people free to be sampled in a shared tube, into files for wrk."""
    from sqlalchemy import select

    from fangkong.core.db import make_engine, make_session_factory, transaction
    from fangkong.people.models import Person
    from fangkong.testing import service
    from fangkong.testing.schemas import RoundCreate, SiteIn
    from fangkong.tracing.models import Contact, Infection
    from fangkong.travel.models import Arrival
    from fangkong.users.service import actor_by_username

    with transaction(make_session_factory(make_engine(url))) as session:
        admin = actor_by_username(session, "bench")
        assert admin is not None
        desk = SiteIn(name="今日采样点", county_code="140821", per_hour=300, staff=6)
        made = service.create_round(session, actor=admin, now=city.NOW, data=RoundCreate(
            name="今日全市全员核酸", area="city", pool_size=10,
            starts_at=city.NOW - timedelta(hours=2), sites=[desk]))  # fmt: skip
        site = service.present_round(session, made).sites[0].id
        infections = list(session.scalars(select(Infection.id).limit(200)))
        contacts = list(session.scalars(select(Contact.id).limit(500)))
        busy = set(session.scalars(select(Contact.person_id)))
        busy |= set(session.scalars(select(Infection.person_id)))
        busy |= set(session.scalars(select(Arrival.person_id)))
        free = session.execute(select(Person.id, Person.person_key).limit(60_000)).all()
        keys = [key for pid, key in free if pid not in busy]
    paths = [f"/api/infections/{i}" for i in infections] + [f"/api/contacts/{c}" for c in contacts]
    paths += [f"/api/people/{p}" for p in range(1, 1001)]
    paths += [f"/api/infections/{i}/contacts" for i in infections[1:]]  # the index's 2% is a page
    (tmp / "paths.txt").write_text("\n".join(paths))
    (tmp / "people.txt").write_text("\n".join(keys))
    return made.id, site, infections


def wrk(script: Path, port: int, seconds: int, threads: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True, timeout=seconds + 120,
    ).stdout  # fmt: skip
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    found: dict[str, float] = json.loads(line[len("RESULT ") :])
    found["rps"] = found["requests"] / found["seconds"]
    found["errors"] = sum(found[k] for k in ("connect", "read", "write", "status", "timeout"))
    return found


def line_list(k: int, rows: int) -> bytes:
    """A sheet of contacts no other sheet has (the k-th minute's)."""
    from datetime import date

    from fangkong.core.ids import make_id_number

    lines = ["姓名,身份证号,现住址,接触方式,类别,末次接触时间"]
    for i in range(rows):
        number = make_id_number("140821", date(1950, 1, 1) + timedelta(days=k * 3 + i // 400),
                                i % 400 * 2 + 1)  # fmt: skip
        lines.append(
            f"导入{k}-{i},{number},临猗县某小区,同事,密接,{local(city.NOW):%Y-%m-%d} 08:00"
        )
    return ("\n".join(lines) + "\n").encode()


def importer(
    base: str, token: str, infections: list[int], seconds: int, every: int, out: list[float]
) -> None:
    """A line list of 1,000 contacts every `every` seconds, each into a case of its own."""
    started = time.monotonic()
    k = 0
    while every and time.monotonic() - started < seconds - 30:
        sheet = line_list(k, 1_000)
        t = time.perf_counter()
        answer = httpx.post(
            f"{base}/api/infections/{infections[k % len(infections)]}/contacts/import",
            files={"file": (f"list-{k}.csv", sheet, "text/csv")},
            headers={"Authorization": f"Bearer {token}"}, timeout=300,
        )  # fmt: skip
        out.append(time.perf_counter() - t if answer.status_code == 200 else -answer.status_code)
        if answer.status_code != 200:
            city.console.print(f"import {k}: {answer.status_code} {answer.text[:300]}")
        k += 1
        time.sleep(max(0.0, started + every * k - time.monotonic()))


def audited(url: str, round_id: int) -> tuple[int, int]:
    from sqlalchemy import text

    from fangkong.core.db import make_engine

    with make_engine(url).connect() as conn:
        scans = conn.execute(text("SELECT count(*) FROM healthcode_scans")).scalar()
        samples = conn.execute(
            text("SELECT count(*) FROM samples WHERE round_id = :r"), {"r": round_id}
        ).scalar()
    return int(scans or 0), int(samples or 0)


def scripts(
    tmp: Path, keys: Path, tokens: Path, token: str, setup: Setup
) -> dict[str, tuple[Path, int, int]]:
    """Each kind's wrk script, paced to its rate: (script, threads, connections)."""
    round_id, site, _ = setup
    at = local(city.NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    # wrk is a closed loop: each connection waits its delay, then its answer. 128 connections
    # waiting 45 ms make 2,000 a second while answers take 15 ms; slower answers, fewer scans.
    pace = "\ndelay = function() return 45 end"
    lua = {
        "scans": (city.scan_script(tokens, keys, pace), 2, 128),
        "reads": (
            READS % {"paths": tmp / "paths.txt", "token": token, "delay": 10_000 // READS_PER_S}
            + city.WRK_DONE, 1, 10,
        ),
        "registrations": (
            REGISTRATIONS % {"token": token, "site": site, "round": round_id, "at": at,
                             "people": tmp / "people.txt",
                             "delay": 2 * 1000 * 10 // REGISTRATIONS_PER_S} + city.WRK_DONE, 1, 2,
        ),
    }  # fmt: skip
    made = {}
    for kind, (text, threads, connections) in lua.items():
        (tmp / f"{kind}.lua").write_text(text)
        made[kind] = (tmp / f"{kind}.lua", threads, connections)
    return made


Results = dict[str, dict[str, float]]


def load(
    base: str, port: int, seconds: int, made: dict[str, tuple[Path, int, int]], token: str,
    infections: list[int], every: int,
) -> tuple[Results, list[float]]:  # fmt: skip
    """Every kind at once for `seconds`; wrk's results by kind, and the imports' durations."""
    results: dict[str, dict[str, float]] = {}
    imports: list[float] = []

    def run(kind: str, script: Path, threads: int, connections: int) -> None:
        results[kind] = wrk(script, port, seconds, threads, connections)

    workers = [
        threading.Thread(target=importer, args=(base, token, infections, seconds, every, imports))
    ]
    workers += [threading.Thread(target=run, args=(k, *v)) for k, v in made.items()]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results, imports


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=300_000)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--import-every", type=int, default=60, help="seconds; 0: no imports")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    from sqlalchemy import text

    from fangkong.core.db import make_engine

    name = f"fangkong_bench_load_{uuid.uuid4().hex[:8]}"
    admin = make_engine(args.pg, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = args.pg.rsplit("/", 1)[0] + f"/{name}"
    tmp = Path(tempfile.mkdtemp(prefix="fangkong-load-"))
    server = None
    try:
        keys, tokens, _ = city.build(url, args.people, tmp, scanners=500)
        setup = open_round(url, tmp)
        with make_engine(url, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text("VACUUM ANALYZE"))
        server = city.start_server("ours", url, 8941, tmp, workers=args.workers)
        base = "http://127.0.0.1:8941"
        login = {"username": "bench", "password": "bench-password"}
        token = httpx.post(f"{base}/api/auth/token", data=login).json()["access_token"]
        made = scripts(tmp, keys, tokens, token, setup)
        results, imports = load(
            base, 8941, args.seconds, made, token, setup[2][100:], args.import_every
        )
        peak = city.worker_peak_mib(server)
        scans, samples = audited(url, setup[0])
        report(results, imports, scans, samples, peak, args)
    finally:
        if server is not None:
            city.stop(server)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def report(results: dict[str, dict[str, float]], imports: list[float], scans: int,
           samples: int, peak: float, args: argparse.Namespace) -> None:  # fmt: skip
    table = Table(title=f"{args.seconds} s at a city's peak: {args.workers} workers, "
                  f"PostgreSQL, {args.people:,} people")  # fmt: skip
    for column in ("kind", "requests", "per s", "p50 ms", "p99 ms", "errors"):
        table.add_column(column, justify="right")
    for kind, r in sorted(results.items()):
        each = 10 if kind == "registrations" else 1  # a desk's batch is a tube's ten people
        label = f"{kind} (10 a request)" if each > 1 else kind
        table.add_row(label, f"{r['requests'] * each:,.0f}", f"{r['rps'] * each:,.0f}",
                      f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}", f"{r['errors']:.0f}")  # fmt: skip
    done = [s for s in imports if s > 0]
    table.add_row("imports (1,000 rows)", str(len(imports)), "1/min",
                  f"{sorted(done)[len(done) // 2] * 1000:.0f}" if done else "—",
                  f"{max(done) * 1000:.0f} (max)" if done else "—",
                  str(len(imports) - len(done)))  # fmt: skip
    city.console.print(table)
    answered = results["scans"]["requests"] - results["scans"]["errors"]
    stored = 10 * (results["registrations"]["requests"] - results["registrations"]["errors"])
    city.console.print(
        f"scans answered {answered:,.0f}, audited {scans:,}; registrations answered "
        f"{stored:,.0f}, stored {samples:,}; worker peak RSS {peak:.0f} MiB"
    )


if __name__ == "__main__":
    main()
