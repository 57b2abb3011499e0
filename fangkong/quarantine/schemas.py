from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.people.schemas import PersonRead

SiteKind = Literal["hotel", "dormitory", "cabin"]
RoomKind = Literal["single", "family", "accessible"]
RoomStatus = Literal["ready", "occupied", "cleaning", "out_of_service"]


class RoomIn(BaseModel):
    building: str = Field(default="", max_length=32)
    floor: int = Field(default=1, ge=-5, le=200)
    number: str = Field(min_length=1, max_length=16)
    kind: RoomKind = "single"
    capacity: int | None = Field(default=None, ge=1, le=12, description="default 1, family 4")


class SiteCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: SiteKind
    county_code: str = Field(pattern=r"^\d{6}$")
    address: str = Field(default="", max_length=200)
    lon: float | None = Field(default=None, ge=-180, le=180)
    lat: float | None = Field(default=None, ge=-90, le=90)
    staff: str = Field(default="", max_length=2000)
    rooms: list[RoomIn] = []


class SiteRead(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: SiteKind
    county_code: str
    county_name: str | None = None
    address: str
    lon: float | None
    lat: float | None
    staff: str
    rooms: int = 0
    ready: int = 0
    occupied: int = 0
    cleaning: int = 0
    out_of_service: int = 0
    people: int = 0


class RoomRead(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    site_id: int
    building: str
    floor: int
    number: str
    kind: RoomKind
    capacity: int
    status: RoomStatus


class PlacementRequest(BaseModel):
    contact_ids: list[RowId] = Field(min_length=1, max_length=50_000)
    accessible: list[RowId] = Field(default=[], description="contacts who need an accessible room")
    by_transfer: bool = Field(default=False, description="hold rooms and plan transfers")


class Placed(ReadModel):
    contact_id: int
    person: PersonRead
    site_id: int
    site_name: str
    room_id: int
    room: str
    household: str
    placed_at: datetime


class Unplaced(ReadModel):
    contact_id: int
    reason: str


class PlacementResult(ReadModel):
    placed: list[Placed]
    unplaced: list[Unplaced]


class SiteImportResult(ReadModel):
    sites_created: int
    rooms_created: int
    rooms_existing: int


class SwabResult(BaseModel):
    due_on: date
    result: Literal["negative", "positive"]
    sampled_at: LocalDateTime


class SwabRead(ReadModel):
    due_on: date
    result: str | None
    sampled_at: datetime | None


class StayRead(ReadModel):
    id: int
    person: PersonRead
    site_id: int
    room_id: int
    room: str
    placed_at: datetime
    arrived_at: datetime | None
    planned_end_at: datetime
    released_at: datetime | None
    end_reason: str | None = None
    swabs: list[SwabRead]


class Held(ReadModel):
    stay_id: int
    person: PersonRead
    reason: str


class ReleaseResult(ReadModel):
    released: list[StayRead]
    held: list[Held]


class SiteOutlook(ReadModel):
    site_id: int
    name: str
    available: int
    occupied_today: int
    needed: list[int]
    runs_out_on: date | None


class CapacityOutlook(ReadModel):
    as_of: datetime
    days: list[date]
    sites: list[SiteOutlook]
    available: int
    occupied_today: int
    waiting_now: int = Field(description="contacts under central-quarantine orders with no room")
    needed: list[int] = Field(description="rooms needed each day: running stays + waiting")
    waiting_needed: list[int] = Field(
        default_factory=list, description="of which the rooms the people waiting will take"
    )
    waiting_people: list[int] = Field(
        default_factory=list, description="the people waiting (a household may share a room)"
    )
    runs_out_on: date | None = Field(description="the first day need exceeds the rooms, if any")


TransferStatus = Literal["dispatched", "picked_up", "arrived"]


class VehicleIn(BaseModel):
    plate: str = Field(min_length=2, max_length=16)
    seats: int = Field(ge=1, le=60)
    kind: str = Field(default="van", max_length=16)
    base_county: str = Field(pattern=r"^\d{6}$")


class VehicleRead(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    plate: str
    seats: int
    kind: str
    base_county: str
    active: bool


class TransferRead(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    household: str
    people: int
    pickup_address: str
    pickup_county: str | None
    site_id: int | None
    destination: str
    is_case: bool
    status: str
    vehicle_id: int | None
    run: int | None
    planned_at: datetime
    dispatched_at: datetime | None
    picked_up_at: datetime | None
    arrived_at: datetime | None


class TransferStep(BaseModel):
    status: TransferStatus
    at: LocalDateTime


class CaseTransfer(BaseModel):
    infection_id: RowId
    destination: str = Field(min_length=1, max_length=200, description="the designated hospital")


class TransferRequest(BaseModel):
    """Place contacts in one named site, moved there by transfer: all of them or none."""

    contact_ids: list[RowId] = Field(min_length=1, max_length=5000)
    site_id: RowId


class Run(ReadModel):
    vehicle: str
    run: int
    area: str | None
    transfers: list[int]
    people: int
    seats: int


class DispatchPlan(ReadModel):
    runs: list[Run]
    unassigned: list[int] = Field(description="households larger than any vehicle")


class PapersRequest(BaseModel):
    kind: Literal["notice", "release"]
    stay_ids: list[RowId] = Field(default=[], max_length=100_000)
    site_id: RowId | None = Field(default=None, description="every stay of a site, if no stay_ids")


class RoomStatusChange(BaseModel):
    status: Literal["ready", "out_of_service"]
