from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from fangkong.core.db import Base, UTCDateTime


class Zone(Base):
    """A sealed, controlled or precaution zone (or 9th-edition high/medium/low), as drawn: an
    administrative unit, the addresses of a compound or village, grid cells, or a polygon.
    Zones nest: a precaution zone holds controlled zones that hold sealed ones."""

    __tablename__ = "zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    protocol_id: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("zones.id", ondelete="SET NULL"), index=True
    )
    county_code: Mapped[str] = mapped_column(String(6), index=True)
    # How the zone is drawn: "admin" (a county code), "address" (text every resident's
    # address contains, e.g. a compound), "cells" (grid cell ids) or "polygon" (GeoJSON).
    unit: Mapped[str] = mapped_column(String(16))
    match: Mapped[str] = mapped_column(String(200), default="")
    cells: Mapped[list[str]] = mapped_column(JSON, default=list)
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    declared_population: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")


class ZoneEvent(Base):
    """The zone's timeline: drawn, upgraded, downgraded, lifted, with who approved and why."""

    __tablename__ = "zone_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(16))
    from_kind: Mapped[str | None] = mapped_column(String(16))
    to_kind: Mapped[str | None] = mapped_column(String(16))
    by: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")


class ZoneRound(Base):
    """A whole-zone screening round's outcome, as the lifting rule needs it."""

    __tablename__ = "zone_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(ForeignKey("zones.id", ondelete="CASCADE"), index=True)
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    tested: Mapped[int] = mapped_column(Integer)
    positive: Mapped[int] = mapped_column(Integer, default=0)
