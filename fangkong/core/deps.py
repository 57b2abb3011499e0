"""FastAPI dependencies shared by every domain's routes: the session, the clock, the user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from http.cookies import SimpleCookie
from typing import Annotated, Protocol

from fastapi import Depends, HTTPException, Request, Response, status
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from fangkong.core.audit import audit_disclosures
from fangkong.core.auth import Actor, Permission
from fangkong.core.db import transaction
from fangkong.core.i18n import _

TOKEN_COOKIE = "fangkong_token"
oauth2 = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request: commit once at the end, roll back on any error; the
    full identities the request showed are audited in it (core.audit.Disclosures)."""
    with transaction(request.app.state.session_factory) as session:
        yield session
        now = request.app.state.clock.now()
        audit_disclosures(session, what=request.url.path, query=request.url.query, now=now)


def set_token_cookie(response: Response, token: str) -> None:
    """The pages' session: the same token as the API's, in an http-only same-site cookie."""
    from fangkong.core.settings import get_settings

    response.set_cookie(
        TOKEN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        max_age=get_settings().token_hours * 3600,
    )


def get_now(request: Request) -> datetime:
    now: datetime = request.app.state.clock.now()
    return now


class ActorForToken(Protocol):
    """Who a token speaks for: the users domain answers (app.py hands it to core)."""

    def __call__(self, session: Session, *, token: str) -> Actor | None: ...


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]


def credential_of(authorization: str, cookie: str) -> str:
    """The credential a request carries, from its raw headers: the bearer token (a session's,
    or a scanner's key), else the pages' session cookie; "" if none."""
    if authorization[:7].lower() == "bearer ":
        return authorization[7:]
    morsel = SimpleCookie(cookie).get(TOKEN_COOKIE) if cookie else None
    return morsel.value if morsel else ""


def bearer_or_cookie(request: Request) -> str | None:
    """The session token a request carries: the API's bearer header, else the pages' cookie."""
    headers = request.headers
    return credential_of(headers.get("authorization", ""), headers.get("cookie", "")) or None


def get_actor(
    request: Request,
    session: SessionDep,
    bearer: Annotated[str | None, Depends(oauth2)],
) -> Actor:
    token = bearer or request.cookies.get(TOKEN_COOKIE)
    find: ActorForToken = request.app.state.actor_for_token
    actor = find(session, token=token) if token else None
    if actor is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            _("not signed in or the session has expired"),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return actor


CurrentActor = Annotated[Actor, Depends(get_actor)]


def require(*permissions: Permission) -> object:
    """A route's dependency: the signed-in actor if their role has one of `permissions`, else
    403 — checked before the request's content is read or validated."""

    def check(actor: CurrentActor) -> Actor:
        if not any(actor.can(p) for p in permissions):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                _("your role may not %(what)s", what=_(f"permission_{permissions[0].value}")),
            )
        return actor

    return Depends(check)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(data: bytes, filename: str) -> Response:
    """A workbook the browser saves under `filename`."""
    return Response(
        data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
