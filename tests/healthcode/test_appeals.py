"""Appeals: filed with the right to see the person, decided by a reviewer, kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from fangkong.healthcode import service
from fangkong.people.service import upsert_people
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.conftest import NOW, MakeActor


def test_an_upheld_appeal_sets_the_colour_until_a_time(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    from fangkong.testing import service as testing
    from fangkong.testing.schemas import RoundCreate

    commander = make_actor("commander", None)
    [person] = upsert_people(session, items=[make_person("居民戊")], now=NOW).people
    round_ = testing.create_round(
        session,
        actor=commander,
        now=at(9, 6),
        data=RoundCreate(name="全员", area="county", county_code="140821", starts_at=at(9, 7)),
    )
    testing.close_round(session, actor=commander, round_id=round_.id, now=at(9, 20))
    assert (
        service.healthcode(session, actor=tracer, person_id=person.id, as_of=at(10, 8))[0].colour
        == "yellow"
    )
    appeal = service.file_appeal(
        session,
        actor=tracer,
        person_id=person.id,
        reason="当日外出就医，已在医院检测",
        now=at(10, 8),
    )
    assert (appeal.colour_then, appeal.status) == ("yellow", "pending")

    def decide(actor: Actor, *, uphold: bool, until: datetime | None) -> None:
        service.decide_appeal(
            session, actor=actor, appeal_id=appeal.id, uphold=uphold, decision="核实医院检测阴性",
            colour="green" if uphold else None, until=until, now=at(10, 9),
        )  # fmt: skip

    with pytest.raises(Forbidden):
        decide(tracer, uphold=True, until=at(12, 0))
    with pytest.raises(InvalidInput, match="until"):
        decide(commander, uphold=True, until=None)
    decide(commander, uphold=True, until=at(12, 0))
    upheld = service.healthcode(session, actor=tracer, person_id=person.id, as_of=at(10, 10))[0]
    assert (upheld.colour, upheld.until) == ("green", at(12, 0))
    assert upheld.reasons[0].startswith("申诉复核改码")
    assert (
        service.healthcode(session, actor=tracer, person_id=person.id, as_of=at(12, 1))[0].colour
        == "yellow"
    )
    with pytest.raises(Conflict):
        decide(commander, uphold=False, until=None)


def test_no_appeal_for_someone_one_may_not_see(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    [person] = upsert_people(session, items=[make_person("居民己")], now=NOW).people
    with pytest.raises(NotFound):
        service.file_appeal(
            session,
            actor=make_actor("tracer", "140802"),
            person_id=person.id,
            reason="代为申诉",
            now=NOW,
        )
    with pytest.raises(Forbidden):
        service.file_appeal(
            session,
            actor=make_actor("viewer", None),
            person_id=person.id,
            reason="代为申诉",
            now=NOW,
        )


def test_appeals_over_the_api(
    client: TestClient, session: Session, login: Callable[..., dict[str, str]]
) -> None:
    [person] = upsert_people(session, items=[make_person("居民庚")], now=NOW).people
    tracer, boss = login("tracer", "140821"), login("commander", None)
    filed = client.post(
        f"/api/people/{person.id}/appeals", headers=tracer, json={"reason": "信息有误"}
    )
    assert filed.status_code == 201 and filed.json()["status"] == "pending"
    queue = client.get("/api/appeals", headers=boss).json()
    assert queue[0]["id"] == filed.json()["id"] and queue[0]["name"] == "居民庚"
    decided = client.post(
        f"/api/appeals/{filed.json()['id']}/decision",
        headers=boss,
        json={"uphold": False, "decision": "无误，维持"},
    )
    assert decided.json()["status"] == "rejected" and decided.json()["decided_by"]
    assert (
        client.post(
            f"/api/appeals/{filed.json()['id']}/decision",
            headers=tracer,
            json={"uphold": False, "decision": "x1"},
        ).status_code
        == 403
    )
