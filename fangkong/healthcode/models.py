from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class Appeal(Base):
    """申诉: a person, or a community worker for them, asks for their code to be reviewed. A
    reviewer sees the rules in force and decides; an upheld appeal sets the colour until a
    time (it decides over the computed rules until then)."""

    __tablename__ = "healthcode_appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    filed_by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    colour_then: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(8), default="pending", index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(Text, default="")
    colour: Mapped[str | None] = mapped_column(String(8))  # the colour set, if upheld
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CodeToken(Base):
    """What a health code's QR carries: a random token standing for the person, never their
    ID number. Reissuing revokes the old one (a lost phone, a leaked screenshot)."""

    __tablename__ = "healthcode_tokens"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Scanner(Base):
    """A checkpoint's scanning device. It signs in with a key shown once when it is added;
    only the key's SHA-256 is kept (the key is random, so a fast hash is safe)."""

    __tablename__ = "healthcode_scanners"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoints.id"), index=True)
    label: Mapped[str] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CodeState(Base):
    """What a scan needs, one row a person with a code: the current token, the masked name,
    the colour's schedule (its changes from when it was computed on, planned ends included)
    and the last negative test. Triggers on every table behind the colour bump `version` in
    the writing transaction (see migration 0012); a scan that finds `version` ahead of
    `computed_version`, or computed under another protocol, recomputes before it answers. So a
    change of state is seen by the next scan, and a scan costs one index probe."""

    __tablename__ = "healthcode_state"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64), default="")  # masked
    schedule: Mapped[str] = mapped_column(Text, default="[]")  # [[iso time, colour], …]
    last_negative_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    computed_version: Mapped[int] = mapped_column(Integer, default=0)
    protocol_id: Mapped[str] = mapped_column(String(16), default="")  # computed under


class Scan(Base):
    """The audit of one scan: which device or user, when, whose code, what it answered.
    `outcome`: shown | unknown (no such token) | revoked (a replaced token) | refused. An
    append-only log: no foreign keys to check on the hot path; a BRIN index on the time on
    PostgreSQL (B-tree on SQLite); people purged take their id out (retention)."""

    __tablename__ = "healthcode_scans"
    __table_args__ = (
        Index("ix_healthcode_scans_scanned_at", "scanned_at", postgresql_using="brin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    scanner_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str | None] = mapped_column(String(64))  # a signed-in user's scan
    checkpoint_id: Mapped[int | None] = mapped_column(Integer)
    # No index: nothing reads scans by person yet, and every scan would pay for one.
    person_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(8))
    colour: Mapped[str | None] = mapped_column(String(8))


class ScanRefusals(Base):
    """Scans refused before they reach a code (no or unknown credentials, a malformed token,
    a device over its rate), counted by minute and reason instead of a row per request: a
    flood of garbage must not fill the audit."""

    __tablename__ = "healthcode_scan_refusals"

    minute: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    reason: Mapped[str] = mapped_column(String(16), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
