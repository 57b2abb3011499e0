"""Forecasts estimated from the live database: how each infection was found, R from the chains,
the unseen infections; ensembles that draw from the estimates; the CSV; the page; bad
moments."""

from __future__ import annotations

import csv
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from fangkong.app import create_app
from fangkong.core.auth import Actor, Role
from fangkong.core.clock import FixedClock
from fangkong.core.db import make_session_factory, transaction
from fangkong.core.errors import InvalidInput
from fangkong.core.settings import get_settings
from fangkong.forecast.cli import write_csv
from fangkong.forecast.estimate import PRIOR_SCALE, PRIOR_SHAPE, estimate
from fangkong.forecast.service import MEASURES, forecast
from fangkong.tracing import service as tracing_service
from fangkong.tracing.figures import Detection, Tracing, detections_until, tracing_until
from fangkong.users.schemas import UserCreate
from fangkong.users.service import actor_of, create_user
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor


def found(k: int, reported: datetime, route: str, source: int | None = None) -> Detection:
    return Detection(k, source, reported - timedelta(hours=6), reported, route)


def test_r_is_counted_from_the_chains_of_community_cases_old_enough() -> None:
    now = at(20, 12)
    detections = [
        found(1, at(15, 8), "community"),  # 5 days old: its chains count
        found(2, at(16, 8), "quarantine", source=1),
        found(3, at(17, 8), "contact", source=1),
        found(4, at(18, 8), "community", source=1),
        found(5, at(19, 8), "community"),  # a day old: too young to count
        found(6, at(19, 9), "quarantine", source=5),
        found(7, at(1, 8), "community"),  # 19 days: counted, no chains
        found(8, at(21, 8), "community", source=1),  # after the moment: unseen
    ]
    e = estimate(detections, now=now)
    assert (e.reported, e.infectors, e.offspring) == (7, 2, 3)
    # Of the last 14 days' 6: three named before sampling, two of them already in quarantine.
    assert e.by_route == {"quarantine": 2, "contact": 1, "community": 3}
    assert (e.traced_a, e.traced_b) == (4.0, 4.0)
    # Tracing links the offspring it finds: the chains speak for that share of them.
    assert e.r_shape == PRIOR_SHAPE + 3
    assert e.r_scale == pytest.approx(1 / (1 / PRIOR_SCALE + 2 * (1 + 3) / (2 + 6)))
    # Free while infectious, found in the last six days: 1, 3, 4, 5; four traced back to them.
    assert (e.seeding, e.seeding_offspring) == (4, 4)
    assert e.hidden_mean == pytest.approx(4 * e.r_mean * 0.5)
    assert e.awaited_mean == pytest.approx(max(4 * e.r_mean * 0.5 - 4, 0))
    assert e.report_delay_hours == 6.0


def test_without_chains_the_prior_speaks_and_the_band_is_wide() -> None:
    e = estimate([found(1, at(6, 19), "community")], now=at(7, 12))
    assert (e.infectors, e.r_shape, e.r_scale) == (0, PRIOR_SHAPE, PRIOR_SCALE)
    low, high = e.r_interval()
    assert low < 0.5 and high > 10


def test_contacts_still_to_be_named_and_where_they_go() -> None:
    now = at(20, 12)
    detections = [
        found(1, at(10, 8), "community"),  # traced: 30 close contacts
        found(2, at(12, 8), "community"),  # traced: 10
        found(3, at(19, 20), "community"),  # still being traced: 4 named so far
        found(4, at(19, 21), "quarantine", source=1),  # its contacts were named already
    ]
    tracing = Tracing(named={1: 30, 2: 10, 3: 4, 4: 0}, placed=38, at_home=2)
    e = estimate(detections, now=now, tracing=tracing)
    assert e.open_named == (4,)
    assert e.contacts_shape == 41.0 and e.contacts_rate == pytest.approx(1 / 20 + 2)
    assert e.to_name_mean == pytest.approx(41 / (1 / 20 + 2) - 4)
    assert (e.placed_a, e.placed_b) == (39.0, 3.0)
    draws = e.draw(20_000, np.random.default_rng(3))
    assert draws.to_name.mean() == pytest.approx(e.to_name_mean, rel=0.05)
    assert draws.placed.mean() == pytest.approx(39 / 42, rel=0.01)


def test_draws_carry_the_uncertainty() -> None:
    detections = [found(k, at(18, 8), "community") for k in range(4)]
    detections += [found(10 + k, at(19, 8), "quarantine", source=k % 2) for k in range(4)]
    e = estimate(detections, now=at(20, 12))
    draws = e.draw(20_000, np.random.default_rng(7))
    assert draws.r.mean() == pytest.approx(e.r_mean, rel=0.05)
    assert draws.traced.mean() == pytest.approx(e.traced_mean, rel=0.05)
    assert draws.hidden.mean() == pytest.approx(e.hidden_mean, rel=0.05)
    # Not one number: runs with no unseen infection, and runs with many.
    assert (draws.hidden == 0).mean() > 0.05 and draws.hidden.max() > 3 * e.hidden_mean


def test_how_each_infection_was_found(session: Session, tracer: Actor) -> None:
    """In quarantine (under control before its sample), a named contact not yet under
    control, or in the community; as things stood at the moment asked."""
    index = make_infection(session, tracer, reported=at(6, 19, 50))
    people = [make_person(f"密接{k}") for k in range(2)]
    named = tracing_service.record_contacts(
        session, actor=tracer, infection_id=index.id, now=NOW,
        items=[contact_in(p, identified=at(6, 21)) for p in people],
    ).contacts  # fmt: skip
    tracing_service.control_contact(session, actor=tracer, contact_id=named[0].id, how="placed",
                            at=at(7, 2), now=NOW)  # fmt: skip
    for person in people:
        make_infection(session, tracer, person=person, sampled_at=at(7, 7), reported=at(7, 20))
    make_infection(session, tracer, person=make_person("社会面"), reported=at(8, 9))
    routes = [d.found for d in detections_until(session, until=at(8, 12))]
    assert routes == ["community", "quarantine", "contact", "community"]
    so_far = tracing_until(session, until=at(8, 12))
    assert so_far.named[index.id] == 2 and (so_far.placed, so_far.at_home) == (1, 0)
    assert tracing_until(session, until=at(6, 20)).named == {index.id: 0}
    assert [d.source_id for d in detections_until(session, until=at(7, 21))][1:] == [index.id] * 2
    assert len(detections_until(session, until=at(7, 12))) == 1


def test_a_forecast_draws_its_runs_from_the_estimate(
    session: Session, tracer: Actor, make_actor: MakeActor, tmp_path: Path
) -> None:
    make_site(session, make_actor("commander", None), singles=5, families=0, accessible=0)
    for k in range(30):
        make_infection(session, tracer, person=make_person(f"病例{k}"), reported=at(7, 8 + k % 10))
    busy = forecast(session, moment=at(8, 12), now=NOW, runs=40, people=50_000)
    assert (busy.estimate.reported, busy.estimate.seeding, busy.rooms_available) == (30, 30, 5)
    assert busy.runs == 40 and len(busy.days) == 14 and busy.days[0].isoformat() == "2022-03-08"
    total = busy.band("detected_total")
    assert (total >= 30).all() and total[-1, 4] > 30  # new detections in the upper runs
    assert (np.diff(total, axis=1) >= 0).all()  # p05 ≤ p25 ≤ … ≤ p95 each day
    assert busy.runs_out_on is not None  # 30 community cases' contacts overflow 5 rooms
    again = forecast(session, moment=at(8, 12), now=NOW, runs=40, people=50_000)
    assert np.array_equal(again.bands, busy.bands)  # the same moment, the same runs
    write_csv(busy, tmp_path / "f.csv")
    with (tmp_path / "f.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["date", "measure", "p05", "p25", "p50", "p75", "p95"]
    assert [r["measure"] for r in rows[::14]] == list(MEASURES) and len(rows) == 4 * 14
    assert all(float(r["p05"]) <= float(r["p50"]) <= float(r["p95"]) for r in rows)


def test_bad_moments_are_named(session: Session, tracer: Actor) -> None:
    with pytest.raises(InvalidInput) as before:
        forecast(session, moment=at(8, 12), now=NOW, runs=2, people=50_000)
    assert before.value.problems[0].loc == ("as_of",)
    assert "无可预测" in before.value.problems[0].msg
    make_infection(session, tracer, reported=at(6, 19, 50))
    with pytest.raises(InvalidInput) as future:
        forecast(session, moment=NOW + timedelta(hours=1), now=NOW, runs=2, people=50_000)
    assert future.value.problems[0].loc == ("as_of",)
    with pytest.raises(InvalidInput) as huge:
        forecast(session, moment=at(8, 12), now=NOW, runs=2, people=1_900_000_000)
    assert huge.value.problems[0].loc == ("city", "people") and "GiB" in huge.value.problems[0].msg


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
            before = client.get("/forecast", params={"as_of": "2022-03-05T12:00"}).text
            assert 'id="forecast-problem"' in before and "无可预测" in before
            ahead = client.get("/forecast", params={"as_of": "2022-03-11T12:00"}).text
            assert 'id="forecast-problem"' in ahead and "未来" in ahead
            page = wait_for_forecast(client, {"as_of": "2022-03-10T12:00", "runs": "4"})
        assert 'id="forecast-chart"' in page and 'id="forecast-detected"' in page
        assert "隔离房间" in page and 'id="forecast-assumptions"' in page and "EpiEstim" in page
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


@pytest.mark.parametrize("day", [7, 8])
def test_the_demos_detections_stay_inside_the_band(demo_session: Session, day: int) -> None:
    """From noon on 7 and on 8 March: every day's 90 % band of infections found so far, to
    21 March, holds what the demo recorded (the rooms' bands are not there yet: docs/sim.md)."""
    found = forecast(demo_session, moment=at(day, 12), now=at(22, 0))
    total = found.band("detected_total")
    for d, when in enumerate(found.days):
        recorded = len(detections_until(demo_session, until=at(when.day, 23, 59)))
        assert total[d, 0] <= recorded <= total[d, 4], (when, recorded, total[d])
    assert found.runs == 200 and found.people > 4_000_000
