"""Stockpiles through the API: stores, receipts, an issue to another store (received there),
uses derived from the operations, days of supply, refusals that write nothing (below zero, an
unknown item, a moment in the future, another county's store) and a stock under its safety
level raising a task that closes itself once restocked."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.command.models import StockMove, Task
from fangkong.command.raising import raise_tasks
from tests.builders.moments import NOW, at
from tests.conftest import Login


def _store(client: TestClient, boss: dict[str, str], name: str, county: str | None) -> int:
    made = client.post(
        "/api/stock/stores",
        headers=boss,
        json={"name": name, "kind": "warehouse", "county_code": county},
    )
    assert made.status_code == 201, made.text
    store_id: int = made.json()["id"]
    return store_id


def _move(client: TestClient, boss: dict[str, str], **body: object) -> Response:
    payload = {"item": "sampling_tube", "at": "2022-03-08T09:00:00+08:00", **body}
    response: Response = client.post("/api/stock/moves", headers=boss, json=payload)
    return response


def _moves(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(StockMove)) or 0)


def test_receipts_issues_and_days_of_supply(
    client: TestClient, login: Login, session: Session
) -> None:
    boss = login("commander", None)
    city, linyi = (
        _store(client, boss, "市储备库", None),
        _store(client, boss, "临猗县仓库", "140821"),
    )
    assert _move(client, boss, store_id=city, kind="receipt", quantity=1000).status_code == 201
    issued = _move(client, boss, store_id=city, kind="issue", quantity=300, to_store_id=linyi)
    assert issued.status_code == 201, issued.text
    used = _move(
        client, boss, store_id=linyi, kind="use", quantity=90, at="2022-03-09T09:00:00+08:00"
    )
    assert used.status_code == 201, used.text
    rows = {(r["store_id"], r["item"]): r for r in client.get("/api/stock", headers=boss).json()}
    assert rows[(city, "sampling_tube")]["balance"] == 700
    assert rows[(linyi, "sampling_tube")]["balance"] == 210
    assert rows[(linyi, "sampling_tube")]["daily_use"] == 30.0  # 90 over the last three days
    assert rows[(linyi, "sampling_tube")]["days_left"] == 7.0
    before = client.get("/api/stock", headers=boss, params={"at": "2022-03-08T10:00"}).json()
    assert {(r["store_id"], r["balance"]) for r in before} == {(city, 700), (linyi, 300)}


def test_refusals_write_nothing(client: TestClient, login: Login, session: Session) -> None:
    boss = login("commander", None)
    city = _store(client, boss, "市储备库", None)
    assert _move(client, boss, store_id=city, kind="receipt", quantity=100).status_code == 201
    written = _moves(session)
    below = _move(client, boss, store_id=city, kind="issue", quantity=101)
    assert below.status_code == 422
    assert below.json()["detail"][0]["loc"][-1] == "quantity"
    assert "100" in below.json()["detail"][0]["msg"]
    # Taking now what a later issue already took is refused too.
    assert (
        _move(
            client, boss, store_id=city, kind="use", quantity=60, at="2022-03-09T09:00:00+08:00"
        ).status_code
        == 201
    )
    earlier = _move(
        client, boss, store_id=city, kind="use", quantity=50, at="2022-03-08T12:00:00+08:00"
    )
    assert earlier.status_code == 422, earlier.text
    unknown = _move(client, boss, store_id=city, kind="receipt", quantity=5, item="gloves")
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"][-1] == "item"
    future = _move(
        client, boss, store_id=city, kind="receipt", quantity=5, at="2022-03-11T09:00:00+08:00"
    )
    assert future.status_code == 422 and future.json()["detail"][0]["loc"][-1] == "at"
    zero = _move(client, boss, store_id=city, kind="receipt", quantity=0)
    assert zero.status_code == 422
    assert _moves(session) == written + 1


def test_a_county_sees_and_moves_only_its_stores(client: TestClient, login: Login) -> None:
    boss = login("commander", None)
    city, yanhu = (
        _store(client, boss, "市储备库", None),
        _store(client, boss, "盐湖区仓库", "140802"),
    )
    county = login("tracer", "140821")
    assert client.get("/api/stock", headers=county).json() == []
    assert _move(client, county, store_id=yanhu, kind="receipt", quantity=5).status_code == 403
    assert {s for s in (city, yanhu)}  # both exist, neither is the county's


def test_under_the_safety_level_a_task_until_restocked(
    client: TestClient, login: Login, session: Session
) -> None:
    boss = login("commander", None)
    linyi = _store(client, boss, "临猗县仓库", "140821")
    assert _move(client, boss, store_id=linyi, kind="receipt", quantity=100).status_code == 201
    lines = client.put(
        f"/api/stock/stores/{linyi}/lines",
        headers=boss,
        json={"item": "sampling_tube", "safety_level": 500},
    )
    assert lines.status_code == 204, lines.text
    raise_tasks(session, as_of=at(9, 12))
    session.commit()
    task = session.scalar(select(Task).where(Task.kind == "stock_low"))
    assert task is not None and task.closed_at is None and task.count == 100
    assert task.object_kind == "store" and task.object_id == linyi
    assert (
        _move(
            client,
            boss,
            store_id=linyi,
            kind="receipt",
            quantity=1000,
            at="2022-03-09T13:00:00+08:00",
        ).status_code
        == 201
    )
    raise_tasks(session, as_of=NOW)
    session.commit()
    session.refresh(task)
    assert task.closed_reason == "cleared"
