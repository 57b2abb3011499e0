from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from fangkong.core.deps import CurrentActor, NowDep, SessionDep, xlsx_response
from fangkong.core.errors import InvalidInput
from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.uploads import import_upload, upload_body
from fangkong.testing import coverage, labs, recalls, results, service, shipments
from fangkong.testing import plan as planning
from fangkong.testing.deps import CanReportResults, CanSample
from fangkong.testing.pooling import advise_pool_size
from fangkong.testing.schemas import (
    CoverageRead,
    LabChange,
    LabIn,
    LabRead,
    PlanRead,
    RecallRead,
    RegisterResult,
    ResultsRead,
    RoundCreate,
    RoundRead,
    SamplesIn,
    ShipmentRead,
    ShipmentStep,
    SiteIn,
    SiteRead,
    TurnaroundRead,
)

router = APIRouter(prefix="/testing", tags=["testing"])


def round_to_sample(round_id: RowId, actor: CanSample, session: SessionDep) -> int:
    """The round of the path, if the actor samples for it: checked before the scans are read."""
    return service.get_round(session, actor=actor, round_id=round_id).id


def lab_to_report(lab_id: RowId, actor: CanReportResults, session: SessionDep) -> int:
    """The lab of the path, if the actor reports for it: checked before the file is read."""
    return labs.lab_for(session, actor=actor, lab_id=lab_id).id


RoundToSample = Annotated[int, Depends(round_to_sample)]
LabToReport = Annotated[int, Depends(lab_to_report)]


class PoolOptionRead(BaseModel):
    size: int
    tests_per_person: float
    sensitivity: float


class PoolAdviceRead(ReadModel):
    prevalence: float
    recommended: PoolOptionRead
    options: list[PoolOptionRead]


@router.get("/pool-size", response_model=PoolAdviceRead)
def pool_size(
    _: CurrentActor,
    prevalence: Annotated[float, Query(gt=0, lt=1, description="estimated share infected")],
    sensitivity: Annotated[float, Query(gt=0, le=1)] = 0.95,
    dilution_loss: Annotated[float, Query(ge=0, lt=1)] = 0.01,
    min_sensitivity: Annotated[float, Query(ge=0, le=1)] = 0.85,
) -> PoolAdviceRead:
    """The pool size with the fewest tests per case found at a prevalence (Dorfman)."""
    try:
        advice = advise_pool_size(
            prevalence,
            sensitivity=sensitivity,
            dilution_loss=dilution_loss,
            min_sensitivity=min_sensitivity,
        )
    except ValueError as exc:
        raise InvalidInput.at(("prevalence",), str(exc)) from None
    return PoolAdviceRead.model_validate(advice, from_attributes=True)


# -- rounds, sites, registration --------------------------------------------------------------


@router.get("/rounds", response_model=list[RoundRead])
def list_rounds(actor: CurrentActor, session: SessionDep) -> list[RoundRead]:
    return [service.present_round(session, r) for r in service.list_rounds(session, actor=actor)]


@router.post("/rounds", response_model=RoundRead, status_code=201)
def create_round(
    data: RoundCreate, actor: CurrentActor, session: SessionDep, now: NowDep
) -> RoundRead:
    made = service.create_round(session, actor=actor, data=data, now=now)
    return service.present_round(session, made)


@router.get("/rounds/{round_id}", response_model=RoundRead)
def get_round(round_id: RowId, actor: CurrentActor, session: SessionDep) -> RoundRead:
    return service.present_round(
        session, service.get_round(session, actor=actor, round_id=round_id)
    )


@router.post("/rounds/{round_id}/sites", response_model=list[SiteRead], status_code=201)
def add_sites(
    round_id: RowId, sites: list[SiteIn], actor: CurrentActor, session: SessionDep
) -> list[SiteRead]:
    made = service.add_sites(session, actor=actor, round_id=round_id, sites=sites)
    return [SiteRead.model_validate(s, from_attributes=True) for s in made]


@router.post("/rounds/{round_id}/samples", response_model=RegisterResult)
def register_samples(
    round_id: RoundToSample,
    data: SamplesIn,
    actor: CurrentActor,
    session: SessionDep,
    now: NowDep,
    purpose: Literal["screen", "retest"] = "screen",
) -> RegisterResult:
    """Scans from sampling desks, in batches of up to 10,000: all or nothing."""
    scans = [
        service.Registration(s.person.upper(), s.barcode, s.site_id, s.sampled_at, ("items", i))
        for i, s in enumerate(data.items)
    ]
    return service.register_samples(
        session, actor=actor, round_id=round_id, scans=scans, now=now, purpose=purpose
    )


@router.post(
    "/rounds/{round_id}/samples/file",
    response_model=RegisterResult,
    openapi_extra=upload_body("scans: 身份证号, 管号, 采样点, 采样时间"),
)
async def register_file(
    round_id: RoundToSample,
    actor: CurrentActor,
    request: Request,
    session: SessionDep,
    now: NowDep,
) -> RegisterResult:
    return await import_upload(
        request, session, into=("samples", round_id), default_name="scans.csv",
        service=service.register_file, actor=actor, round_id=round_id, now=now,
    )  # fmt: skip


@router.post("/rounds/{round_id}/close-tubes")
def close_tubes(
    round_id: RowId,
    actor: CurrentActor,
    session: SessionDep,
    now: NowDep,
    site_id: RowId | None = None,
) -> dict[str, int]:
    """End of a sampling session: the site's open tubes close as they are."""
    closed = service.close_tubes(session, actor=actor, round_id=round_id, now=now, site_id=site_id)
    return {"closed": closed}


@router.post("/rounds/{round_id}/close", response_model=RoundRead)
def close_round(
    round_id: RowId, actor: CurrentActor, session: SessionDep, now: NowDep
) -> RoundRead:
    found = service.close_round(session, actor=actor, round_id=round_id, now=now)
    return service.present_round(session, found)


# -- labs, plan, shipments, results -----------------------------------------------------------


@router.get("/labs", response_model=list[LabRead])
def list_labs(_: CurrentActor, session: SessionDep, now: NowDep) -> list[LabRead]:
    """Labs, their capacity and routes, tubes in hand and how many are late by the plan."""
    return labs.list_labs(session, now=now)


@router.put("/labs", response_model=list[LabRead])
def save_labs(data: list[LabIn], actor: CurrentActor, session: SessionDep) -> list[LabRead]:
    """Create or update labs by name, each with its routes (all or nothing)."""
    labs.save_labs(session, actor=actor, labs=data)
    return labs.list_labs(session)


@router.patch("/labs/{lab_id}", response_model=list[LabRead])
def change_lab(
    lab_id: RowId, data: LabChange, actor: CurrentActor, session: SessionDep, now: NowDep
) -> list[LabRead]:
    """A lab falls behind (minutes) or its capacity changes; plan the round again after."""
    labs.change_lab(session, actor=actor, lab_id=lab_id, data=data, now=now)
    return labs.list_labs(session)


@router.post("/rounds/{round_id}/plan", response_model=PlanRead)
def plan_round(round_id: RowId, actor: CurrentActor, session: SessionDep, now: NowDep) -> PlanRead:
    """Send closed tubes to labs for the earliest last result; re-plans what has not left."""
    return planning.plan_round(session, actor=actor, round_id=round_id, now=now)


@router.get("/rounds/{round_id}/shipments", response_model=list[ShipmentRead])
def list_shipments(round_id: RowId, actor: CurrentActor, session: SessionDep) -> list[ShipmentRead]:
    return shipments.list_shipments(session, actor=actor, round_id=round_id)


@router.post("/shipments/{shipment_id}/{step}", response_model=ShipmentRead)
def shipment_step(
    shipment_id: RowId,
    step: Literal["departed", "delivered"],
    data: ShipmentStep,
    actor: CurrentActor,
    session: SessionDep,
    now: NowDep,
) -> ShipmentRead:
    return shipments.shipment_step(
        session, actor=actor, shipment_id=shipment_id, step=step, at=data.at, now=now
    )


@router.get("/labs/{lab_id}/worklist.csv", response_class=Response)
def lab_worklist(lab_id: RowId, actor: CurrentActor, session: SessionDep) -> Response:
    """The tubes a lab owes results for, as the results file to fill in and upload."""
    codes = labs.worklist(session, actor=actor, lab_id=lab_id)
    return Response(
        results.results_csv((code, "", None, None) for code in codes),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="worklist-lab-{lab_id}.csv"'},
    )


@router.post(
    "/labs/{lab_id}/results",
    response_model=ResultsRead,
    openapi_extra=upload_body("results: 管号, 结果, 检测时间, 报告时间"),
)
async def upload_results(
    lab_id: LabToReport, actor: CurrentActor, request: Request, session: SessionDep, now: NowDep
) -> ResultsRead:
    """A lab's results (.csv/.xlsx), all or nothing; positive pools raise recalls at once."""

    return await import_upload(
        request, session, into=("results", lab_id), default_name="results.csv",
        service=results.record_results_file, actor=actor, lab_id=lab_id, now=now,
    )  # fmt: skip


# -- recalls, coverage, turnaround ------------------------------------------------------------


@router.get("/rounds/{round_id}/recalls", response_model=list[RecallRead])
def list_recalls(round_id: RowId, actor: CurrentActor, session: SessionDep) -> list[RecallRead]:
    return recalls.list_recalls(session, actor=actor, round_id=round_id)


@router.get("/recalls/{recall_id}", response_model=RecallRead)
def get_recall(
    recall_id: RowId, actor: CurrentActor, session: SessionDep, now: NowDep
) -> RecallRead:
    """The sampling team's job: the pool's members, where to find them, their retests."""
    return recalls.get_recall(session, actor=actor, recall_id=recall_id, now=now)


@router.get("/rounds/{round_id}/coverage", response_model=CoverageRead)
def round_coverage(round_id: RowId, actor: CurrentActor, session: SessionDep) -> CoverageRead:
    return coverage.coverage(session, actor=actor, round_id=round_id)


@router.get("/rounds/{round_id}/missing.xlsx", response_class=Response)
def missing_list(
    round_id: RowId, actor: CurrentActor, session: SessionDep, now: NowDep
) -> Response:
    """Who in the area has not been sampled (应检未检), per community."""
    data = coverage.missing_xlsx(session, actor=actor, round_id=round_id, now=now)
    return xlsx_response(data, f"missing-{round_id}.xlsx")


@router.get("/rounds/{round_id}/turnaround", response_model=TurnaroundRead)
def round_turnaround(round_id: RowId, actor: CurrentActor, session: SessionDep) -> TurnaroundRead:
    return coverage.turnaround(session, actor=actor, round_id=round_id)
