"""Retention of quarantine records: a person's stays and swabs go with them once no stay is
open or ended within the retention period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from fangkong.quarantine.models import Stay, Swab


def stayed_within(now: datetime, retention_days: int) -> Select[int]:
    """Ids of people whose stay is open, or ended within the retention period."""
    cutoff = now - timedelta(days=retention_days)
    return select(Stay.person_id).where(Stay.released_at.is_(None) | (Stay.released_at > cutoff))


def forget_people(session: Session, person_ids: Sequence[int]) -> None:
    """Delete the stays and swabs of people being purged (retention.py decides who)."""
    session.execute(delete(Swab).where(Swab.person_id.in_(person_ids)))
    session.execute(delete(Stay).where(Stay.person_id.in_(person_ids)))
