"""Forecasts seeded from the live database, and the page that warns before rooms run out."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fangkong.app import create_app
from fangkong.core.auth import Actor, Role
from fangkong.core.clock import FixedClock
from fangkong.core.db import make_session_factory, transaction
from fangkong.core.settings import get_settings
from fangkong.forecast.service import forecast
from fangkong.users.schemas import UserCreate
from fangkong.users.service import actor_of, create_user
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import make_infection
from tests.conftest import NOW, MakeActor


def test_a_forecast_from_the_live_state_warns_before_rooms_run_out(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    make_site(session, make_actor("commander", None), singles=5, families=0, accessible=0)
    quiet = forecast(session, now=at(8, 12), seeds=2, people=50_000)
    assert quiet.runs == 0 and quiet.runs_out_on is None  # nothing recent: nothing to run
    for k in range(30):
        make_infection(session, tracer, person=make_person(f"病例{k}"), reported=at(7, 8 + k % 10))
    busy = forecast(session, now=at(8, 12), seeds=3, people=50_000)
    assert (busy.recent_infections, busy.rooms_available, busy.runs) == (30, 5, 3)
    assert len(busy.days) == 14 and busy.days[0].isoformat() == "2022-03-08"
    assert max(high for _, _, high in busy.rooms_needed) > 5
    assert busy.runs_out_on is not None  # 30 hidden infections' contacts overflow 5 rooms
    assert all(low <= mid <= high for low, mid, high in busy.rooms_needed)


def test_the_forecast_page(fresh_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a database of its own: the runs read it from their own thread and connection while
    the page answers, as in production."""
    monkeypatch.setenv("FANGKONG_CITY_POPULATION", "30000")
    get_settings.cache_clear()
    factory = make_session_factory(fresh_engine)
    try:
        with transaction(factory) as session:
            tracer = actor_of(create_user(session, data=user("tracer", "140821"), now=NOW))
            create_user(session, data=user("commander", None), now=NOW)
            for k in range(5):
                make_infection(session, tracer, person=make_person(f"病例{k}"), reported=at(9, 8))
        app = create_app(session_factory=factory, clock=FixedClock(NOW))
        with TestClient(app) as client:
            client.post("/login", data={"username": "commander", "password": PASSWORD})
            page = wait_for_forecast(client, {"as_of": "2022-03-10T12:00", "seeds": "2"})
        assert 'id="forecast-chart"' in page and "data-forecast" in page
        assert "隔离房间" in page
    finally:
        get_settings.cache_clear()


PASSWORD = "correct horse battery"


def user(role: Role, jurisdiction: str | None) -> UserCreate:
    return UserCreate(username=role, display_name=role, password=PASSWORD, role=role,
                      jurisdiction=jurisdiction)  # fmt: skip


def wait_for_forecast(client: TestClient, params: dict[str, str]) -> str:
    """The page as a browser ends up with it: progress first, polled until the runs are done."""
    first = client.get("/forecast", params=params)
    assert first.status_code == 200 and 'id="forecast-progress"' in first.text
    for _ in range(1200):
        state = client.get("/forecast/progress", params=params).json()
        assert not state["failed"]
        if state["finished"]:
            break
        time.sleep(0.1)
    return str(client.get("/forecast", params=params).text)


def test_a_scenario_filled_from_the_database(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    import tomllib

    from fangkong.forecast.capacities import CONTACTS_PER_TRACER, scenario_from_database, to_toml
    from fangkong.sim.scenario import check_scenario
    from fangkong.testing import labs
    from tests.builders.testing import city_labs

    commander = make_actor("commander", None)
    make_site(session, commander, singles=7, families=2, accessible=1)
    labs.save_labs(session, actor=commander, labs=city_labs())
    data = scenario_from_database(session)
    assert data["response"]["rooms"] == 10
    assert data["response"]["lab_tubes_per_day"] == 24_000 + 4_800
    assert data["response"]["tracing_per_day"] == CONTACTS_PER_TRACER  # the one tracer
    assert data["protocol"] == "cn-8" and data["city"]["counties"] == 13
    again = tomllib.loads(to_toml(data))
    assert again == data
    check_scenario(again)
