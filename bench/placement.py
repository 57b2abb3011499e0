"""How fast a batch of contacts is placed into rooms, against a plain greedy reference.

    python bench/placement.py [--contacts 10000] [--rooms 12000] [--sites 20]

Builds (in a fresh database) 20 sites across the city's counties with ROOMS rooms (80 %
single, 15 % family, 5 % accessible), one infection and CONTACTS close contacts, a fifth of
them in households of two to four, then:

- reference: one SQL UPDATE ... WHERE id IN (first N ready rooms) and one executemany of the
  stays, in the same database: no households, no county preference, no explanation;
- fangkong: `place_contacts` over the whole batch, in one transaction.

Prints contacts/s for both, the ratio, the share placed, and peak RSS of each process.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fangkong.core.ids import divisions_in

CST = ZoneInfo("Asia/Shanghai")
NOW = datetime(2022, 3, 7, 12, 0, tzinfo=CST)
COUNTIES = [d.code for d in divisions_in("1408")]  # 运城市's 13 counties


def build(url: str, contacts: int, rooms: int, sites: int) -> list[int]:
    """Sites, rooms, an infection and its contacts; returns the contact ids."""
    from rich.progress import track

    from fangkong.core.db import make_engine, make_session_factory, transaction
    from fangkong.core.ids import make_id_number
    from fangkong.core.migrate import upgrade
    from fangkong.people.schemas import PersonIn
    from fangkong.quarantine.schemas import RoomIn, SiteCreate
    from fangkong.quarantine.service import create_site
    from fangkong.tracing.schemas import ContactCreate, InfectionCreate
    from fangkong.tracing.service import record_contacts, record_infection
    from fangkong.users.schemas import UserCreate
    from fangkong.users.service import actor_of, create_user

    upgrade(url)
    factory = make_session_factory(make_engine(url))
    with transaction(factory) as session:
        admin = actor_of(
            create_user(
                session,
                now=NOW,
                data=UserCreate(
                    username="bench", display_name="bench", password="bench-password", role="admin"
                ),
            )
        )
        per_site = rooms // sites
        for s in track(range(sites), description="sites and rooms"):
            kinds = ["single"] * int(per_site * 0.8) + ["family"] * int(per_site * 0.15)
            kinds += ["accessible"] * (per_site - len(kinds))
            county = COUNTIES[s % len(COUNTIES)]
            create_site(
                session,
                actor=admin,
                now=NOW,
                data=SiteCreate(
                    name=f"site {s + 1}",
                    kind="hotel",
                    county_code=county,
                    lon=110.5 + 0.05 * s,
                    lat=35.0 + 0.02 * s,
                    rooms=[
                        RoomIn(building=f"B{i // 500}", number=str(i), kind=k)  # type: ignore[arg-type]
                        for i, k in enumerate(kinds)
                    ],
                ),
            )
        infection = record_infection(
            session,
            actor=admin,
            now=NOW,
            data=InfectionCreate(
                person=PersonIn(name="王某强", id_number="140821198806120312", address="临猗县"),
                kind="confirmed",
                onset_at=datetime(2022, 3, 5, 8, tzinfo=CST),
                sampled_at=datetime(2022, 3, 6, 10, tzinfo=CST),
                reported_at=datetime(2022, 3, 6, 20, tzinfo=CST),
            ),
        )
        items = []
        n = 0
        while len(items) < contacts:
            county = COUNTIES[n % len(COUNTIES)]
            size = 2 + n % 3 if n % 5 == 0 else 1
            address = f"{county} 某小区{n}号"
            for k in range(min(size, contacts - len(items))):
                number = make_id_number(
                    county, date(1960 + n % 40, 1 + k, 1 + n % 28), 1 + (n * 7 + k) % 997
                )
                items.append(
                    ContactCreate(
                        person=PersonIn(
                            name=f"王某{n}-{k}",
                            id_number=number,
                            address=address,
                            county_code=county,
                        ),
                        category="close",
                        setting="household" if size > 1 else "workplace",
                        exposure_at=datetime(2022, 3, 6, 18, tzinfo=CST),
                        identified_at=datetime(2022, 3, 7, 1, tzinfo=CST),
                    )
                )
            n += 1
        recorded = record_contacts(
            session, actor=admin, infection_id=infection.id, items=items, now=NOW
        )
        return recorded.contact_ids


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_fangkong(url: str, ids: list[int]) -> dict[str, float]:
    from fangkong.core.db import make_engine, make_session_factory, transaction
    from fangkong.quarantine.service import place_contacts
    from fangkong.users.service import actor_by_username

    factory = make_session_factory(make_engine(url))
    start = time.perf_counter()
    with transaction(factory) as session:
        actor = actor_by_username(session, "bench")
        assert actor is not None
        result = place_contacts(session, actor=actor, contact_ids=ids, now=NOW)
    seconds = time.perf_counter() - start
    from fangkong.quarantine.papers import render_papers, stays_of

    start = time.perf_counter()
    with transaction(factory) as session:
        stays = list(stays_of(session, now=NOW))
        pdf = render_papers(session, actor=actor, stay_ids=stays, kind="notice", now=NOW)
    return {
        "seconds": seconds,
        "placed": len(result.placed),
        "unplaced": len(result.unplaced),
        "papers_seconds": time.perf_counter() - start,
        "pages": len(stays),
        "pdf_mib": len(pdf) / 2**20,
        "peak_rss_mib": peak_rss_mib(),
    }


def run_reference(url: str, ids: list[int]) -> dict[str, float]:
    from sqlalchemy import select, update

    from fangkong.core.db import bulk_insert, make_engine, make_session_factory, transaction
    from fangkong.quarantine.models import Room, Stay
    from fangkong.tracing.models import Contact

    factory = make_session_factory(make_engine(url))
    start = time.perf_counter()
    with transaction(factory) as session:
        people = dict(
            session.execute(select(Contact.id, Contact.person_id).where(Contact.id.in_(ids))).all()
        )
        rooms = list(
            session.scalars(
                select(Room.id).where(Room.status == "ready").order_by(Room.id).limit(len(ids))
            )
        )
        session.execute(update(Room).where(Room.id.in_(rooms)).values(status="occupied"))
        bulk_insert(
            session,
            Stay,
            [
                {
                    "person_id": people[c],
                    "room_id": r,
                    "contact_id": c,
                    "household": "",
                    "placed_at": NOW,
                    "planned_end_at": NOW,
                    "released_at": None,
                }
                for c, r in zip(ids, rooms, strict=False)
            ],
        )
    seconds = time.perf_counter() - start
    # The floor for papers: as many pages of fixed text, drawn with ReportLab alone.
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from fangkong.core.fonts import paper_font

    start = time.perf_counter()
    canvas = Canvas(io.BytesIO(), pagesize=A4, pageCompression=1)
    line = "根据《中华人民共和国传染病防治法》和防控方案，经流行病学调查"
    for _ in ids:
        canvas.setFont(paper_font(), 14)
        for k in range(8):
            canvas.drawString(72, 700 - 26 * k, line)
        canvas.showPage()
    canvas.save()
    return {
        "seconds": seconds,
        "placed": min(len(ids), len(rooms)),
        "unplaced": max(0, len(ids) - len(rooms)),
        "papers_seconds": time.perf_counter() - start,
        "pages": len(ids),
        "pdf_mib": 0.0,
        "peak_rss_mib": peak_rss_mib(),
    }


def child(mode: str, args: argparse.Namespace, tmp: Path) -> dict[str, float]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        mode,
        "--contacts",
        str(args.contacts),
        "--rooms",
        str(args.rooms),
        "--sites",
        str(args.sites),
        "--workdir",
        str(tmp),
    ]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--rooms", type=int, default=12_000)
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--child", choices=["reference", "fangkong"], help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        url = f"sqlite:///{args.workdir / (args.child + '.db')}"
        ids = build(url, args.contacts, args.rooms, args.sites)
        run = run_fangkong if args.child == "fangkong" else run_reference
        print(json.dumps(run(url, ids)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        ref = child("reference", args, Path(tmp))
        ours = child("fangkong", args, Path(tmp))
    print(f"{args.contacts:,} contacts, {args.rooms:,} rooms, {args.sites} sites")
    for name, r in (
        ("reference (one UPDATE + executemany)", ref),
        ("fangkong place_contacts", ours),
    ):
        print(
            f"{name:38s} {r['seconds']:6.2f} s  {args.contacts / r['seconds']:>9,.0f} contacts/s  "
            f"placed {r['placed']:,.0f} ({r['placed'] / args.contacts:.1%})  "
            f"peak RSS {r['peak_rss_mib']:.0f} MiB"
        )
    print(f"ratio fangkong/reference time: {ours['seconds'] / ref['seconds']:.2f}x")
    print(
        f"notices: {ours['pages']:,.0f} pages in {ours['papers_seconds']:.2f} s "
        f"({ours['pdf_mib']:.1f} MiB PDF); "
        f"fixed-text ReportLab floor {ref['papers_seconds']:.2f} s; "
        f"ratio {ours['papers_seconds'] / ref['papers_seconds']:.2f}x"
    )


if __name__ == "__main__":
    main()
