"""Sentinel surveillance's tables: the points, their counts and the alarms raised from them.
Only this domain writes them; they hold no person."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Integer, String, UniqueConstraint
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


class SentinelAlarm(Base):
    """What detection over the points' counts raised: one point's measure on a day (`kind`
    "temporal": the method's expected count, threshold and the count observed) or a cluster of
    points over the last `days` days (`kind` "cluster": the scan's expected and observed counts
    and p-value; `point_id` its centre, `points` every member). Open until a person confirms
    it — then a task for the tracing group until it is closed — or dismisses it."""

    __tablename__ = "sentinel_alarms"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(96), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    method: Mapped[str] = mapped_column(String(24))
    measure: Mapped[str] = mapped_column(String(24))
    day: Mapped[date] = mapped_column(Date, index=True)
    last_day: Mapped[date] = mapped_column(Date)  # the episode's latest day alarming so far
    point_id: Mapped[int] = mapped_column(
        ForeignKey("sentinel_points.id", ondelete="CASCADE"), index=True
    )
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    points: Mapped[list[int]] = mapped_column(JSON)
    days: Mapped[int] = mapped_column(Integer)
    observed: Mapped[float] = mapped_column(Float)
    expected: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    p_value: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(500), default="")
