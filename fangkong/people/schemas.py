from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from fangkong.core.ids import normalize_text, validate_mobile, validate_passport
from fangkong.core.schemas import ReadModel, RowId


class PersonIn(BaseModel):
    """A person as a tracer records them. Identity is checked against `now` by the service."""

    model_config = ConfigDict(str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=64)
    id_number: str | None = Field(default=None, description="居民身份证号, 18 characters")
    passport: str | None = None
    sex: str | None = Field(default=None, pattern=r"^(male|female|unknown)$")
    birth_date: date | None = None
    age_text: str | None = Field(default=None, max_length=16)
    phone: str | None = None
    address: str = Field(default="", max_length=200)
    county_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    home_lon: float | None = Field(default=None, ge=73, le=136, description="WGS-84 longitude")
    home_lat: float | None = Field(default=None, ge=3, le=54, description="WGS-84 latitude")

    @model_validator(mode="after")
    def _both_or_neither(self) -> PersonIn:
        if (self.home_lon is None) != (self.home_lat is None):
            raise ValueError("give home_lon and home_lat together")
        return self

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return normalize_text(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return validate_mobile(value) if value else None

    @field_validator("passport")
    @classmethod
    def _passport(cls, value: str | None) -> str | None:
        return validate_passport(value) if value else None


class PersonRead(ReadModel):
    """A person as shown: masked unless the user's role may see identities in full."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    person_key: str
    name: str
    id_number: str | None
    passport: str | None
    sex: str
    birth_date: date | None
    age_text: str | None
    phone: str | None
    address: str
    county_code: str | None
    county_name: str | None = None
    masked: bool


class PersonUpdate(BaseModel):
    id_number: str | None = None
    passport: str | None = None
    phone: str | None = None
    address: str | None = Field(default=None, max_length=200)
    county_code: str | None = Field(default=None, pattern=r"^\d{6}$")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return validate_mobile(value) if value else None


class PersonMergeRequest(BaseModel):
    keep_id: RowId
    merge_id: RowId
    reason: str = Field(min_length=2, max_length=200)


class IdCheck(ReadModel):
    id_number: str
    valid: bool
    reason: str | None = None
    region: str | None = None
    birth_date: date | None = None
    sex: str | None = None
