"""No unmasking: roles without full identity find people only by whole values, wildcards are
literal for everyone, every search and every showing of full identities is audited, and a
code's token is shown only to those who may issue one."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.audit import AuditEntry
from fangkong.people.service import upsert_people
from tests.builders.people import make_person
from tests.conftest import NOW, Login


def found(client: TestClient, headers: dict[str, str], q: str) -> int:
    answer = client.get("/api/people", params={"q": q}, headers=headers)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


def a_person(session: Session, name: str = "张某某") -> tuple[int, str, str]:
    data = make_person(name).model_copy(update={"phone": "13834560000"})
    [person] = upsert_people(session, items=[data], now=NOW).people
    session.commit()
    assert person.id_number and person.phone
    return person.id, person.id_number, person.phone


def test_a_masked_role_finds_by_whole_values_only(
    client: TestClient, login: Login, session: Session
) -> None:
    _, number, phone = a_person(session)
    viewer = login("viewer")
    assert found(client, viewer, number) == 1
    assert found(client, viewer, phone) == 1
    assert found(client, viewer, "张某某") >= 1
    for part in (number[:10], number[:17], phone[:7], "张", number[:6] + "%", "%", "_", "1%"):
        assert found(client, viewer, part) == 0, part


def test_wildcards_are_literal_for_everyone(
    client: TestClient, login: Login, session: Session
) -> None:
    _, number, _ = a_person(session)
    tracer = login("tracer")
    assert found(client, tracer, number[:10]) >= 1  # full-identity staff search by part
    for pattern in ("%", "_", number[:6] + "%" + number[8:12], "1_0821"):
        assert found(client, tracer, pattern) == 0, pattern


def test_searches_and_full_identities_are_audited(
    client: TestClient, login: Login, session: Session
) -> None:
    _, number, _ = a_person(session)
    viewer, tracer = login("viewer"), login("tracer")
    found(client, viewer, number)
    client.get("/api/people", headers=tracer)
    session.expire_all()
    entries = list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))
    search = next(e for e in entries if e.action == "search" and "viewer" in e.username)
    assert (
        number not in search.detail and number[:3] in search.detail and "found 1" in search.detail
    )
    disclosed = [e for e in entries if e.action == "disclose"]
    assert len(disclosed) == 1 and disclosed[0].entity_id == "/api/people"
    assert "tracer" in disclosed[0].username and "people in full" in disclosed[0].detail


def test_code_tokens_only_for_those_who_issue_them(
    client: TestClient, login: Login, session: Session
) -> None:
    person_id, _, _ = a_person(session)
    tracer, viewer = login("tracer"), login("viewer")
    token = client.post(f"/api/people/{person_id}/healthcode/token", headers=tracer).json()["token"]
    qr = client.get(f"/api/people/{person_id}/healthcode/qr.png", headers=viewer)
    assert qr.status_code == 403
    client.cookies.set("fangkong_token", viewer["Authorization"].removeprefix("Bearer "))
    page = client.get(f"/people/{person_id}/code")
    assert page.status_code == 200 and token not in page.text and "code-qr" not in page.text


def test_one_person_whatever_digits_their_number_is_written_in(
    client: TestClient, login: Login, session: Session
) -> None:
    person_id, number, _ = a_person(session)
    arabic = "".join(chr(0x660 + int(c)) if c.isdigit() else c for c in number)
    [again] = upsert_people(
        session, items=[make_person("张某某").model_copy(update={"id_number": arabic})], now=NOW
    ).people
    assert again.id == person_id and again.id_number == number
    assert found(client, login("viewer"), arabic) == 1
