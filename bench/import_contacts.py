"""How fast a contact line list imports, against the floor of reading and writing it raw.

    python bench/import_contacts.py [--rows 100000] [--database-url URL]

Generates a line list of ROWS contacts as tracers fill it in (Chinese headers, mixed date
shapes, secondary contacts pointing at their close contact's 序号) into bench/data/ (not
committed), then, each in a fresh process so peak memory is its own:

- reference: python-calamine reads the sheet and one executemany writes the raw rows into a
  bare SQLite table: no validation, no people, no orders;
- fangkong: the real import (`import_contacts`) into a migrated database: every ID number,
  mobile, category and date checked, people deduplicated, contacts classified, orders issued,
  all in one transaction.

Prints rows/s for both, the ratio, and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

DATA = Path(__file__).parent / "data"
HEADERS = [
    "序号",
    "姓名",
    "性别",
    "年龄",
    "身份证号码",
    "联系电话",
    "现住址",
    "与病例关系",
    "接触方式",
    "接触地点",
    "末次接触时间",
    "人员类别",
    "备注",
]
SETTINGS = [
    ("共同居住", "家中"),
    ("同车厢", "D2535次 5车厢"),
    ("共同工作", "某超市"),
    ("共同就餐", "某饭店"),
    ("同乘出租车", "出租车"),
]
COUNTIES = [
    ("140821", "临猗县猗氏镇某小区"),
    ("140802", "盐湖区某街道某小区"),
    ("140881", "永济市某村"),
]


def generate(rows: int) -> Path:
    from openpyxl import Workbook
    from rich.progress import track

    from fangkong.core.ids import make_id_number

    path = DATA / f"contacts-{rows}.xlsx"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    rng = random.Random(7)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("密接人员")
    sheet.append(["临猗县新冠肺炎疫情密切接触者登记表（基准测试）"])
    sheet.append(["填报单位：流调溯源组　　填报时间：2022年3月7日"])
    sheet.append(HEADERS)
    base = datetime(2022, 3, 5, 8, 0)  # noqa: DTZ001 - naive on purpose: sheets carry local time
    used: set[str] = set()
    for n in track(range(1, rows + 1), description=f"writing {rows:,} rows"):
        county, address = rng.choice(COUNTIES)
        while True:
            born = date(rng.randint(1950, 2010), rng.randint(1, 12), rng.randint(1, 28))
            number = make_id_number(county, born, rng.randint(1, 999))
            if number not in used:
                used.add(number)
                break
        setting, place = rng.choice(SETTINGS)
        when = base + timedelta(minutes=rng.randint(0, 36 * 60))
        shape = n % 3
        exposure: object = (
            when
            if shape == 0
            else (f"{when:%Y/%-m/%-d %-H:%M}" if shape == 1 else f"{when:%Y年%-m月%-d日%-H时%M分}")
        )
        secondary = n > 10 and n % 20 == 0
        sheet.append(
            [
                n,
                "王某" + "伟芳娜敏静丽强磊"[n % 8],
                "男" if int(number[16]) % 2 else "女",
                2022 - born.year,
                number,
                f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
                f"{address}{n % 97}号楼",
                "同事",
                setting,
                place,
                exposure,
                "次密接" if secondary else "密接",
                f"{n - 1}号的家属" if secondary else None,
            ]
        )
    sheet.append([f"合计：{rows}人"])
    book.save(path)
    return path


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_reference(path: Path) -> dict[str, float]:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    table = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    rows = [
        tuple(str(c) for c in r) for r in table[3:] if r and r[0] != "" and str(r[0])[0].isdigit()
    ]
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "raw.db")
        db.execute(f"CREATE TABLE raw ({', '.join(f'c{i} TEXT' for i in range(len(HEADERS)))})")
        db.executemany(f"INSERT INTO raw VALUES ({', '.join('?' * len(HEADERS))})", rows)
        db.commit()
        db.close()
    return {
        "rows": len(rows),
        "seconds": time.perf_counter() - start,
        "peak_rss_mib": peak_rss_mib(),
    }


def run_fangkong(path: Path, database_url: str | None) -> dict[str, float]:
    from zoneinfo import ZoneInfo

    from fangkong.core.auth import Actor
    from fangkong.core.db import make_engine, make_session_factory, transaction
    from fangkong.core.migrate import upgrade
    from fangkong.people.schemas import PersonIn
    from fangkong.tracing.linelists import import_contacts
    from fangkong.tracing.schemas import InfectionCreate
    from fangkong.tracing.service import record_infection
    from fangkong.users.schemas import UserCreate
    from fangkong.users.service import actor_of, create_user

    cst = ZoneInfo("Asia/Shanghai")
    now = datetime(2022, 3, 7, 12, 0, tzinfo=cst)
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        factory = make_session_factory(make_engine(url))
        with transaction(factory) as session:
            actor: Actor = actor_of(
                create_user(
                    session,
                    now=now,
                    data=UserCreate(
                        username="bench",
                        display_name="bench",
                        password="bench-password",
                        role="admin",
                    ),
                )
            )
            infection = record_infection(
                session,
                actor=actor,
                now=now,
                data=InfectionCreate(
                    person=PersonIn(
                        name="王某强", id_number="140821198806120312", address="临猗县"
                    ),
                    kind="confirmed",
                    onset_at=datetime(2022, 3, 5, 8, tzinfo=cst),
                    sampled_at=datetime(2022, 3, 6, 10, tzinfo=cst),
                    reported_at=datetime(2022, 3, 6, 20, tzinfo=cst),
                ),
            )
            infection_id = infection.id
        content = path.read_bytes()
        start = time.perf_counter()
        with transaction(factory) as session:
            result = import_contacts(
                session,
                actor=actor,
                infection_id=infection_id,
                filename=path.name,
                content=content,
                now=now,
            )
        seconds = time.perf_counter() - start
    return {"rows": result.contacts_created, "seconds": seconds, "peak_rss_mib": peak_rss_mib()}


def in_child(mode: str, path: Path, database_url: str | None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", mode, "--file", str(path)]
    if database_url:
        cmd += ["--database-url", database_url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--database-url", help="import into this database instead of a fresh SQLite"
    )
    parser.add_argument("--child", choices=["reference", "fangkong"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "reference":
        print(json.dumps(run_reference(args.file)))
        return
    if args.child == "fangkong":
        print(json.dumps(run_fangkong(args.file, args.database_url)))
        return

    path = generate(args.rows)
    print(f"line list: {path} ({path.stat().st_size / 2**20:.1f} MiB, {args.rows:,} rows)")
    ref = in_child("reference", path, None)
    ours = in_child("fangkong", path, args.database_url)
    for name, r in (("reference (calamine + raw executemany)", ref), ("fangkong import", ours)):
        print(
            f"{name:40s} {r['rows']:>8,.0f} rows  {r['seconds']:7.2f} s  "
            f"{r['rows'] / r['seconds']:>9,.0f} rows/s  peak RSS {r['peak_rss_mib']:6.0f} MiB"
        )
    print(
        f"ratio fangkong/reference time: {ours['seconds'] / ref['seconds']:.2f}x "
        f"({ours['rows'] / ours['seconds']:,.0f} contacts/s validated, classified and ordered)"
    )


if __name__ == "__main__":
    main()
