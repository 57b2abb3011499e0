"""Sentinel surveillance's tables: the points and their counts. Only this domain writes them;
they hold no person."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class SentinelPoint(Base):
    """A sentinel (哨点): a fever clinic, a clinic, a pharmacy, a school or a lab, reporting
    each day's counts by `due_hour` (city time) the next day."""

    __tablename__ = "sentinel_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    lon: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    due_hour: Mapped[int] = mapped_column(Integer, default=10)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class SentinelReport(Base):
    """A point's count of one measure for one day; an intraday report is replaced by the
    later ones of the same day (the last says the day so far)."""

    __tablename__ = "sentinel_reports"
    __table_args__ = (UniqueConstraint("point_id", "day", "measure"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    point_id: Mapped[int] = mapped_column(
        ForeignKey("sentinel_points.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(Date, index=True)
    measure: Mapped[str] = mapped_column(String(24))
    count: Mapped[int] = mapped_column(Integer)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_by: Mapped[str] = mapped_column(String(64))
