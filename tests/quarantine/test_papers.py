from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import InvalidInput, NotFound
from fangkong.quarantine.papers import render_papers
from fangkong.quarantine.schemas import SwabResult
from fangkong.quarantine.stays import record_swab_result, release_due
from tests.builders.moments import at
from tests.builders.quarantine import placed as place_new_contacts
from tests.conftest import NOW, Login, MakeActor


def placed(session: Session, tracer: Actor, make_actor: MakeActor, n: int = 3) -> list[int]:
    return place_new_contacts(session, tracer, make_actor("commander", None), n)


def test_notices_are_one_page_each(session: Session, tracer: Actor, make_actor: MakeActor) -> None:
    stays = placed(session, tracer, make_actor)
    pdf = render_papers(session, actor=tracer, stay_ids=stays, kind="notice", now=NOW)
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") >= 3
    with pytest.raises(InvalidInput, match="was not released"):
        render_papers(session, actor=tracer, stay_ids=stays[:1], kind="release", now=NOW)
    with pytest.raises(NotFound):
        render_papers(session, actor=tracer, stay_ids=[424242], kind="notice", now=NOW)


def test_release_certificate_after_release(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    [stay] = placed(session, tracer, make_actor, n=1)
    for day in (7, 10, 13, 20):
        record_swab_result(
            session,
            actor=tracer,
            stay_id=stay,
            now=at(day, 12),
            data=SwabResult(due_on=date(2022, 3, day), result="negative", sampled_at=at(day, 7)),
        )
    release_due(session, actor=tracer, now=at(20, 22))
    pdf = render_papers(session, actor=tracer, stay_ids=[stay], kind="release", now=at(20, 22))
    assert pdf.startswith(b"%PDF")


def test_papers_over_the_api(
    client: TestClient, login: Login, session: Session, make_actor: MakeActor
) -> None:
    headers = login("tracer")
    from fangkong.users.service import actor_by_username

    response = client.get("/api/auth/me", headers=headers)
    tracer = actor_by_username(session, response.json()["username"])
    assert tracer is not None
    stays = placed(session, tracer, make_actor)
    session.commit()
    one = client.get(f"/api/quarantine/stays/{stays[0]}/notice.pdf", headers=headers)
    assert one.status_code == 200 and one.headers["content-type"] == "application/pdf"
    bulk = client.post("/api/quarantine/papers", json={"kind": "notice"}, headers=headers)
    assert bulk.status_code == 200 and bulk.content.startswith(b"%PDF")
    assert (
        client.get(f"/api/quarantine/stays/{stays[0]}/release.pdf", headers=headers).status_code
        == 422
    )
    assert client.get("/api/quarantine/stays/999999/notice.pdf", headers=headers).status_code == 404
