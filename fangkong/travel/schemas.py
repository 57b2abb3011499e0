from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.people.schemas import PersonIn

Step = Literal["tested", "transferred", "placed", "released"]


class CheckpointIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["airport", "hsr", "rail", "highway"]
    county_code: str = Field(pattern=r"^\d{6}$")


class CheckpointRead(ReadModel):
    id: int
    name: str
    kind: str
    county_code: str


class ArrivalIn(BaseModel):
    person: PersonIn
    checkpoint_id: RowId | None = Field(default=None, description="none when reported ahead")
    origin: str = Field(min_length=2, max_length=200, description="province/city/county/street")
    mode: Literal["flight", "train", "car", "bus", "other"]
    vehicle: str = Field(default="", max_length=32)
    seat: str = Field(default="", max_length=16)
    departed_at: LocalDateTime
    arrived_at: LocalDateTime


class StepIn(BaseModel):
    step: Step
    at: LocalDateTime


class ArrivalRead(ReadModel):
    id: int
    person_id: int
    name: str
    id_number: str | None
    checkpoint: str | None
    origin: str
    mode: str
    vehicle: str
    seat: str
    departed_at: datetime
    arrived_at: datetime
    risk_level: str | None
    risk_region: str | None
    path: str
    days: int
    steps: dict[str, datetime | None]
    due: dict[str, datetime]  # each step's deadline under the protocol
    next_step: str | None
    late_hours: float | None  # how late the next step is, as of the read
    # If the arrival was later found infected: when, and how much sooner the landing test
    # (had it been on time) would have sampled them.
    infected_reported_at: datetime | None = None
    infected_sampled_at: datetime | None = None
    test_hours_sooner: float | None = None


class RiskImportRead(ReadModel):
    added: int
    already: int
