"""The demo's location data: three days of synthetic pings (4-6 March 2022) around the index
case's places in 猗氏镇, from which the companion job finds his spatiotemporal companions.

The index case is at home at night, at the supermarket on 5 March from 08:50 to 17:30, at
the restaurant from 18:00 to 19:30, at the pharmacy on 6 March at 08:40. Eight shoppers known
to the registry spent an hour or more in the supermarket's cell; a few hundred anonymous
phones live around the county, some passing the supermarket for a few minutes (not
companions), some working next door (companions the registry does not know). The job runs
on the night of 6 March; the companions it finds become contacts of infection 1."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy.orm import Session

from fangkong.companions.ingest import ingest
from fangkong.companions.job import run_job
from fangkong.companions.service import cases_from_infections, record_companions
from fangkong.core.auth import Actor
from fangkong.demo.when import CST, at
from fangkong.protocol.loader import get_protocol

HOME = (110.7741, 35.1412)
SUPERMARKET = (110.7905, 35.1466)
RESTAURANT = (110.7650, 35.1560)
PHARMACY = (110.7760, 35.1395)
ANONYMOUS = 10_000_000  # location-data ids of phones the registry does not know


def _track(person: int, spans: list[tuple[datetime, datetime, tuple[float, float]]],
           rng: np.random.Generator) -> list[tuple[int, datetime, float, float]]:  # fmt: skip
    """Pings every ~15 minutes through the spans, scattered ~25 m around each place."""
    out = []
    for start, end, (lon, lat) in spans:
        t = start
        while t < end:
            out.append((person, t, lon + rng.normal(0, 0.0003), lat + rng.normal(0, 0.0002)))
            t += timedelta(minutes=int(rng.integers(12, 18)))
    return out


def build_location_data(
    folder: Path, *, index_person: int, shoppers: list[int], seed: int
) -> list[Path]:
    rng = np.random.default_rng(seed)
    pings = _track(
        index_person,
        [
            (at(4, 19, 45), at(5, 8, 30), HOME),
            (at(5, 8, 50), at(5, 17, 30), SUPERMARKET),
            (at(5, 18, 0), at(5, 19, 30), RESTAURANT),
            (at(5, 19, 45), at(6, 8, 30), HOME),
            (at(6, 8, 40), at(6, 8, 50), PHARMACY),
            (at(6, 9, 0), at(6, 19, 0), HOME),
        ],
        rng,
    )
    for k, person in enumerate(shoppers):
        arrive = at(5, 9 + k, 10)
        pings += _track(person, [(arrive, arrive + timedelta(minutes=75), SUPERMARKET)], rng)
    for k in range(300):
        person = ANONYMOUS + k
        home = (110.70 + rng.random() * 0.15, 35.10 + rng.random() * 0.10)
        spans = [(at(4, 20), at(6, 20), home)]
        if k < 10:  # passers-by: five minutes in the supermarket's cell, then gone
            t = at(5, 10 + k % 6, 5)
            spans = [(at(4, 20), t, home), (t, t + timedelta(minutes=5), SUPERMARKET),
                     (t + timedelta(minutes=6), at(6, 20), home)]  # fmt: skip
        elif k < 14:  # working next door all day
            spans = [(at(4, 20), at(5, 8), home), (at(5, 8), at(5, 18), SUPERMARKET),
                     (at(5, 18, 15), at(6, 20), home)]  # fmt: skip
        pings += _track(person, spans, rng)
    pings.sort(key=lambda p: p[1])
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for day in (4, 5, 6):
        mine = [p for p in pings if p[1].astimezone(CST).day == day]
        path = folder / f"pings-2022-03-{day:02d}.parquet"
        pq.write_table(
            pa.table(
                {
                    "person": pa.array([p[0] for p in mine], type=pa.int64()),
                    "ts": pa.array([p[1] for p in mine], type=pa.timestamp("us", tz="UTC")),
                    "lon": [p[2] for p in mine],
                    "lat": [p[3] for p in mine],
                }
            ),
            path,
        )
        files.append(path)
    return files


def find_companions(
    session: Session, actor: Actor, *, folder: Path, index_person: int, shoppers: list[int],
    seed: int,
) -> tuple[int, int]:  # fmt: skip
    """Build the data, ingest it, run the job for the infections, record the companions."""
    files = build_location_data(folder / "raw", index_person=index_person, shoppers=shoppers,
                                seed=seed)  # fmt: skip
    rule = get_protocol("cn-8").companions
    ingest(files, folder / "dataset", datum="wgs84", size_m=rule.cell_size_m,
           max_gap_min=rule.max_gap_minutes, now=at(7, 2))  # fmt: skip
    cases, infection_of = cases_from_infections(session, actor=actor)
    result = run_job(folder / "dataset", cases, rule)
    return record_companions(
        session, actor=actor, table=result.table, infection_of=infection_of, now=at(7, 2)
    )
