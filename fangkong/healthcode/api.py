from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter

from fangkong.core.audit import record_audit
from fangkong.core.deps import CanReadPeople, NowDep, SessionDep
from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.healthcode.service import healthcode

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
