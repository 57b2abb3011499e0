from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class Checkpoint(Base):
    """Where arrivals enter the city: airport, high-speed rail, railway station, a highway
    checkpoint (卡口)."""

    __tablename__ = "checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # airport | hsr | rail | highway
    county_code: Mapped[str] = mapped_column(String(6))


class RiskArea(Base):
    """A high, medium or low risk area elsewhere, as the national list had it from a date
    (to a date, once lowered or lifted)."""

    __tablename__ = "risk_areas"
    __table_args__ = (UniqueConstraint("region", "level", "from_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region: Mapped[str] = mapped_column(String(200), index=True)  # 陕西省西安市雁塔区…
    level: Mapped[str] = mapped_column(String(8))  # high | medium | low
    from_date: Mapped[date] = mapped_column(Date)
    to_date: Mapped[date | None] = mapped_column(Date)
    import_sha256: Mapped[str] = mapped_column(String(64), default="")


class Arrival(Base):
    """Someone coming into the city, registered at a checkpoint or reported ahead, with the
    path the protocol gave them and the loop's steps as they happen."""

    __tablename__ = "arrivals"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    checkpoint_id: Mapped[int | None] = mapped_column(ForeignKey("checkpoints.id"))
    origin: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(16))  # flight | train | car | bus | other
    vehicle: Mapped[str] = mapped_column(String(32), default="")  # D2535, MU2101 …
    seat: Mapped[str] = mapped_column(String(16), default="")
    departed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    risk_level: Mapped[str | None] = mapped_column(String(8))
    risk_area_id: Mapped[int | None] = mapped_column(ForeignKey("risk_areas.id"))
    path: Mapped[str] = mapped_column(String(24))
    days: Mapped[int] = mapped_column(Integer, default=0)
    tested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transferred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    placed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # room or home
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    protocol_id: Mapped[str] = mapped_column(String(16))
