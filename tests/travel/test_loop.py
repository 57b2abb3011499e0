"""The inbound closed loop: risk areas, paths from the protocol, steps, late alerts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import Forbidden, InvalidInput
from fangkong.travel import service
from fangkong.travel.schemas import ArrivalIn, CheckpointIn, StepIn
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.conftest import MakeActor

RISK_CSV = (
    "地区,风险等级,起始日期,解除日期\n"
    "陕西省西安市雁塔区,高风险,2022-02-25,2022-03-10\n"
    "陕西省西安市,中风险,2022-03-01,\n"
    "北京市朝阳区,低风险,2022-03-01,\n"
).encode()


@pytest.fixture
def station(session: Session, make_actor: MakeActor) -> int:
    return service.add_checkpoint(
        session,
        actor=make_actor("commander", None),
        data=CheckpointIn(name="运城北站", kind="hsr", county_code="140802"),
    ).id


def test_a_county_adds_checkpoints_in_its_own_county_only(session: Session, tracer: Actor) -> None:
    with pytest.raises(Forbidden):
        service.add_checkpoint(
            session,
            actor=tracer,
            data=CheckpointIn(name="运城北站", kind="hsr", county_code="140802"),
        )
    assert service.add_checkpoint(
        session,
        actor=tracer,
        data=CheckpointIn(name="临猗站", kind="rail", county_code="140821"),
    ).id


def arrive(session: Session, actor: Actor, checkpoint: int | None, origin: str, day: int) -> int:
    return service.register_arrival(
        session,
        actor=actor,
        now=at(10, 12),
        data=ArrivalIn(
            person=make_person(f"返乡{origin[-3:]}{day}"),
            checkpoint_id=checkpoint,
            origin=origin,
            mode="train",
            vehicle="D2535",
            seat="05车12F",
            departed_at=at(day, 15),
            arrived_at=at(day, 18),
        ),
    ).id


def test_the_path_comes_from_the_risk_list_as_it_stood_when_they_left(
    session: Session, tracer: Actor, station: int
) -> None:
    first = service.import_risk_areas(
        session, actor=tracer, filename="risk.csv", content=RISK_CSV, now=at(10, 12)
    )
    again = service.import_risk_areas(
        session, actor=tracer, filename="risk.csv", content=RISK_CSV, now=at(10, 12)
    )
    assert (first.added, again.added, again.already) == (3, 0, 3)
    high = arrive(session, tracer, station, "陕西省西安市雁塔区某街道", 4)
    medium = arrive(session, tracer, station, "陕西省西安市未央区", 4)
    before = arrive(session, tracer, station, "陕西省西安市未央区", 1)  # 中风险 from 1 March
    none = arrive(session, tracer, station, "山西省太原市", 4)
    shown = {a.id: a for a in service.list_arrivals(session, actor=tracer, as_of=at(10, 12))}
    assert (shown[high].risk_level, shown[high].path, shown[high].days) == (
        "high",
        "central_quarantine",
        14,
    )
    assert (shown[medium].risk_level, shown[medium].path) == ("medium", "test_home_monitoring")
    assert shown[before].risk_level == "medium"
    assert (shown[none].risk_level, shown[none].path) == (None, "test_only")


def test_late_steps_raise_alerts_naming_the_step_and_how_late(
    session: Session, tracer: Actor, station: int
) -> None:
    service.import_risk_areas(
        session, actor=tracer, filename="risk.csv", content=RISK_CSV, now=at(10, 12)
    )
    high = arrive(session, tracer, station, "陕西省西安市雁塔区", 4)  # arrived 4 March 18:00
    # Landing test due within 24 h (5 March 18:00), transfer within 12 h (06:00).
    [waiting] = [a for a in service.list_arrivals(session, actor=tracer, as_of=at(5, 4))]
    assert (waiting.next_step, waiting.late_hours) == ("tested", None)
    [late] = service.alerts(session, actor=tracer, as_of=at(5, 20))
    assert (late.id, late.next_step, late.late_hours) == (high, "tested", 2.0)
    service.record_step(
        session,
        actor=tracer,
        arrival_id=high,
        data=StepIn(step="tested", at=at(4, 19)),
        now=at(10, 12),
    )
    [late] = service.alerts(session, actor=tracer, as_of=at(5, 12))
    assert (late.next_step, late.late_hours) == ("transferred", 6.0)  # due 06:00, it is 12:00
    assert late.name == "返乡雁塔区4"
    with pytest.raises(InvalidInput, match="须先完成“转运”"):
        service.record_step(
            session,
            actor=tracer,
            arrival_id=high,
            data=StepIn(step="placed", at=at(5, 13)),
            now=at(10, 12),
        )
    service.record_step(
        session,
        actor=tracer,
        arrival_id=high,
        data=StepIn(step="transferred", at=at(5, 13)),
        now=at(10, 12),
    )
    service.record_step(
        session,
        actor=tracer,
        arrival_id=high,
        data=StepIn(step="placed", at=at(5, 14)),
        now=at(10, 12),
    )
    assert service.alerts(session, actor=tracer, as_of=at(10, 12)) == []  # released on the 19th


def test_bad_input_is_named(session: Session, tracer: Actor, station: int) -> None:
    with pytest.raises(InvalidInput) as error:
        arrive(session, tracer, 999, "陕西省西安市", 4)
    assert error.value.problems[0].loc == ("checkpoint_id",)
    bad = "地区,风险等级,起始日期\n陕西省西安市,极高,2022-03-01\n".encode()
    with pytest.raises(InvalidInput) as error:
        service.import_risk_areas(
            session, actor=tracer, filename="r.csv", content=bad, now=at(10, 12)
        )
    assert error.value.problems[0].loc == ("row 2", "风险等级")


def test_arrivals_over_the_api(
    client: TestClient, session: Session, login: Callable[..., dict[str, str]]
) -> None:
    boss = login("commander", None)
    made = client.post(
        "/api/travel/checkpoints",
        headers=boss,
        json={"name": "运城关公机场", "kind": "airport", "county_code": "140802"},
    )
    assert made.status_code == 201
    files = {"file": ("risk.csv", RISK_CSV, "text/csv")}
    assert (
        client.post("/api/travel/risk-areas/import", headers=boss, files=files).json()["added"] == 3
    )
    body = {
        "person": {"name": "返乡人员", "id_number": "140821198806120312"},
        "checkpoint_id": made.json()["id"], "origin": "陕西省西安市雁塔区", "mode": "flight",
        "vehicle": "MU2101", "departed_at": "2022-03-04T15:00", "arrived_at": "2022-03-04T18:00",
    }  # fmt: skip
    arrived = client.post("/api/travel/arrivals", headers=boss, json=body)
    assert arrived.status_code == 201 and arrived.json()["path"] == "central_quarantine"
    no_origin = client.post("/api/travel/arrivals", headers=boss, json={**body, "origin": ""})
    assert no_origin.status_code == 422 and "origin" in no_origin.text
    alerts = client.get(
        "/api/travel/alerts", headers=boss, params={"as_of": "2022-03-05T20:00"}
    ).json()
    assert alerts[0]["next_step"] == "tested" and alerts[0]["late_hours"] == 2.0


def test_the_loop_takes_its_steps_from_what_the_other_domains_saw(
    session: Session, tracer: Actor, station: int
) -> None:
    """The landing test is the first swab since landing, wherever it was recorded: here the
    sample that found an infection. Nobody types the step; the code turns from yellow."""
    from fangkong.healthcode.service import healthcode
    from fangkong.tracing import service as tracing
    from fangkong.tracing.schemas import InfectionCreate

    service.import_risk_areas(
        session, actor=tracer, filename="r.csv", content=RISK_CSV, now=at(10, 8)
    )
    arrival_id = arrive(session, tracer, station, "陕西省西安市未央区", 4)
    [before] = service.list_arrivals(session, actor=tracer, as_of=at(5, 8))
    assert (before.next_step, before.steps["tested"]) == ("tested", None)
    tracing.record_infection(
        session, actor=tracer, now=at(5, 20),
        data=InfectionCreate(person_id=before.person_id, kind="asymptomatic",
                             sampled_at=at(5, 9), reported_at=at(5, 19)),
    )  # fmt: skip
    [after] = service.list_arrivals(session, actor=tracer, as_of=at(5, 20))
    assert after.id == arrival_id and after.steps["tested"] == at(5, 9)
    assert after.next_step != "tested"
    verdict, changes = healthcode(session, actor=tracer, person_id=after.person_id, as_of=at(5, 20))
    assert [(t, c) for t, c, _ in changes][:2] == [(at(4, 18), "yellow"), (at(5, 9), "green")]
    assert verdict.colour == "red"  # and now infected
