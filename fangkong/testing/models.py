from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class ScreeningRound(Base):
    """An area-wide testing round (区域核酸检测): everyone living in the area is to be sampled.
    The area is a zone, a county, a township or street (text every resident's address
    contains) or the whole city."""

    __tablename__ = "screening_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    area: Mapped[str] = mapped_column(String(16))  # zone | county | township | city
    zone_id: Mapped[int | None] = mapped_column(ForeignKey("zones.id", ondelete="SET NULL"))
    county_code: Mapped[str | None] = mapped_column(String(6), index=True)
    match: Mapped[str] = mapped_column(String(200), default="")
    pool_size: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    # Set when the command centre closes sampling: no more registrations, open tubes closed.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SamplingSite(Base):
    """A sampling point (采样点) of a round, with its desks' hourly capacity and staff."""

    __tablename__ = "sampling_sites"
    __table_args__ = (UniqueConstraint("round_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("screening_rounds.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    county_code: Mapped[str] = mapped_column(String(6))
    per_hour: Mapped[int] = mapped_column(Integer)
    staff: Mapped[int] = mapped_column(Integer)


class Tube(Base):
    """A sampling tube: pooled (混采, up to the round's pool size) or single (单采). It closes
    at its size or when its site closes, travels to a lab in a shipment and gets one result."""

    __tablename__ = "tubes"

    id: Mapped[int] = mapped_column(primary_key=True)
    barcode: Mapped[str] = mapped_column(String(32), unique=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("screening_rounds.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sampling_sites.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # pooled | single
    size: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    shipment_id: Mapped[int | None] = mapped_column(
        ForeignKey("shipments.id", ondelete="SET NULL"), index=True
    )
    tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(String(16))  # negative | positive | invalid


class Sample(Base):
    """One person's swab in one tube. `purpose` is "screen" for the round itself and "retest"
    for the single tube taken when their pool was positive: once each per round."""

    __tablename__ = "samples"
    __table_args__ = (UniqueConstraint("round_id", "person_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("screening_rounds.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    tube_id: Mapped[int] = mapped_column(ForeignKey("tubes.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(8), default="screen")
    sampled_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Lab(Base):
    """A testing lab: the city's central base or a county lab, with its daily capacity.
    `behind_min` is how far it has said it is behind (a machine down, staff short)."""

    __tablename__ = "labs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # central | county
    county_code: Mapped[str | None] = mapped_column(String(6))
    tubes_per_day: Mapped[int] = mapped_column(Integer)
    behind_min: Mapped[float] = mapped_column(Float, default=0.0)


class LabRoute(Base):
    """Minutes by road from a county's sampling sites to a lab. No row: no route."""

    __tablename__ = "lab_routes"

    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id", ondelete="CASCADE"), primary_key=True)
    county_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    minutes: Mapped[float] = mapped_column(Float)


class Shipment(Base):
    """Tubes of one site taken to one lab, as the plan assigned them. Until it leaves, a
    re-plan may send it elsewhere."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("screening_rounds.id", ondelete="CASCADE"), index=True
    )
    site_id: Mapped[int] = mapped_column(ForeignKey("sampling_sites.id"), index=True)
    lab_id: Mapped[int] = mapped_column(ForeignKey("labs.id"), index=True)
    tubes: Mapped[int] = mapped_column(Integer)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expected_result_at: Mapped[datetime] = mapped_column(UTCDateTime)
    departed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Recall(Base):
    """A positive pool's members, to be found at home and retested in single tubes at once
    (the sampling team's job). Done when every member has a retest result."""

    __tablename__ = "recalls"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("screening_rounds.id", ondelete="CASCADE"), index=True
    )
    tube_id: Mapped[int] = mapped_column(ForeignKey("tubes.id", ondelete="CASCADE"), unique=True)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
