"""One raising pass of the command centre over a city under strain, and a second with nothing
changed.

    python bench/command_raise.py [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

In a fresh database (SQLite by default; with --pg a database of its own on that server,
dropped after) it builds, in bulk: 1,000 infections reported 30 h before the pass with 100
close contacts each (100,000 open contacts: 70 % at home under orders, 10 % placed in the
rooms of 50 quarantine sites, 20 % not under control), 10,000 arrivals over the last three
days (a tenth of them without their landing test), a city round of 1,000,000 people in
100,000 pools of 10 with 1,000 positive pools and their recalls (half retested), 14 labs with
the round's shipments (two of them behind plan), and 300 appeals. Then, as of one moment:

- reference: the SQL a hand-written report would run for the same things due (contacts not
  under control at 24 h, recalls not retested, appeals waiting, labs behind plan), no tasks;
- pass 1: `raise_tasks` — every domain's signals, one task each, escalations;
- pass 2: the same again, counting the INSERT/UPDATE/DELETE statements it sends (none).

Prints seconds, the ratio of pass 1 to the reference, tasks raised, writes of pass 2 and peak
RSS. The issue's bar: each pass under 5 s on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from fangkong.core.ids import divisions_in

CST = ZoneInfo("Asia/Shanghai")
AS_OF = datetime(2022, 3, 14, 20, 0, tzinfo=CST)
REPORTED = AS_OF - timedelta(hours=30)
COUNTIES = [d.code for d in divisions_in("1408")]
INFECTIONS, PER_INFECTION, ARRIVALS, PEOPLE, POSITIVE_POOLS, SITES = (
    1_000,
    100,
    10_000,
    1_000_000,
    1_000,
    50,
)
console = Console(stderr=True)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _people(session: Session, start: int, n: int, prefix: str) -> None:
    from fangkong.core.db import bulk_insert
    from fangkong.people.models import Person

    for lo in range(start, start + n, 50_000):
        bulk_insert(
            session,
            Person,
            [
                {
                    "id": i + 1,
                    "person_key": f"{prefix}{i:09d}",
                    "id_number": None,
                    "passport": None,
                    "name": f"居民{i}",
                    "sex": "unknown",
                    "phone": f"139{i:08d}",
                    "address": f"运城市某镇第{i // 2000}村",
                    "county_code": COUNTIES[i % 13],
                    "created_at": REPORTED - timedelta(days=10),
                    "updated_at": REPORTED,
                }
                for i in range(lo, min(lo + 50_000, start + n))
            ],
        )


def _insert(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    from fangkong.core.db import bulk_insert

    for lo in range(0, len(rows), 50_000):
        bulk_insert(session, model, rows[lo : lo + 50_000])


def build_tracing(session: Session) -> None:
    """1,000 infections, 100 contacts each with a 7-day central quarantine order: 70 % at
    home under control, 10 % in rooms (placed below), 20 % not under control at all."""
    from fangkong.tracing.models import Contact, Infection, ManagementOrder, OrderPhase

    _insert(
        session,
        Infection,
        [
            {
                "id": k + 1,
                "person_id": PEOPLE + k + 1,
                "kind": "confirmed",
                "sampled_at": REPORTED - timedelta(hours=9),
                "reported_at": REPORTED,
                "protocol_id": "cn-8",
                "created_at": REPORTED,
            }
            for k in range(INFECTIONS)
        ],
    )
    contacts, orders, phases = [], [], []
    for i in range(INFECTIONS * PER_INFECTION):
        controlled = {0: None, 1: None}.get(i % 10, REPORTED + timedelta(hours=6))
        contacts.append(
            {
                "id": i + 1,
                "infection_id": i // PER_INFECTION + 1,
                "person_id": i + 1,
                "category": "close",
                "setting": "workplace",
                "exposure_at": REPORTED - timedelta(days=1),
                "identified_at": REPORTED + timedelta(hours=2),
                "under_control_at": controlled,
                "control_kind": "home" if controlled else None,
            }
        )
        ends = REPORTED + timedelta(days=7)
        orders.append(
            {
                "id": i + 1,
                "contact_id": i + 1,
                "person_id": i + 1,
                "protocol_id": "cn-8",
                "category": "close",
                "starts_at": REPORTED,
                "ends_at": ends,
                "issued_at": REPORTED,
            }
        )
        phases.append(
            {
                "order_id": i + 1,
                "seq": 0,
                "kind": "central_quarantine",
                "starts_at": REPORTED,
                "ends_at": ends,
                "test_dates": [],
            }
        )
    _insert(session, Contact, contacts)
    _insert(session, ManagementOrder, orders)
    _insert(session, OrderPhase, phases)


def build_sites(session: Session) -> None:
    """50 sites of 220 rooms; the 10,000 contacts in the placed tenth hold 200 of each; three
    sites have rooms out of service, fewer than their stays need (they run out)."""
    from fangkong.quarantine.models import Room, Site, Stay

    _insert(
        session,
        Site,
        [
            {
                "id": s + 1,
                "name": f"隔离点{s + 1}",
                "kind": "hotel",
                "county_code": COUNTIES[s % 13],
                "created_at": REPORTED - timedelta(days=5),
            }
            for s in range(SITES)
        ],
    )
    _insert(
        session,
        Room,
        [
            {
                "id": s * 220 + r + 1,
                "site_id": s + 1,
                "number": str(r),
                "kind": "single",
                "status": "out_of_service"
                if s < 3 and r >= 195
                else "occupied"
                if r < 200
                else "ready",
            }
            for s in range(SITES)
            for r in range(220)
        ],
    )
    placed = [i for i in range(INFECTIONS * PER_INFECTION) if i % 10 == 2]
    _insert(
        session,
        Stay,
        [
            {
                "person_id": i + 1,
                "room_id": (k // 200) * 220 + k % 200 + 1,
                "contact_id": i + 1,
                "placed_at": REPORTED + timedelta(hours=6),
                "arrived_at": REPORTED + timedelta(hours=6),
                "planned_end_at": REPORTED + timedelta(days=7),
            }
            for k, i in enumerate(placed)
        ],
    )


def build_round(session: Session) -> None:
    """A city round: 1,000,000 people in 100,000 pools of 10 at 400 sites; 14 labs, a shipment
    each, two of them behind plan; 1,000 positive pools recalled 10 h ago, half retested."""
    from fangkong.testing.models import (
        Lab,
        Recall,
        Sample,
        SamplingSite,
        ScreeningRound,
        Shipment,
        Tube,
    )

    start = AS_OF - timedelta(hours=30)
    _insert(
        session,
        ScreeningRound,
        [
            {
                "id": 1,
                "name": "全市全员核酸",
                "area": "city",
                "pool_size": 10,
                "starts_at": start,
                "created_at": start,
                "created_by": "bench",
            }
        ],
    )
    _insert(
        session,
        SamplingSite,
        [
            {
                "id": s + 1,
                "round_id": 1,
                "name": f"采样点{s}",
                "county_code": COUNTIES[s % 13],
                "per_hour": 300,
                "staff": 6,
            }
            for s in range(400)
        ],
    )
    _insert(
        session,
        Lab,
        [
            {"id": k + 1, "name": f"实验室{k}", "kind": "county", "tubes_per_day": 10_000}
            for k in range(14)
        ],
    )
    pools = PEOPLE // 10
    _insert(
        session,
        Shipment,
        [
            {
                "id": k + 1,
                "round_id": 1,
                "site_id": k + 1,
                "lab_id": k + 1,
                "tubes": pools // 14,
                "planned_at": start + timedelta(hours=2),
                "expected_result_at": (AS_OF - timedelta(hours=3))
                if k < 2
                else AS_OF + timedelta(hours=6),
            }
            for k in range(14)
        ],
    )
    late = {k for k in range(pools) if k % 14 < 2 and k % 50 == 0}  # behind: some unreported
    _insert(
        session,
        Tube,
        [
            {
                "id": t + 1,
                "barcode": f"T{t:08d}",
                "round_id": 1,
                "site_id": t % 400 + 1,
                "kind": "pooled",
                "size": 10,
                "members": 10,
                "opened_at": start,
                "closed_at": start + timedelta(hours=1),
                "shipment_id": t % 14 + 1,
                "reported_at": None if t in late else start + timedelta(hours=12),
                "result": None if t in late else "positive" if t % 100 == 7 else "negative",
            }
            for t in range(pools)
        ],
    )
    _insert(
        session,
        Sample,
        [
            {"round_id": 1, "person_id": p + 1, "tube_id": p // 10 + 1, "sampled_at": start}
            for p in range(PEOPLE)
        ],
    )
    _insert(
        session,
        Recall,
        [
            {
                "round_id": 1,
                "tube_id": t + 1,
                "raised_at": AS_OF - timedelta(hours=10),
                "done_at": AS_OF - timedelta(hours=2) if t % 200 == 7 else None,
            }
            for t in range(pools)
            if t % 100 == 7
        ],
    )


def build_arrivals_and_appeals(session: Session) -> None:
    """10,000 arrivals over three days (a tenth never tested), 300 appeals waiting 30 h."""
    from fangkong.healthcode.models import Appeal
    from fangkong.travel.models import Arrival

    _insert(
        session,
        Arrival,
        [
            {
                "person_id": 200_000 + a,
                "origin": "陕西省西安市",
                "mode": "train",
                "departed_at": AS_OF - timedelta(hours=a % 72 + 3),
                "arrived_at": AS_OF - timedelta(hours=a % 72 + 1),
                "reported_at": AS_OF - timedelta(days=4),
                "path": "test_only",
                "days": 0,
                "protocol_id": "cn-8",
                "tested_at": None if a % 10 == 0 else AS_OF - timedelta(hours=a % 72),
            }
            for a in range(ARRIVALS)
        ],
    )
    _insert(
        session,
        Appeal,
        [
            {
                "person_id": 300_000 + a,
                "filed_at": AS_OF - timedelta(hours=30),
                "filed_by": "bench",
                "reason": "已解除隔离",
                "colour_then": "yellow",
                "status": "pending",
            }
            for a in range(300)
        ],
    )


def build(url: str) -> None:
    from fangkong.core.db import make_engine, make_session_factory, transaction
    from fangkong.core.migrate import upgrade

    upgrade(url)
    factory = make_session_factory(make_engine(url))
    steps: list[tuple[str, Callable[[Session], None]]] = [
        ("people", lambda s: _people(s, 0, PEOPLE + INFECTIONS, "K")),
        ("contacts and orders", build_tracing),
        ("sites, rooms, stays", build_sites),
        ("the round", build_round),
        ("arrivals and appeals", build_arrivals_and_appeals),
    ]
    for name, step in steps:
        started = time.perf_counter()
        with transaction(factory) as session:
            step(session)
        console.print(f"  {name}: {time.perf_counter() - started:.1f} s")


REFERENCE = (
    # contacts not under control 24 h after their infection's report
    "SELECT c.id FROM contacts c JOIN infections i ON i.id = c.infection_id"
    " WHERE i.reported_at <= :mark AND c.identified_at <= :as_of"
    " AND (c.under_control_at IS NULL OR c.under_control_at > :as_of)",
    "SELECT id FROM recalls WHERE raised_at <= :recall AND (done_at IS NULL OR done_at > :as_of)",
    "SELECT id FROM healthcode_appeals WHERE filed_at <= :mark"
    " AND (decided_at IS NULL OR decided_at > :as_of)",
    "SELECT s.lab_id, count(t.id) FROM shipments s JOIN tubes t ON t.shipment_id = s.id"
    " WHERE s.expected_result_at < :as_of AND t.reported_at IS NULL GROUP BY s.lab_id",
    "SELECT id FROM arrivals WHERE tested_at IS NULL AND arrived_at <= :test",
)


def reference(url: str) -> dict[str, float]:
    """What a hand-written report would select, no tasks made: the floor for a pass."""
    from fangkong.core.db import make_engine

    engine = make_engine(url)
    params = {
        "as_of": AS_OF,
        "mark": AS_OF - timedelta(hours=24),
        "recall": AS_OF - timedelta(hours=6),
        "test": AS_OF - timedelta(hours=24),
    }
    with engine.connect() as conn:
        started = time.perf_counter()
        found = sum(len(conn.execute(text(q), params).all()) for q in REFERENCE)
        took = time.perf_counter() - started
    engine.dispose()
    return {"seconds": took, "rows": found}


def passes(url: str) -> dict[str, float]:
    from fangkong.command.raising import raise_tasks
    from fangkong.core.db import make_engine, make_session_factory, transaction

    factory = make_session_factory(make_engine(url))
    out: dict[str, float] = {}
    for label in ("first", "second"):
        seen: list[str] = []
        with transaction(factory) as session:
            connection = session.connection()

            def note(
                _c: object, _cur: object, statement: str, *_: object, seen: list[str] = seen
            ) -> None:
                if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
                    seen.append(statement)

            event.listen(connection, "before_cursor_execute", note)
            started = time.perf_counter()
            done = raise_tasks(session, as_of=AS_OF)
            session.flush()
            out[f"{label}_s"] = time.perf_counter() - started
            event.remove(connection, "before_cursor_execute", note)
        out[f"{label}_raised"] = done.raised
        out[f"{label}_escalated"] = done.escalated
        out[f"{label}_signals"] = done.signals
        out[f"{label}_writes"] = len(seen)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--pg", help="a PostgreSQL URL (e.g. …/postgres); a database of its own is made"
    )
    args = parser.parse_args()
    admin, name = None, ""
    if args.pg:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")
        name = f"fangkong_bench_raise_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
        backend = "PostgreSQL"
    else:
        url, backend = f"sqlite:///{tempfile.mkdtemp()}/raise.db", "SQLite"
    try:
        console.print(f"{backend}: building the city under strain …")
        build(url)
        ref = reference(url)
        got = passes(url)
    finally:
        if admin is not None:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    print(
        f"{backend}: 100,000 open contacts, 10,000 arrivals, a 1,000,000-person round with "
        f"{POSITIVE_POOLS:,} positive pools, {SITES} sites"
    )
    print(f"  reference (plain SQL, {ref['rows']:,.0f} rows, no tasks)  {ref['seconds']:6.2f} s")
    print(
        f"  pass 1: {got['first_signals']:,.0f} signals, {got['first_raised']:,.0f} tasks raised,"
        f" {got['first_escalated']:,.0f} escalated  {got['first_s']:6.2f} s"
        f"  ({got['first_s'] / ref['seconds']:.1f}x the reference)"
    )
    print(
        f"  pass 2: {got['second_raised']:,.0f} raised, {got['second_writes']:,.0f} writes"
        f"  {got['second_s']:6.2f} s"
    )
    print(f"  peak RSS {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
