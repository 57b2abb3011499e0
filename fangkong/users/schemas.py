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
    lab_id: int | None = Field(default=None, ge=1, description="for role lab: the lab")
    checkpoint_id: int | None = Field(
        default=None, ge=1, description="for role checkpoint: the checkpoint"
    )

    @model_validator(mode="after")
    def _staff_have_their_place(self) -> UserCreate:
        for role, field in (
            ("site", "site_id"),
            ("lab", "lab_id"),
            ("checkpoint", "checkpoint_id"),
        ):
            if (self.role == role) != (getattr(self, field) is not None):
                raise ValueError(f"{field} is required for role {role}, and only for it")
        return self


class PasswordReset(BaseModel):
    password: str = Field(min_length=8, max_length=128)


class UserRead(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    role: Role
    jurisdiction: str | None
    site_id: int | None = None
    lab_id: int | None = None
    checkpoint_id: int | None = None
    active: bool


class Token(ReadModel):
    access_token: str
    token_type: str = "bearer"
