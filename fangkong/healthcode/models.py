from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
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
