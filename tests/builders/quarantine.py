"""Quarantine sites with rooms, made through the quarantine service."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.quarantine.models import Site, Stay
from fangkong.quarantine.schemas import RoomIn, SiteCreate
from fangkong.quarantine.service import create_site, place_contacts
from fangkong.tracing import service as tracing
from tests.builders.moments import NOW, at
from tests.builders.people import make_person
from tests.builders.tracing import contact_in, make_infection

OPENED = at(6, 0)  # sites open the morning the outbreak is found


def make_site(
    session: Session,
    actor: Actor,
    *,
    name: str = "临猗县某酒店",
    county: str = "140821",
    singles: int = 5,
    families: int = 2,
    accessible: int = 1,
    lon: float | None = 110.77,
    lat: float | None = 35.14,
) -> Site:
    rooms = [
        RoomIn(building="A", floor=1 + i // 20, number=f"S{i + 1:03d}") for i in range(singles)
    ]
    rooms += [RoomIn(building="B", number=f"F{i + 1:03d}", kind="family") for i in range(families)]
    rooms += [
        RoomIn(building="C", number=f"W{i + 1:03d}", kind="accessible") for i in range(accessible)
    ]
    return create_site(
        session,
        actor=actor,
        now=OPENED,
        data=SiteCreate(name=name, kind="hotel", county_code=county, lon=lon, lat=lat, rooms=rooms),
    )


def placed(session: Session, tracer: Actor, commander: Actor, n: int = 3) -> list[int]:
    """`n` workplace contacts of a new infection, placed in a new site on 7 March: their stays."""
    make_site(session, commander, singles=n, families=0, accessible=0)
    index = make_infection(session, tracer)
    ids = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[
            contact_in(make_person(f"赵某{i}"), setting="workplace", exposure=at(6, 21))
            for i in range(n)
        ],
    ).contact_ids
    place_contacts(session, actor=tracer, contact_ids=ids, now=at(7, 12))
    return list(session.scalars(select(Stay.id).order_by(Stay.id)))
