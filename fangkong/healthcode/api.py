from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from fangkong.core.audit import record_audit
from fangkong.core.deps import CanReadPeople, CurrentActor, NowDep, SessionDep
from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.healthcode import service
from fangkong.healthcode.models import Appeal
from fangkong.healthcode.service import healthcode
from fangkong.people.service import show_person

router = APIRouter(tags=["healthcode"])


class Change(ReadModel):
    at: datetime
    colour: str
    reason: str


class HealthCodeRead(ReadModel):
    person_id: int
    colour: str
    reasons: list[str]  # every rule in force, the deciding one first
    since: datetime | None
    until: datetime | None  # when it may turn back, if the state has a planned end
    history: list[Change]


@router.get("/people/{person_id}/healthcode", response_model=HealthCodeRead)
def person_healthcode(
    person_id: RowId,
    actor: CanReadPeople,
    session: SessionDep,
    now: NowDep,
    as_of: LocalDateTime | None = None,
) -> HealthCodeRead:
    """The colour as of a moment (default now), computed from the state behind it — never
    stored, so never stale — with the rule that decided, when it may turn back and its
    history."""
    verdict, changes = healthcode(session, actor=actor, person_id=person_id, as_of=as_of or now)
    record_audit(session, actor=actor, action="read", entity="healthcode", entity_id=person_id,
                 now=now, detail=verdict.colour)  # fmt: skip
    return HealthCodeRead(
        person_id=person_id,
        colour=verdict.colour,
        reasons=verdict.reasons,
        since=verdict.since,
        until=verdict.until,
        history=[Change(at=t, colour=c, reason=r) for t, c, r in changes],
    )


class AppealIn(BaseModel):
    reason: str = Field(min_length=2, max_length=2000)


class DecisionIn(BaseModel):
    uphold: bool
    decision: str = Field(min_length=2, max_length=2000)
    colour: Literal["red", "yellow", "green"] | None = None
    until: LocalDateTime | None = None


class AppealRead(ReadModel):
    id: int
    person_id: int
    name: str
    filed_at: datetime
    filed_by: str
    reason: str
    colour_then: str
    status: str
    decided_at: datetime | None
    decided_by: str | None
    decision: str
    colour: str | None
    until: datetime | None


def _show(appeal: Appeal, name: str) -> AppealRead:
    return AppealRead.model_validate(
        {**{c: getattr(appeal, c) for c in AppealRead.model_fields if c != "name"}, "name": name}
    )


@router.post("/people/{person_id}/appeals", response_model=AppealRead, status_code=201)
def file_appeal(
    person_id: RowId, data: AppealIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> AppealRead:
    """Ask for a person's code to be reviewed (their county's staff or community worker)."""
    appeal = service.file_appeal(
        session, actor=actor, person_id=person_id, reason=data.reason, now=now
    )
    person = service.person_for(session, person_id)
    return _show(appeal, show_person(person, actor).name)


@router.get("/appeals", response_model=list[AppealRead])
def appeal_queue(actor: CurrentActor, session: SessionDep) -> list[AppealRead]:
    """Pending first, then decided; names masked for roles without full identity."""
    return [
        _show(a, show_person(p, actor).name) for a, p in service.appeal_queue(session, actor=actor)
    ]


@router.post("/appeals/{appeal_id}/decision", response_model=AppealRead)
def decide_appeal(
    appeal_id: RowId, data: DecisionIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> AppealRead:
    appeal = service.decide_appeal(
        session, actor=actor, appeal_id=appeal_id, uphold=data.uphold, decision=data.decision,
        colour=data.colour, until=data.until, now=now,
    )  # fmt: skip
    return _show(appeal, show_person(service.person_for(session, appeal.person_id), actor).name)
