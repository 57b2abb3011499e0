"""The audit log: who read or changed what, and when — append-only, each entry chained to the
one before by a SHA-256 digest, so that an entry changed, removed or slipped in afterwards
breaks the chain at that entry (`fangkong audit verify`). The database refuses DELETE, and
UPDATE but for sealing (triggers, in the migrations); the chain catches whoever drops them.

Writing an entry is a plain INSERT. The running server seals what was written every two
seconds (`seal_audit`: each new entry its place and digest, under a lock on the one-row head):
a lock taken by every request that audits would make every read wait its turn (measured by
bench/load.py: p99 of reads 440–650 ms at 100 a second). Until it is sealed — two seconds at
most while the server runs — an entry is protected by the triggers only."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ForeignKey, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from fangkong.core.auth import Actor
from fangkong.core.db import Base, UTCDateTime
from fangkong.core.i18n import _
from fangkong.core.ids import mask_numbers

GENESIS = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    # The place in the chain and the digest of (the previous digest, this entry).
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
    digest: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last place and digest: one row, locked by each writer in turn."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    digest: Mapped[str] = mapped_column(String(64), default=GENESIS)


def entry_digest(previous: str, entry: AuditEntry) -> str:
    fields = (
        str(entry.seq),
        entry.at.astimezone(UTC).isoformat(timespec="microseconds"),
        str(entry.user_id if entry.user_id is not None else ""),
        entry.username,
        entry.action,
        entry.entity,
        entry.entity_id,
        entry.detail or "",
    )
    payload = "\x1f".join((previous, *fields)).encode()
    return hashlib.sha256(payload).hexdigest()


def seal_audit(session: Session, *, limit: int = 50_000) -> int:
    """Give the entries written since the last seal their places in the chain and their
    digests, in the order they were written; how many were sealed. The head is locked for
    the while (FOR UPDATE; SQLite's writers are one at a time already), so two sealers chain
    one after the other."""
    seq, digest = session.execute(
        select(AuditHead.seq, AuditHead.digest).where(AuditHead.id == 1).with_for_update()
    ).one()
    entries = list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.seq.is_(None)).order_by(AuditEntry.id).limit(limit)
        )
    )
    for entry in entries:
        seq += 1
        entry.seq = seq
        entry.digest = digest = entry_digest(digest, entry)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, digest=digest))
    session.flush()
    return len(entries)


def record_audit(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity: str,
    entity_id: object,
    now: datetime,
    detail: str = "",
) -> None:
    session.add(
        AuditEntry(
            at=now,
            user_id=actor.user_id if actor else None,
            username=actor.username if actor else "system",
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            detail=detail,
        )
    )


@dataclass
class Disclosures:
    """The people shown in full identity while answering one request: the people presenter
    notes each, and the request's unit of work writes one audit entry for them all — every
    list, search, export and page that shows full identities is logged without each having
    to remember to."""

    actor: Actor | None = None
    people: set[int] = field(default_factory=set)


_disclosures: ContextVar[Disclosures | None] = ContextVar("disclosures", default=None)


@contextmanager
def collecting_disclosures() -> Iterator[Disclosures]:
    """Collect for the block (a request: set where its context starts, so that the worker
    threads its handlers run in share the one collector)."""
    token = _disclosures.set(Disclosures())
    try:
        yield _disclosures.get() or Disclosures()
    finally:
        _disclosures.reset(token)


def note_disclosure(actor: Actor, person_id: int) -> None:
    found = _disclosures.get()
    if found is not None:
        found.actor = actor
        found.people.add(person_id)


def audit_disclosures(session: Session, *, what: str, query: str, now: datetime) -> None:
    """One entry for the full identities this request showed, if any: who, where, the query
    (identity numbers in it masked), how many people."""
    found = _disclosures.get()
    if found is None or not found.people:
        return
    record_audit(
        session,
        actor=found.actor,
        action="disclose",
        entity="people",
        entity_id=what[:64],
        now=now,
        detail=f"{len(found.people)} people in full; query: {mask_numbers(query)[:400]}",
    )
    found.people.clear()


def list_audit(
    session: Session, *, entity: str | None = None, entity_id: object = None, limit: int = 200
) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == str(entity_id))
    return list(session.scalars(query))


@dataclass(frozen=True)
class ChainCheck:
    """What `verify_chain` found: the entries checked, and the first that breaks the chain
    (its place and id, and why) if one does."""

    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    why: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def _in_chain_order(session: Session) -> Iterator[AuditEntry]:
    query = select(AuditEntry).where(AuditEntry.seq.is_not(None)).order_by(AuditEntry.seq)
    yield from session.scalars(query.execution_options(yield_per=5000))


def sealed_count(session: Session) -> int:
    return int(session.scalar(select(AuditHead.seq).where(AuditHead.id == 1)) or 0)


def verify_chain(session: Session, *, progress: Callable[[int], None] | None = None) -> ChainCheck:
    """Walk the chain from its start: every sealed entry in its place, each digest as
    recomputed, the head where the last entry left it."""
    previous, expected, checked = GENESIS, 1, 0
    for entry in _in_chain_order(session):
        if entry.seq != expected:
            why = _("found at place %(seq)s where %(expected)s should be: an entry before it "
                    "was removed", seq=entry.seq, expected=expected)  # fmt: skip
            return ChainCheck(checked, entry.seq, entry.id, why)
        if entry.digest != entry_digest(previous, entry):
            return ChainCheck(checked, entry.seq, entry.id, _("its content or digest was changed"))
        previous, expected, checked = entry.digest, expected + 1, checked + 1
        if progress is not None and checked % 10_000 == 0:
            progress(checked)
    head = session.execute(select(AuditHead.seq, AuditHead.digest)).one()
    if (head.seq, head.digest) != (checked, previous):
        return ChainCheck(checked, checked + 1, None, _("entries after it were removed"))
    return ChainCheck(checked)
