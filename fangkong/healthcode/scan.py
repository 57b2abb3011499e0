"""Checkpoint scans: a scanner sends the token a health code's QR carries and gets the colour,
a masked name and the time of the last negative test — nothing more. The colour is computed
from the live state at the moment of the scan (the same episodes as a person's code page), so
a change of state is seen by the next scan. Scans come in batches: every scan that reaches a
server process while the previous batch is in the database goes in the next one, read in a
few queries and audited in one transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor, Permission
from fangkong.core.errors import InvalidInput, NotFound
from fangkong.core.ids import mask_name
from fangkong.healthcode.models import CodeToken, Scan, Scanner
from fangkong.healthcode.rules import colour_at
from fangkong.healthcode.service import episodes_of, person_for
from fangkong.people.models import Person
from fangkong.people.service import require_covers
from fangkong.quarantine.models import Swab
from fangkong.testing.models import Sample, Tube
from fangkong.travel.models import Checkpoint
from fangkong.users.service import actor_for_token

SCANNER_KEY_PREFIX = "fks_"
TOKEN_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class ScanRequest:
    token: str
    credential: str  # a scanner's key (fks_…) or a signed-in user's session token


@dataclass(frozen=True)
class ScanAnswer:
    """status 200 with the three fields; 401 (scanner or user not recognised, or not allowed
    to scan); 404 (no such code, or a replaced one: the same answer, so a scanner learns
    nothing from a guess)."""

    status: int
    colour: str | None = None
    name: str | None = None
    last_negative_at: datetime | None = None


REFUSED = ScanAnswer(401)
UNKNOWN = ScanAnswer(404)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def valid_token(token: object) -> bool:
    return isinstance(token, str) and 16 <= len(token) <= 32 and set(token) <= TOKEN_ALPHABET


# -- the hot path ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Who:
    scanner_id: int | None
    username: str | None
    checkpoint_id: int | None


def _who_scans(session: Session, credentials: set[str], now: datetime) -> dict[str, _Who]:
    """Each credential's scanner or user, if it may scan now."""
    keys = {hash_key(c): c for c in credentials if c.startswith(SCANNER_KEY_PREFIX)}
    found: dict[str, _Who] = {}
    if keys:
        for scanner_id, checkpoint_id, key_hash in session.execute(
            select(Scanner.id, Scanner.checkpoint_id, Scanner.key_hash).where(
                Scanner.key_hash.in_(keys), Scanner.revoked_at.is_(None)
            )
        ):
            found[keys[key_hash]] = _Who(scanner_id, None, checkpoint_id)
    for credential in credentials - set(keys.values()):
        actor = actor_for_token(session, token=credential, now=now)
        if actor is not None and actor.can(Permission.SCAN_CODES):
            found[credential] = _Who(None, actor.username, None)
    return found


def last_negative(session: Session, person_ids: Sequence[int]) -> dict[int, datetime]:
    """The time of each person's last negative result: a screening tube (a negative pool
    clears everyone in it) or a quarantine swab."""
    latest: dict[int, datetime] = {}
    tubes = (
        select(Sample.person_id, func.max(Tube.reported_at))
        .join(Tube, Tube.id == Sample.tube_id)
        .where(Sample.person_id.in_(person_ids), Tube.result == "negative")
        .group_by(Sample.person_id)
    )
    swabs = (
        select(Swab.person_id, func.max(Swab.resulted_at))
        .where(Swab.person_id.in_(person_ids), Swab.result == "negative")
        .group_by(Swab.person_id)
    )
    for query in (tubes, swabs):
        for person_id, at in session.execute(query):
            if at is not None and (person_id not in latest or at > latest[person_id]):
                latest[person_id] = at
    return latest


def scan_batch(
    session: Session, requests: Sequence[ScanRequest], now: datetime
) -> list[ScanAnswer]:
    """Answer and audit a batch of scans as of `now`, in the caller's transaction."""
    who = _who_scans(session, {r.credential for r in requests}, now)
    tokens = {r.token for r in requests if r.credential in who}
    holders: dict[str, tuple[int, str, bool]] = {}
    if tokens:
        # unscoped: a scan answers for anyone in the city, with the name masked.
        for token, person_id, name, revoked_at in session.execute(
            select(CodeToken.token, CodeToken.person_id, Person.name, CodeToken.revoked_at)
            .join(Person, Person.id == CodeToken.person_id)
            .where(CodeToken.token.in_(tokens))
        ):
            holders[token] = (person_id, name, revoked_at is None)
    live = sorted({pid for pid, _, ok in holders.values() if ok})
    episodes = episodes_of(session, live, rounds_since=now)
    negative = last_negative(session, live)
    colours = {pid: colour_at(episodes[pid], now).colour for pid in live}

    answers: list[ScanAnswer] = []
    audit: list[dict[str, object]] = []
    for request in requests:
        scanner = who.get(request.credential)
        if scanner is None:
            answers.append(REFUSED)
            audit.append(_audit_row(now, None, None, "refused", None))
            continue
        holder = holders.get(request.token)
        if holder is None or not holder[2]:
            answers.append(UNKNOWN)
            outcome = "unknown" if holder is None else "revoked"
            audit.append(_audit_row(now, scanner, holder and holder[0], outcome, None))
            continue
        person_id, name = holder[0], holder[1]
        colour = colours[person_id]
        answers.append(ScanAnswer(200, colour, mask_name(name), negative.get(person_id)))
        audit.append(_audit_row(now, scanner, person_id, "shown", colour))
    session.execute(insert(Scan), audit)
    return answers


def _audit_row(
    now: datetime, who: _Who | None, person_id: int | None, outcome: str, colour: str | None
) -> dict[str, object]:
    return {
        "scanned_at": now,
        "scanner_id": who.scanner_id if who else None,
        "username": who.username if who else None,
        "checkpoint_id": who.checkpoint_id if who else None,
        "person_id": person_id,
        "outcome": outcome,
        "colour": colour,
    }


# -- tokens and scanners ---------------------------------------------------------------------


def issue_token(session: Session, *, actor: Actor, person_id: int, now: datetime) -> CodeToken:
    """A new token for the person's code; any earlier one stops answering at once."""
    actor.require(Permission.EDIT_TRACING, Permission.REVIEW_APPEALS, what="issue health codes")
    person = person_for(session, person_id)
    require_covers(actor, person)
    session.execute(
        update(CodeToken)
        .where(CodeToken.person_id == person_id, CodeToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = CodeToken(token=secrets.token_urlsafe(16), person_id=person_id, issued_at=now)
    session.add(token)
    session.flush()
    record_audit(session, actor=actor, action="issue", entity="healthcode", entity_id=person_id,
                 now=now, detail="new code token; earlier ones revoked")  # fmt: skip
    return token


def current_token(session: Session, person_id: int) -> CodeToken | None:
    return session.scalar(
        select(CodeToken).where(CodeToken.person_id == person_id, CodeToken.revoked_at.is_(None))
    )


def issue_missing_tokens(session: Session, *, now: datetime, batch: int = 10_000) -> int:
    """A token for everyone who has none (a city's onboarding; new people after an import)."""
    # unscoped: a system job over the whole registry; only ids are read.
    have = select(CodeToken.person_id).where(CodeToken.revoked_at.is_(None))
    missing = list(session.scalars(select(Person.id).where(Person.id.not_in(have))))
    for start in range(0, len(missing), batch):
        rows = [
            {"token": secrets.token_urlsafe(16), "person_id": pid, "issued_at": now}
            for pid in missing[start : start + batch]
        ]
        session.execute(insert(CodeToken), rows)
    return len(missing)


def add_scanner(
    session: Session, *, actor: Actor, checkpoint_id: int, label: str, now: datetime
) -> tuple[Scanner, str]:
    """A device for a checkpoint, and its key — shown this once, kept only as a hash."""
    actor.require(Permission.MANAGE_SCANNERS, what="manage scanners")
    checkpoint = session.get(Checkpoint, checkpoint_id)
    if checkpoint is None:
        raise InvalidInput.at(("checkpoint_id",), f"no checkpoint {checkpoint_id}")
    key = SCANNER_KEY_PREFIX + secrets.token_urlsafe(24)
    scanner = Scanner(checkpoint_id=checkpoint_id, label=label, key_hash=hash_key(key),
                      added_at=now, added_by=actor.username)  # fmt: skip
    session.add(scanner)
    session.flush()
    record_audit(session, actor=actor, action="add", entity="scanner", entity_id=scanner.id,
                 now=now, detail=f"{checkpoint.name}: {label}")  # fmt: skip
    return scanner, key


def revoke_scanner(session: Session, *, actor: Actor, scanner_id: int, now: datetime) -> Scanner:
    actor.require(Permission.MANAGE_SCANNERS, what="manage scanners")
    scanner = session.get(Scanner, scanner_id)
    if scanner is None:
        raise NotFound(f"scanner {scanner_id} not found")
    if scanner.revoked_at is None:
        scanner.revoked_at = now
        record_audit(session, actor=actor, action="revoke", entity="scanner",
                     entity_id=scanner.id, now=now, detail=scanner.label)  # fmt: skip
    return scanner
