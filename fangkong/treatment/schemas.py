"""What crosses treatment's API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from fangkong.core.schemas import ReadModel, RowId
from fangkong.core.timeutil import LocalDateTime
from fangkong.protocol.models import ClinicalType

BedKind = Literal["general", "icu"]


class WardIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    bed_kind: BedKind
    beds: int = Field(ge=1, le=5_000)


class HospitalIn(BaseModel):
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["designated", "cabin"]
    county_code: str = Field(pattern=r"^\d{6}$")
    wards: list[WardIn] = Field(min_length=1, max_length=200)


class WardRead(ReadModel):
    id: int
    name: str
    bed_kind: BedKind
    beds: int
    occupied: int


class HospitalRead(ReadModel):
    id: int
    name: str
    kind: str
    county_code: str
    wards: list[WardRead]
    beds: int
    occupied: int


class AdmissionIn(BaseModel):
    infection_id: RowId
    ward_id: RowId
    admitted_at: LocalDateTime


class TransferIn(BaseModel):
    ward_id: RowId
    at: LocalDateTime


class DischargeIn(BaseModel):
    at: LocalDateTime


class ClinicalIn(BaseModel):
    clinical_type: ClinicalType
    at: LocalDateTime
    symptoms_resolved: bool = False


class PcrIn(BaseModel):
    sampled_at: LocalDateTime
    negative: bool
    n_ct: float | None = Field(default=None, ge=0, le=50)
    orf1ab_ct: float | None = Field(default=None, ge=0, le=50)


class AdmissionRead(ReadModel):
    id: int
    infection_id: int
    hospital: str
    ward: str
    bed_kind: str
    admitted_at: datetime
    left_at: datetime | None
    left_reason: str | None
    monitoring: str | None
    monitoring_until: datetime | None


class OccupancyDay(ReadModel):
    day: date
    hospital_id: int
    hospital: str
    general: int
    icu: int
    general_beds: int
    icu_beds: int
