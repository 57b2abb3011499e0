from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class Infection(Base):
    """A confirmed case or an asymptomatic infection, with the times tracing runs from."""

    __tablename__ = "infections"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    onset_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    protocol_id: Mapped[str] = mapped_column(String(16))
    # Derived when the person was a recorded contact of another infection.
    source_infection_id: Mapped[int | None] = mapped_column(
        ForeignKey("infections.id", ondelete="SET NULL"), index=True
    )
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TrajectoryStop(Base):
    """A place the infected person was, with arrival and departure."""

    __tablename__ = "trajectory_stops"

    id: Mapped[int] = mapped_column(primary_key=True)
    infection_id: Mapped[int] = mapped_column(
        ForeignKey("infections.id", ondelete="CASCADE"), index=True
    )
    place: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(200), default="")
    grid_cell: Mapped[str | None] = mapped_column(String(32))
    setting: Mapped[str | None] = mapped_column(String(32))
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    departed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class ImportBatch(Base):
    """One imported line list; the same file for the same infection is imported once."""

    __tablename__ = "import_batches"
    __table_args__ = (UniqueConstraint("infection_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    infection_id: Mapped[int] = mapped_column(ForeignKey("infections.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str] = mapped_column(String(64))


class Contact(Base):
    """A person exposed to an infection, classified by the protocol. Secondary contacts name
    the close contact they were exposed through (`via_contact_id`)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("infection_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    infection_id: Mapped[int] = mapped_column(
        ForeignKey("infections.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    setting: Mapped[str] = mapped_column(String(32))
    exposure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    identified_at: Mapped[datetime] = mapped_column(UTCDateTime)
    via_contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    relation: Mapped[str] = mapped_column(String(64), default="")
    place: Mapped[str] = mapped_column(String(120), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # Under control: placed in a quarantine room, or at home under a management order.
    under_control_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    control_kind: Mapped[str | None] = mapped_column(String(16))
    import_batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_batches.id", ondelete="SET NULL")
    )


class ManagementOrder(Base):
    """What the protocol orders for a contact: phases back to back, each with its test days."""

    __tablename__ = "management_orders"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    protocol_id: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OrderPhase(Base):
    __tablename__ = "order_phases"
    __table_args__ = (UniqueConstraint("order_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("management_orders.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(24))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # ISO dates (city time) of the swabs this phase requires.
    test_dates: Mapped[list[str]] = mapped_column(JSON)
