"""The March 2022 story is complete and consistent: contacts leave quarantine on their days,
every site has its own person to call, and the rounds the story tells are there."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import text

from fangkong.core.db import make_engine
from tests.conftest import CST


def rows(demo_data: Path, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(f"sqlite:///{demo_data / 'fangkong.db'}")
    with engine.connect() as conn:
        found = [tuple(r) for r in conn.execute(text(sql))]
    engine.dispose()
    return found


def moment(value: object) -> datetime:
    found = datetime.fromisoformat(str(value))
    return found if found.tzinfo else found.replace(tzinfo=CST)


def test_every_stay_ends_by_the_last_day_of_the_replay(demo_data: Path) -> None:
    stays = rows(demo_data, "SELECT planned_end_at, released_at, end_reason FROM quarantine_stays")
    assert len(stays) > 40
    open_stays = [s for s in stays if s[1] is None]
    assert open_stays == [], "everyone placed is released (or moved) by 21 March"
    released = [s for s in stays if s[2] == "released"]
    assert len(released) > 30
    for planned, ended, _ in released:
        # released the evening their quarantine ends, never before it
        assert moment(ended) >= moment(planned)
        assert (moment(ended) - moment(planned)).days < 1


def test_each_site_has_its_own_contact(demo_data: Path) -> None:
    staff = [s for (s,) in rows(demo_data, "SELECT staff FROM quarantine_sites")]
    assert len(staff) == 3 and len(set(staff)) == 3 and all(staff)


def test_the_rounds_of_the_story(demo_data: Path) -> None:
    names = {str(n) for (n,) in rows(demo_data, "SELECT name FROM screening_rounds")}
    assert "临猗县第二轮全员核酸检测" in names
    assert any("盐湖区" in n for n in names), names
