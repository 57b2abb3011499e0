from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.timeutil import LocalDateTime

RoundArea = Literal["zone", "county", "township", "city"]
BARCODE = r"^[A-Za-z0-9-]{4,32}$"


class SiteIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    county_code: str = Field(pattern=r"^\d{6}$")
    per_hour: int = Field(ge=1, le=10_000, description="people the site's desks sample an hour")
    staff: int = Field(ge=1, le=1_000)


class RoundCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    area: RoundArea
    zone_id: RowId | None = Field(default=None, description="for area zone")
    county_code: str | None = Field(default=None, pattern=r"^\d{6}$", description="county area")
    match: str = Field(
        default="", max_length=200, description="for area township: text in every address"
    )
    pool_size: Literal[5, 10, 20] = 10
    starts_at: LocalDateTime
    sites: list[SiteIn] = Field(default=[], max_length=5_000)


class SampleIn(BaseModel):
    """One scan at a sampling desk: the person's ID card (or person key) and the tube."""

    person: str = Field(min_length=1, max_length=32, description="身份证号 or person key")
    barcode: str = Field(pattern=BARCODE)
    site_id: RowId
    sampled_at: LocalDateTime


class SamplesIn(BaseModel):
    items: list[SampleIn] = Field(min_length=1, max_length=10_000)


class RegisterResult(ReadModel):
    added: int
    already: int  # the same scan sent again
    tubes_opened: int
    tubes_closed: int


class SiteRead(ReadModel):
    id: int
    name: str
    county_code: str
    per_hour: int
    staff: int
    sampled: int = 0


class RoundRead(ReadModel):
    id: int
    name: str
    area: str
    zone_id: int | None
    county_code: str | None
    match: str
    pool_size: int
    starts_at: datetime
    closed_at: datetime | None
    residents: int
    sampled: int
    tubes: int
    tubes_open: int
    tubes_awaiting_plan: int
    tubes_resulted: int
    positive_tubes: int
    recalls_open: int
    sites: list[SiteRead]


class LabIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["central", "county"]
    county_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    tubes_per_day: int = Field(ge=1, le=10_000_000)
    routes: dict[str, float] = Field(
        description="minutes by road from each county's sampling sites (county code → minutes)",
        max_length=200,
    )


class LabChange(BaseModel):
    tubes_per_day: int | None = Field(default=None, ge=1, le=10_000_000)
    behind_min: float | None = Field(default=None, ge=0, le=14 * 24 * 60)


class LabRead(ReadModel):
    id: int
    name: str
    kind: str
    county_code: str | None
    tubes_per_day: int
    behind_min: float
    routes: dict[str, float]
    in_hand: int  # tubes sent to it without a result yet
    late: int  # of those, past the plan's expected result: the lab is falling behind


class ShipmentRead(ReadModel):
    id: int
    site: str
    lab: str
    tubes: int
    planned_at: datetime
    expected_result_at: datetime
    departed_at: datetime | None
    delivered_at: datetime | None


class PlanRead(ReadModel):
    tubes: int
    replanned: int  # tubes taken back from shipments that had not left
    last_result_at: datetime | None
    shipments: list[ShipmentRead]


class ShipmentStep(BaseModel):
    at: LocalDateTime


class ResultsRead(ReadModel):
    recorded: int
    already: int
    positive_pools: int
    recalls: list[int]
    infections: list[int]


class RecallMember(ReadModel):
    person_id: int
    name: str
    id_number: str | None
    phone: str | None
    address: str
    retest_barcode: str | None
    retest_result: str | None


class RecallRead(ReadModel):
    id: int
    round_id: int
    barcode: str
    site: str
    raised_at: datetime
    done_at: datetime | None
    members: list[RecallMember]


class CommunityCoverage(ReadModel):
    community: str
    residents: int
    sampled: int
    missing: int


class CoverageRead(ReadModel):
    residents: int
    sampled: int
    missing: int
    communities: list[CommunityCoverage]


class StageTimes(ReadModel):
    stage: str  # collect, deliver, test, report, total
    count: int
    median_h: float | None
    p90_h: float | None
    max_h: float | None


class TurnaroundRead(ReadModel):
    stages: list[StageTimes]
    histogram_edges_h: list[float]
    histogram_counts: list[int]
