"""The demo's year of sentinel counts tells the story: the fever clinic where the index case was
found, and the pharmacies near his places, rise from 1 March 2022 and the detection methods
alarm on them days before his report on the evening of 6 March; 盐湖区's fever clinic stays
quiet under C1."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from fangkong.surveillance.cusum import cusum
from fangkong.surveillance.ears import ears
from fangkong.surveillance.points import point_series
from fangkong.users.service import acting_as

REPORTED = date(2022, 3, 6)


def _first_in_march(days: list[date], alarms: list[tuple[int, bool]]) -> date | None:
    return next((days[at] for at, alarm in alarms if alarm and days[at] >= date(2022, 3, 1)), None)


def _fever_visits(session: Session, code: str) -> tuple[list[date], list[int]]:
    commander = acting_as(session, "commander")
    return point_series(
        session, actor=commander, code=code, measure="fever_visits", until=date(2022, 3, 21)
    )


def test_the_sentinels_alarm_before_the_index_case_is_reported(demo_session: Session) -> None:
    days, counts = _fever_visits(demo_session, "LY-FC-1")
    assert (days[0], days[-1], len(days)) == (date(2021, 3, 22), date(2022, 3, 21), 365)
    firsts = {
        name: _first_in_march(days, [(j.at, j.alarm) for j in judged])
        for name, judged in (
            ("C1", ears(counts, "C1")),
            ("C2", ears(counts, "C2")),
            ("C3", ears(counts, "C3")),
            ("CUSUM", cusum(counts)),
        )
    }
    assert firsts == {
        "C1": date(2022, 3, 2),
        "C2": date(2022, 3, 2),
        "C3": date(2022, 3, 3),
        "CUSUM": date(2022, 3, 2),
    }
    assert all(first is not None and first < REPORTED for first in firsts.values())
    yanhu_days, yanhu = _fever_visits(demo_session, "YH-FC-1")
    assert _first_in_march(yanhu_days, [(j.at, j.alarm) for j in ears(yanhu, "C1")]) is None
