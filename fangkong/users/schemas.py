from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from fangkong.core.auth import Role
from fangkong.core.schemas import ReadModel


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=128)
    role: Role
    jurisdiction: str | None = Field(default=None, description="6-digit county code; empty = city")
    site_id: int | None = Field(default=None, ge=1, description="for role site: the site")

    @model_validator(mode="after")
    def _site_staff_have_a_site(self) -> UserCreate:
        if (self.role == "site") != (self.site_id is not None):
            raise ValueError("site_id is required for role site, and only for it")
        return self


class UserRead(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    jurisdiction: str | None
    site_id: int | None = None
    active: bool


class Token(ReadModel):
    access_token: str
    token_type: str = "bearer"
