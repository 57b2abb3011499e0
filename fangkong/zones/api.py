from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from fangkong.core.deps import CurrentActor, NowDep, SessionDep
from fangkong.core.schemas import RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.core.uploads import import_upload, upload_body
from fangkong.zones import service
from fangkong.zones.deps import CanManageZones
from fangkong.zones.schemas import ZoneChange, ZoneCreate, ZoneImportResult, ZoneRead, ZoneRoundIn

router = APIRouter(prefix="/zones", tags=["zones"])
AsOf = Annotated[LocalDateTime | None, Query(description="default now")]


@router.get("", response_model=list[ZoneRead])
def list_zones(
    actor: CurrentActor, session: SessionDep, now: NowDep, as_of: AsOf = None
) -> list[ZoneRead]:
    """Zones drawn by `as_of`, with the protocol's verdict on lifting as of then."""
    return service.list_zones(session, actor=actor, as_of=as_of or now)


@router.post("", response_model=ZoneRead, status_code=201)
def draw_zone(
    data: ZoneCreate, actor: CanManageZones, session: SessionDep, now: NowDep
) -> ZoneRead:
    zone = service.draw_zone(session, actor=actor, data=data, now=now)
    return service.zone_status(session, zone, as_of=now)


@router.get("/geojson")
def export_geojson(
    actor: CurrentActor, session: SessionDep, now: NowDep, as_of: AsOf = None
) -> dict[str, Any]:
    """Every zone as a GeoJSON FeatureCollection."""
    return service.export_geojson(session, actor=actor, as_of=as_of or now)


@router.post(
    "/import",
    response_model=ZoneImportResult,
    openapi_extra=upload_body("a GeoJSON FeatureCollection"),
)
async def import_geojson(
    actor: CanManageZones, request: Request, session: SessionDep, now: NowDep
) -> ZoneImportResult:
    return await import_upload(
        request,
        session,
        into=("zones",),
        default_name="zones.geojson",
        service=service.import_geojson,
        actor=actor,
        now=now,
    )


@router.get("/{zone_id}", response_model=ZoneRead)
def read_zone(
    zone_id: RowId, actor: CurrentActor, session: SessionDep, now: NowDep, as_of: AsOf = None
) -> ZoneRead:
    zone = service.get_zone(session, actor=actor, zone_id=zone_id)
    return service.zone_status(session, zone, as_of=as_of or now)


@router.post("/{zone_id}/rounds", status_code=201, response_model=ZoneRead)
def record_round(
    zone_id: RowId, data: ZoneRoundIn, actor: CanManageZones, session: SessionDep, now: NowDep
) -> ZoneRead:
    """A whole-zone screening round's outcome (all negative counts toward lifting)."""
    service.record_round(session, actor=actor, zone_id=zone_id, data=data, now=now)
    return service.zone_status(
        session, service.get_zone(session, actor=actor, zone_id=zone_id), as_of=now
    )


@router.post("/{zone_id}/approve", response_model=ZoneRead)
def approve_change(
    zone_id: RowId, data: ZoneChange, actor: CanManageZones, session: SessionDep, now: NowDep
) -> ZoneRead:
    """The command centre approves what the rule allows now: lift, or downgrade. 409 with what
    is missing otherwise."""
    return service.approve_change(
        session, actor=actor, zone_id=zone_id, reason=data.reason, now=now
    )


@router.post("/{zone_id}/upgrade", response_model=ZoneRead)
def upgrade_zone(
    zone_id: RowId, data: ZoneChange, actor: CanManageZones, session: SessionDep, now: NowDep
) -> ZoneRead:
    return service.upgrade_zone(session, actor=actor, zone_id=zone_id, reason=data.reason, now=now)
