"""Who is acting: roles, what each may do, jurisdiction, passwords and tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, true
from sqlalchemy.orm import QueryableAttribute

from fangkong.core.errors import Forbidden
from fangkong.core.i18n import _

Role = Literal["admin", "commander", "tracer", "viewer", "site", "lab", "checkpoint"]
ROLES: tuple[Role, ...] = ("admin", "commander", "tracer", "viewer", "site", "lab", "checkpoint")


@dataclass(frozen=True)
class Permission:
    """Something a role may do. Each domain declares its own (`declare`, in the domain's
    permissions.py) with the roles that hold it; core knows none of them."""

    name: str

    @property
    def value(self) -> str:
        return self.name


_GRANTED: dict[Role, set[str]] = {role: set() for role in ROLES}


def declare(name: str, *roles: Role) -> Permission:
    """A domain's permission, held by `roles` and by admin."""
    permission = Permission(name)
    for role in {"admin", *roles}:
        _GRANTED[role].add(name)
    return permission


def granted(role: Role) -> frozenset[str]:
    """What a role holds, of the permissions declared by the domains imported so far."""
    return frozenset(_GRANTED[role])


@dataclass(frozen=True)
class Actor:
    """The signed-in user as services see them. `jurisdiction` None means the whole city;
    `site_id`, `lab_id` and `checkpoint_id` tie a site's, a lab's or a checkpoint's staff to
    their place."""

    user_id: int
    username: str
    role: Role
    jurisdiction: str | None
    site_id: int | None = None
    lab_id: int | None = None
    checkpoint_id: int | None = None

    def can(self, permission: Permission | str) -> bool:
        """Whether the role holds a permission (templates ask by name: 'edit_tracing')."""
        name = permission if isinstance(permission, str) else permission.name
        if name not in _GRANTED["admin"]:
            raise ValueError(f"no domain declares a permission {name!r}")
        return name in _GRANTED[self.role]

    def require(self, *permissions: Permission, what: str) -> None:
        """Refuse unless the role has one of the permissions: "your role may not {what}"."""
        if not any(self.can(p) for p in permissions):
            raise Forbidden(_("your role may not %(what)s", what=_(what)))

    def covers(self, county_code: str | None) -> bool:
        return self.jurisdiction is None or county_code == self.jurisdiction

    def in_county(
        self, county_code: QueryableAttribute[str] | QueryableAttribute[str | None]
    ) -> ColumnElement[bool]:
        """`covers` as a query's condition: rows of the actor's county, every row for the city's."""
        return true() if self.jurisdiction is None else county_code == self.jurisdiction


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Spent on an unknown username, so that it answers as slowly as a known one with a wrong
# password: the time a sign-in takes tells nothing about who has an account.
_DECOY_HASH = _hasher.hash("not anyone's password")


def spend_verification(password: str) -> None:
    verify_password(_DECOY_HASH, password)


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    session_id: str


def issue_token(*, user_id: int, session_id: str, secret: str, now: datetime, hours: int) -> str:
    claims = {
        "sub": str(user_id),
        "jti": session_id,
        "iat": now,
        "exp": now + timedelta(hours=hours),
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, *, secret: str, now: datetime) -> TokenClaims | None:
    """Whom and which session a token speaks for, or None if it is forged, malformed or
    expired. Whether the session is still alive is the users domain's to say."""
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"verify_exp": False, "require": ["exp", "jti", "sub"]},
        )
        if claims["exp"] <= now.timestamp():
            return None
        return TokenClaims(int(claims["sub"]), str(claims["jti"]))
    except (jwt.PyJWTError, KeyError, ValueError, TypeError):
        return None
