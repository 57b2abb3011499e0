"""Forecasts seeded from the live database, and the page that warns before rooms run out."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.deps import TOKEN_COOKIE
from fangkong.forecast.service import forecast
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import make_infection
from tests.conftest import MakeActor


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


def test_the_forecast_page(
    client: TestClient, session: Session, login: Callable[..., dict[str, str]], tracer: Actor,
    monkeypatch: object,
) -> None:  # fmt: skip
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("FANGKONG_CITY_POPULATION", "30000")
    from fangkong.core.settings import get_settings

    get_settings.cache_clear()
    try:
        for k in range(5):
            make_infection(session, tracer, person=make_person(f"病例{k}"), reported=at(9, 8))
        token = login("commander", None)["Authorization"].removeprefix("Bearer ")
        client.cookies.set(TOKEN_COOKIE, token)
        page = client.get("/forecast", params={"as_of": "2022-03-10T12:00", "seeds": 2})
        assert page.status_code == 200
        assert 'id="forecast-chart"' in page.text and "data-forecast" in page.text
        assert "隔离房间" in page.text
    finally:
        get_settings.cache_clear()


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
