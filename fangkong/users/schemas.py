from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from fangkong.core.auth import Role
from fangkong.core.schemas import ReadModel


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=8, max_length=128)
    role: Role
    jurisdiction: str | None = Field(default=None, description="6-digit county code; empty = city")


class UserRead(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    jurisdiction: str | None
    active: bool


class Token(ReadModel):
    access_token: str
    token_type: str = "bearer"
