from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from sqlalchemy import select

from fangkong.core.deps import CanManageSites, CanPlaceContacts, CurrentActor, NowDep, SessionDep
from fangkong.core.errors import NotFound
from fangkong.core.schemas import RowId
from fangkong.quarantine import service
from fangkong.quarantine.models import Room, Site
from fangkong.quarantine.schemas import (
    PlacementRequest,
    PlacementResult,
    RoomRead,
    SiteCreate,
    SiteImportResult,
    SiteRead,
)

router = APIRouter(prefix="/quarantine", tags=["quarantine"])


@router.get("/sites", response_model=list[SiteRead])
def list_sites(_: CurrentActor, session: SessionDep) -> list[SiteRead]:
    """Every site with its rooms by status: occupancy at a glance."""
    return service.list_sites(session)


@router.post("/sites", response_model=SiteRead, status_code=201)
def create_site(
    data: SiteCreate, actor: CanManageSites, session: SessionDep, now: NowDep
) -> SiteRead:
    site = service.create_site(session, actor=actor, data=data, now=now)
    return next(s for s in service.list_sites(session) if s.id == site.id)


@router.post("/sites/import", response_model=SiteImportResult)
async def import_sites(
    file: Annotated[UploadFile, File(description="sites and rooms, a row a room (.xlsx/.csv)")],
    actor: CanManageSites,
    session: SessionDep,
    now: NowDep,
) -> SiteImportResult:
    return service.import_sites(
        session,
        actor=actor,
        filename=file.filename or "sites.xlsx",
        content=await file.read(),
        now=now,
    )


@router.get("/sites/{site_id}/rooms", response_model=list[RoomRead])
def list_rooms(site_id: RowId, _: CurrentActor, session: SessionDep) -> list[Room]:
    if session.get(Site, site_id) is None:
        raise NotFound(f"site {site_id} not found")
    query = select(Room).where(Room.site_id == site_id)
    return list(session.scalars(query.order_by(Room.building, Room.floor, Room.number)))


@router.post("/placements", response_model=PlacementResult)
def place_contacts(
    data: PlacementRequest, actor: CanPlaceContacts, session: SessionDep, now: NowDep
) -> PlacementResult:
    """Place a batch of contacts; who could not be placed comes back with the reason."""
    return service.place_contacts(
        session, actor=actor, contact_ids=data.contact_ids, accessible=data.accessible, now=now
    )
