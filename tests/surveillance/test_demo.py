"""The demo's year of sentinel counts tells the story: the fever clinic where the index case was
found, and the pharmacies near his places, rise from 1 March 2022 and the detection methods
alarm on them days before his report on the evening of 6 March; 盐湖区's fever clinic stays
quiet under C1."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.command.models import Task
from fangkong.surveillance.alarms import list_alarms
from fangkong.surveillance.cusum import cusum
from fangkong.surveillance.ears import SeriesTooShort, ears
from fangkong.surveillance.essence import essence
from fangkong.surveillance.evaluation import weekly
from fangkong.surveillance.farrington import farrington_flexible
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
            ("ESSENCE", essence(counts)),
        )
    }
    assert firsts == {
        "C1": date(2022, 3, 2),
        "C2": date(2022, 3, 2),
        "C3": date(2022, 3, 3),
        "CUSUM": date(2022, 3, 2),
        "ESSENCE": date(2022, 3, 3),
    }
    assert all(first is not None and first < REPORTED for first in firsts.values())
    yanhu_days, yanhu = _fever_visits(demo_session, "YH-FC-1")
    assert _first_in_march(yanhu_days, [(j.at, j.alarm) for j in ears(yanhu, "C1")]) is None


def test_a_year_of_weeks_is_too_short_for_farrington(demo_session: Session) -> None:
    days, counts = _fever_visits(demo_session, "LY-FC-1")
    weeks = np.add.reduceat(counts[:364], np.arange(0, 364, 7))
    mondays = [days[0] + timedelta(weeks=w) for w in range(len(weeks))]
    with pytest.raises(SeriesTooShort, match="159"):
        farrington_flexible(weeks, mondays)
    assert len(weekly(np.zeros(5 * 364 + 7))) == 261


def test_the_morning_passes_raised_the_fever_clinics_alarm(demo_session: Session) -> None:
    """EARS C2's alarm on 2 March, raised at the pass of 3 March 10:30, an episode to 16
    March, left for the command centre to decide (no task until someone confirms it); the
    February alarms dismissed the morning they came; the scan's cluster there too."""
    cdc = acting_as(demo_session, "cdc")
    end = datetime.fromisoformat("2022-03-21T23:00+08:00")
    raised = list_alarms(demo_session, actor=cdc, as_of=end)
    march = [a for a in raised if a.point_code == "LY-FC-1" and a.day >= date(2022, 3, 1)]
    first = min((a for a in march if a.kind == "temporal"), key=lambda a: a.day)
    assert (first.day, first.method, first.status) == (date(2022, 3, 2), "ears-c2", "open")
    assert first.created_at == datetime.fromisoformat("2022-03-03T10:30+08:00")
    assert first.threshold is not None and first.observed > first.threshold
    assert first.last_day > date(2022, 3, 10)
    assert all(a.status == "dismissed" for a in raised if a.day < date(2022, 3, 1))
    cluster = next(a for a in march if a.kind == "cluster")
    assert cluster.day == date(2022, 3, 2) and (cluster.p_value or 1) < 0.01
    assert demo_session.scalar(select(Task).where(Task.kind == "sentinel_alarm")) is None
