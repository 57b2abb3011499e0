"""The platform clock: one moment for pages, API defaults and commands; a replay's clock steps
through its days from the header or the API and every process follows; production refuses a
fixed clock unless asked."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from fangkong.app import create_app
from fangkong.cli import app as cli
from fangkong.core.auth import Role
from fangkong.core.clock import FixedClock, ReplayClock, ReplaySpan, SystemClock, load_replay
from fangkong.core.platform_clock import clock_from_setting, platform_clock, start_replay
from fangkong.core.settings import Settings
from tests.conftest import NOW, Login

CST = ZoneInfo("Asia/Shanghai")
OPENS = datetime(2022, 3, 8, 20, 0, tzinfo=CST)
SPAN = ReplaySpan(datetime(2022, 3, 6, 0, 0, tzinfo=CST), datetime(2022, 3, 21, 23, 59, tzinfo=CST))


@pytest.fixture
def replay(tmp_path: Path) -> ReplayClock:
    return start_replay(tmp_path, OPENS, SPAN)


@pytest.fixture
def replay_client(session_factory: sessionmaker[Session], replay: ReplayClock) -> TestClient:
    return TestClient(create_app(session_factory=session_factory, clock=replay))


def _board_as(client: TestClient, login: Login, role: Role) -> str:
    """The board's page as a signed-in user of this role sees it."""
    headers = login(role)
    client.cookies.set("fangkong_token", headers["Authorization"].removeprefix("Bearer "))
    page: str = client.get("/board").text
    return page


def test_api_clock_reads_the_replay_and_a_commander_steps_it(
    replay_client: TestClient, replay: ReplayClock, login: Login
) -> None:
    seen = replay_client.get("/api/clock").json()
    assert (seen["local"], seen["kind"], seen["running"]) == ("2022-03-08 20:00", "replay", False)
    assert seen["replay_from"].startswith("2022-03-06")

    headers = login("commander")
    stepped = replay_client.put("/api/clock", json={"at": "2022-03-13T12:00"}, headers=headers)
    assert stepped.status_code == 200, stepped.text
    assert stepped.json()["local"] == "2022-03-13 12:00"
    # Another process (a second worker, a command) reading the same file sees the step.
    assert replay.path is not None
    assert load_replay(replay.path).now() == datetime(2022, 3, 13, 12, 0, tzinfo=CST)


def test_every_reader_of_the_file_follows_a_step(replay: ReplayClock) -> None:
    assert replay.path is not None
    other = load_replay(replay.path)
    for day in (9, 10, 11):
        replay.set(datetime(2022, 3, day, 8, 0, tzinfo=CST))
        assert other.now() == datetime(2022, 3, day, 8, 0, tzinfo=CST)


@pytest.mark.parametrize("at", ["2022-03-05T23:00", "2022-03-22T00:30", "2026-11-30T09:00"])
def test_a_step_outside_the_replay_names_the_field(
    replay_client: TestClient, login: Login, at: str
) -> None:
    answer = replay_client.put("/api/clock", json={"at": at}, headers=login("commander"))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["body", "at"]
    assert replay_client.get("/api/clock").json()["local"] == "2022-03-08 20:00"


@pytest.mark.parametrize("role", ["tracer", "viewer"])
def test_only_commanders_and_admins_step_the_clock(
    replay_client: TestClient, login: Login, role: Role
) -> None:
    headers = login(role)
    answer = replay_client.put("/api/clock", json={"at": "2022-03-13T12:00"}, headers=headers)
    assert answer.status_code == 403
    assert replay_client.get("/api/clock").json()["local"] == "2022-03-08 20:00"


def test_the_wall_clock_is_not_stepped(
    session_factory: sessionmaker[Session], login: Login
) -> None:
    wall = TestClient(create_app(session_factory=session_factory, clock=SystemClock()))
    seen = wall.get("/api/clock").json()
    assert seen["kind"] == "wall"
    assert abs(datetime.fromisoformat(seen["now"]) - SystemClock().now()) < timedelta(minutes=1)
    # A clock fixed by the code (the tests' own) is not a replay's either.
    client = TestClient(create_app(session_factory=session_factory, clock=FixedClock(NOW)))
    answer = client.put("/api/clock", json={"at": "2022-03-13T12:00"}, headers=login("admin"))
    assert answer.status_code == 409


def test_the_header_shows_the_time_and_lets_a_commander_step_it(
    replay_client: TestClient, login: Login
) -> None:
    page = _board_as(replay_client, login, "commander")
    assert "平台时间 <b>2022-03-08 20:00</b>" in page
    assert '<option value="2022-03-06"' in page and '<option value="2022-03-21"' in page
    assert 'value="2022-03-08" selected' in page

    stepped = replay_client.post(
        "/clock",
        data={"day": "2022-03-13", "hour": "12"},
        headers={"referer": "http://testserver/board?as_of=2022-03-07T20:00&county=140821"},
        follow_redirects=False,
    )
    assert stepped.status_code == 303
    assert stepped.headers["location"] == "/board?county=140821"
    assert "平台时间 <b>2022-03-13 12:00</b>" in replay_client.get("/board").text


def test_other_roles_see_the_time_without_the_control(
    replay_client: TestClient, login: Login
) -> None:
    page = _board_as(replay_client, login, "tracer")
    assert "2022-03-08 20:00" in page
    assert '<select name="day"' not in page
    answer = replay_client.post("/clock", data={"day": "2022-03-13", "hour": "12"})
    assert answer.status_code == 403
    assert replay_client.get("/api/clock").json()["local"] == "2022-03-08 20:00"


def test_production_refuses_a_fixed_clock_unless_asked(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="FANGKONG_ALLOW_FIXED_CLOCK"):
        Settings(environment="production", secret_key="s" * 32, clock="2022-03-08 20:00")
    allowed = Settings(
        environment="production", secret_key="s" * 32, clock="2022-03-08 20:00",
        allow_fixed_clock=True,
    )  # fmt: skip
    assert platform_clock(allowed).now() == OPENS

    start_replay(tmp_path, OPENS, SPAN)
    production = Settings(environment="production", secret_key="s" * 32, data_dir=tmp_path)
    with pytest.raises(ValueError, match="clock.json"):
        platform_clock(production)
    assert platform_clock(Settings(data_dir=tmp_path)).now() == OPENS
    assert isinstance(platform_clock(Settings(data_dir=tmp_path / "none")), SystemClock)


def test_the_clock_setting_stands_or_runs() -> None:
    standing = clock_from_setting("2022-03-08 20:00")
    assert standing.now() == OPENS and not standing.time.running
    running = clock_from_setting("2022年3月8日20时 running")
    assert running.time.running and OPENS <= running.now() < OPENS + timedelta(minutes=1)
    with pytest.raises(ValueError, match="FANGKONG_CLOCK"):
        clock_from_setting("tomorrow")


def test_commands_read_and_step_the_demo_clock(demo_cli: CliRunner) -> None:
    shown = demo_cli.invoke(cli, ["clock"])
    assert shown.exit_code == 0, shown.output
    assert "2022-03-08 20:00 (回放)" in shown.output
    stepped = demo_cli.invoke(cli, ["clock", "--set", "2022-03-13 12:00"])
    assert "2022-03-13 12:00" in stepped.output
    refused = demo_cli.invoke(cli, ["clock", "--set", "2022-04-01 12:00"])
    assert refused.exit_code == 2
    assert "2022-03-13 12:00" in demo_cli.invoke(cli, ["clock"]).output


@pytest.mark.parametrize(
    ("day", "hour"), [("2022-03-13", "24"), ("2022-03-13", "-1"), ("13 March", "12")]
)
def test_the_header_form_refuses_a_bad_moment(
    replay_client: TestClient, login: Login, day: str, hour: str
) -> None:
    _board_as(replay_client, login, "commander")
    answer = replay_client.post("/clock", data={"day": day, "hour": hour})
    assert answer.status_code == 422
    assert replay_client.get("/api/clock").json()["local"] == "2022-03-08 20:00"
