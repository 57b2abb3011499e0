"""Accounts: creating users, checking passwords, turning a token into an Actor."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fangkong.core.auth import Actor, hash_password, issue_token, read_token, verify_password
from fangkong.core.clock import utcnow
from fangkong.core.errors import Conflict, InvalidInput
from fangkong.core.i18n import _
from fangkong.core.ids import division
from fangkong.core.settings import get_settings
from fangkong.users.models import User
from fangkong.users.schemas import UserCreate


def create_user(session: Session, *, data: UserCreate, now: datetime) -> User:
    if data.jurisdiction is not None:
        d = division(data.jurisdiction)
        if d is None or not data.jurisdiction.startswith(get_settings().city_code):
            raise InvalidInput.at(
                ("jurisdiction",),
                _("%(code)s is not a county of this city", code=data.jurisdiction),
            )
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict(_("username %(name)s is taken", name=repr(data.username)))
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        role=data.role,
        jurisdiction=data.jurisdiction,
        site_id=data.site_id,
        lab_id=data.lab_id,
        checkpoint_id=data.checkpoint_id,
        active=True,
        created_at=now,
    )
    try:
        # A savepoint: a site that does not exist fails its foreign key here, and the
        # session stays usable for the error to be reported.
        with session.begin_nested():
            session.add(user)
            session.flush()
    except IntegrityError:
        for field in ("site_id", "lab_id", "checkpoint_id"):
            if getattr(data, field) is not None:
                raise InvalidInput.at(
                    (field,), f"{field} {getattr(data, field)} does not exist"
                ) from None
        raise Conflict(_("username %(name)s is taken", name=repr(data.username))) from None
    return user


def authenticate(session: Session, *, username: str, password: str) -> str | None:
    """A bearer token for good credentials, None otherwise. Sessions live in wall-clock time,
    not the platform's: stepping a replay's clock neither signs everyone out nor revives an
    old token."""
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None or not verify_password(user.password_hash, password):
        return None
    settings = get_settings()
    return issue_token(
        user_id=user.id, secret=settings.secret_key, now=utcnow(), hours=settings.token_hours
    )


def actor_for_token(session: Session, *, token: str) -> Actor | None:
    """Who a live token speaks for (its lifetime in wall-clock time, as `authenticate`)."""
    user_id = read_token(token, secret=get_settings().secret_key, now=utcnow())
    if user_id is None:
        return None
    user = session.get(User, user_id)
    if user is None or not user.active:
        return None
    return actor_of(user)


def actor_of(user: User) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,  # type: ignore[arg-type]
        jurisdiction=user.jurisdiction,
        site_id=user.site_id,
        lab_id=user.lab_id,
        checkpoint_id=user.checkpoint_id,
    )


def count_users(session: Session, *, role: str) -> int:
    count = session.scalar(select(func.count()).select_from(User).where(User.role == role))
    return int(count or 0)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def actor_by_username(session: Session, username: str) -> Actor | None:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    return actor_of(user) if user else None


def acting_as(session: Session, username: str) -> Actor:
    """The user a command-line run acts as, with that user's role and jurisdiction."""
    actor = actor_by_username(session, username)
    if actor is None:
        raise InvalidInput.at(("--user",), _("no active user %(name)s", name=repr(username)))
    return actor
