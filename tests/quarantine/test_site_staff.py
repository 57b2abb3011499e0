from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor
from fangkong.core.errors import NotFound
from fangkong.quarantine.models import Stay
from fangkong.quarantine.schemas import SwabResult
from fangkong.quarantine.service import place_contacts
from fangkong.quarantine.stays import record_swab_result, site_roster
from fangkong.tracing import service as tracing
from fangkong.tracing.models import Infection
from fangkong.users.schemas import UserCreate
from fangkong.users.service import actor_of, create_user
from tests.builders.moments import at
from tests.builders.people import make_person
from tests.builders.quarantine import make_site
from tests.builders.tracing import contact_in, make_infection
from tests.conftest import NOW, MakeActor


def two_sites(session: Session, tracer: Actor, make_actor: MakeActor) -> tuple[int, int, list[int]]:
    commander = make_actor("commander", None)
    linyi = make_site(session, commander, singles=1, families=0, accessible=0)
    yanhu = make_site(
        session,
        commander,
        name="盐湖区某宾馆",
        county="140802",
        singles=1,
        families=0,
        accessible=0,
        lon=111.0,
        lat=35.02,
    )
    index = make_infection(session, tracer)
    ids = tracing.record_contacts(
        session,
        actor=tracer,
        infection_id=index.id,
        now=NOW,
        items=[
            contact_in(make_person(f"赵某{i}"), setting="workplace", exposure=at(6, 21))
            for i in range(2)
        ],
    ).contact_ids
    place_contacts(session, actor=tracer, contact_ids=ids, now=at(7, 12))
    stays = list(session.scalars(select(Stay.id).order_by(Stay.id)))
    return linyi.id, yanhu.id, stays


def staff_of(session: Session, site_id: int) -> Actor:
    return actor_of(
        create_user(
            session,
            now=NOW,
            data=UserCreate(
                username=f"site{site_id}",
                display_name="隔离点医护",
                password="correct horse battery",
                role="site",
                site_id=site_id,
            ),
        )
    )


def test_site_staff_see_only_their_site(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    linyi, yanhu, (first, second) = two_sites(session, tracer, make_actor)
    staff = staff_of(session, linyi)
    ok = SwabResult(due_on=date(2022, 3, 7), result="negative", sampled_at=at(7, 7))
    record_swab_result(session, actor=staff, stay_id=first, data=ok, now=at(7, 12))
    with pytest.raises(NotFound):
        record_swab_result(session, actor=staff, stay_id=second, data=ok, now=at(7, 12))
    with pytest.raises(NotFound):
        site_roster(session, actor=staff, site_id=yanhu, day=date(2022, 3, 7), now=NOW)
    roster = openpyxl.load_workbook(
        io.BytesIO(site_roster(session, actor=staff, site_id=linyi, day=date(2022, 3, 7), now=NOW))
    )
    rows = list(roster.active.values)
    assert rows[1][:3] == ("房间", "姓名", "身份证号码")
    assert len(rows) == 3 and rows[2][1] == "赵某0" and rows[2][6] == "是（negative）"


def test_site_staff_record_a_positive_swab(
    session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    # Site staff may not edit tracing, but their positive result still opens the infection.
    linyi, _, (first, _) = two_sites(session, tracer, make_actor)
    staff = staff_of(session, linyi)
    bad = SwabResult(due_on=date(2022, 3, 7), result="positive", sampled_at=at(7, 7))
    record_swab_result(session, actor=staff, stay_id=first, data=bad, now=at(7, 12))
    stay = session.get(Stay, first)
    assert stay is not None and stay.end_reason == "infected"
    opened = session.scalars(select(Infection).where(Infection.person_id == stay.person_id))
    assert [i.kind for i in opened] == ["asymptomatic"]


def test_site_staff_over_the_api(
    client: TestClient, session: Session, tracer: Actor, make_actor: MakeActor
) -> None:
    linyi, yanhu, _ = two_sites(session, tracer, make_actor)
    staff = staff_of(session, linyi)
    session.commit()
    token = client.post(
        "/api/auth/token", data={"username": staff.username, "password": "correct horse battery"}
    )
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert [s["id"] for s in client.get("/api/quarantine/sites", headers=headers).json()] == [linyi]
    assert client.get(f"/api/quarantine/sites/{yanhu}/rooms", headers=headers).status_code == 404
    assert client.get("/api/people", headers=headers).status_code == 403
    assert client.get("/api/infections", headers=headers).status_code == 403
    roster = client.get(
        f"/api/quarantine/sites/{linyi}/roster.xlsx", params={"day": "2022-03-07"}, headers=headers
    )
    assert roster.status_code == 200 and roster.content[:2] == b"PK"
    assert (
        client.get(f"/api/quarantine/sites/{yanhu}/roster.xlsx", headers=headers).status_code == 404
    )


def test_a_site_user_needs_a_site() -> None:
    with pytest.raises(ValueError, match="site_id is required"):
        UserCreate(username="x1", display_name="x", password="correct horse battery", role="site")
