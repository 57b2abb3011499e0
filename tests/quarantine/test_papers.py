from __future__ import annotations

import io
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import InvalidInput, NotFound
from fangkong.people.models import Person
from fangkong.quarantine.models import Stay
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
    with pytest.raises(InvalidInput, match="尚未解除隔离"):
        render_papers(session, actor=tracer, stay_ids=stays[:1], kind="release", now=NOW)
    with pytest.raises(NotFound):
        render_papers(session, actor=tracer, stay_ids=[424242], kind="notice", now=NOW)


def page_text(pdf: bytes, page: int = 0) -> str:
    """The text of a page, its lines joined: Chinese wraps anywhere, even inside a date."""
    return PdfReader(io.BytesIO(pdf)).pages[page].extract_text().replace("\n", "")


def test_a_notice_prints_its_digits_in_an_embedded_font(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    """Without an embedded font a printer draws blanks for the ID number, dates and room: the
    text must come back out of the PDF, and the PDF must carry the font's glyphs."""
    [stay_id] = placed(session, tracer, make_actor, n=1)
    stay = session.get(Stay, stay_id)
    assert stay is not None
    person = session.get(Person, stay.person_id)
    assert person is not None and person.id_number
    pdf = render_papers(session, actor=tracer, stay_ids=[stay_id], kind="notice", now=at(8, 20))
    text = page_text(pdf)
    assert "集中隔离医学观察通知书" in text
    assert person.id_number in text and person.name in text
    assert "2022年03月07日12时00分" in text  # placed
    assert "2022年03月08日" in text  # issued on the platform's day, not the wall clock's
    assert f"GL{stay_id:08d}" in text and "S001" in text
    assert b"/FontFile2" in pdf and b"STSong" not in pdf  # the glyphs travel with the file
    raw = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert not re.search(r"[0-9A-Za-z]\n[0-9A-Za-z]", raw)  # no number split across lines
    assert len(pdf) < 200_000  # a subset, not the 10 MB font


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
    text = page_text(pdf)
    assert "解除集中隔离医学观察证明" in text and "2022年03月20日" in text


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
