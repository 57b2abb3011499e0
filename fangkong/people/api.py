from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from fangkong.core.deps import NowDep, SessionDep
from fangkong.core.schemas import Page, RowId
from fangkong.core.timeutil import local_date
from fangkong.people import service
from fangkong.people.deps import CanEditPeople, CanMergePeople, CanReadPeople
from fangkong.people.schemas import IdCheck, PersonMergeRequest, PersonRead, PersonUpdate

router = APIRouter(prefix="/people", tags=["people"])


@router.get("", response_model=Page[PersonRead])
def list_people(
    actor: CanReadPeople,
    session: SessionDep,
    now: NowDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=2_147_483_647)] = 0,
) -> Page[PersonRead]:
    rows, total = service.list_people(
        session, actor=actor, q=q, limit=limit, offset=offset, now=now
    )
    return Page(items=[service.show_person(p, actor) for p in rows], total=total)


@router.get("/check-id", response_model=IdCheck)
def check_id(id_number: str, _: CanReadPeople, now: NowDep) -> IdCheck:
    return service.check_id_number(id_number, today=local_date(now))


@router.post("/merge", response_model=PersonRead)
def merge_people(
    data: PersonMergeRequest, actor: CanMergePeople, session: SessionDep, now: NowDep
) -> PersonRead:
    person = service.merge_people(
        session,
        actor=actor,
        keep_id=data.keep_id,
        merge_id=data.merge_id,
        reason=data.reason,
        now=now,
    )
    return service.show_person(person, actor)


@router.get("/{person_id}", response_model=PersonRead)
def read_person(
    person_id: RowId, actor: CanReadPeople, session: SessionDep, now: NowDep
) -> PersonRead:
    person = service.get_person(session, actor=actor, person_id=person_id, now=now)
    return service.show_person(person, actor)


@router.patch("/{person_id}", response_model=PersonRead)
def update_person(
    person_id: RowId, data: PersonUpdate, actor: CanEditPeople, session: SessionDep, now: NowDep
) -> PersonRead:
    person = service.update_person(session, actor=actor, person_id=person_id, data=data, now=now)
    return service.show_person(person, actor)
