"""Health-code colours from the live state, with the deciding rule and when they turn back."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.healthcode.rules import Episode, colour_at, history
from fangkong.healthcode.service import healthcode
from fangkong.people.service import upsert_people
from fangkong.testing import service as testing
from fangkong.testing.schemas import RoundCreate, SiteIn
from fangkong.tracing import service as tracing
from fangkong.travel import service as travel
from fangkong.travel.schemas import ArrivalIn, StepIn
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor


def test_the_most_severe_episode_decides_and_says_when_it_ends() -> None:
    episodes = [
        Episode("yellow", "次密接居家健康监测", at(7, 0), at(14, 0)),
        Episode("red", "密接集中隔离", at(8, 0), at(22, 0)),
    ]
    assert colour_at(episodes, at(6, 0)).colour == "green"
    seven = colour_at(episodes, at(7, 12))
    assert (seven.colour, seven.reasons, seven.until) == (
        "yellow",
        ["次密接居家健康监测"],
        at(14, 0),
    )
    ten = colour_at(episodes, at(10, 0))
    assert (ten.colour, ten.reasons[0], ten.until) == ("red", "密接集中隔离", at(22, 0))
    assert [(c, r) for _, c, r in history(episodes)] == [
        ("yellow", "次密接居家健康监测"),
        ("red", "密接集中隔离"),
        ("green", "无风险"),
    ]


def test_colours_follow_the_state_behind_them(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    index = make_infection(session, tracer, reported=at(6, 19, 50))
    ids = tracing.record_contacts(
        session, actor=tracer, infection_id=index.id, now=NOW,
        items=[contact_in(make_person("密接甲"), exposure=at(6, 8))],
    ).contact_ids  # fmt: skip
    close = tracing.load_contacts(session, ids)[0]
    assert (
        healthcode(session, actor=tracer, person_id=index.person_id, as_of=at(7, 0))[0].colour
        == "red"
    )
    verdict, changes = healthcode(session, actor=tracer, person_id=close.person_id, as_of=at(8, 0))
    assert verdict.colour == "red" and verdict.reasons[0].startswith("密接")
    assert verdict.until is not None and verdict.until > at(8, 0)
    assert changes[0][1] == "red"
    # A resident a closed round missed is yellow until sampled again.
    commander = make_actor("commander", None)
    [resident] = upsert_people(session, items=[make_person("居民丙")], now=NOW).people
    round_ = testing.create_round(
        session, actor=commander, now=at(9, 6),
        data=RoundCreate(name="全员", area="county", county_code="140821", starts_at=at(9, 7),
                         sites=[SiteIn(name="点", county_code="140821", per_hour=100, staff=2)]),
    )  # fmt: skip
    testing.close_round(session, actor=commander, round_id=round_.id, now=at(9, 20))
    missed = healthcode(session, actor=tracer, person_id=resident.id, as_of=at(10, 8))[0]
    assert (missed.colour, missed.reasons[0]) == ("yellow", "应检未检（全员）")
    assert (
        healthcode(session, actor=tracer, person_id=resident.id, as_of=at(9, 12))[0].colour
        == "green"
    )


def test_an_arrival_from_a_risk_area_is_yellow_until_tested(
    session: Session, tracer: Actor
) -> None:
    travel.import_risk_areas(
        session, actor=tracer, filename="r.csv", now=NOW,
        content="地区,风险等级,起始日期\n陕西省西安市,中风险,2022-03-01\n".encode(),
    )  # fmt: skip
    arrival = travel.register_arrival(
        session, actor=tracer, now=NOW,
        data=ArrivalIn(person=make_person("返乡丁"), origin="陕西省西安市", mode="train",
                       departed_at=at(4, 15), arrived_at=at(4, 18)),
    )  # fmt: skip
    before = healthcode(session, actor=tracer, person_id=arrival.person_id, as_of=at(4, 20))[0]
    assert (before.colour, before.reasons[0]) == ("yellow", "来自陕西省西安市，待落地检")
    travel.record_step(
        session,
        actor=tracer,
        arrival_id=arrival.id,
        data=StepIn(step="tested", at=at(5, 9)),
        now=NOW,
    )
    after = healthcode(session, actor=tracer, person_id=arrival.person_id, as_of=at(5, 10))[0]
    assert after.colour == "green"  # the next read sees the change: nothing is cached


def test_the_code_over_the_api(
    client: TestClient, session: Session, tracer: Actor, login: Callable[..., dict[str, str]]
) -> None:
    index = make_infection(session, tracer, reported=at(6, 19, 50))
    headers = login("tracer", "140821")
    body = client.get(
        f"/api/people/{index.person_id}/healthcode",
        headers=headers,
        params={"as_of": "2022-03-07T12:00"},
    ).json()
    assert body["colour"] == "red" and body["history"][0]["colour"] == "red"
    assert body["until"].startswith("2022-03-27")  # 21 days after the report, then yellow
    other = login("tracer", "140802")  # another county's tracer
    assert client.get(f"/api/people/{index.person_id}/healthcode", headers=other).status_code in (
        403,
        404,
    )
