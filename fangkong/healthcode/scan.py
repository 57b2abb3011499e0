"""Checkpoint scans: a scanner sends the token a health code's QR carries and gets the colour,
a masked name and the time of the last negative test — nothing more. The colour is computed
from the live state at the moment of the scan (the same episodes as a person's code page), so
a change of state is seen by the next scan. Scans come in batches: every scan that reaches a
server process while the previous batch is in the database goes in the next one, read in a
few queries and audited in one transaction."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from fangkong.core.audit import record_audit
from fangkong.core.auth import Actor
from fangkong.core.errors import InvalidInput, NotFound
from fangkong.core.i18n import _
from fangkong.core.ids import mask_name
from fangkong.core.settings import get_settings
from fangkong.healthcode.models import CodeState, CodeToken, Scan, Scanner
from fangkong.healthcode.permissions import MANAGE_SCANNERS, REVIEW_APPEALS, SCAN_CODES
from fangkong.healthcode.rules import Episode, colour_at, history
from fangkong.healthcode.service import episodes_of, person_for
from fangkong.people.service import (
    names_of,
    person_exists,
    person_ids_missing_from,
    require_covers,
)
from fangkong.quarantine.stays import last_negative_swabs
from fangkong.testing.service import last_negative_samples
from fangkong.tracing.permissions import EDIT_TRACING
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


def _who_scans(
    session: Session, credentials: set[str], scanners: dict[str, tuple[int, int]]
) -> dict[str, _Who]:
    """Each credential's scanner (from the live scanners found by key hash) or user, if it
    may scan now."""
    found: dict[str, _Who] = {}
    for credential in credentials:
        if credential.startswith(SCANNER_KEY_PREFIX):
            scanner = scanners.get(hash_key(credential))
            if scanner is not None:
                found[credential] = _Who(scanner[0], None, scanner[1])
            continue
        actor = actor_for_token(session, token=credential)
        if actor is not None and actor.can(SCAN_CODES):
            # A checkpoint's staff scan at their checkpoint: the audit says where.
            found[credential] = _Who(None, actor.username, actor.checkpoint_id)
    return found


_StateRow = tuple[str, int, str, str, datetime | None, int, int, str]
_PG_SCANNERS = (
    "SELECT key_hash, id, checkpoint_id FROM healthcode_scanners "
    "WHERE key_hash = ANY(%s) AND revoked_at IS NULL"
)
# What a scan reads of a state row, in this order (`_StateRow`), on either path.
STATE_COLUMNS = ("token", "person_id", "name", "schedule", "last_negative_at", "version",
                 "computed_version", "protocol_id")  # fmt: skip
_PG_STATES = f"SELECT {', '.join(STATE_COLUMNS)} FROM healthcode_state WHERE token = ANY(%s)"


def _driver(session: Session) -> Any:
    """psycopg's own connection under the session, in the session's transaction."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    return raw


def _read(
    session: Session, key_hashes: list[str], tokens: list[str]
) -> tuple[dict[str, tuple[int, int]], list[_StateRow]]:
    """The live scanners by key hash and the state rows of the tokens. On PostgreSQL two
    prepared statements sent at once down the session's own connection (one round trip; the
    ORM's cost per statement would be most of a scan's); on SQLite through SQLAlchemy."""
    if session.get_bind().dialect.name == "postgresql":
        raw = _driver(session)
        with raw.cursor() as a, raw.cursor() as b:
            with raw.pipeline():
                a.execute("SET LOCAL synchronous_commit TO OFF")  # see scan_batch
                a.execute(_PG_SCANNERS, (key_hashes,), prepare=True)
                b.execute(_PG_STATES, (tokens,), prepare=True)
            scanners = {h: (i, cp) for h, i, cp in a.fetchall()}
            rows = [(*r[:4], r[4] and r[4].astimezone(UTC), *r[5:]) for r in b.fetchall()]
            return scanners, rows
    scanners = {
        h: (i, cp)
        for h, i, cp in session.execute(
            select(Scanner.key_hash, Scanner.id, Scanner.checkpoint_id).where(
                Scanner.key_hash.in_(key_hashes), Scanner.revoked_at.is_(None)
            )
        )
    }
    columns = [getattr(CodeState, c) for c in STATE_COLUMNS]
    states = session.execute(select(*columns).where(CodeState.token.in_(tokens)))
    return scanners, [tuple(r) for r in states]


def last_negative(session: Session, person_ids: Sequence[int]) -> dict[int, datetime]:
    """The time of each person's last negative result: a screening tube (a negative pool
    clears everyone in it) or a quarantine swab."""
    latest: dict[int, datetime] = {}
    for found in (
        last_negative_samples(session, person_ids),
        last_negative_swabs(session, person_ids),
    ):
        for person_id, at in found.items():
            if person_id not in latest or at > latest[person_id]:
                latest[person_id] = at
    return latest


def scan_batch(
    session: Session, requests: Sequence[ScanRequest], now: datetime
) -> list[ScanAnswer]:
    """Answer and audit a batch of scans as of `now`, in the caller's transaction: one probe
    of the state table a scan, a recomputation for the people whose state moved on.

    On PostgreSQL the batch commits without waiting for the disk (synchronous_commit off,
    this transaction only): a crash of the database server may lose the last fraction of a
    second of scan audits, never corrupt anything; the state it writes is derived and is
    recomputed. Everything else keeps full durability."""
    credentials = {r.credential for r in requests}
    hashes = [hash_key(c) for c in credentials if c.startswith(SCANNER_KEY_PREFIX)]
    asked = sorted({r.token for r in requests})
    scanners, rows = _read(session, hashes, asked)
    who = _who_scans(session, credentials, scanners)
    tokens = {r.token for r in requests if r.credential in who}
    protocol = get_settings().protocol
    found: dict[str, _Shown] = {}
    stale: dict[int, int] = {}
    for token, pid, name, schedule, negative, version, computed, computed_under in rows:
        if token not in tokens:
            continue
        colour = colour_from(schedule, now)
        if version != computed or computed_under != protocol or colour is None:
            stale[pid] = version
        found[token] = _Shown(pid, name, colour or "", negative)
    if stale:
        fresh = refresh_states(session, stale, now=now, protocol=protocol)
        found = {t: fresh.get(s.person_id, s) for t, s in found.items()}
    replaced = _replaced(session, tokens - found.keys())

    answers: list[ScanAnswer] = []
    audit: list[dict[str, object]] = []
    for request in requests:
        scanner = who.get(request.credential)
        if scanner is None:  # counted by the door (healthcode/refusals.py), not a row each
            answers.append(REFUSED)
        elif (shown := found.get(request.token)) is not None:
            answers.append(ScanAnswer(200, shown.colour, shown.name, shown.last_negative_at))
            audit.append(_audit_row(now, scanner, shown.person_id, "shown", shown.colour))
        else:
            answers.append(UNKNOWN)
            person_id = replaced.get(request.token)
            outcome = "unknown" if person_id is None else "revoked"
            audit.append(_audit_row(now, scanner, person_id, outcome, None))
    if audit:
        _write_audit(session, audit)
    return answers


AUDIT_COLUMNS = ("scanned_at", "scanner_id", "username", "checkpoint_id", "person_id", "outcome",
                 "colour")  # fmt: skip
_FROM_JSON = (
    f"INSERT INTO healthcode_scans ({', '.join(AUDIT_COLUMNS)}) SELECT * FROM "
    "json_to_recordset(%s::json) AS r(scanned_at timestamptz, scanner_id int, username text, "
    "checkpoint_id int, person_id int, outcome text, colour text)"
)


def _write_audit(session: Session, rows: list[dict[str, object]]) -> None:
    """The batch's audit rows in one prepared statement on PostgreSQL, as one JSON text (a
    multi-row VALUES would be compiled anew for every batch size, and arrays are dumped
    element by element in Python); executemany on SQLite, where a row costs a call."""
    if session.get_bind().dialect.name == "postgresql":
        with _driver(session).cursor() as cursor:
            text = json.dumps(rows, default=datetime.isoformat)
            cursor.execute(_FROM_JSON, (text,), prepare=True)
    else:
        session.execute(insert(Scan), rows)


@dataclass(frozen=True)
class _Shown:
    person_id: int
    name: str
    colour: str
    last_negative_at: datetime | None


def _replaced(session: Session, tokens: set[str]) -> dict[str, int]:
    """Tokens that once stood for someone (revoked): audited as such, answered as unknown."""
    if not tokens:
        return {}
    rows = session.execute(
        select(CodeToken.token, CodeToken.person_id).where(CodeToken.token.in_(tokens))
    )
    return {token: person_id for token, person_id in rows}


def colour_from(schedule: str, now: datetime) -> str | None:
    """The colour a stored schedule gives at `now`; None if it starts later (computed for
    another moment) and so cannot say."""
    colour = None
    stamp = now.timestamp()
    for at, then in json.loads(schedule):
        if at > stamp:
            break
        colour = then
    return colour


def schedule_of(episodes: Sequence[Episode], now: datetime) -> list[tuple[float, str]]:
    """The colour at `now` and each later change the state already plans (a quarantine's end,
    an infection's 21 days): the stored colour turns on time with nothing rewritten."""
    out = [(now.timestamp(), colour_at(episodes, now).colour)]
    for at, colour, _reason in history(episodes):
        if at > now and colour != out[-1][1]:
            out.append((at.timestamp(), colour))
    return out


def refresh_states(
    session: Session, stale: dict[int, int], *, now: datetime, protocol: str
) -> dict[int, _Shown]:
    """Recompute the state of these people (person id → the version read) and store it as
    computed for that version: a change committed meanwhile bumped the version past it, so
    the next scan recomputes again — never a newer change hidden behind an older answer."""
    ids = sorted(stale)
    episodes = episodes_of(session, ids, rounds_since=now)
    negative = last_negative(session, ids)
    names = names_of(session, ids)  # masked in the scan's answer
    fresh: dict[int, _Shown] = {}
    rows = []
    for pid in ids:
        schedule = schedule_of(episodes[pid], now)
        shown = _Shown(pid, mask_name(names.get(pid, "")), schedule[0][1], negative.get(pid))
        fresh[pid] = shown
        rows.append({"person_id": pid, "name": shown.name, "schedule": json.dumps(schedule),
                     "last_negative_at": shown.last_negative_at, "computed_version": stale[pid],
                     "protocol_id": protocol})  # fmt: skip
    session.execute(update(CodeState), rows)
    return fresh


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
    require_issuer(actor)
    person = person_for(session, person_id)
    require_covers(actor, person)
    session.execute(
        update(CodeToken)
        .where(CodeToken.person_id == person_id, CodeToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    token = CodeToken(token=secrets.token_urlsafe(16), person_id=person_id, issued_at=now)
    session.add(token)
    state = session.get(CodeState, person_id)
    if state is None:  # made with the first token, so the triggers always find it
        session.add(CodeState(person_id=person_id, token=token.token))
    else:
        state.token = token.token
    session.flush()
    record_audit(session, actor=actor, action="issue", entity="healthcode", entity_id=person_id,
                 now=now, detail="new code token; earlier ones revoked")  # fmt: skip
    return token


# A code's token is a bearer credential for the person's code: only those who may issue one
# see it (or its QR).
ISSUERS = (EDIT_TRACING, REVIEW_APPEALS)


def require_issuer(actor: Actor) -> None:
    actor.require(*ISSUERS, what="issue health codes")


def token_shown_to(session: Session, *, actor: Actor, person_id: int) -> CodeToken | None:
    """The person's live token if the actor may issue tokens, else None."""
    return current_token(session, person_id) if any(map(actor.can, ISSUERS)) else None


def current_token(session: Session, person_id: int) -> CodeToken | None:
    return session.scalar(
        select(CodeToken).where(CodeToken.person_id == person_id, CodeToken.revoked_at.is_(None))
    )


def issue_missing_tokens(
    session: Session,
    *,
    now: datetime,
    batch: int = 10_000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """A token for everyone who has none (a city's onboarding; new people after an import).
    `progress(done, total)` after each batch: five million codes take a quarter of an hour."""
    # A system job over the whole registry; only ids are read.
    missing = list(session.scalars(person_ids_missing_from(CodeState.person_id)))
    for start in range(0, len(missing), batch):
        rows = [
            {"token": secrets.token_urlsafe(16), "person_id": pid, "issued_at": now}
            for pid in missing[start : start + batch]
        ]
        session.execute(insert(CodeToken), rows)
        session.execute(
            insert(CodeState), [{"person_id": r["person_id"], "token": r["token"]} for r in rows]
        )
        if progress is not None:
            progress(start + len(rows), len(missing))
    return len(missing)


def add_scanner(
    session: Session, *, actor: Actor, checkpoint_id: int, label: str, now: datetime
) -> tuple[Scanner, str]:
    """A device for a checkpoint, and its key — shown this once, kept only as a hash."""
    actor.require(MANAGE_SCANNERS, what="manage scanners")
    checkpoint = session.get(Checkpoint, checkpoint_id)
    if checkpoint is None:
        raise InvalidInput.at(("checkpoint_id",), _("no checkpoint %(id)s", id=checkpoint_id))
    key = SCANNER_KEY_PREFIX + secrets.token_urlsafe(24)
    scanner = Scanner(checkpoint_id=checkpoint_id, label=label, key_hash=hash_key(key),
                      added_at=now, added_by=actor.username)  # fmt: skip
    session.add(scanner)
    session.flush()
    record_audit(session, actor=actor, action="add", entity="scanner", entity_id=scanner.id,
                 now=now, detail=f"{checkpoint.name}: {label}")  # fmt: skip
    return scanner, key


def revoke_scanner(session: Session, *, actor: Actor, scanner_id: int, now: datetime) -> Scanner:
    actor.require(MANAGE_SCANNERS, what="manage scanners")
    scanner = session.get(Scanner, scanner_id)
    if scanner is None:
        raise NotFound(_("scanner %(id)s not found", id=scanner_id))
    if scanner.revoked_at is None:
        scanner.revoked_at = now
        record_audit(session, actor=actor, action="revoke", entity="scanner",
                     entity_id=scanner.id, now=now, detail=scanner.label)  # fmt: skip
    return scanner


def purge_scans(session: Session, *, now: datetime, retention_days: int) -> int:
    """Scans are where someone was and when: deleted after the retention period. A person
    purged sooner takes their id out of the scans still kept (the log has no foreign key to
    check on the hot path)."""
    cutoff = now - timedelta(days=retention_days)
    old = Scan.scanned_at <= cutoff
    gone = session.scalar(select(func.count()).select_from(Scan).where(old)) or 0
    session.execute(delete(Scan).where(old))
    session.execute(
        update(Scan)
        .where(Scan.person_id.is_not(None), ~person_exists(Scan.person_id))
        .values(person_id=None)
    )
    return gone
