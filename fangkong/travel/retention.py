"""Retention of arrivals: an inbound traveller's record goes with them once their loop is
closed and older than the retention period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from fangkong.travel.models import Arrival


def arrived_within(now: datetime, retention_days: int) -> Select[int]:
    """Ids of people whose arrival is still being managed, or was within the period."""
    cutoff = now - timedelta(days=retention_days)
    return select(Arrival.person_id).where(
        Arrival.released_at.is_(None) | (Arrival.arrived_at > cutoff)
    )


def forget_people(session: Session, person_ids: Sequence[int]) -> None:
    session.execute(delete(Arrival).where(Arrival.person_id.in_(person_ids)))
