"""Fifty staff place fifty households at the same moment into thirty family rooms: every room
ends up with at most one household, and exactly thirty households are placed."""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from sqlalchemy import Engine, func, select

from fangkong.core.auth import Actor, Role
from fangkong.core.db import make_session_factory, transaction
from fangkong.people.schemas import PersonIn
from fangkong.quarantine.models import Room, Stay
from fangkong.quarantine.schemas import PlacementResult
from fangkong.quarantine.service import place_contacts
from fangkong.tracing import service as tracing
from fangkong.users.schemas import UserCreate
from fangkong.users.service import actor_of, create_user
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW

HOUSEHOLDS, FAMILY_ROOMS = 50, 30


def test_fifty_concurrent_placements(fresh_engine: Engine) -> None:
    factory = make_session_factory(fresh_engine)
    with transaction(factory) as session:

        def user(role: Role, county: str | None) -> Actor:
            return actor_of(
                create_user(
                    session,
                    now=NOW,
                    data=UserCreate(
                        username=f"{role}-{county}",
                        display_name=role,
                        password="correct horse battery",
                        role=role,
                        jurisdiction=county,
                    ),
                )
            )

        commander, tracer = user("commander", None), user("tracer", "140821")
        make_site(session, commander, singles=0, families=FAMILY_ROOMS, accessible=0)
        index = make_infection(session, tracer)
        batches = []
        for h in range(HOUSEHOLDS):
            address = f"临猗县猗氏镇某村{h + 1}号"
            members = [
                make_person(f"家{h}甲").model_copy(update={"address": address}),
                make_person(f"家{h}乙").model_copy(update={"address": address}),
            ]
            batches.append(
                tracing.record_contacts(
                    session,
                    actor=tracer,
                    infection_id=index.id,
                    now=NOW,
                    items=[
                        contact_in(PersonIn.model_validate(m.model_dump()), setting="household")
                        for m in members
                    ],
                ).contact_ids
            )

    start = Barrier(HOUSEHOLDS)

    def place(contact_ids: list[int]) -> PlacementResult:
        start.wait()  # all fifty at the same moment
        with transaction(factory) as session:
            return place_contacts(session, actor=tracer, contact_ids=contact_ids, now=NOW)

    with ThreadPoolExecutor(max_workers=HOUSEHOLDS) as pool:
        results = list(pool.map(place, batches))

    placed = [r for r in results if r.placed]
    unplaced = [r for r in results if r.unplaced]
    assert len(placed) == FAMILY_ROOMS and len(unplaced) == HOUSEHOLDS - FAMILY_ROOMS
    assert all(len(r.placed) == 2 and not r.unplaced for r in placed)
    assert all(u.reason == "各隔离点均无空余家庭房" for r in unplaced for u in r.unplaced)
    with transaction(factory) as session:
        households_in: dict[int, set[str]] = defaultdict(set)
        for room_id, household in session.execute(select(Stay.room_id, Stay.household)):
            households_in[room_id].add(household)
        assert len(households_in) == FAMILY_ROOMS
        assert all(len(h) == 1 for h in households_in.values())
        occupied = session.scalar(
            select(func.count()).select_from(Room).where(Room.status == "occupied")
        )
        assert occupied == FAMILY_ROOMS
