"""Retention of appeals: kept while pending or filed within the retention period. A person's
tokens and stored colour go with them (their foreign keys cascade)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from fangkong.healthcode.models import Appeal


def appealed_within(now: datetime, retention_days: int) -> Select[int]:
    cutoff = now - timedelta(days=retention_days)
    return select(Appeal.person_id).where((Appeal.status == "pending") | (Appeal.filed_at > cutoff))


def forget_people(session: Session, person_ids: Sequence[int]) -> None:
    session.execute(delete(Appeal).where(Appeal.person_id.in_(person_ids)))
