"""Checkpoint scans: a token in, the colour now, a masked name and the last negative test out —
nothing more — through a real scanner key or a signed-in user, audited, never stale."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.batching import Batcher
from fangkong.core.errors import Forbidden
from fangkong.healthcode import scan
from fangkong.healthcode.models import CodeState, Scan, Scanner
from fangkong.healthcode.rules import colour_at
from fangkong.healthcode.service import episodes_of, healthcode
from fangkong.people.service import merge_people, upsert_people
from fangkong.testing import service as testing
from fangkong.testing.models import Sample, Tube
from fangkong.testing.schemas import RoundCreate, SiteIn
from fangkong.tracing import service as tracing
from fangkong.travel import service as travel
from fangkong.travel.schemas import CheckpointIn
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor


@pytest.fixture
def scanner_key(session: Session, make_actor: MakeActor) -> str:
    commander = make_actor("commander", None)
    station = travel.add_checkpoint(
        session, actor=commander,
        data=CheckpointIn(name="运城北站", kind="hsr", county_code="140802"),
    )  # fmt: skip
    _, key = scan.add_scanner(
        session, actor=commander, checkpoint_id=station.id, label="出站口 1", now=NOW
    )
    return key


def _token(session: Session, actor: Actor, person_id: int) -> str:
    return scan.issue_token(session, actor=actor, person_id=person_id, now=NOW).token


def _round_with_a_site(session: Session, commander: Actor, day: int) -> tuple[int, int]:
    """A county round starting on `day` with one sampling site: (round id, site id)."""
    found = testing.create_round(
        session, actor=commander, now=at(day, 6),
        data=RoundCreate(name="全员", area="county", county_code="140821", starts_at=at(day, 7),
                         sites=[SiteIn(name="点", county_code="140821", per_hour=100, staff=2)]),
    )  # fmt: skip
    return found.id, testing.present_round(session, found).sites[0].id


def _single_tube(
    session: Session, where: tuple[int, int], person_id: int, day: int, *,
    purpose: str | None = "screen", result: str | None = None, closed: bool = True,
) -> Tube:  # fmt: skip
    """A person's single tube sampled at 08:00 on `day`, with its result at 11:00 if given."""
    round_id, site_id = where
    tube = Tube(barcode=f"T{day}-{person_id}-{purpose}", round_id=round_id, site_id=site_id,
                kind="single", size=1, members=1, opened_at=at(day, 8),
                closed_at=at(day, 8) if closed else None,
                reported_at=at(day, 11) if result else None, result=result)  # fmt: skip
    session.add(tube)
    session.flush()
    if purpose:
        session.add(Sample(round_id=round_id, person_id=person_id, tube_id=tube.id,
                           purpose=purpose, sampled_at=at(day, 8)))  # fmt: skip
        session.flush()
    return tube


def test_a_scan_answers_three_things_and_sees_the_next_change_at_once(
    client: TestClient, session: Session, tracer: Actor, scanner_key: str
) -> None:
    me = make_person("张三丰")
    [person] = upsert_people(session, items=[me], now=NOW).people
    token = _token(session, tracer, person.id)
    session.commit()
    device = {"Authorization": f"Bearer {scanner_key}"}

    first = client.post("/api/scan", json={"token": token}, headers=device)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "colour": "green",
        "name": "张**",
        "last_negative_at": None,
        "scanned_at": "2022-03-10T12:00:00+08:00",  # the platform's time, city time
    }

    make_infection(session, tracer, person=None, reported=at(10, 9))  # someone else: no change
    session.commit()
    assert client.post("/api/scan", json={"token": token}, headers=device).json()["colour"] == (
        "green"
    )
    index = make_infection(session, tracer, reported=at(10, 9))
    tracing.record_contacts(
        session, actor=tracer, infection_id=index.id, now=at(10, 10),
        items=[contact_in(me, exposure=at(9, 8), identified=at(10, 10))],
    )  # fmt: skip
    session.commit()
    # The same ID number: the contact is this person, and the next scan says so.
    assert client.post("/api/scan", json={"token": token}, headers=device).json()["colour"] == (
        "red"
    )
    audit = session.scalars(select(Scan).where(Scan.person_id == person.id)).all()
    assert [(a.outcome, a.colour) for a in audit] == [
        ("shown", "green"),
        ("shown", "green"),
        ("shown", "red"),
    ]
    assert all(a.scanner_id is not None and a.checkpoint_id is not None for a in audit)


def test_the_last_negative_test_is_the_latest_negative_result(
    client: TestClient,
    session: Session,
    tracer: Actor,
    scanner_key: str,
    make_actor: MakeActor,
) -> None:
    [person] = upsert_people(session, items=[make_person("李四")], now=NOW).people
    where = _round_with_a_site(session, make_actor("commander", None), 8)
    for day, result in ((8, "negative"), (9, "negative"), (10, "positive")):
        purpose = "screen" if day == 8 else "retest" if day == 9 else None
        _single_tube(session, where, person.id, day, purpose=purpose, result=result)
    token = _token(session, tracer, person.id)
    session.commit()
    body = client.post(
        "/api/scan", json={"token": token}, headers={"Authorization": f"Bearer {scanner_key}"}
    ).json()
    assert body["last_negative_at"] == "2022-03-09T11:00:00+08:00"


def test_unknown_and_replaced_tokens_answer_alike_and_nothing_leaks(
    client: TestClient, session: Session, tracer: Actor, scanner_key: str
) -> None:
    [person] = upsert_people(session, items=[make_person("王五")], now=NOW).people
    old = _token(session, tracer, person.id)
    new = _token(session, tracer, person.id)  # a lost phone: the old code stops answering
    session.commit()
    device = {"Authorization": f"Bearer {scanner_key}"}
    unknown = client.post("/api/scan", json={"token": "A" * 22}, headers=device)
    replaced = client.post("/api/scan", json={"token": old}, headers=device)
    assert unknown.status_code == replaced.status_code == 404
    assert unknown.json() == replaced.json()
    assert unknown.json()["message"] == "无效或已更换的健康码"
    assert set(unknown.json()) == {"message", "scanned_at"}
    assert client.post("/api/scan", json={"token": new}, headers=device).status_code == 200
    outcomes = session.scalars(select(Scan.outcome).order_by(Scan.id)).all()
    assert outcomes[-3:] == ["unknown", "revoked", "shown"]


def test_only_a_live_scanner_or_a_user_who_may_scan_gets_an_answer(
    client: TestClient,
    session: Session,
    tracer: Actor,
    scanner_key: str,
    login: Callable[..., dict[str, str]],
    make_actor: MakeActor,
) -> None:
    [person] = upsert_people(session, items=[make_person("赵六")], now=NOW).people
    token = _token(session, tracer, person.id)
    session.commit()
    for headers in ({}, {"Authorization": "Bearer fks_forged"}, login("viewer", "140821")):
        refused = client.post("/api/scan", json={"token": token}, headers=headers)
        assert refused.status_code == 401, headers
        assert "colour" not in refused.text and "赵" not in refused.text
    [scanner] = session.scalars(select(Scanner)).all()
    # Checkpoint staff scan anyone arriving in the city.
    staff = login("checkpoint", "140802", checkpoint_id=scanner.checkpoint_id)
    assert client.post("/api/scan", json={"token": token}, headers=staff).json()["name"] == "赵*"
    by_staff = session.scalars(select(Scan).where(Scan.username.is_not(None))).all()
    assert [s.checkpoint_id for s in by_staff] == [scanner.checkpoint_id]  # where they scanned
    scan.revoke_scanner(session, actor=make_actor("commander", None), scanner_id=scanner.id,
                        now=NOW)  # fmt: skip
    session.commit()
    device = {"Authorization": f"Bearer {scanner_key}"}
    assert client.post("/api/scan", json={"token": token}, headers=device).status_code == 401
    with pytest.raises(Forbidden):
        scan.add_scanner(session, actor=tracer, checkpoint_id=scanner.checkpoint_id,
                         label="x", now=NOW)  # fmt: skip


@pytest.mark.parametrize(
    "body",
    [{}, {"token": 12345}, {"token": "short"}, {"token": "x" * 22 + "'; --"}, None],
    ids=["missing", "number", "short", "quote", "not-json"],
)
def test_a_malformed_scan_names_the_token_field(
    client: TestClient, scanner_key: str, body: object
) -> None:
    headers = {"Authorization": f"Bearer {scanner_key}", "Content-Type": "application/json"}
    sent = client.post("/api/scan", content=b"{not json" if body is None else None,
                       json=body if body is not None else None, headers=headers)  # fmt: skip
    assert sent.status_code == 422
    assert sent.json()["detail"][0]["loc"] == ["body", "token"]


def test_a_batch_reads_everyone_at_once_and_agrees_with_each_persons_code(
    session: Session, tracer: Actor, scanner_key: str, make_actor: MakeActor
) -> None:
    index = make_infection(session, tracer, reported=at(6, 19, 50))
    tracing.record_contacts(
        session, actor=tracer, infection_id=index.id, now=at(7, 0),
        items=[contact_in(make_person(f"密接{i}"), exposure=at(6, 8)) for i in range(3)],
    )  # fmt: skip
    people = upsert_people(session, items=[make_person(f"居民{i}") for i in range(4)], now=NOW)
    commander = make_actor("commander", None)
    found = testing.create_round(
        session, actor=commander, now=at(9, 6),
        data=RoundCreate(name="全员", area="county", county_code="140821", starts_at=at(9, 7)),
    )  # fmt: skip
    testing.close_round(session, actor=commander, round_id=found.id, now=at(9, 20))
    ids = [index.person_id, *(p.id for p in people.people)]
    contacts, _ = tracing.list_contacts(session, actor=tracer, infection_id=index.id)
    ids += [c.person_id for c in contacts]
    tokens = {pid: _token(session, tracer, pid) for pid in ids}
    answers = scan.scan_batch(
        session, [scan.ScanRequest(tokens[pid], scanner_key) for pid in ids], NOW
    )
    expected = [
        healthcode(session, actor=tracer, person_id=pid, as_of=NOW)[0].colour for pid in ids
    ]
    assert [a.colour for a in answers] == expected
    assert set(expected) == {"red", "yellow"}  # the index, contacts; the missed residents
    recent = episodes_of(session, ids, rounds_since=NOW)
    assert [colour_at(recent[pid], NOW).colour for pid in ids] == expected


def test_requests_that_arrive_together_go_in_one_batch() -> None:
    sizes: list[int] = []

    def double(items: Sequence[int]) -> list[int]:
        sizes.append(len(items))
        return [2 * i for i in items]

    async def main() -> list[int]:
        batcher = Batcher(double)
        try:
            return await asyncio.gather(*(batcher.submit(i) for i in range(50)))
        finally:
            batcher.close()

    assert asyncio.run(main()) == [2 * i for i in range(50)]
    assert sizes == [50]

    def broken(items: Sequence[int]) -> list[int]:
        raise RuntimeError("database gone")

    async def fail() -> list[BaseException | int]:
        batcher = Batcher(broken)
        try:
            return await asyncio.gather(*(batcher.submit(i) for i in range(3)),
                                        return_exceptions=True)  # fmt: skip
        finally:
            batcher.close()

    assert all(isinstance(r, RuntimeError) for r in asyncio.run(fail()))


def _state(session: Session, person_id: int) -> CodeState:
    session.expire_all()
    return session.get_one(CodeState, person_id)


def test_triggers_mark_the_stored_state_on_every_write_path(
    session: Session, tracer: Actor, scanner_key: str, make_actor: MakeActor
) -> None:
    """A write through the ORM, a bulk Core UPDATE or a merge: the next scan recomputes."""
    [person] = upsert_people(session, items=[make_person("孙七")], now=NOW).people
    token = _token(session, tracer, person.id)
    [first] = scan.scan_batch(session, [scan.ScanRequest(token, scanner_key)], NOW)
    computed = _state(session, person.id)
    assert first.last_negative_at is None and computed.version == computed.computed_version
    where = _round_with_a_site(session, make_actor("commander", None), 8)
    tube = _single_tube(session, where, person.id, 8)
    after_sample = _state(session, person.id)
    assert after_sample.version > after_sample.computed_version  # the ORM insert bumped it
    scan.scan_batch(session, [scan.ScanRequest(token, scanner_key)], NOW)
    before = _state(session, person.id).version
    # The lab's results arrive as one bulk UPDATE of the tubes (results.record_results).
    session.execute(
        update(Tube).where(Tube.id == tube.id).values(result="negative", reported_at=at(9, 1))
    )
    assert _state(session, person.id).version == before + 1
    [second] = scan.scan_batch(session, [scan.ScanRequest(token, scanner_key)], NOW)
    assert second.last_negative_at == at(9, 1)
    # A record found to be the same person is folded in: one state remains, for the kept one.
    [twin] = upsert_people(session, items=[make_person("孙七")], now=NOW).people
    twin_id, twin_token = twin.id, _token(session, tracer, twin.id)
    merge_people(session, actor=tracer, keep_id=person.id, merge_id=twin_id, reason="同一人",
                 now=NOW)  # fmt: skip
    assert session.scalars(select(CodeState.person_id)).all().count(person.id) == 1
    assert session.get(CodeState, twin_id) is None
    answers = scan.scan_batch(
        session, [scan.ScanRequest(t, scanner_key) for t in (token, twin_token)], NOW
    )
    assert [a.status for a in answers] == [200, 404]  # the folded record's code: reissue


def test_a_stored_colour_turns_on_time_with_nothing_rewritten(
    session: Session, tracer: Actor, scanner_key: str
) -> None:
    index = make_infection(session, tracer, reported=at(6, 19, 50))
    contact = make_person("周八")
    tracing.record_contacts(
        session, actor=tracer, infection_id=index.id, now=at(7, 0),
        items=[contact_in(contact, exposure=at(6, 8))],
    )  # fmt: skip
    [person] = upsert_people(session, items=[contact], now=NOW).people
    token = _token(session, tracer, person.id)
    [now] = scan.scan_batch(session, [scan.ScanRequest(token, scanner_key)], NOW)
    stored = _state(session, person.id)
    schedule, version = stored.schedule, stored.computed_version
    assert now.colour == "red" and len(json.loads(schedule)) >= 2  # the quarantine's end ahead
    later = NOW + timedelta(days=30)
    [after] = scan.scan_batch(session, [scan.ScanRequest(token, scanner_key)], later)
    assert (
        after.colour
        == healthcode(session, actor=tracer, person_id=person.id, as_of=later)[0].colour
    )
    assert after.colour != "red"
    unchanged = _state(session, person.id)
    assert (unchanged.schedule, unchanged.computed_version) == (schedule, version)


def test_a_round_that_misses_someone_turns_their_stored_code_yellow_at_once(
    session: Session, tracer: Actor, scanner_key: str, make_actor: MakeActor
) -> None:
    sampled, missed = upsert_people(
        session, items=[make_person("吴九"), make_person("郑十")], now=NOW
    ).people
    tokens = [_token(session, tracer, p.id) for p in (sampled, missed)]
    requests = [scan.ScanRequest(t, scanner_key) for t in tokens]
    assert [a.colour for a in scan.scan_batch(session, requests, NOW)] == ["green", "green"]
    commander = make_actor("commander", None)
    where = _round_with_a_site(session, commander, 10)
    _single_tube(session, where, sampled.id, 10, closed=False)
    untouched = _state(session, missed.id).version
    testing.close_round(session, actor=commander, round_id=where[0], now=at(10, 11))
    assert _state(session, missed.id).version == untouched + 1
    later = [a.colour for a in scan.scan_batch(session, requests, at(10, 12))]
    assert later == ["green", "yellow"]


def test_scans_are_deleted_when_their_retention_ends(
    session: Session, tracer: Actor, scanner_key: str
) -> None:
    from fangkong.healthcode.scan import purge_scans

    [person] = upsert_people(session, items=[make_person("冯一")], now=NOW).people
    token = _token(session, tracer, person.id)
    for day in (1, 20):
        scan.scan_batch(session, [scan.ScanRequest(token, scanner_key)], at(day, 8))
    assert purge_scans(session, now=at(1, 8) + timedelta(days=30), retention_days=30) == 1
    kept = session.scalars(select(Scan.scanned_at).where(Scan.person_id == person.id)).all()
    assert kept == [at(20, 8)]


def test_the_scan_is_in_the_api_documentation(client: TestClient) -> None:
    scan_doc = client.get("/openapi.json").json()["paths"]["/api/scan"]["post"]
    body = scan_doc["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["token"]
    assert set(scan_doc["responses"]) == {"200", "401", "404", "413", "422"}
