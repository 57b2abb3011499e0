"""Sentinel points and their counts through the API: all or nothing with every bad item named
(an unknown point, another county's, a measure the kind does not count, a negative count, a
day after the platform's time), the same counts again changing nothing, a later count of the
day replacing the earlier; a sheet the same way; a point silent past its hour raising a task
for the tracing group that clears once it reports."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.command.models import Task
from fangkong.command.raising import raise_tasks
from fangkong.core.auth import Actor
from fangkong.surveillance import points
from fangkong.surveillance.models import SentinelReport
from fangkong.surveillance.schemas import ReportIn
from tests.builders.moments import at
from tests.conftest import Login

FEVER = {
    "code": "LY-FC-01",
    "name": "临猗县人民医院发热门诊",
    "kind": "fever_clinic",
    "county_code": "140821",
    "lon": 110.77,
    "lat": 35.14,
}
PHARMACY = {
    "code": "LY-PH-07",
    "name": "临猗县某大药房",
    "kind": "pharmacy",
    "county_code": "140821",
}


def _reports(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(SentinelReport)) or 0)


def _setup(client: TestClient, login: Login) -> dict[str, str]:
    boss = login("commander", None)
    for point in (FEVER, PHARMACY):
        made = client.post("/api/surveillance/points", headers=boss, json=point)
        assert made.status_code == 201, made.text
    return boss


def test_counts_all_or_nothing(client: TestClient, login: Login, session: Session) -> None:
    _setup(client, login)
    tracer = login("tracer", "140821")
    good = [
        {"point": "LY-FC-01", "day": "2022-03-09", "measure": "fever_visits", "count": 14},
        {"point": "LY-PH-07", "day": "2022-03-09", "measure": "antipyretics", "count": 52},
    ]
    done = client.post("/api/surveillance/reports", headers=tracer, json=good)
    assert done.json() == {"written": 2, "unchanged": 0}, done.text
    again = client.post("/api/surveillance/reports", headers=tracer, json=good)
    assert again.json() == {"written": 0, "unchanged": 2}
    later = [{**good[0], "count": 21}]
    assert (
        client.post("/api/surveillance/reports", headers=tracer, json=later).json()["written"] == 1
    )
    bad = [
        *good,
        {"point": "NOPE", "day": "2022-03-09", "measure": "fever_visits", "count": 1},
        {"point": "LY-PH-07", "day": "2022-03-09", "measure": "fever_visits", "count": 1},
        {"point": "LY-FC-01", "day": "2022-03-11", "measure": "fever_visits", "count": 1},
    ]
    refused = client.post("/api/surveillance/reports", headers=tracer, json=bad)
    assert refused.status_code == 422
    assert [p["loc"] for p in refused.json()["detail"]] == [
        ["2", "point"],
        ["3", "measure"],
        ["4", "day"],
    ]
    negative = client.post(
        "/api/surveillance/reports", headers=tracer, json=[{**good[0], "count": -1}]
    )
    assert negative.status_code == 422
    assert _reports(session) == 2
    yanhu = login("tracer", "140802")
    other = client.post("/api/surveillance/reports", headers=yanhu, json=good[:1])
    assert other.status_code == 422 and other.json()["detail"][0]["loc"][-1] == "point"
    assert [p["code"] for p in client.get("/api/surveillance/points", headers=yanhu).json()] == []
    viewer = login("viewer", None)
    assert client.post("/api/surveillance/reports", headers=viewer, json=good).status_code == 403


def test_a_sheet_of_counts(client: TestClient, login: Login, session: Session) -> None:
    _setup(client, login)
    tracer = login("tracer", "140821")
    sheet = (
        "哨点编码,日期,指标,数量\nLY-FC-01,2022-03-08,fever_visits,9\nLY-PH-07,2022/3/8,cough,31\n"
    ).encode()
    files = {"file": ("哨点.csv", sheet, "text/csv")}
    done = client.post("/api/surveillance/reports/import", headers=tracer, files=files)
    assert done.json() == {"written": 2, "unchanged": 0}, done.text
    again = client.post("/api/surveillance/reports/import", headers=tracer, files=files)
    assert again.json() == {"written": 0, "unchanged": 2}
    broken = (
        "哨点编码,日期,指标,数量\nLY-FC-01,2022-03-07,fever_visits,-4\n"
        "LY-XX-99,2022-03-07,cough,3\nLY-PH-07,某天,cough,3\n"
    ).encode()
    refused = client.post(
        "/api/surveillance/reports/import",
        headers=tracer,
        files={"file": ("坏.csv", broken, "text/csv")},
    )
    assert refused.status_code == 422
    rows = {p["loc"][0] for p in refused.json()["detail"]}
    assert rows == {"row 2", "row 4"}  # the unknown point is told once the rows all read
    assert _reports(session) == 2


def test_a_silent_point_raises_a_task(
    client: TestClient, login: Login, session: Session, tracer: Actor
) -> None:
    """Points set up at noon on 10 March are first asked for 11 March's counts, due at 10:00
    on the 12th."""
    _setup(client, login)
    raise_tasks(session, as_of=at(12, 9))  # before 10:00: not late yet
    session.commit()
    assert not session.scalar(select(Task).where(Task.kind == "sentinel_late"))
    raise_tasks(session, as_of=at(12, 11))
    session.commit()
    late = list(session.scalars(select(Task).where(Task.kind == "sentinel_late")))
    assert len(late) == 2 and all(t.object_kind == "sentinel" for t in late)
    report = ReportIn(point="LY-FC-01", day=date(2022, 3, 11), measure="fever_visits", count=3)
    points.record_reports(session, actor=tracer, items=[report], now=at(12, 11, 10))
    raise_tasks(session, as_of=at(12, 11, 30))
    session.commit()
    still = [
        t.unit
        for t in session.scalars(select(Task).where(Task.kind == "sentinel_late"))
        if t.closed_at is None
    ]
    assert still == ["临猗县某大药房"]
