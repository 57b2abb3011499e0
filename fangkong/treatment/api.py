"""Treatment's API: hospitals and beds, admissions, transfers, discharges, clinical types and
tests, occupancy by day."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from fangkong.core.deps import CurrentActor, NowDep, SessionDep
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import LocalDateTime, local_date
from fangkong.treatment import service
from fangkong.treatment.schemas import (
    AdmissionIn,
    AdmissionRead,
    ClinicalIn,
    DischargeIn,
    HospitalIn,
    HospitalRead,
    OccupancyDay,
    PcrIn,
    TransferIn,
)

router = APIRouter(prefix="/treatment", tags=["treatment"])


@router.get("/hospitals", response_model=list[HospitalRead])
def list_hospitals(
    _: CurrentActor, session: SessionDep, now: NowDep, at: LocalDateTime | None = None
) -> list[HospitalRead]:
    """Hospitals, wards and beds taken at a moment (default now)."""
    return service.list_hospitals(session, at=at or now)


@router.post("/hospitals", response_model=HospitalRead, status_code=201)
def add_hospital(
    data: HospitalIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> HospitalRead:
    made = service.add_hospital(session, actor=actor, data=data, now=now)
    return next(h for h in service.list_hospitals(session, at=now) if h.id == made.id)


@router.post("/admissions", response_model=AdmissionRead, status_code=201)
def admit(
    data: AdmissionIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> AdmissionRead:
    """An infection into a ward's bed; a full ward is refused (409)."""
    return service.present(session, service.admit(session, actor=actor, data=data, now=now))


@router.post("/admissions/{admission_id}/transfer", response_model=AdmissionRead)
def transfer(
    admission_id: RowId, data: TransferIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> AdmissionRead:
    moved = service.transfer(
        session, actor=actor, admission_id=admission_id, ward_id=data.ward_id, at=data.at, now=now
    )
    return service.present(session, moved)


@router.post("/admissions/{admission_id}/discharge", response_model=AdmissionRead)
def discharge(
    admission_id: RowId, data: DischargeIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> AdmissionRead:
    """Discharged when the plan's criteria are met (422 naming the missing test otherwise),
    into the plan's health monitoring."""
    done = service.discharge(session, actor=actor, admission_id=admission_id, at=data.at, now=now)
    return service.present(session, done)


@router.get("/infections/{infection_id}/admissions", response_model=list[AdmissionRead])
def admissions_of(
    infection_id: RowId, actor: CurrentActor, session: SessionDep
) -> list[AdmissionRead]:
    return [
        service.present(session, a)
        for a in service.admissions_of(session, actor=actor, infection_id=infection_id)
    ]


@router.post("/infections/{infection_id}/clinical", status_code=204)
def record_clinical(
    infection_id: RowId, data: ClinicalIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> None:
    service.record_clinical(session, actor=actor, infection_id=infection_id, data=data, now=now)


@router.post("/infections/{infection_id}/tests", status_code=204)
def record_pcr(
    infection_id: RowId, data: PcrIn, actor: CurrentActor, session: SessionDep, now: NowDep
) -> None:
    service.record_pcr(session, actor=actor, infection_id=infection_id, data=data, now=now)


@router.get("/occupancy", response_model=list[OccupancyDay])
def occupancy(
    session: SessionDep,
    _: CurrentActor,
    now: NowDep,
    days: Annotated[int, Query(ge=1, le=60, description="days up to today")] = 7,
) -> list[OccupancyDay]:
    """Beds taken per hospital at the start of each day."""
    today = local_date(now)
    return service.occupancy(session, days=[today - timedelta(days=d) for d in range(days)][::-1])
