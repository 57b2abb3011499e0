from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import ConfigDict

from fangkong.core.audit import AuditEntry, list_audit
from fangkong.core.deps import (
    TOKEN_COOKIE,
    CurrentActor,
    NowDep,
    SessionDep,
    bearer_or_cookie,
    set_token_cookie,
)
from fangkong.core.i18n import _
from fangkong.core.schemas import ReadModel
from fangkong.users import service
from fangkong.users.deps import CanManageUsers, CanReadAudit
from fangkong.users.models import User
from fangkong.users.schemas import PasswordReset, Token, UserCreate, UserRead

router = APIRouter(tags=["users"])


@router.post("/auth/token", response_model=Token, responses={401: {}, 429: {}})
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    response: Response,
) -> Token:
    address = request.client.host if request.client else ""
    signed = service.authenticate(
        session, username=form.username, password=form.password, address=address
    )
    if signed.token is None:
        session.commit()  # the failure counts toward the throttle though the answer refuses
        raise refusal(signed)
    set_token_cookie(response, signed.token)
    return Token(access_token=signed.token)


def refusal(signed: service.SignIn) -> HTTPException:
    if signed.throttled:
        minutes = int(service.THROTTLE_WINDOW.total_seconds() // 60)
        message = _("too many failed sign-ins; try again in %(minutes)s minutes", minutes=minutes)
        return HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, message)
    return HTTPException(status.HTTP_401_UNAUTHORIZED, _("wrong username or password"))


@router.post("/auth/logout", status_code=204)
def logout(request: Request, session: SessionDep, response: Response) -> None:
    """Sign out: the session ends on the server, not only in this browser."""
    token = bearer_or_cookie(request)
    if token:
        service.sign_out(session, token=token)
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


@router.post("/users/{username}/disable", response_model=UserRead)
def disable_user(actor: CanManageUsers, username: str, session: SessionDep, now: NowDep) -> User:
    """Disable a user: every session of theirs ends at once; sign-in refused."""
    return service.set_active(session, actor=actor, username=username, active=False, now=now)


@router.post("/users/{username}/enable", response_model=UserRead)
def enable_user(actor: CanManageUsers, username: str, session: SessionDep, now: NowDep) -> User:
    return service.set_active(session, actor=actor, username=username, active=True, now=now)


@router.post("/users/{username}/password", response_model=UserRead)
def reset_password(
    actor: CanManageUsers, username: str, data: PasswordReset, session: SessionDep, now: NowDep
) -> User:
    """Set a new password; every session signed in with the old one ends."""
    return service.reset_password(
        session, actor=actor, username=username, password=data.password, now=now
    )


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
