from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.timeutil import LocalDateTime

ZoneUnit = Literal["admin", "address", "cells", "polygon"]


class ZoneCreate(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: str = Field(description="a zone kind of the protocol: sealed, controlled, precaution …")
    parent_id: RowId | None = None
    county_code: str = Field(pattern=r"^\d{6}$")
    unit: ZoneUnit
    match: str = Field(default="", max_length=200, description="address text, for unit address")
    cells: list[str] = Field(default=[], max_length=10_000)
    geometry: dict[str, Any] | None = Field(
        default=None,
        description=(
            "GeoJSON: the area of a polygon zone; the shape drawn on the map for any other "
            "(a county-wide zone without one is drawn as its county's boundary)"
        ),
    )
    declared_population: int | None = Field(default=None, ge=0, le=50_000_000)
    drawn_at: LocalDateTime
    note: str = Field(default="", max_length=2000)


class ZoneRoundIn(BaseModel):
    completed_at: LocalDateTime
    tested: int = Field(ge=1, le=50_000_000)
    positive: int = Field(default=0, ge=0)


class ZoneChange(BaseModel):
    reason: str = Field(min_length=2, max_length=500)


class VerdictRead(ReadModel):
    eligible: bool
    becomes: str
    eligible_from: datetime | None
    unmet: list[str]
    upgrade_to: str | None = Field(description="a new infection inside calls for this kind")


class ZoneEventRead(ReadModel):
    at: datetime
    action: str
    from_kind: str | None
    to_kind: str | None
    by: str
    reason: str


class ZoneRead(ReadModel):
    id: int
    name: str
    kind: str
    kind_label: str
    protocol_id: str
    parent_id: int | None
    county_code: str
    unit: ZoneUnit
    match: str
    population: int | None
    status: str
    drawn_at: datetime
    changed_at: datetime
    lifted_at: datetime | None
    as_of: datetime
    verdict: VerdictRead | None
    events: list[ZoneEventRead]
    geometry: dict[str, Any] | None = None


class ZoneImportResult(ReadModel):
    created: int
    existing: int
