"""Accounts: creating users, checking passwords, turning a token into an Actor."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import (
    Actor,
    hash_password,
    issue_token,
    read_token,
    spend_verification,
    verify_password,
)
from fangkong.core.clock import utcnow
from fangkong.core.errors import Conflict, InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.ids import division
from fangkong.core.secret import signing_secret
from fangkong.core.settings import get_settings
from fangkong.users.models import LoginFailure, User, UserSession
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


# The throttle: failed sign-ins counted over a window, by the name tried and by the address.
THROTTLE_WINDOW = timedelta(minutes=15)
FAILURES_PER_USER = 5
FAILURES_PER_ADDRESS = 30


@dataclass(frozen=True)
class SignIn:
    """A token for good credentials; `throttled` when too many failures came first (the
    credentials were not even tried). Unknown users get the same answers as known ones."""

    token: str | None
    throttled: bool = False


def _failures(session: Session, key: str, since: datetime) -> int:
    query = select(func.count()).where(LoginFailure.key == key, LoginFailure.at > since)
    return int(session.scalar(query) or 0)


def authenticate(
    session: Session,
    *,
    username: str,
    password: str,
    address: str = "",
    now: datetime | None = None,
) -> SignIn:
    """Sign in, in wall-clock time (not the platform's: stepping a replay's clock neither signs
    everyone out nor revives an old session). Failures are written in the caller's transaction,
    which must commit even though the answer is a refusal."""
    now = now or utcnow()
    keys = (f"user:{username[:100]}", f"addr:{address[:100]}")
    since = now - THROTTLE_WINDOW
    if (
        _failures(session, keys[0], since) >= FAILURES_PER_USER
        or _failures(session, keys[1], since) >= FAILURES_PER_ADDRESS
    ):
        return SignIn(None, throttled=True)
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    if user is None:
        spend_verification(password)
    if user is None or not verify_password(user.password_hash, password):
        session.add_all([LoginFailure(key=key, at=now) for key in keys])
        return SignIn(None)
    session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
    return SignIn(open_session(session, user_id=user.id, now=now))


def forget_stale_sign_ins(session: Session, *, now: datetime | None = None) -> None:
    """Failed sign-ins past the throttle's window and sessions a day past their end: what the
    throttle and the sessions no longer need (names tried, addresses) is not kept. Wall-clock
    time, as sessions are."""
    now = now or utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - THROTTLE_WINDOW))
    session.execute(delete(UserSession).where(UserSession.expires_at < now - timedelta(days=1)))


def open_session(session: Session, *, user_id: int, now: datetime) -> str:
    settings = get_settings()
    expires = now + timedelta(hours=settings.token_hours)
    row = UserSession(id=secrets.token_hex(16), user_id=user_id, issued_at=now, expires_at=expires)
    session.add(row)
    session.flush()
    return issue_token(
        user_id=user_id, session_id=row.id, secret=signing_secret(), now=now,
        hours=settings.token_hours,
    )  # fmt: skip


def actor_for_token(session: Session, *, token: str) -> Actor | None:
    """Who a live token speaks for: signed by this installation, not expired, its session
    neither signed out nor revoked, its user active."""
    claims = read_token(token, secret=signing_secret(), now=utcnow())
    if claims is None:
        return None
    user = session.scalar(
        select(User)
        .join(UserSession, UserSession.user_id == User.id)
        .where(
            UserSession.id == claims.session_id,
            UserSession.user_id == claims.user_id,
            UserSession.revoked_at.is_(None),
            User.active.is_(True),
        )
    )
    return actor_of(user) if user is not None else None


def sign_out(session: Session, *, token: str, now: datetime | None = None) -> None:
    """End the token's session on the server: the token is refused from now on."""
    claims = read_token(token, secret=signing_secret(), now=utcnow())
    if claims is not None:
        session.execute(
            update(UserSession)
            .where(UserSession.id == claims.session_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=now or utcnow())
        )


def _revoke_all(session: Session, user_id: int, now: datetime) -> None:
    session.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def _user_named(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(_("no user %(name)s", name=repr(username)))
    return user


def set_active(
    session: Session, *, actor: Actor | None, username: str, active: bool, now: datetime
) -> User:
    """Disable a user (every session of theirs ends at once) or enable them again."""
    user = _user_named(session, username)
    user.active = active
    if not active:
        _revoke_all(session, user.id, utcnow())
    action = "enable_user" if active else "disable_user"
    record_audit(session, actor=actor, action=action, entity="user", entity_id=user.id, now=now)
    return user


def reset_password(
    session: Session, *, actor: Actor | None, username: str, password: str, now: datetime
) -> User:
    """A new password; every session signed in with the old one ends."""
    if not 8 <= len(password) <= 128:
        raise InvalidInput.at(("password",), _("a password has 8 to 128 characters"))
    user = _user_named(session, username)
    user.password_hash = hash_password(password)
    _revoke_all(session, user.id, utcnow())
    record_audit(
        session, actor=actor, action="reset_password", entity="user", entity_id=user.id, now=now
    )
    return user


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


def actor_by_id(session: Session, user_id: int) -> Actor | None:
    """An active user as an actor (the command centre's members, heads and people on duty)."""
    user = session.scalar(select(User).where(User.id == user_id, User.active.is_(True)))
    return actor_of(user) if user else None


def display_names(session: Session, user_ids: Iterable[int | None]) -> dict[int, str]:
    """Users' names as people see them (a task's owner, a shift's officer)."""
    ids = {i for i in user_ids if i is not None}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return dict(rows.all()) if ids else {}


def city_commander(session: Session) -> int | None:
    """Who supervision escalates to last: the city's first active commander."""
    return session.scalar(
        select(User.id)
        .where(User.role == "commander", User.jurisdiction.is_(None), User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
