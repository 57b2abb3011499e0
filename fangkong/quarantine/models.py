from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
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
    # When the person reached the room: at once for a walk-in placement, at the transfer's
    # arrival otherwise. Under control (48-hour KPI) from then.
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transfer_id: Mapped[int | None] = mapped_column(
        ForeignKey("transfers.id", ondelete="SET NULL"), index=True
    )
    planned_end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # "released" (the order's central phase done, swabs negative) or "infected" (to hospital).
    end_reason: Mapped[str | None] = mapped_column(String(16))


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


class Vehicle(Base):
    """A vehicle for point-to-point transfer, with its seats and base county."""

    __tablename__ = "transfer_vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    seats: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="van")
    base_county: Mapped[str] = mapped_column(String(6))
    active: Mapped[bool] = mapped_column(default=True)


class Transfer(Base):
    """Point to point: one household (or one person, or one case) from pickup to destination.
    Statuses: planned -> dispatched -> picked_up -> arrived."""

    __tablename__ = "transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    household: Mapped[str] = mapped_column(String(64), default="")
    people: Mapped[int] = mapped_column(Integer)
    pickup_address: Mapped[str] = mapped_column(String(200), default="")
    pickup_county: Mapped[str | None] = mapped_column(String(6))
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("quarantine_sites.id", ondelete="SET NULL"), index=True
    )
    destination: Mapped[str] = mapped_column(String(200), default="")
    is_case: Mapped[bool] = mapped_column(default=False)
    infection_id: Mapped[int | None] = mapped_column(
        ForeignKey("infections.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(16), default="planned", index=True)
    vehicle_id: Mapped[int | None] = mapped_column(
        ForeignKey("transfer_vehicles.id", ondelete="SET NULL")
    )
    run: Mapped[int | None] = mapped_column(Integer)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    picked_up_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def in_room_at(moment: datetime) -> ColumnElement[bool]:
    """Stays in force at `moment`: placed by then, not yet released (a replay's moment may
    precede a release the database already holds)."""
    return and_(
        Stay.placed_at <= moment, or_(Stay.released_at.is_(None), Stay.released_at > moment)
    )
