from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from sqlalchemy import select

from fangkong.core.deps import (
    CurrentActor,
    NowDep,
    SessionDep,
    xlsx_response,
)
from fangkong.core.errors import NotFound
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import LocalDateTime, local_date
from fangkong.core.uploads import import_upload, upload_body
from fangkong.quarantine import outlook, papers, service, stays, transfers
from fangkong.quarantine.deps import CanManageSites, CanPlaceContacts, CanWorkSites
from fangkong.quarantine.models import Room, Site, Transfer, Vehicle
from fangkong.quarantine.schemas import (
    CapacityOutlook,
    CaseTransfer,
    DispatchPlan,
    PapersRequest,
    PlacementRequest,
    PlacementResult,
    ReleaseResult,
    RoomRead,
    RoomStatusChange,
    SiteCreate,
    SiteImportResult,
    SiteRead,
    StayRead,
    SwabRead,
    SwabResult,
    TransferRead,
    TransferRequest,
    TransferStep,
    VehicleIn,
    VehicleRead,
)

router = APIRouter(prefix="/quarantine", tags=["quarantine"])


@router.get("/sites", response_model=list[SiteRead])
def list_sites(
    actor: CurrentActor, session: SessionDep, as_of: LocalDateTime | None = None
) -> list[SiteRead]:
    """Every site with its rooms by status: occupancy at a glance (a site's staff: theirs);
    `as_of`, as they were then (sites opened by then, rooms of the stays then in force)."""
    return service.list_sites(session, actor=actor, as_of=as_of)


@router.post("/sites", response_model=SiteRead, status_code=201)
def create_site(
    data: SiteCreate, actor: CanManageSites, session: SessionDep, now: NowDep
) -> SiteRead:
    site = service.create_site(session, actor=actor, data=data, now=now)
    return next(s for s in service.list_sites(session) if s.id == site.id)


@router.post(
    "/sites/import",
    response_model=SiteImportResult,
    openapi_extra=upload_body("sites and rooms, a row a room (.xlsx/.csv)"),
)
async def import_sites(
    actor: CanManageSites, request: Request, session: SessionDep, now: NowDep
) -> SiteImportResult:
    return await import_upload(
        request,
        session,
        into=("sites",),
        default_name="sites.xlsx",
        service=service.import_sites,
        actor=actor,
        now=now,
    )


@router.get("/sites/{site_id}/rooms", response_model=list[RoomRead])
def list_rooms(site_id: RowId, actor: CurrentActor, session: SessionDep) -> list[Room]:
    if session.get(Site, site_id) is None:
        raise NotFound(f"site {site_id} not found")
    stays.require_site(actor, site_id)
    query = select(Room).where(Room.site_id == site_id)
    return list(session.scalars(query.order_by(Room.building, Room.floor, Room.number)))


@router.post("/placements", response_model=PlacementResult)
def place_contacts(
    data: PlacementRequest, actor: CanPlaceContacts, session: SessionDep, now: NowDep
) -> PlacementResult:
    """Place a batch of contacts; who could not be placed comes back with the reason."""
    return service.place_contacts(
        session,
        actor=actor,
        contact_ids=data.contact_ids,
        accessible=data.accessible,
        by_transfer=data.by_transfer,
        now=now,
    )


@router.post("/stays/{stay_id}/swabs", response_model=SwabRead)
def record_swab_result(
    stay_id: RowId, data: SwabResult, actor: CanWorkSites, session: SessionDep, now: NowDep
) -> SwabRead:
    """The result of a scheduled swab; a positive one opens an infection for tracing."""
    swab = stays.record_swab_result(session, actor=actor, stay_id=stay_id, data=data, now=now)
    return SwabRead(due_on=swab.due_on, result=swab.result, sampled_at=swab.sampled_at)


@router.post("/releases", response_model=ReleaseResult)
def release_due(actor: CanWorkSites, session: SessionDep, now: NowDep) -> ReleaseResult:
    """Release everyone whose central quarantine is over with every swab negative."""
    return stays.release_due(session, actor=actor, now=now)


@router.patch("/rooms/{room_id}", response_model=RoomRead)
def set_room_status(
    room_id: RowId, data: RoomStatusChange, actor: CanWorkSites, session: SessionDep
) -> Room:
    """Ready after cleaning, or out of service and back."""
    return stays.set_room_status(session, actor=actor, room_id=room_id, status=data.status)


@router.get("/people/{person_id}/stays", response_model=list[StayRead])
def quarantine_record(person_id: RowId, actor: CurrentActor, session: SessionDep) -> list[StayRead]:
    """A person's quarantine record: stays and swabs."""
    return stays.quarantine_record(session, actor=actor, person_id=person_id)


@router.get("/outlook", response_model=CapacityOutlook)
def capacity_outlook(
    actor: CurrentActor,
    session: SessionDep,
    now: NowDep,
    as_of: Annotated[LocalDateTime | None, Query()] = None,
    days: Annotated[int, Query(ge=1, le=60)] = 14,
) -> CapacityOutlook:
    """Rooms needed each day against rooms there are, and the day they run out, if they do."""
    return outlook.capacity_outlook(session, now=as_of or now, days=days, site_id=actor.site_id)


@router.get("/vehicles", response_model=list[VehicleRead])
def list_vehicles(_: CurrentActor, session: SessionDep) -> list[Vehicle]:
    return transfers.list_vehicles(session)


@router.post("/vehicles", response_model=VehicleRead, status_code=201)
def add_vehicle(data: VehicleIn, actor: CanManageSites, session: SessionDep) -> Vehicle:
    return transfers.add_vehicle(session, actor=actor, data=data)


@router.get("/transfers", response_model=list[TransferRead])
def list_transfers(
    actor: CurrentActor, session: SessionDep, status: str | None = None
) -> list[TransferRead]:
    return transfers.list_transfers(session, actor=actor, status=status)


@router.post("/transfers", response_model=PlacementResult, status_code=201)
def transfer_to_site(
    data: TransferRequest, actor: CanPlaceContacts, session: SessionDep, now: NowDep
) -> PlacementResult:
    """Hold rooms in one site for these contacts and plan their transfer: all or none (a full
    site is an error naming who did not fit)."""
    return service.place_contacts(
        session,
        actor=actor,
        contact_ids=data.contact_ids,
        now=now,
        by_transfer=True,
        site_id=data.site_id,
        all_or_nothing=True,
    )


@router.post("/transfers/cases", response_model=TransferRead, status_code=201)
def plan_case_transfer(
    data: CaseTransfer, actor: CanPlaceContacts, session: SessionDep, now: NowDep
) -> Transfer:
    return transfers.plan_case_transfer(
        session, actor=actor, infection_id=data.infection_id, destination=data.destination, now=now
    )


@router.post("/transfers/plan", response_model=DispatchPlan)
def plan_dispatch(actor: CanPlaceContacts, session: SessionDep) -> DispatchPlan:
    """Batch the planned transfers into vehicle runs by area and seats."""
    return transfers.plan_dispatch(session, actor=actor)


@router.post("/transfers/{transfer_id}/status", response_model=TransferRead)
def advance_transfer(
    transfer_id: RowId,
    data: TransferStep,
    actor: CanPlaceContacts,
    session: SessionDep,
    now: NowDep,
) -> TransferRead:
    transfer = transfers.advance_transfer(
        session, actor=actor, transfer_id=transfer_id, status=data.status, at=data.at, now=now
    )
    return transfers.show_transfer(actor, transfer)


PDF = "application/pdf"


def _pdf(data: bytes, name: str) -> Response:
    return Response(
        data, media_type=PDF, headers={"Content-Disposition": f'inline; filename="{name}"'}
    )


@router.get("/stays/{stay_id}/{kind}.pdf", response_class=Response)
def paper(
    stay_id: RowId,
    kind: Literal["notice", "release"],
    actor: CanWorkSites,
    session: SessionDep,
    now: NowDep,
) -> Response:
    """The quarantine notice, or the release certificate, of one stay."""
    data = papers.render_papers(session, actor=actor, stay_ids=[stay_id], kind=kind, now=now)
    return _pdf(data, f"{kind}-{stay_id}.pdf")


@router.post("/papers", response_class=Response)
def papers_in_bulk(
    data: PapersRequest, actor: CanWorkSites, session: SessionDep, now: NowDep
) -> Response:
    """Notices or release certificates for a batch (listed stays, or a whole site), one PDF."""
    site_id = actor.site_id or data.site_id
    stay_ids = data.stay_ids or list(
        papers.stays_of(session, now=now, site_id=site_id, released=data.kind == "release")
    )
    pdf = papers.render_papers(session, actor=actor, stay_ids=stay_ids, kind=data.kind, now=now)
    return _pdf(pdf, f"{data.kind}s.pdf")


@router.get("/sites/{site_id}/roster.xlsx", response_class=Response)
def site_roster(
    site_id: RowId,
    actor: CanWorkSites,
    session: SessionDep,
    now: NowDep,
    day: date | None = None,
) -> Response:
    """The day's roster of a site (default today, city time)."""
    wanted = day or local_date(now)
    data = stays.site_roster(session, actor=actor, site_id=site_id, day=wanted, now=now)
    name = f"roster-site-{site_id}-{wanted:%Y%m%d}.xlsx"
    return xlsx_response(data, name)
