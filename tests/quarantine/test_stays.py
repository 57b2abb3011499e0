from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, InvalidInput
from fangkong.quarantine.models import Room
from fangkong.quarantine.schemas import SwabResult
from fangkong.quarantine.service import place_contacts
from fangkong.quarantine.stays import (
    mark_room_ready,
    quarantine_record,
    record_swab_result,
    release_due,
)
from fangkong.tracing import service as tracing
from fangkong.tracing.models import Infection
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor


def placed_stay(session: Session, tracer: Actor, make_actor: MakeActor) -> tuple[int, int]:
    """A close contact exposed at 21:00 on 6 March, placed at noon on 7 March (8th edition:
    swabs on days 1, 4, 7 and 14, i.e. 7, 10, 13 and 20 March)."""
    make_site(session, make_actor("commander", None), singles=2, families=0, accessible=0)
    index = make_infection(session, tracer)
    [contact_id] = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[contact_in(make_person("赵某"), setting="workplace", exposure=at(6, 21))],
    ).contact_ids
    [placed] = place_contacts(session, actor=tracer, contact_ids=[contact_id], now=at(7, 12)).placed
    [stay] = quarantine_record(session, actor=tracer, person_id=placed.person.id)
    return stay.id, placed.person.id


def test_the_swab_schedule_follows_the_protocol(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    stay_id, person_id = placed_stay(session, tracer, make_actor)
    [stay] = quarantine_record(session, actor=tracer, person_id=person_id)
    assert [s.due_on for s in stay.swabs] == [date(2022, 3, d) for d in (7, 10, 13, 20)]
    assert stay.planned_end_at == at(20, 21)


def test_negatives_release_and_the_room_is_cleaned(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    stay_id, person_id = placed_stay(session, tracer, make_actor)
    end = at(20, 21) + timedelta(minutes=1)
    for day in (7, 10, 13):
        record_swab_result(
            session,
            actor=tracer,
            stay_id=stay_id,
            now=at(day, 12),
            data=SwabResult(due_on=date(2022, 3, day), result="negative", sampled_at=at(day, 7)),
        )
    held = release_due(session, actor=tracer, now=end)
    assert held.released == [] and "2022-03-20" in held.held[0].reason
    record_swab_result(
        session,
        actor=tracer,
        stay_id=stay_id,
        now=at(20, 12),
        data=SwabResult(due_on=date(2022, 3, 20), result="negative", sampled_at=at(20, 7)),
    )
    done = release_due(session, actor=tracer, now=end)
    assert [s.id for s in done.released] == [stay_id]
    room = session.scalars(select(Room).where(Room.status == "cleaning")).one()
    mark_room_ready(session, actor=tracer, room_id=room.id)
    assert room.status == "ready"
    with pytest.raises(Conflict):
        mark_room_ready(session, actor=tracer, room_id=room.id)


def test_a_positive_swab_opens_an_infection(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    stay_id, person_id = placed_stay(session, tracer, make_actor)
    record_swab_result(
        session,
        actor=tracer,
        stay_id=stay_id,
        now=at(10, 11),
        data=SwabResult(due_on=date(2022, 3, 10), result="positive", sampled_at=at(10, 7)),
    )
    infection = session.scalars(select(Infection).where(Infection.person_id == person_id)).one()
    assert infection.source_infection_id is not None and infection.kind == "asymptomatic"
    [stay] = quarantine_record(session, actor=tracer, person_id=person_id)
    assert (stay.released_at, stay.end_reason) == (at(10, 11), "infected")
    assert [s.due_on.day for s in stay.swabs] == [7, 10]  # 13 and 20 March cancelled
    with pytest.raises(InvalidInput, match="尚未解除隔离"):
        from fangkong.quarantine.papers import render_papers

        render_papers(session, actor=tracer, stay_ids=[stay_id], kind="release", now=at(10, 12))
    assert session.scalars(select(Room.status)).all().count("cleaning") == 1


def test_bad_results(session: Session, tracer: Actor, make_actor: MakeActor) -> None:
    stay_id, _ = placed_stay(session, tracer, make_actor)
    with pytest.raises(InvalidInput, match="2022-03-08 没有安排核酸检测"):
        record_swab_result(
            session,
            actor=tracer,
            stay_id=stay_id,
            now=at(8, 12),
            data=SwabResult(due_on=date(2022, 3, 8), result="negative", sampled_at=at(8, 7)),
        )
    with pytest.raises(InvalidInput, match="晚于当前时间"):
        record_swab_result(
            session,
            actor=tracer,
            stay_id=stay_id,
            now=at(7, 6),
            data=SwabResult(due_on=date(2022, 3, 7), result="negative", sampled_at=at(7, 7)),
        )
    ok = SwabResult(due_on=date(2022, 3, 7), result="negative", sampled_at=at(7, 7))
    record_swab_result(session, actor=tracer, stay_id=stay_id, now=at(7, 12), data=ok)
    record_swab_result(session, actor=tracer, stay_id=stay_id, now=at(7, 12), data=ok)  # no change
    with pytest.raises(Conflict):
        record_swab_result(
            session,
            actor=tracer,
            stay_id=stay_id,
            now=at(7, 13),
            data=ok.model_copy(update={"result": "positive"}),
        )
