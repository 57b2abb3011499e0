from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import ConfigDict

from fangkong.core.audit import AuditEntry, list_audit
from fangkong.core.deps import (
    TOKEN_COOKIE,
    CurrentActor,
    NowDep,
    SessionDep,
    set_token_cookie,
)
from fangkong.core.schemas import ReadModel
from fangkong.users import service
from fangkong.users.deps import CanManageUsers, CanReadAudit
from fangkong.users.models import User
from fangkong.users.schemas import Token, UserCreate, UserRead

router = APIRouter(tags=["users"])


@router.post("/auth/token", response_model=Token)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    response: Response,
) -> Token:
    token = service.authenticate(session, username=form.username, password=form.password)
    if token is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong username or password")
    set_token_cookie(response, token)
    return Token(access_token=token)


@router.post("/auth/logout", status_code=204)
def logout(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE)


@router.get("/auth/me", response_model=UserRead)
def me(actor: CurrentActor, session: SessionDep) -> User:
    return session.get_one(User, actor.user_id)


@router.get("/users", response_model=list[UserRead])
def list_users(_: CanManageUsers, session: SessionDep) -> list[User]:
    return service.list_users(session)


@router.post("/users", response_model=UserRead, status_code=201)
def create_user(_: CanManageUsers, data: UserCreate, session: SessionDep, now: NowDep) -> User:
    return service.create_user(session, data=data, now=now)


class AuditRead(ReadModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    username: str
    action: str
    entity: str
    entity_id: str
    detail: str


@router.get("/audit", response_model=list[AuditRead])
def read_audit(
    _: CanReadAudit,
    session: SessionDep,
    entity: str | None = None,
    entity_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[AuditEntry]:
    return list_audit(session, entity=entity, entity_id=entity_id, limit=limit)
