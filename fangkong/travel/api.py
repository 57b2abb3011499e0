from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from fangkong.core.auth import Actor
from fangkong.core.deps import CurrentActor, NowDep, SessionDep
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.core.uploads import import_upload, upload_body
from fangkong.travel import service
from fangkong.travel.schemas import (
    ArrivalIn,
    ArrivalRead,
    CheckpointIn,
    CheckpointRead,
    RiskImportRead,
    StepIn,
)

router = APIRouter(prefix="/travel", tags=["travel"])


@router.get("/checkpoints", response_model=list[CheckpointRead])
def list_checkpoints(_: CurrentActor, session: SessionDep) -> list[CheckpointRead]:
    return [
        CheckpointRead.model_validate(c, from_attributes=True)
        for c in service.list_checkpoints(session)
    ]


@router.post("/checkpoints", response_model=CheckpointRead, status_code=201)
def add_checkpoint(data: CheckpointIn, actor: CurrentActor, session: SessionDep) -> CheckpointRead:
    made = service.add_checkpoint(session, actor=actor, data=data)
    return CheckpointRead.model_validate(made, from_attributes=True)


def risk_list_editor(actor: CurrentActor) -> Actor:
    """Checked before the file is read."""
    service.require_risk_list_editor(actor)
    return actor


RiskListEditor = Annotated[Actor, Depends(risk_list_editor)]


@router.post(
    "/risk-areas/import",
    response_model=RiskImportRead,
    openapi_extra=upload_body("地区, 风险等级, 起始日期, 解除日期 (.xlsx/.csv)"),
)
async def import_risk_areas(
    actor: RiskListEditor, request: Request, session: SessionDep, now: NowDep
) -> RiskImportRead:
    return await import_upload(
        request,
        session,
        into=("risk-areas",),
        default_name="risk.xlsx",
        service=service.import_risk_areas,
        actor=actor,
        now=now,
    )


@router.post("/arrivals", response_model=ArrivalRead, status_code=201)
def register_arrival(
    data: ArrivalIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> ArrivalRead:
    """An arrival at a checkpoint (or reported ahead): matched against the risk areas as they
    stood on the day they left; the protocol gives the path."""
    made = service.register_arrival(session, actor=actor, data=data, now=now)
    [shown] = service.present(session, actor, [made], as_of=now)
    return shown


@router.post("/arrivals/{arrival_id}/steps", response_model=ArrivalRead)
def record_step(
    arrival_id: RowId, data: StepIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> ArrivalRead:
    arrival = service.record_step(session, actor=actor, arrival_id=arrival_id, data=data, now=now)
    [shown] = service.present(session, actor, [arrival], as_of=now)
    return shown


@router.get("/arrivals", response_model=list[ArrivalRead])
def list_arrivals(
    actor: CurrentActor, session: SessionDep, now: NowDep, as_of: LocalDateTime | None = None
) -> list[ArrivalRead]:
    return service.list_arrivals(session, actor=actor, as_of=as_of or now)


@router.get("/alerts", response_model=list[ArrivalRead])
def alerts(
    actor: CurrentActor, session: SessionDep, now: NowDep, as_of: LocalDateTime | None = None
) -> list[ArrivalRead]:
    """Arrivals whose next step is late: who, which step, by how many hours."""
    return service.alerts(session, actor=actor, as_of=as_of or now)
