from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class Site(Base):
    """A quarantine site (隔离点): a hotel, a dormitory or a cabin facility (方舱)."""

    __tablename__ = "quarantine_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    staff: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Room(Base):
    """A room. `status` is claimed with a conditional update, so two placements running at
    the same moment can never both take it."""

    __tablename__ = "quarantine_rooms"
    __table_args__ = (UniqueConstraint("site_id", "building", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(
        ForeignKey("quarantine_sites.id", ondelete="CASCADE"), index=True
    )
    building: Mapped[str] = mapped_column(String(32), default="")
    floor: Mapped[int] = mapped_column(Integer, default=1)
    number: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="ready", index=True)


class Stay(Base):
    """A person in a room, from placement to release."""

    __tablename__ = "quarantine_stays"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("quarantine_rooms.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    household: Mapped[str] = mapped_column(String(64), default="")
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    planned_end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Swab(Base):
    """A swab the protocol requires on a day of a stay, and its result."""

    __tablename__ = "quarantine_swabs"
    __table_args__ = (UniqueConstraint("stay_id", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stay_id: Mapped[int] = mapped_column(
        ForeignKey("quarantine_stays.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    result: Mapped[str | None] = mapped_column(String(16))
    sampled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resulted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
