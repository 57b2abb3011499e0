"""Companions into the operational database: cases from its infections, companions back as
contacts of category `companion` with the protocol's order. Raw pings never enter it; only
the companions found do, as contacts."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

import pyarrow as pa
from sqlalchemy.orm import Session

from fangkong.companions.job import Case
from fangkong.core.auth import Actor
from fangkong.core.geo import cell_centres, cell_name
from fangkong.people.schemas import PersonIn
from fangkong.people.service import people_by_id
from fangkong.tracing.schemas import ContactCreate
from fangkong.tracing.service import list_infections, record_contacts


def cases_from_infections(
    session: Session, *, actor: Actor, infection_ids: Sequence[int] | None = None
) -> tuple[list[Case], dict[int, int]]:
    """Cases for the job (the location data's `person` is the registry's person id) and the
    infection each case person stands for."""
    cases, of = [], {}
    for infection in list_infections(session, actor=actor, infection_ids=infection_ids):
        cases.append(Case(infection.person_id, infection.reported_at))
        of[infection.person_id] = infection.id
    return cases, of


def record_companions(
    session: Session, *, actor: Actor, table: pa.Table, infection_of: dict[int, int],
    now: datetime,
) -> tuple[int, int]:  # fmt: skip
    """Each companion known to the registry becomes a `companion` contact of the case's
    infection (the protocol issues the order); infected people are left out. Returns
    (recorded, not in the registry). Recording the same again changes nothing."""
    rows = [r for r in table.to_pylist() if not r["infected"] and r["case"] in infection_of]
    ids = {r["person"] for r in rows}
    # The companions of cases the actor's scope gave; recorded through tracing, which
    # checks the actor's jurisdiction for each person.
    people = people_by_id(session, ids)
    by_infection: dict[int, list[ContactCreate]] = defaultdict(list)
    unknown = 0
    for r in rows:
        person = people.get(r["person"])
        if person is None:
            unknown += 1
            continue
        by_infection[infection_of[r["case"]]].append(
            ContactCreate(
                person=PersonIn(
                    name=person.name,
                    id_number=person.id_number,
                    passport=person.passport,
                    phone=person.phone,
                    address=person.address,
                    county_code=person.county_code,
                ),
                category="companion",
                setting="copresence",
                exposure_at=r["last_overlap"],
                identified_at=now,
                note=f"时空伴随 {r['minutes']:.0f} 分钟，{r['cells']} 个网格",
                # The shared cells, named, so the infection's page can draw them.
                place=" ".join(cell_name(c) for c in (r.get("cell_ids") or [])[:10]),
            )
        )
    recorded = 0
    for infection_id, items in by_infection.items():
        done = record_contacts(
            session, actor=actor, infection_id=infection_id, items=items, now=now
        )
        recorded += len(done.contact_ids)
    return recorded, unknown


CELL_NAME = re.compile(r"E(\d+)N(\d+)")


def shared_cells(places: Sequence[str], *, size_m: int) -> list[dict[str, object]]:
    """Map points for the companions' shared cells (named in each contact's place): the
    cell's centre and how many companions shared it."""
    counts: dict[int, int] = defaultdict(int)
    for place in places:
        for col, row in CELL_NAME.findall(place or ""):
            counts[(int(col) << 32) | int(row)] += 1
    ids = sorted(counts)
    centres = cell_centres(ids, size_m=size_m) if ids else []
    return [
        {"name": cell_name(c), "value": [lon, lat, counts[c]]}
        for c, (lon, lat) in zip(ids, centres, strict=True)
    ]
