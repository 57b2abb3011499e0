"""Who is acting: roles, what each may do, jurisdiction, passwords and tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fangkong.core.errors import Forbidden

Role = Literal["admin", "commander", "tracer", "viewer", "site", "lab", "checkpoint"]
ROLES: tuple[Role, ...] = ("admin", "commander", "tracer", "viewer", "site", "lab", "checkpoint")


class Permission(StrEnum):
    READ_PEOPLE = "read_people"
    SEE_FULL_IDENTITY = "see_full_identity"
    EDIT_TRACING = "edit_tracing"
    MERGE_PEOPLE = "merge_people"
    MANAGE_USERS = "manage_users"
    MANAGE_SITES = "manage_sites"
    PLACE_CONTACTS = "place_contacts"
    SITE_WORK = "site_work"  # swabs, releases, rooms, rosters and papers of a site
    MANAGE_ZONES = "manage_zones"  # draw, change and lift zones (the command centre approves)
    RUN_TESTING = "run_testing"  # screening rounds, sampling sites, labs and the lab plan
    SAMPLE = "sample"  # register swabs at a sampling site
    LAB_RESULTS = "lab_results"  # receive shipments and upload results
    REVIEW_APPEALS = "review_appeals"  # decide health-code appeals
    ARRIVALS = "arrivals"  # register arrivals and record their loop's steps
    SCAN_CODES = "scan_codes"  # scan health codes at a checkpoint (colour, masked name)
    MANAGE_SCANNERS = "manage_scanners"  # add and revoke checkpoints' scanning devices
    READ_AUDIT = "read_audit"


P = Permission
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    "admin": frozenset(P),
    "commander": frozenset(
        {
            P.READ_PEOPLE,
            P.SEE_FULL_IDENTITY,
            P.EDIT_TRACING,
            P.MERGE_PEOPLE,
            P.READ_AUDIT,
            P.MANAGE_SITES,
            P.PLACE_CONTACTS,
            P.SITE_WORK,
            P.MANAGE_ZONES,
            P.RUN_TESTING,
            P.SAMPLE,
            P.LAB_RESULTS,
            P.REVIEW_APPEALS,
            P.ARRIVALS,
            P.SCAN_CODES,
            P.MANAGE_SCANNERS,
        }
    ),
    "tracer": frozenset(
        {
            P.READ_PEOPLE,
            P.SEE_FULL_IDENTITY,
            P.EDIT_TRACING,
            P.MERGE_PEOPLE,
            P.PLACE_CONTACTS,
            P.SITE_WORK,
            P.SAMPLE,
            P.ARRIVALS,
            P.SCAN_CODES,
        }
    ),
    "viewer": frozenset({P.READ_PEOPLE}),
    # Staff of one quarantine site: their site's residents, nothing else.
    # (in full only for those who stay or stayed at the site: quarantine decides that).
    "site": frozenset({P.SITE_WORK}),
    # Lab staff: shipments and results; they see barcodes, not people.
    "lab": frozenset({P.LAB_RESULTS}),
    # Checkpoint staff: register arrivals and scan codes; a scan shows a colour, not a person.
    "checkpoint": frozenset({P.ARRIVALS, P.SCAN_CODES}),
}


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

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, *permissions: Permission, what: str) -> None:
        """Refuse unless the role has one of the permissions: "your role may not {what}"."""
        if not any(self.can(p) for p in permissions):
            raise Forbidden(f"your role may not {what}")

    @property
    def sees_full_identity(self) -> bool:
        return self.can(Permission.SEE_FULL_IDENTITY)

    def covers(self, county_code: str | None) -> bool:
        return self.jurisdiction is None or county_code == self.jurisdiction


_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def issue_token(*, user_id: int, secret: str, now: datetime, hours: int) -> str:
    claims = {"sub": str(user_id), "iat": now, "exp": now + timedelta(hours=hours)}
    return jwt.encode(claims, secret, algorithm="HS256")


def read_token(token: str, *, secret: str, now: datetime) -> int | None:
    """The user id a token speaks for, or None if it is forged, malformed or expired."""
    try:
        claims = jwt.decode(
            token, secret, algorithms=["HS256"], options={"verify_exp": False, "require": ["exp"]}
        )
        if claims["exp"] <= now.timestamp():
            return None
        return int(claims["sub"])
    except (jwt.PyJWTError, KeyError, ValueError):
        return None
