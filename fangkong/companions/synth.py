"""A synthetic city's phone pings, for tests, demos and benchmarks: people with a home cell and
(most of them) a work cell, nights at home, a commute, work, an errand near home in the
evening, a ping every ~15 minutes with jitter and gaps — raw Parquet a day (WGS-84 lon/lat)
in OUT/pings/, and OUT/cases.csv (person, report_time)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from fangkong.core.citymap import city_bounds

CST = ZoneInfo("Asia/Shanghai")
SLOT_MIN = 15
SLOTS = 24 * 60 // SLOT_MIN
DEG_LAT = 800 / 110_574  # about one 800 m cell, in degrees of latitude


@dataclass(frozen=True)
class Synth:
    folder: Path
    files: list[Path]
    cases: Path
    pings: int


def _clustered(rng: np.random.Generator, n: int, side: int, centres: np.ndarray) -> np.ndarray:
    """Grid positions (x, y) around a few centres, so downtown is dense."""
    pick = rng.integers(0, len(centres), size=n)
    pos = centres[pick] + rng.normal(0, side / 10, size=(n, 2))
    return np.clip(pos, 0, side - 1)


def synthesize(
    people: int, days: int, cases: int, *, seed: int, out: Path, start: datetime | None = None
) -> Synth:
    rng = np.random.default_rng(seed)
    side = max(10, int(np.sqrt(people / 25)))  # ~25 residents a cell
    centres = rng.uniform(side * 0.2, side * 0.8, size=(4, 2))
    home = _clustered(rng, people, side, centres)
    works = rng.random(people) < 0.6
    work = _clustered(rng, people, side, centres[:2])
    errand = np.clip(home + rng.normal(0, 1.5, size=(people, 2)), 0, side - 1)
    places = _Places(home, work, errand, works, _origin(side))
    start = start or datetime(2022, 3, 1, tzinfo=CST)
    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    total = 0
    for d in range(days):
        day = start + timedelta(days=d)
        table = _day_pings(rng, places, day)
        path = out / "pings" / f"pings-{day:%Y-%m-%d}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, path, row_group_size=1_000_000)
        files.append(path)
        total += table.num_rows
    chosen = rng.choice(people, size=min(cases, people), replace=False)
    report = start + timedelta(days=days - 1, hours=20)
    cases_path = out / "cases.csv"
    cases_path.write_text(
        "person,report_time\n"
        + "".join(f"{p},{report.isoformat()}\n" for p in sorted(chosen.tolist())),
        encoding="utf-8",
    )
    return Synth(out, files, cases_path, total)


@dataclass(frozen=True)
class _Places:
    """Each person's home, workplace and errand (grid positions), whether they work, and the
    grid's south-west corner with the size of a cell (lon, lat, degrees of lon a cell)."""

    home: np.ndarray
    work: np.ndarray
    errand: np.ndarray
    works: np.ndarray
    origin: tuple[float, float, float]


def _origin(side: int) -> tuple[float, float, float]:
    """The synthetic city sits at the centre of the configured city's box."""
    centre_lon, centre_lat = city_bounds().centre
    deg_lon = 800 / (111_320 * np.cos(np.radians(centre_lat)))
    return centre_lon - side / 2 * deg_lon, centre_lat - side / 2 * DEG_LAT, deg_lon


def _day_pings(rng: np.random.Generator, places: _Places, day: datetime) -> pa.Table:
    """Where each person is in each 15-minute slot (home, work on weekdays, an errand), a
    ping a slot unless the phone is off, a fix scattered about 25 m around the place."""
    people = len(places.home)
    leave = 7 * 4 + rng.integers(0, 8, size=people)  # 07:00-09:00
    back = 17 * 4 + rng.integers(0, 8, size=people)  # 17:00-19:00
    errand_at = back + 2 + rng.integers(0, 8, size=people)
    slot = np.arange(SLOTS)[None, :]
    at_work = places.works[:, None] & (slot >= leave[:, None]) & (slot < back[:, None])
    at_work &= day.weekday() < 5
    on_errand = (slot >= errand_at[:, None]) & (slot < errand_at[:, None] + 3)
    home, work, errand = places.home, places.work, places.errand
    x = np.where(at_work, work[:, 0:1], np.where(on_errand, errand[:, 0:1], home[:, 0:1]))
    y = np.where(at_work, work[:, 1:2], np.where(on_errand, errand[:, 1:2], home[:, 1:2]))
    keep = rng.random((people, SLOTS)) > 0.05  # phones off, no signal
    person = np.broadcast_to(np.arange(people)[:, None], (people, SLOTS))[keep]
    jitter = rng.integers(-180, 181, size=keep.sum())
    slot_minutes = np.arange(SLOTS) * SLOT_MIN
    seconds = (slot_minutes[None, :] * 60).repeat(people, 0)[keep] + 180 + jitter
    ts = int(day.timestamp() * 1_000_000) + seconds.astype(np.int64) * 1_000_000
    lon0, lat0, deg_lon = places.origin
    lon = lon0 + (x[keep] + rng.normal(0, 0.03, keep.sum())) * deg_lon
    lat = lat0 + (y[keep] + rng.normal(0, 0.03, keep.sum())) * DEG_LAT
    return pa.table(
        {
            "person": pa.array(person.astype(np.int64)),
            "ts": pa.array(ts, type=pa.timestamp("us", tz="UTC")),
            "lon": pa.array(lon),
            "lat": pa.array(lat),
        }
    )
