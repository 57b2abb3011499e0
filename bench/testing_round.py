"""A city-wide screening round of a million people, end to end, stage by stage.

    python bench/testing_round.py [--people 1000000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

In a fresh database (SQLite by default; with --pg a database of its own created on that
server and dropped after) it loads PEOPLE residents over the city's 13 counties, a round with
400 sampling sites, 14 labs (the city's base and 13 county labs), then times:

1. registration: 98 % of the residents scanned into pooled tubes of 10: the first 50,000
   through the HTTP API (a real uvicorn server, batches of 1,000 as sampling desks post them),
   the rest in bulk in batches of 10,000 through `register_samples` (every check, a commit a
   batch);
2. close and plan: open tubes closed, every tube assigned to a lab (the LP planner);
3. delivery: every shipment marked delivered;
4. results: each lab's CSV (one row a tube, 0.1 % of pools positive) parsed and recorded;
5. recalls: the recall list of every positive pool, with its members;
6. coverage: the missing list per community, and its .xlsx.

A reference runs first, in a database of its own built the same way: the same tubes and
samples written with one plain executemany each, and the same results with one executemany
UPDATE — no checks, no tube rule, no errors. Ratios for registration and results are ours
over the reference. Peak RSS is the process's after each stage.
"""

from __future__ import annotations

import argparse
import random
import resource
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress import Progress

from fangkong.core.ids import divisions_in

CST = ZoneInfo("Asia/Shanghai")
START = datetime(2022, 3, 13, 7, 0, tzinfo=CST)
NOW = datetime(2022, 3, 13, 21, 0, tzinfo=CST)
RESULTS_AT = datetime(2022, 3, 14, 6, 0, tzinfo=CST)
COUNTIES = [d.code for d in divisions_in("1408")]  # 运城市's 13 counties
SITES = 400
API_SCANS = 50_000  # registered through the HTTP API; the rest in bulk
console = Console(stderr=True)


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load_people(session: object, n: int) -> list[tuple[str, int]]:
    """n residents, 2,000 to a community, communities shared out over the sites; returns
    (person key, site index) in the order they will be sampled."""
    from fangkong.core.db import bulk_insert
    from fangkong.people.models import Person

    rows, order = [], []
    for i in range(n):
        county = COUNTIES[i % len(COUNTIES)]
        community = i // 2_000
        rows.append(
            {
                "person_key": f"K{i:09d}",
                "id_number": None,
                "passport": None,
                "name": f"居民{i}",
                "sex": "unknown",
                "phone": f"139{i:08d}",
                "address": f"运城市某镇第{community}村{i % 200}号",
                "county_code": county,
                "created_at": START,
                "updated_at": START,
            }
        )
        order.append((f"K{i:09d}", community % SITES))
    for start in range(0, n, 50_000):
        bulk_insert(session, Person, rows[start : start + 50_000])  # type: ignore[arg-type]
    return order


def setup(url: str, n: int) -> tuple[int, list[int], list[tuple[str, int]]]:
    from fangkong.core.db import make_engine, make_session_factory, transaction
    from fangkong.core.migrate import upgrade
    from fangkong.testing import labs, service
    from fangkong.testing.schemas import LabIn, RoundCreate, SiteIn
    from fangkong.users.schemas import UserCreate
    from fangkong.users.service import actor_of, create_user

    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with transaction(factory) as session:
        admin = actor_of(
            create_user(
                session,
                now=START,
                data=UserCreate(
                    username="bench", display_name="bench", password="bench-password", role="admin"
                ),
            )
        )
        order = load_people(session, n)
        made = service.create_round(
            session,
            actor=admin,
            now=START,
            data=RoundCreate(
                name="全市全员核酸",
                area="city",
                pool_size=10,
                starts_at=START,
                sites=[
                    SiteIn(
                        name=f"采样点{s:03d}",
                        county_code=COUNTIES[s % len(COUNTIES)],
                        per_hour=300,
                        staff=6,
                    )
                    for s in range(SITES)
                ],
            ),
        )
        scale = max(n / 1_000_000, 0.01)
        network = [
            LabIn(
                name="运城市中心医院基地",
                kind="central",
                tubes_per_day=int(60_000 * scale) + 100,
                routes={c: 30.0 + 8 * k for k, c in enumerate(COUNTIES)},
            )
        ] + [
            LabIn(
                name=f"{c}县实验室",
                kind="county",
                county_code=c,
                tubes_per_day=int(8_000 * scale) + 50,
                routes={d: 15.0 + 12 * abs(k - j) for j, d in enumerate(COUNTIES)},
            )
            for k, c in enumerate(COUNTIES)
        ]
        labs.save_labs(session, actor=admin, labs=network)
        sites = [s.id for s in service.present_round(session, made).sites]
        return made.id, sites, order


def scans_of(order: list[tuple[str, int]], sites: list[int], rng: random.Random) -> list[tuple]:  # type: ignore[type-arg]
    """98 % of residents, grouped by site, ten to a tube, in sampling order."""
    by_site: dict[int, list[str]] = {}
    for key, s in order:
        if rng.random() < 0.98:
            by_site.setdefault(s, []).append(key)
    scans = []
    for s, keys in sorted(by_site.items()):
        for i, key in enumerate(keys):
            minute = i * 12 * 60 // max(len(keys), 1)
            scans.append(
                (key, f"{s:03d}{i // 10:06d}", sites[s], START + timedelta(minutes=minute))
            )
    return scans


def reference(url: str, round_id: int, scans: list[tuple]) -> dict[str, float]:  # type: ignore[type-arg]
    """The same tubes and samples with plain executemany, then results with one UPDATE."""
    from sqlalchemy import bindparam, select, update

    from fangkong.core.db import (
        bulk_insert,
        in_chunks,
        make_engine,
        make_session_factory,
        transaction,
    )
    from fangkong.testing.models import Sample, Tube

    factory = make_session_factory(make_engine(url))
    started = time.perf_counter()
    with transaction(factory) as session:
        keys = {k: None for k, *_ in scans}
        from fangkong.people.models import Person

        ids: dict[str, int] = {}
        for chunk in in_chunks(keys, 1000):
            ids.update(
                dict(
                    session.execute(
                        select(Person.person_key, Person.id).where(Person.person_key.in_(chunk))
                    ).all()
                )
            )
        tubes: dict[str, dict[str, object]] = {}
        for _, code, site, at in scans:
            tubes.setdefault(
                "R" + code,
                {
                    "barcode": "R" + code,
                    "round_id": round_id,
                    "site_id": site,
                    "kind": "pooled",
                    "size": 10,
                    "members": 0,
                    "opened_at": at,
                    "closed_at": at,
                },
            )
            tubes["R" + code]["members"] = int(tubes["R" + code]["members"]) + 1  # type: ignore[call-overload]
        bulk_insert(session, Tube, list(tubes.values()))
        tube_ids = dict(
            session.execute(select(Tube.barcode, Tube.id).where(Tube.round_id == round_id)).all()
        )
        bulk_insert(
            session,
            Sample,
            [
                {
                    "round_id": round_id,
                    "person_id": ids[k],
                    "tube_id": tube_ids["R" + code],
                    "purpose": "screen",
                    "sampled_at": at,
                }
                for k, code, _, at in scans
            ],
        )
    register_s = time.perf_counter() - started
    started = time.perf_counter()
    with transaction(factory) as session:
        session.execute(
            update(Tube.__table__)
            .where(Tube.__table__.c.barcode == bindparam("b"))
            .values(result=bindparam("r"), reported_at=bindparam("t")),  # type: ignore[attr-defined]
            [{"b": code, "r": "negative", "t": RESULTS_AT} for code in tubes],
        )
    results_s = time.perf_counter() - started
    return {"register": register_s, "results": results_s, "tubes": len(tubes)}


def post_over_http(factory: object, round_id: int, scans: list[tuple]) -> None:  # type: ignore[type-arg]
    """Serve the app with uvicorn on a free port in a thread and post the scans in batches."""
    import socket
    import threading

    import httpx
    import uvicorn

    from fangkong.app import create_app
    from fangkong.core.clock import FixedClock

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = create_app(session_factory=factory, clock=FixedClock(NOW))  # type: ignore[arg-type]
    server = uvicorn.Server(uvicorn.Config(app, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            token = client.post(
                "/api/auth/token", data={"username": "bench", "password": "bench-password"}
            ).json()["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            for start in range(0, len(scans), 1_000):
                items = [
                    {"person": k, "barcode": code, "site_id": site, "sampled_at": at.isoformat()}
                    for k, code, site, at in scans[start : start + 1_000]
                ]
                answer = client.post(
                    f"/api/testing/rounds/{round_id}/samples",
                    json={"items": items},
                    headers=headers,
                )
                answer.raise_for_status()
    finally:
        server.should_exit = True
        thread.join()


def ours(url: str, round_id: int, scans: list[tuple], rng: random.Random) -> dict[str, float]:  # type: ignore[type-arg]

    from fangkong.core.db import make_engine, make_session_factory, transaction
    from fangkong.testing import coverage, labs, recalls, results, service, shipments
    from fangkong.testing import plan as planning
    from fangkong.users.service import actor_by_username

    factory = make_session_factory(make_engine(url))
    with transaction(factory) as session:
        actor = actor_by_username(session, "bench")
    assert actor is not None
    out: dict[str, float] = {}

    def stage(name: str, started: float) -> None:
        out[name] = time.perf_counter() - started
        out[name + "_rss"] = peak_rss_mib()
        console.print(f"  {name}: {out[name]:.2f} s, peak RSS {out[name + '_rss']:.0f} MiB")

    # Through the API first: sampling desks post batches of 1,000 scans to a real server.
    api_scans = scans[:API_SCANS]
    started = time.perf_counter()
    post_over_http(factory, round_id, api_scans)
    stage("register_api", started)
    out["api_scans"] = len(api_scans)

    started = time.perf_counter()
    batch = 10_000
    rest = scans[API_SCANS:]
    out["bulk_scans"] = len(rest)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("registration in bulk", total=len(rest))
        for start in range(0, len(rest), batch):
            regs = [
                service.Registration(k, code, site, at, ("items", start + i))
                for i, (k, code, site, at) in enumerate(rest[start : start + batch])
            ]
            with transaction(factory) as session:
                service.register_samples(
                    session, actor=actor, round_id=round_id, scans=regs, now=NOW
                )
            progress.advance(task, len(regs))
    stage("register", started)

    started = time.perf_counter()
    with transaction(factory) as session:
        service.close_round(session, actor=actor, round_id=round_id, now=NOW)
        plan = planning.plan_round(session, actor=actor, round_id=round_id, now=NOW)
    out["tubes"] = plan.tubes
    out["shipments"] = len(plan.shipments)
    out["last_result_h"] = (
        (plan.last_result_at - NOW).total_seconds() / 3600 if plan.last_result_at else 0
    )
    stage("plan", started)

    started = time.perf_counter()
    arrive = NOW + timedelta(hours=1)
    with transaction(factory) as session:
        ids = [s.id for s in plan.shipments]
        shipments.receive_shipments(session, actor=actor, shipment_ids=ids, at=arrive, now=arrive)
    stage("deliver", started)

    # Each lab's worklist, filled in: 0.1 % of pools positive (not timed: the lab's work).
    files: dict[int, bytes] = {}
    with transaction(factory) as session:
        lists = {
            lab.id: labs.worklist(session, actor=actor, lab_id=lab.id)
            for lab in labs.list_labs(session)
        }
    every = [code for codes in lists.values() for code in codes]
    positive = set(rng.sample(every, max(1, len(every) // 1000)))
    tested, reported = RESULTS_AT - timedelta(hours=1), RESULTS_AT
    for lab, codes in lists.items():
        if codes:
            files[lab] = results.results_csv(
                (c, "阳性" if c in positive else "阴性", tested, reported) for c in codes
            )
    started = time.perf_counter()
    positive_pools = 0
    for lab, content in files.items():
        with transaction(factory) as session:
            rows = results.parse_results("results.csv", content, now=RESULTS_AT)
            recorded = results.record_results(
                session, actor=actor, lab_id=lab, rows=rows, now=RESULTS_AT
            )
            positive_pools += len(recorded.recalls)
    out["positive_pools"] = positive_pools
    stage("results", started)

    started = time.perf_counter()
    with transaction(factory) as session:
        listed = recalls.list_recalls(session, actor=actor, round_id=round_id)
    out["recalled_people"] = sum(len(r.members) for r in listed)
    stage("recalls", started)

    started = time.perf_counter()
    with transaction(factory) as session:
        cover = coverage.coverage(session, actor=actor, round_id=round_id)
        book = coverage.missing_xlsx(session, actor=actor, round_id=round_id, now=RESULTS_AT)
    out["missing"] = cover.missing
    out["communities"] = len(cover.communities)
    out["missing_xlsx_mib"] = len(book) / 2**20
    stage("coverage", started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument(
        "--pg",
        help="a PostgreSQL URL to an existing database (e.g. postgres); the bench creates its own",
    )
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    made: list[str] = []
    admin = None
    if args.pg:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        admin = create_engine(args.pg, isolation_level="AUTOCOMMIT")

        def database(role: str) -> str:
            name = f"fangkong_bench_{role}_{uuid.uuid4().hex[:8]}"
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            made.append(name)
            return make_url(args.pg).set(database=name).render_as_string(hide_password=False)

        backend = "PostgreSQL"
    else:
        import tempfile

        tmp = tempfile.mkdtemp()

        def database(role: str) -> str:
            return f"sqlite:///{tmp}/{role}.db"

        backend = "SQLite"
    try:
        # The reference and our run each get a database of their own, built the same way, so
        # neither works on the other's leftovers.
        console.print(f"{backend}: loading {args.people:,} residents, {SITES} sites, 14 labs …")
        started = time.perf_counter()
        ref_url = database("reference")
        round_id, sites, order = setup(ref_url, args.people)
        scans = scans_of(order, sites, random.Random(args.seed))
        console.print(
            f"  set-up {time.perf_counter() - started:.1f} s; {len(scans):,} scans to register"
        )
        ref = reference(ref_url, round_id, scans)
        console.print(
            f"  reference: register {ref['register']:.2f} s, results {ref['results']:.2f} s"
        )
        url = database("fangkong")
        round_id, sites, order = setup(url, args.people)
        scans = scans_of(order, sites, rng)
        got = ours(url, round_id, scans, rng)
    finally:
        if admin is not None:
            from sqlalchemy import text

            with admin.connect() as c:
                for name in made:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    g, r, sampled = got, ref, len(scans)
    print(f"{backend}, {args.people:,} residents, {sampled:,} sampled into {g['tubes']:,.0f} tubes")
    bulk_rate = g["bulk_scans"] / g["register"]
    print(
        f"  registration, API ({g['api_scans']:,.0f} scans in batches of 1,000 over HTTP)"
        f"  {g['register_api']:7.2f} s  {g['api_scans'] / g['register_api']:>9,.0f} scans/s"
    )
    print(
        f"  registration, bulk ({g['bulk_scans']:,.0f} scans in batches of 10,000)"
        f"  {g['register']:7.2f} s  {bulk_rate:>9,.0f} scans/s;"
        f"  reference {sampled / r['register']:,.0f} scans/s, ratio"
        f" {(sampled / r['register']) / bulk_rate:.2f}x"
    )
    print(
        f"  close + plan  {g['plan']:7.2f} s  {g['shipments']:,.0f} shipments,"
        f" last result {g['last_result_h']:.1f} h after closing"
    )
    print(f"  delivery      {g['deliver']:7.2f} s")
    print(
        f"  results       {g['results']:7.2f} s  {g['tubes'] / g['results']:>9,.0f} tubes/s"
        f"   reference {r['results']:6.2f} s  ratio {g['results'] / r['results']:.2f}x"
        f"  ({g['positive_pools']:.0f} positive pools)"
    )
    print(f"  recall lists  {g['recalls']:7.2f} s  {g['recalled_people']:,.0f} people to retest")
    print(
        f"  coverage      {g['coverage']:7.2f} s  {g['missing']:,.0f} missing in"
        f" {g['communities']:,.0f} communities ({g['missing_xlsx_mib']:.1f} MiB .xlsx)"
    )
    print(f"  peak RSS {max(v for k, v in g.items() if k.endswith('_rss')):.0f} MiB")


if __name__ == "__main__":
    main()
