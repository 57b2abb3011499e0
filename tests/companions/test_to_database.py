"""Companions found in location data become contacts of the case's infection."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.companions.ingest import ingest
from fangkong.companions.job import run_job
from fangkong.companions.service import cases_from_infections, record_companions
from fangkong.core.auth import Actor
from fangkong.people.service import upsert_people
from fangkong.protocol.loader import get_protocol
from fangkong.tracing.models import Contact, ManagementOrder
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.tracing import make_infection
from tests.conftest import NOW


def test_companions_become_contacts_once(session: Session, tracer: Actor, tmp_path: Path) -> None:
    index = make_infection(session, tracer, reported=at(6, 19, 50))
    near, brief = upsert_people(
        session, items=[make_person("同网格甲"), make_person("路过乙")], now=NOW
    ).people
    t0 = at(6, 8)
    rows = []  # (person, time, longitude): every 15 minutes in the case's cell
    for person, minutes in ((index.person_id, 120), (near.id, 60), (9_999_999, 60)):
        start = 30 if person == near.id else 0
        rows += [(person, t0 + timedelta(minutes=start + k), 111.0) for k in range(0, minutes, 15)]
    # Five minutes in the cell, then on to another one far away: not a companion.
    rows += [(brief.id, t0, 111.0), (brief.id, t0 + timedelta(minutes=5), 111.2)]
    table = pa.table(
        {
            "person": pa.array([p for p, _, _ in rows], type=pa.int64()),
            "ts": pa.array([t for _, t, _ in rows], type=pa.timestamp("us", tz="UTC")),
            "lon": [x for _, _, x in rows],
            "lat": [35.03] * len(rows),
        }
    )
    pq.write_table(table, tmp_path / "pings.parquet")
    ingest([tmp_path / "pings.parquet"], tmp_path / "ds", datum="wgs84", size_m=800,
           max_gap_min=30, now=NOW)  # fmt: skip
    cases, infection_of = cases_from_infections(session, actor=tracer)
    result = run_job(tmp_path / "ds", cases, get_protocol("cn-8").companions)
    found = set(result.table.column("person").to_pylist())
    assert near.id in found and 9_999_999 in found and brief.id not in found
    recorded, unknown = record_companions(
        session, actor=tracer, table=result.table, infection_of=infection_of, now=NOW
    )
    assert (recorded, unknown) == (1, 1)
    [contact] = session.scalars(select(Contact).where(Contact.person_id == near.id)).all()
    assert (contact.category, contact.setting, contact.infection_id) == (
        "companion",
        "copresence",
        index.id,
    )
    assert session.scalar(select(ManagementOrder).where(ManagementOrder.contact_id == contact.id))
    again, _ = record_companions(
        session, actor=tracer, table=result.table, infection_of=infection_of, now=NOW
    )
    assert len(session.scalars(select(Contact).where(Contact.person_id == near.id)).all()) == 1
    del again
