"""Alarms from the points' counts into the command centre: a detection pass raises an alarm for
a point whose counts jump (its method, expected count, threshold and the count) and for a
cluster of nearby points, once — the same pass again and the next day's, while the episode goes
on, raise nothing new; an alarm is decided through the API (confirmed, dismissed, closed; 409 out
of turn, 404 for another county's, 403 for a role that may not), and a confirmed one is a task
for the tracing group until it is closed."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.command.models import Task
from fangkong.command.raising import raise_tasks
from fangkong.core.auth import Actor
from fangkong.surveillance import detection, points
from fangkong.surveillance.models import SentinelAlarm, SentinelPoint
from fangkong.surveillance.schemas import PointIn, ReportIn
from tests.builders.moments import at
from tests.conftest import NOW, Login, MakeActor

LAST = date(2022, 3, 9)  # yesterday, as of the tests' platform time (10 March)
# Five pharmacies in 临猗县 a few hundred metres apart and one in 盐湖区, far off.
PLACES = [
    ("LY-A", "140821", 110.770, 35.140), ("LY-B", "140821", 110.772, 35.141),
    ("LY-C", "140821", 110.800, 35.170), ("LY-D", "140821", 110.830, 35.120),
    ("LY-E", "140821", 110.700, 35.200), ("YH-A", "140802", 111.003, 35.031),
]  # fmt: skip


def _city(session: Session, commander: Actor, jump: dict[str, int]) -> None:
    """60 days of antipyretics at about 20 a day; the points in `jump` sell that many more on
    each of the last three days."""
    rng = np.random.default_rng(7)
    for code, county, lon, lat in PLACES:
        data = PointIn(
            code=code, name=f"{code} 药房", kind="pharmacy", county_code=county, lon=lon, lat=lat
        )
        points.add_point(session, actor=commander, data=data, now=NOW - timedelta(days=90))
    items = [
        ReportIn(
            point=code,
            day=LAST - timedelta(days=back),
            measure="antipyretics",
            count=int(rng.poisson(20)) + (jump.get(code, 0) if back < 3 else 0),
        )
        for code, *_ in PLACES
        for back in range(60)
    ]
    points.record_reports(session, actor=commander, items=items, now=NOW)
    session.flush()


def _alarms(session: Session) -> list[SentinelAlarm]:
    return list(session.scalars(select(SentinelAlarm).order_by(SentinelAlarm.id)))


@pytest.fixture
def commander(make_actor: MakeActor) -> Actor:
    return make_actor("commander", None)


def test_a_jump_raises_its_alarms_once(session: Session, commander: Actor) -> None:
    _city(session, commander, {"LY-A": 30, "LY-B": 30})
    done = detection.detect(session, as_of=at(10, 11))
    raised = _alarms(session)
    assert done.raised == len(raised) and done.series == len(PLACES)
    temporal = {(a.point_id, a.method) for a in raised if a.kind == "temporal"}
    codes = {i: c for i, c in session.execute(select(SentinelPoint.id, SentinelPoint.code))}
    assert {codes[p] for p, _ in temporal} >= {"LY-A", "LY-B"}
    first = next(a for a in raised if a.kind == "temporal" and codes[a.point_id] == "LY-A")
    assert first.method == "ears-c2" and first.threshold is not None
    assert first.observed > first.threshold > first.expected
    cluster = next(a for a in raised if a.kind == "cluster")
    assert {codes[p] for p in cluster.points} == {"LY-A", "LY-B"}
    assert cluster.p_value is not None and cluster.p_value < 0.01 and cluster.days <= 3
    again = detection.detect(session, as_of=at(10, 12))
    assert again.raised == 0 and len(_alarms(session)) == len(raised)


def test_an_episode_goes_on_in_its_alarm(session: Session, commander: Actor) -> None:
    """The day after, the same points still high: no new alarm, the old one's last day moves."""
    _city(session, commander, {"LY-A": 30, "LY-B": 30})
    detection.detect(session, as_of=at(10, 11))
    before = len(_alarms(session))
    more = [
        ReportIn(point=code, day=date(2022, 3, 10), measure="antipyretics", count=60)
        for code in ("LY-A", "LY-B")
    ]
    points.record_reports(session, actor=commander, items=more, now=at(11, 8))
    assert detection.detect(session, as_of=at(11, 11)).raised == 0
    assert len(_alarms(session)) == before
    jumped = [a for a in _alarms(session) if a.kind == "temporal" and a.observed > 40]
    assert len(jumped) == 2 and {a.last_day for a in jumped} == {date(2022, 3, 10)}


def test_a_quiet_city_raises_nothing(session: Session, commander: Actor) -> None:
    _city(session, commander, {})
    detection.detect(session, as_of=at(10, 11))
    assert [a for a in _alarms(session) if a.kind == "cluster"] == []
    # EARS C2 alarms on some 2 % of a Poisson series' days (its 7-day sd is noisy), ESSENCE on
    # some 0.3 %: 6 points x 7 days give one or two, never a cluster.
    assert len(_alarms(session)) <= 4


def test_decided_through_the_api_and_a_task_till_closed(
    client: TestClient, login: Login, session: Session, commander: Actor
) -> None:
    _city(session, commander, {"LY-A": 30, "LY-B": 30})
    detection.detect(session, as_of=at(10, 11))
    session.commit()
    cdc = login("tracer", "140821")
    shown = client.get("/api/surveillance/alarms", headers=cdc).json()
    assert shown and all(a["status"] == "open" for a in shown)
    assert {"method", "expected", "threshold", "observed", "members", "p_value"} <= set(shown[0])
    alarm = next(a for a in shown if a["kind"] == "temporal")
    url = f"/api/surveillance/alarms/{alarm['id']}/decision"
    close_first = client.post(url, headers=cdc, json={"action": "close"})
    assert close_first.status_code == 409
    yanhu = login("tracer", "140802")
    assert client.post(url, headers=yanhu, json={"action": "confirm"}).status_code == 404
    lab = login("viewer", "140821")
    assert client.post(url, headers=lab, json={"action": "confirm"}).status_code == 403
    confirmed = client.post(url, headers=cdc, json={"action": "confirm", "note": "核查"})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert client.post(url, headers=cdc, json={"action": "dismiss"}).status_code == 409
    raise_tasks(session, as_of=at(10, 13))
    session.commit()
    task = session.scalar(select(Task).where(Task.kind == "sentinel_alarm"))
    assert task is not None and task.object_kind == "alarm" and task.object_id == alarm["id"]
    assert task.closed_at is None and task.county_code == "140821"
    assert client.post(url, headers=cdc, json={"action": "close"}).json()["status"] == "closed"
    raise_tasks(session, as_of=at(10, 14))
    session.commit()
    session.refresh(task)
    assert task.closed_reason == "cleared"
    assert {
        a["county_code"] for a in client.get("/api/surveillance/alarms", headers=yanhu).json()
    } <= {"140802"}
    as_before = client.get(
        "/api/surveillance/alarms", headers=cdc, params={"as_of": "2022-03-10T11:30:00"}
    ).json()
    assert next(a for a in as_before if a["id"] == alarm["id"])["status"] == "open"
