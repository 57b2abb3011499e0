"""Refused scans are counted, not written a row each; a device is held to its rate."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fangkong.healthcode import scan
from fangkong.healthcode.models import Scan
from fangkong.healthcode.refusals import (
    BURST,
    SCANS_PER_SECOND,
    ScanDoor,
    flush_refusals,
    refusals_since,
)
from fangkong.travel import service as travel
from fangkong.travel.schemas import CheckpointIn
from tests.conftest import NOW, MakeActor


def test_garbage_is_counted_not_written(client: TestClient, session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(Scan))
    for i in range(30):  # each from a device of its own: under any device's rate
        client.post("/api/scan", json={"token": "A" * 22})  # no credential
        made_up = {"Authorization": f"Bearer fks_made-up-{i}"}
        client.post("/api/scan", json={"token": "A" * 22}, headers=made_up)
        client.post("/api/scan", content=b"not json", headers={"Authorization": f"Bearer fks_{i}"})
    app = client.app
    assert isinstance(app, FastAPI)
    flush_refusals(app.state)
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(Scan)) == before
    counted = refusals_since(session, NOW.replace(hour=0))
    assert counted["no_credential"] == 30 and counted["unknown_device"] == 30
    assert counted["bad_token"] == 30


def test_a_device_is_held_to_its_rate(
    client: TestClient, session: Session, make_actor: MakeActor
) -> None:
    commander = make_actor("commander", None)
    station = travel.add_checkpoint(
        session,
        actor=commander,
        data=CheckpointIn(name="卡口", kind="highway", county_code="140802"),
    )
    _, key = scan.add_scanner(
        session, actor=commander, checkpoint_id=station.id, label="1", now=NOW
    )
    session.commit()
    device = {"Authorization": f"Bearer {key}"}
    answers = [
        client.post("/api/scan", json={"token": "A" * 22}, headers=device).status_code
        for _ in range(int(BURST) + 10)
    ]
    assert answers.count(404) >= BURST and 429 in answers
    other = {"Authorization": "Bearer fks_another-device"}
    assert client.post("/api/scan", json={"token": "A" * 22}, headers=other).status_code == 401


def test_the_bucket_refills() -> None:
    door = ScanDoor()
    assert all(door.allow("d", now=0.0) for _ in range(int(BURST)))
    assert not door.allow("d", now=0.0)
    assert door.allow("d", now=1.0 / SCANS_PER_SECOND)
    assert door.allow("other", now=0.0)
